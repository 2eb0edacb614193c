# shellcheck shell=bash
# SIP across a failover (issue 9), part of scenarios 1 (power loss of the
# primary) and 3 (Kamailio stopped on the primary) of the fault matrix
# (failover-lib.sh; FO_SIP_SCENARIOS). Phones are sipp in the witness
# namespace, outside both nodes; the media server on the standby S is a sipp
# stand-in on S's own address (FreeSWITCH cannot run here).
#   before the fault  phone 1001 registers through the VIP and answers calls;
#                     phone 1002 calls the media server through the VIP and
#                     the call stays up (Record-Route: the VIP)
#   after the takeover, before the old primary is restored (powered on,
#   Kamailio started):
#                     a new call from 1002 is answered by the media server
#                     on S at once (S probed it while it was the standby);
#                     1002 ends its first call with a BYE along the recorded
#                     route, and the media server on S answers it; the media
#                     server on S calls 1001 through the VIP: the
#                     registration came with the database, the phone did not
#                     register again (sent from S's FreeSWITCH port, the only
#                     source the proxy trusts: the stand-in answering there
#                     is stopped first)
#
#   fo_sip_setup          from fo_setup (which put the scenarios into both
#                         nodes): the SIP domain (the VIP) and extensions 1001
#                         and 1002 created through voip-admind's API on the
#                         VIP holder
#   fo_sip_in NUM         scenario NUM carries the SIP points
#   fo_sip_before NUM P S TAG  the phone, the stand-in, the open call
#   fo_sip_after NUM P S TAG   the checks after the takeover, then both stop
#
# The phones' registrations are soft state (Kamailio commits with
# synchronous_commit = off, doc/DESIGN.md): the test waits until 1001's
# location row has reached S before it cuts the power.

# shellcheck source=sip-lib.sh
. "$E2E_ROOT/test/e2e/sip-lib.sh"

FO_SIP=${FO_SIP:-1}           # 0: no SIP points at all
FO_SIP_SCENARIOS=${FO_SIP_SCENARIOS:-1 3}
FO_SIP_NODE_SCEN=/root/sip-scen # the scenarios inside the nodes
FO_SIP_PHONE_PORT=5082        # phone 1001 answers on the witness at this port
FO_SIP_MEDIA_PORT=5080        # voip-ha-node/freeswitch-sip-port in the preseed
# Hostile but legal passwords (JSON-escaped by fo_sip_extension).
FO_SIP_PW_1001='p@ss:w"rd 1001'
# shellcheck disable=SC2016 # a literal $ in the password
FO_SIP_PW_1002='s3cret\1002 $x'

fo_sip_phones() { echo "ip netns exec $E2E_WITNESS_NS"; }

fo_sip_in() { [ "$FO_SIP" = 1 ] && [[ " $FO_SIP_SCENARIOS " == *" $1 "* ]]; }

# fo_sip_api NODE METHOD PATH: the admin API on NODE, the JSON body on stdin;
# the key is in a 0600 header file inside the node, never on a command line.
fo_sip_api() {
	local port
	port=$(fo_preseed voip-ha-node/admin-http-port)
	e2e_exec "$1" curl -sS -f -m 10 -H @/root/.e2e-api.hdr -H 'Content-Type: application/json' \
		-X "$2" --data-binary @- "http://127.0.0.1:${port:-8080}$3"
}

fo_sip_extension() { # NODE EXT PASSWORD
	local pw=${3//\\/\\\\}
	pw=${pw//\"/\\\"}
	fo_sip_api "$1" POST /api/v1/extensions >/dev/null \
		<<<"{\"domain\":\"$PAIR_VIP\",\"extension\":\"$2\",\"password\":\"$pw\"}"
}

fo_sip_setup() {
	local n holder='' hdr rc=0
	[ -n "$PAIR_PHONES" ] || { echo "no phones namespace: nowhere to run the phones" >&2; return 1; }
	hdr=$(umask 077 && mktemp) || return 1
	printf 'Authorization: Bearer %s\n' "$(fo_preseed voip-ha-node/admin-api-key)" >"$hdr"
	for n in node1 node2; do
		e2e_copy_in "$n" "$hdr" /root/.e2e-api.hdr 0600 || rc=1
		has_vip "$n" && holder=$n
	done
	rm -f "$hdr"
	[ "$rc" = 0 ] || return 1
	[ -n "$holder" ] || { echo "no node holds the VIP" >&2; return 1; }
	# voip-admind may still be starting.
	wait_for 60 fo_sip_api "$holder" GET /api/v1/domains </dev/null ||
		{ echo "voip-admind's API on $holder did not answer within 60 s" >&2; return 1; }
	fo_sip_api "$holder" POST /api/v1/domains <<<"{\"name\":\"$PAIR_VIP\"}" >/dev/null &&
		fo_sip_extension "$holder" 1001 "$FO_SIP_PW_1001" &&
		fo_sip_extension "$holder" 1002 "$FO_SIP_PW_1002"
}

# Kamailio on NODE sees the media server ADDR as active (it answered the
# dispatcher's OPTIONS probes).
fo_sip_media_active() { # NODE ADDR
	e2e_exec "$1" kamcmd dispatcher.list 2>/dev/null |
		grep -A1 "URI: sip:$2:$FO_SIP_MEDIA_PORT" | grep -q 'FLAGS: A'
}

fo_sip_location_on() { # NODE USER: the user's location row is in NODE's database
	[ "$(fo_pg "$1" "SELECT count(*) FROM kamailio.location WHERE username = '$2'" voip)" -ge 1 ]
}

fo_sip_media_got() { # NODE TAG METHOD: the stand-in on NODE received METHOD
	e2e_exec "$1" grep -q "^$3 " "/root/sip-media-$2.msg"
}

fo_sip_phone_msg() { printf '%s/sip-phone-1001-%s.msg' "$FO_DIR" "$1"; }

fo_sip_before() {
	local P=$2 S=$3 tag=$4 h="s$1 ${FO_NAME[$1]}" phones msg
	phones=$(fo_sip_phones)
	msg=$(fo_sip_phone_msg "$tag")
	rm -f "$msg" "$msg.pid" "$FO_DIR/sip-dialog-$tag.log"
	e2e_exec "$S" rm -f "/root/sip-media-$tag.msg" "/root/sip-media-$tag.msg.pid"
	sip_e2e_answer "$phones" "$SIP_E2E_SCEN" "$PAIR_PHONES" "$FO_SIP_PHONE_PORT" "$msg" >&2
	sip_e2e_answer "e2e_exec $S" "$FO_SIP_NODE_SCEN" "${PAIR_ADDR[$S]}" "$FO_SIP_MEDIA_PORT" \
		"/root/sip-media-$tag.msg" >&2
	fo_check "$h: phone 1001 registers through the VIP from outside the nodes" \
		sip_e2e_register "$phones" "$SIP_E2E_SCEN" "$PAIR_VIP" 1001 "$FO_SIP_PW_1001" \
		"$PAIR_PHONES" "$FO_SIP_PHONE_PORT"
	fo_check "$h: 1001's registration reached $S's database (soft state, committed asynchronously)" \
		fo_until 10 fo_sip_location_on "$S" 1001
	fo_check "$h: the media server stand-in on $S answers $P's dispatcher probes" \
		fo_until 30 fo_sip_media_active "$P" "${PAIR_ADDR[$S]}"
	fo_check "$h: phone 1002 calls the media server through the VIP; the call stays up" \
		sip_e2e_dialog_open "$phones" "$SIP_E2E_SCEN" "$PAIR_VIP" 1002 "$FO_SIP_PW_1002" 2000 \
		"$PAIR_PHONES" "$FO_DIR/sip-dialog-$tag.log"
}

# The media server on S calls 1001 through the VIP from its SIP port (the
# stand-in that answered there is stopped first); the phone got the INVITE
# at its registered contact, and the BYE.
fo_sip_call_1001() { # S TAG
	local msg
	msg=$(fo_sip_phone_msg "$2")
	sip_e2e_answer_stop "e2e_exec $1" "/root/sip-media-$2.msg" 2>/dev/null
	e2e_exec "$1" rm -f "/root/sip-media-$2.msg.pid"
	sleep 0.5
	sip_e2e_call_user "e2e_exec $1" "$FO_SIP_NODE_SCEN" "$PAIR_VIP" 1001 "${PAIR_ADDR[$1]}" \
		"$FO_SIP_MEDIA_PORT" || return 1
	grep -q "^INVITE sip:1001@$PAIR_PHONES:$FO_SIP_PHONE_PORT" "$msg" && grep -q '^BYE ' "$msg"
}

# 1002 ends the call opened by fo_sip_before; the stand-in on S answered it.
fo_sip_bye_1002() { # S TAG
	sip_e2e_dialog_bye "$(fo_sip_phones)" "$SIP_E2E_SCEN" "$PAIR_VIP" 1002 2000 "$PAIR_PHONES" \
		"$FO_DIR/sip-dialog-$2.log" || return 1
	fo_sip_media_got "$1" "$2" BYE
}

# A new call, as soon as the survivor serves: its dispatcher already knows the
# media servers it probed while it was the standby (no 503 until probes after
# the takeover succeed).
fo_sip_new_call() { # S TAG
	local before after
	before=$(e2e_exec "$1" grep -c '^INVITE ' "/root/sip-media-$2.msg")
	sip_e2e_call_media "$(fo_sip_phones)" "$SIP_E2E_SCEN" "$PAIR_VIP" 1002 "$FO_SIP_PW_1002" 2001 \
		"$PAIR_PHONES" || return 1
	after=$(e2e_exec "$1" grep -c '^INVITE ' "/root/sip-media-$2.msg")
	[ "$after" -gt "$before" ] || { echo "the media server on $1 received no INVITE" >&2; return 1; }
}

fo_sip_after() {
	local P=$2 S=$3 tag=$4 h="s$1 ${FO_NAME[$1]}"
	fo_check "$h: a new call from 1002 right after the takeover is answered by the media server on $S" \
		fo_sip_new_call "$S" "$tag"
	fo_check "$h: 1002's BYE, sent after the takeover along the call's route, reaches the media server on $S" \
		fo_sip_bye_1002 "$S" "$tag"
	fo_check "$h: before $P is restored, $S's media server calls 1001 through the VIP without a new registration" \
		fo_sip_call_1001 "$S" "$tag"
	sip_e2e_answer_stop "$(fo_sip_phones)" "$(fo_sip_phone_msg "$tag")" 2>/dev/null
	sip_e2e_answer_stop "e2e_exec $S" "/root/sip-media-$tag.msg" 2>/dev/null
}

# The points of fo_sip_before and fo_sip_after, for fo_points_not_run.
fo_sip_points() { # NUM
	fo_sip_in "$1" || return 0
	printf '%s\n' "phone 1001 registers through the VIP" "1001's registration reached the standby" \
		"media server stand-in active" "phone 1002's call stays up" \
		"new call right after the takeover answered" "BYE after the takeover reaches the media server" \
		"1001 called through the VIP after the takeover"
}
