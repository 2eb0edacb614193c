#!/bin/bash
# Suite e2e-upgrade: the rolling upgrade of README "Upgrading", performed on
# the two-node harness exactly as written there, while calls are up and
# writers run:
#   1 on the standby: apt-get install of version N+1; it streams again
#   2 on the VIP holder: voip-ha switchover (the VIP moves, once)
#   3 on the old holder, now the standby: apt-get install of N+1
# Packages: N and N+1 are both built here (build-deb.sh, ~20 s each): by
# default both from this tree, N as 0.1.0~prev and N+1 as 0.1.0+next with
# one controlled difference (upgrade-edit.sh: a comment line in the
# configuration of voip-ha-rsyncd, and one in FreeSWITCH's); with
# UPGRADE_FROM=REF, N is `git archive REF` (its own version).
# FreeSWITCH is not in Debian: freeswitch.service here is a STAND-IN (sipp
# answering calls as the media server on the node's FreeSWITCH port), so a
# restart of it would drop the calls it carries.
# TAP points: every call set up before and during the upgrade completed
# (sipp: 0 failed) and a call open from before the first step ends with a
# BYE after the last; 0 acknowledged rows lost from writers on both nodes;
# the VIP moved exactly once (keepalived's MASTER transitions, no failover
# in the history); per node, the units restarted by its upgrade are exactly
# those whose binary or configuration changed (default: voip-ha-rsyncd) and
# PostgreSQL (postmaster start), keepalived (main pid), Kamailio and
# FreeSWITCH were not restarted; FreeSWITCH's changed configuration is a
# pending restart in `voip-ha status` until the operator restarts it; both
# nodes on N+1 (dpkg-query); the pair healthy. TAP on stdout.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/tap.sh"
. "$HERE/pair.sh"
. "$HERE/failover-lib.sh"

UP_FROM=${UPGRADE_FROM:-}
UP_DEBS=$E2E_WORK/upgrade-debs # removed with the work dir
UP_RATE=${UPGRADE_CALL_RATE:-1}       # new calls per second during the upgrade
UP_HOLD_MS=${UPGRADE_CALL_HOLD_MS:-6000}
UP_STATS=$FO_DIR/upgrade-calls.csv
UP_N='' UP_N1='' # the two versions

# up_build DIR: N (prev) or N+1 (next) into UP_DEBS/DIR.
up_build() {
	local d=$UP_DEBS/$1 rc=0
	case $1 in
	prev)
		if [ -n "$UP_FROM" ]; then
			E2E_BUILD_DIR=$UP_DEBS/build BUILD_DEB_FROM=$UP_FROM "$HERE/build-deb.sh" "$d" || rc=1
		else
			E2E_BUILD_DIR=$UP_DEBS/build BUILD_DEB_VERSION=0.1.0~prev "$HERE/build-deb.sh" "$d" || rc=1
		fi
		;;
	next)
		E2E_BUILD_DIR=$UP_DEBS/build BUILD_DEB_VERSION=0.1.0+next BUILD_DEB_EDIT=$HERE/upgrade-edit.sh \
			"$HERE/build-deb.sh" "$d" || rc=1
		;;
	esac
	[ "$rc" = 0 ] || tail -n 20 "$d/build.log" 2>/dev/null
	return $rc
}

up_version() { dpkg-deb -f "$(ls "$UP_DEBS/$1"/voip-ha-node_*.deb)" Version; }

up_installed() { # NODE: the installed version of voip-ha-node
	# shellcheck disable=SC2016 # a dpkg-query format
	e2e_exec "$1" dpkg-query -W -f '${Version}' voip-ha-node 2>&1
}

up_on() { # NODE VERSION
	local v
	v=$(up_installed "$1")
	[ "$v" = "$2" ] || { echo "$1 has voip-ha-node $v, not $2"; return 1; }
}

# The FreeSWITCH stand-in: /usr/bin/freeswitch (what voip-ha check and hook
# 50 look for) runs sipp answering calls on the node's FreeSWITCH port,
# under a unit named freeswitch.service; /etc/freeswitch exists.
up_freeswitch_standin() { # NODE
	local n=$1
	e2e_copy_in "$n" "$SIP_E2E_SCEN/fs-uas.xml" /usr/local/share/fs-uas.xml 0644 || return 1
	e2e_sh "$n" "set -e
		mkdir -p /etc/freeswitch
		cat >/usr/bin/freeswitch <<-'EOF'
		#!/bin/sh
		# STAND-IN for FreeSWITCH (the voip-ha upgrade suite): sipp answering
		# calls on this node's FreeSWITCH SIP port; every message it gets is
		# traced to /root/freeswitch-standin.msg.
		exec sipp -sf /usr/local/share/fs-uas.xml -i ${PAIR_ADDR[$n]} -p $FO_SIP_MEDIA_PORT -nostdin \\
			-trace_msg -message_file /root/freeswitch-standin.msg
		EOF
		chmod 0755 /usr/bin/freeswitch
		cat >/etc/systemd/system/freeswitch.service <<-'EOF'
		[Unit]
		Description=STAND-IN for FreeSWITCH (sipp as the media server; voip-ha upgrade suite)
		[Service]
		ExecStart=/usr/bin/freeswitch
		WorkingDirectory=/root
		StandardOutput=null
		EOF
		systemctl daemon-reload
		systemctl start freeswitch.service"
}

# up_snapshot NODE: one line per unit, "unit start-id config-digest": the
# start id changes when the unit (re)started, the digest when a file it
# reads changed (the same files as postinst hook 40, plus the binary).
# PostgreSQL's start id is its postmaster start time.
up_snapshot() {
	# shellcheck disable=SC2016 # expanded inside the node
	e2e_sh "$1" '
		d() { for f; do if [ -e "$f" ]; then sha256sum "$f"; else echo "absent $f"; fi; done | sha256sum | cut -c1-16; }
		s() { systemctl show -p MainPID -p ExecMainStartTimestampMonotonic --value "$1" | tr "\n" /; }
		u() { unit=$1; shift; echo "$unit $(s "$unit") $(d "$@")"; }
		echo "postgresql $(runuser -u postgres -- psql -XAtqc "SELECT pg_postmaster_start_time()" | tr " " _) $(d /etc/postgresql/15/main/conf.d/50-voip-ha.conf /etc/postgresql/15/main/postgresql.conf /usr/lib/postgresql/15/bin/postgres)"
		u keepalived.service /usr/sbin/keepalived
		u kamailio.service /etc/voip-ha/kamailio/kamailio.cfg /etc/voip-ha/kamailio/dispatcher.list /lib/systemd/system/kamailio.service.d/voip-ha.conf /usr/sbin/kamailio
		u voip-admin.service /etc/voip-ha/voip-admin.conf /usr/sbin/voip-admind
		u voip-ha-monitor.service /etc/voip-ha/cluster.conf /usr/sbin/voip-ha
		u voip-ha-rsyncd.service /etc/voip-ha/rsyncd.conf /etc/voip-ha/rsyncd.secrets
		u lsyncd.service /etc/lsyncd/lsyncd.conf.lua /etc/voip-ha/recordings-rsync.password
		u freeswitch.service $(find /etc/freeswitch -type f | sort)'
}

# up_restarts BEFORE AFTER: "restarted" and "changed" unit lists.
up_join() { LC_ALL=C join <(LC_ALL=C sort "$1") <(LC_ALL=C sort "$2"); }
up_restarted() { up_join "$1" "$2" | awk '$2 != $4 { print $1 }' | tr '\n' ' '; }
up_changed() { up_join "$1" "$2" | awk '$3 != $5 { print $1 }' | tr '\n' ' '; }

up_not_restarted() { # BEFORE AFTER UNIT...
	local b=$1 a=$2 u r
	r=" $(up_restarted "$b" "$a")"
	shift 2
	for u; do
		[[ $r == *" $u "* ]] && { echo "$u restarted: $(grep "^$u " "$b") -> $(grep "^$u " "$a")"; return 1; }
	done
	return 0
}

# Restarted exactly what changed; keepalived, PostgreSQL and FreeSWITCH never
# (keepalived is reloaded, PostgreSQL reloaded unless a setting needs a
# restart, FreeSWITCH left pending).
up_restarted_is_changed() { # BEFORE AFTER [EXPECTED-CHANGED]
	local r c want=${3:-} u exp
	r=$(up_restarted "$1" "$2")
	c=$(up_changed "$1" "$2")
	echo "restarted: ${r:-none}; configuration or binary changed: ${c:-none}"
	exp=
	for u in $c; do
		case $u in keepalived.service | postgresql | freeswitch.service) ;; *) exp+="$u " ;; esac
	done
	[ "$r" = "$exp" ] || return 1
	[ -z "$want" ] || [ "$c" = "$want" ]
}

# Keepalived's MASTER transitions on NODE since T (epoch s).
up_master_count() {
	e2e_exec "$1" journalctl -q --no-pager -u keepalived --since "@$2" -o cat 2>/dev/null |
		grep -c 'Entering MASTER STATE'
}

up_vip_moved_once() { # T FROM TO
	local f t h
	f=$(up_master_count "$2" "$1")
	t=$(up_master_count "$3" "$1")
	# shellcheck disable=SC2016 # awk's own fields
	h=$(for n in node1 node2; do e2e_exec "$n" awk -F'\t' -v t="$1" '$1 >= t && $2 == "failover"' /var/lib/voip-ha/history; done | wc -l)
	echo "MASTER transitions since the start: $2 $f, $3 $t; failovers in the history: $h"
	[ "$f" = 0 ] && [ "$t" = 1 ] && [ "$h" = 0 ]
}

# The upgrade on NODE, as README "Upgrading" says.
up_apt() { # NODE
	e2e_sh "$1" 'cd /mnt/share/next && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ./voip-ha-node_*.deb' \
		</dev/null >"$FO_DIR/apt-$1.log" 2>&1 || { tail -n 30 "$FO_DIR/apt-$1.log"; return 1; }
	grep '^voip-ha:' "$FO_DIR/apt-$1.log" | while IFS= read -r l; do tap_diag "$1 apt| $l"; done >&2
}

up_pending_shown() { # NODE: status shows FreeSWITCH's restart pending
	local out
	out=$(e2e_exec "$1" voip-ha status 2>&1)
	grep -q '^  restart pending: freeswitch.service: ' <<<"$out" &&
		e2e_exec "$1" voip-ha status --json 2>/dev/null | grep -q '"restart_pending":\[{"unit":"freeswitch.service"' &&
		return 0
	echo "$out"
	return 1
}

up_pending_gone() {
	local out
	out=$(e2e_exec "$1" voip-ha status --json 2>&1)
	grep -q '"restart_pending":\[\]' <<<"$out" && return 0
	echo "$out"
	return 1
}

# The monitor, when restarted by an upgrade, stopped cleanly: its
# ExecStopPost fenced nothing.
up_monitor_clean() { # NODE T
	local j
	j=$(e2e_exec "$1" journalctl -q --no-pager -u voip-ha-monitor --since "@$2" -o cat 2>&1)
	grep -q 'the monitor is gone' <<<"$j" && { echo "$j" | tail -n 10; return 1; }
	return 0
}

# Calls through the VIP from the phones, one every 1/UP_RATE s, each held
# UP_HOLD_MS, until SIGUSR1 (sipp stops placing calls, ends the open ones).
# Every message the phones send and get is traced to upgrade-calls.msg, and
# a failed call's last messages are in upgrade-calls.err.
up_calls_start() {
	rm -f "$UP_STATS"
	ip netns exec "$E2E_WITNESS_NS" sipp -sf "$SIP_E2E_SCEN/call.xml" "$PAIR_VIP:5060" -i "$PAIR_PHONES" -p 5070 \
		-key caller 1002 -s 2001 -au 1002 -ap "$FO_SIP_PW_1002" -r "$UP_RATE" -d "$UP_HOLD_MS" \
		-nostdin -recv_timeout 30s -default_behaviors all,-abortunexp \
		-trace_stat -stf "$UP_STATS" -fd 5 -trace_msg -message_file "$FO_DIR/upgrade-calls.msg" \
		-trace_err -error_file "$FO_DIR/upgrade-calls.err" \
		</dev/null >/dev/null 2>&1 &
	UP_CALLS_PID=$!
}

up_stat() { # COLUMN of the last row
	awk -F';' -v col="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next } { v = $c } END { print v + 0 }' "$UP_STATS"
}

up_calls_stop() {
	local deadline=$((SECONDS + UP_HOLD_MS / 1000 + 40))
	kill -USR1 "$UP_CALLS_PID" 2>/dev/null
	while kill -0 "$UP_CALLS_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
	kill "$UP_CALLS_PID" 2>/dev/null
	wait "$UP_CALLS_PID" 2>/dev/null
	UP_CALLS_RC=$?
}

up_calls_ok() {
	local ok failed
	ok=$(up_stat 'SuccessfulCall(C)')
	failed=$(up_stat 'FailedCall(C)')
	echo "calls: successful $ok, failed $failed, retransmissions $(up_stat 'Retransmissions(C)'), sipp exit $UP_CALLS_RC"
	[ -s "$FO_DIR/upgrade-calls.err" ] && tail -n 20 "$FO_DIR/upgrade-calls.err"
	[ "$failed" = 0 ] && [ "$ok" -gt 0 ] && [ "$UP_CALLS_RC" = 0 ]
}

# The FreeSWITCH stand-in on either node received both the INVITE and the
# BYE of the call opened before the upgrade: the same process (sipp's
# message file starts empty at each start), so nothing restarted it between.
up_dialog_one_standin() {
	local id n
	id=$(sed -n 's/^.*dialog callid=\([^|]*\).*$/\1/p' "$FO_DIR/upgrade-dialog.log" | tail -n 1)
	[ -n "$id" ] || { echo "no dialog recorded"; return 1; }
	for n in node1 node2; do
		# shellcheck disable=SC2016 # awk's own variables
		e2e_exec "$n" awk -v id="$id" '{ sub(/\r$/, "") }
			/^(INVITE|BYE) / { m = $1 }
			tolower($1) == "call-id:" || $1 == "i:" { if ($2 == id && m != "") seen[m] = 1; m = "" }
			END { exit !(seen["INVITE"] && seen["BYE"]) }' /root/freeswitch-standin.msg && return 0
	done
	echo "no stand-in received both the INVITE and the BYE of call $id"
	for n in node1 node2; do
		echo "$n: $(e2e_exec "$n" grep -c -F "$id" /root/freeswitch-standin.msg) lines name the call; its requests:"
		e2e_exec "$n" grep -a -E "^(INVITE|BYE) |$id" /root/freeswitch-standin.msg | head -n 8 | cat -A | cut -c1-100
	done
	return 1
}

#### The suite #################################################################

e2e_setup
mkdir -p "$UP_DEBS"
tap_ok "build N ($([ -n "$UP_FROM" ] && echo "git archive $UP_FROM" || echo "this tree as 0.1.0~prev"))" up_build prev
tap_ok "build N+1 (this tree as 0.1.0+next, with upgrade-edit.sh's controlled difference)" up_build next
UP_N=$(up_version prev 2>/dev/null)
UP_N1=$(up_version next 2>/dev/null)
tap_diag "N = $UP_N, N+1 = $UP_N1"
# shellcheck disable=SC2034 # read by pair_stage_debs (pair.sh)
PAIR_DEB_DIR=$UP_DEBS/prev
if [ -z "$UP_N" ] || [ -z "$UP_N1" ] || ! pair_stage_debs; then
	tap_bail "packages built"
	tap_done
	exit 1
fi
mkdir -p "$E2E_WORK/share/next"
cp "$UP_DEBS"/next/*.deb "$E2E_WORK/share/next/"
tap_ok "N+1 ($UP_N1) is newer than N ($UP_N)" dpkg --compare-versions "$UP_N1" gt "$UP_N"
pair_boot
for n in node1 node2; do
	tap_ok "$n: freeswitch.service (a STAND-IN: sipp as the media server) running before the install" up_freeswitch_standin "$n"
done
tap_ok "node1: apt install N with the preseed" pair_install node1
tap_ok "node2: apt install N with the same preseed" pair_install node2
tap_ok "pair serving on N (VIP on node1, node2 streaming) within 120 s" wait_for 120 pair_serving
tap_ok "writer, SIP scenarios and passfile in the nodes; test tables; SIP domain and extensions" fo_setup
tap_ok "pair healthy (VIP on node1, node2 streaming from it)" wait_for 60 fo_healthy_with node1
tap_ok "the FreeSWITCH stand-ins answer node1's dispatcher probes (both nodes)" \
	eval 'fo_until 30 fo_sip_media_active node1 ${PAIR_ADDR[node1]} && fo_until 30 fo_sip_media_active node1 ${PAIR_ADDR[node2]}'

T0=$(date +%s)
sleep 1
# A call set up before the first step, ended after the last one.
tap_ok "before the upgrade: phone 1002's call through the VIP is up (it stays up across the upgrade)" \
	sip_e2e_dialog_open "ip netns exec $E2E_WITNESS_NS" "$SIP_E2E_SCEN" "$PAIR_VIP" 1002 "$FO_SIP_PW_1002" 2000 \
	"$PAIR_PHONES" "$FO_DIR/upgrade-dialog.log"
up_calls_start
tap_diag "calls started at $(ms) (epoch ms), one every $((1000 / UP_RATE)) ms, held $UP_HOLD_MS ms"
fo_writers_start up
sleep 5

# up_upgrade_standby STEP NODE HOLDER: the procedure's step on the standby
# NODE while HOLDER has the VIP: apt-get install N+1, NODE streams again,
# exactly what changed was restarted on NODE, nothing on HOLDER, a
# restarted monitor stopped cleanly, FreeSWITCH's restart pending shown.
up_upgrade_standby() {
	local step=$1 n=$2 other=$3 t
	up_snapshot "$n" >"$FO_DIR/$n.before"
	up_snapshot "$other" >"$FO_DIR/$other.before-$n"
	t=$(date +%s)
	tap_ok "step $step: $n (the standby): apt-get install ./voip-ha-node_${UP_N1}.deb" up_apt "$n"
	up_snapshot "$n" >"$FO_DIR/$n.after"
	up_snapshot "$other" >"$FO_DIR/$other.after-$n"
	tap_diag "$n upgrade: restarted: $(up_restarted "$FO_DIR/$n.before" "$FO_DIR/$n.after"); binary or configuration changed: $(up_changed "$FO_DIR/$n.before" "$FO_DIR/$n.after")"
	tap_ok "step $step: $n streams from $other again" fo_until 60 fo_healthy_with "$other"
	tap_ok "step $step: $n on $UP_N1" up_on "$n" "$UP_N1"
	if [ -z "$UP_FROM" ]; then
		tap_ok "$n upgrade: restarted exactly the units whose binary or configuration changed (only voip-ha-rsyncd's configuration)" \
			up_restarted_is_changed "$FO_DIR/$n.before" "$FO_DIR/$n.after" "freeswitch.service voip-ha-rsyncd.service "
	else
		tap_ok "$n upgrade: restarted exactly the units whose binary or configuration changed" \
			up_restarted_is_changed "$FO_DIR/$n.before" "$FO_DIR/$n.after"
	fi
	tap_ok "$n upgrade: PostgreSQL (postmaster start), keepalived (main pid), Kamailio, FreeSWITCH not restarted on $n" \
		up_not_restarted "$FO_DIR/$n.before" "$FO_DIR/$n.after" postgresql keepalived.service kamailio.service freeswitch.service
	tap_ok "$n upgrade: nothing restarted on $other" \
		up_not_restarted "$FO_DIR/$other.before-$n" "$FO_DIR/$other.after-$n" postgresql keepalived.service kamailio.service \
		voip-admin.service voip-ha-monitor.service voip-ha-rsyncd.service lsyncd.service freeswitch.service
	tap_ok "$n upgrade: a monitor restarted by it stopped cleanly (nothing fenced)" up_monitor_clean "$n" "$t"
	tap_ok "$n: voip-ha status shows FreeSWITCH's restart pending (its configuration changed, it was not restarted)" \
		up_pending_shown "$n"
	sleep 3
}

# 1. The standby.
up_upgrade_standby 1 node2 node1

# 2. The switchover.
t_sw=$(ms)
tap_ok "step 2: voip-ha switchover on node1" fo_switchover_run node1
tap_diag "switchover from $t_sw to $(ms) (epoch ms; sipp's error file has each failed call's time)"
tap_ok "step 2: pair healthy with the VIP on node2, node1 streaming from it" fo_until 60 fo_healthy_with node2
sleep 3

# 3. The other node, now the standby.
up_upgrade_standby 3 node1 node2

# The end: calls, writers, versions, health.
up_calls_stop
tap_ok "the call open since before the upgrade ends now with a BYE along its route (200 from the far end)" \
	sip_e2e_dialog_bye "ip netns exec $E2E_WITNESS_NS" "$SIP_E2E_SCEN" "$PAIR_VIP" 1002 2000 "$PAIR_PHONES" "$FO_DIR/upgrade-dialog.log"
tap_ok "the same FreeSWITCH stand-in process received that call's INVITE and its BYE" up_dialog_one_standin
tap_ok "every call set up before and during the upgrade completed (sipp: 0 failed)" up_calls_ok
tap_diag "$(up_calls_ok 2>&1 | head -n1)"
fo_writers_stop
fo_compare up "$(fo_final_primary)"
tap_ok "writers on both nodes acknowledged rows" fo_writers_wrote
tap_ok "0 acknowledged rows lost (${FO_R[acked]} acknowledged: node1 ${FO_R[acked_node1]}, node2 ${FO_R[acked_node2]})" fo_no_loss
tap_diag "longest time without an acknowledged write: ${FO_R[gap]} ms"
tap_ok "the VIP moved exactly once (node1 -> node2, the switchover), no failover" up_vip_moved_once "$T0" node1 node2
tap_ok "both nodes on $UP_N1 (dpkg-query)" eval 'up_on node1 "$UP_N1" && up_on node2 "$UP_N1"'
tap_ok "pair healthy: the VIP on node2 only, node1 streaming from it" fo_healthy_with node2
tap_ok "postgresql, kamailio, keepalived active on both nodes" fo_services
# The operator restarts FreeSWITCH when it carries no calls: the pending
# restart is done.
tap_ok "once the operator restarts FreeSWITCH (no calls left), status shows no restart pending" \
	eval 'e2e_exec node1 systemctl restart freeswitch.service && e2e_exec node2 systemctl restart freeswitch.service &&
		up_pending_gone node1 && up_pending_gone node2'
tap_diag "suite took $SECONDS s"
tap_done
