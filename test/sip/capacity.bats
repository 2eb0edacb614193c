#!/usr/bin/env bats
# Capacity of the SIP front door on one node (test/sip/lib.bash): sipp drives
# 40 authenticated calls/s with a 20 s hold (800 concurrent) through the real
# Kamailio to the FreeSWITCH stand-in for 2 minutes. Every call must complete
# (challenge, INVITE, 100/180/200, ACK, BYE, 200). Bounded: sipp stops after
# 4800 calls, and a hard timeout stops it regardless. The phones' UAC is one
# address, as a trunk or an SBC in front would be, so this cluster raises
# sip_flood_requests for it (cluster.conf(5)). Kamailio's own /metrics
# (xhttp_prom, on loopback here: metrics_listen's default) must then count
# exactly the calls sipp counted.

load lib

CALLS=4800     # 40/s for 120 s
RATE=40
HOLD_MS=20000
# Two Kamailio workers may relay a 180 and the 200 right behind it in either
# order; a 180 after the 200 is legal (RFC 3261 17.1.1.2: ignored) but sipp
# would abort the call. So unexpected messages do not abort: a call that
# really fails still never reaches its final 200 and counts as failed.
LATE_1XX_OK=(-default_behaviors "all,-abortunexp")

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	export SIP_CONF_EXTRA="sip_flood_requests=1000000"
	sip_up
}

teardown_file() {
	mn_cleanup
}

setup() {
	prereq_root "network and mount namespaces"
}

# stat_col FILE COLUMN: COLUMN of the last row of a sipp -trace_stat file.
stat_col() {
	awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next } { v = $c } END { print v }' "$1"
}

# stat_max FILE COLUMN: the largest value COLUMN had in any row.
stat_max() {
	awk -F';' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next } $c + 0 > m { m = $c + 0 } END { print m + 0 }' "$1"
}

@test "800 concurrent calls (40/s, 20 s hold) for 2 minutes: every call completes" {
	local st=$MN_DIR/capacity.csv
	mn_exec phones timeout 420 sipp -sf "$SIP_SCEN/call.xml" "$SIP_VIP:5060" -i 198.51.100.13 -p 5070 \
		-key caller 1001 -s 1002 -au 1001 -ap "$SIP_PW_1001" \
		-r "$RATE" -m "$CALLS" -l 1200 -d "$HOLD_MS" -nostdin -timeout 360s -recv_timeout 15s "${LATE_1XX_OK[@]}" \
		-trace_stat -stf "$st" -fd 5 -trace_err -error_file "$MN_DIR/capacity.err" >/dev/null 2>&1 || true
	local ok failed retrans peak
	ok=$(stat_col "$st" 'SuccessfulCall(C)')
	failed=$(stat_col "$st" 'FailedCall(C)')
	retrans=$(stat_col "$st" 'Retransmissions(C)')
	peak=$(stat_max "$st" CurrentCall)
	echo "successful $ok, failed $failed, retransmissions $retrans, peak concurrent $peak"
	[ -s "$MN_DIR/capacity.err" ] && tail -n 20 "$MN_DIR/capacity.err"
	[ "$failed" = 0 ]
	[ "$ok" = "$CALLS" ]
	[ "$peak" -ge 780 ]
	# The media server stand-in answered every one of them.
	[ "$(grep -c '^INVITE sip:1002@' "$MN_DIR/fs-node1.msg")" -ge "$CALLS" ]
	# Kamailio stayed up and logged no error (database, memory, transactions).
	sip_kam_alive
	run grep -E 'ERROR|CRITICAL|out of memory' "$MN_DIR/kamailio.log"
	[ "$status" -eq 1 ]
	# Accounting kept up: a start and a stop row per call.
	[ "$(sip_sql "SELECT count(*) FROM kamailio.acc WHERE method = 'INVITE' AND sip_code = '200'")" = "$CALLS" ]
	[ "$(sip_sql "SELECT count(*) FROM kamailio.acc WHERE method = 'BYE'")" = "$CALLS" ]
}

@test "Kamailio's /metrics counts the calls sipp made: every one admitted and answered, none failed, no dialog left" {
	local m=$MN_DIR/capacity-metrics.txt
	sip_scrape node1 "http://127.0.0.1:9101/metrics" "$m"
	grep -E '^kamailio_(calls|dialog_active|core_rcv_requests_invite)' "$m"
	[ "$(sip_metric "$m" kamailio_calls_total)" = "$CALLS" ]
	[ "$(sip_metric "$m" kamailio_calls_answered_total)" = "$CALLS" ]
	run grep '^kamailio_calls_failed_total' "$m"
	[ "$status" -eq 1 ]
	[ "$(sip_metric "$m" kamailio_dialog_active_dialogs)" = 0 ]
	[ "$(sip_metric "$m" kamailio_dialog_processed_dialogs)" = "$CALLS" ]
	# Each call: an INVITE challenged, then the authenticated one (and
	# retransmissions, if any).
	[ "$(sip_metric "$m" kamailio_core_rcv_requests_invite)" -ge $((2 * CALLS)) ]
	# A valid exposition Prometheus reads (help texts aside: Kamailio has none).
	promtool check metrics <"$m" >"$m.lint" 2>&1 || true
	run grep -v 'no help text' "$m.lint"
	[ "$status" -eq 1 ]
}
