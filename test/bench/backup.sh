#!/bin/bash
# Backup benchmark (make backup-bench; doc/DESIGN.md "Backups", issue 15).
# On test/backup's three machines in namespaces (test/backup/lib.bash): the
# repository host running `pgbackrest server`, node1 the primary, node2 its
# synchronous standby (as the pair runs), pgBackRest configured by the files
# `voip-ha generate` writes for backup=repo-host, unchanged (asynchronous
# archiving, lz4, aes-256-cbc, backups from the standby). In one run:
#   - RPO under write load: how far the newest WAL in the repository trails
#     the primary (bytes, and seconds: since when the primary had written
#     what the repository holds), sampled every ~0.25 s while clients commit
#     CDR-like rows, with the shipped archive_timeout (what voip-ha generate
#     writes for the default backup_archive_timeout) and with
#     BACKUP_BENCH_OLD_TIMEOUT (60 s, the setting before it); each "on"
#     phase after an "off" one starts once the repository holds WAL written
#     after the restart (what archiving off left out is not the product's
#     RPO)
#   - commit latency (p50/p99) of the CDR path, a single-row INSERT
#     committed synchronously (synchronous_commit=on, synchronous standby),
#     archiving on and off in alternating phases of the same run
#   - backup and restore of a database of BACKUP_BENCH_DB_MB (2048) MB:
#     pgBackRest full backup (from the standby, through the repository host)
#     and restore, against plain pg_basebackup from the standby and a plain
#     copy (cp -a) of the same data directory, BACKUP_BENCH_RUNS (3) runs each
#     (medians)
#   - the time from `voip-ha restore` to a healthy pair (one VIP holder,
#     the other streaming): measured by the restore drill on the package's
#     nspawn pair (test/e2e/backup.sh), which make backup-bench runs first;
#     its lines (BACKUP_BENCH_DRILL_TIMES) are put in the report
# Results: BACKUP_BENCH_OUT (test/bench/results/backup.txt) and stdout.
# BACKUP_BENCH_SMOKE=1 (make check-backup-bench, CI): tiny sizes, one run,
# checks the report's lines, TAP on stdout. Root.
set -euo pipefail

SRC_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRC_ROOT"
SMOKE=${BACKUP_BENCH_SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
	DB_MB=${BACKUP_BENCH_DB_MB:-24}
	RUNS=${BACKUP_BENCH_RUNS:-1}
	PHASE_S=${BACKUP_BENCH_PHASE_SECONDS:-3}
else
	DB_MB=${BACKUP_BENCH_DB_MB:-2048}
	RUNS=${BACKUP_BENCH_RUNS:-3}
	PHASE_S=${BACKUP_BENCH_PHASE_SECONDS:-30}
fi
OLD_TIMEOUT=${BACKUP_BENCH_OLD_TIMEOUT:-60}
DRILL_TIMES=${BACKUP_BENCH_DRILL_TIMES:-}
CLIENTS=${BACKUP_BENCH_CLIENTS:-4}
OUT=${BACKUP_BENCH_OUT:-test/bench/results/backup.txt}
VOIPHA=${VOIPHA:-$SRC_ROOT/build/voip-ha}
VOIPHA_WITNESS=${VOIPHA_WITNESS:-$SRC_ROOT/build/voip-ha-witness}
REPO_TOP=$SRC_ROOT

. test/backup/lib.bash

say() { echo "backup-bench: $*" >&2; }
fail() {
	say "$*"
	[ "$SMOKE" != 1 ] || echo "not ok 1 - backup-bench smoke: $*"
	exit 1
}
[ "$SMOKE" != 1 ] || echo "1..1"

[ "$(id -u)" = 0 ] || fail "needs root (network and mount namespaces)"
command -v pgbackrest >/dev/null || fail "pgbackrest is not installed"
[ -x "$BK_PG/pgbench" ] || fail "no $BK_PG/pgbench"
[ -x "$VOIPHA" ] || fail "no $VOIPHA (make build/voip-ha)"

BK=/var/tmp/voipha-backup-bench.$$
trap 'bk_teardown' EXIT
START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the machines ------------------------------------------------------
bench_up() {
	bk_setup "$BK"
	{
		grep -v '^postgresql_version=' test/data/validation-base.conf
		echo postgresql_version=15
		echo backup=repo-host
		echo backup_host=198.51.100.2
		echo "backup_cipher_pass=$(head -c 32 /dev/urandom | base64 | tr -d '=+/')"
	} >"$BK/cluster.conf"
	chmod 0600 "$BK/cluster.conf"
	"$VOIPHA" generate --config "$BK/cluster.conf" --templates templates --all \
		--out "$BK/gen" >/dev/null
	bk_certs "$BK/cluster.conf"
	local m
	for m in node1 node2; do
		install -m 0640 -o root -g postgres "$BK/gen/$m/etc/pgbackrest/conf.d/voip-ha.conf" \
			"$BK/$m/etc/conf.d/voip-ha.conf"
	done
	bk_pg_init node1
	{
		echo "listen_addresses = '198.51.100.11'"
		echo "unix_socket_directories = '/var/run/postgresql'"
		echo "wal_level = replica"
		echo "hot_standby = on"
		echo "wal_keep_size = 256MB"
		echo "shared_buffers = 256MB"
		echo "max_wal_size = 4GB"
		echo "synchronous_commit = on"
		grep '^archive_' "$BK/gen/node1/etc/postgresql/15/main/conf.d/50-voip-ha.conf"
	} >>"$BK/node1/pglib/15/main/postgresql.conf"
	echo "host all,replication all 198.51.100.0/24 trust" >>"$BK/node1/pglib/15/main/pg_hba.conf"
	SHIPPED_TIMEOUT=$(sed -n 's/^archive_timeout = \([0-9]*\)s$/\1/p' \
		"$BK/gen/node1/etc/postgresql/15/main/conf.d/50-voip-ha.conf")
	[ -n "$SHIPPED_TIMEOUT" ] || fail "no archive_timeout in the generated 50-voip-ha.conf"
	bk_pg_start node1
	pg_woken
	bk_standby_of node2 198.51.100.11
	# synchronous replication, as the pair runs it (the standby's
	# application_name is pg_basebackup -R's default: walreceiver)
	echo "synchronous_standby_names = '*'" >>"$BK/node1/pglib/15/main/postgresql.conf"
	bk_psql node1 "select pg_reload_conf()" >/dev/null
	bk_bg repo srv-repo pgbackrest server
	bk_bg node1 srv-node1 pgbackrest server
	bk_bg node2 srv-node2 pgbackrest server
	bk_wait_port 198.51.100.2
	bk_wait_port 198.51.100.11
	bk_wait_port 198.51.100.12
	# the primary's archiver may be pushing (and failing: no stanza yet)
	# through the repository host at this moment, holding the stanza's
	# archive lock there: try again
	local _
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		bk_in repo pgbackrest --stanza=voip-ha --log-level-console=warn stanza-create && return 0
		sleep 1
	done
	fail "stanza-create failed"
}

# The CDR-shaped table, filled to DB_MB of data (random call ids and
# numbers: it compresses like real CDRs, not like pgbench's blank filler).
bench_load() {
	bk_psql node1 "create table cdr(id bigserial primary key, call_id text not null,
		caller text not null, callee text not null, start_time timestamptz not null,
		answer_time timestamptz, end_time timestamptz not null, billsec int not null,
		hangup_cause text not null, sip_hangup_disposition text, user_agent text)"
	local rows=$((DB_MB * 1024 * 1024 / 330 / 8)) _
	[ "$rows" -ge 1000 ] || rows=1000
	for _ in $(seq 16); do
		bk_psql node1 "insert into cdr(call_id, caller, callee, start_time, answer_time,
			end_time, billsec, hangup_cause, sip_hangup_disposition, user_agent)
			select md5(g::text || random()::text) || '@198.51.100.11', '+4930' || (random() * 1e8)::bigint,
			'+4989' || (random() * 1e8)::bigint, t, t + interval '3 s', t + (random() * 600) * interval '1 s',
			(random() * 600)::int, (array['NORMAL_CLEARING','USER_BUSY','NO_ANSWER','ORIGINATOR_CANCEL'])[1 + (g % 4)],
			(array['send_bye','recv_bye','send_refuse'])[1 + (g % 3)],
			'Yealink SIP-T46U 108.86.0.' || (g % 90)
			from generate_series(1, $rows) g, lateral (select now() - random() * interval '365 days' as t) x"
		[ "$(bk_psql node1 "select pg_database_size('postgres') >= $DB_MB::bigint * 1024 * 1024")" = f ] || break
	done
	bk_psql node1 "vacuum analyze cdr"
	bk_psql node1 "checkpoint"
	sampler &
	SAMPLER=$!
	bench_wait_archived
}

# until the repository holds every segment the primary has finished (a
# loaded database's WAL may take longer than bk_wait_archived's 120 s)
bench_wait_archived() {
	local seg
	seg=$(bk_psql node1 "select pg_walfile_name(pg_switch_wal())")
	BK_ARCHIVE_WAIT=600 bk_wait_archived node1 "$seg" || fail "node1 did not archive $seg within 600 s"
}

# ---- commit latency and RPO ----------------------------------------------
write_script() {
	cat >"$BK/node1/tmp/insert.sql" <<'SQL'
\set n random(1, 1000000000)
INSERT INTO cdr(call_id, caller, callee, start_time, answer_time, end_time, billsec, hangup_cause) VALUES (md5(:n::text) || '@198.51.100.11', '+4930' || :n, '+4989' || :n, now(), now(), now() + interval '42 s', 42, 'NORMAL_CLEARING');
SQL
	chmod 0644 "$BK/node1/tmp/insert.sql"
}

# The repository's newest WAL segment of timeline 1, as the end of it in
# bytes of WAL (what a restore reaches at most), 0 when none.
repo_wal_end() {
	local f
	f=$(find "$BK/repo/repo/archive/voip-ha/15-1" -mindepth 2 -maxdepth 2 -name '0000000[0-9A-F]*-*' \
		-printf '%f\n' 2>/dev/null | grep -E '^[0-9A-F]{24}-[0-9a-f]{40}' | sort | tail -1)
	[ -n "$f" ] || {
		echo 0
		return
	}
	echo $(((16#${f:8:8} * 256 + 16#${f:16:8} + 1) * 16 * 1024 * 1024))
}

# The RPO sampler, in the background for the whole latency part: every
# ~0.2 s the time, the primary's WAL position and the repository's end
# (bytes of WAL) into $BK/rpo-all; a failed query (the primary restarting)
# is a missing sample.
sampler() {
	while [ ! -e "$BK/sampler.stop" ]; do
		local s
		if s=$(bk_psql node1 "select extract(epoch from clock_timestamp())::numeric(20,3) || ' ' ||
			pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint" 2>/dev/null); then
			echo "$s $(repo_wal_end)" >>"$BK/rpo-all"
		fi
		sleep 0.2
	done
}

# phase NAME [SECONDS]: CLIENTS clients commit for SECONDS (PHASE_S); the
# transactions' latencies go to $BK/lat-NAME, the phase's window to
# $BK/phases
phase() {
	local name=$1 secs=${2:-$PHASE_S} a n0
	rm -f "$BK/node1/tmp/lat-$name".*
	n0=$(bk_psql node1 "select archived_count from pg_stat_archiver")
	a=$(date +%s.%N)
	bk_in node1 "$BK_PG/pgbench" -n -h /var/run/postgresql -d postgres -c "$CLIENTS" -j 2 \
		-T "$secs" -f /tmp/insert.sql -l --log-prefix="/tmp/lat-$name" >"$BK/pgbench-$name.out" 2>&1 ||
		fail "pgbench failed in phase $name: $(tail -3 "$BK/pgbench-$name.out")"
	echo "$name $a $(date +%s.%N) $(($(bk_psql node1 "select archived_count from pg_stat_archiver") - n0))" >>"$BK/phases"
	cat "$BK/node1/tmp/lat-$name".* | awk '{ print $3 }' | sort -n >"$BK/lat-$name"
}

# percentile FILE P: the P-th percentile of a sorted column (nearest rank)
percentile() {
	awk -v p="$2" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
		i = int(NR * p / 100 + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }' "$1"
}

# rpo_stats NAME: RPO during phase NAME, in seconds and MiB: for each
# sample in the phase's window, the seconds since the primary's WAL first
# reached the repository's end (interpolated between samples, which begin
# before the first phase), and the bytes between the two
rpo_stats() {
	awk -v name="$1" '
	FNR == NR { if ($1 == name) { ws = $2; we = $3 } next }
	{ t[++k] = $1; l[k] = $2; e[k] = $3 }
	END {
		n = 0
		for (i = 1; i <= k; i++) {
			if (t[i] < ws || t[i] > we || e[i] == 0 || l[1] >= e[i]) continue
			for (j = 2; j <= i && l[j] < e[i]; j++) ;
			if (j > i) reach = t[i]
			else reach = t[j - 1] + (t[j] - t[j - 1]) * (e[i] - l[j - 1]) / (l[j] - l[j - 1] + 1e-9)
			n++; s[n] = t[i] - reach; b[n] = (l[i] - e[i]) / 1048576
		}
		if (n == 0) { print "n=0"; exit }
		for (i = 2; i <= n; i++) { x = s[i]; for (j = i - 1; j >= 1 && s[j] > x; j--) s[j + 1] = s[j]; s[j + 1] = x }
		for (i = 2; i <= n; i++) { x = b[i]; for (j = i - 1; j >= 1 && b[j] > x; j--) b[j + 1] = b[j]; b[j + 1] = x }
		m = int(n / 2 + 0.5); if (m < 1) m = 1; p = int(n * 0.95 + 0.999999); if (p > n) p = n
		printf "n=%d seconds median=%.1f p95=%.1f max=%.1f; MiB median=%.1f p95=%.1f max=%.1f\n",
			n, s[m], s[p], s[n], b[m], b[p], b[n]
	}' "$BK/phases" "$BK/rpo-all"
}

tps_of() { sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$BK/pgbench-$1.out" | head -1; }

# PostgreSQL's checkpointer sleeps a whole checkpoint_timeout after a clean
# start before archive_timeout works; the product's postgresql@ drop-in
# reloads the cluster once started (ExecStartPost), and so does the bench
pg_woken() { bk_psql node1 "select pg_reload_conf()" >/dev/null; }

set_archiving() { # on|off [archive_timeout, seconds: the shipped one]
	local conf=$BK/node1/pglib/15/main/postgresql.conf
	sed -i '/^archive_mode = /d; /^archive_timeout = /d' "$conf"
	echo "archive_mode = $1" >>"$conf"
	echo "archive_timeout = ${2:-$SHIPPED_TIMEOUT}s" >>"$conf"
	bk_pg_stop node1
	bk_pg_start node1
	pg_woken
	bench_wait_streaming
	# archiving back on: the repository first takes WAL written after the
	# restart, so the phase's RPO does not count what archiving off left out
	[ "$1" = off ] || bench_wait_archived
}

# until the synchronous standby streams again (after a restart of the
# primary, commits wait for it)
bench_wait_streaming() {
	local _
	for _ in $(seq 300); do
		[ "$(bk_psql node1 "select count(*) from pg_stat_replication where state = 'streaming'")" = 0 ] ||
			return 0
		sleep 0.2
	done
	fail "node2 does not stream from node1 again within 60 s"
}

# ---- backup and restore --------------------------------------------------
# secs CMD...: wall time of CMD in seconds (3 decimals)
secs() {
	local a b
	a=$(date +%s.%N)
	"$@" >"$BK/last-cmd.out" 2>&1 || fail "failed: $* ($(tail -3 "$BK/last-cmd.out"))"
	b=$(date +%s.%N)
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", b - a }'
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mbps() { awk -v mb="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0) ? mb / s : 0 }'; }

pgbr_backup() { bk_in repo pgbackrest --stanza=voip-ha --type=full --log-level-console=warn backup; }
pgbr_restore() {
	rm -rf "$BK/node1/pglib/scratch"
	bk_in node1 pgbackrest --stanza=voip-ha --pg1-path=/var/lib/postgresql/scratch \
		--log-level-console=warn restore
}
basebackup() {
	rm -rf "$BK/repo/repo/bb"
	bk_in repo "$BK_PG/pg_basebackup" -h 198.51.100.12 -U postgres -D /var/lib/pgbackrest/bb \
		-X fetch -c fast
}
# the same files pgBackRest and pg_basebackup copy: the data directory
# without the WAL in pg_wal (a running standby's: a copy, not a backup)
plain_copy() {
	rm -rf "$BK/repo/repo/cp"
	mkdir "$BK/repo/repo/cp"
	tar -C "$BK/node2/pglib/15/main" --exclude='./pg_wal/*' -cf - . | tar -C "$BK/repo/repo/cp" -xf -
}
plain_restore() {
	rm -rf "$BK/node1/pglib/scratch"
	cp -a "$BK/repo/repo/cp" "$BK/node1/pglib/scratch"
}

# ======================================================================
BENCH_SETTINGS="wal_segment_size 16 MiB, shared_buffers 256MB, max_wal_size 4GB, $CLIENTS pgbench clients"
say "machines up"
bench_up
write_script
say "loading ${DB_MB} MB of CDR rows"
T0=$(date +%s)
bench_load
LOAD_S=$(($(date +%s) - T0))
DB_BYTES=$(bk_psql node1 "select sum(pg_database_size(datname)) from pg_database")
DB_MIB=$((DB_BYTES / 1048576))
ROWS=$(bk_psql node1 "select count(*) from cdr")

say "commit latency and RPO phases, ${PHASE_S} s each"
phase warmup $(((PHASE_S + 2) / 3))
phase on_shipped # the generated settings, archiving on since the start
set_archiving off
phase off1
set_archiving on "$OLD_TIMEOUT"
phase on_old
set_archiving off
phase off2
set_archiving on
cat "$BK/lat-on_shipped" "$BK/lat-on_old" | sort -n >"$BK/lat-on"
cat "$BK/lat-off1" "$BK/lat-off2" | sort -n >"$BK/lat-off"
bench_wait_archived
touch "$BK/sampler.stop"
wait "$SAMPLER"

say "backup and restore, $RUNS runs each"
PB="" PBR="" BB="" CP="" CPR=""
for r in $(seq "$RUNS"); do
	PB="$PB $(secs pgbr_backup)"
	BB="$BB $(secs basebackup)"
	CP="$CP $(secs plain_copy)"
	PBR="$PBR $(secs pgbr_restore)"
	CPR="$CPR $(secs plain_restore)"
	say "run $r: pgbackrest backup/restore ${PB##* }/${PBR##* } s, pg_basebackup ${BB##* } s, cp ${CP##* }/${CPR##* } s"
done
REPO_MB=$(du -sm "$BK/repo/repo/backup/voip-ha" | cut -f1)
LAST_REPO_MB=$(du -sm "$(find "$BK/repo/repo/backup/voip-ha" -mindepth 1 -maxdepth 1 -type d -name '*F' | sort | tail -1)" | cut -f1)
BB_MB=$(du -sm "$BK/repo/repo/bb" | cut -f1)
CP_MB=$(du -sm "$BK/repo/repo/cp" | cut -f1)
INFO=$(bk_in repo pgbackrest --stanza=voip-ha info | grep -E 'database size|backup set size' | tail -2 |
	sed 's/^ *//' | tr '\n' ';')
rm -rf "$BK/node1/pglib/scratch" "$BK/repo/repo/bb" "$BK/repo/repo/cp"

m_pb=$(median <<<"$PB") m_pbr=$(median <<<"$PBR") m_bb=$(median <<<"$BB")
m_cp=$(median <<<"$CP") m_cpr=$(median <<<"$CPR")
# The restore drill's lines (drill=one restore_s=N healthy_s=N at=T): each,
# then the medians over them.
drill_report() {
	if [ -z "$DRILL_TIMES" ] || [ ! -s "$DRILL_TIMES" ]; then
		echo "  not measured in this run (no BACKUP_BENCH_DRILL_TIMES: make backup-bench runs the drill first)"
		return
	fi
	awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		d = v["drill"] == "one" ? "drill one (restore on the primary of the backup)" : \
			v["drill"] == "two" ? "drill two (after a failover: across a timeline switch, data directory a mount point)" : "drill " v["drill"]
		printf "  %s, %s: voip-ha restore %s s, healthy pair %s s after its start\n", d, v["at"], v["restore_s"], v["healthy_s"]
	}' "$DRILL_TIMES"
	printf '  median of %d drills: voip-ha restore %s s, healthy pair %s s after its start\n' "$(wc -l <"$DRILL_TIMES")" \
		"$(sed -n 's/.* restore_s=\([0-9.]*\) .*/\1/p' "$DRILL_TIMES" | median)" \
		"$(sed -n 's/.* healthy_s=\([0-9.]*\) .*/\1/p' "$DRILL_TIMES" | median)"
}

lat() { # NAME: p50 p99 in ms
	awk -v a="$(percentile "$BK/lat-$1" 50)" -v b="$(percentile "$BK/lat-$1" 99)" \
		'BEGIN { printf "p50=%.2f p99=%.2f ms", a / 1000, b / 1000 }'
}
n_of() { wc -l <"$BK/lat-$1"; }
p99_on=$(percentile "$BK/lat-on" 99) p99_off=$(percentile "$BK/lat-off" 99)

mkdir -p "$(dirname "$OUT")"
{
	echo "# voip-ha backups (pgBackRest $(pgbackrest version | awk '{ print $2 }'), PostgreSQL 15): make backup-bench"
	echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs (load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg)), $(($(date +%s) - START)) s in all"
	echo "# three machines in network/mount namespaces on one host (test/backup/lib.bash): repository host"
	echo "# (pgbackrest server, TLS), node1 primary, node2 synchronous standby; files from voip-ha generate"
	echo "# (archive-async, process-max 2, lz4, archive-push zst, aes-256-cbc, backup-standby); one disk, page cache warm"
	echo "# $BENCH_SETTINGS"
	[ "$SMOKE" != 1 ] || echo "# SMOKE RUN (tiny sizes): numbers mean nothing"
	echo
	echo "RPO under write load ($CLIENTS clients committing single-row CDR inserts, ${PHASE_S} s per phase)"
	echo "  how far the newest WAL in the repository trails the primary (seconds: since the primary had written"
	echo "  what the repository holds; MiB: WAL not yet there), sampled every ~0.25 s"
	echo "  archive_timeout=${SHIPPED_TIMEOUT}s (shipped): $(rpo_stats on_shipped)"
	echo "  archive_timeout=${OLD_TIMEOUT}s:          $(rpo_stats on_old)"
	awk -v s="$SHIPPED_TIMEOUT" -v o="$OLD_TIMEOUT" '$1 == "on_shipped" || $1 == "on_old" {
		printf "  archive_timeout=%ss: %d WAL files archived in %.0f s\n", $1 == "on_shipped" ? s : o, $4, $3 - $2 }' "$BK/phases"
	echo "  repository: $(find "$BK/repo/repo/archive/voip-ha" -name '0000000*-*.zst' | wc -l) WAL files stored with zstd," \
		"$(du -sk "$BK/repo/repo/archive/voip-ha" | cut -f1) KiB in all"
	echo "  goal: < 5 s"
	echo
	echo "commit latency of the CDR path (INSERT of one row, synchronous_commit=on, synchronous standby)"
	echo "  archiving on  (timeout ${SHIPPED_TIMEOUT}s):    n=$(n_of on_shipped) $(lat on_shipped) tps=$(tps_of on_shipped)"
	echo "  archiving off (first):         n=$(n_of off1) $(lat off1) tps=$(tps_of off1)"
	echo "  archiving on  (timeout ${OLD_TIMEOUT}s):   n=$(n_of on_old) $(lat on_old) tps=$(tps_of on_old)"
	echo "  archiving off (second):        n=$(n_of off2) $(lat off2) tps=$(tps_of off2)"
	echo "  on (both phases):  $(lat on)"
	echo "  off (both phases): $(lat off)"
	awk -v a="$p99_on" -v b="$p99_off" 'BEGIN { printf "  p99 on / off = %.2f\n", (b > 0) ? a / b : 0 }'
	echo
	echo "backup and restore: database $((DB_BYTES / 1048576)) MiB ($ROWS CDR rows, loaded and vacuumed in ${LOAD_S} s with archiving on),"
	echo "  medians of $RUNS runs (each run's times in brackets); MB/s of the database's size"
	echo "  pgBackRest full backup (from the standby, via the repository host): $m_pb s, $(mbps "$DB_MIB" "$m_pb") MB/s [$PB ]"
	echo "    repository: ${LAST_REPO_MB} MB per full backup (lz4 + aes-256-cbc), ${REPO_MB} MB kept (retention 2 full)"
	echo "    pgbackrest info: $INFO"
	echo "  pg_basebackup from the standby (plain, uncompressed):              $m_bb s, $(mbps "$DB_MIB" "$m_bb") MB/s [$BB ] (${BB_MB} MB)"
	echo "  plain copy of the standby's data directory without pg_wal (tar | tar, ${CP_MB} MB): $m_cp s, $(mbps "$DB_MIB" "$m_cp") MB/s [$CP ]"
	echo "  pgBackRest restore (node1, a TLS client of the repository, into an empty directory): $m_pbr s, $(mbps "$DB_MIB" "$m_pbr") MB/s [$PBR ]"
	echo "  plain copy back (cp -a of that copy):                             $m_cpr s, $(mbps "$DB_MIB" "$m_cpr") MB/s [$CPR ]"
	awk -v a="$m_pb" -v b="$m_bb" -v c="$m_cp" -v d="$m_pbr" -v e="$m_cpr" 'BEGIN {
		printf "  pgBackRest backup / pg_basebackup = %.2f, / cp = %.2f; restore / cp = %.2f\n",
			(b > 0) ? a / b : 0, (c > 0) ? a / c : 0, (e > 0) ? d / e : 0 }'
	echo
	echo "from voip-ha restore --time to a healthy pair (one VIP holder, the other node streaming from it): the restore"
	echo "  drill (test/e2e/backup.sh: the package on two systemd-nspawn nodes, the repository on a third machine, a"
	echo "  small database), run by make backup-bench before the parts above; polled every 0.2 s (about 1 s)"
	drill_report
} >"$BK/report"
if [ "$SMOKE" = 1 ]; then
	sed 's/^/# /' "$BK/report"
else
	cat "$BK/report"
fi
if [ "$SMOKE" = 1 ]; then
	# every measured line is there and carries numbers
	drill_want=
	[ -z "$DRILL_TIMES" ] || drill_want='median of [1-9][0-9]* drills: voip-ha restore [0-9.]+ s, healthy pair [0-9.]+ s'
	for want in 'archive_timeout=[0-9]+s \(shipped\): n=[1-9]' 'archive_timeout=60s: +n=[1-9]' \
		'archiving on  \(timeout [0-9]+s\): +n=[1-9][0-9]* p50=[0-9.]+ p99' 'WAL files stored with zstd' ${drill_want:+"$drill_want"} \
		'archiving off \(second\): +n=[1-9]' 'pgBackRest full backup .*: +[0-9.]+ s, ' \
		'pgBackRest restore .*: +[0-9.]+ s, ' 'pg_basebackup from the standby .*: +[0-9.]+ s' \
		'plain copy back .*: +[0-9.]+ s'; do
		grep -Eq -- "$want" "$BK/report" || fail "report has no line matching '$want'"
	done
	echo "ok 1 - backup-bench smoke: every measurement present ($(($(date +%s) - START)) s)"
else
	cp "$BK/report" "$OUT"
	say "written to $OUT"
fi
