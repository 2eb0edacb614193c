# shellcheck shell=bash
# A voip-ha pair on the two-node harness (lib.sh): boot, install the built
# package with one preseed file, wait until the pair serves. Shared by the
# e2e suite, `make demo` and the bring-up benchmark.

PAIR_VIP=${PAIR_VIP:-198.51.100.10}
declare -gA PAIR_ADDR=([node1]=198.51.100.11 [node2]=198.51.100.12)
PAIR_PRESEED=${PAIR_PRESEED:-$E2E_ROOT/test/e2e/preseed.cfg}
PAIR_DEB_DIR=${PAIR_DEB_DIR:-$E2E_ROOT/out}
# The failover witness the preseed names (voip-ha-node/witness-address): a
# namespace on the bridge answering ping. PAIR_WITNESS= (empty): none.
PAIR_WITNESS=${PAIR_WITNESS-198.51.100.2}
# PAIR_ARBITER=1: the witness is a third machine (node "witness", at
# PAIR_WITNESS) running the voip-ha-witness package, and both nodes take
# their leadership from it (arbiter=postgresql). The password has the
# characters that need care in a conninfo, a preseed and cluster.conf.
PAIR_ARBITER=${PAIR_ARBITER:-0}
# Where the phones of the SIP points run (failover-sip.sh): the witness
# namespace; with the arbiter the witness is a machine, and the namespace,
# phones only, gets the next address.
if [ "$PAIR_ARBITER" = 1 ]; then
	PAIR_PHONES=${PAIR_PHONES:-198.51.100.3}
else
	PAIR_PHONES=${PAIR_PHONES-$PAIR_WITNESS}
fi
PAIR_ARBITER_PASSWORD=${PAIR_ARBITER_PASSWORD:-'ar b:P@ss/w\rd"'"'"'€$x'}

ms() { date +%s%3N; }

pair_boot() {
	local n
	if [ "$PAIR_ARBITER" = 1 ]; then
		e2e_node_create witness "$PAIR_WITNESS/24"
		e2e_node_boot witness
		e2e_witness_create "$PAIR_PHONES/24" || e2e_die "phones namespace $PAIR_PHONES not created"
	elif [ -n "$PAIR_WITNESS" ]; then
		e2e_witness_create "$PAIR_WITNESS/24" || e2e_die "witness $PAIR_WITNESS not created"
	fi
	for n in node1 node2; do e2e_node_create "$n" "${PAIR_ADDR[$n]}/24"; done
	for n in node1 node2; do e2e_node_boot "$n"; done
}

# The witness machine: voip-ha-witness installed with a preseed (0600, the
# arbiter password inside) for the pair "voip-ha".
pair_install_witness() {
	local f
	f=$(mktemp)
	chmod 0600 "$f"
	cat >"$f" <<-EOF
	voip-ha-witness voip-ha-witness/witness-address string $PAIR_WITNESS
	voip-ha-witness voip-ha-witness/node1-address string ${PAIR_ADDR[node1]}
	voip-ha-witness voip-ha-witness/node2-address string ${PAIR_ADDR[node2]}
	voip-ha-witness voip-ha-witness/clusters string voip-ha
	voip-ha-witness voip-ha-witness/arbiter-password password $PAIR_ARBITER_PASSWORD
	voip-ha-witness voip-ha-witness/arbiter-password-again password $PAIR_ARBITER_PASSWORD
	voip-ha-witness voip-ha-witness/postgresql-cluster string auto
	EOF
	# The witness machine's own PostgreSQL, as `apt install postgresql`
	# leaves it (the test root file system has the server, no cluster).
	e2e_sh witness '[ -d /etc/postgresql/15/main ] || pg_createcluster 15 main >/dev/null &&
		systemctl start postgresql@15-main' || { rm -f "$f"; return 1; }
	e2e_copy_in witness "$f" /root/witness.preseed 0600 || { rm -f "$f"; return 1; }
	rm -f "$f"
	e2e_exec witness debconf-set-selections /root/witness.preseed || return 1
	e2e_sh witness 'cd /mnt/share && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		./voip-ha-witness_*.deb' </dev/null
}

# arbiter=postgresql on NODE (cluster.conf edited by hand, as an operator
# may; the debconf path, voip-ha-node/arbiter*, is test/packaging/install.bats),
# the password through stdin, then the monitor restarted to take it.
pair_arbiter_on() {
	local n=$1
	printf 'arbiter=postgresql\narbiter_address=%s\narbiter_port=5432\narbiter_cluster=voip-ha\narbiter_password=%s\n' \
		"$PAIR_WITNESS" "$PAIR_ARBITER_PASSWORD" |
		e2e_sh "$n" 'set -e; f=/etc/voip-ha/cluster.conf
			sed -i "/^arbiter/d" "$f"; cat >>"$f"; voip-ha validate --config "$f"
			systemctl restart voip-ha-monitor' || return 1
}

# The lease as the monitor of NODE publishes it: reachable, holder, held,
# failsafe (key=value words).
pair_lease() {
	e2e_exec "$1" grep -E '^(arbiter_reachable|lease_holder|lease_held|lease_failsafe)=' \
		/run/voip-ha/monitor.state | tr '\n' ' '
}

# NODE's monitor.state has KEY=1 (lease_held, arbiter_reachable, ...).
pair_lease_flag() { # NODE KEY
	e2e_exec "$1" grep -qx "$2=1" /run/voip-ha/monitor.state && return 0
	echo "$1: $2 not 1 ($(pair_lease "$1"))"
	return 1
}

# `voip-ha status --json` on NODE sees VOTERS of 3 voters, quorum true|false.
pair_quorum() { # NODE VOTERS true|false
	local out
	out=$(e2e_exec "$1" voip-ha status --json 2>&1)
	grep -q "\"voters_seen\":$2,\"quorum\":$3" <<<"$out" && return 0
	echo "voip-ha status --json on $1: $(grep -o '"arbiter":{[^}]*}' <<<"$out")"
	return 1
}

# The packages go through the read-only share; the preseed is copied in 0600
# (it holds the test secrets).
pair_stage_debs() {
	local d
	d=$(ls "$PAIR_DEB_DIR"/voip-ha-node_*.deb 2>/dev/null | tail -n1)
	[ -n "$d" ] || { echo "no voip-ha-node .deb in $PAIR_DEB_DIR (run make deb)" >&2; return 1; }
	rm -f "$E2E_WORK"/share/*.deb
	cp "$PAIR_DEB_DIR"/*.deb "$E2E_WORK/share/"
}

# Install with the preseed, non-interactively, stdin closed (asks nothing).
pair_install() {
	local n=$1
	e2e_copy_in "$n" "$PAIR_PRESEED" /root/preseed.cfg 0600 || return 1
	e2e_exec "$n" debconf-set-selections /root/preseed.cfg || return 1
	e2e_sh "$n" 'cd /mnt/share && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ./voip-ha-node_*.deb' </dev/null
}

pg() { # NODE SQL: as postgres on the node's socket, unaligned tuples only
	e2e_exec "$1" runuser -u postgres -- psql -X -At -q -d "${3:-postgres}" -c "$2" 2>&1
}

has_vip() { e2e_exec "$1" ip -4 -o addr show dev host0 | grep -q " ${2:-$PAIR_VIP}/"; }
no_vip() { ! has_vip "$@"; }

standby_streaming() { # standby-node
	[ "$(pg "$1" "SELECT status FROM pg_stat_wal_receiver")" = streaming ]
}

# Pair serving: the VIP on the primary and the standby streaming from it.
pair_serving() {
	has_vip node1 && standby_streaming node2
}

wait_for() { # SECS CMD...: poll every 0.2 s
	local deadline=$(($(ms) + $1 * 1000))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(ms)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

pair_status() {
	local n role lag
	echo "voip-ha pair status"
	for n in node1 node2; do
		if has_vip "$n"; then echo "  VIP $PAIR_VIP: on $n (${PAIR_ADDR[$n]})"; fi
	done
	for n in node1 node2; do
		role=$(pg "$n" "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END")
		echo "  $n ${PAIR_ADDR[$n]}: PostgreSQL $role"
		if [ "$role" = primary ]; then
			pg "$n" "SELECT '    replica ' || application_name || ' ' || host(client_addr) || ' ' || state || ', replay lag ' || coalesce(replay_lag::text, '0') || ', slot ' || coalesce((SELECT slot_name FROM pg_replication_slots s WHERE s.active_pid = r.pid), '-') FROM pg_stat_replication r"
		else
			lag=$(pg "$n" "SELECT coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::int::text || ' s since last replayed commit', 'nothing replayed yet')")
			echo "    $lag"
		fi
		echo "    services: $(e2e_exec "$n" sh -c 'for u in postgresql@15-main kamailio voip-admin lsyncd voip-ha-rsyncd keepalived; do printf "%s=%s " "$u" "$(systemctl is-active $u)"; done')"
	done
}

# pair_profile PROFILE: failover_profile=PROFILE on a live pair, the way
# README "Failover" tells an operator: the standby's keepalived stopped
# first (it holds no VIP: nothing moves, and it cannot become MASTER while
# the two nodes speak different VRRP versions), cluster.conf edited and
# `dpkg-reconfigure voip-ha-node` on the VIP holder (keepalived reloaded,
# the VIP stays), then on the standby (its keepalived started again).
pair_profile() {
	local p=$1 holder='' standby n
	for n in node1 node2; do has_vip "$n" && holder=$n; done
	[ -n "$holder" ] || { echo "no VIP holder"; return 1; }
	if [ "$holder" = node1 ]; then standby=node2; else standby=node1; fi
	e2e_exec "$standby" systemctl stop keepalived || return 1
	for n in "$holder" "$standby"; do
		e2e_sh "$n" "set -e; f=/etc/voip-ha/cluster.conf
			sed -i '/^failover_profile=/d' \$f; echo failover_profile=$p >>\$f
			DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node </dev/null >/dev/null 2>&1 ||
				{ echo 'dpkg-reconfigure failed on $n'; exit 1; }
			grep -q '^    version $([ "$p" = fast ] && echo 3 || echo 2)\$' /etc/keepalived/keepalived.conf ||
				{ echo 'keepalived.conf on $n not for $p'; exit 1; }" || return 1
	done
	e2e_exec "$standby" systemctl is-active --quiet keepalived ||
		e2e_exec "$standby" systemctl start keepalived || return 1
	# The holder kept the VIP all along.
	has_vip "$holder" || { echo "the VIP left $holder"; return 1; }
}

# pair_nft NODE RULESET: the host's nft in NODE's network namespace (the
# test root file system has no nftables).
pair_nft() {
	nsenter -t "$(e2e_pid1 "$1")" -n nft "${@:2}"
}
