#!/bin/bash
# Failover benchmark (`make failover-bench`): scenarios 1 (power loss of the
# primary, then it boots again), 2 (PostgreSQL SIGKILLed on the primary) and 4
# (keepalived stopped on the primary for 10 s) and 6 (switchover and back:
# its longest time without an acknowledged write is the write
# unavailability), RUNS times each (default 10),
# interleaved, on one pair; writers on both nodes through the VIP throughout.
# Per scenario: RTO (fault -> VIP on the survivor, PostgreSQL writable through
# the VIP and SIP OPTIONS answered on the VIP, probed every 150 ms from the
# survivor) median / p95 / max, time until the pair is healthy again, rejoin
# by pg_rewind or pg_basebackup (voip-ha-rebuild.service's journal), rows
# acknowledged and lost. Reference, measured in the same runs: the VRRP
# takeover alone (fault -> VIP on the survivor), the floor any RTO sits on.
# Before the faults: the health check's cost against a shell reference
# (test/bench/check-cost.sh). The report goes to stdout (test/bench/results/failover.txt), progress to
# stderr. Reports, never asserts: the machine is shared.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# Its own names, so that the run with the arbiter (PAIR_ARBITER=1) can go
# side by side with the one without, under the same load.
# PAIR_PROFILE=fast: failover_profile=fast (issue 17), switched on the live
# pair before the runs (pair_profile), on a pair of its own names too.
PAIR_PROFILE=${PAIR_PROFILE:-standard}
case ${PAIR_ARBITER:-0}/$PAIR_PROFILE in
1/fast) export E2E_PREFIX=vka E2E_BRIDGE=vhbr8 E2E_WORK=/var/tmp/voip-ha-failover-bench-fast-arbiter ;;
0/fast) export E2E_PREFIX=vhk E2E_BRIDGE=vhbr7 E2E_WORK=/var/tmp/voip-ha-failover-bench-fast ;;
1/*) export E2E_PREFIX=vha E2E_BRIDGE=vhbr4 E2E_WORK=/var/tmp/voip-ha-failover-bench-arbiter ;;
*) export E2E_PREFIX=vhf E2E_BRIDGE=vhbr3 E2E_WORK=/var/tmp/voip-ha-failover-bench ;;
esac
. "$HERE/lib.sh"
. "$HERE/pair.sh"
export FO_MODE=bench
# Every run's journals (both nodes, from 3 s before the fault), outside the
# pair's work directory, which the next bench run wipes.
export FO_JOURNAL_DIR=${FO_JOURNAL_DIR:-${E2E_WORK}-journals}
rm -rf "$FO_JOURNAL_DIR"
# A run that leaves the pair broken must not end the benchmark.
FO_REINSTALL=${FO_REINSTALL:-1}
. "$HERE/failover-lib.sh"

RUNS=${RUNS:-10}
SCEN=${BENCH_SCENARIOS:-1 2 4 6}

e2e_setup >&2
pair_stage_debs >&2 || exit 1
pair_boot >&2
if [ "$PAIR_ARBITER" = 1 ]; then
	pair_install_witness >&2 || { echo "witness install failed" >&2; exit 1; }
fi
{ pair_install node1 && pair_install node2; } >&2 || { echo "install failed" >&2; exit 1; }
if [ "$PAIR_ARBITER" = 1 ]; then
	{ pair_arbiter_on node1 && pair_arbiter_on node2; } >&2 || { echo "arbiter not set" >&2; exit 1; }
	wait_for 30 fo_lease_flag node1 lease_held || { echo "node1 took no lease" >&2; exit 1; }
fi
wait_for 180 pair_serving || { echo "pair not serving" >&2; exit 1; }
if [ "$PAIR_PROFILE" = fast ]; then
	pair_profile fast >&2 || { echo "failover_profile=fast not applied" >&2; exit 1; }
	[ "$PAIR_ARBITER" = 1 ] && { wait_for 30 fo_lease_flag node1 lease_held || { echo "node1 took no lease" >&2; exit 1; }; }
fi
fo_setup >&2 || { echo "test setup failed" >&2; exit 1; }
# Before the faults, on the healthy pair.
check_cost=$(fo_check_cost "${CHECK_RUNS:-50}") || echo "check cost: $check_cost" >&2
# The failover monitor (with the arbiter: its lease keeper renewing every
# 0.4 s on the primary) beside voip-admind, idle, on each node.
proc_cost=$(for n in node1 node2; do for u in voip-ha-monitor voip-admin; do
	echo "$n $u: $(fo_unit_cost "$n" "$u" "${COST_SECS:-30}")"; done; done)

declare -A rto vip healthy rejoin rebuild acked lost gap okruns
for s in $SCEN; do
	rto[$s]='' vip[$s]='' healthy[$s]='' rejoin[$s]='' rebuild[$s]='' gap[$s]='' acked[$s]=0 lost[$s]=0 okruns[$s]=0
done
t_start=$(date -u +%Y-%m-%dT%H:%MZ)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for r in $(seq 1 "$RUNS"); do
	for s in $SCEN; do
		FO_FAILED=()
		fo_scenario "$s" "b${s}r$r"
		line="run $r s$s: rto=${FO_R[rto]:-none} vip=${FO_R[vip]:-none} healthy=${FO_R[healthy]:-none} rejoin=${FO_R[rejoin]// /_} rebuild=${FO_R[rebuild_ms]:-?} acked=${FO_R[acked]} lost=${FO_R[lost]} gap=${FO_R[gap]:-?}"
		[ ${#FO_FAILED[@]} = 0 ] || line+=" failed: $(IFS=';'; echo "${FO_FAILED[*]}")"
		echo "$line" >&2
		echo "$line" >>"$E2E_WORK/bench-runs.txt"
		[ "${FO_R[ok]}" = 1 ] && okruns[$s]=$((${okruns[$s]} + 1))
		[ -n "${FO_R[rto]}" ] && rto[$s]+="${FO_R[rto]} "
		[ -n "${FO_R[vip]}" ] && vip[$s]+="${FO_R[vip]} "
		[ -n "${FO_R[healthy]}" ] && healthy[$s]+="${FO_R[healthy]} "
		case ${FO_R[rejoin]} in
		rewind | basebackup) rebuild[$s]+="${FO_R[rejoin]}:${FO_R[rebuild_ms]:-?}:${FO_R[healthy]:-never} " ;;
		esac
		rejoin[$s]+="${FO_R[rejoin]// /_} "
		acked[$s]=$((${acked[$s]} + FO_R[acked]))
		if [ "${FO_R[lost]}" = "?" ]; then lost[$s]="${lost[$s]}?"; else lost[$s]=$((${lost[$s]%\?} + FO_R[lost])); fi
		[ -n "${FO_R[gap]}" ] && gap[$s]+="${FO_R[gap]} "
	done
done
fo_writers_stop

words() { tr ' ' '\n' <<<"$1" | grep .; }

# stats "1 2 3": n median p95 (nearest rank) max, or "n=0"
stats() {
	words "$1" | sort -n | awk '{ v[++n] = $1 } END {
		if (n == 0) { print "n=0"; exit }
		m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		p = int(0.95 * n); if (p < 0.95 * n) p++
		printf "n=%d median=%d p95=%d max=%d", n, m, v[p], v[n] }'
}
median() {
	words "$1" | sort -n | awk '{ v[++n] = $1 } END { if (n) print (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'
}

echo "# voip-ha failover: RTO = fault -> VIP on the survivor AND PostgreSQL writable through the VIP AND"
echo "# Kamailio answering SIP OPTIONS on the VIP (probed every ${FO_PROBE_INTERVAL} s from inside the survivor);"
echo "# healthy = one VIP holder whose PostgreSQL takes a write, the other streaming from it. Times in ms from the fault."
echo "# $t_start, $(nproc) CPUs (load average before the runs: $load_start), PostgreSQL 15, two systemd-nspawn nodes, witness $PAIR_WITNESS, $RUNS runs per scenario"
echo "# failover_profile=$PAIR_PROFILE$([ "$PAIR_PROFILE" = fast ] && echo ": VRRPv3, adverts every 0.2 s, one failed check moves the VIP")"
if [ "$PAIR_PROFILE" = fast ]; then
	echo "# goals (issue 17): power-loss RTO p95 <= 1500, service-failure RTO p95 <= 2000"
else
	echo "# goals (issue 8): power-loss RTO p95 <= 4500, service-failure RTO p95 <= 5000, rejoin by pg_rewind <= 15000"
fi
echo "# arbiter: $([ "$PAIR_ARBITER" = 1 ] && echo "postgresql on a third machine ($PAIR_WITNESS)" || echo "none (two-node rules)")"
echo "# reference: the VRRP takeover alone (fault -> VIP on the survivor), in the same runs"
for s in $SCEN; do
	echo
	echo "scenario $s: ${FO_NAME[$s]}"
	echo "  runs_passing_every_check=${okruns[$s]}/$RUNS"
	echo "  rto_ms: $(stats "${rto[$s]}")   runs: ${rto[$s]:-none}"
	echo "  reference_vip_only_ms: $(stats "${vip[$s]}")"
	mr=$(median "${rto[$s]}")
	mv=$(median "${vip[$s]}")
	[ -n "$mr" ] && [ -n "$mv" ] && [ "$mv" != 0 ] &&
		echo "  rto_median / reference_median = $(awk -v a="$mr" -v b="$mv" 'BEGIN { printf "%.2f", a / b }')"
	echo "  healthy_again_ms: $(stats "${healthy[$s]}")"
	echo "  rejoin: $(words "${rejoin[$s]}" | sort | uniq -c | awk '{ printf "%s%s=%d", (NR > 1 ? " " : ""), $2, $1 }')"
	for m in rewind basebackup; do
		h=$(words "${rebuild[$s]}" | awk -F: -v m=$m '$1 == m && $3 != "never" { print $3 }')
		b=$(words "${rebuild[$s]}" | awk -F: -v m=$m '$1 == m && $2 != "?" { print $2 }')
		[ -n "$h$b" ] && echo "  rejoin_by_$m: healthy_again_ms $(stats "$h"); rebuild_unit_logged_ms $(stats "$b")"
	done
	echo "  rows_acknowledged=${acked[$s]} rows_lost=${lost[$s]}"
	echo "  longest_time_without_an_acknowledged_write_ms: $(stats "${gap[$s]}")"
done
echo
echo "$check_cost"
echo
echo "# idle cost over ${COST_SECS:-30} s (RSS, CPU seconds per second), arbiter=$([ "$PAIR_ARBITER" = 1 ] && echo postgresql || echo none):"
echo "$proc_cost"
echo
echo "# per run (each run's journals, both nodes from 3 s before the fault: $FO_JOURNAL_DIR/<tag>-<node>.journal, tag b<scenario>r<run>):"
sed 's/^/# /' "$E2E_WORK/bench-runs.txt"
echo "# load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
