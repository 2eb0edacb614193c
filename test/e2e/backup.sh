#!/bin/bash
# Suite e2e-backup: the restore drill of issue 15 on the real pair (two
# systemd-nspawn nodes installed from the package) plus a third machine, the
# witness's (198.51.100.2), holding the pgBackRest repository. Backups are
# set up the way an operator does: backup=repo-host in cluster.conf by hand
# and the package's configure run (the postinst makes the TLS files and
# starts pgbackrest.service); `voip-ha backup-host --out` on node1, the file
# copied to the third machine, the voip-ha-witness package installed there
# and `voip-ha-witness backup-host install`; the first full backup by the
# timer's service (from the standby), then twice:
#   rows written (each acknowledged), the time noted, more rows, then every
#   row deleted by mistake; `voip-ha restore --time` the moment before on
#   the VIP holder: every row acknowledged before that moment is back, none
#   after it; the pair healthy again (one VIP holder, a writable primary on a
#   new timeline, the other node streaming from it) with no other step; the
#   new timeline archived to the repository.
# The second drill runs after a failover (keepalived stopped on the primary,
# the standby takes over, the old primary rejoins) that happened after the
# backup: the restore replays across that timeline switch, on node2, whose
# data directory is a mount point (the old data kept inside it). TAP on
# stdout.
# The third machine is also the witness of the third voter, as one third
# machine is meant to be: voip-ha-witness installed there first and
# arbiter=postgresql on both nodes for the whole drill (after a restore the
# VIP holder holds the lease, `voip-ha status` sees 3 of 3 voters).
# PAIR_ARBITER=0: the two-node rules (no arbiter). The time from `voip-ha
# restore` to a healthy pair is a TAP diagnostic of each drill and, when
# E2E_BACKUP_TIMES names a file (make check-e2e-backup:
# $(RESULTS)/e2e-backup-times.txt), a line there that `make backup-bench`
# puts in its report.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/tap.sh"
PAIR_WITNESS=198.51.100.2
PAIR_ARBITER=${PAIR_ARBITER:-1}
. "$HERE/pair.sh"
BK_REPO=witness

e2e_setup
if ! pair_stage_debs; then
	tap_bail "package built (make deb)"
	tap_done
	exit 1
fi
# node2's data directory is a mount point (a separate database disk): a
# restore there keeps the old data inside it (datadir.c), where a rename
# fails.
E2E_PGDATA_MOUNT[node2]=$E2E_WORK/node2-pgdata
e2e_node_create "$BK_REPO" "$PAIR_WITNESS/24"
e2e_node_boot "$BK_REPO"
for n in node1 node2; do e2e_node_create "$n" "${PAIR_ADDR[$n]}/24"; done
for n in node1 node2; do e2e_node_boot "$n"; done

other() { if [ "$1" = node1 ]; then echo node2; else echo node1; fi; }

# The node holding the VIP, or nothing.
holder() {
	local n h=()
	for n in node1 node2; do has_vip "$n" && h+=("$n"); done
	[ ${#h[@]} = 1 ] && echo "${h[0]}"
}

# One VIP holder whose PostgreSQL is a writable primary, the other node
# streaming from it.
healthy() {
	local p s st
	p=$(holder) || return 1
	[ -n "$p" ] || return 1
	s=$(other "$p")
	[ "$(pg "$p" "SELECT pg_is_in_recovery()")" = f ] || return 1
	pg "$p" "CREATE TABLE IF NOT EXISTS drill_probe(at timestamptz DEFAULT now()); INSERT INTO drill_probe DEFAULT VALUES" >/dev/null || return 1
	st=$(pg "$s" "SELECT status || ' ' || coalesce(sender_host, '') FROM pg_stat_wal_receiver")
	case $st in "streaming ${PAIR_ADDR[$p]}" | "streaming $PAIR_VIP") return 0 ;; esac
	return 1
}

timeline() { # NODE
	pg "$1" "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int"
}

# backup=repo-host in cluster.conf by hand (no debconf question yet), then the
# package's configure run: it carries the keys over, writes pgBackRest's file
# and archive_mode=on, and restarts PostgreSQL for it.
bk_switch_on() { # NODE
	# shellcheck disable=SC2016 # the inner script expands its own variables
	printf 'backup=repo-host\nbackup_host=%s\nbackup_cipher_pass=%s\n' "$PAIR_WITNESS" \
		'e2e-repo-key-0123456789' |
		e2e_sh "$1" 'set -e; f=/etc/voip-ha/cluster.conf
			sed -i "/^backup/d" "$f"; cat >>"$f"; voip-ha validate --config "$f" >/dev/null
			DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node </dev/null'
}

# The TLS files the postinst made (hook 45-backup: `voip-ha backup-tls`)
# with their modes and owners.
bk_tls_files() { # NODE
	e2e_sh "$1" 'cd /etc/pgbackrest/tls && stat -c "%n %a %U:%G" host.key ca.crt host.crt' |
		tr '\n' ' ' | grep -qx 'host.key 640 root:postgres ca.crt 644 root:root host.crt 644 root:root '
}

# The repository host's bundle as an operator moves it: `voip-ha backup-host
# --out` on node1 (0600), through the host (0600) to the repository host.
bk_bundle() {
	local f=$E2E_WORK/voip-ha-backup-host.tar
	e2e_exec node1 voip-ha backup-host --out /root/voip-ha-backup-host.tar || return 1
	test "$(e2e_exec node1 stat -c %a /root/voip-ha-backup-host.tar)" = 600 || return 1
	(umask 077 && e2e_exec node1 cat /root/voip-ha-backup-host.tar >"$f") || return 1
	e2e_copy_in "$BK_REPO" "$f" /root/voip-ha-backup-host.tar 0600
	local rc=$?
	rm -f "$f"
	return $rc
}

# `voip-ha-witness backup-host install` on the repository host: files,
# pgbackrest.service, the timers, stanza-create (its output as diagnostics).
bk_install() {
	local out rc
	out=$(e2e_exec "$BK_REPO" voip-ha-witness backup-host install /root/voip-ha-backup-host.tar 2>&1)
	rc=$?
	while IFS= read -r l; do tap_diag "  $l"; done <<<"$out"
	[ $rc = 0 ] && grep -q 'is ready' <<<"$out"
}

active() { # MACHINE UNIT
	test "$(e2e_exec "$1" systemctl is-active "$2")" = active
}

# The timer's service, started as the timer would, took a full backup that
# read the files from the standby (pgBackRest says so in the service's log).
bk_full_by_timer_service() {
	e2e_exec "$BK_REPO" systemctl start voip-ha-backup-full.service || {
		e2e_exec "$BK_REPO" journalctl -u voip-ha-backup-full.service --no-pager -n 30 |
			while IFS= read -r l; do tap_diag "  $l"; done
		return 1
	}
}

bk_from_standby() {
	local log
	log=$(e2e_exec "$BK_REPO" journalctl -u voip-ha-backup-full.service --no-pager -o cat)
	grep -q -- 'backup command begin .*--backup-standby' <<<"$log" &&
		grep -q 'replay on the standby reached' <<<"$log" &&
		grep -q 'new backup label = .*F$' <<<"$log"
}

# The newest archived WAL is on timeline TLI or later (backup --list on NODE).
archived_on() { # NODE TLI
	local w
	w=$(e2e_exec "$1" voip-ha backup --list | sed -n 's/^newest WAL archived: //p')
	[ -n "$w" ] && [ $((16#${w:0:8})) -ge "$2" ]
}

# SEG is archived on NODE: written past and no SEG.ready (not
# last_archived_wal: it may name a backup history file archived after the
# segment that follows it; test/backup/lib.bash, bk_wait_archived).
archived_past() { # NODE SEG
	[ "$(pg "$1" "SELECT pg_walfile_name(pg_current_wal_flush_lsn() + 1) > '$2'
		AND NOT EXISTS (SELECT FROM pg_ls_archive_statusdir() WHERE name = '$2.ready')")" = t ]
}

# archive_timeout (cluster.conf backup_archive_timeout) works on a primary
# started minutes ago by the package's configure: PostgreSQL's checkpointer
# would sleep a whole checkpoint_timeout (15 min) after a clean start without
# the postgresql@ drop-in's reload. One commit, no switch by hand. (The
# archiver may first wait out its retry delay for the segments that failed
# before the stanza existed: 120 s.)
quiet_commit_archived() {
	local p seg
	p=$(holder)
	[ -n "$p" ] || return 1
	pg "$p" "CREATE TABLE IF NOT EXISTS drill_quiet(i int); INSERT INTO drill_quiet VALUES (1)" >/dev/null || return 1
	seg=$(pg "$p" "SELECT pg_walfile_name(pg_current_wal_lsn())")
	wait_for 120 archived_past "$p" "$seg"
}

# drill TAG: rows 1..20 acknowledged, the moment noted, rows 21..30, every
# row deleted; restore to the moment on the VIP holder.
drill() {
	local tag=$1 p t tl_before tl_after i out
	p=$(holder)
	tap_ok "$tag: a VIP holder ($p) before the drill" test -n "$p"
	[ -n "$p" ] || return
	tl_before=$(timeline "$p")
	pg "$p" "CREATE TABLE IF NOT EXISTS drill_$tag(i int PRIMARY KEY)" >/dev/null
	for i in $(seq 1 20); do pg "$p" "INSERT INTO drill_$tag VALUES ($i)" >/dev/null; done
	sleep 1.5
	t=$(pg "$p" "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')")
	sleep 1.5
	for i in $(seq 21 30); do pg "$p" "INSERT INTO drill_$tag VALUES ($i)" >/dev/null; done
	pg "$p" "DELETE FROM drill_$tag" >/dev/null
	tap_ok "$tag: the mistake (every row deleted) replicated to the standby" \
		wait_for 20 test "$(pg "$(other "$p")" "SELECT count(*) FROM drill_$tag")" = 0
	tap_diag "$tag: restoring on $p to $t UTC (timeline $tl_before)"
	local t0 t1 t2 ok=0
	t0=$(date +%s.%N)
	out=$(e2e_exec "$p" voip-ha restore --time "$t" --yes 2>&1)
	local rc=$?
	t1=$(date +%s.%N)
	while IFS= read -r l; do tap_diag "  $l"; done <<<"$out"
	tap_ok "$tag: voip-ha restore --time '$t' on $p" test "$rc" = 0
	# healthy is polled every 0.2 s, each poll a few queries on both nodes:
	# the time is to within about a second
	wait_for 300 healthy && ok=1
	t2=$(date +%s.%N)
	tap_ok "$tag: the pair is healthy (one VIP holder, the other streaming) with no other step, within 300 s" \
		test "$ok" = 1
	local times
	times=$(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "restore_s=%.1f healthy_s=%.1f", b - a, c - a }')
	tap_diag "$tag: seconds from the start of voip-ha restore to its end and to a healthy pair: $times (exit $rc)"
	if [ -n "${E2E_BACKUP_TIMES:-}" ] && [ "$rc" = 0 ] && [ "$ok" = 1 ]; then
		echo "drill=$tag $times at=$(date -u +%Y-%m-%dT%H:%MZ)" >>"$E2E_BACKUP_TIMES"
	fi
	tap_ok "$tag: every row acknowledged before the moment is back (1..20), none after it" \
		test "$(pg "$p" "SELECT count(*) || ' ' || min(i) || ' ' || max(i) FROM drill_$tag")" = "20 1 20"
	tl_after=$(timeline "$p")
	tap_ok "$tag: $p is the primary on a new timeline ($tl_before -> $tl_after)" test "$tl_after" -gt "$tl_before"
	tap_ok "$tag: the VIP stayed on $p" test "$(holder)" = "$p"
	if [ "$PAIR_ARBITER" = 1 ]; then
		tap_ok "$tag: $p, the VIP holder, holds the lease on the witness" \
			wait_for 20 eval "pair_lease_flag $p lease_held && e2e_exec $p grep -qx lease_holder=$p /run/voip-ha/monitor.state"
		tap_ok "$tag: voip-ha status on $p sees the quorum (3 of 3 voters)" wait_for 20 pair_quorum "$p" 3 true
	fi
	tap_ok "$tag: the data directory of before is kept on $p" \
		e2e_sh "$p" "ls -d $E2E_PGDATA.voip-ha-old-* $E2E_PGDATA/pgsql_tmp.voip-ha-old-* 2>/dev/null | grep -q ."
	tap_ok "$tag: the standby $(other "$p") has the restored rows" \
		wait_for 30 test "$(pg "$(other "$p")" "SELECT count(*) FROM drill_$tag")" = 20
	pg "$p" "SELECT pg_switch_wal()" >/dev/null
	tap_ok "$tag: the new timeline is archived to the repository (backup --list)" \
		wait_for 90 archived_on "$p" "$tl_after"
	e2e_exec "$p" voip-ha status 2>&1 | grep -E 'restore|follow|rebuild' | tail -n 6 |
		while IFS= read -r l; do tap_diag "  status: $l"; done
}

T0=$SECONDS
tap_ok "node1: apt install with the preseed" pair_install node1
tap_ok "node2: apt install with the same preseed" pair_install node2
tap_ok "pair serving (VIP up, standby streaming) within 120 s" wait_for 120 pair_serving
if [ "$PAIR_ARBITER" = 1 ]; then
	tap_ok "voip-ha-witness installed on the third machine" pair_install_witness
	for n in node1 node2; do
		tap_ok "$n: arbiter=postgresql in cluster.conf, monitor restarted" pair_arbiter_on "$n"
	done
	tap_ok "node1 takes the leadership on the witness within 20 s" wait_for 20 pair_lease_flag node1 lease_held
fi
tap_ok "node2: backups switched on (cluster.conf, configure)" bk_switch_on node2
tap_ok "node1: backups switched on (cluster.conf, configure)" bk_switch_on node1
tap_ok "node1: archive_mode is on" test "$(pg node1 "SHOW archive_mode")" = on
for n in node1 node2; do
	tap_ok "$n: the postinst made the TLS files (host.key 0640 root:postgres, ca.crt and host.crt 0644 root:root)" \
		bk_tls_files "$n"
	tap_ok "$n: the postinst enabled pgbackrest.service and it is active" \
		eval "active $n pgbackrest.service && test \"\$(e2e_exec $n systemctl is-enabled pgbackrest.service)\" = enabled"
done
tap_ok "the repository host's bundle from voip-ha backup-host --out on node1 (0600), copied there" bk_bundle
[ "$PAIR_ARBITER" = 1 ] || tap_ok "voip-ha-witness installed on the repository host" pair_install_witness
tap_ok "voip-ha-witness backup-host install: files, services, stanza-create" bk_install
tap_ok "pgbackrest.service active on the repository host" active "$BK_REPO" pgbackrest.service
tap_ok "a commit on the primary reaches the repository by archive_timeout alone, PostgreSQL restarted minutes ago (within 120 s)" \
	quiet_commit_archived
tap_ok "the backup timers enabled on the repository host" \
	eval "active $BK_REPO voip-ha-backup-full.timer && active $BK_REPO voip-ha-backup-diff.timer"
tap_ok "a full backup by the timer's service (systemctl start voip-ha-backup-full.service)" bk_full_by_timer_service
tap_ok "that backup read the files from the standby (backup-standby, the standby's replay waited for)" bk_from_standby
tap_ok "voip-ha backup --list on node1 shows it" eval 'e2e_exec node1 voip-ha backup --list | grep -q " full start "'
tap_ok "pair healthy before the drills" wait_for 60 healthy
tap_diag "setup took $((SECONDS - T0)) s"

drill one

# A failover after the backup: keepalived stopped on the primary, the
# standby takes over, the old primary rejoins as its standby.
p=$(holder)
if [ -n "$p" ]; then
	s=$(other "$p")
	tl=$(timeline "$p")
	e2e_exec "$p" systemctl stop keepalived
	tap_ok "failover: $s holds the VIP and is the primary within 30 s" \
		wait_for 30 eval "has_vip $s && test \"\$(pg $s 'SELECT pg_is_in_recovery()')\" = f"
	e2e_exec "$p" systemctl start keepalived
	tap_ok "failover: the pair is healthy again, $p streaming from $s (within 120 s)" wait_for 120 healthy
	tap_ok "failover: $s is on a newer timeline than before ($tl)" test "$(timeline "$s")" -gt "$tl"
else
	tap_ok "failover: a VIP holder to fail over from" false
fi

drill two
tap_diag "suite took $((SECONDS - T0)) s after boot"
tap_done
