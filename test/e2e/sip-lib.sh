# shellcheck shell=bash
# SIP through the VIP for the two-node suites (issue 9): a phone registered
# from outside the nodes and called later, a dialog opened before a fault and
# ended after it. The scenarios are test/sip/scenarios/ (the single-node
# suite test/sip/functional.bats uses these same functions).
#
# Every function takes RUN, the command prefix that runs a program where the
# phone or the server lives, as one string split into words (for example
# "ip netns exec vhe-witness" for the witness, "e2e_exec node2" for a node,
# "mn_exec phones" in the single-node harness), and DIR, the scenarios
# directory as seen from there (SIP_E2E_SCEN on the host; in an nspawn node
# wherever sip_e2e_copy_in put it). A failing sipp run prints the last lines
# of its error file on stderr.
#
#   sip_e2e_register RUN DIR VIP USER PASSWORD ADDR PORT
#       REGISTER USER (digest auth) from ADDR:PORT+1 with Contact ADDR:PORT
#   sip_e2e_answer RUN DIR ADDR PORT MSGFILE
#       a phone (or media server) answering calls on ADDR:PORT, in the
#       background (messages traced to MSGFILE); sip_e2e_answer_stop RUN
#       MSGFILE stops it
#   sip_e2e_call_user RUN DIR VIP USER ADDR PORT
#       from a node's FreeSWITCH socket ADDR:PORT over UDP (what FreeSWITCH
#       does; the only source the proxy lets call without a challenge, so
#       nothing else, a stand-in neither, may be bound there): call USER
#       through the VIP; 0 when the call completed (INVITE, 100, 180, 200,
#       ACK, BYE, 200). The dispatcher's probes meanwhile get a 200 (-aa)
#   sip_e2e_call_media RUN DIR VIP CALLER PASSWORD CALLEE ADDR
#       CALLER (authenticated) calls CALLEE through the VIP from ADDR; the call
#       goes to a media server; 0 when it completed (INVITE, 407, INVITE, 200,
#       ACK, BYE, 200)
#   sip_e2e_dialog_open RUN DIR VIP CALLER PASSWORD CALLEE ADDR STATE
#       CALLER (authenticated) calls CALLEE through the VIP from ADDR; the call
#       goes to a media server and stays up; the dialog is kept in STATE
#   sip_e2e_dialog_bye RUN DIR VIP CALLER CALLEE ADDR STATE
#       the in-dialog BYE of that call, along its recorded route (the VIP);
#       0 when the far end answered 200
#   sip_e2e_copy_in NODE DIR
#       the scenarios into an nspawn node (e2e_copy_in from test/e2e/lib.sh)

SIP_E2E_SCEN=${SIP_E2E_SCEN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../sip/scenarios" && pwd)}

# sip_e2e_sipp RUN DIR SCENARIO TAG TARGET SIPP-ARGS...: one bounded run
# (one call); errors in /tmp/sip-e2e-TAG.err where it ran.
sip_e2e_sipp() {
	local run=$1 dir=$2 sf=$3 tag=$4 target=$5 rc=0
	shift 5
	# shellcheck disable=SC2086 # RUN is a command prefix
	$run timeout 60 sipp -sf "$dir/$sf" -m 1 -nostdin -timeout 30s -timeout_error -recv_timeout 10s \
		-trace_err -error_file "/tmp/sip-e2e-$tag.err" "$@" "$target" </dev/null >/dev/null 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "sipp $sf ($tag) failed with status $rc:" >&2
		# shellcheck disable=SC2086
		$run tail -n 20 "/tmp/sip-e2e-$tag.err" </dev/null >&2 2>/dev/null || true
	fi
	return "$rc"
}

sip_e2e_register() { # RUN DIR VIP USER PASSWORD ADDR PORT
	sip_e2e_sipp "$1" "$2" register-contact.xml "register-$4" "$3:5060" \
		-i "$6" -p $(($7 + 1)) -s "$4" -au "$4" -ap "$5" -key contact "$6:$7"
}

sip_e2e_answer() { # RUN DIR ADDR PORT MSGFILE
	# sipp's own pid (where it runs) goes to MSGFILE.pid for sip_e2e_answer_stop;
	# fd 3 closed so a bats test does not wait for it.
	# shellcheck disable=SC2016,SC2086
	$1 sh -c 'echo $$ >"$1.pid" && exec sipp -sf "$2/fs-uas.xml" -i "$3" -p "$4" -nostdin -trace_msg -message_file "$1"' \
		sh "$5" "$2" "$3" "$4" </dev/null >/dev/null 2>&1 3>&- &
	local _
	for _ in $(seq 50); do
		# shellcheck disable=SC2086
		$1 test -s "$5.pid" </dev/null && return 0
		sleep 0.1
	done
	echo "the answering sipp on $3:$4 did not start" >&2
	return 1
}

sip_e2e_answer_stop() { # RUN MSGFILE
	# shellcheck disable=SC2016,SC2086
	$1 sh -c 'kill "$(cat "$1.pid")"' sh "$2" </dev/null
}

sip_e2e_call_user() { # RUN DIR VIP USER ADDR PORT
	sip_e2e_sipp "$1" "$2" call-trusted.xml "call-$4" "$3:5060" \
		-i "$5" -p "$6" -aa -key caller media -s "$4" -d 500
}

sip_e2e_call_media() { # RUN DIR VIP CALLER PASSWORD CALLEE ADDR
	sip_e2e_sipp "$1" "$2" call.xml "call-media-$4" "$3:5060" \
		-i "$7" -p 5095 -key caller "$4" -au "$4" -ap "$5" -s "$6" -d 200
}

sip_e2e_dialog_open() { # RUN DIR VIP CALLER PASSWORD CALLEE ADDR STATE
	# shellcheck disable=SC2086
	$1 rm -f "$8" </dev/null
	sip_e2e_sipp "$1" "$2" dialog-open.xml "dialog-open" "$3:5060" \
		-i "$7" -p 5096 -key caller "$4" -au "$4" -ap "$5" -s "$6" -trace_logs -log_file "$8"
}

sip_e2e_dialog_bye() { # RUN DIR VIP CALLER CALLEE ADDR STATE
	local line f kv callid='' fromtag='' totag='' ruri='' route=''
	# shellcheck disable=SC2086
	line=$($1 cat "$7" </dev/null | sed -n 's/^.*dialog callid=//p' | tail -n 1)
	[ -n "$line" ] || { echo "no dialog recorded in $7" >&2; return 1; }
	IFS='|' read -r -a f <<<"callid=$line"
	for kv in "${f[@]}"; do
		case $kv in
		callid=*) callid=${kv#callid=} ;;
		fromtag=*) fromtag=${kv#fromtag=} ;;
		totag=*) totag=${kv#totag=} ;;
		ruri=*) ruri=${kv#ruri=} ;;
		route=*) route=${kv#route=} ;;
		esac
	done
	if [ -z "$callid" ] || [ -z "$totag" ] || [ -z "$ruri" ] || [ -z "$route" ]; then
		echo "incomplete dialog in $7: $line" >&2
		return 1
	fi
	sip_e2e_sipp "$1" "$2" dialog-bye.xml "dialog-bye" "$3:5060" -i "$6" -p 5097 \
		-key caller "$4" -s "$5" -cid_str "$callid" -key fromtag "$fromtag" -key totag "$totag" \
		-key ruri "$ruri" -key route "$route"
}

sip_e2e_copy_in() { # NODE DIR
	local f
	e2e_exec "$1" mkdir -p "$2" </dev/null || return 1
	for f in "$SIP_E2E_SCEN"/*.xml; do
		e2e_copy_in "$1" "$f" "$2/$(basename "$f")" || return 1
	done
}
