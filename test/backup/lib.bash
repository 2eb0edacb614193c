# shellcheck shell=bash
# Three machines on one host for the backup suite (test/backup/backup.bats):
# the repository host (198.51.100.2) and two PostgreSQL 15 nodes (.11, .12),
# all in one network namespace of the suite's own (its loopback holding the
# three addresses), each in a mount namespace of its own where its
# directories are bound over the real paths the generated files name
# (/etc/pgbackrest, /var/lib/postgresql, /var/lib/pgbackrest, /var/spool,
# /var/log/pgbackrest, /var/run/postgresql, /run/voip-ha, /tmp). So pgBackRest and
# PostgreSQL read the files `voip-ha generate` wrote, unchanged, and the
# host's own /etc/pgbackrest.conf (Debian's) as the main file beside them.
#
#   bk_setup DIR           the namespace, the machines' directories
#   bk_teardown            stops what bk_* started, removes it all
#   bk_in M CMD...         CMD as postgres on machine M (repo, node1, node2,
#                          rogue); BK_TIMEOUT=S bounds it to S seconds
#   bk_bg M NAME CMD...    the same in the background (stopped by teardown)
#   bk_certs CONF          every machine's TLS files, made by voip-ha
#   bk_tls M CONF NODE     M's TLS files for NODE of CONF (voip-ha backup-tls)
#   bk_repo_bundle CONF    the repository host's files from the bundle
#   bk_standby_of M ADDR   M's data directory copied from the primary at
#                          ADDR (pg_basebackup -R), started as its standby
#   bk_wait_port ADDR      until a pgbackrest server answers at ADDR:8432
#   bk_wait_archived M SEG until M's archiver has archived SEG (120 s bound,
#                          or BK_ARCHIVE_WAIT)
#   bk_wait_promoted PORT  until node1's server on PORT left recovery
#   bk_pg_init M           initdb of machine M's data directory
#   bk_pg_start M / bk_pg_stop M
#   bk_psql M SQL          one statement through M's socket, as postgres

BK_NS=vhbk$$
BK_PG=/usr/lib/postgresql/15/bin
BK_ADDR_repo=198.51.100.2
BK_ADDR_node1=198.51.100.11
BK_ADDR_node2=198.51.100.12

bk_setup() {
	BK=$1
	mkdir -p "$BK"
	chmod 0755 "$BK"
	ip netns add "$BK_NS"
	ip -n "$BK_NS" link set lo up
	ip -n "$BK_NS" addr add 198.51.100.2/32 dev lo
	ip -n "$BK_NS" addr add 198.51.100.11/32 dev lo
	ip -n "$BK_NS" addr add 198.51.100.12/32 dev lo
	# the mount point of every machine's /etc/pgbackrest
	if [ ! -d /etc/pgbackrest ]; then
		mkdir /etc/pgbackrest
		touch "$BK/.made-etc-pgbackrest"
	fi
	# and of /run/voip-ha (backup.state)
	if [ ! -d /run/voip-ha ]; then
		mkdir /run/voip-ha
		touch "$BK/.made-run-voip-ha"
	fi
	local m d
	for m in repo node1 node2 rogue; do
		for d in etc/conf.d etc/tls pglib spool log repo run vrun tmp; do
			mkdir -p "$BK/$m/$d"
		done
		chown -R postgres:postgres "$BK/$m"
		chmod 0700 "$BK/$m/pglib"
		chmod 1777 "$BK/$m/tmp"
		chown root:postgres "$BK/$m/etc" "$BK/$m/etc/conf.d"
	done
}

bk_teardown() {
	local f
	[ -n "${BK:-}" ] || return 0
	for f in "$BK"/*.pid; do
		[ -e "$f" ] || continue
		kill -- "-$(cat "$f")" 2>/dev/null || true
	done
	for m in node1 node2; do
		[ ! -e "$BK/$m/pglib/15/main/postmaster.pid" ] || bk_pg_stop "$m" immediate || true
	done
	if [ -e "$BK/node1/pglib/scratch/postmaster.pid" ]; then
		bk_in node1 "$BK_PG/pg_ctl" -D /var/lib/postgresql/scratch -m immediate -w stop >/dev/null || true
	fi
	for f in "$BK"/*.pid; do
		[ -e "$f" ] || continue
		kill -9 -- "-$(cat "$f")" 2>/dev/null || true
		rm -f "$f"
	done
	ip netns del "$BK_NS" 2>/dev/null || true
	# the full-disk test's small repository file system, if it stayed
	if mountpoint -q "$BK/repo/repo"; then
		umount "$BK/repo/repo" || umount -l "$BK/repo/repo" || true
	fi
	if [ -e "$BK/.made-etc-pgbackrest" ]; then
		rmdir /etc/pgbackrest 2>/dev/null || true
	fi
	if [ -e "$BK/.made-run-voip-ha" ]; then
		rmdir /run/voip-ha 2>/dev/null || true
	fi
	rm -rf "$BK"
}

# bk_in M CMD...: run CMD as postgres on machine M.
bk_in() {
	local m=$1
	shift
	# shellcheck disable=SC2016 # the inner script expands its own arguments
	${BK_TIMEOUT:+timeout "$BK_TIMEOUT"} ip netns exec "$BK_NS" unshare -m --propagation private -- \
		/bin/sh -c '
			m=$1; shift
			mount --bind "$m/etc" /etc/pgbackrest &&
			mount --bind "$m/pglib" /var/lib/postgresql &&
			mount --bind "$m/repo" /var/lib/pgbackrest &&
			mount --bind "$m/spool" /var/spool &&
			mount --bind "$m/log" /var/log/pgbackrest &&
			mount --bind "$m/run" /var/run/postgresql &&
			mount --bind "$m/vrun" /run/voip-ha &&
			mount --bind "$m/tmp" /tmp &&
			cd / && exec setpriv --reuid=postgres --regid=postgres --init-groups \
				env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/var/lib/postgresql "$@"
		' bk-in "$BK/$m" "$@" 3>&-
}

# bk_bg M NAME CMD...: bk_in in its own process group, PID in $BK/NAME.pid.
bk_bg() {
	local m=$1 name=$2
	shift 2
	setsid bash -c "$(declare -f bk_in); BK=$BK BK_NS=$BK_NS; bk_in \"\$@\"" bk-bg \
		"$m" "$@" >"$BK/$name.log" 2>&1 </dev/null 3>&- &
	echo $! >"$BK/$name.pid"
}

bk_stop_bg() { # NAME
	[ -e "$BK/$1.pid" ] || return 0
	kill -- "-$(cat "$BK/$1.pid")" 2>/dev/null || true
	local _
	for _ in $(seq 50); do
		kill -0 "$(cat "$BK/$1.pid")" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$BK/$1.pid"
}

# bk_tls M CONF NODE: machine M's TLS files made by `voip-ha backup-tls`
# for NODE of cluster.conf CONF (the product's CA, derived from its
# replication_password; the key 0640 root:postgres).
bk_tls() {
	rm -f "$BK/$1/etc/tls/"*
	"$VOIPHA" backup-tls --config "$2" --node "$3" --dir "$BK/$1/etc/tls" >/dev/null
}

# bk_repo_bundle CONF: the repository host's files as the product gives
# them: `voip-ha backup-host` on a node writes the bundle,
# `voip-ha-witness backup-host install --root` puts it in place below
# $BK/repo/root, whose etc/pgbackrest becomes the machine's /etc/pgbackrest.
bk_repo_bundle() {
	"$VOIPHA" backup-host --config "$1" --templates "$REPO_TOP/templates" --out "$BK/bundle.tar" 2>/dev/null
	"$VOIPHA_WITNESS" backup-host install --root "$BK/repo/root" "$BK/bundle.tar" 2>/dev/null
	rm -rf "$BK/repo/etc"
	ln -s root/etc/pgbackrest "$BK/repo/etc"
}

# bk_certs: every machine's TLS files as the product makes them: the nodes'
# with `voip-ha backup-tls`, the repository host's from the bundle of
# `voip-ha backup-host` (bk_repo_bundle). "rogue" has node1's address in a
# certificate from another CA (another replication_password).
bk_certs() { # CONF
	local conf=$1
	bk_tls node1 "$conf" node1
	bk_tls node2 "$conf" node2
	sed 's/^replication_password=.*/replication_password=another pair/' "$conf" >"$BK/other.conf"
	bk_tls rogue "$BK/other.conf" node1
	# it trusts the pair's CA (so the repository host's refusal is what is
	# tested); its own CA is kept aside
	mv "$BK/rogue/etc/tls/ca.crt" "$BK/other-ca.crt"
	cp -p "$BK/node1/etc/tls/ca.crt" "$BK/rogue/etc/tls/ca.crt"
	bk_repo_bundle "$conf"
}

bk_standby_of() { # M ADDR
	local m=$1
	bk_in "$m" "$BK_PG/pg_basebackup" -h "$2" -U postgres -D /var/lib/postgresql/15/main -R \
		-X stream -c fast
	sed -i "s/^listen_addresses = .*/listen_addresses = '$(eval echo "\$BK_ADDR_$m")'/" \
		"$BK/$m/pglib/15/main/postgresql.conf"
	bk_pg_start "$m"
}

bk_wait_port() { # ADDR
	local _
	for _ in $(seq 100); do
		ip netns exec "$BK_NS" bash -c "exec 3<>/dev/tcp/$1/8432" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no pgbackrest server at $1:8432" >&2
	return 1
}

# SEG is archived when M's PostgreSQL has written past it and holds no
# SEG.ready. last_archived_wal alone would not do: the archiver may take a
# backup history file (16.00000028.backup) after the segment that follows it
# (17) and then, idle, name the older one for as long as nothing is written.
bk_wait_archived() { # M SEG (BK_ARCHIVE_WAIT=S: another bound than 120 s)
	local _ last ok wait=${BK_ARCHIVE_WAIT:-120}
	for _ in $(seq $((wait * 2))); do
		ok=$(bk_psql "$1" "select pg_walfile_name(pg_current_wal_flush_lsn() + 1) > '$2'
			and not exists (select from pg_ls_archive_statusdir() where name = '$2.ready')")
		[ "$ok" != t ] || return 0
		sleep 0.5
	done
	last=$(bk_psql "$1" "select coalesce(last_archived_wal, '') from pg_stat_archiver")
	echo "$1 did not archive $2 within $wait s (last: $last)" >&2
	bk_psql "$1" "select * from pg_stat_archiver" >&2
	bk_archive_diag "$1" >&2
	return 1
}

# bk_archive_diag M: what M's archiving is doing (a failure's diagnostics):
# pgBackRest's processes, M's spool, the ends of M's pgBackRest logs and of
# the repository server's.
bk_archive_diag() {
	local f
	echo "--- pgbackrest processes:"
	ps -eo pid,pgid,etimes,stat,args | grep '[p]gbackrest' | cut -c1-200
	echo "--- $1's spool:"
	find "$BK/$1/spool" -type f -printf '%TT %s %p\n' 2>/dev/null | sort | tail -n 20
	for f in "$BK/$1/log/"*.log "$BK/srv-repo.log"; do
		[ -e "$f" ] || continue
		echo "--- ${f#"$BK/"} (end):"
		tail -n 25 "$f"
	done
}

bk_wait_promoted() { # PORT
	local _ r
	for _ in $(seq 240); do
		r=$(bk_in node1 psql -X -At -h /var/run/postgresql -p "$1" -d postgres \
			-c "select pg_is_in_recovery()" 2>/dev/null) || r=
		[ "$r" != f ] || return 0
		sleep 0.5
	done
	echo "the restored server on port $1 did not leave recovery within 120 s" >&2
	return 1
}

bk_pg_init() { # M
	bk_in "$1" "$BK_PG/initdb" -D /var/lib/postgresql/15/main -A trust -U postgres \
		--data-checksums >/dev/null
}

bk_pg_start() { # M [postgres options]
	local m=$1
	shift
	bk_in "$m" "$BK_PG/pg_ctl" -D /var/lib/postgresql/15/main -l /var/lib/postgresql/15/log -w \
		${1:+-o "$*"} start >/dev/null
}

bk_pg_stop() { # M [mode]
	bk_in "$1" "$BK_PG/pg_ctl" -D /var/lib/postgresql/15/main -m "${2:-fast}" -w stop >/dev/null
}

bk_psql() { # M SQL
	bk_in "$1" psql -X -q -At -v ON_ERROR_STOP=1 -h /var/run/postgresql -d postgres -c "$2"
}
