#!/bin/bash
# SIP front door benchmark (issue 9), on the single-node harness of
# test/sip/lib.bash (real Kamailio with the generated kamailio.cfg, PostgreSQL
# provisioned by `voip-ha provision`, extensions through voip-admind, sipp).
# Each figure side by side with a reference measured in the same run:
#   - REGISTER round trip with digest auth and the location write (the
#     authenticated REGISTER to its 200), p50/p99 at BENCH_REG_RATE/s over
#     BENCH_USERS users; reference: the same Kamailio binary answering
#     REGISTER statelessly (test/bench/sip-stateless.cfg), same rate; and the
#     same REGISTERs with role kamailio's synchronous_commit local instead
#     of the provisioned off (what waiting for the local WAL flush costs)
#   - INVITE to 200 through the dispatcher (authenticated INVITE to 200,
#     proxy -> FreeSWITCH stand-in) at BENCH_CALL_RATE/s; reference: the
#     same sipp UAC straight to the UAS
#   - the highest call rate (steps of BENCH_RAMP_STEP/s, BENCH_RAMP_SECS s
#     each, 1 s hold) with zero failed calls, up to BENCH_RAMP_MAX/s
#   - 800 concurrent calls: 40/s, 20 s hold, 2 minutes, failures
# Medians over BENCH_RUNS runs. Goals (issue 9): REGISTER p99 < 5 ms, call
# setup p99 < 20 ms, 800 concurrent with 0 failures. Results: the file named
# by the first argument (default
# test/bench/results/sip.txt). Needs root (namespaces). Not part of `make
# check` (`make sip-bench`); the 800-call run is also the check-sip-capacity
# suite.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RESULT=${1:-$HERE/results/sip.txt}
RUNS=${BENCH_RUNS:-3}
REG_RATE=${BENCH_REG_RATE:-200}
REG_SECS=${BENCH_REG_SECS:-15}
USERS=${BENCH_USERS:-200}
CALL_RATE=${BENCH_CALL_RATE:-40}
CALL_SECS=${BENCH_CALL_SECS:-20}
RAMP_STEP=${BENCH_RAMP_STEP:-40}
RAMP_MAX=${BENCH_RAMP_MAX:-400}
RAMP_SECS=${BENCH_RAMP_SECS:-15}
CAPACITY=${BENCH_CAPACITY:-1}

[ "$(id -u)" = 0 ] || { echo "sip.sh: needs root (network namespaces)" >&2; exit 1; }
export BATS_TEST_DIRNAME=$ROOT/test/sip
# shellcheck source=../sip/lib.bash
source "$ROOT/test/sip/lib.bash"
# One address drives all the load: the flood limit is raised (cluster.conf(5)).
export SIP_CONF_EXTRA="sip_flood_requests=1000000"
# (set +e: mn_cleanup's kills of already-gone pids must not stop it)
trap 'set +e; mn_cleanup' EXIT
trap 'exit 1' INT TERM
sip_up
B=$MN_DIR/bench
mkdir -p "$B"
chmod 755 "$B"

# Users 2000.. with their passwords, as the injection file sipp reads (the
# credentials as a whole [authentication ...] field: sipp does not expand
# fields inside that keyword).
{
	echo SEQUENTIAL
	for i in $(seq 2000 $((2000 + USERS - 1))); do
		sip_extension "$i" "bench-pw-$i"
		echo "$i;[authentication username=$i password=bench-pw-$i]"
	done
} >"$B/users.csv"

# The reference: the same Kamailio answering statelessly, in node2 (.12:5060).
mn_spawn node2 "$B/stateless.log" kamailio -DD -E -f "$HERE/sip-stateless.cfg" -l udp:198.51.100.12:5060 -m 64 -M 8
sleep 2

# run_sipp NAME SCENARIO SIPP-ARGS...: one bounded sipp run from the phones
# node (a call waiting 15 s for a message fails; the run ends after
# RUN_TIMEOUT s, default 300, or is killed a minute later), in $B/NAME:
# messages (microsecond timestamps, for sip-latency) to $B/NAME/msg.log,
# -trace_stat to $B/NAME/stat.csv.
run_sipp() {
	local name=$1 sf=$2
	shift 2
	rm -rf "${B:?}/$name"
	mkdir -p "$B/$name"
	# A 180 relayed after its 200 (two Kamailio workers) is legal and must
	# not abort the call (test/sip/capacity.bats).
	# shellcheck disable=SC2016
	mn_exec phones sh -c 'cd "$1" && shift && exec "$@"' sh "$B/$name" \
		timeout $((${RUN_TIMEOUT:-300} + 60)) sipp -nostdin -timeout "${RUN_TIMEOUT:-300}s" -recv_timeout 15s \
		-i 198.51.100.13 -sf "$sf" \
		-default_behaviors all,-abortunexp \
		-trace_msg -message_file "$B/$name/msg.log" -trace_stat -stf "$B/$name/stat.csv" -fd 1 "$@" >/dev/null 2>&1 || true
}

# lat NAME CSEQ: "count p50 p99 max" (ms) of the requests with CSeq CSEQ
# of run NAME, each to its 200.
lat() {
	"$HERE/sip-latency" "$B/$1/msg.log" "$2"
}

# col NAME COLUMN: the last value of a -trace_stat column of run NAME.
col() {
	awk -F';' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next } { v = $k } END { print v + 0 }' "$B/$1/stat.csv"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

reg_n=$((REG_RATE * REG_SECS))
call_n=$((CALL_RATE * CALL_SECS))
: >"$B/reg" ; : >"$B/regref" ; : >"$B/call" ; : >"$B/callref"
for run in $(seq "$RUNS"); do
	run_sipp "reg$run" "$HERE/sip-register.xml" -inf "$B/users.csv" -p 5070 -r "$REG_RATE" -m "$reg_n" "$SIP_VIP:5060"
	echo "$(lat "reg$run" "2 REGISTER") $(col "reg$run" 'FailedCall(C)')" >>"$B/reg"
	run_sipp "regref$run" "$HERE/sip-register-ref.xml" -inf "$B/users.csv" -p 5070 -r "$REG_RATE" -m "$reg_n" 198.51.100.12:5060
	echo "$(lat "regref$run" "1 REGISTER") $(col "regref$run" 'FailedCall(C)')" >>"$B/regref"
	run_sipp "call$run" "$SIP_SCEN/call.xml" -p 5070 -key caller 1001 -s 1002 -au 1001 -ap "$SIP_PW_1001" \
		-r "$CALL_RATE" -m "$call_n" -d 1000 "$SIP_VIP:5060"
	echo "$(lat "call$run" "2 INVITE") $(col "call$run" 'FailedCall(C)')" >>"$B/call"
	run_sipp "callref$run" "$SIP_SCEN/call-trusted.xml" -p 5070 -key caller 1001 -s 1002 \
		-r "$CALL_RATE" -m "$call_n" -d 1000 198.51.100.11:5080
	echo "$(lat "callref$run" "1 INVITE") $(col "callref$run" 'FailedCall(C)')" >>"$B/callref"
done

# The same REGISTER load with the location write waiting for its local WAL
# flush (role kamailio with synchronous_commit = local instead of the
# provisioned off): what the flush would cost. Kamailio reconnects (restart)
# to pick the setting up, and again after it is put back.
kam_commit() {
	sip_sql "ALTER ROLE kamailio SET synchronous_commit = $1" >/dev/null
	sip_kamailio_restart
}
: >"$B/reglocal"
kam_commit local
for run in $(seq "$RUNS"); do
	run_sipp "reglocal$run" "$HERE/sip-register.xml" -inf "$B/users.csv" -p 5070 -r "$REG_RATE" -m "$reg_n" "$SIP_VIP:5060"
	echo "$(lat "reglocal$run" "2 REGISTER") $(col "reglocal$run" 'FailedCall(C)')" >>"$B/reglocal"
done
kam_commit off

# The highest rate with no failed call (one pass, stops at the first failure).
best=0
ramp=""
for rate in $(seq "$RAMP_STEP" "$RAMP_STEP" "$RAMP_MAX"); do
	RUN_TIMEOUT=$((RAMP_SECS + 60)) run_sipp "ramp$rate" "$SIP_SCEN/call.xml" -p 5070 -key caller 1001 -s 1002 -au 1001 -ap "$SIP_PW_1001" \
		-r "$rate" -m $((rate * RAMP_SECS)) -d 1000 -l $((rate * 10)) "$SIP_VIP:5060"
	ok=$(col "ramp$rate" 'SuccessfulCall(C)')
	failed=$(col "ramp$rate" 'FailedCall(C)')
	ramp="$ramp $rate/s:${ok}ok/${failed}failed"
	if [ "$failed" != 0 ] || [ "$ok" != $((rate * RAMP_SECS)) ]; then
		break
	fi
	best=$rate
done

cap="not run (BENCH_CAPACITY=0)"
if [ "$CAPACITY" = 1 ]; then
	run_sipp capacity "$SIP_SCEN/call.xml" -p 5070 -key caller 1001 -s 1002 -au 1001 -ap "$SIP_PW_1001" \
		-r 40 -m 4800 -d 20000 -l 1200 "$SIP_VIP:5060"
	peak=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "CurrentCall") k = i; next } $k + 0 > m { m = $k + 0 } END { print m + 0 }' "$B/capacity/stat.csv")
	cap="$(col capacity 'SuccessfulCall(C)') ok, $(col capacity 'FailedCall(C)') failed, $(col capacity 'Retransmissions(C)') retransmissions, peak $peak concurrent (40/s, 20 s hold, 4800 calls)"
fi

m() { awk -v k="$2" '{ print $k }' "$B/$1" | median; }
f() { awk -v k="$2" '{ printf "%s%s", (NR > 1 ? "," : ""), $k }' "$B/$1"; }
mkdir -p "$(dirname "$RESULT")"
# The block test/bench/sip-failover.sh writes at the end is kept.
failover=$(sed -n '/^# --- media server failover/,$p' "$RESULT" 2>/dev/null || true)
{
	echo "# voip-ha SIP front door (make sip-bench): Kamailio $(kamailio -v | sed -n 's/^version: kamailio \([^ ]*\).*/\1/p') with the generated kamailio.cfg,"
	echo "# PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }') on one node, sipp $(sipp -v 2>&1 | sed -n 's/.*SIPp \(v[^ -]*\).*/\1/p'), network namespaces on one bridge"
	echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs (shared); each figure the median over $RUNS runs of"
	echo "# that run's percentile; times in ms from sipp's message log (first sending of the request to its 200)"
	echo "register_rate_per_s=$REG_RATE users=$USERS"
	echo "register_auth_db_p50_ms=$(m reg 2) p99_ms=$(m reg 3) max_ms=$(m reg 4) measured_per_run=$(f reg 1) failed_per_run=$(f reg 5)"
	echo "register_auth_db_commit_local_p50_ms=$(m reglocal 2) p99_ms=$(m reglocal 3) max_ms=$(m reglocal 4) measured_per_run=$(f reglocal 1) failed_per_run=$(f reglocal 5) (role kamailio synchronous_commit=local instead of the provisioned off: what waiting for the WAL flush costs)"
	echo "register_stateless_ref_p50_ms=$(m regref 2) p99_ms=$(m regref 3) max_ms=$(m regref 4) measured_per_run=$(f regref 1) failed_per_run=$(f regref 5)"
	echo "call_rate_per_s=$CALL_RATE"
	echo "invite_to_200_via_proxy_p50_ms=$(m call 2) p99_ms=$(m call 3) max_ms=$(m call 4) measured_per_run=$(f call 1) failed_per_run=$(f call 5)"
	echo "invite_to_200_direct_ref_p50_ms=$(m callref 2) p99_ms=$(m callref 3) max_ms=$(m callref 4) measured_per_run=$(f callref 1) failed_per_run=$(f callref 5)"
	echo "highest_call_rate_zero_failures_per_s=$best (steps of $RAMP_STEP/s, ${RAMP_SECS} s each, 1 s hold, up to $RAMP_MAX/s:$ramp)"
	echo "concurrent_800=$cap"
	echo "# goals: REGISTER p99 < 5 ms, call setup p99 < 20 ms (original targets 50 and 200 ms), 800 concurrent with 0 failures"
	echo "# load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg) (other engineers' builds and tests share the machine)"
	[ -z "$failover" ] || echo "$failover"
} >"$RESULT"
cat "$RESULT"
