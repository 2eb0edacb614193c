# A throw-away PostgreSQL 15 cluster for the voip-admind tests, with the
# roles and schemas the nodes have (doc/DESIGN.md "Database layout").
#
#   pg_start DIR PORT   initdb + start as user postgres, on 127.0.0.1:PORT
#                       and a socket in DIR; roles voip_admin and kamailio;
#                       database voip; kamailio schema; our migrations.
#   pg_stop DIR / pg_restart DIR / pg_down DIR
#   pg_psql DIR ARGS    psql as the superuser over the socket
#
# Secrets: the voip_admin password is random, written to DIR/db_password
# (0600), and reaches PostgreSQL as a client-computed SCRAM verifier on
# psql's stdin, never on a command line.

PG_BINDIR=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
TEST_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_ROOT=$(cd "$TEST_LIB_DIR/../../.." && pwd)

as_postgres() {
	runuser -u postgres -- "$@"
}

pg_psql() {
	local dir=$1
	shift
	as_postgres "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/sock" \
		-p "$(cat "$dir/port")" -U postgres "$@"
}

pg_start() {
	local dir=$1 port=$2
	mkdir -p "$dir/sock" || return 1
	echo "$port" > "$dir/port"
	chown -R postgres: "$dir" || return 1
	as_postgres "$PG_BINDIR/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
		--locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
	cat >>"$dir/data/postgresql.conf" <<-CONF
	listen_addresses = '127.0.0.1'
	port = $port
	unix_socket_directories = '$dir/sock'
	password_encryption = 'scram-sha-256'
	fsync = off
	synchronous_commit = off
	full_page_writes = off
	max_connections = 100
	shared_buffers = 64MB
	CONF
	cat >"$dir/data/pg_hba.conf" <<-HBA
	local all postgres trust
	local all all scram-sha-256
	host all all 127.0.0.1/32 scram-sha-256
	HBA
	pg_up "$dir" || return 1
	head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$dir/db_password"
	chmod 0600 "$dir/db_password"
	pg_psql "$dir" -d postgres <<-SQL || return 1
	CREATE ROLE voip_admin LOGIN;
	CREATE ROLE kamailio LOGIN;
	CREATE DATABASE voip OWNER voip_admin;
	SQL
	# the verifier is computed by psql's \password-equivalent on the client
	printf '%s\n' "SET password_encryption = 'scram-sha-256';" \
		"ALTER ROLE voip_admin PASSWORD '$(cat "$dir/db_password")';" |
		pg_psql "$dir" -d postgres -f - || return 1
	pg_psql "$dir" -d voip <<-SQL || return 1
	CREATE SCHEMA voip AUTHORIZATION voip_admin;
	CREATE SCHEMA kamailio AUTHORIZATION kamailio;
	SET ROLE kamailio;
	SET search_path = kamailio;
	\i /usr/share/kamailio/postgres/standard-create.sql
	\i /usr/share/kamailio/postgres/auth_db-create.sql
	RESET ROLE;
	GRANT USAGE ON SCHEMA kamailio TO voip_admin;
	GRANT SELECT, INSERT, UPDATE, DELETE ON kamailio.subscriber TO voip_admin;
	GRANT USAGE ON SEQUENCE kamailio.subscriber_id_seq TO voip_admin;
	SQL
	"$TEST_LIB_DIR/migrate" "$dir/sock" "$port" voip voip_admin "$dir/db_password" \
		"$SRC_ROOT/db/migrations" >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; return 1; }
}

pg_up() {
	local dir=$1
	as_postgres "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
		>/dev/null || { cat "$dir/server.log" >&2; return 1; }
}

pg_down() {
	local dir=$1
	as_postgres "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}

pg_stop() {
	local dir=$1
	[ -f "$dir/data/postmaster.pid" ] || return 0
	as_postgres "$PG_BINDIR/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1
	true
}
