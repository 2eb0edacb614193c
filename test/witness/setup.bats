#!/usr/bin/env bats
# voip-ha-witness setup against a real, throw-away PostgreSQL 15 cluster
# (pg_createcluster, Debian's layout) in a network namespace of its own,
# with the nodes in a second one (test/witness/lib.bash): a node-side libpq
# client takes the lease over hostssl with SCRAM and channel binding; a
# wrong password, a connection without TLS and an address no pair has are
# refused; an unknown cluster name gets the lease schema's clear error;
# setup run twice changes nothing; bad inputs are refused with the key
# named and nothing written; every legal password character round-trips.
#
# Port: PostgreSQL 55641 (loopback of the witness namespace and
# 198.51.100.2 there). Root, ip netns, pg_createcluster and openssl needed.

load ../lib/prereq
bats_require_minimum_version 1.5.0

setup_file() {
	prereq_root "network namespaces and a PostgreSQL cluster"
	prereq_cmd ip pg_createcluster pg_dropcluster psql openssl runuser
	load lib
	[ -x "$WIT_BIN" ] || { echo "build $WIT_BIN first (make)" >&2; return 1; }
	export T
	T=$(mktemp -d /tmp/witness-setup.XXXXXX)
	wit_up "$T"
	cp "$WIT_CONFDIR/pg_hba.conf" "$T/hba.orig"
	export PW=$T/pw CONF=$T/witness.conf
	printf '%s\n' 's3cret pass' >"$PW"
	chmod 0600 "$PW"
	write_conf
}

teardown_file() {
	load lib
	[ -n "${T-}" ] || return 0
	wit_down "$T"
	rm -rf "$T"
}

setup() {
	load lib
	read -r WIT_NS NODE_NS WIT_CLUSTER <"$T/wit-env"
	export WIT_NS NODE_NS WIT_CLUSTER WIT_PORT=55641
	export WIT_CONFDIR=/etc/postgresql/$WIT_PG_VERSION/$WIT_CLUSTER NODE_LINK=${WIT_NS%w}b
}

# write_conf [CLUSTERS] [PASSWORD-FILE]: witness.conf (0600) for this cluster.
write_conf() {
	(
		umask 077
		printf '%s\n' "witness_address=198.51.100.2" "clusters=${1:-voip-ha}" \
			"node1_address=198.51.100.11" "node2_address=198.51.100.12" \
			"postgresql_cluster=$WIT_PG_VERSION/$WIT_CLUSTER" >"$CONF"
		printf 'arbiter_password=%s\n' "$(cat "${2:-$PW}")" >>"$CONF"
	)
}

# What setup may change, as one text: file digests and modes, the role's
# verifier, the lease rows, the postmaster's pid.
snapshot() {
	{
		sha256sum "$WIT_CONFDIR/pg_hba.conf" "$WIT_CONFDIR"/conf.d/*
		stat -c '%n %a %U %Y' "$WIT_CONFDIR/pg_hba.conf" "$WIT_CONFDIR"/conf.d/*
		wit_psql -d postgres -c "SELECT rolpassword FROM pg_authid WHERE rolname = 'voip_ha_arbiter'"
		wit_psql -d voip_ha_witness -c "SELECT cluster, holder, term FROM voip_ha.lease ORDER BY 1" 2>&1
		head -n 1 "/var/lib/postgresql/$WIT_PG_VERSION/$WIT_CLUSTER/postmaster.pid"
	}
}

@test "setup: role, database, lease row, pg_hba block before the admin's rules, listen_addresses and ssl added" {
	run --separate-stderr wit_setup --config "$CONF"
	[ "$status" -eq 0 ] || { echo "$stderr" >&2; return 1; }
	[[ "$stderr" == *"created role voip_ha_arbiter"* ]]
	[[ "$stderr" == *"added the lease of cluster voip-ha"* ]]
	[[ "$stderr" == *"restarted PostgreSQL"* ]]
	# The block comes before the first rule; every line of the admin's file stays.
	run grep -n -m1 -v -E '^[[:space:]]*(#|$)' "$WIT_CONFDIR/pg_hba.conf"
	[[ "$output" == *"hostssl voip_ha_witness voip_ha_arbiter 198.51.100.11/32 scram-sha-256" ]]
	sed '/^# BEGIN voip-ha-witness/,/^# END voip-ha-witness/d' "$WIT_CONFDIR/pg_hba.conf" | diff -u "$T/hba.orig" -
	# The admin's listen_addresses (the default, localhost) is kept.
	run cat "$WIT_CONFDIR/conf.d/60-voip-ha-witness.conf"
	[[ "$output" == *"listen_addresses = 'localhost,198.51.100.2'"* ]]
	[[ "$output" == *"ssl = on"* ]]
	run wit_psql -d postgres -c "SHOW ssl" -c "SHOW listen_addresses"
	[ "$output" = "on
localhost,198.51.100.2" ]
	run wit_psql -d voip_ha_witness -c "SELECT cluster, holder, term FROM voip_ha.lease"
	[ "$output" = "voip-ha||0" ]
	# What the package's purge will undo.
	grep -qx "hba_file=$WIT_CONFDIR/pg_hba.conf" "$T/state"
	grep -qx "dropin=$WIT_CONFDIR/conf.d/60-voip-ha-witness.conf" "$T/state"
	# Only the arbiter role may connect; it may not read the table.
	run wit_psql -d postgres -c "SELECT has_database_privilege('public', 'voip_ha_witness', 'CONNECT')"
	[ "$output" = f ]
}

@test "a node takes the lease over hostssl with SCRAM and channel binding; the other node sees it held" {
	run node_sql 198.51.100.11 "$PW" "SELECT granted, holder, term FROM voip_ha.lease_acquire('voip-ha', 'node1', 5000)"
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	[ "$output" = "t|node1|1" ]
	run node_sql 198.51.100.12 "$PW" "SELECT granted, holder, term FROM voip_ha.lease_acquire('voip-ha', 'node2', 5000)"
	[ "$output" = "f|node1|1" ]
	run node_sql 198.51.100.12 "$PW" "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
	[[ "$output" == "t|TLS"* ]]
	run node_sql 198.51.100.12 "$PW" "SELECT count(*) FROM voip_ha.lease"
	[ "$status" -ne 0 ]
	[[ "$output" == *"permission denied for table lease"* ]]
}

@test "status shows the holder, term, remaining time, last renewal and the nodes let in" {
	run --separate-stderr "$WIT_BIN" status --config "$CONF"
	[ "$status" -eq 0 ] || { echo "$stderr" >&2; return 1; }
	[[ "$output" =~ cluster\ voip-ha:\ (held\ by\ node1,\ [0-9]+\ ms\ left|node1\'s\ lease\ expired\ [0-9]+\ ms\ ago),\ term\ 1,\ last\ renewal\ [0-9]+\ ms\ ago ]]
	[[ "$output" == *"nodes let in (pg_hba.conf, hostssl, scram-sha-256): 198.51.100.11 198.51.100.12"* ]]
}

@test "a wrong password is refused" {
	printf '%s\n' 'not the password' >"$BATS_TEST_TMPDIR/wrong"
	run node_sql 198.51.100.11 "$BATS_TEST_TMPDIR/wrong" "SELECT 1"
	[ "$status" -ne 0 ]
	[[ "$output" == *'password authentication failed for user "voip_ha_arbiter"'* ]]
}

@test "a connection without TLS is refused, also from a node address" {
	run node_sql 198.51.100.11 "$PW" "SELECT 1" disable
	[ "$status" -ne 0 ]
	[[ "$output" == *'pg_hba.conf rejects connection for host "198.51.100.11"'*"no encryption"* ]]
}

@test "an address that is no node of a pair is refused, with the right password and TLS" {
	run node_sql 198.51.100.13 "$PW" "SELECT 1"
	[ "$status" -ne 0 ]
	[[ "$output" == *'pg_hba.conf rejects connection for host "198.51.100.13"'* ]]
}

@test "an unknown cluster name gets the clear error of the lease schema" {
	run node_sql 198.51.100.11 "$PW" "SELECT * FROM voip_ha.lease_acquire('voip-hb', 'node1', 5000)"
	[ "$status" -ne 0 ]
	[[ "$output" == *'this witness arbitrates no cluster named "voip-hb"'* ]]
}

@test "setup run again changes nothing (files, modes, mtimes, verifier, rows, no restart)" {
	snapshot >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr wit_setup --config "$CONF"
	[ "$status" -eq 0 ] || { echo "$stderr" >&2; return 1; }
	[[ "$stderr" == *"nothing changed"* ]]
	[[ "$stderr" != *"setup: "*"reloaded"* ]]
	snapshot | diff -u "$BATS_TEST_TMPDIR/before" -
}

@test "a role given more than LOGIN since is put back to LOGIN only" {
	wit_psql -d postgres -c "ALTER ROLE voip_ha_arbiter CREATEDB CREATEROLE"
	run --separate-stderr wit_setup --config "$CONF"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"role voip_ha_arbiter may log in and nothing more"* ]]
	run wit_psql -d postgres -c "SELECT rolcanlogin, rolcreatedb, rolcreaterole, rolsuper FROM pg_roles WHERE rolname = 'voip_ha_arbiter'"
	[ "$output" = "t|f|f|f" ]
}

@test "bad inputs: the key is named, the password never shown, nothing written" {
	snapshot >"$BATS_TEST_TMPDIR/before"
	good=$(cat "$CONF")
	bad() { # KEY=VALUE (replacing that key) -> setup must fail naming KEY
		local key=${1%%=*}
		{ printf '%s\n' "$good" | grep -v "^$key=" || true; printf '%s\n' "$1"; } >"$CONF"
		run --separate-stderr wit_setup --config "$CONF"
		[ "$status" -eq 1 ] || { echo "accepted: $1" >&2; return 1; }
		[[ "$stderr" == *"$key: "* ]] || { echo "no '$key:' in: $stderr" >&2; return 1; }
		[[ "$stderr" != *"s3cret"* ]] || { echo "password shown: $stderr" >&2; return 1; }
	}
	bad witness_address=198.51.100.256
	bad witness_address=127.0.0.1
	bad witness_address=198.51.100.011
	bad node1_address=198.51.100.2
	bad node2_address=198.51.100.11
	bad clusters=Voip-HA
	bad clusters=-voip
	bad "clusters=voip-ha voip-ha"
	bad "clusters=$(printf 'a%.0s' {1..64})"
	bad clusters=pair@198.51.100.21
	bad arbiter_password=
	bad postgresql_cluster=14/main
	bad "postgresql_cluster=15/no such"
	printf '%s\n' "$good" >"$CONF"
	printf 'arbiter_password=tab\there\n' >>"$CONF"
	run --separate-stderr wit_setup --config "$CONF"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"duplicate"* ]]
	printf '%s\n' "$good" | sed 's/^arbiter_password=.*/arbiter_password=tab\there/' >"$CONF"
	run --separate-stderr wit_setup --config "$CONF"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"arbiter_password: must not contain control characters"* ]]
	printf '%s\n' "$good" >"$CONF"
	snapshot | diff -u "$BATS_TEST_TMPDIR/before" -
}

@test "validate reads stdin and lists every problem; save-config writes nothing invalid and a valid file 0600" {
	write_conf
	run --separate-stderr "$WIT_BIN" validate --config - <<-EOF
	witness_address=198.51.100.2
	clusters=Bad
	node1_address=10.0.0.300
	arbiter_password=
	EOF
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"<stdin>: clusters: "* ]]
	[[ "$stderr" == *"<stdin>: node1_address: "* ]]
	[[ "$stderr" == *"<stdin>: arbiter_password: must not be empty"* ]]
	run --separate-stderr "$WIT_BIN" save-config --config "$BATS_TEST_TMPDIR/w.conf" <<<"clusters=x"
	[ "$status" -eq 1 ]
	[ ! -e "$BATS_TEST_TMPDIR/w.conf" ]
	run --separate-stderr "$WIT_BIN" save-config --config "$BATS_TEST_TMPDIR/w.conf" <"$CONF"
	[ "$status" -eq 0 ]
	[ "$(stat -c '%a %U' "$BATS_TEST_TMPDIR/w.conf")" = "600 root" ]
	cmp "$CONF" "$BATS_TEST_TMPDIR/w.conf"
}

@test "a password with every legal kind of character round-trips; the old one stops working" {
	printf '%s\n' "q'uo\"te \\back\\slash :colon; spa ce #hash \$dollar ä€😀 end" >"$T/pw2"
	write_conf voip-ha "$T/pw2"
	run --separate-stderr wit_setup --config "$CONF"
	[ "$status" -eq 0 ] || { echo "$stderr" >&2; return 1; }
	[[ "$stderr" == *"set the password of role voip_ha_arbiter"* ]]
	[[ "$stderr" != *"back"* ]]
	run node_sql 198.51.100.12 "$T/pw2" "SELECT holder FROM voip_ha.lease_observe('voip-ha')"
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	[ "$output" = node1 ]
	run node_sql 198.51.100.12 "$PW" "SELECT 1"
	[ "$status" -ne 0 ]
	# And back; the server log never saw either password.
	write_conf
	run wit_setup --config "$CONF"
	[ "$status" -eq 0 ]
	run grep -l -F -e 's3cret' -e 'back\slash' /var/log/postgresql/postgresql-$WIT_PG_VERSION-$WIT_CLUSTER.log
	[ "$status" -eq 1 ]
}

@test "a second pair gets its own row and nodes; a pair no longer configured keeps its row and is named" {
	write_conf "voip-ha pbx-b@198.51.100.13,198.51.100.14"
	run --separate-stderr wit_setup --config "$CONF"
	[ "$status" -eq 0 ] || { echo "$stderr" >&2; return 1; }
	[[ "$stderr" == *"added the lease of cluster pbx-b"* ]]
	[[ "$stderr" == *"reloaded PostgreSQL"* ]]
	[[ "$stderr" != *"restarted"* ]]
	run node_sql 198.51.100.13 "$PW" "SELECT granted FROM voip_ha.lease_acquire('pbx-b', 'node1', 5000)"
	[ "$output" = t ]
	write_conf
	run --separate-stderr wit_setup --config "$CONF"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"the lease of cluster pbx-b is kept"* ]]
	run wit_psql -d voip_ha_witness -c "SELECT holder FROM voip_ha.lease WHERE cluster = 'pbx-b'"
	[ "$output" = node1 ]
	run node_sql 198.51.100.13 "$PW" "SELECT 1"
	[ "$status" -ne 0 ]
}

@test "ssl off without a certificate: refused with the reason, nothing written" {
	cp "$WIT_CONFDIR/conf.d/10-test.conf" "$T/10-test.conf"
	rm -f "$WIT_CONFDIR/conf.d/60-voip-ha-witness.conf"
	sed -i "s|witness.crt|missing.crt|" "$WIT_CONFDIR/conf.d/10-test.conf"
	snapshot >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr wit_setup --config "$CONF"
	snapshot >"$BATS_TEST_TMPDIR/after"
	cp "$T/10-test.conf" "$WIT_CONFDIR/conf.d/10-test.conf"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"has ssl off and no certificate"* ]]
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	run wit_setup --config "$CONF"
	[ "$status" -eq 0 ]
	[ -f "$WIT_CONFDIR/conf.d/60-voip-ha-witness.conf" ]
}

@test "a setting after conf.d that would undo the drop-in is named, and the drop-in put back" {
	rm -f "$WIT_CONFDIR/conf.d/60-voip-ha-witness.conf"
	cp "$WIT_CONFDIR/postgresql.conf" "$T/postgresql.conf"
	echo "ssl = off" >>"$WIT_CONFDIR/postgresql.conf"
	run --separate-stderr wit_setup --config "$CONF"
	cp "$T/postgresql.conf" "$WIT_CONFDIR/postgresql.conf"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ssl is set again after conf.d, in $WIT_CONFDIR/postgresql.conf:"* ]]
	[ ! -e "$WIT_CONFDIR/conf.d/60-voip-ha-witness.conf" ]
	run wit_setup --config "$CONF"
	[ "$status" -eq 0 ]
}

@test "a broken witness block in pg_hba.conf (BEGIN without END) is refused, the file untouched" {
	cp "$WIT_CONFDIR/pg_hba.conf" "$T/hba.good"
	sed -i '/^# END voip-ha-witness/d' "$WIT_CONFDIR/pg_hba.conf"
	cp "$WIT_CONFDIR/pg_hba.conf" "$T/hba.broken"
	run --separate-stderr wit_setup --config "$CONF"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"are not in pairs"* ]]
	cmp "$T/hba.broken" "$WIT_CONFDIR/pg_hba.conf"
	cp "$T/hba.good" "$WIT_CONFDIR/pg_hba.conf"
}
