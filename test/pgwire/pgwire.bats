#!/usr/bin/env bats
# lib/pgwire.c, the health check's PostgreSQL client, against a real
# PostgreSQL 15 started here (socket only, port 55460): the check's own
# queries, the session options, an ErrorResponse (the connection stays
# usable), authentication methods other than peer refused with a clear
# message, FATAL errors at startup, a hung server within the timeout, and
# the postgres ids taken for the connect only. Runs as root (the server
# runs as postgres; peer authentication needs both users).

bats_require_minimum_version 1.5.0

PG_BINDIR=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PORT=55460

setup_file() {
	[ "$(id -u)" = 0 ] || { echo "needs root (PostgreSQL runs as postgres)" >&2; return 1; }
	[ -x "$PGWIRE_QUERY" ] || { echo "PGWIRE_QUERY is not set to the driver" >&2; return 1; }
	export T
	# not under bats' temp dirs (0700): PostgreSQL runs as postgres
	T=$(mktemp -d /tmp/pgwire-test.XXXXXX)
	chmod 0755 "$T"
	mkdir -p "$T/sock"
	chown -R postgres: "$T"
	runuser -u postgres -- "$PG_BINDIR/initdb" -D "$T/data" -U postgres -A peer -E UTF8 \
		--locale=C.UTF-8 >"$T/initdb.log" 2>&1 || { cat "$T/initdb.log" >&2; return 1; }
	cat >>"$T/data/postgresql.conf" <<-CONF
	listen_addresses = ''
	port = $PORT
	unix_socket_directories = '$T/sock'
	fsync = off
	CONF
	cat >"$T/data/pg_hba.conf" <<-HBA
	local all postgres peer
	local all scram_user scram-sha-256
	local all md5_user md5
	local all password_user password
	local all all reject
	HBA
	runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$T/data" -l "$T/server.log" -w -t 60 start \
		>/dev/null || { cat "$T/server.log" >&2; return 1; }
	psql_pg -d postgres <<-SQL
	CREATE DATABASE voip;
	SET password_encryption = 'scram-sha-256';
	CREATE ROLE scram_user LOGIN PASSWORD 'not-sent-1';
	CREATE ROLE password_user LOGIN PASSWORD 'not-sent-2';
	SET password_encryption = 'md5';
	CREATE ROLE md5_user LOGIN PASSWORD 'not-sent-3';
	SQL
}

teardown_file() {
	if [ -f "$T/data/postmaster.pid" ]; then
		kill -CONT "$(head -n1 "$T/data/postmaster.pid")" 2>/dev/null
		runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$T/data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$T"
}

psql_pg() {
	runuser -u postgres -- "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$T/sock" -p "$PORT" \
		-U postgres "$@"
}

SOCK() { echo "$T/sock/.s.PGSQL.$PORT"; }

# q USER DB [SQL...]: the driver as the postgres OS user, 2 s timeout
q() {
	local user=$1 db=$2
	shift 2
	runuser -u postgres -- "$PGWIRE_QUERY" "$(SOCK)" "$user" "$db" 2000 "$@"
}

@test "the check's queries on a primary: not in recovery, a write commits" {
	run -0 q postgres voip "SELECT pg_is_in_recovery()::text" \
		"SELECT (current_setting('transaction_read_only') = 'off' AND pg_current_xact_id() IS NOT NULL)::text"
	[ "${lines[0]}" = connected ]
	[ "${lines[1]}" = "value false" ]
	[ "${lines[2]}" = "value true" ]
}

@test "the startup packet's options and application_name reach the server" {
	run -0 q postgres voip "SHOW synchronous_commit" "SHOW statement_timeout" "SHOW application_name" \
		"SELECT current_database()"
	[ "${lines[1]}" = "value local" ]
	[ "${lines[2]}" = "value 5s" ]
	[ "${lines[3]}" = "value pgwire-test" ]
	[ "${lines[4]}" = "value voip" ]
}

@test "an ErrorResponse is the server's message, and the connection stays usable" {
	run -1 q postgres voip "SELECT 1/0" "SELECT 'after'"
	[ "${lines[1]}" = "error EIO: ERROR:  division by zero" ]
	[ "${lines[2]}" = "value after" ]
}

@test "a read-only session makes the check's write query false" {
	run -1 q postgres voip "SET default_transaction_read_only = on" \
		"SELECT (current_setting('transaction_read_only') = 'off' AND pg_current_xact_id() IS NOT NULL)::text"
	[ "${lines[1]}" = "error ENOENT: the query returned no rows" ]
	[ "${lines[2]}" = "value false" ]
}

@test "NULL is empty, no rows and a command are ENOENT, notices and warnings are skipped" {
	run -1 q postgres voip "SELECT NULL" "SELECT 1 WHERE false" "SET search_path = public" \
		"DO \$\$BEGIN RAISE WARNING 'a warning'; END\$\$; SELECT 'after the warning'"
	[ "${lines[1]}" = "value " ]
	[ "${lines[2]}" = "error ENOENT: the query returned no rows" ]
	[ "${lines[3]}" = "error ENOENT: the query returned no rows" ]
	[ "${lines[4]}" = "value after the warning" ]
}

@test "a value longer than the caller's buffer is refused, not cut, and the connection goes on" {
	run -1 q postgres voip "SELECT repeat('x', 100)" "SELECT 'next'"
	[ "${lines[1]}" = "error EMSGSIZE: value longer than 63 bytes" ]
	[ "${lines[2]}" = "value next" ]
}

@test "a message above the length limit closes the connection with a protocol error" {
	run -1 q postgres voip "SELECT repeat('y', 20000)::int" "SELECT 'never'"
	[[ ${lines[1]} == "error EPROTO: protocol error: message of type 0x45 with length "* ]]
	[ "${lines[2]}" = "error ENOTCONN: no connection to the server" ]
}

@test "password authentication is refused without sending anything: SCRAM, MD5, cleartext" {
	run -1 q scram_user voip "SELECT 1"
	[ "${lines[0]}" = "connect error EACCES: connection to server on socket \"$(SOCK)\" failed: the server asks for SASL (SCRAM) password authentication; only peer (or trust) authentication on the local socket is supported (pg_hba.conf)" ]
	run -1 q md5_user voip "SELECT 1"
	[[ ${lines[0]} == "connect error EACCES: "*"asks for an MD5 password authentication"* ]]
	run -1 q password_user voip "SELECT 1"
	[[ ${lines[0]} == "connect error EACCES: "*"asks for a cleartext password authentication"* ]]
}

@test "FATAL at startup: peer authentication as the wrong OS user, pg_hba reject, a missing database" {
	# root is not postgres: peer authentication fails
	run -1 "$PGWIRE_QUERY" "$(SOCK)" postgres voip 2000 "SELECT 1"
	[[ ${lines[0]} == "connect error EIO: "*"FATAL:  Peer authentication failed for user \"postgres\"" ]]
	run -1 q nobody voip
	[[ ${lines[0]} == "connect error EIO: "*"FATAL:  pg_hba.conf rejects connection"* ]]
	run -1 q postgres no_such_db
	[[ ${lines[0]} == "connect error EIO: "*"FATAL:  database \"no_such_db\" does not exist" ]]
}

@test "root connects as postgres through pg_euid_enter and is root again afterwards" {
	run -0 "$PGWIRE_QUERY" --as-postgres "$(SOCK)" postgres voip 2000 "SELECT current_user"
	[ "${lines[0]}" = connected ]
	[ "${lines[1]}" = "value postgres" ]
}

@test "no server: the socket's error" {
	run -1 "$PGWIRE_QUERY" "$T/nothing/.s.PGSQL.1" postgres voip 2000
	[ "${lines[0]}" = "connect error ENOENT: connection to server on socket \"$T/nothing/.s.PGSQL.1\" failed: No such file or directory" ]
}

@test "the timeout bounds the whole conversation: a slow query, a hung server" {
	local t0 t1
	t0=$(date +%s%N)
	run -1 q postgres voip "SELECT pg_sleep(5)::text"
	t1=$(date +%s%N)
	[ "${lines[1]}" = "error ETIMEDOUT: timeout expired" ]
	[ $(((t1 - t0) / 1000000)) -lt 4000 ]
	kill -STOP "$(head -n1 "$T/data/postmaster.pid")"
	t0=$(date +%s%N)
	run -1 q postgres voip "SELECT 1"
	t1=$(date +%s%N)
	kill -CONT "$(head -n1 "$T/data/postmaster.pid")"
	[[ ${lines[0]} == "connect error ETIMEDOUT: "*"failed: timeout expired" ]]
	[ $(((t1 - t0) / 1000000)) -lt 4000 ]
}

@test "a new deadline after the connect: a query slower than the connect's bound completes within it, and the new bound holds" {
	run -0 runuser -u postgres -- "$PGWIRE_QUERY" "$(SOCK)" postgres voip 300 "@timeout=3000" "SELECT pg_sleep(0.6)::text"
	[ "${lines[2]}" = "value " ]
	run -1 runuser -u postgres -- "$PGWIRE_QUERY" "$(SOCK)" postgres voip 3000 "@timeout=300" "SELECT pg_sleep(2)::text"
	[ "${lines[2]}" = "error ETIMEDOUT: timeout expired" ]
}

@test "Terminate ends the server's session" {
	run -0 q postgres voip "SELECT 1"
	for _ in $(seq 50); do
		n=$(psql_pg -d postgres -Atc "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgwire-test'")
		[ "$n" = 0 ] && break
		sleep 0.1
	done
	[ "$n" = 0 ]
}
