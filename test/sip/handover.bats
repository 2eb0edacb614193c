#!/usr/bin/env bats
# SIP across a VIP move, on the two nodes of test/sip/lib.bash: node1 holds
# the VIP, PostgreSQL and Kamailio with its generated kamailio.cfg; node2 a
# streaming standby of that PostgreSQL and Kamailio with node2's generated
# file. What a phone sees when the VIP moves between a challenge and its
# answer, and when a switchover stops node1's PostgreSQL under an
# authenticated INVITE (issue 17: the rolling upgrade's failed call around
# the switchover): the phone is let in by the other node, and is never
# challenged again for credentials that only could not be checked.

load lib
load ../e2e/sip-lib.sh

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	sip_up
	sip_node2_up
}

teardown_file() {
	mn_cleanup
}

setup() {
	prereq_root "network and mount namespaces"
}

fs_invites() { # NODE: INVITEs the FreeSWITCH stand-in of NODE received
	grep -c '^INVITE ' "$MN_DIR/fs-$1.msg" || true
}

@test "both nodes sign nonces with one secret: challenged by node1, answered through the VIP on node2, the call completes there" {
	local n1 n2 rc=0
	n1=$(fs_invites node1)
	n2=$(fs_invites node2)
	sip_vip_move node1 node2
	sip_sipp phones call-other-node.xml "$SIP_VIP:5060" -p 5081 -key caller 1002 -s 2001 \
		-au 1002 -ap "$SIP_PW_1002" -set first 198.51.100.11 -d 200 || rc=$?
	sip_vip_move node2 node1
	[ "$rc" = 0 ]
	# node2's Kamailio let it in and sent it to its own media server first.
	[ "$(fs_invites node2)" = $((n2 + 1)) ]
	[ "$(fs_invites node1)" = "$n1" ]
}

@test "both nodes sign nonces with one secret: a REGISTER challenged by node2, answered through the VIP on node1, is saved" {
	sip_sipp phones register-other-node.xml "$SIP_VIP:5060" -p 5083 -s 1001 -au 1001 -ap "$SIP_PW_1001" \
		-set first 198.51.100.12
	run sip_sql "SELECT contact FROM kamailio.location WHERE username = '1001' AND contact LIKE '%:5083'"
	[ "$output" = "sip:1001@198.51.100.13:5083" ]
}

# raw_invite AUTHORIZATION: an INVITE from phone 1002 with that
# Proxy-Authorization header value, sent through the VIP from the phones
# node (send-raw: the status line of the final reply, nothing after 3 s).
raw_invite() {
	local f=$MN_DIR/raw-invite.sip
	printf '%s\r\n' "INVITE sip:2001@$SIP_VIP SIP/2.0" \
		"Via: SIP/2.0/UDP 198.51.100.13:5099;branch=z9hG4bK-raw-$RANDOM" \
		'Max-Forwards: 70' "From: <sip:1002@$SIP_VIP>;tag=raw1" "To: <sip:2001@$SIP_VIP>" \
		"Call-ID: raw-$RANDOM@198.51.100.13" 'CSeq: 2 INVITE' 'Contact: <sip:1002@198.51.100.13:5099>' \
		"Proxy-Authorization: $1" 'Content-Length: 0' '' >"$f"
	mn_exec phones python3 "$BATS_TEST_DIRNAME/send-raw" udp "$SIP_VIP" 5060 "$f"
}

@test "credentials the database can check but that fail otherwise (a forged nonce, no response) are still answered" {
	local a="Digest username=\"1002\",realm=\"$SIP_VIP\",uri=\"sip:$SIP_VIP:5060\",algorithm=MD5"
	run raw_invite "$a,nonce=\"Zm9yZ2VkLW5vbmNlLXZhbHVl\",response=\"0123456789abcdef0123456789abcdef\""
	[ "$output" = "SIP/2.0 407 Proxy Authentication Required" ]
	run raw_invite "$a,nonce=\"Zm9yZ2VkLW5vbmNlLXZhbHVl\""
	[[ "$output" == "SIP/2.0 4"* ]]
	run grep -c 'not answered: its credentials cannot be checked' "$MN_DIR/kamailio.log"
	[ "$output" = 0 ]
}

@test "switchover: node1's PostgreSQL stops under an authenticated INVITE: no new challenge, its retransmission through the VIP on node2 completes the call" {
	local log=$MN_DIR/kamailio.log n2 pid rc=0 _
	n2=$(fs_invites node2)
	# As `voip-ha switchover` does: node1's PostgreSQL stopped first, while
	# node1 still holds the VIP.
	mn_pg_stop node1
	sip_sipp phones call.xml "$SIP_VIP:5060" -p 5084 -key caller 1002 -s 2001 -au 1002 -ap "$SIP_PW_1002" \
		-d 200 -trace_msg -message_file "$MN_DIR/phone-switchover.msg" 3>&- &
	pid=$!
	# node1 cannot check the credentials and says nothing (no 407)...
	for _ in $(seq 200); do
		grep -q 'INVITE from 198.51.100.13:5084 not answered: its credentials cannot be checked' "$log" && break
		sleep 0.1
	done
	grep -q 'INVITE from 198.51.100.13:5084 not answered: its credentials cannot be checked' "$log" || rc=1
	# ... then node2 is promoted and takes the VIP; the phone's next
	# retransmission of the same INVITE reaches node2.
	mn_pg_promote node2 || rc=1
	sip_vip_move node1 node2 || rc=1
	wait "$pid" || rc=1
	[ "$rc" = 0 ]
	# One challenge only (to the INVITE without credentials).
	[ "$(grep -c '^SIP/2.0 407 ' "$MN_DIR/phone-switchover.msg")" = 1 ]
	[ "$(fs_invites node2)" = $((n2 + 1)) ]
}
