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
PAIR_ARBITER_PASSWORD=${PAIR_ARBITER_PASSWORD:-'ar b:P@ss/w\rd"'"'"'€$x'}

ms() { date +%s%3N; }

pair_boot() {
	local n
	if [ "$PAIR_ARBITER" = 1 ]; then
		e2e_node_create witness "$PAIR_WITNESS/24"
		e2e_node_boot witness
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
	e2e_copy_in witness "$f" /root/witness.preseed 0600 || { rm -f "$f"; return 1; }
	rm -f "$f"
	e2e_exec witness debconf-set-selections /root/witness.preseed || return 1
	e2e_sh witness 'cd /mnt/share && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		./voip-ha-witness_*.deb' </dev/null
}

# arbiter=postgresql on NODE (a key without a debconf question: cluster.conf
# edited as an operator would, the password through stdin), then the
# monitor restarted to take it.
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
