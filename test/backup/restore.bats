#!/usr/bin/env bats
# voip-ha restore (doc/DESIGN.md, "Backups", Restore) on the backup suite's
# three machines (test/backup/lib.bash): the repository host (198.51.100.2)
# running a real `pgbackrest server`, node1 (.11) the primary holding the
# VIP (.10), a Debian cluster that pg_ctlcluster runs (no systemd here), and
# node2 (.12) its standby, with a full backup taken from the standby. Every
# refusal leaves everything as it was (the data directory the same inode,
# PostgreSQL the same primary on the same timeline with the same rows, no
# marker, no kept copy); a restore brings the deleted rows back and none
# written after the point, on a new timeline archived to the repository, the
# old data directory kept aside; a restore that fails puts it back; a data
# directory that is its own mount point is kept inside itself. The peer's
# rebuild and the VIP are the nspawn drill's (make check-e2e-backup).
bats_require_minimum_version 1.5.0

load ../lib/prereq
load lib

REPO_TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VOIPHA=${VOIPHA:-$REPO_TOP/build/voip-ha}

# rs_root M CMD...: CMD as root on machine M, with bk_in's directories and
# the node's own: Debian's cluster configuration, voip-ha's state and run
# directories.
rs_root() {
	local m=$1
	shift
	# shellcheck disable=SC2016 # the inner script expands its own arguments
	ip netns exec "$BK_NS" unshare -m --propagation private -- /bin/sh -c '
		m=$1; shift
		mount --bind "$m/etc" /etc/pgbackrest &&
		mount --bind "$m/pglib" /var/lib/postgresql &&
		mount --bind "$m/repo" /var/lib/pgbackrest &&
		mount --bind "$m/spool" /var/spool &&
		mount --bind "$m/log" /var/log/pgbackrest &&
		mount --bind "$m/run" /var/run/postgresql &&
		mount --bind "$m/tmp" /tmp &&
		mount --bind "$m/pgetc" /etc/postgresql &&
		mount --bind "$m/pglog" /var/log/postgresql &&
		mount --bind "$m/state" /var/lib/voip-ha &&
		mount --bind "$m/vrun" /run/voip-ha &&
		cd / && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
	' rs-root "$BK/$m" "$@" 3>&-
}

rs_q() { # SQL: one value from node1's primary
	bk_psql node1 "$1"
}

# What a refusal must leave as it was.
rs_snapshot() {
	{
		stat -c 'inode %i' "$BK/node1/pglib/15/main"
		ls "$BK/node1/pglib/15"
		rs_q "select pg_is_in_recovery(), (select count(*) from keep)"
		rs_q "select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"
		ls "$BK/node1/state" "$BK/node1/vrun"
	} 2>&1
}

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	command -v pgbackrest >/dev/null && [ -x "$BK_PG/initdb" ] || return 0
	export BK=/var/tmp/voipha-restore.$$
	bk_setup "$BK"
	echo "$BK_NS" >"$BK/ns"
	local d
	for d in /var/lib/voip-ha /run/voip-ha; do
		[ -d "$d" ] || { mkdir -p "$d" && echo "$d" >>"$BK/.made-dirs"; }
	done
	mkdir -p "$BK/node1/pgetc" "$BK/node1/pglog" "$BK/node1/state" "$BK/node1/vrun"
	chown postgres:postgres "$BK/node1/pglog"
	ip -n "$BK_NS" addr add 198.51.100.10/32 dev lo
	# The restore's mechanics with the two-node rules (arbiter=none); the
	# third voter's part is the e2e drill's (test/e2e/backup.sh), its
	# refusal below.
	{
		grep -v -e '^postgresql_version=' -e '^arbiter' "$REPO_TOP/test/data/validation-base.conf"
		echo postgresql_version=15
		echo backup=repo-host
		echo backup_host=198.51.100.2
		echo backup_cipher_pass=restore-test-key
	} >"$BK/cluster.conf"
	{
		cat "$BK/cluster.conf"
		grep '^arbiter' "$REPO_TOP/test/data/validation-base.conf"
	} >"$BK/cluster-arbiter.conf"
	sed 's/^this_node=node1$/this_node=node2/' "$BK/cluster.conf" >"$BK/cluster-node2.conf"
	grep -v '^backup' "$BK/cluster.conf" >"$BK/cluster-none.conf"
	"$VOIPHA" generate --config "$BK/cluster.conf" --templates "$REPO_TOP/templates" \
		--all --out "$BK/gen" >/dev/null
	bk_certs "$BK/cluster.conf"
	install -m 0640 -o root -g postgres "$BK/gen/node1/etc/pgbackrest/conf.d/voip-ha.conf" \
		"$BK/node1/etc/conf.d/voip-ha.conf"
	install -m 0640 -o root -g postgres "$BK/gen/node2/etc/pgbackrest/conf.d/voip-ha.conf" \
		"$BK/node2/etc/conf.d/voip-ha.conf"
	# node1: a Debian cluster (pg_ctlcluster stops and starts it), with the
	# archiving lines of its generated 50-voip-ha.conf
	rs_root node1 pg_createcluster 15 main -- --data-checksums >/dev/null
	local conf=$BK/node1/pgetc/15/main/postgresql.conf
	sed -i 's/^ssl = on/ssl = off/' "$conf"
	{
		echo "listen_addresses = '198.51.100.11'"
		echo "wal_level = replica"
		echo "hot_standby = on"
		echo "wal_keep_size = 256MB"
		grep '^archive_' "$BK/gen/node1/etc/postgresql/15/main/conf.d/50-voip-ha.conf"
	} >>"$conf"
	printf '%s\n' "local all all trust" "host all,replication all 198.51.100.0/24 trust" \
		>"$BK/node1/pgetc/15/main/pg_hba.conf"
	rs_root node1 pg_ctlcluster 15 main start
	# node2: its standby (its own configuration in its data directory: the
	# primary's is in /etc/postgresql, which a copy does not carry)
	bk_in node2 "$BK_PG/pg_basebackup" -h 198.51.100.11 -U postgres -D /var/lib/postgresql/15/main \
		-R -X stream -c fast
	printf '%s\n' "listen_addresses = '198.51.100.12'" "hot_standby = on" \
		"unix_socket_directories = '/var/run/postgresql'" \
		>"$BK/node2/pglib/15/main/postgresql.conf"
	printf '%s\n' "local all all trust" "host all,replication all 198.51.100.0/24 trust" \
		>"$BK/node2/pglib/15/main/pg_hba.conf"
	chown postgres:postgres "$BK/node2/pglib/15/main/postgresql.conf" "$BK/node2/pglib/15/main/pg_hba.conf"
	bk_pg_start node2
	bk_bg repo srv-repo pgbackrest server
	bk_bg node1 srv-node1 pgbackrest server
	bk_bg node2 srv-node2 pgbackrest server
	bk_wait_port 198.51.100.2
	bk_wait_port 198.51.100.11
	bk_wait_port 198.51.100.12
	bk_in repo pgbackrest --stanza=voip-ha --log-level-console=warn stanza-create
	bk_psql node1 "create table keep(i int); insert into keep select generate_series(1, 100)"
	bk_in repo pgbackrest --stanza=voip-ha --type=full --log-level-console=warn backup
}

teardown_file() {
	[ -n "${BK:-}" ] || return 0
	BK_NS=$(cat "$BK/ns" 2>/dev/null) || true
	if [ -e "$BK/node1/pglib/15/main/postmaster.pid" ]; then
		rs_root node1 pg_ctlcluster 15 main stop -m immediate || true
	fi
	local d
	if [ -e "$BK/.made-dirs" ]; then
		while read -r d; do rmdir "$d" 2>/dev/null || true; done <"$BK/.made-dirs"
	fi
	bk_teardown
}

setup() {
	prereq_root "network and mount namespaces, PostgreSQL, voip-ha restore"
	prereq_cmd pgbackrest openssl unshare setpriv pg_createcluster
	prereq "PostgreSQL 15 server binaries" test -x "$BK_PG/initdb"
	if [ -z "${BK:-}" ] || [ ! -d "$BK" ]; then
		echo "setup_file did not build the machines" >&2
		return 1
	fi
	BK_NS=$(cat "$BK/ns")
}

# rs_refused STATUS MESSAGE ARGS...: voip-ha restore on node1 fails with
# STATUS, says MESSAGE, and nothing changed.
rs_refused() {
	local status=$1 msg=$2 before
	shift 2
	before=$(rs_snapshot)
	run "-$status" --separate-stderr rs_root node1 "$VOIPHA" restore --config "$BK/cluster.conf" \
		--peer-wait 0 "$@"
	echo "$stderr"
	[[ $stderr == *"$msg"* ]]
	[ "$(rs_snapshot)" = "$before" ]
	[ "$(rs_q "select pg_is_in_recovery()")" = f ]
}

@test "refused without --yes, with a malformed time, with both or neither of --time and --latest" {
	rs_refused 2 "add --yes to go ahead; nothing was changed" --time '2026-01-01 00:00:00'
	rs_refused 2 "add --yes" --latest
	rs_refused 2 "is not a time: no such day in that month" --time '2026-02-30 10:00:00' --yes
	rs_refused 2 "is not a time: not in that form" --time 'yesterday' --yes
	rs_refused 2 "is not a time: something follows the time" --time '2026-01-01 10:00:00 CET' --yes
	rs_refused 2 "give exactly one of --time" --time '2026-01-01 10:00:00' --latest --yes
	rs_refused 2 "give exactly one of --time" --yes
}

@test "refused when not root, and with backups off" {
	local before
	before=$(rs_snapshot)
	run -1 --separate-stderr bk_in node1 "$VOIPHA" restore --config "$BK/cluster.conf" --latest --yes
	[[ $stderr == *"'restore' must be run as root"* ]]
	[ "$(rs_snapshot)" = "$before" ]
	rs_refused 1 "backups are off (backup=none in $BK/cluster-none.conf); nothing was changed" \
		--config "$BK/cluster-none.conf" --latest --yes
}

@test "refused for a time before the end of the oldest backup, and one in the future" {
	rs_refused 1 "2020-01-01 00:00:00+00 is before the end of the oldest backup (20" \
		--time '2020-01-01 00:00:00' --yes
	local future
	future=$(date -u -d '+1 hour' '+%Y-%m-%d %H:%M:%S')
	rs_refused 1 "$future+00 is in the future (now: " --time "$future" --yes
	# an explicit offset names the same instant: an hour ahead in UTC+01:00 is now
	future=$(date -u -d '+2 hours' '+%Y-%m-%d %H:%M:%S')
	rs_refused 1 "is in the future" --time "$future+01:00" --yes
}

@test "refused when the repository does not answer" {
	bk_stop_bg srv-repo
	rs_refused 1 "the repository does not answer: stanza 'voip-ha': other: [HostConnectError]" \
		--latest --yes
	bk_bg repo srv-repo pgbackrest server
	bk_wait_port 198.51.100.2
}

@test "refused on the standby, and on a primary that does not hold the VIP" {
	mkdir -p "$BK/node2/pgetc" "$BK/node2/pglog" "$BK/node2/state" "$BK/node2/vrun"
	run -1 --separate-stderr rs_root node2 "$VOIPHA" restore --config "$BK/cluster-node2.conf" \
		--latest --yes --peer-wait 0
	[[ $stderr == *"this node's PostgreSQL is not the primary: run it on node1, the node that holds the VIP; nothing was changed"* ]]
	[ "$(bk_psql node2 "select pg_is_in_recovery()")" = t ]
	ip -n "$BK_NS" addr del 198.51.100.10/32 dev lo
	rs_refused 1 "this node does not hold the VIP 198.51.100.10: run it on node2" --latest --yes
	ip -n "$BK_NS" addr add 198.51.100.10/32 dev lo
}

@test "refused with the third voter when this node does not hold the leadership" {
	rs_refused 1 "arbiter=postgresql and the failover monitor's state is unreadable (/run/voip-ha/monitor.state: No such file or directory): is voip-ha-monitor running?" \
		--config "$BK/cluster-arbiter.conf" --latest --yes
	# One round of the monitor publishes the lease as not held (no lease
	# keeper in --once).
	rs_root node1 "$VOIPHA" monitor --once --config "$BK/cluster-arbiter.conf"
	grep -qx 'lease_held=0' "$BK/node1/vrun/monitor.state"
	rs_refused 1 "this node does not hold the leadership on the witness (voip-ha status): a restored primary without it would be fenced" \
		--config "$BK/cluster-arbiter.conf" --latest --yes
	rm "$BK/node1/vrun/monitor.state"
}

@test "refused while another restore is marked in progress" {
	echo "2026-01-01 00:00:00+00" >"$BK/node1/state/restoring"
	run -1 --separate-stderr rs_root node1 "$VOIPHA" restore --config "$BK/cluster.conf" --latest --yes \
		--peer-wait 0
	[[ $stderr == *"/var/lib/voip-ha/restoring exists: a restore runs or was interrupted"* ]]
	rm "$BK/node1/state/restoring"
}

@test "restore --time: the deleted rows are back, later rows absent, a new timeline archived, the old data kept" {
	local target tli_before seg
	bk_psql node1 "create table mistake(i int); insert into mistake select generate_series(1, 500)"
	tli_before=$(rs_q "select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")
	sleep 1.2 # commit timestamps on both sides of the target are distinct
	target=$(rs_q "select to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')")
	sleep 1.2
	bk_psql node1 "delete from mistake"
	bk_psql node1 "create table late(i int); insert into late values (1)"
	run -0 --separate-stderr rs_root node1 "$VOIPHA" restore --config "$BK/cluster.conf" \
		--time "$target" --yes --peer-wait 0
	echo "$stderr"
	[[ $stderr == *"restore: this node is the primary on timeline "* ]]
	[ "$(rs_q "select count(*) from mistake")" = 500 ]
	[ "$(rs_q "select to_regclass('late') is null")" = t ]
	[ "$(rs_q "select count(*) from keep")" = 100 ]
	[ "$(rs_q "select pg_is_in_recovery()")" = f ]
	# a new timeline, above every one the repository has seen
	[[ $(rs_q "select substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)") > $tli_before ]]
	# the old data directory kept aside, with the mistake in it
	run -0 compgen -G "$BK/node1/pglib/15/main.voip-ha-old-*"
	[ -e "$output/PG_VERSION" ]
	# no recovery target left for a standby copied from here to inherit
	run -1 grep -E '^(recovery_target|restore_command)' "$BK/node1/pglib/15/main/postgresql.auto.conf"
	# the markers are gone, the history says what happened
	[ ! -e "$BK/node1/state/restoring" ]
	[ ! -e "$BK/node1/vrun/maintenance" ]
	run -0 grep -P '\trestore\tok\tprimary on timeline \d+ at '"${target:0:19}" "$BK/node1/state/history"
	# archiving goes on from the restored primary, on its new timeline
	seg=$(rs_q "select pg_walfile_name(pg_switch_wal())")
	bk_wait_archived node1 "$seg"
	run -0 bk_in repo pgbackrest --stanza=voip-ha repo-ls archive/voip-ha/15-1
	[[ $output == *"${seg:0:8}.history"* ]]
}

@test "a restore that fails puts the data directory back and starts it again" {
	local before
	bk_psql node1 "insert into keep values (1000)"
	before=$(rs_snapshot)
	# pgBackRest (as postgres) cannot create the data directory
	chmod 0555 "$BK/node1/pglib/15"
	run -1 --separate-stderr rs_root node1 "$VOIPHA" restore --config "$BK/cluster.conf" --latest \
		--yes --peer-wait 0
	chmod 0755 "$BK/node1/pglib/15"
	echo "$stderr"
	[[ $stderr == *"restore: pgbackrest restore failed"* ]]
	[[ $stderr == *"the data directory is back as it was"* ]]
	[ "$(rs_q "select pg_is_in_recovery()")" = f ]
	[ "$(rs_q "select count(*) from keep")" = 101 ]
	[ "$(stat -c 'inode %i' "$BK/node1/pglib/15/main")" = "$(head -1 <<<"$before")" ]
	[ ! -e "$BK/node1/state/restoring" ]
	[ ! -e "$BK/node1/vrun/maintenance" ]
	run -0 grep -P '\trestore\tfailed\tpgbackrest restore failed' "$BK/node1/state/history"
}

@test "restore --latest into a data directory that is its own mount point: the old data kept inside it" {
	bk_psql node1 "insert into keep values (2000)"
	# the bind mount lives in the namespace of this one command
	run --separate-stderr rs_root node1 /bin/sh -c '
		mount --bind /var/lib/postgresql/15/main /var/lib/postgresql/15/main &&
		exec "$@"' sh "$VOIPHA" restore --config "$BK/cluster.conf" --latest --yes --peer-wait 0
	echo "$stderr"
	[ "$status" = 0 ]
	[[ $stderr == *"kept in '/var/lib/postgresql/15/main/pgsql_tmp.voip-ha-old-"* ]]
	# everything committed before the restore is there
	[ "$(rs_q "select count(*) from keep where i = 2000")" = 1 ]
	[ "$(rs_q "select pg_is_in_recovery()")" = f ]
	run -0 compgen -G "$BK/node1/pglib/15/main/pgsql_tmp.voip-ha-old-*/PG_VERSION"
}
