#!/bin/bash
# Suite e2e-backup: the restore drill of issue 15 on the real pair (two
# systemd-nspawn nodes installed from the package) plus a third machine, the
# witness's (198.51.100.2), holding the pgBackRest repository. Backups are
# switched on by hand in cluster.conf (backup=repo-host) and the package's
# configure run writes and applies the rest; the TLS certificates are made
# here as test/backup/lib.bash makes them. A full backup is taken from the
# standby, then twice:
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
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/tap.sh"
PAIR_WITNESS=198.51.100.2
. "$HERE/pair.sh"
# bk_cert: the certificates as the backup suite makes them
. "$E2E_ROOT/test/backup/lib.bash"
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

# The TLS files of machine M for ADDR, made by the suite's CA on the host
# (test/backup/lib.bash) and put where the generated files name them.
bk_tls() { # M ADDR
	local m=$1 d=$E2E_WORK/tls/$1
	mkdir -p "$d/etc/tls"
	BK=$E2E_WORK/tls bk_cert "$1" "$2" "$E2E_WORK/tls/ca/ca" || return 1
	e2e_exec "$m" mkdir -p /etc/pgbackrest/tls || return 1
	e2e_copy_in "$m" "$E2E_WORK/tls/ca/ca.crt" /etc/pgbackrest/tls/ca.crt 0644 &&
		e2e_copy_in "$m" "$d/etc/tls/host.crt" /etc/pgbackrest/tls/host.crt 0644 &&
		e2e_copy_in "$m" "$d/etc/tls/host.key" /etc/pgbackrest/tls/host.key 0600 &&
		e2e_exec "$m" chown -R postgres:postgres /etc/pgbackrest/tls
}

bk_certs_all() {
	mkdir -p "$E2E_WORK/tls/ca"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=voip-ha-e2e-ca \
		-keyout "$E2E_WORK/tls/ca/ca.key" -out "$E2E_WORK/tls/ca/ca.crt" 2>/dev/null || return 1
	bk_tls "$BK_REPO" "$PAIR_WITNESS" && bk_tls node1 "${PAIR_ADDR[node1]}" &&
		bk_tls node2 "${PAIR_ADDR[node2]}"
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

# The repository host's file, as `voip-ha generate --all` writes it on a node.
bk_repo_conf() {
	e2e_exec node1 sh -c 'rm -rf /root/gen && voip-ha generate --all --out /root/gen >/dev/null &&
		cat /root/gen/backup-host/etc/pgbackrest/conf.d/voip-ha.conf' >"$E2E_WORK/repo.conf" || return 1
	e2e_exec "$BK_REPO" mkdir -p /etc/pgbackrest/conf.d &&
		e2e_copy_in "$BK_REPO" "$E2E_WORK/repo.conf" /etc/pgbackrest/conf.d/voip-ha.conf 0640 &&
		e2e_exec "$BK_REPO" chown root:postgres /etc/pgbackrest/conf.d/voip-ha.conf
}

bk_servers() {
	local m
	for m in "$BK_REPO" node1 node2; do
		e2e_exec "$m" systemctl enable --now pgbackrest.service || return 1
	done
}

repo() { # pgBackRest on the repository host, as postgres
	e2e_exec "$BK_REPO" runuser -u postgres -- pgbackrest --stanza=voip-ha --log-level-console=warn "$@"
}

# The newest archived WAL is on timeline TLI or later (backup --list on NODE).
archived_on() { # NODE TLI
	local w
	w=$(e2e_exec "$1" voip-ha backup --list | sed -n 's/^newest WAL archived: //p')
	[ -n "$w" ] && [ $((16#${w:0:8})) -ge "$2" ]
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
	local t0=$SECONDS
	out=$(e2e_exec "$p" voip-ha restore --time "$t" --yes 2>&1)
	local rc=$?
	while IFS= read -r l; do tap_diag "  $l"; done <<<"$out"
	tap_diag "$tag: voip-ha restore took $((SECONDS - t0)) s (exit $rc)"
	tap_ok "$tag: voip-ha restore --time '$t' on $p" test "$rc" = 0
	tap_ok "$tag: every row acknowledged before the moment is back (1..20), none after it" \
		test "$(pg "$p" "SELECT count(*) || ' ' || min(i) || ' ' || max(i) FROM drill_$tag")" = "20 1 20"
	tl_after=$(timeline "$p")
	tap_ok "$tag: $p is the primary on a new timeline ($tl_before -> $tl_after)" test "$tl_after" -gt "$tl_before"
	tap_ok "$tag: the pair is healthy (one VIP holder, the other streaming) with no other step, within 300 s" \
		wait_for 300 healthy
	tap_ok "$tag: the VIP stayed on $p" test "$(holder)" = "$p"
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
tap_ok "TLS certificates for the repository host and both nodes" bk_certs_all
tap_ok "node2: backups switched on (cluster.conf, configure)" bk_switch_on node2
tap_ok "node1: backups switched on (cluster.conf, configure)" bk_switch_on node1
tap_ok "node1: archive_mode is on" test "$(pg node1 "SHOW archive_mode")" = on
tap_ok "the repository host's file from voip-ha generate --all" bk_repo_conf
tap_ok "pgbackrest server on the repository host and both nodes" bk_servers
tap_ok "stanza-create on the repository host" wait_for 30 repo stanza-create
tap_ok "a full backup taken from the standby" repo --type=full backup
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
