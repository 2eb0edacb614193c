#!/bin/bash
# Bring-up benchmark: wall time from the start of `apt install` on node1 to
# "pair serving" (VIP up on node1, node2's standby streaming), node2 installed
# right after node1 with the same preseed. Fresh nodes for each of 3 runs;
# prints the runs and their median (the machine is shared: report, not assert).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export E2E_PREFIX=vhb E2E_BRIDGE=vhbr2 E2E_WORK=/var/tmp/voip-ha-bench
. "$HERE/lib.sh"
. "$HERE/pair.sh"

RUNS=${RUNS:-3}
e2e_setup >&2
pair_stage_debs >&2 || exit 1
times=()
for r in $(seq 1 "$RUNS"); do
	pair_boot >&2
	t0=$(ms)
	pair_install node1 >&2 && pair_install node2 >&2 && wait_for 300 pair_serving ||
		{ echo "run $r: pair did not come up" >&2; exit 1; }
	times+=($(($(ms) - t0)))
	echo "run $r: ${times[-1]} ms" >&2
	for n in node1 node2; do e2e_node_stop "$n"; done
	rm -rf "$E2E_WORK/node1" "$E2E_WORK/node2"
	E2E_NODES=()
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
echo "# voip-ha bring-up: start of 'apt install' on node1 -> pair serving (VIP up, standby streaming)"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs (shared), PostgreSQL 15, two systemd-nspawn nodes"
echo "runs_ms=${times[*]}"
echo "median_ms=$median"
echo "# load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
