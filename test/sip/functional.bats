#!/usr/bin/env bats
# The SIP front door on one node (test/sip/lib.bash): the real Kamailio with
# the generated kamailio.cfg, PostgreSQL provisioned by `voip-ha provision`,
# extensions made through voip-admind's API, sipp as phones and as the two
# FreeSWITCH stand-ins. What a phone sees: registration with digest auth,
# calls through the media server, NAT, and what an attacker sees: malformed
# and oversized requests, scanners, a REGISTER flood; who may call a phone
# without a challenge (FreeSWITCH's own socket only) and how fast a call
# leaves a dead media server for the other one. Kamailio's /metrics
# (xhttp_prom) is on node1's own address here (metrics_listen=node), for the
# phones' address only (metrics_allow): registrations, dispatcher state and
# flood blocks as the proxy saw them, and who may read them.

load lib
load ../e2e/sip-lib.sh

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	export SIP_CONF_EXTRA="metrics_listen=node metrics_allow=198.51.100.13"
	sip_up
	# Sources for the bad-input tests, each its own address (blocks are per address).
	sip_node junk 198.51.100.20
	sip_node big 198.51.100.21
	sip_node scanner 198.51.100.22
	sip_node flooder 198.51.100.23
}

teardown_file() {
	mn_cleanup
}

setup() {
	prereq_root "network and mount namespaces"
}

# Phone 1002 answers calls on 198.51.100.13:5072 (its messages in phone-1002.msg).
phone_1002_answers() {
	mn_spawn phones "$MN_DIR/phone-1002.log" sipp -sf "$SIP_SCEN/fs-uas.xml" -i 198.51.100.13 -p 5072 \
		-nostdin -trace_msg -message_file "$MN_DIR/phone-1002.msg"
	echo "$MN_PID" >"$MN_DIR/phone-1002.pid"
}

reg() { # USER PASSWORD SCENARIO [sipp args]: from the phones node, port 5070
	local user=$1 pw=$2 sf=$3
	shift 3
	sip_sipp phones "$sf" "$SIP_VIP:5060" -p 5070 -s "$user" -au "$user" -ap "$pw" "$@"
}

@test "REGISTER without credentials is challenged: 401 with a digest realm" {
	sip_sipp phones register-challenge.xml "$SIP_VIP:5060" -p 5070 -s 1001
	[ "$(sip_sql "SELECT count(*) FROM kamailio.location")" = 0 ]
}

@test "REGISTER with a wrong password is refused, and stores nothing" {
	reg 1001 "$SIP_PW_1001-wrong" register-refused.xml
	# The same scenario must fail with the right password (it expects a refusal).
	run reg 1001 "$SIP_PW_1001" register-refused.xml
	[ "$status" -ne 0 ]
	# ... which did register; start the next test from an empty table.
	sip_sql "DELETE FROM kamailio.location" >/dev/null
	reg 1001 "$SIP_PW_1002" register-refused.xml # another user's password
	[ "$(sip_sql "SELECT count(*) FROM kamailio.location")" = 0 ]
}

@test "REGISTER with the right password: 200 and the contact in kamailio.location before the reply" {
	reg 1001 "$SIP_PW_1001" register.xml
	run sip_sql "SELECT username || '@' || domain || ' ' || contact FROM kamailio.location WHERE username = '1001'"
	[ "$output" = "1001@$SIP_DOMAIN sip:1001@198.51.100.13:5070" ]
}

@test "an identity the proxy does not know cannot call; a known one with a wrong password neither" {
	local before
	before=$(grep -c '^INVITE ' "$MN_DIR/fs-node1.msg" || true)
	sip_sipp phones call-refused.xml "$SIP_VIP:5060" -p 5074 -key caller 3003 -s 1002 -au 3003 -ap whatever
	sip_sipp phones call-refused.xml "$SIP_VIP:5060" -p 5074 -key caller 1001 -s 1002 -au 1001 -ap "$SIP_PW_1002"
	# Another user's identity with one's own credentials: 403.
	sip_sipp phones call-refused.xml "$SIP_VIP:5060" -p 5074 -key caller 1002 -s 1001 -au 1001 -ap "$SIP_PW_1001"
	[ "$(grep -c '^INVITE ' "$MN_DIR/fs-node1.msg" || true)" = "$before" ]
}

@test "a call: phone 1001 to the media server, the media server to registered phone 1002, both complete through the VIP" {
	# 1002 registers from its own port and answers there.
	phone_1002_answers
	reg 1002 "$SIP_PW_1002" register-contact.xml -p 5073 -key contact 198.51.100.13:5072
	# Leg A: 1001 calls 1002; the proxy authenticates and hands it to
	# FreeSWITCH (node1's, the preferred one): INVITE, 100, 180, 200, ACK, BYE, 200.
	sip_sipp phones call.xml "$SIP_VIP:5060" -p 5074 -key caller 1001 -s 1002 -au 1001 -ap "$SIP_PW_1001" \
		-d 200 -trace_msg -message_file "$MN_DIR/leg-a.msg"
	# Leg B: FreeSWITCH (node2's, from its SIP socket: trusted, no
	# challenge) calls 1002 through the VIP; the proxy finds 1002's registration.
	sip_as_fs node2 198.51.100.12 call-trusted.xml -key caller 1001 -s 1002 \
		-d 200 -trace_msg -message_file "$MN_DIR/leg-b.msg"
	local leg via
	for leg in leg-a leg-b; do
		run grep -E -o '^(SIP/2.0 [0-9]{3}|INVITE|ACK|BYE)' "$MN_DIR/$leg.msg"
		echo "$leg: ${lines[*]}"
		[[ "${lines[*]}" == *"INVITE"*"SIP/2.0 100"*"SIP/2.0 180"*"SIP/2.0 200"*"ACK"*"BYE"*"SIP/2.0 200" ]]
	done
	# The media server saw leg A with a Record-Route on the VIP only, and
	# the BYE came to it through the proxy.
	run grep -m1 -i '^Record-Route:' "$MN_DIR/fs-node1.msg"
	[[ "$output" == *"<sip:$SIP_VIP;lr;ftag="*">"* || "$output" == *"<sip:$SIP_VIP:5060;lr;ftag="*">"* ]]
	[ "$(grep -c -i '^Record-Route:' <(sed -n '/^INVITE sip:1002/,/^$/p' "$MN_DIR/fs-node1.msg" | head -40))" = 1 ]
	# ... which it received from the VIP (top Via: the media server answers
	# to whichever node holds the VIP).
	via=$(sed -n '/^INVITE sip:1002/,/^$/p' "$MN_DIR/fs-node1.msg" | head -40 | grep -m1 -i '^Via:')
	echo "top Via of the INVITE at the media server: $via"
	[[ "$via" =~ SIP/2\.0/UDP\ 198\.51\.100\.10(:5060)?\; ]]
	grep -q '^BYE sip:media@198.51.100.11:5080' "$MN_DIR/fs-node1.msg"
	grep -q '^BYE sip:phone@\|^BYE sip:media@198.51.100.13:5072' "$MN_DIR/phone-1002.msg"
	# Accounted: start (INVITE 200) and stop (BYE 200) of both legs, by Call-ID.
	[ "$(sip_sql "SELECT count(*) FROM kamailio.acc WHERE method = 'INVITE' AND sip_code = '200'")" -ge 2 ]
	[ "$(sip_sql "SELECT count(*) FROM kamailio.acc WHERE method = 'BYE' AND sip_code = '200'")" -ge 2 ]
}

@test "the dispatcher probes both media servers from the node's own address, which a standby has too" {
	local n via _
	for n in node1 node2; do
		# Probes come every 5 s: wait up to 15 s for one.
		for _ in $(seq 75); do grep -q '^OPTIONS sip:' "$MN_DIR/fs-$n.msg" && break; sleep 0.2; done
		via=$(sed -n '/^OPTIONS sip:/,/^$/p' "$MN_DIR/fs-$n.msg" | grep -m1 -i '^Via:')
		echo "$n: top Via of a probe: $via"
		[[ "$via" =~ SIP/2\.0/UDP\ 198\.51\.100\.11(:5060)?\; ]]
	done
}

@test "a call to a user that is not registered: 404 from the proxy, never forwarded" {
	local before
	before=$(grep -c '^INVITE sip:1999' "$MN_DIR/fs-node1.msg" || true)
	run sip_as_fs node2 198.51.100.12 call-trusted.xml -key caller 1001 -s 1999 \
		-trace_msg -message_file "$MN_DIR/to-1999.msg"
	[ "$status" -ne 0 ]
	grep -q '^SIP/2.0 404 Not Found' "$MN_DIR/to-1999.msg"
	[ "$(grep -c '^INVITE sip:1999' "$MN_DIR/fs-node1.msg" || true)" = "$before" ]
}

@test "NAT: a phone registering with a private Contact is stored with its source address and reached there" {
	# Behind NAT its REGISTER comes from 5072, the port its NAT maps to.
	[ ! -e "$MN_DIR/phone-1002.pid" ] || kill "$(cat "$MN_DIR/phone-1002.pid")"
	sleep 0.5
	reg 1002 "$SIP_PW_1002" register-contact.xml -p 5072 -key contact 192.168.1.50:5060
	phone_1002_answers
	run sip_sql "SELECT contact || ' ' || received FROM kamailio.location WHERE username = '1002' AND contact LIKE '%192.168.1.50%'"
	[ "$output" = "sip:1002@192.168.1.50:5060 sip:198.51.100.13:5072" ]
	# A call to it goes to the address the REGISTER came from.
	local before
	before=$(grep -c '^INVITE ' "$MN_DIR/phone-1002.msg" || true)
	sip_sql "DELETE FROM kamailio.location WHERE username = '1002' AND contact NOT LIKE '%192.168.1.50%'" >/dev/null
	sip_as_fs node2 198.51.100.12 call-trusted.xml -key caller 1001 -s 1002 -d 100
	[ "$(grep -c '^INVITE sip:1002@192.168.1.50:5060' "$MN_DIR/phone-1002.msg")" -gt 0 ]
	[ "$(grep -c '^INVITE ' "$MN_DIR/phone-1002.msg")" -gt "$before" ]
}

@test "the two-node helpers: a phone registered through the VIP is called later by the media server" {
	local msg=$MN_DIR/phone-1001-e2e.msg
	sip_e2e_answer "mn_exec phones" "$SIP_E2E_SCEN" 198.51.100.13 5082 "$msg"
	sip_e2e_register "mn_exec phones" "$SIP_E2E_SCEN" "$SIP_VIP" 1001 "$SIP_PW_1001" 198.51.100.13 5082
	sip_fs_stop node2
	sip_e2e_call_user "mn_exec node2" "$SIP_E2E_SCEN" "$SIP_VIP" 1001 198.51.100.12 "$SIP_FS_PORT"
	sip_fs_up node2 198.51.100.12
	sip_e2e_answer_stop "mn_exec phones" "$msg"
	grep -q '^INVITE sip:1001@198.51.100.13:5082' "$msg"
	grep -q '^BYE ' "$msg"
}

@test "a dialog outlives a Kamailio restart: the BYE sent afterwards reaches the media server" {
	local st=$MN_DIR/dialog.log before
	before=$(grep -c '^BYE ' "$MN_DIR/fs-node1.msg" || true)
	sip_e2e_dialog_open "mn_exec phones" "$SIP_E2E_SCEN" "$SIP_VIP" 1001 "$SIP_PW_1001" 2000 198.51.100.13 "$st"
	grep -q 'route=<sip:198.51.100.10;lr;ftag=' "$st"
	sip_kamailio_restart
	sip_e2e_dialog_bye "mn_exec phones" "$SIP_E2E_SCEN" "$SIP_VIP" 1001 2000 198.51.100.13 "$st"
	[ "$(grep -c '^BYE ' "$MN_DIR/fs-node1.msg")" -gt "$before" ]
	# Without the dialog's route and tags the same BYE goes nowhere.
	sed -i 's/totag=[^|]*/totag=forged/' "$st"
	run sip_e2e_dialog_bye "mn_exec phones" "$SIP_E2E_SCEN" "$SIP_VIP" 1001 2000 198.51.100.13 "$st"
	[ "$status" -ne 0 ]
}

# send_raw NODE PROTO FILE: one request from NODE, prints the status line of
# the final reply (nothing when none came within 3 s).
send_raw() {
	mn_exec "$1" python3 "$BATS_TEST_DIRNAME/send-raw" "$2" "$SIP_VIP" 5060 "$3"
}

# send_raw_from ADDR:PORT NODE PROTO FILE: the same from that source socket.
send_raw_from() {
	local from=$1
	shift
	SEND_RAW_FROM=$from send_raw "$@"
}

# phone_1002_fresh: 1002 registered once, at 198.51.100.13:5072, answering there.
phone_1002_fresh() {
	if [ -e "$MN_DIR/phone-1002.pid" ]; then
		kill "$(cat "$MN_DIR/phone-1002.pid")" 2>/dev/null || true
		rm -f "$MN_DIR/phone-1002.pid"
		sleep 0.3
	fi
	sip_sql "DELETE FROM kamailio.location WHERE username = '1002'" >/dev/null
	phone_1002_answers
	reg 1002 "$SIP_PW_1002" register-contact.xml -p 5073 -key contact 198.51.100.13:5072
}

invites_at_1002() {
	grep -c '^INVITE ' "$MN_DIR/phone-1002.msg" || true
}

# invite_raw TRANSPORT ADDR PORT: an INVITE from 1001 to 1002 without
# credentials, sent from ADDR:PORT.
invite_raw() {
	local id=$RANDOM$RANDOM t=${1,,}
	printf 'INVITE sip:1002@%s SIP/2.0\r\nVia: SIP/2.0/%s %s:%s;branch=z9hG4bK-raw%s\r\n' "$SIP_VIP" "$1" "$2" "$3" "$id"
	printf 'Max-Forwards: 70\r\nFrom: <sip:1001@%s>;tag=raw%s\r\nTo: <sip:1002@%s>\r\n' "$SIP_VIP" "$id" "$SIP_VIP"
	printf 'Call-ID: raw-%s@198.51.100.12\r\nCSeq: 1 INVITE\r\n' "$id"
	printf 'Contact: <sip:1001@%s:%s;transport=%s>\r\nContent-Length: 0\r\n\r\n' "$2" "$3" "$t"
}

@test "only FreeSWITCH's own socket calls a phone unchallenged: a node's address on another port or over TCP, or the VIP, gets 407" {
	phone_1002_fresh
	local before
	before=$(invites_at_1002)
	# Both nodes' addresses, from ports that are not FreeSWITCH's SIP port.
	sip_sipp node1 call-challenged.xml "$SIP_VIP:5060" -i 198.51.100.11 -p 5090 -key caller 1001 -s 1002
	sip_sipp node2 call-challenged.xml "$SIP_VIP:5060" -i 198.51.100.12 -p 5081 -key caller 1001 -s 1002
	# The VIP with FreeSWITCH's port number: not a dispatcher destination.
	sip_sipp node1 call-challenged.xml "$SIP_VIP:5060" -i "$SIP_VIP" -p "$SIP_FS_PORT" -key caller 1001 -s 1002
	# node2's FreeSWITCH address and port, but over TCP.
	invite_raw TCP 198.51.100.12 "$SIP_FS_PORT" >"$MN_DIR/invite-tcp.sip"
	run send_raw_from "198.51.100.12:$SIP_FS_PORT" node2 tcp "$MN_DIR/invite-tcp.sip"
	echo "over TCP from 198.51.100.12:$SIP_FS_PORT: $output"
	[[ "$output" == "SIP/2.0 407 "* ]]
	sleep 0.5
	[ "$(invites_at_1002)" = "$before" ]
	# From either node's FreeSWITCH socket (UDP) the same call is delivered.
	sip_as_fs node2 198.51.100.12 call-trusted.xml -key caller 1001 -s 1002 -d 100
	sip_as_fs node1 198.51.100.11 call-trusted.xml -key caller 1001 -s 1002 -d 100
	[ "$(invites_at_1002)" -ge $((before + 2)) ]
}

@test "a media server slow to answer 200 after its 180 is not abandoned: the call connects there, not on the other one" {
	local before1 before2 ms
	sip_fs_stop node1
	sip_fs_up node1 198.51.100.11 -d 3000
	sip_ds_wait "sip:198.51.100.11:$SIP_FS_PORT" AP
	before2=$(grep -c '^INVITE sip:2000@' "$MN_DIR/fs-node2.msg" || true)
	sip_sipp phones call.xml "$SIP_VIP:5060" -p 5074 -key caller 1001 -s 2000 -au 1001 -ap "$SIP_PW_1001" \
		-d 100 -trace_msg -message_file "$MN_DIR/slow-ms.msg"
	ms=$(sip_setup_ms "$MN_DIR/slow-ms.msg")
	echo "authenticated INVITE to 200 through the slow media server: $ms ms"
	[ "$(grep -c '^INVITE sip:2000@' "$MN_DIR/fs-node1.msg")" = 1 ]
	[ "$(grep -c '^INVITE sip:2000@' "$MN_DIR/fs-node2.msg" || true)" = "$before2" ]
	[ "$ms" -ge 3000 ]
	[ "$(sip_ds_flags "sip:198.51.100.11:$SIP_FS_PORT")" = AP ]
	sip_fs_stop node1
	sip_fs_up node1 198.51.100.11
}

@test "a dead media server: the first call connects through the other within 1.5 s, and the dead one is marked inactive at once" {
	local before2 first second
	sip_ds_wait "sip:198.51.100.11:$SIP_FS_PORT" AP
	# node1's FreeSWITCH process is gone, the host is up (its ICMP port
	# unreachable is not seen by Kamailio's UDP sockets).
	sip_fs_stop node1
	before2=$(grep -c '^INVITE sip:2000@' "$MN_DIR/fs-node2.msg" || true)
	sip_sipp phones call.xml "$SIP_VIP:5060" -p 5074 -key caller 1001 -s 2000 -au 1001 -ap "$SIP_PW_1001" \
		-d 100 -trace_msg -message_file "$MN_DIR/dead-ms-1.msg"
	first=$(sip_setup_ms "$MN_DIR/dead-ms-1.msg")
	# Marked inactive by failure_route, not two probes (10 s) later.
	[ "$(sip_ds_flags "sip:198.51.100.11:$SIP_FS_PORT")" = IP ]
	sip_sipp phones call.xml "$SIP_VIP:5060" -p 5074 -key caller 1001 -s 2000 -au 1001 -ap "$SIP_PW_1001" \
		-d 100 -trace_msg -message_file "$MN_DIR/dead-ms-2.msg"
	second=$(sip_setup_ms "$MN_DIR/dead-ms-2.msg")
	echo "authenticated INVITE to 200 with node1's media server dead: first call $first ms, next $second ms"
	echo "# dead media server: first call $first ms, next $second ms" >&3
	[ "$(grep -c '^INVITE sip:2000@' "$MN_DIR/fs-node2.msg")" = $((before2 + 2)) ]
	[ "$first" -lt 1500 ]
	sip_fs_up node1 198.51.100.11
}

@test "malformed requests are dropped or refused, and the proxy keeps serving" {
	local f n=0
	for f in "$BATS_TEST_DIRNAME"/bad-input/*.sip; do
		run send_raw junk udp "$f"
		echo "$(basename "$f"): ${output:-no reply}"
		[[ "$output" != "SIP/2.0 2"* ]] # never accepted
		sip_kam_alive
		n=$((n + 1))
	done
	[ "$n" -ge 12 ]
}

@test "oversized requests: 513 over UDP and TCP, the proxy keeps serving" {
	{
		printf 'OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.21:5099;branch=z9hG4bK-big1\r\n' "$SIP_VIP"
		printf 'From: <sip:big@198.51.100.21>;tag=1\r\nTo: <sip:%s>\r\nCall-ID: big-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n' "$SIP_VIP"
		printf 'X-Padding: %s\r\n' "$(head -c 30000 /dev/zero | tr '\0' a)"
		printf 'Content-Length: 0\r\n\r\n'
	} >"$MN_DIR/big.sip"
	run send_raw big udp "$MN_DIR/big.sip"
	[ "$output" = "SIP/2.0 513 Message Too Large" ]
	sed 's/SIP\/2.0\/UDP/SIP\/2.0\/TCP/' "$MN_DIR/big.sip" >"$MN_DIR/big-tcp.sip"
	run send_raw big tcp "$MN_DIR/big-tcp.sip"
	[[ "$output" == "SIP/2.0 513"* || -z "$output" ]]
	sip_kam_alive
}

@test "a scanner's User-Agent: no reply, its address blocked with one log line" {
	sed 's/^User-Agent: .*/User-Agent: friendly-scanner/' "$BATS_TEST_DIRNAME/bad-input/options-ok.sip.in" >"$MN_DIR/scan.sip"
	run send_raw scanner udp "$MN_DIR/scan.sip"
	[ -z "$output" ]
	# Its next, innocent request is dropped too; others are still served.
	run send_raw scanner udp "$BATS_TEST_DIRNAME/bad-input/options-ok.sip.in"
	[ -z "$output" ]
	run send_raw junk udp "$BATS_TEST_DIRNAME/bad-input/options-ok.sip.in"
	[ "$output" = "SIP/2.0 200 OK" ]
	[ "$(grep -c 'blocking 198.51.100.22 ' "$MN_DIR/kamailio.log")" = 1 ]
}

@test "REGISTER flood from one address, 2000/s for 30 s: proxy up, flooder blocked after one log line, a phone still registers" {
	local sent before_replies after_replies
	before_replies=$(sip_stat sl:sent_replies)
	mn_spawn flooder "$MN_DIR/flood.log" timeout 120 sipp -sf "$SIP_SCEN/register-flood.xml" "$SIP_VIP:5060" \
		-i 198.51.100.23 -p 5099 -s 9999 -r 2000 -m 60000 -nostdin \
		-trace_stat -stf "$MN_DIR/flood.csv" -fd 1
	local flood=$MN_PID
	# Meanwhile, phone 1001 registers from another address, several times.
	local ok=0
	sleep 5
	for _ in 1 2 3; do
		reg 1001 "$SIP_PW_1001" register.xml && ok=$((ok + 1))
		sleep 5
	done
	wait "$flood" || true
	[ "$ok" = 3 ]
	sip_kam_alive
	# The flooder really sent at that rate...
	sent=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "TotalCallCreated") c = i } END { print $c }' "$MN_DIR/flood.csv")
	echo "flood REGISTERs sent: $sent"
	[ "$sent" -ge 59000 ]
	# ... and got almost nothing back: pike blocks within its first
	# sampling units (a block starts between 1x and 3x the density).
	after_replies=$(sip_stat sl:sent_replies)
	echo "replies sent during the flood: $((after_replies - before_replies))"
	[ $((after_replies - before_replies)) -lt 2000 ]
	[ "$(grep -c 'blocking 198.51.100.23 ' "$MN_DIR/kamailio.log")" = 1 ]
	run send_raw flooder udp "$BATS_TEST_DIRNAME/bad-input/options-ok.sip.in"
	[ -z "$output" ]
}

METRICS=http://198.51.100.11:9101/metrics

@test "metrics: every flood block counted once (kamailio_pike_blocks_total = the block log lines)" {
	local m=$MN_DIR/pike-metrics.txt blocks
	blocks=$(grep -c 'blocking ' "$MN_DIR/kamailio.log")
	sip_scrape phones "$METRICS" "$m"
	[ "$blocks" -ge 2 ] # the scanner and the flooder above
	[ "$(sip_metric "$m" kamailio_pike_blocks_total)" = "$blocks" ]
}

# metric_delta BEFORE AFTER SERIES: how much SERIES grew between two scrapes
# (an absent series counts as 0).
metric_delta() {
	local a b
	a=$(sip_metric "$1" "$3")
	b=$(sip_metric "$2" "$3")
	echo $((${b:-0} - ${a:-0}))
}

@test "metrics: a call answered and one refused are each counted once, by outcome and class" {
	local m0=$MN_DIR/calls-before.txt m1=$MN_DIR/calls-after.txt
	sip_scrape phones "$METRICS" "$m0"
	sip_sipp phones call.xml "$SIP_VIP:5060" -p 5074 -key caller 1001 -s 2000 -au 1001 -ap "$SIP_PW_1001" -d 100
	run sip_as_fs node2 198.51.100.12 call-trusted.xml -key caller 1001 -s 1999
	[ "$status" -ne 0 ] # 404: nobody registered as 1999
	sip_scrape phones "$METRICS" "$m1"
	[ "$(metric_delta "$m0" "$m1" kamailio_calls_total)" = 2 ]
	[ "$(metric_delta "$m0" "$m1" kamailio_calls_answered_total)" = 1 ]
	[ "$(metric_delta "$m0" "$m1" 'kamailio_calls_failed_total{class="4xx"}')" = 1 ]
	[ "$(metric_delta "$m0" "$m1" 'kamailio_calls_failed_total{class="5xx"}')" = 0 ]
	[ "$(sip_metric "$m1" kamailio_dialog_active_dialogs)" = "$(sip_metric "$m0" kamailio_dialog_active_dialogs)" ]
}

@test "metrics: kamailio_registered_users is the number of AoRs sipp registered" {
	sip_sql "DELETE FROM kamailio.location" >/dev/null
	sip_metric_wait phones "$METRICS" kamailio_registered_users 0
	reg 1001 "$SIP_PW_1001" register.xml
	reg 1002 "$SIP_PW_1002" register-contact.xml -p 5073 -key contact 198.51.100.13:5072
	# Twice the same AoR is one.
	reg 1001 "$SIP_PW_1001" register.xml
	sip_metric_wait phones "$METRICS" kamailio_registered_users 2
}

@test "metrics: kamailio_dispatcher_destination_up flips to 0 when a media server dies and back to 1 when it returns" {
	local up2='kamailio_dispatcher_destination_up{setid="1", uri="sip:198.51.100.12:5080"}'
	local up1='kamailio_dispatcher_destination_up{setid="1", uri="sip:198.51.100.11:5080"}'
	sip_metric_wait phones "$METRICS" "$up2" 1
	sip_metric_wait phones "$METRICS" "$up1" 1
	sip_fs_stop node2
	sip_metric_wait phones "$METRICS" "$up2" 0
	sip_ds_wait "sip:198.51.100.12:$SIP_FS_PORT" IP
	sip_metric_wait phones "$METRICS" "$up1" 1
	sip_fs_up node2 198.51.100.12
	sip_metric_wait phones "$METRICS" "$up2" 1
}

@test "metrics: answered to the node and the metrics_allow scrapers only, GET /metrics only, on its own port only" {
	local out=$MN_DIR/metrics-access.txt
	sip_scrape phones "$METRICS" "$out"
	sip_scrape node1 "$METRICS" "$out"
	grep -q '^kamailio_core_rcv_requests_invite ' "$out"
	# Another address on the LAN: 403, no metrics.
	run mn_exec junk curl -sS -m 10 -o "$out" -w '%{http_code}' "$METRICS"
	[ "$output" = 403 ]
	run grep -c '^kamailio_' "$out"
	[ "$output" = 0 ]
	run mn_exec phones curl -sS -m 10 -o /dev/null -w '%{http_code}' "http://198.51.100.11:9101/other"
	[ "$output" = 404 ]
	run mn_exec phones curl -sS -m 10 -o /dev/null -w '%{http_code}' -X POST "$METRICS"
	[ "$output" = 405 ]
	# Not on the VIP, not on loopback.
	run mn_exec phones curl -sS -m 10 -o /dev/null "http://$SIP_VIP:9101/metrics"
	[ "$status" -ne 0 ]
	run mn_exec node1 curl -sS -m 10 -o /dev/null "http://127.0.0.1:9101/metrics"
	[ "$status" -ne 0 ]
	# HTTP on the SIP port: refused.
	run mn_exec phones curl -sS -m 10 -o /dev/null -w '%{http_code}' "http://$SIP_VIP:5060/metrics"
	[ "$output" = 403 ]
	# SIP on the metrics port: no answer, and the proxy keeps serving.
	sed 's/SIP\/2.0\/UDP/SIP\/2.0\/TCP/' "$BATS_TEST_DIRNAME/bad-input/options-ok.sip.in" >"$MN_DIR/options-tcp.sip"
	run mn_exec phones python3 "$BATS_TEST_DIRNAME/send-raw" tcp 198.51.100.11 9101 "$MN_DIR/options-tcp.sip"
	[ -z "$output" ]
	sip_kam_alive
}
