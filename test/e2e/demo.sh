#!/bin/bash
# `make demo`: boot two Debian 12 nodes (systemd-nspawn) on a private bridge,
# install the built voip-ha-node package on both with one preseed file, wait
# until the pair serves, print the cluster status and leave the pair running.
# `make demo-down` (this script with "down") removes everything it made.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
export E2E_PREFIX=vhd E2E_BRIDGE=vhbr1 E2E_WORK=/var/tmp/voip-ha-demo
. "$HERE/lib.sh"
. "$HERE/pair.sh"

# The demo outlives this script: the nodes keep running under a small keeper
# process; its pid and the node pids are in $E2E_WORK.
keeper() {
	e2e_setup
	trap 'e2e_teardown; exit 0' TERM INT
	pair_stage_debs || exit 1
	pair_boot
	for n in node1 node2; do e2e_pid1 "$n" >"$E2E_WORK/$n.pid1"; done
	echo ready >"$E2E_WORK/booted"
	# wait, not a bare sleep: the TERM trap must run at once.
	while :; do
		sleep 3600 &
		wait $!
	done
}

demo_exec() { # NODE CMD...: like e2e_exec, from the pid files the keeper wrote
	local n=$1
	shift
	nsenter -t "$(cat "$E2E_WORK/$n.pid1")" -a -- /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

up() {
	local t0
	[ ! -e "$E2E_WORK/keeper.pid" ] || { echo "a demo is already running: make demo-down first" >&2; exit 1; }
	rm -rf "$E2E_WORK"
	mkdir -p "$(dirname "$E2E_WORK")"
	setsid bash "$0" keeper >/var/tmp/voip-ha-demo.log 2>&1 </dev/null &
	echo "booting two nodes (log: /var/tmp/voip-ha-demo.log)..."
	for _ in $(seq 1 600); do
		[ -e "$E2E_WORK/booted" ] && break
		kill -0 $! 2>/dev/null || { tail -n 20 /var/tmp/voip-ha-demo.log; exit 1; }
		sleep 0.5
	done
	echo $! >"$E2E_WORK/keeper.pid"
	[ -e "$E2E_WORK/booted" ] || { echo "nodes did not boot" >&2; exit 1; }
	# From here on the helpers enter the nodes through the pid files.
	e2e_exec() { demo_exec "$@"; }
	t0=$(ms)
	for n in node1 node2; do
		echo "== apt install ./voip-ha-node_*.deb on $n (preseed: test/e2e/preseed.cfg)"
		pair_install "$n" || { echo "install on $n failed; 'make demo-down' cleans up" >&2; exit 1; }
	done
	echo "== waiting for the pair to serve (VIP up, standby streaming)"
	if ! wait_for 180 pair_serving; then
		echo "the pair is not serving after 180 s; inspect with the commands below" >&2
	else
		echo "pair serving $(( ($(ms) - t0) / 1000 )) s after the first apt install"
	fi
	pair_status
	cat <<-EOT

		Enter a node:   nsenter -t \$(cat $E2E_WORK/node1.pid1) -a bash
		                (node2: $E2E_WORK/node2.pid1)
		SIP on the VIP: $PAIR_VIP:5060 (reachable from inside the nodes)
		Tear down:      make demo-down
	EOT
}

down() {
	local pid
	if [ -e "$E2E_WORK/keeper.pid" ]; then
		pid=$(cat "$E2E_WORK/keeper.pid")
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
	fi
	# Whatever the keeper left (it was killed hard, say).
	_e2e_nspawn_prepare
	_e2e_cleanup_leftovers
	ip link del "$E2E_BRIDGE" 2>/dev/null
	rm -rf "$E2E_WORK" "$E2E_WORK.lock" /var/tmp/voip-ha-demo.log
	echo "demo removed (nodes stopped, bridge $E2E_BRIDGE and overlays deleted)"
}

case ${1:-up} in
keeper) keeper ;;
up) up ;;
down) down ;;
*) echo "usage: $0 [up|down]" >&2; exit 2 ;;
esac
