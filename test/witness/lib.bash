# shellcheck shell=bash
# A throw-away witness for test/witness/*.bats: a PostgreSQL 15 cluster made
# with pg_createcluster (Debian's layout: conf.d, pg_hba.conf in /etc) that
# runs in a network namespace of its own with the witness address
# 198.51.100.2, and a second namespace for the nodes (198.51.100.11 and .12,
# plus .13, an address no pair has), joined by a veth pair. Nothing is
# routed anywhere else; everything goes away in wit_down.
#
#   wit_up DIR         build it all (state in DIR); exports WIT_NS, NODE_NS,
#                      WIT_PORT, WIT_CLUSTER, WIT_CONFDIR
#   wit_down DIR       remove it all
#   wit_setup ARGS     voip-ha-witness setup inside the witness namespace
#   node_sql SRC PWFILE SQL [SSLMODE]
#                      psql from the node namespace with source address SRC
#                      as voip_ha_arbiter (password from PWFILE, through a
#                      0600 PGPASSFILE, never argv or PGPASSWORD)

WIT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WIT_BIN=${VOIPHA_WITNESS_BIN:-$WIT_TOP/build/voip-ha-witness}
WIT_LEASE_SQL=$WIT_TOP/db/witness/lease.sql
WIT_ADDR=198.51.100.2
WIT_PG_VERSION=15

wit_up() {
	local dir=$1 id
	id=$$
	export WIT_NS=vhw${id}w NODE_NS=vhw${id}n
	export WIT_PORT=${WIT_PORT:-55641}
	export WIT_CLUSTER=vhwit$id
	export WIT_CONFDIR=/etc/postgresql/$WIT_PG_VERSION/$WIT_CLUSTER
	echo "$WIT_NS $NODE_NS $WIT_CLUSTER" >"$dir/wit-env"
	ip netns add "$WIT_NS" && ip netns add "$NODE_NS" || return 1
	ip link add vhw${id}a type veth peer name vhw${id}b || return 1
	ip link set vhw${id}a netns "$WIT_NS" && ip link set vhw${id}b netns "$NODE_NS" || return 1
	ip -n "$WIT_NS" link set lo up && ip -n "$NODE_NS" link set lo up || return 1
	ip -n "$WIT_NS" addr add $WIT_ADDR/24 dev vhw${id}a || return 1
	ip -n "$WIT_NS" link set vhw${id}a up || return 1
	ip -n "$NODE_NS" addr add 198.51.100.11/24 dev vhw${id}b || return 1
	ip -n "$NODE_NS" addr add 198.51.100.12/24 dev vhw${id}b || return 1
	ip -n "$NODE_NS" addr add 198.51.100.13/24 dev vhw${id}b || return 1
	ip -n "$NODE_NS" link set vhw${id}b up || return 1
	export NODE_LINK=vhw${id}b
	pg_createcluster "$WIT_PG_VERSION" "$WIT_CLUSTER" -p "$WIT_PORT" >"$dir/createcluster.log" 2>&1 ||
		{ cat "$dir/createcluster.log" >&2; return 1; }
	# A certificate of the test's own, known to PostgreSQL but with ssl
	# still off: setup must turn it on (the "cert exists" path).
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=witness \
		-keyout "$WIT_CONFDIR/witness.key" -out "$WIT_CONFDIR/witness.crt" >/dev/null 2>&1 || return 1
	chown postgres:postgres "$WIT_CONFDIR/witness.key" "$WIT_CONFDIR/witness.crt"
	chmod 0600 "$WIT_CONFDIR/witness.key"
	sed -i -e '/^ssl[ _]/d' "$WIT_CONFDIR/postgresql.conf"
	cat >"$WIT_CONFDIR/conf.d/10-test.conf" <<-CONF
	ssl = off
	ssl_cert_file = '$WIT_CONFDIR/witness.crt'
	ssl_key_file = '$WIT_CONFDIR/witness.key'
	fsync = off
	shared_buffers = 32MB
	CONF
	wit_pg start
}

# pg_ctlcluster inside the witness namespace (the postmaster stays there).
wit_pg() {
	ip netns exec "$WIT_NS" pg_ctlcluster "$WIT_PG_VERSION" "$WIT_CLUSTER" "$@"
}

wit_down() {
	local dir=$1 ns nns cl
	[ -r "$dir/wit-env" ] || return 0
	read -r ns nns cl <"$dir/wit-env"
	pg_dropcluster --stop "$WIT_PG_VERSION" "$cl" >/dev/null 2>&1 || true
	ip netns del "$ns" 2>/dev/null || true
	ip netns del "$nns" 2>/dev/null || true
	rm -f "$dir/wit-env"
}

wit_setup() {
	ip netns exec "$WIT_NS" "$WIT_BIN" setup --lease-sql "$WIT_LEASE_SQL" --state "$T/state" "$@"
}

# As postgres over the socket (the superuser's view).
wit_psql() {
	runuser -u postgres -- psql -X -q -At -v ON_ERROR_STOP=1 -h /var/run/postgresql \
		-p "$WIT_PORT" "$@"
}

node_sql() {
	local src=$1 pwfile=$2 sql=$3 ssl=${4:-require} pass
	pass=$(mktemp "$BATS_TEST_TMPDIR/pgpass.XXXXXX")
	chmod 0600 "$pass"
	# .pgpass: ':' and '\' in the password are escaped with '\'.
	printf '%s:%s:%s:%s:' "$WIT_ADDR" "$WIT_PORT" voip_ha_witness voip_ha_arbiter >"$pass"
	sed -e 's/\\/\\\\/g' -e 's/:/\\:/g' "$pwfile" >>"$pass"
	ip -n "$NODE_NS" route replace "$WIT_ADDR/32" dev "$NODE_LINK" src "$src"
	local cb=require
	[ "$ssl" = require ] || cb=disable
	ip netns exec "$NODE_NS" env PGPASSFILE="$pass" PGCONNECT_TIMEOUT=5 \
		psql -X -q -At -v ON_ERROR_STOP=1 \
		"host=$WIT_ADDR port=$WIT_PORT dbname=voip_ha_witness user=voip_ha_arbiter sslmode=$ssl channel_binding=$cb" \
		-c "$sql"
}
