# Helpers for the templates suites (test/templates/*.bats): generating with
# the real `voip-ha generate`, reading answers back, and "mini nodes":
# network namespaces on a private bridge (198.51.100.0/24 only) with a
# private mount namespace each, in which the generated /etc is overlaid on
# the real one, so daemons read the generated files at their real paths.

# shellcheck disable=SC2034 # FIXTURES and the rest are used by the .bats files
TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VOIPHA=${VOIPHA:-$TOP/build/voip-ha}
VOIPHA_CHECK=${VOIPHA_CHECK:-$(dirname "$VOIPHA")/voip-ha-check}
FIXTURES=$TOP/test/fixtures
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# gen_all CONF OUTDIR: node1/, node2/ and DEPLOY.md under OUTDIR.
gen_all() {
	"$VOIPHA" generate --all --out "$2" --config "$1" --templates "$TOP/templates"
}

# conf_get FILE KEY: the verbatim value of KEY (everything after the first '=').
conf_get() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in "$2="*) printf '%s' "${line#*=}"; return 0 ;; esac
	done < "$1"
	return 1
}

# conf_with FILE KEY VALUE OUT: a copy of FILE with KEY set to VALUE.
conf_with() {
	local line done=0
	: > "$4"
	chmod 600 "$4"
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		"$2="*) printf '%s=%s\n' "$2" "$3" >> "$4"; done=1 ;;
		*) printf '%s\n' "$line" >> "$4" ;;
		esac
	done < "$1"
	[ "$done" = 1 ] || printf '%s=%s\n' "$2" "$3" >> "$4"
}

# sql_literal VALUE: VALUE as a standard_conforming_strings SQL literal.
sql_literal() {
	local q="'"
	printf "'%s'" "${1//$q/$q$q}"
}

# xml_param FILE NAME: the value attribute of <param name="NAME">.
xml_param() {
	xmllint --xpath "string(//param[@name='$2']/@value)" "$1"
}

# shellcheck source=../lib/prereq.bash
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/prereq.bash"

# ---- mini nodes -------------------------------------------------------------
# MN is a per-run prefix; every namespace and temp dir is named after it.

mn_init() {
	MN=vht$$
	MN_DIR=$(mktemp -d /tmp/voipha-tpl.XXXXXX)
	chmod 755 "$MN_DIR"
	ip netns add "${MN}sw"
	ip -n "${MN}sw" link set lo up
	ip -n "${MN}sw" link add br0 type bridge
	ip -n "${MN}sw" link set br0 up
	export MN MN_DIR
}

# mn_node NAME ETC_OVERLAY ADDR/PREFIX...: a namespace NAME with interface
# host0 on the bridge holding the given addresses, and a holder process whose
# mount namespace sees ETC_OVERLAY (may be "-") on top of /etc and stand-ins
# for /usr/sbin/voip-ha and /usr/lib/voip-ha/voip-ha-check (keepalived's
# vrrp_script: the real builds, or the script in $MN_SBIN_STUB for both) so
# keepalived's script security checks pass.
mn_node() {
	local name=$1 etc=$2 a
	shift 2
	ip netns add "${MN}$name"
	ip -n "${MN}$name" link set lo up
	ip -n "${MN}sw" link add "$name" type veth peer name host0 netns "${MN}$name"
	ip -n "${MN}sw" link set "$name" master br0 up
	for a in "$@"; do
		ip -n "${MN}$name" addr add "$a" dev host0
	done
	ip -n "${MN}$name" link set host0 up
	mkdir -p "$MN_DIR/$name/sbin" "$MN_DIR/$name/lib/voip-ha"
	if [ -n "${MN_SBIN_STUB:-}" ]; then
		printf '%s\n' "$MN_SBIN_STUB" > "$MN_DIR/$name/sbin/voip-ha"
		chmod 0755 "$MN_DIR/$name/sbin/voip-ha"
		install -m 0755 "$MN_DIR/$name/sbin/voip-ha" "$MN_DIR/$name/lib/voip-ha/voip-ha-check"
	else
		install -m 0755 "$VOIPHA" "$MN_DIR/$name/sbin/voip-ha"
		install -m 0755 "$VOIPHA_CHECK" "$MN_DIR/$name/lib/voip-ha/voip-ha-check"
	fi
	mkdir -p "$MN_DIR/$name/rec" "$MN_DIR/rec"
	local mounts="mount -t overlay overlay -o lowerdir=$MN_DIR/$name/sbin:/usr/sbin /usr/sbin"
	mounts="$mounts && mount -t overlay overlay -o lowerdir=$MN_DIR/$name/lib:/usr/lib /usr/lib"
	[ "$etc" = - ] || mounts="$mounts && mount -t overlay overlay -o lowerdir=$etc:/etc /etc"
	# A private /run (pid files, control sockets) and a per-node recordings
	# folder at the shared path $MN_DIR/rec.
	mounts="$mounts && mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -p /run/kamailio"
	mounts="$mounts && mount --bind $MN_DIR/$name/rec $MN_DIR/rec"
	ip netns exec "${MN}$name" unshare -m --propagation private \
		sh -c "$mounts && exec sleep 86400" </dev/null >/dev/null 2>&1 &
	echo $! > "$MN_DIR/$name.holder"
	# Wait until the overlays are in place (the holder is then sleeping).
	local i
	for i in $(seq 50); do
		[ "$(readlink /proc/$!/exe 2>/dev/null)" = "$(readlink -f /bin/sleep)" ] && return 0
		sleep 0.1
	done
	echo "mini node $name did not come up" >&2
	return 1
}

# mn_exec NAME CMD...: run CMD inside node NAME (its network and mounts).
mn_exec() {
	local name=$1
	shift
	nsenter -t "$(cat "$MN_DIR/$name.holder")" -m -n -- "$@"
}

# mn_spawn NAME LOG CMD...: start daemon CMD in node NAME in the background,
# output to LOG, as the leader of its own process group (setsid and nsenter
# exec CMD itself, so its pid is the group's id); the pid is recorded for
# cleanup and left in MN_PID. Stop it with mn_stop: a daemon's children
# (Kamailio's workers) must go with it, or an orphan goes on logging into a
# deleted file until the disk is full.
mn_spawn() {
	local name=$1 log=$2
	shift 2
	setsid nsenter -t "$(cat "$MN_DIR/$name.holder")" -m -n -- "$@" > "$log" 2>&1 &
	MN_PID=$!
	echo "$MN_PID" >> "$MN_DIR/$name.pids"
}

# mn_stop PID: SIGTERM to the process group mn_spawn started, up to 5 s for
# its leader to go, then SIGKILL to whatever is left of the group.
mn_stop() {
	local pid=$1 i
	kill -TERM -- "-$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null || true
	return 0
}

mn_cleanup() {
	[ -n "${MN:-}" ] || return 0
	local f pid
	for f in "$MN_DIR"/*.pids; do
		[ -e "$f" ] || continue
		while read -r pid; do kill -TERM -- "-$pid" 2>/dev/null; done < "$f"
	done
	# Give them a moment to stop, then make sure (the whole group).
	sleep 0.5
	for f in "$MN_DIR"/*.pids; do
		[ -e "$f" ] || continue
		while read -r pid; do kill -KILL -- "-$pid" 2>/dev/null; done < "$f"
	done
	for f in "$MN_DIR"/*.pg; do
		[ -e "$f" ] || continue
		runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$(cat "$f")" -m immediate stop >/dev/null 2>&1
	done
	for f in "$MN_DIR"/*.holder; do
		[ -e "$f" ] || continue
		kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.2
	for f in $(ip netns list | awk '{print $1}' | grep "^${MN}"); do
		ip netns del "$f"
	done
	rm -rf "$MN_DIR"
}

# ---- PostgreSQL in a mini node ----------------------------------------------

# mn_pg_start NAME GENDIR [PRIMARY]: initdb and start PostgreSQL in node
# NAME with the generated conf.d file and pg_hba.conf from GENDIR (a node's
# output tree), laid out like Debian's cluster config (include_dir last).
# With PRIMARY (an address), the data directory is instead a streaming
# standby of the PostgreSQL there: pg_basebackup -R as the replicator role,
# with the generated .pgpass of GENDIR (as `voip-ha clone` logs in).
mn_pg_start() {
	local name=$1 gen=$2 primary=${3:-} d=$MN_DIR/$1/pg
	mkdir -p "$d/etc/conf.d" "$d/sock"
	chown -R postgres:postgres "$d"
	if [ -n "$primary" ]; then
		install -o postgres -g postgres -m 0600 "$gen/var/lib/postgresql/.voip-ha.pgpass" "$d/pgpass"
		mn_exec "$name" runuser -u postgres -- env PGPASSFILE="$d/pgpass" "$PG_BIN/pg_basebackup" \
			-h "$primary" -p 5432 -U replicator -w -D "$d/data" -X stream -c fast -R >/dev/null || return 1
	else
		runuser -u postgres -- "$PG_BIN/initdb" -D "$d/data" -U postgres -A peer >/dev/null || return 1
	fi
	install -o postgres -g postgres -m 0640 "$gen"/etc/postgresql/15/main/pg_hba.conf "$d/etc/pg_hba.conf"
	install -o postgres -g postgres -m 0644 "$gen"/etc/postgresql/15/main/conf.d/50-voip-ha.conf "$d/etc/conf.d/"
	cat > "$d/etc/postgresql.conf" <<-EOF
	data_directory = '$d/data'
	hba_file = '$d/etc/pg_hba.conf'
	ident_file = '$d/data/pg_ident.conf'
	unix_socket_directories = '$d/sock'
	logging_collector = off
	include_dir = 'conf.d'
	EOF
	chown postgres:postgres "$d/etc/postgresql.conf"
	echo "$d/etc" > "$MN_DIR/$name.pg"
	mn_exec "$name" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/etc" -l "$d/log" -w -t 60 start >/dev/null || {
		cat "$d/log" >&2
		return 1
	}
}

# mn_pg_stop NAME: PostgreSQL in node NAME stopped as systemd stops it
# (fast shutdown: sessions ended, a checkpoint).
mn_pg_stop() {
	mn_exec "$1" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$MN_DIR/$1/pg/etc" -m fast -w -t 60 stop >/dev/null
}

# mn_pg_promote NAME: the standby in node NAME promoted (waits until done).
mn_pg_promote() {
	mn_exec "$1" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$MN_DIR/$1/pg/etc" -w -t 60 promote >/dev/null
}

# mn_psql NAME [psql args]: psql as postgres over node NAME's socket.
mn_psql() {
	local name=$1
	shift
	mn_exec "$name" runuser -u postgres -- psql -h "$MN_DIR/$name/pg/sock" -p 5432 -X -q -v ON_ERROR_STOP=1 "$@"
}
