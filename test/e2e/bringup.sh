#!/bin/bash
# Suite e2e-bringup: `apt install ./voip-ha-node_*.deb` with one preseed file
# on two real Debian 12 nodes (systemd as PID 1) brings the pair up.
#   Pair A: node1 then node2 - VIP, roles, replication through the slot, a row
#           through the VIP, SIP OPTIONS, start order in the journal, recordings
#           sync, preseeded dpkg-reconfigure moving the VIP, reinstall changes
#           and restarts nothing, purge.
#   Pair B: node2 installed while node1 is unreachable, then node1: node2 ends
#           up a streaming standby with no manual step.
# Needs root, systemd-nspawn and the built package in out/ (make deb). TAP out.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/tap.sh"
. "$HERE/pair.sh"

NEW_VIP=198.51.100.20
REC=/var/lib/freeswitch/recordings

sip_options() { # FROM-NODE TARGET-ADDRESS: one OPTIONS, passes on a 200
	e2e_exec "$1" sipp -sf /root/sip-options.xml -m 1 -timeout 10s -timeout_error \
		-i "${PAIR_ADDR[$1]}" -p 5099 -nostdin "$2:5060"
}

not() { ! "$@"; }

# eq ACTUAL EXPECTED: like test =, but says what differed.
eq() {
	[ "$1" = "$2" ] && return 0
	printf 'expected: %s\nactual:   %s\n' "$2" "$1"
	return 1
}

# check_says NODE TEXT: voip-ha check fails on NODE and says TEXT.
check_says() {
	local out
	if out=$(e2e_exec "$1" voip-ha check 2>&1); then
		echo "check passed: $out"
		return 1
	fi
	case $out in *"$2"*) return 0 ;; esac
	echo "check said: $out"
	return 1
}

replication_row() {
	pg node1 "SELECT r.application_name || ' ' || host(r.client_addr) || ' ' || r.state || ' ' || coalesce(s.slot_name, '(no slot)') FROM pg_stat_replication r LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid"
}

# Monotonic time (usec) of the last journal message of a unit with the given
# systemd MESSAGE_ID (job started / unit starting), "" when none.
journal_usec() { # NODE UNIT MESSAGE_ID
	e2e_exec "$1" journalctl -b -o json --output-fields=__MONOTONIC_TIMESTAMP \
		"UNIT=$2" "MESSAGE_ID=$3" | tail -n1 | sed -n 's/.*"__MONOTONIC_TIMESTAMP":"\([0-9]*\)".*/\1/p'
}
MSG_STARTED=39f53479d3a045ac8e11786248231fbf  # "Started <unit>" (start job done)
MSG_STARTING=7d4958e842da4a758f6c1cdc7b36dcc5 # "Starting <unit>..."

keepalived_started_last() { # NODE
	local k u t
	k=$(journal_usec "$1" keepalived.service $MSG_STARTING)
	[ -n "$k" ] || { echo "no 'Starting keepalived' in the journal"; return 1; }
	for u in postgresql@15-main.service kamailio.service voip-admin.service; do
		t=$(journal_usec "$1" "$u" $MSG_STARTED)
		[ -n "$t" ] || { echo "$u never reported started"; return 1; }
		[ "$t" -lt "$k" ] || { echo "$u started at $t, after keepalived's start at $k"; return 1; }
		e2e_exec "$1" systemctl is-active --quiet "$u" || { echo "$u not active"; return 1; }
	done
	echo "keepalived starting at ${k} us; postgresql, kamailio, voip-admin active before"
}

main_pids() { # NODE: MainPID of the units a reinstall must not restart
	e2e_exec "$1" systemctl show -p MainPID --value postgresql@15-main kamailio keepalived lsyncd voip-ha-rsyncd voip-admin | tr '\n' ' '
}

config_sums() { # NODE
	e2e_sh "$1" 'find /etc/voip-ha /etc/keepalived /etc/kamailio /etc/postgresql /etc/lsyncd /var/lib/postgresql/.pgpass -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum; ls -l --time-style=+%s /etc/voip-ha /etc/keepalived /etc/kamailio'
}

row_on_standby() { [ "$(pg node2 "SELECT count(*) FROM voip.domains WHERE name = '$1.example'" voip)" = 1 ]; }

write_row_via_vip() {
	local token=$1 vip=${2:-$PAIR_VIP}
	e2e_sh node2 "umask 077; printf '*:5432:voip:voip_admin:%s\n' 'e2e-Admin pass 3' > /root/.pgpass-e2e" &&
		e2e_exec node2 env PGPASSFILE=/root/.pgpass-e2e psql -X -q -h "$vip" -U voip_admin -d voip \
			-c "INSERT INTO voip.domains (name) VALUES ('$token.example')"
}

reconfigure_vip() { # NODE NEW-VIP
	e2e_sh "$1" "echo 'voip-ha-node voip-ha-node/virtual-address string $2' | debconf-set-selections" &&
		e2e_exec "$1" env DEBIAN_FRONTEND=noninteractive dpkg-reconfigure -fnoninteractive voip-ha-node </dev/null
}

provision_is_noop() { e2e_exec "$1" voip-ha provision 2>&1 | grep -qx 'voip-ha: note: provision: database already up to date'; }

files_on() { e2e_exec "$1" test -f "$2"; }

#### Pair A ###################################################################
e2e_setup
if ! pair_stage_debs; then
	tap_bail "package built (make deb)"
	tap_done
	exit 1
fi
pair_boot
for n in node1 node2; do e2e_copy_in "$n" "$E2E_ROOT/test/sip/scenarios/options.xml" /root/sip-options.xml; done

t0=$(ms)
tap_ok "node1: apt install with the preseed, non-interactive" pair_install node1
tap_diag "node1 install: $(($(ms) - t0)) ms"
t1=$(ms)
tap_ok "node2: apt install with the same preseed" pair_install node2
tap_diag "node2 install: $(($(ms) - t1)) ms"
tap_ok "pair serving (VIP up, standby streaming) within 120 s" wait_for 120 pair_serving
tap_diag "apt install on node1 -> pair serving: $(($(ms) - t0)) ms"

tap_ok "VIP $PAIR_VIP on node1" has_vip node1
tap_ok "VIP not on node2" no_vip node2
tap_ok "node1: pg_is_in_recovery() is false" eq "$(pg node1 'SELECT pg_is_in_recovery()')" f
tap_ok "node2: pg_is_in_recovery() is true" eq "$(pg node2 'SELECT pg_is_in_recovery()')" t
tap_ok "node1: pg_stat_replication shows node2 streaming through slot voip_ha_node2" \
	eq "$(replication_row)" "node2 ${PAIR_ADDR[node2]} streaming voip_ha_node2"
tap_ok "a row written through the VIP" write_row_via_vip e2e-row-1
tap_ok "... appears on node2's standby" wait_for 10 row_on_standby e2e-row-1
tap_ok "node2 cannot write (read-only standby)" not e2e_exec node2 runuser -u postgres -- psql -X -q -d voip -c 'CREATE TABLE voip.e2e_must_fail (x int)'
tap_ok "roles use scram-sha-256 verifiers" test "$(pg node1 "SELECT count(*) FROM pg_authid WHERE rolname IN ('replicator','kamailio','voip_admin','freeswitch') AND rolpassword LIKE 'SCRAM-SHA-256\$%'")" = 4
tap_ok "voip_admin may read pg_stat_replication (member of pg_monitor)" \
	eq "$(pg node1 "SELECT pg_has_role('voip_admin', 'pg_monitor', 'member')")" t
tap_ok "Kamailio's tables come from the installed SQL (kamailio.version, owner kamailio)" \
	test "$(pg node1 "SELECT tableowner FROM pg_tables WHERE schemaname = 'kamailio' AND tablename = 'subscriber'" voip)" = kamailio
tap_ok "primary_conninfo uses passfile=, holds no password" not e2e_exec node2 grep -q 'password=' /var/lib/postgresql/15/main/postgresql.auto.conf

tap_ok "SIP OPTIONS answered on the VIP (from node2)" sip_options node2 "$PAIR_VIP"
tap_ok "SIP OPTIONS answered on node1's own address (from node2)" sip_options node2 "${PAIR_ADDR[node1]}"
tap_ok "SIP OPTIONS answered on node2's own address (from node1)" sip_options node1 "${PAIR_ADDR[node2]}"

tap_ok "node1 journal: keepalived started after PostgreSQL, Kamailio, voip-admin were active" keepalived_started_last node1
tap_ok "node2 journal: keepalived started after PostgreSQL, Kamailio, voip-admin were active" keepalived_started_last node2
tap_ok "voip-ha check: node1 is a healthy primary" e2e_exec node1 voip-ha check --primary
tap_ok "voip-ha check --primary fails on the standby" not e2e_exec node2 voip-ha check --primary --quiet
tap_ok "notify recorded keepalived's MASTER state on node1" e2e_exec node1 grep -qx state=MASTER /var/lib/voip-ha/state
# check reads unit states from systemd over D-Bus: a stopped unit is named
e2e_exec node2 systemctl stop voip-admin.service
tap_ok "voip-ha check on node2 names the stopped unit: voip-admin.service is inactive" \
	check_says node2 "voip-admin.service is inactive"
e2e_exec node2 systemctl start voip-admin.service
tap_ok "... and passes again once it runs (node2: standby ready)" wait_for 30 e2e_exec node2 voip-ha check --quiet
tap_ok "VIP stayed on node1 meanwhile" has_vip node1

# Recordings: pushed from the VIP holder, never deleted on the receiver.
e2e_exec node2 sh -c "mkdir -p $REC && echo only-here > $REC/only-on-node2.wav"
e2e_exec node1 sh -c "mkdir -p $REC && head -c 65536 /dev/urandom > $REC/e2e-call-1.wav"
tap_ok "a recording written on node1 appears on node2 within 10 s" wait_for 10 files_on node2 "$REC/e2e-call-1.wav"
tap_ok "... with the same content" test "$(e2e_exec node1 sha256sum $REC/e2e-call-1.wav)" = "$(e2e_exec node2 sha256sum $REC/e2e-call-1.wav)"
sleep 3
tap_ok "a file only on node2 is not deleted" files_on node2 "$REC/only-on-node2.wav"

# Reinstall of the same version: nothing restarted, nothing changed.
pids1=$(main_pids node1)
pids2=$(main_pids node2)
sums1=$(config_sums node1)
sums2=$(config_sums node2)
tap_ok "node1: reinstall of the same version" e2e_sh node1 'cd /mnt/share && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall ./voip-ha-node_*.deb' </dev/null
tap_ok "node2: reinstall of the same version" e2e_sh node2 'cd /mnt/share && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall ./voip-ha-node_*.deb' </dev/null
tap_ok "node1: re-running voip-ha provision changes nothing (passwords kept, no migration)" provision_is_noop node1
tap_ok "node1: no service restarted (MainPID of postgresql, kamailio, keepalived, lsyncd, rsyncd, voip-admin)" eq "$(main_pids node1)" "$pids1"
tap_ok "node2: no service restarted" eq "$(main_pids node2)" "$pids2"
tap_ok "node1: no configuration file changed" eq "$(config_sums node1)" "$sums1"
tap_ok "node2: no configuration file changed" eq "$(config_sums node2)" "$sums2"
tap_ok "VIP still on node1 after the reinstall" has_vip node1

# Preseeded dpkg-reconfigure moves the VIP on the running pair.
tap_ok "node1: preseeded dpkg-reconfigure with VIP $NEW_VIP" reconfigure_vip node1 $NEW_VIP
tap_ok "node2: preseeded dpkg-reconfigure with VIP $NEW_VIP" reconfigure_vip node2 $NEW_VIP
tap_ok "the new VIP $NEW_VIP is up on node1" wait_for 20 has_vip node1 $NEW_VIP
tap_ok "the old VIP is gone from node1" wait_for 10 no_vip node1
tap_ok "the old VIP is not on node2" no_vip node2
tap_ok "new VIP not on node2" no_vip node2 $NEW_VIP
tap_ok "a row written through the new VIP reaches node2" write_row_via_vip e2e-row-2 $NEW_VIP
tap_ok "... and appears on the standby" wait_for 10 row_on_standby e2e-row-2
tap_ok "node2 still streaming after the reconfigure" wait_for 30 standby_streaming node2
tap_diag "after reconfigure: $(replication_row); node2 receiver: $(pg node2 "SELECT status || ' from ' || coalesce(sender_host, '?') FROM pg_stat_wal_receiver")"
tap_ok "SIP OPTIONS answered on the new VIP" sip_options node2 $NEW_VIP

# Purge removes our units, drop-ins and configuration.
tap_ok "node2: apt purge voip-ha-node" e2e_sh node2 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q voip-ha-node' </dev/null
tap_ok "node2: no voip-ha unit or drop-in left" not e2e_sh node2 'ls -d /lib/systemd/system/voip-ha* /lib/systemd/system/*.d/voip-ha.conf /etc/systemd/system/*voip-ha* /etc/systemd/system/*/voip-ha* 2>/dev/null | grep .'
tap_ok "node2: /etc/voip-ha and the generated configs are gone" not e2e_sh node2 'ls -d /etc/voip-ha /etc/keepalived/keepalived.conf /etc/lsyncd/lsyncd.conf.lua /etc/sysctl.d/60-voip-ha.conf 2>/dev/null | grep .'
tap_ok "node2: voip-ha binary gone" not e2e_exec node2 test -e /usr/sbin/voip-ha
# The removal stopped what ran from the package (debian/voip-ha-node.prerm):
# no voip-ha process (the monitor, rsyncd) and no keepalived left running
tap_ok "node2: no voip-ha process and no keepalived left running" \
	not e2e_sh node2 'pgrep -a -f "^(/usr/s?bin/)?(voip-ha|voip-admind|keepalived)( |$)|^/usr/bin/rsync .*--config=/etc/voip-ha/" | grep .'

for n in node1 node2; do e2e_node_stop "$n"; done
rm -rf "$E2E_WORK/node1" "$E2E_WORK/node2"
E2E_NODES=()

#### Pair B: node2 first, while node1 is unreachable ##########################
pair_boot
e2e_link_down node1
tb=$(ms)
tap_ok "node2 installs while node1 is unreachable" pair_install node2
tap_diag "node2 install with the peer away: $(($(ms) - tb)) ms (dpkg not blocked)"
tap_ok "node2: clone pending" e2e_exec node2 test -e /var/lib/voip-ha/clone-pending
tap_ok "node2: PostgreSQL not started as a second primary" not e2e_exec node2 pg_ctlcluster 15 main status
tap_ok "node2: voip-ha-clone.service keeps retrying" wait_for 30 e2e_sh node2 'journalctl -u voip-ha-clone.service | grep -q "not reachable yet"'
tap_ok "node2: keepalived not started (no VIP without a database)" not e2e_exec node2 systemctl is-active --quiet keepalived
e2e_link_up node1
tap_ok "node1 installs" pair_install node1
tap_ok "node2 becomes a streaming standby with no manual step (within 120 s)" wait_for 120 standby_streaming node2
tap_ok "node2: pg_is_in_recovery() is true" test "$(pg node2 'SELECT pg_is_in_recovery()')" = t
tap_ok "node2: keepalived started once the clone was done" wait_for 150 e2e_exec node2 systemctl is-active --quiet keepalived
tap_ok "pair B serving: VIP on node1, node2 streaming" wait_for 60 pair_serving
tap_ok "pair B: VIP not on node2" no_vip node2

tap_done
