# Throwaway PostgreSQL 15 for the CDR tests: sourced by the suites.
#   cdr_pg_start PORT   initdb in a temp dir (as postgres when run as root),
#                       start on 127.0.0.1:PORT, create database voip and role
#                       voip_admin, apply db/migrations/*.sql in order.
#   cdr_pg_stop / cdr_pg_kill / cdr_pg_restart
#   cdr_psql SQL        run SQL as the superuser, unaligned tuples only.
# Sets CDR_PG_DIR, CDR_PG_PORT, CDR_PG_PASSFILE (0600, for voip_admin).
export PGOPTIONS="-c client_min_messages=warning"
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

cdr_pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

cdr_pg_start() {
	CDR_PG_PORT=$1
	CDR_PG_DIR=$(mktemp -d /tmp/cdr-pg.XXXXXX)
	chmod 755 "$CDR_PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres: "$CDR_PG_DIR"
	cdr_pg_as "$PG_BIN/initdb" -D "$CDR_PG_DIR/data" -U postgres -A trust \
		--no-sync >"$CDR_PG_DIR/initdb.log" 2>&1 || return 1
	cat >>"$CDR_PG_DIR/data/postgresql.conf" <<EOC
listen_addresses = '127.0.0.1'
port = $CDR_PG_PORT
unix_socket_directories = '$CDR_PG_DIR'
fsync = on
max_connections = 40
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 4
EOC
	cdr_pg_restart || return 1
	cdr_pg_as "$PG_BIN/psql" -h "$CDR_PG_DIR" -p "$CDR_PG_PORT" -U postgres -d postgres \
		-qAt -c "CREATE DATABASE voip" >/dev/null || return 1
	# voip_admin authenticates with a password (scram), as in production.
	cdr_psql "CREATE ROLE voip_admin LOGIN PASSWORD 'cdr-test-pw'" >/dev/null || return 1
	for f in db/migrations/*.sql; do
		cdr_pg_as "$PG_BIN/psql" -h "$CDR_PG_DIR" -p "$CDR_PG_PORT" -U postgres -d voip \
			-v ON_ERROR_STOP=1 -q -f "$f" >/dev/null || { echo "migration $f failed" >&2; return 1; }
	done
	cdr_psql "GRANT USAGE ON SCHEMA voip TO voip_admin;
		  GRANT ALL ON ALL TABLES IN SCHEMA voip TO voip_admin;
		  GRANT pg_monitor TO voip_admin" >/dev/null || return 1
	CDR_PG_PASSFILE=$CDR_PG_DIR/pgpass
	echo "127.0.0.1:$CDR_PG_PORT:voip:voip_admin:cdr-test-pw" >"$CDR_PG_PASSFILE"
	chmod 600 "$CDR_PG_PASSFILE"
}

cdr_pg_restart() {
	cdr_pg_as "$PG_BIN/pg_ctl" -D "$CDR_PG_DIR/data" -l "$CDR_PG_DIR/log" -w -t 60 start >/dev/null
}

cdr_pg_stop() {
	[ -n "${CDR_PG_DIR:-}" ] || return 0
	cdr_pg_as "$PG_BIN/pg_ctl" -D "$CDR_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
}

# Immediate shutdown: like a crash, the server must recover from WAL.
cdr_pg_kill() {
	cdr_pg_as "$PG_BIN/pg_ctl" -D "$CDR_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
}

cdr_pg_cleanup() {
	[ -n "${CDR_PG_DIR:-}" ] || return 0
	cdr_pg_stop
	rm -rf "$CDR_PG_DIR"
}

cdr_psql() {
	cdr_pg_as "$PG_BIN/psql" -h "$CDR_PG_DIR" -p "$CDR_PG_PORT" -U postgres -d voip \
		-v ON_ERROR_STOP=1 -qAt -c "$1"
}
