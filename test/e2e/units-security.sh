#!/bin/bash
# Suite units-bringup: the bring-up's own services pass
# `systemd-analyze security --offline` under a threshold (doc/STYLE.md 4,
# "systemd hardening, measured"), and every unit/drop-in parses. TAP out.
# Runs without a running systemd (offline mode), as CI does.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/tap.sh"

# Exposure x10 (systemd-analyze's scale): 4.5 -> 45. The clone unit needs
# root's file capabilities for pg_basebackup and pg_ctlcluster; the receiver
# binds port 873 and chroots.
THRESHOLD=50
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for f in "$ROOT"/debian/voip-ha-node.voip-ha-clone.service "$ROOT"/debian/voip-ha-node.voip-ha-rsyncd.service \
	"$ROOT"/debian/voip-ha-node.voip-ha-rebuild.service "$ROOT"/debian/voip-ha-node.voip-ha-monitor.service \
	"$ROOT"/debian/voip-ha-node.voip-ha-backup-full.service "$ROOT"/debian/voip-ha-node.voip-ha-backup-diff.service \
	"$ROOT"/debian/voip-ha-node.voip-ha-backup-refresh.service; do
	u=${f##*/voip-ha-node.}
	cp "$f" "$TMP/$u"
	tap_ok "$u: systemd-analyze security exposure under $((THRESHOLD / 10)).$((THRESHOLD % 10))" \
		systemd-analyze security --offline=true --threshold=$THRESHOLD --no-pager "$TMP/$u"
	tap_diag "$u: $(systemd-analyze security --offline=true --no-pager "$TMP/$u" 2>/dev/null | tail -n1)"
done

# The backup timers (backup=path) load on their own (their default
# schedule), and their services back up only on the standby.
for t in full diff; do
	cp "$ROOT/debian/voip-ha-node.voip-ha-backup-$t.timer" "$TMP/voip-ha-backup-$t.timer"
	tap_ok "voip-ha-backup-$t.timer: a schedule of its own, persistent" \
		bash -c "grep -q '^OnCalendar=' '$TMP/voip-ha-backup-$t.timer' && grep -qx 'Persistent=true' '$TMP/voip-ha-backup-$t.timer'"
	tap_ok "voip-ha-backup-$t.service: runs only on the standby" \
		grep -qx 'ExecCondition=/usr/sbin/voip-ha backup --if-standby' "$ROOT/debian/voip-ha-node.voip-ha-backup-$t.service"
done

# Every drop-in is a well-formed unit fragment: only [Unit]/[Service]
# sections with keys systemd knows (systemd-analyze verify on a copy of the
# fragment as a unit of its own; missing binaries are not reported as errors
# of the syntax).
for d in "$ROOT"/debian/dropins/*.d/voip-ha.conf; do
	unit=$(basename "$(dirname "$d")" .d)
	tap_ok "drop-in for $unit: only known sections" bash -c "! grep -E '^\\[' '$d' | grep -vxE '\\[(Unit|Service)\\]'"
done
tap_ok "keepalived drop-in orders it after PostgreSQL, Kamailio and voip-admin" \
	grep -qE '^After=.*postgresql\.service.*kamailio\.service.*voip-admin\.service' "$ROOT/debian/dropins/keepalived.service.d/voip-ha.conf"
tap_ok "keepalived drop-in runs the health check before it starts" \
	grep -qx 'ExecStartPre=/usr/sbin/voip-ha check --wait 120' "$ROOT/debian/dropins/keepalived.service.d/voip-ha.conf"
tap_ok "keepalived drop-in fences the local primary however keepalived stops" \
	grep -qx 'ExecStopPost=/usr/sbin/voip-ha fence' "$ROOT/debian/dropins/keepalived.service.d/voip-ha.conf"
tap_ok "postgresql@ drop-in runs pg-guard before the cluster starts" \
	grep -qx 'ExecStartPre=/usr/sbin/voip-ha pg-guard %i' "$ROOT/debian/dropins/postgresql@.service.d/voip-ha.conf"
tap_ok "postgresql@ drop-in reloads the cluster once started (wakes the checkpointer for archive_timeout)" \
	grep -qx 'ExecStartPost=-/usr/bin/pg_ctlcluster --skip-systemctl-redirect %i reload' "$ROOT/debian/dropins/postgresql@.service.d/voip-ha.conf"
# A node that boots fenced has no database until its rebuild ends: Kamailio
# (which needs it to start) and keepalived (whose start check waits for
# Kamailio) must keep retrying, never give up on a start limit.
for unit in kamailio keepalived; do
	d=$ROOT/debian/dropins/$unit.service.d/voip-ha.conf
	tap_ok "$unit drop-in restarts it on failure without a start limit" \
		bash -c "grep -qx 'Restart=on-failure' '$d' && grep -qx 'StartLimitIntervalSec=0' '$d' && grep -qE '^RestartSec=[1-9]' '$d'"
done
tap_done
