# shellcheck shell=bash
# Two-node systemd-nspawn harness: boots Debian 12 nodes with systemd as PID 1
# on a host bridge with no uplink, from the cached read-only rootfs
# (test/lib/rootfs.sh) plus one overlay upper dir per node.
#
# Source it from bash, then:
#   e2e_setup                       bridge + work dir + teardown trap
#   e2e_node_create NAME ADDR/LEN   per-node upper dir (hostname, address unit)
#   e2e_node_boot NAME              start it, wait for systemd to finish booting
#   e2e_exec NAME CMD...            run CMD inside (stdin passes through)
#   e2e_node_stop / e2e_node_kill / e2e_link_down / e2e_link_up NAME
#   e2e_link_between_down A B / e2e_link_between_up   only A<->B dropped
#   e2e_node_boot_try NAME          e2e_node_boot that returns 1 instead of exiting
#   e2e_node_start NAME             start it, do not wait (e2e_wait_booted_try)
#   e2e_witness_create ADDR/LEN     a witness on the bridge (answers ping only)
#   e2e_teardown                    runs from the trap: nodes, witness, bridge, dirs
#
# Why nsenter and not machinectl: the host has no systemd as PID 1 and no
# machined, so nodes are unregistered (--register=no) and entered by PID.

E2E_ROOT=${E2E_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
E2E_BRIDGE=${E2E_BRIDGE:-vhbr0}
# Machine names are prefixed so the e2e run and `make demo` never share a
# host-side veth name (vb-<machine>).
E2E_PREFIX=${E2E_PREFIX:-vhe}
E2E_WORK=${E2E_WORK:-/var/tmp/voip-ha-e2e}
E2E_BOOT_TIMEOUT=${E2E_BOOT_TIMEOUT:-180}
E2E_KEEP=${E2E_KEEP:-0}
# The witness: a network namespace of ours on the bridge (no node, no
# service; the kernel answers ICMP echo). Named after the prefix so the e2e
# run, the demo and the benchmarks never share one.
E2E_WITNESS_NS=${E2E_WITNESS_NS:-$E2E_PREFIX-witness}

declare -gA E2E_NSPAWN_PID=()
# Node name -> directory (on the host) bind-mounted over the node's
# PostgreSQL data directory: the data directory is then a mount point, as on
# a separate database disk (rename(2) of it fails with EBUSY).
declare -gA E2E_PGDATA_MOUNT=()
E2E_PGDATA=${E2E_PGDATA:-/var/lib/postgresql/15/main}
E2E_NODES=()

e2e_log() { printf '# %s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

e2e_die() { e2e_log "FATAL: $*"; exit 1; }

e2e_machine() { printf '%s-%s' "$E2E_PREFIX" "$1"; }

# Host side of the node's veth, as systemd-nspawn names it.
e2e_veth() {
	local m
	m="vb-$(e2e_machine "$1")"
	printf '%s' "${m:0:15}"
}

_e2e_nspawn_prepare() {
	# systemd-nspawn needs this on a host whose PID 1 is not systemd.
	mkdir -p /run/systemd/nspawn
	mountpoint -q /run/systemd/nspawn || mount -t tmpfs tmpfs /run/systemd/nspawn
}

e2e_setup() {
	[ "$(id -u)" = 0 ] || e2e_die "the two-node harness needs root"
	command -v systemd-nspawn >/dev/null || e2e_die "systemd-nspawn missing (apt-get install systemd-container)"
	E2E_ROOTFS=$("$E2E_ROOT/test/lib/rootfs.sh") || e2e_die "rootfs build failed"
	export E2E_ROOTFS
	_e2e_nspawn_prepare
	# One run per work dir/bridge at a time: a second run would tear the
	# first one's nodes down under it.
	exec {E2E_LOCK_FD}>"$E2E_WORK.lock"
	flock -n "$E2E_LOCK_FD" || e2e_die "another run is using $E2E_WORK (lock $E2E_WORK.lock)"
	trap e2e_teardown EXIT
	trap 'exit 130' INT TERM
	# A previous run killed hard may have left its pieces behind.
	_e2e_cleanup_leftovers
	mkdir -p "$E2E_WORK/share"
	if ! ip link show "$E2E_BRIDGE" >/dev/null 2>&1; then
		ip link add "$E2E_BRIDGE" type bridge || e2e_die "cannot create bridge $E2E_BRIDGE"
	fi
	ip link set "$E2E_BRIDGE" up
}

_e2e_cleanup_leftovers() {
	local pidf pid
	for pidf in "$E2E_WORK"/*.nspawn.pid; do
		[ -e "$pidf" ] || continue
		pid=$(cat "$pidf")
		if kill -0 "$pid" 2>/dev/null && grep -q systemd-nspawn "/proc/$pid/cmdline" 2>/dev/null; then
			e2e_log "stopping leftover node (nspawn pid $pid)"
			_e2e_stop_pid "$pid"
		fi
		rm -f "$pidf"
	done
	# A node killed hard can leave its host-side veth behind, and the next
	# systemd-nspawn of that name fails with "File exists".
	ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
		grep "^vb-$E2E_PREFIX-" | while read -r l; do ip link del "$l" 2>/dev/null || true; done
	e2e_witness_remove
	rm -rf "$E2E_WORK"
}

# Host side of the witness's veth (on the bridge); the other end, "w0", is in
# the witness namespace.
e2e_witness_veth() {
	local v="$E2E_PREFIX-wit"
	printf '%s' "${v:0:15}"
}

# e2e_witness_create ADDR/LEN: (re)create the witness namespace, its veth
# enslaved to the bridge, the address on it, up. Only ICMP echo is answered.
e2e_witness_create() {
	local cidr=$1 v
	v=$(e2e_witness_veth)
	e2e_witness_remove
	if ! { ip netns add "$E2E_WITNESS_NS" &&
		ip link add "$v" type veth peer name w0 netns "$E2E_WITNESS_NS" &&
		ip link set "$v" master "$E2E_BRIDGE" &&
		ip link set "$v" up &&
		ip -n "$E2E_WITNESS_NS" link set lo up &&
		ip -n "$E2E_WITNESS_NS" address add "$cidr" dev w0 &&
		ip -n "$E2E_WITNESS_NS" link set w0 up; }; then
		echo "e2e: cannot create the witness $E2E_WITNESS_NS ($cidr)" >&2
		return 1
	fi
}

e2e_witness_remove() {
	ip netns del "$E2E_WITNESS_NS" 2>/dev/null
	ip link del "$(e2e_witness_veth)" 2>/dev/null
	return 0
}

# Witness's own view (e.g. e2e_witness_exec ping -c1 198.51.100.11).
e2e_witness_exec() { ip netns exec "$E2E_WITNESS_NS" "$@"; }

# Write the node's own identity into its upper dir before it first boots:
# hostname, a fresh machine-id, and a oneshot unit that puts the address on
# host0 at every boot (so a reboot keeps it).
e2e_node_create() {
	local name=$1 cidr=$2 up
	up=$E2E_WORK/$name/upper
	mkdir -p "$up/etc/systemd/system/multi-user.target.wants" "$E2E_WORK/$name/log"
	echo "$name" >"$up/etc/hostname"
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$up/etc/machine-id"
	echo >>"$up/etc/machine-id"
	cat >"$up/etc/hosts" <<-EOF
		127.0.0.1	localhost
		127.0.1.1	$name
	EOF
	cat >"$up/etc/systemd/system/e2e-address.service" <<-EOF
		# Test harness only: the node's fixed address on the bridge.
		[Unit]
		Description=e2e test address on host0
		Before=network.target network-online.target
		Wants=network.target

		[Service]
		Type=oneshot
		RemainAfterExit=yes
		ExecStart=/sbin/ip link set host0 up
		ExecStart=/sbin/ip address replace $cidr dev host0

		[Install]
		WantedBy=multi-user.target network-online.target
	EOF
	ln -sf ../e2e-address.service "$up/etc/systemd/system/multi-user.target.wants/e2e-address.service"
	mkdir -p "$up/etc/systemd/system/network-online.target.wants"
	ln -sf ../e2e-address.service "$up/etc/systemd/system/network-online.target.wants/e2e-address.service"
	E2E_NODES+=("$name")
}

e2e_node_boot() {
	e2e_node_boot_try "$1" || e2e_die "node $1 did not boot"
}

# Same, but a node that does not boot is a failure the caller handles (a
# suite that must go on reporting), not the end of the run.
e2e_node_boot_try() {
	e2e_node_start "$1" && e2e_wait_booted_try "$1"
}

# Start the node without waiting for its boot to finish (e2e_wait_booted_try
# waits; e2e_exec works as soon as its PID 1 runs).
e2e_node_start() {
	local name=$1 pid
	local m up
	m=$(e2e_machine "$name")
	up=$E2E_WORK/$name/upper
	# setsid: a Ctrl-C on the test must reach the test, not the node's console.
	local extra=()
	if [ -n "${E2E_PGDATA_MOUNT[$name]:-}" ]; then
		mkdir -p "${E2E_PGDATA_MOUNT[$name]}"
		extra+=(--bind="${E2E_PGDATA_MOUNT[$name]}:$E2E_PGDATA")
	fi
	setsid systemd-nspawn -q -D "$E2E_ROOTFS" --overlay="$E2E_ROOTFS:$up:/" \
		-M "$m" --hostname="$name" --boot --register=no --keep-unit \
		--network-bridge="$E2E_BRIDGE" --bind-ro="$E2E_WORK/share:/mnt/share" "${extra[@]}" \
		</dev/null >>"$E2E_WORK/$name/log/console" 2>&1 &
	pid=$!
	E2E_NSPAWN_PID[$name]=$pid
	echo "$pid" >"$E2E_WORK/$name.nspawn.pid"
}

# PID (on the host) of the node's systemd.
e2e_pid1() {
	local name=$1 nspid
	nspid=${E2E_NSPAWN_PID[$name]:-}
	[ -n "$nspid" ] || return 1
	pgrep -P "$nspid" -x systemd | head -n1
}

e2e_wait_booted() {
	e2e_wait_booted_try "$1" || exit 1
}

e2e_wait_booted_try() {
	local name=$1 deadline state pid
	deadline=$((SECONDS + E2E_BOOT_TIMEOUT))
	while :; do
		if ! kill -0 "${E2E_NSPAWN_PID[$name]}" 2>/dev/null; then
			tail -n 30 "$E2E_WORK/$name/log/console" >&2
			e2e_log "FATAL: node $name: systemd-nspawn exited"
			return 1
		fi
		pid=$(e2e_pid1 "$name" || true)
		if [ -n "$pid" ]; then
			state=$(e2e_exec "$name" systemctl is-system-running 2>/dev/null || true)
			case $state in
			running | degraded) return 0 ;;
			esac
		fi
		if [ $SECONDS -ge "$deadline" ]; then
			e2e_log "FATAL: node $name did not finish booting (state '${state:-}')"
			return 1
		fi
		sleep 0.5
	done
}

# Run a command inside a node with a clean environment (nothing of the host's
# environment, CI variables included, leaks in). stdin is passed through.
e2e_exec() {
	local name=$1 pid
	shift
	pid=$(e2e_pid1 "$name") || true
	[ -n "$pid" ] || { echo "e2e_exec: node $name is not running" >&2; return 125; }
	nsenter -t "$pid" -a -- /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

# Run a shell snippet inside a node.
e2e_sh() {
	local name=$1
	shift
	e2e_exec "$name" /bin/bash -c "$*"
}

# Copy a host file into a node (through stdin: writing into a mounted
# overlay's upper dir is undefined behaviour).
e2e_copy_in() {
	local name=$1 src=$2 dst=$3 mode=${4:-0644}
	e2e_exec "$name" /bin/sh -c 'umask 077; t=$(mktemp "$1.XXXXXX") && cat >"$t" && chmod "$2" "$t" && mv "$t" "$1"' sh "$dst" "$mode" <"$src"
}

# Wait until CMD succeeds inside the node (or time out): e2e_wait NAME SECS CMD...
e2e_wait() {
	local name=$1 secs=$2 deadline
	shift 2
	deadline=$((SECONDS + secs))
	until e2e_exec "$name" "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt "$deadline" ] || return 1
		sleep 0.5
	done
}

_e2e_stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 120); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.5
	done
	# The node would not shut down: power it off (SIGKILL its PID 1, never
	# systemd-nspawn itself, which would orphan the node).
	local p1
	p1=$(pgrep -P "$pid" -x systemd | head -n1)
	[ -n "$p1" ] && kill -KILL "$p1" 2>/dev/null
	for i in $(seq 1 40); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.5
	done
	echo "e2e: systemd-nspawn $pid still running" >&2
	return 1
}

# Clean shutdown (SIGTERM to systemd-nspawn asks the node's systemd to halt).
e2e_node_stop() {
	local name=$1 pid
	pid=${E2E_NSPAWN_PID[$name]:-}
	[ -n "$pid" ] || return 0
	_e2e_stop_pid "$pid"
	wait "$pid" 2>/dev/null || true
	unset "E2E_NSPAWN_PID[$name]"
	rm -f "$E2E_WORK/$name.nspawn.pid"
}

# Power loss: SIGKILL the node's PID 1; every process in it dies with it.
e2e_node_kill() {
	local name=$1 pid nspid
	nspid=${E2E_NSPAWN_PID[$name]:-}
	pid=$(e2e_pid1 "$name") || true
	[ -n "$pid" ] && kill -KILL "$pid"
	[ -n "$nspid" ] && wait "$nspid" 2>/dev/null
	unset "E2E_NSPAWN_PID[$name]"
	rm -f "$E2E_WORK/$name.nspawn.pid"
}

e2e_link_down() { ip link set "$(e2e_veth "$1")" down; }
e2e_link_up() { ip link set "$(e2e_veth "$1")" up; }

# Only the link between two nodes cut: the host bridge drops every frame
# from one node's port to the other's (ARP included), both still reach the
# rest of the bridge (the witness, the phones). A bridge-family nftables
# table of ours, removed by e2e_link_between_up and the teardown.
E2E_CUT_TABLE=${E2E_CUT_TABLE:-${E2E_PREFIX}_cut}
e2e_link_between_down() { # NODE NODE
	local a b
	a=$(e2e_veth "$1")
	b=$(e2e_veth "$2")
	nft -f - <<-EOF
	table bridge $E2E_CUT_TABLE {
		chain forward {
			type filter hook forward priority 0; policy accept;
			iifname "$a" oifname "$b" drop
			iifname "$b" oifname "$a" drop
		}
	}
	EOF
}
e2e_link_between_up() { nft delete table bridge "$E2E_CUT_TABLE" 2>/dev/null || true; }

e2e_teardown() {
	local rc=$? name
	trap - EXIT
	for name in "${!E2E_NSPAWN_PID[@]}"; do
		e2e_node_stop "$name" || true
	done
	if [ "$E2E_KEEP" = 1 ]; then
		e2e_log "E2E_KEEP=1: leaving $E2E_WORK"
	else
		# nspawn's overlay mounts live in the node's own mount namespace and
		# die with it; nothing is mounted on the host. Check anyway.
		if grep -q " $E2E_WORK" /proc/self/mounts; then
			grep " $E2E_WORK" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l
		fi
		rm -rf "$E2E_WORK"
	fi
	e2e_witness_remove
	e2e_link_between_up
	ip link del "$E2E_BRIDGE" 2>/dev/null || true
	[ "$E2E_KEEP" = 1 ] || rm -f "$E2E_WORK.lock"
	return $rc
}
