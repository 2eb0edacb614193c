#!/usr/bin/env bats
# The arbiter client (src/engine/arbiter.c) and the witness's lease
# functions (db/witness/lease.sql) against a real PostgreSQL 15 started
# here as a witness would run it: TLS with a self-signed certificate,
# SCRAM-SHA-256, only hostssl for the arbiter role, port 55470 on 127.0.0.1.
# Two nodes compete for one lease; the clear errors for a wrong password, an
# unknown cluster, a server without TLS; a hung witness costs the caller its
# timeout, not a TCP timeout. The password is a nasty one, on stdin.

bats_require_minimum_version 1.5.0

load ../lib/prereq

PG_BINDIR=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PORT=55470
PLAIN_PORT=55471
PASSWORD='p@ss:w/rd "\ $x'"'"'ünï€ë'

setup_file() {
	[ "$(id -u)" = 0 ] || { echo "needs root (PostgreSQL runs as postgres)" >&2; return 1; }
	[ -x "$ARBITER_DRIVE" ] || { echo "ARBITER_DRIVE is not set to the driver" >&2; return 1; }
	export T
	T=$(mktemp -d /tmp/arbiter-test.XXXXXX)
	chmod 0755 "$T"
	mkdir -p "$T/sock"
	chown -R postgres: "$T"
	runuser -u postgres -- "$PG_BINDIR/initdb" -D "$T/data" -U postgres -A peer -E UTF8 \
		--locale=C.UTF-8 >"$T/initdb.log" 2>&1 || { cat "$T/initdb.log" >&2; return 1; }
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=witness \
		-keyout "$T/data/server.key" -out "$T/data/server.crt" >/dev/null 2>&1 || return 1
	chown postgres: "$T/data/server.key" "$T/data/server.crt"
	chmod 0600 "$T/data/server.key"
	cat >>"$T/data/postgresql.conf" <<-CONF
	listen_addresses = '127.0.0.1'
	port = $PORT
	unix_socket_directories = '$T/sock'
	ssl = on
	password_encryption = 'scram-sha-256'
	fsync = off
	CONF
	cat >"$T/data/pg_hba.conf" <<-HBA
	local all postgres peer
	hostssl voip_ha_witness voip_ha_arbiter 127.0.0.1/32 scram-sha-256
	host all all 0.0.0.0/0 reject
	HBA
	runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$T/data" -l "$T/log" -w start >/dev/null ||
		{ cat "$T/log" >&2; return 1; }
	sql -d postgres -c "CREATE ROLE voip_ha_arbiter LOGIN" \
		-c "CREATE DATABASE voip_ha_witness" || return 1
	# The password reaches the server inside the statement, read by psql
	# from a 0600 file (never a command line); the server stores SCRAM.
	printf '%s' "$PASSWORD" >"$T/pw"
	chmod 0600 "$T/pw"
	chown postgres: "$T/pw"
	sql -d postgres <<-SQL || return 1
	\\set pw \`cat $T/pw\`
	ALTER ROLE voip_ha_arbiter PASSWORD :'pw';
	SQL
	sql -d voip_ha_witness -1 -f "$BATS_TEST_DIRNAME/../../db/witness/lease.sql" >/dev/null 2>&1 ||
		return 1
	sql -d voip_ha_witness -c "INSERT INTO voip_ha.lease(cluster) VALUES ('voip-ha'), ('other')"
}

teardown_file() {
	[ -n "${T:-}" ] || return 0
	pkill -CONT -u postgres -f "$T/data" 2>/dev/null || true
	runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$T/data" -m immediate stop >/dev/null 2>&1 || true
	[ ! -d "$T/plain" ] ||
		runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$T/plain" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$T"
}

sql() {
	runuser -u postgres -- "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$T/sock" -p "$PORT" \
		-U postgres "$@"
}

# drive NODE OP [ARGS...]: one call as NODE of cluster voip-ha.
drive() {
	local node=$1
	shift
	printf '%s\n' "$PASSWORD" | "$ARBITER_DRIVE" 127.0.0.1 "$PORT" voip-ha "$node" "$@"
}

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

@test "node1 takes a free lease, node2 is refused while it runs, node1 renews it" {
	run -0 drive node1 acquire --ttl 2400
	[ "$(field granted "$output")" = 1 ]
	[ "$(field holder "$output")" = node1 ]
	term=$(field term "$output")
	run -0 drive node2 acquire --ttl 2400
	[ "$(field granted "$output")" = 0 ]
	[ "$(field holder "$output")" = node1 ]
	[ "$(field remaining "$output")" -gt 1000 ]
	run -0 drive node1 renew "$term" --ttl 2400
	[ "$(field granted "$output")" = 1 ]
	[ "$(field term "$output")" = "$term" ]
}

@test "an expired lease goes to the other node with a new term; the old holder's renewal is refused" {
	run -0 drive node1 acquire --ttl 300
	old=$(field term "$output")
	sleep 0.5
	run -0 drive node2 acquire --ttl 2400
	[ "$(field granted "$output")" = 1 ]
	[ "$(field term "$output")" -gt "$old" ]
	run -0 drive node1 renew "$old" --ttl 2400
	[ "$(field granted "$output")" = 0 ]
	[ "$(field holder "$output")" = node2 ]
}

@test "a released lease is free at once for the peer" {
	run -0 drive node2 acquire --ttl 5000
	term=$(field term "$output")
	run -0 drive node2 release "$term"
	[ "$(field granted "$output")" = 1 ]
	run -0 drive node1 acquire --ttl 2400
	[ "$(field granted "$output")" = 1 ]
	[ "$(field term "$output")" -gt "$term" ]
}

@test "observing never takes the lease" {
	run -0 drive node2 observe
	[ "$(field granted "$output")" = 0 ]
	[ "$(field holder "$output")" = node1 ]
}

@test "a wrong password is refused as an authentication error, naming no password" {
	run -1 bash -c "printf 'wrong\n' | '$ARBITER_DRIVE' 127.0.0.1 $PORT voip-ha node1 observe"
	[[ "$output" == *rc=EACCES* ]]
	[[ "$output" == *"password authentication failed"* ]]
	[[ "$output" != *wrong* ]] || [[ "$output" == *"authentication failed"* ]]
}

@test "an unknown cluster is refused with the witness's clear message" {
	run -1 bash -c "printf '%s\n' \"\$0\" | '$ARBITER_DRIVE' 127.0.0.1 $PORT nope node1 acquire" "$PASSWORD"
	[[ "$output" == *rc=ENOENT* ]]
	[[ "$output" == *'arbitrates no cluster named "nope"'* ]]
}

@test "the lease of one pair is not the lease of another" {
	run -0 bash -c "printf '%s\n' \"\$0\" | '$ARBITER_DRIVE' 127.0.0.1 $PORT other node2 acquire" "$PASSWORD"
	[[ "$output" == *granted=1* ]]
	run -0 drive node1 observe
	[ "$(field holder "$output")" = node1 ]
}

@test "a server without TLS is refused (no password offered in the clear)" {
	runuser -u postgres -- "$PG_BINDIR/initdb" -D "$T/plain" -U postgres -A trust >/dev/null 2>&1
	cat >>"$T/plain/postgresql.conf" <<-CONF
	listen_addresses = '127.0.0.1'
	port = $PLAIN_PORT
	unix_socket_directories = '$T/sock'
	ssl = off
	CONF
	runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$T/plain" -l "$T/plain.log" -w start >/dev/null
	run -1 bash -c "printf '%s\n' \"\$0\" | '$ARBITER_DRIVE' 127.0.0.1 $PLAIN_PORT voip-ha node1 acquire" "$PASSWORD"
	[[ "$output" == *rc=ECONNREFUSED* ]]
	[[ "$output" == *SSL* ]]
}

@test "nothing listening: refused at once" {
	run -1 bash -c "printf 'x\n' | '$ARBITER_DRIVE' 127.0.0.1 55479 voip-ha node1 observe --timeout 2000"
	[[ "$output" == *rc=ECONNREFUSED* ]]
	[ "$(field elapsed "$output")" -lt 1000 ]
}

@test "a hung witness costs the caller its timeout, and the client recovers after" {
	pid=$(head -n 1 "$T/data/postmaster.pid")
	# Every process of the witness stopped, as a frozen VM would be.
	pkill -STOP -u postgres -f "$T/data"
	kill -STOP "$pid"
	run -1 drive node1 observe --timeout 400
	kill -CONT "$pid"
	pkill -CONT -u postgres -f "$T/data"
	[[ "$output" == *rc=ETIMEDOUT* ]]
	[ "$(field elapsed "$output")" -ge 400 ]
	[ "$(field elapsed "$output")" -lt 1000 ]
	run -0 drive node1 observe --timeout 2000
	[[ "$output" == *rc=0* ]]
}

@test "a kept connection: the renewals of one process reuse it and stay in the period" {
	run -0 drive node1 acquire --ttl 2400 --repeat 20
	[ "$(grep -c 'granted=1' <<<"$output")" = 20 ]
	# After the first (TLS and SCRAM), each call is one round trip.
	slow=$(tail -n 19 <<<"$output" | awk -F'elapsed=' '$2 + 0 > 100' | wc -l)
	[ "$slow" = 0 ]
}
