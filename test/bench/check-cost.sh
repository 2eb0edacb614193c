#!/bin/bash
# Cost of the keepalived health check, run inside a node of an installed pair
# (as root, on the healthy primary): what keepalived's vrrp_script runs,
# /usr/lib/voip-ha/voip-ha-check (`voip-ha check` linked without libpq;
# reported as "voip-ha check"), against a shell
# implementation of the same probes as the reference (the way the original
# check_voip_master.sh worked): the stack's units active (systemctl), a
# write in PostgreSQL (psql as postgres: pg_is_in_recovery, then a committed
# transaction id), the peer or else the witness answering ICMP (ping). RUNS of each,
# interleaved. Wall time per run (median, p95) and CPU time per run (user +
# system of every process the check ran, from bash's `times`).
#   check-cost.sh [RUNS]     report on stdout
#   check-cost.sh --one ours|shell_check|none
#                            one run of one variant (none: this script's own
#                            start-up only), exit status 0 when it passed (the host times it with perf stat, which
#                            counts CPU exactly: `times` also charges the
#                            fork of this shell and ticks of a loaded machine)
set -uo pipefail
ONE=
if [ "${1:-}" = --one ]; then
	ONE=$2
	RUNS=1
else
	RUNS=${1:-50}
fi
CONF=/etc/voip-ha/cluster.conf

conf() { sed -n "s/^$1=//p" "$CONF" | head -n1; }
me=$(hostname)
peer=node1
[ "$me" = node1 ] && peer=node2
PEER_ADDR=$(conf "${peer}_address")
WITNESS=$(conf witness_address)

shell_check() {
	systemctl is-active --quiet kamailio.service voip-admin.service || return 1
	[ "$(runuser -u postgres -- psql -X -At -d voip -c 'SELECT pg_is_in_recovery()')" = f ] || return 1
	[ "$(runuser -u postgres -- psql -X -At -d voip -c \
		"SELECT current_setting('transaction_read_only') = 'off' AND pg_current_xact_id() IS NOT NULL")" = t ] ||
		return 1
	ping -n -q -c1 -W1 "$PEER_ADDR" >/dev/null 2>&1 && return 0
	[ -z "$WITNESS" ] || ping -n -q -c1 -W1 "$WITNESS" >/dev/null 2>&1
}
# The program keepalived runs (templates/keepalived/keepalived.conf.tmpl).
CHECK=/usr/lib/voip-ha/voip-ha-check
ours() { "$CHECK" --quiet; }

if [ -n "$ONE" ]; then
	case $ONE in ours | shell_check) "$ONE"; exit ;; none) exit 0 ;; esac
	echo "check-cost.sh: --one ours|shell_check|none" >&2
	exit 2
fi

# children's user+system CPU so far, in ms (bash `times`, second line).
# `times` must run in this shell, not in a command substitution's subshell:
# CPU_MS is set through a file.
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
child_cpu_ms() {
	times >"$TIMES"
	CPU_MS=$(tail -n1 "$TIMES" | awk '{
		t = 0
		for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60000 + a[2] * 1000 }
		printf "%d", t }')
}

declare -A wall cpu fails
for v in ours shell_check; do wall[$v]='' cpu[$v]=0 fails[$v]=0; done
for _ in $(seq 1 "$RUNS"); do
	for v in ours shell_check; do
		child_cpu_ms
		c0=$CPU_MS
		t0=$EPOCHREALTIME
		# in this shell, not a subshell: `times` counts the processes each
		# variant runs (and only those: a subshell's own fork would be
		# charged to both)
		"$v" || fails[$v]=$((${fails[$v]} + 1))
		t1=$EPOCHREALTIME
		child_cpu_ms
		wall[$v]+="$(( (${t1/./} - ${t0/./}) )) "
		cpu[$v]=$((${cpu[$v]} + CPU_MS - c0))
	done
done

# "n median p95" of microsecond samples, in ms
stats() {
	tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[++n] = $1 } END {
		m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		p = int(0.95 * n); if (p < 0.95 * n) p++
		printf "%.2f %.2f", m / 1000, v[p] / 1000 }'
}
read -r ow op <<<"$(stats "${wall[ours]}")"
read -r sw sp <<<"$(stats "${wall[shell_check]}")"
oc=$(awk -v t="${cpu[ours]}" -v n="$RUNS" 'BEGIN { printf "%.2f", t / n }')
sc=$(awk -v t="${cpu[shell_check]}" -v n="$RUNS" 'BEGIN { printf "%.2f", t / n }')
echo "health check cost on $me (healthy primary), $RUNS runs each, interleaved; CPU = user+system of every process per run"
printf '  %-28s wall median %7s ms  p95 %7s ms  CPU %7s ms/run  failed %d\n' "voip-ha check" "$ow" "$op" "$oc" "${fails[ours]}"
printf '  %-28s wall median %7s ms  p95 %7s ms  CPU %7s ms/run  failed %d\n' "reference (systemctl, psql, ping)" "$sw" "$sp" "$sc" "${fails[shell_check]}"
awk -v ow="$ow" -v sw="$sw" -v oc="$oc" -v sc="$sc" 'BEGIN {
	printf "  reference / voip-ha check: wall %.1fx, CPU %s\n", sw / ow,
		(oc > 0 ? sprintf("%.1fx", sc / oc) : "above the 10 ms resolution of times: >" sprintf("%.0f", sc / 10) "x") }'
echo "  goals (issue 8): voip-ha check wall <= 10 ms, >= 25x less CPU than the reference"
