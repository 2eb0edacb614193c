# shellcheck shell=bash
# The failover fault matrix on a pair (lib.sh + pair.sh): writers through the
# VIP on both nodes, the RTO probe, the health of the pair, the six scenarios.
# Shared by the suite (failover.sh, TAP) and the benchmark (failover-bench.sh).
#
#   fo_setup                  after pair_install on both: test files into the
#                             nodes, test tables, pair healthy
#   fo_scenario NUM TAG       one scenario (1-6) from a healthy pair; results
#                             in FO_R[...] (see fo_scenario), test points
#                             through fo_check (TAP in the suite)
#
# Healthy pair: exactly one node holds the VIP, its PostgreSQL is a primary
# that takes a write, the other is a standby whose WAL receiver streams from
# the VIP holder (so neither is a second primary).

FO_MODE=${FO_MODE:-tap}                     # tap: test points; bench: quiet
FO_DIR=${FO_DIR:-$E2E_WORK/failover}        # ack records and probe logs
FO_WRITE_INTERVAL=${FO_WRITE_INTERVAL:-0.1} # pause between a writer's rows
FO_PROBE_INTERVAL=${FO_PROBE_INTERVAL:-0.15}
FO_RTO_WAIT=${FO_RTO_WAIT:-60}         # fault -> service on the survivor
FO_HEALTHY_WAIT=${FO_HEALTHY_WAIT:-180} # last manual step -> healthy pair
FO_RESTORE_WAIT=${FO_RESTORE_WAIT:-90} # unhealthy start: restore, then give up
FO_REINSTALL=${FO_REINSTALL:-0}        # 1: a pair that cannot be restored is reinstalled
FO_PRE=${FO_PRE:-3}                    # writes before the fault (s)
FO_POST=${FO_POST:-2}                  # writes once healthy again (s)
FO_SWITCHOVER_TIMEOUT=${FO_SWITCHOVER_TIMEOUT:-120}
FO_JOURNAL_DIR=${FO_JOURNAL_DIR:-}       # set: each run's journals kept there (fo_journal_keep)
FO_PG_UNIT=${FO_PG_UNIT:-postgresql@15-main}
FO_PG_DATA=${FO_PG_DATA:-/var/lib/postgresql/15/main}
FO_STOPFILE=$E2E_WORK/share/writers.stop # /mnt/share/writers.stop in the nodes

# shellcheck source=failover-sip.sh
. "$E2E_ROOT/test/e2e/failover-sip.sh"

declare -gA FO_R=()     # results of the last scenario
declare -gA FO_WPID=()  # writer name -> host pid of its e2e_exec
declare -gA FO_WNODE=() # writer name -> node
FO_WNAMES=()
FO_HOLDER=
FO_FAILED=()

declare -gA FO_NAME=(
	[1]="power loss of the primary"
	[2]="PostgreSQL SIGKILLed on the primary"
	[3]="Kamailio stopped on the primary"
	[4]="keepalived stopped on the primary for 10 s"
	[5]="cable of the primary cut for 20 s"
	[6]="switchover and back"
	[7]="only the link between the nodes cut for 20 s (arbiter)"
	[8]="the witness machine powered off for 20 s (arbiter)"
	[9]="the witness powered off, then the primary (arbiter)"
	[10]="PostgreSQL hung on the primary (SIGSTOP), thawed 20 s later"
	[11]="the failover monitor hung on the primary (SIGSTOP; arbiter)"
	[12]="the standby's firewall drops VRRP from the primary for 20 s (fast profile)"
)

fo_other() { if [ "$1" = node1 ]; then echo node2; else echo node1; fi; }

fo_log() { # one line (psql errors span two)
	local m="$*"
	m=${m//$'\n'/ }
	m=${m//$'\t'/ }
	if [ "$FO_MODE" = tap ]; then tap_diag "$m"; else e2e_log "$m"; fi
}

# fo_until SECS CMD...: wait_for, then once more with its output, so a
# failing point says why.
fo_until() {
	wait_for "$@" && return 0
	shift
	"$@"
}

# fo_check DESC CMD...: a test point (TAP in the suite; in the benchmark a
# failure is only recorded in FO_FAILED).
fo_check() {
	local desc=$1
	shift
	if [ "$FO_MODE" = tap ]; then
		tap_ok "$desc" "$@"
	elif ! { mkdir -p "$FO_DIR" && "$@" >"$FO_DIR/check.out" 2>&1; }; then
		FO_FAILED+=("$desc")
		# what it said, beside the run's journals
		[ -z "$FO_JOURNAL_DIR" ] || {
			mkdir -p "$FO_JOURNAL_DIR"
			printf '%s %s\n' "$(date -u +%T)" "$desc"
			sed 's/^/  /' "$FO_DIR/check.out"
		} >>"$FO_JOURNAL_DIR/failed-checks.log"
	fi
}

fo_fail() { # DESC WHY: a point that failed without running anything
	fo_check "$1" fo_false "$2"
}
fo_false() {
	echo "$1"
	return 1
}

fo_pg() { # NODE SQL [DB]: as postgres on the node's socket, bounded
	e2e_exec "$1" timeout -k 1 "${FO_PG_TIMEOUT:-5}" runuser -u postgres -- \
		psql -X -At -q -v ON_ERROR_STOP=1 -d "${3:-postgres}" -c "$2" 2>&1
}

fo_up() { e2e_pid1 "$1" >/dev/null 2>&1; }

fo_has_vip() {
	local a
	a=$(e2e_exec "$1" ip -4 -o addr show dev host0 2>/dev/null) || return 1
	[[ $a == *" $PAIR_VIP/"* ]]
}

# Healthy pair (see the top). Says why not; sets FO_HOLDER when healthy.
fo_healthy() {
	local holders=() n p s r st out
	FO_HOLDER=
	for n in node1 node2; do fo_has_vip "$n" && holders+=("$n"); done
	if [ ${#holders[@]} != 1 ]; then
		echo "VIP held by ${#holders[@]} nodes (${holders[*]:-none})"
		return 1
	fi
	p=${holders[0]}
	s=$(fo_other "$p")
	r=$(fo_pg "$p" "SELECT pg_is_in_recovery()")
	[ "$r" = f ] || { echo "$p holds the VIP but its PostgreSQL is not a primary (${r:-no answer})"; return 1; }
	out=$(fo_pg "$p" "INSERT INTO voip.e2e_probe (node) VALUES ('health $p')" voip) ||
		{ echo "$p: the primary does not take a write: ${out:-timed out}"; return 1; }
	r=$(fo_pg "$s" "SELECT pg_is_in_recovery()")
	[ "$r" = t ] || { echo "$s is not a standby (pg_is_in_recovery: ${r:-no answer})"; return 1; }
	st=$(fo_pg "$s" "SELECT status || ' ' || coalesce(sender_host, '') FROM pg_stat_wal_receiver")
	case $st in
	"streaming ${PAIR_ADDR[$p]}" | "streaming $PAIR_VIP") ;;
	*)
		echo "$s: WAL receiver '${st:-none}', expected streaming from $p"
		return 1
		;;
	esac
	FO_HOLDER=$p
	echo "VIP and primary on $p, $s streaming from it"
}

fo_healthy_with() { # HOLDER: healthy and the VIP on HOLDER
	fo_healthy || return 1
	[ "$FO_HOLDER" = "$1" ] || { echo "healthy, but the VIP is on $FO_HOLDER, not $1"; return 1; }
}

fo_services() { # units a node needs to serve or to take over
	local n u bad=()
	for n in node1 node2; do
		fo_up "$n" || { bad+=("$n:down"); continue; }
		for u in "$FO_PG_UNIT" kamailio keepalived; do
			e2e_exec "$n" systemctl is-active --quiet "$u" || bad+=("$n:$u=$(e2e_exec "$n" systemctl is-active "$u")")
		done
	done
	[ ${#bad[@]} = 0 ] || { echo "not active: ${bad[*]}"; return 1; }
}

# Cluster state as diagnostics (never asserted on).
fo_state_diag() {
	local n
	for n in node1 node2; do
		if ! fo_up "$n"; then
			fo_log "$n: not running"
			continue
		fi
		fo_log "$n: VIP $(fo_has_vip "$n" && echo held || echo -), PostgreSQL in recovery: $(fo_pg "$n" 'SELECT pg_is_in_recovery()' | head -n1), receiver: $(fo_pg "$n" "SELECT status || ' ' || coalesce(sender_host, '') FROM pg_stat_wal_receiver" | head -n1)"
		# shellcheck disable=SC2016 # expanded inside the node
		fo_log "$n: $(e2e_exec "$n" sh -c 'for u in postgresql@15-main kamailio keepalived voip-admin voip-ha-rebuild; do printf "%s=%s " "$u" "$(systemctl is-active $u)"; done' 2>&1)"
		e2e_exec "$n" timeout 10 voip-ha status 2>&1 | head -n 25 | while IFS= read -r l; do fo_log "$n status| $l"; done
	done
}

#### Setup ######################################################################

fo_preseed() { # QUESTION: its value in the preseed (the rest of the line after the type)
	sed -n "s|^[^[:space:]]\{1,\}[[:space:]]\{1,\}$1[[:space:]]\{1,\}[^[:space:]]\{1,\}[[:space:]]\{1,\}||p" \
		"$PAIR_PRESEED" | head -n1
}

fo_admin_password() { # from the preseed, escaped for a pgpass line
	local pw
	pw=$(fo_preseed voip-ha-node/admin-db-password)
	pw=${pw//\\/\\\\}
	printf '%s' "${pw//:/\\:}"
}

fo_prepare_node() { # NODE: writer, SIP scenarios, 0600 passfile
	local n=$1 pf rc=0
	e2e_copy_in "$n" "$E2E_ROOT/test/e2e/writer.sh" /root/e2e-writer.sh 0755 || return 1
	sip_e2e_copy_in "$n" "$FO_SIP_NODE_SCEN" || return 1
	pf=$(umask 077 && mktemp) || return 1
	printf '*:5432:voip:voip_admin:%s\n' "$(fo_admin_password)" >"$pf"
	e2e_copy_in "$n" "$pf" /root/.e2e-pgpass 0600 || rc=1
	rm -f "$pf"
	return $rc
}

fo_setup() {
	local n
	mkdir -p "$FO_DIR"
	rm -f "$FO_STOPFILE"
	for n in node1 node2; do fo_prepare_node "$n" || return 1; done
	e2e_exec node1 /bin/bash /root/e2e-writer.sh init "$PAIR_VIP" </dev/null || return 1
	[ "$FO_SIP" = 1 ] || return 0
	fo_sip_setup
}

#### Writers ####################################################################

fo_writer_file() { printf '%s/%s.acks' "$FO_DIR" "${1//\//_}"; }

fo_writer_start() { # NODE NAME
	local n=$1 name=$2 f
	f=$(fo_writer_file "$name")
	e2e_exec "$n" /bin/bash /root/e2e-writer.sh write "$PAIR_VIP" "$name" "$FO_WRITE_INTERVAL" "${FO_WRITE_MAX:-900}" \
		</dev/null >"$f" 2>"$f.err" &
	FO_WPID[$name]=$!
	FO_WNODE[$name]=$n
	FO_WNAMES+=("$name")
}

fo_writers_start() { # TAG: one writer on each running node
	local n
	rm -f "$FO_STOPFILE"
	FO_WNAMES=()
	for n in node1 node2; do
		fo_up "$n" && fo_writer_start "$n" "$1/$n"
	done
}

fo_writers_alive() {
	local w
	for w in "${!FO_WPID[@]}"; do kill -0 "${FO_WPID[$w]}" 2>/dev/null && return 0; done
	return 1
}

# Stop file first (a writer ends its current insert, at most its 10 s
# timeout), then by pid for any that did not stop.
fo_writers_stop() {
	local w deadline pid
	[ ${#FO_WPID[@]} -gt 0 ] || return 0
	touch "$FO_STOPFILE"
	deadline=$((SECONDS + 20))
	while fo_writers_alive && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
	for w in "${!FO_WPID[@]}"; do
		pid=${FO_WPID[$w]}
		if kill -0 "$pid" 2>/dev/null; then
			e2e_sh "${FO_WNODE[$w]}" "p=\$(cat /run/e2e-writer.${w//\//_}.pid 2>/dev/null) && kill -KILL \"\$p\"" 2>/dev/null
			kill "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null
	done
	FO_WPID=()
	rm -f "$FO_STOPFILE"
}

# fo_compare TAG NODE: every acknowledged (writer, n) of the scenario must be
# in NODE's table. Sets FO_R[acked], FO_R[lost] ("?" when the table could not
# be read), FO_R[acked_node1/2], FO_R[gap] (longest time without any
# acknowledged row, all writers together) and FO_LOST_SAMPLE.
fo_compare() {
	local tag=$1 node=$2 w f rows k
	: >"$FO_DIR/$tag.acked"
	FO_R[acked_node1]=0 FO_R[acked_node2]=0
	for w in "${FO_WNAMES[@]}"; do
		f=$(fo_writer_file "$w")
		[ -f "$f" ] || continue
		awk -v w="$w" 'NF >= 2 { print w " " $1 }' "$f" >>"$FO_DIR/$tag.acked"
		rows=$(awk 'NF >= 2' "$f" | wc -l)
		k=acked_${FO_WNODE[$w]}
		FO_R[$k]=$((${FO_R[$k]} + rows))
	done
	LC_ALL=C sort -u -o "$FO_DIR/$tag.acked" "$FO_DIR/$tag.acked"
	FO_R[acked]=$(wc -l <"$FO_DIR/$tag.acked")
	FO_R[gap]=$(for w in "${FO_WNAMES[@]}"; do awk 'NF >= 2 { print $2 }' "$(fo_writer_file "$w")"; done |
		sort -n | awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1 } END { print g + 0 }')
	FO_LOST_SAMPLE=
	rows=
	if [ -z "$node" ] || ! rows=$(fo_pg "$node" "SELECT writer || ' ' || n FROM voip.e2e_writes WHERE split_part(writer, '/', 1) = '$tag'" voip); then
		FO_R[lost]="?"
		FO_LOST_SAMPLE="cannot read the table on ${node:-(no primary)}: $rows"
		return 1
	fi
	printf '%s\n' "$rows" | LC_ALL=C sort -u >"$FO_DIR/$tag.table"
	LC_ALL=C comm -23 "$FO_DIR/$tag.acked" "$FO_DIR/$tag.table" >"$FO_DIR/$tag.lost"
	FO_R[lost]=$(wc -l <"$FO_DIR/$tag.lost")
	FO_LOST_SAMPLE=$(head -n 20 "$FO_DIR/$tag.lost" | tr '\n' ',')
}

fo_no_loss() {
	[ "${FO_R[lost]}" = 0 ] && return 0
	if [ "${FO_R[lost]}" = "?" ]; then
		echo "cannot compare the ${FO_R[acked]} acknowledged rows: $FO_LOST_SAMPLE"
		return 1
	fi
	echo "${FO_R[lost]} of ${FO_R[acked]} acknowledged rows missing on the primary; first: $FO_LOST_SAMPLE"
	return 1
}

fo_writers_wrote() {
	[ "${FO_R[acked_node1]}" -gt 0 ] && [ "${FO_R[acked_node2]}" -gt 0 ] && return 0
	echo "acknowledged rows: node1 ${FO_R[acked_node1]}, node2 ${FO_R[acked_node2]}"
	local w
	for w in "${FO_WNAMES[@]}"; do
		echo "$w stderr: $(tail -n 3 "$(fo_writer_file "$w").err" 2>/dev/null)"
	done
	return 1
}

# The node whose table is the reference: the VIP holder if it is a primary,
# else the only primary.
fo_final_primary() {
	local n prim=()
	for n in node1 node2; do
		if fo_has_vip "$n" && [ "$(fo_pg "$n" 'SELECT pg_is_in_recovery()')" = f ]; then
			echo "$n"
			return 0
		fi
	done
	for n in node1 node2; do
		[ "$(fo_pg "$n" 'SELECT pg_is_in_recovery()')" = f ] && prim+=("$n")
	done
	[ ${#prim[@]} = 1 ] && echo "${prim[0]}"
}

#### RTO probe ##################################################################

fo_probe_start() { # NODE TAG: the probe inside NODE, in the background
	FO_PROBE_FILE=$FO_DIR/$2.probe
	e2e_exec "$1" /bin/bash /root/e2e-writer.sh probe "$PAIR_VIP" "${PAIR_ADDR[$1]}" \
		"$FO_PROBE_INTERVAL" "$FO_RTO_WAIT" </dev/null >"$FO_PROBE_FILE" 2>&1 &
	FO_PROBE_PID=$!
}

# fo_probe_wait T0: waits for the probe (it stops itself after FO_RTO_WAIT);
# FO_R[vip|db|sip|rto] = ms from T0 to the first time each held ("" never).
fo_probe_wait() {
	local t0=$1 deadline k v
	deadline=$((SECONDS + FO_RTO_WAIT + 15))
	while kill -0 "$FO_PROBE_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
	kill "$FO_PROBE_PID" 2>/dev/null
	wait "$FO_PROBE_PID" 2>/dev/null
	for k in vip db sip ready; do
		v=$(awk -v k="$k" '$1 == k { print $2; exit }' "$FO_PROBE_FILE")
		FO_R[$k]=${v:+$((v - t0))}
	done
	FO_R[rto]=${FO_R[ready]}
}

# Until the probe has ended and the pair is healthy (or FO_HEALTHY_WAIT has
# passed): FO_R[healthy] = ms from T0 to the first healthy state, then the
# probe's results (fo_probe_wait).
fo_wait_healthy_probing() {
	local t0=$1 deadline
	deadline=$(($(ms) + FO_HEALTHY_WAIT * 1000))
	while :; do
		if [ -z "${FO_R[healthy]}" ] && fo_healthy >/dev/null 2>&1; then
			FO_R[healthy]=$(($(ms) - t0))
		fi
		kill -0 "$FO_PROBE_PID" 2>/dev/null && { sleep 0.2; continue; }
		[ -n "${FO_R[healthy]}" ] && break
		[ "$(ms)" -lt "$deadline" ] || break
		sleep 0.2
	done
	fo_probe_wait "$t0"
}

fo_rto_ok() {
	[ -n "${FO_R[rto]}" ] && return 0
	echo "not serving on the survivor within ${FO_RTO_WAIT} s: VIP after ${FO_R[vip]:-never} ms, writable after ${FO_R[db]:-never} ms, SIP after ${FO_R[sip]:-never} ms"
	tail -n 3 "$FO_PROBE_FILE"
	return 1
}

# fo_journal_keep TAG T0 NODE...: with FO_JOURNAL_DIR set, what the
# failover units (keepalived, the monitor, notify, PostgreSQL, the rebuild,
# Kamailio) logged on each running NODE from 3 s before the fault (T0, ms)
# on, to FO_JOURNAL_DIR/TAG-NODE.journal: a slow run can then be explained
# after the pair is gone.
fo_journal_keep() {
	local tag=$1 t0=$2 n
	shift 2
	[ -n "$FO_JOURNAL_DIR" ] || return 0
	mkdir -p "$FO_JOURNAL_DIR"
	for n in "$@"; do
		fo_up "$n" || continue
		e2e_exec "$n" journalctl -q --no-pager -o short-unix --since "@$((t0 / 1000 - 3))" \
			-u keepalived -u voip-ha-monitor -u "$FO_PG_UNIT" -u voip-ha-rebuild -u kamailio \
			-t voip-ha-notify -t Keepalived_vrrp \
			>"$FO_JOURNAL_DIR/${tag//\//_}-$n.journal" 2>&1 || true
	done
}

# The journal of voip-ha-rebuild.service on NODE since T0 (ms): rewind or
# basebackup, and how long the rebuild logged for (first to last line).
fo_rejoin_info() {
	local node=$1 t0=$2 out
	FO_R[rejoin]="no rebuild logged" FO_R[rebuild_ms]=
	out=$(e2e_exec "$node" journalctl -q --no-pager -o short-unix -u voip-ha-rebuild.service \
		--since "@$((t0 / 1000))" 2>/dev/null) || return 0
	[ -n "$out" ] || return 0
	if grep -q pg_basebackup <<<"$out"; then
		FO_R[rejoin]=basebackup
	elif grep -q pg_rewind <<<"$out"; then
		FO_R[rejoin]=rewind
	else
		FO_R[rejoin]="rebuild (method not in the journal)"
	fi
	FO_R[rebuild_ms]=$(awk 'NR == 1 { f = $1 } { l = $1 } END { printf "%d", (l - f) * 1000 }' <<<"$out")
}

#### Restoring a healthy pair ###################################################

fo_restore() {
	local n
	if [ "$PAIR_ARBITER" = 1 ] && ! fo_up witness; then
		e2e_node_boot_try witness >&2 || true
	fi
	e2e_link_between_up
	for n in node1 node2; do
		fo_up "$n" || e2e_node_boot_try "$n" >&2 || true
		e2e_link_up "$n" 2>/dev/null || true
	done
	for n in node1 node2; do
		e2e_exec "$n" systemctl start --no-block "$FO_PG_UNIT" kamailio keepalived >/dev/null 2>&1 || true
	done
}

fo_reinstall() {
	local n
	fo_log "reinstalling the pair from scratch"
	for n in node1 node2; do e2e_node_stop "$n"; done
	rm -rf "$E2E_WORK/node1" "$E2E_WORK/node2"
	for n in "${!E2E_PGDATA_MOUNT[@]}"; do rm -rf "${E2E_PGDATA_MOUNT[$n]}"; done
	# shellcheck disable=SC2034 # lib.sh's list of nodes
	E2E_NODES=()
	pair_boot >&2
	pair_install node1 >&2 && pair_install node2 >&2 && wait_for 180 pair_serving && fo_setup >&2
}

# A scenario starts from a healthy pair whose units all run (a failed
# Kamailio or keepalived on the survivor would make the next fault test the
# last one's leftovers; the last scenario's own point already reported it):
# wait a little, else restore what the last scenario may have left (a node
# down, a link down, a unit stopped or failed), else (FO_REINSTALL=1)
# reinstall. FO_WHY says why not.
fo_ready() { fo_healthy && fo_services; }

fo_ensure_healthy() {
	FO_WHY=
	fo_writers_stop
	wait_for 30 fo_ready && { FO_BROKEN=0; return 0; }
	# Restoring failed before and nothing changed since: do not wait again.
	if [ "${FO_BROKEN:-0}" = 1 ] && [ "$FO_REINSTALL" != 1 ]; then
		FO_WHY="$(fo_ready) (restoring already failed before)"
		return 1
	fi
	fo_log "pair not ready: $(fo_ready); restoring (nodes booted, links up, units started)"
	fo_restore
	wait_for "$FO_RESTORE_WAIT" fo_ready && { FO_BROKEN=0; return 0; }
	if [ "$FO_REINSTALL" = 1 ]; then
		fo_reinstall && wait_for 60 fo_ready && return 0
	fi
	FO_WHY=$(fo_ready)
	FO_BROKEN=1
	return 1
}

#### Scenarios ##################################################################

fo_points_not_run() { # NUM WHY: every point of the scenario, failed
	local s=$1 why=$2 p h="s$1 ${FO_NAME[$1]}"
	local pts=("pair healthy at start" "still the primary just before the fault" "fault injected" "service on the survivor" "pair healthy again"
		"old primary rejoined as a streaming standby" "writers on both nodes acknowledged rows"
		"0 acknowledged rows lost" "postgresql, kamailio, keepalived active on both nodes")
	[ "$s" = 6 ] && pts=("pair healthy at start" "switchover" "service on the new holder" "pair healthy with roles swapped"
		"switchover back" "service on the old holder" "pair healthy with roles back"
		"writers on both nodes acknowledged rows" "0 acknowledged rows lost" "postgresql, kamailio, keepalived active on both nodes")
	mapfile -t -O ${#pts[@]} pts < <(fo_sip_points "$s")
	fo_fail "$h: ${pts[0]}" "$why"
	for p in "${pts[@]:1}"; do fo_fail "$h: $p (not run)" "not run: $why"; done
}

fo_sleep_until() { # MS (epoch)
	local d
	d=$(($1 - $(ms)))
	[ "$d" -gt 0 ] && sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
	return 0
}

fo_kill_postmaster() {
	e2e_sh "$1" "p=\$(head -n1 $FO_PG_DATA/postmaster.pid) && [ -n \"\$p\" ] && kill -KILL \"\$p\" && echo \"postmaster \$p killed\""
}

fo_cut_view() { # NODE: what the cut-off node does (diagnostics only)
	local r w
	r=$(fo_pg "$1" 'SELECT pg_is_in_recovery()' | head -n1)
	if FO_PG_TIMEOUT=3 fo_pg "$1" "INSERT INTO voip.e2e_probe (node) VALUES ('cut $1')" voip >/dev/null; then w=yes; else w=no; fi
	echo "VIP $(fo_has_vip "$1" && echo held || echo released), in recovery: ${r:-no answer}, takes a write: $w"
}

fo_witness_ping() { # NODE
	for _ in 1 2 3; do
		e2e_exec "$1" ping -n -q -c1 -W1 "$PAIR_WITNESS" && return 0
	done
	return 1
}

# fo_monitor_gone_fenced NODE: the journal of NODE's monitor unit shows the
# watchdog's end and the fence its ExecStopPost made.
fo_monitor_gone_fenced() {
	local j
	j=$(e2e_exec "$1" journalctl -b -q --no-pager -u voip-ha-monitor -o cat 2>&1)
	grep -q 'Watchdog timeout' <<<"$j" &&
		grep -q 'the monitor is gone and' <<<"$j" && return 0
	echo "journal of voip-ha-monitor on $1:"
	tail -n 15 <<<"$j"
	return 1
}

fo_vip_left() { ! fo_has_vip "$1"; }
# fo_quorum NODE N BOOL: voip-ha status --json on NODE counts N voters and
# says quorum BOOL.
fo_quorum() { pair_quorum "$@"; }

fo_node_down() { ! fo_up "$1"; }

# fo_unheard_says NODE check|status: NODE's VIP is held back and `voip-ha
# check` fails (or `voip-ha status` warns) naming the peer's unheard VRRP.
fo_unheard_says() {
	local out
	if [ "$2" = check ]; then
		out=$(e2e_exec "$1" /usr/lib/voip-ha/voip-ha-check 2>&1) && { echo "check passed on $1"; return 1; }
	else
		out=$(e2e_exec "$1" voip-ha status 2>&1)
	fi
	if [[ $out == *"VRRP adverts do not arrive here"* ]] && fo_vip_left "$1" &&
		[ "$(e2e_exec "$1" cat /run/voip-ha/vrrp-hold)" = 1 ]; then
		return 0
	fi
	echo "$1: VIP $(fo_has_vip "$1" && echo held || echo released), hold $(e2e_exec "$1" cat /run/voip-ha/vrrp-hold 2>&1); $2 said: $(grep -m3 -i 'vrrp\|check' <<<"$out")"
	return 1
}

# fo_profile_bad NODE: an unknown failover_profile hand-edited into NODE's
# cluster.conf: dpkg-reconfigure fails naming it, keepalived.conf and
# PostgreSQL's conf.d are unchanged; the good file put back, a reconfigure
# passes again.
fo_profile_bad() {
	local n=$1 out sums
	sums='sha256sum /etc/keepalived/keepalived.conf /etc/postgresql/15/main/conf.d/50-voip-ha.conf'
	out=$(e2e_sh "$n" "set -u; b=\$($sums); cp -p /etc/voip-ha/cluster.conf /root/cluster.conf.good
		echo failover_profile=turbo >>/etc/voip-ha/cluster.conf
		DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node </dev/null 2>&1; echo \"reconfigure exit \$?\"
		[ \"\$($sums)\" = \"\$b\" ] && echo 'files unchanged'
		cp -p /root/cluster.conf.good /etc/voip-ha/cluster.conf
		DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node </dev/null >/dev/null 2>&1 && echo 'good file: reconfigure ok'" 2>&1)
	if [[ $out == *"failover_profile: must be standard or fast"* ]] && [[ $out != *"reconfigure exit 0"* ]] &&
		[[ $out == *"files unchanged"* ]] && [[ $out == *"good file: reconfigure ok"* ]]; then
		return 0
	fi
	echo "$out" | tail -n 15
	return 1
}

# fo_not_held NODE: keepalived's VIP hold is off on NODE, no unheard marker.
fo_not_held() {
	[ "$(e2e_exec "$1" cat /run/voip-ha/vrrp-hold 2>/dev/null)" != 1 ] &&
		! e2e_exec "$1" test -e /run/voip-ha/vrrp-unheard
}
fo_booted() {
	local st
	st=$(e2e_exec "$1" systemctl is-system-running 2>&1)
	case $st in running | degraded) return 0 ;; esac
	echo "$1: systemctl is-system-running: $st"
	e2e_exec "$1" systemctl list-jobs --no-pager 2>&1 | head -n 10
	return 1
}
fo_not_active() { ! e2e_exec "$1" systemctl is-active --quiet "$2"; }

# The VIP holder is still P, the only primary (the fault must hit the node
# the scenario means, not one a previous failover already changed).
fo_still_primary() {
	fo_healthy_with "$1" >/dev/null && return 0
	echo "before the fault: $(fo_healthy)"
	return 1
}

# fo_end_checks TAG H NFAIL: the end of every scenario: writes for FO_POST
# more seconds, writers stopped, their rows compared with the final
# primary (nothing acknowledged lost), every unit active; FO_R[ok] when no
# point failed since NFAIL.
fo_end_checks() {
	local tag=$1 h=$2 nfail=$3
	sleep "$FO_POST"
	fo_writers_stop
	fo_compare "$tag" "$(fo_final_primary)"
	fo_check "$h: writers on both nodes acknowledged rows" fo_writers_wrote
	fo_check "$h: 0 acknowledged rows lost (${FO_R[acked]} acknowledged)" fo_no_loss
	fo_check "$h: postgresql, kamailio, keepalived active on both nodes" fo_until 60 fo_services
	[ $((${#FO_FAILED[@]} + ${TAP_FAILED:-0})) = "$nfail" ] && FO_R[ok]=1
}

# fo_scenario NUM TAG. Results: FO_R[rto vip db sip] (ms from the fault),
# FO_R[healthy] (ms from the fault to a healthy pair), FO_R[rejoin],
# FO_R[rebuild_ms], FO_R[acked], FO_R[lost], FO_R[gap], FO_R[ok] (1: every
# point passed), FO_R[from] / FO_R[to] (old and new VIP holder).
fo_scenario() {
	local s=$1 tag=$2 P S t0 t_manual h why nfail
	h="s$s ${FO_NAME[$s]}"
	FO_R=([ok]=0 [rto]='' [vip]='' [db]='' [sip]='' [healthy]='' [rejoin]=- [rebuild_ms]='' [acked]=0 [lost]="?" [gap]='' [from]='' [to]='')
	nfail=$((${#FO_FAILED[@]} + ${TAP_FAILED:-0}))
	if ! fo_ensure_healthy; then
		fo_points_not_run "$s" "pair not healthy at start: $FO_WHY"
		fo_state_diag
		return 1
	fi
	P=$FO_HOLDER
	S=$(fo_other "$P")
	FO_R[from]=$P
	fo_check "$h: pair healthy at start (VIP on $P, $S streaming; units active)" fo_ready
	[ "$s" = 6 ] && { fo_switchover "$tag" "$P" "$S" "$h"; return; }
	case $s in 7 | 8 | 12)
		fo_scenario_kept "$s" "$tag" "$P" "$S" "$h" "$nfail"
		return
		;;
	esac
	fo_sip_in "$s" && fo_sip_before "$s" "$P" "$S" "$tag"

	fo_writers_start "$tag"
	sleep "$FO_PRE"
	fo_probe_start "$S" "$tag"
	sleep 0.3
	fo_check "$h: $P still the VIP holder and only primary just before the fault" fo_still_primary "$P"
	t0=$(ms)
	case $s in
	1)
		e2e_node_kill "$P"
		fo_check "$h: fault: $P powered off (SIGKILL of its PID 1)" fo_node_down "$P"
		;;
	2) fo_check "$h: fault: $P's postmaster SIGKILLed" fo_kill_postmaster "$P" ;;
	3)
		e2e_exec "$P" systemctl stop kamailio >/dev/null 2>&1
		fo_check "$h: fault: kamailio stopped on $P" fo_not_active "$P" kamailio
		;;
	4)
		e2e_exec "$P" systemctl stop keepalived >/dev/null 2>&1
		fo_check "$h: fault: keepalived stopped on $P" fo_not_active "$P" keepalived
		fo_sleep_until $((t0 + 10000))
		e2e_exec "$P" systemctl start --no-block keepalived >/dev/null 2>&1
		fo_log "$h: keepalived started again on $P at +$(($(ms) - t0)) ms"
		;;
	5)
		fo_check "$h: fault: $P's cable cut ($(e2e_veth "$P") down)" e2e_link_down "$P"
		fo_sleep_until $((t0 + 15000))
		fo_check "$h: the witness $PAIR_WITNESS answers the survivor $S during the cut" fo_witness_ping "$S"
		fo_log "$h: cut-off $P at +$(($(ms) - t0)) ms: $(fo_cut_view "$P")"
		fo_sleep_until $((t0 + 20000))
		e2e_link_up "$P"
		fo_log "$h: cable restored at +$(($(ms) - t0)) ms"
		;;
	9)
		e2e_node_kill witness
		fo_check "$h: fault: the witness powered off" fo_node_down witness
		sleep 3
		e2e_node_kill "$P"
		fo_check "$h: fault: then $P powered off" fo_node_down "$P"
		fo_sleep_until $((t0 + 15000))
		fo_check "$h: without the witness $S did not promote (no leadership to take)" \
			fo_in_recovery "$S"
		fo_log "$h: $S at +$(($(ms) - t0)) ms: $(fo_cut_view "$S"); lease: $(pair_lease "$S")"
		# The witness comes back: the survivor may now take the leadership.
		e2e_node_start witness
		FO_R[witness_back]=$(($(ms) - t0))
		;;
	10)
		fo_check "$h: fault: every postgres process on $P stopped (SIGSTOP)" \
			e2e_exec "$P" pkill -STOP -x postgres
		fo_sleep_until $((t0 + 20000))
		e2e_exec "$P" pkill -CONT -x postgres
		fo_log "$h: PostgreSQL on $P thawed at +$(($(ms) - t0)) ms"
		;;
	11)
		# Nobody renews P's leadership: systemd's watchdog ends the
		# monitor and its ExecStopPost fences P before the lease runs out.
		fo_check "$h: fault: $P's failover monitor stopped (SIGSTOP)" \
			e2e_exec "$P" systemctl kill --kill-who=main -s STOP voip-ha-monitor
		# The pair looks healthy until the watchdog acts: the healing is
		# watched from the moment the VIP left P.
		wait_for 15 fo_vip_left "$P"
		;;
	esac
	case $s in
	9)
		fo_probe_wait "$t0"
		fo_log "$h: the witness was back at +${FO_R[witness_back]} ms; service on $S at +${FO_R[rto]:-never} ms"
		e2e_node_start "$P"
		t_manual=$(ms)
		wait_for 30 fo_up "$P" && fo_writer_start "$P" "$tag/$P-2"
		wait_for "$FO_HEALTHY_WAIT" fo_healthy && FO_R[healthy]=$(($(ms) - t0))
		E2E_BOOT_TIMEOUT=60 e2e_wait_booted_try witness >&2
		E2E_BOOT_TIMEOUT=60 e2e_wait_booted_try "$P" >&2
		;;
	1 | 3)
		# The manual step comes after the takeover (or after the probe gave
		# up): the power comes back, the stopped Kamailio is started.
		fo_probe_wait "$t0"
		# SIP through the survivor, before the manual step.
		fo_sip_in "$s" && fo_sip_after "$s" "$P" "$S" "$tag"
		if [ "$s" = 1 ]; then
			# Not inside fo_check: TAP points run in a subshell, and the
			# node's systemd-nspawn must be a child of this shell. The
			# health is watched from the power-on, not from the end of the
			# boot (its rejoin may be part of the boot).
			e2e_node_start "$P"
			t_manual=$(ms)
			wait_for 30 fo_up "$P" && fo_writer_start "$P" "$tag/$P-2"
			wait_for "$FO_HEALTHY_WAIT" fo_healthy && FO_R[healthy]=$(($(ms) - t0))
			E2E_BOOT_TIMEOUT=60 e2e_wait_booted_try "$P" >&2
			fo_check "$h: $P boots again on the same disk (systemd: running or degraded)" \
				fo_booted "$P"
			fo_log "$h: $P powered on at +$((t_manual - t0)) ms; boot finished (or gave up) at +$(($(ms) - t0)) ms"
		else
			local st
			st=$(e2e_exec "$P" timeout 60 systemctl start kamailio 2>&1 && echo ok)
			fo_log "$h: kamailio started again on $P at +$(($(ms) - t0)) ms: ${st:-failed} ($(e2e_exec "$P" systemctl is-active kamailio))"
			t_manual=$(ms)
			wait_for "$FO_HEALTHY_WAIT" fo_healthy && FO_R[healthy]=$(($(ms) - t0))
		fi
		;;
	*)
		# No manual step left: the pair heals while the probe runs.
		t_manual=$(ms)
		fo_wait_healthy_probing "$t0"
		;;
	esac
	fo_check "$h: VIP, writable PostgreSQL and SIP OPTIONS on the survivor $S within ${FO_RTO_WAIT} s" fo_rto_ok
	[ "$s" = 11 ] && fo_check "$h: systemd's watchdog ended $P's hung monitor and $P fenced itself" \
		fo_monitor_gone_fenced "$P"
	fo_check "$h: pair healthy again within ${FO_HEALTHY_WAIT} s of the last manual step" fo_healthy
	FO_R[to]=$FO_HOLDER
	fo_check "$h: $P rejoined as a streaming standby of $S (VIP on $S)" fo_healthy_with "$S"
	[ -z "${FO_R[healthy]}" ] && fo_state_diag
	fo_rejoin_info "$P" "$t0"
	fo_journal_keep "$tag" "$t0" "$P" "$S"
	fo_end_checks "$tag" "$h" "$nfail"
	fo_log "$h: RTO ${FO_R[rto]:-none} ms (VIP ${FO_R[vip]:-never}, writable ${FO_R[db]:-never}, SIP ${FO_R[sip]:-never} ms after the fault); healthy again ${FO_R[healthy]:-never} ms after the fault (last manual step at +$((t_manual - t0)) ms); rejoin: ${FO_R[rejoin]}${FO_R[rebuild_ms]:+, rebuild logged for ${FO_R[rebuild_ms]} ms}; rows acknowledged ${FO_R[acked]} (node1 ${FO_R[acked_node1]}, node2 ${FO_R[acked_node2]}), lost ${FO_R[lost]}; longest time without an acknowledged write ${FO_R[gap]} ms"
}

# fo_unit_cost NODE UNIT SECS: "rss_kb=N cpu_s_per_s=X" of the unit's main
# process over SECS seconds (utime + stime from /proc, clock ticks).
fo_unit_cost() {
	e2e_sh "$1" 'p=$(systemctl show -p MainPID --value '"$2"'); [ "$p" -gt 0 ] || { echo "not running"; exit 1; }
		t() { awk "{ print \$14 + \$15 }" /proc/$p/stat; }
		a=$(t); sleep '"$3"'; b=$(t)
		echo "rss_kb=$(awk "/^VmRSS/ { print \$2 }" /proc/$p/status) cpu_s_per_s=$(awk -v a=$a -v b=$b -v hz=$(getconf CLK_TCK) -v s='"$3"' "BEGIN { printf \"%.4f\", (b - a) / hz / s }")"'
}

# fo_arbiter_bad NODE KEY VALUE EXPECT [--install]: a copy of the node's
# cluster.conf with KEY=VALUE; voip-ha arbiter-check names the problem
# (EXPECT), never prints the password; with --install it exits 0 and the
# copy says arbiter=none afterwards.
fo_arbiter_bad() {
	local n=$1 key=$2 value=$3 expect=$4 install=${5:-} out rc
	out=$(e2e_sh "$n" "f=/root/arbiter-bad.conf; install -m 0600 /etc/voip-ha/cluster.conf \$f &&
		sed -i '/^$key=/d' \$f && echo '$key=$value' >>\$f &&
		voip-ha arbiter-check $install --config \$f 2>&1; echo \"rc=\$?\"; grep '^arbiter=' \$f")
	rc=$(sed -n 's/^rc=//p' <<<"$out")
	echo "$out" | grep -v '^arbiter_password'
	[[ $out == *"$expect"* ]] || return 1
	[[ $out != *"$PAIR_ARBITER_PASSWORD"* ]] || { echo "the password was printed"; return 1; }
	if [ -n "$install" ]; then
		[ "$rc" = 0 ] && grep -qx 'arbiter=none' <<<"$out"
	else
		[ "$rc" = 1 ]
	fi
}

fo_in_recovery() { # NODE: its PostgreSQL answers and is a standby
	local r
	r=$(fo_pg "$1" 'SELECT pg_is_in_recovery()')
	[ "$r" = t ] && return 0
	echo "$1: pg_is_in_recovery: ${r:-no answer}"
	return 1
}

fo_lease_flag() { pair_lease_flag "$@"; } # NODE KEY: KEY=1 in the node's monitor.state

# Samples NODE every 0.5 s while a fault lasts (host side, background):
# "ms in_recovery vip" lines in FILE; stopped by removing FILE.run.
fo_sampler_start() { # NODE FILE
	local n=$1 f=$2
	: >"$f"
	touch "$f.run"
	(
		while [ -e "$f.run" ]; do
			echo "$(ms) $(FO_PG_TIMEOUT=1 fo_pg "$n" 'SELECT pg_is_in_recovery()' | head -n1) $(fo_has_vip "$n" && echo 1 || echo 0)"
			sleep 0.5
		done >>"$f"
	) &
	FO_SAMPLER_PID=$!
}
fo_sampler_stop() { # FILE
	rm -f "$1.run"
	wait "$FO_SAMPLER_PID" 2>/dev/null
}

# fo_scenario_kept NUM TAG P S H NFAIL: a fault after which the VIP holder
# must stay the only primary (7: only the link between the nodes cut; 8: the
# witness machine off). The other node is sampled all along: never a
# primary; the VIP on it only for the moment before the witness refuses it.
fo_scenario_kept() {
	local s=$1 tag=$2 P=$3 S=$4 h=$5 nfail=$6 t0 t_manual samples f
	f=$FO_DIR/$tag.samples
	[ "$PAIR_ARBITER" = 1 ] &&
		fo_check "$h: $P holds the leadership on the witness" fo_until 10 fo_lease_flag "$P" lease_held
	fo_writers_start "$tag"
	sleep "$FO_PRE"
	fo_sampler_start "$S" "$f"
	t0=$(ms)
	case $s in
	7)
		fo_check "$h: fault: only the link between $P and $S cut (bridge)" e2e_link_between_down "$P" "$S"
		fo_sleep_until $((t0 + 15000))
		fo_check "$h: both still reach the witness during the cut" \
			eval "fo_witness_ping $P && fo_witness_ping $S"
		fo_check "$h: $P still the writable primary during the cut, with the leadership" \
			eval "fo_lease_flag $P lease_held && [ \"\$(fo_pg $P 'SELECT pg_is_in_recovery()')\" = f ]"
		fo_log "$h: during the cut: $P $(fo_cut_view "$P"); $S $(fo_cut_view "$S"), lease $(pair_lease "$S")"
		fo_sleep_until $((t0 + 20000))
		e2e_link_between_up
		fo_log "$h: link restored at +$(($(ms) - t0)) ms"
		;;
	12)
		fo_check "$h: fault: $S's firewall drops VRRP (IP protocol 112) from $P" \
			pair_nft "$S" -f - <<-EOF
		table inet e2e_bad_vrrp { chain input { type filter hook input priority filter - 10; ip protocol 112 ip saddr ${PAIR_ADDR[$P]} drop; }; }
		EOF
		fo_sleep_until $((t0 + 12000))
		fo_check "$h: during the drop $S holds the VIP back, and its health check says why" \
			fo_unheard_says "$S" check
		fo_check "$h: during the drop voip-ha status on $S says why" fo_unheard_says "$S" status
		fo_check "$h: $P still the writable primary during the drop" \
			eval "[ \"\$(fo_pg $P 'SELECT pg_is_in_recovery()')\" = f ]"
		fo_log "$h: during the drop: $P $(fo_cut_view "$P"); $S $(fo_cut_view "$S")"
		fo_sleep_until $((t0 + 20000))
		pair_nft "$S" delete table inet e2e_bad_vrrp
		fo_log "$h: firewall rule removed at +$(($(ms) - t0)) ms"
		fo_check "$h: $S lifts its VIP hold once $P's adverts arrive again" \
			fo_until 15 fo_not_held "$S"
		;;
	8)
		e2e_node_kill witness
		fo_check "$h: fault: the witness powered off" fo_node_down witness
		fo_sleep_until $((t0 + 15000))
		fo_check "$h: $P keeps serving without the witness (failsafe: $S streams synchronously)" \
			fo_lease_flag "$P" lease_failsafe
		fo_check "$h: voip-ha status on $S: 2 of 3 voters seen, quorum kept" \
			fo_quorum "$S" 2 true
		fo_sleep_until $((t0 + 20000))
		e2e_node_start witness
		fo_log "$h: witness powered on at +$(($(ms) - t0)) ms"
		;;
	esac
	t_manual=$(ms)
	wait_for "$FO_HEALTHY_WAIT" fo_healthy && FO_R[healthy]=$(($(ms) - t0))
	fo_sampler_stop "$f"
	samples=$(wc -l <"$f")
	FO_R[second_primary]=$(awk '$2 == "f" { n++ } END { print n + 0 }' "$f")
	FO_R[vip_on_other]=$(awk '$3 == 1 { n++ } END { print n + 0 }' "$f")
	fo_check "$h: $S never a primary ($samples samples 0.5 s apart: ${FO_R[second_primary]} primary, ${FO_R[vip_on_other]} with the VIP)" \
		test "${FO_R[second_primary]}" = 0
	fo_check "$h: pair healthy again within ${FO_HEALTHY_WAIT} s, the VIP still on $P" fo_healthy_with "$P"
	FO_R[to]=$FO_HOLDER
	[ "$s" = 8 ] && E2E_BOOT_TIMEOUT=90 e2e_wait_booted_try witness >&2
	[ "$PAIR_ARBITER" = 1 ] &&
		fo_check "$h: $P holds the leadership again (not the failsafe)" fo_until 60 fo_lease_flag "$P" lease_held
	fo_end_checks "$tag" "$h" "$nfail"
	fo_log "$h: $S sampled $samples times: primary ${FO_R[second_primary]}, VIP ${FO_R[vip_on_other]}; healthy ${FO_R[healthy]:-never} ms after the fault (last manual step at +$((t_manual - t0)) ms); rows acknowledged ${FO_R[acked]}, lost ${FO_R[lost]}; longest time without an acknowledged write ${FO_R[gap]} ms"
}

# fo_switchover_recorded OLD NEW: since OLD's last "switchover started", its
# history has no fence; NEW's last promotion is a switchover, not a failover.
fo_switchover_recorded() {
	local old=$1 new=$2 o n
	o=$(e2e_exec "$old" awk -F'\t' '$2 == "switchover" && $3 == "started" { n = NR } { l[NR] = $2 } END { for (i = n; i <= NR; i++) if (l[i] == "fence") f++; print n ? f + 0 : "none" }' /var/lib/voip-ha/history)
	n=$(e2e_exec "$new" awk -F'\t' '($2 == "failover" || $2 == "switchover") && $3 == "ok" { last = $2 " " $4 } END { print last }' /var/lib/voip-ha/history)
	echo "$old: fences since the switchover started: $o; $new's last promotion: $n"
	[ "$o" = 0 ] && [[ $n == "switchover "*promoted* ]]
}

# fo_status_history_merged OLD NEW: `voip-ha status` on either node lists
# both nodes' history merged in time order (each entry marked with its
# node), and OLD's last switchover as one event with both sides: OLD
# started it, NEW promoted, OLD ended it; --json says the peer's part is in.
fo_status_history_merged() {
	local old=$1 new=$2 n out js sides times rc=0
	for n in node1 node2; do
		out=$(e2e_exec "$n" timeout 30 voip-ha status --history 200 </dev/null 2>&1)
		js=$(e2e_exec "$n" timeout 30 voip-ha status --json --history 200 </dev/null 2>&1)
		sides=$(printf '%s\n' "$out" | awk '
			/^    [0-9].* switchover, one event recorded by both nodes:$/ { s = ""; inb = 1; next }
			inb && /^        [0-9]/ { sub(/:$/, "", $3); s = s $2 " " $3 (index($0, "promoted") ? " promoted" : "") ";"; next }
			{ inb = 0 }
			END { print s }')
		times=$(printf '%s\n' "$out" | awk '/^    [0-9][0-9][0-9][0-9]-/ { print $1 }')
		echo "$n: $(printf '%s\n' "$times" | grep -c .) entries or events shown; the last switchover: $sides"
		printf '%s\n' "$out" | grep '^  history of'
		printf '%s\n' "$out" | grep -A 200 '^  history of' | tail -n 8
		[[ $out == *"history of $n and $(fo_other "$n"), merged"* ]] || { echo "$n: not both nodes' history"; rc=1; }
		[ "$sides" = "$old started;$new ok promoted;$old ok;" ] || { echo "$n: the switchover is not one event with both sides"; rc=1; }
		printf '%s\n' "$times" | LC_ALL=C sort -c || { echo "$n: not in time order"; rc=1; }
		[[ $js == *'"history":{"peer_included":true,'* && $js == *'"node":"node1","event"'* && $js == *'"node":"node2","event"'* ]] ||
			{ echo "$n: --json lacks the peer's entries: ${js:0:300}"; rc=1; }
	done
	if [ "$rc" != 0 ]; then
		for n in node1 node2; do
			echo "$n: $(e2e_exec "$n" stat -c '%A %U %n' /var/lib/voip-ha /var/lib/voip-ha/history | tr '\n' ' ')"
			echo "$n: history_tail(): $(fo_pg "$n" 'SELECT file_size, length(tail) FROM voip_ha.history_tail()')"
		done
	fi
	return "$rc"
}

fo_switchover_run() { # NODE
	e2e_exec "$1" timeout -k 5 "$FO_SWITCHOVER_TIMEOUT" voip-ha switchover </dev/null 2>&1 | tail -n 20
	return "${PIPESTATUS[0]}"
}

# Scenario 6: `voip-ha switchover` on the VIP holder, then on the new holder.
fo_switchover() {
	local tag=$1 P=$2 S=$3 h=$4 t0 t1 nfail n
	nfail=$((${#FO_FAILED[@]} + ${TAP_FAILED:-0}))
	fo_writers_start "$tag"
	sleep "$FO_PRE"

	fo_probe_start "$S" "$tag-a"
	sleep 0.3
	t0=$(ms)
	fo_check "$h: voip-ha switchover on $P returns 0 (within ${FO_SWITCHOVER_TIMEOUT} s)" fo_switchover_run "$P"
	FO_R[cmd]=$(($(ms) - t0))
	fo_probe_wait "$t0"
	fo_check "$h: VIP, writable PostgreSQL and SIP OPTIONS on $S" fo_rto_ok
	local rto1=${FO_R[rto]} cmd1=${FO_R[cmd]}
	wait_for 60 fo_healthy_with "$S" && FO_R[healthy]=$(($(ms) - t0))
	fo_check "$h: pair healthy with roles swapped (VIP on $S, $P streaming from it) within 60 s" fo_healthy_with "$S"
	fo_check "$h: a switchover in the history of both: $S recorded its promotion as one, $P no fence" \
		fo_switchover_recorded "$P" "$S"
	fo_check "$h: voip-ha status on either node shows both nodes' history in time order, the switchover as one event with both sides" \
		fo_status_history_merged "$P" "$S"
	sleep 2

	# And back: again on whoever holds the VIP now ($S unless the first one
	# failed), so the second half never passes on the first one's failure.
	local H=$S T=$P v=()
	for n in node1 node2; do fo_has_vip "$n" && v+=("$n"); done
	[ ${#v[@]} = 1 ] && H=${v[0]} T=$(fo_other "${v[0]}")
	fo_probe_start "$T" "$tag-b"
	sleep 0.3
	t1=$(ms)
	fo_check "$h: voip-ha switchover on $H (back) returns 0" fo_switchover_run "$H"
	FO_R[cmd_back]=$(($(ms) - t1))
	fo_probe_wait "$t1"
	fo_check "$h: VIP, writable PostgreSQL and SIP OPTIONS on $T" fo_rto_ok
	wait_for 60 fo_healthy_with "$T" && FO_R[healthy_back]=$(($(ms) - t1))
	fo_check "$h: pair healthy with roles swapped again (VIP on $T, $H streaming from it) within 60 s" fo_healthy_with "$T"
	fo_healthy >/dev/null || fo_state_diag
	fo_end_checks "$tag" "$h" "$nfail"
	fo_log "$h: $P -> $S: command ${cmd1} ms, service on $S ${rto1:-never} ms after the start; back $H -> $T: command ${FO_R[cmd_back]} ms, service on $T ${FO_R[rto]:-never} ms; rows acknowledged ${FO_R[acked]} (node1 ${FO_R[acked_node1]}, node2 ${FO_R[acked_node2]}), lost ${FO_R[lost]}; longest time without an acknowledged write ${FO_R[gap]} ms"
}

#### Refusals and bad conditions ################################################

# fo_says_fail NODE TEXT CMD...: CMD on NODE exits non-zero (within 60 s) and
# its output says TEXT.
fo_says_fail() {
	local n=$1 text=$2 out rc
	shift 2
	out=$(e2e_exec "$n" timeout -k 5 60 "$@" </dev/null 2>&1)
	rc=$?
	echo "exit $rc: $out" | head -n 5
	[ "$rc" != 0 ] && [ "$rc" != 124 ] && [[ $out == *"$text"* ]]
}

# A copy of NODE's cluster.conf whose peer address is one nobody answers.
fo_peer_down_config() {
	local n=$1 p
	p=$(fo_other "$n")
	e2e_sh "$n" "umask 077 && sed 's/^${p}_address=.*/${p}_address=198.51.100.99/' /etc/voip-ha/cluster.conf > /root/peer-down.conf"
}

# check on a standby whose postmaster is stopped (SIGSTOP): fails within
# keepalived's script timeout (3 s) and says why.
fo_check_hung() {
	local n=$1 t0 out rc
	e2e_sh "$n" "kill -STOP \$(head -n1 $FO_PG_DATA/postmaster.pid)" || return 1
	t0=$(ms)
	out=$(e2e_exec "$n" timeout 10 voip-ha check 2>&1)
	rc=$?
	e2e_sh "$n" "kill -CONT \$(head -n1 $FO_PG_DATA/postmaster.pid)"
	echo "exit $rc after $(($(ms) - t0)) ms: $out"
	[ "$rc" = 1 ] && [ $(($(ms) - t0)) -lt 4000 ] && [[ $out == *PostgreSQL* ]]
}

# status with the peer unreachable: exits 1 within 15 s and says so, also
# that the peer's part of the history is missing.
fo_status_peer_down() {
	local n=$1 t0 out rc
	t0=$(ms)
	out=$(e2e_exec "$n" timeout 30 voip-ha status --config /root/peer-down.conf 2>&1)
	rc=$?
	echo "exit $rc after $(($(ms) - t0)) ms:"
	echo "$out" | head -n 12
	[ "$rc" = 1 ] && [ $(($(ms) - t0)) -lt 15000 ] && [[ $out == *"host unreachable, PostgreSQL not answering"* ]] &&
		[[ $out == *"part of the history is missing (its PostgreSQL does not answer)"* ]]
}

fo_replay() { # NODE pause|resume
	fo_pg "$1" "SELECT pg_wal_replay_$2()" >/dev/null
}

# Every refusal the failover commands owe an operator, on a healthy pair,
# without causing a failover: rebuild of the only primary, rebuild and
# status with the peer down, check with PostgreSQL hung, switchover with a
# lagging and with an absent standby. The pair is healthy again at the end.
# voip-ha status on NODE reports each unit's state as systemd has it: all
# active on a healthy node, the monitor inactive while it is stopped.
fo_status_units() { # NODE
	local n=$1 out units=''
	local u
	for u in "$FO_PG_UNIT" kamailio voip-admin keepalived voip-ha-monitor lsyncd; do
		units+=" $u.service=active"
	done
	out=$(e2e_exec "$n" timeout 30 voip-ha status 2>&1)
	grep -F "services:" <<<"$out"
	grep -qF "services:$units" <<<"$out" || return 1
	e2e_exec "$n" systemctl stop voip-ha-monitor.service || return 1
	out=$(e2e_exec "$n" timeout 30 voip-ha status 2>&1)
	e2e_exec "$n" systemctl start voip-ha-monitor.service || return 1
	grep -F "services:" <<<"$out"
	grep -qF " voip-ha-monitor.service=inactive " <<<"$out"
}

fo_refusals() {
	local P S h="refusal"
	if ! fo_healthy >/dev/null; then
		fo_fail "$h: pair healthy before the refusal tests" "$(fo_healthy)"
		return 1
	fi
	P=$FO_HOLDER
	S=$(fo_other "$P")
	fo_check "$h: voip-ha rebuild on the only primary $P" \
		fo_says_fail "$P" "rebuild refused: this node is the only primary" voip-ha rebuild
	fo_check "$h: voip-ha switchover on the standby $S" \
		fo_says_fail "$S" "switchover refused: this node's PostgreSQL is not the primary" voip-ha switchover
	fo_peer_down_config "$S"
	e2e_sh "$S" "cp -p /var/lib/postgresql/.voip-ha.pgpass /root/pgpass.saved"
	fo_check "$h: voip-ha rebuild on $S with its peer unreachable" \
		fo_says_fail "$S" "is unreachable" voip-ha rebuild --config /root/peer-down.conf
	e2e_sh "$S" "cp -p /root/pgpass.saved /var/lib/postgresql/.voip-ha.pgpass"
	fo_check "$h: voip-ha status on $S with its peer unreachable exits 1 within 15 s" fo_status_peer_down "$S"
	fo_check "$h: voip-ha check on $S with PostgreSQL hung (SIGSTOP) fails within 4 s" fo_check_hung "$S"
	fo_replay "$S" pause
	fo_pg "$P" "INSERT INTO voip.e2e_probe (node) VALUES ('lag $P')" voip >/dev/null
	fo_check "$h: voip-ha switchover on $P while $S lags (replay paused)" \
		fo_says_fail "$P" "bytes behind" voip-ha switchover --max-lag 1
	fo_replay "$S" resume
	e2e_exec "$S" systemctl stop "$FO_PG_UNIT"
	fo_check "$h: voip-ha switchover on $P while $S's PostgreSQL is stopped" \
		fo_says_fail "$P" "switchover refused" voip-ha switchover
	e2e_exec "$S" systemctl start "$FO_PG_UNIT"
	fo_check "$h: pair healthy again, VIP still on $P" fo_until 60 fo_healthy_with "$P"
	# Not a refusal, but on the same healthy pair and without a failover:
	# a standby whose PostgreSQL crashed is started again by the monitor.
	fo_kill_postmaster "$S" >/dev/null
	fo_check "standby crash: $S's PostgreSQL SIGKILLed, started again by voip-ha monitor and streaming within 90 s" \
		fo_until 90 fo_healthy_with "$P"
}

# fo_check_cost RUNS: test/bench/check-cost.sh on the VIP holder (a healthy
# primary); its report on stdout; fails when voip-ha check itself failed.
fo_check_cost() {
	local out
	fo_healthy >/dev/null || return 1
	e2e_copy_in "$FO_HOLDER" "$E2E_ROOT/test/bench/check-cost.sh" /root/check-cost.sh 0755 || return 1
	out=$(e2e_exec "$FO_HOLDER" /root/check-cost.sh "$1" 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	grep -q '^  voip-ha check .* failed 0$' <<<"$out" || return 1
	fo_check_cost_perf "$1"
}

# With perf on the host: CPU per run (task-clock, perf stat -r RUNS) of the
# check program itself and of the shell reference, entered into the node
# with nsenter. nsenter's own cost is taken out (nsenter running /bin/true,
# less /bin/true run on the host), and from the reference its script's
# start-up. Nothing without perf.
fo_check_cost_perf() {
	local runs=$1 pid true_ns true_host ours ref refbase
	command -v perf >/dev/null || return 0
	pid=$(e2e_pid1 "$FO_HOLDER") || return 0
	perf_ms() { perf stat -r "$runs" -x, -e task-clock -- "$@" 2>&1 >/dev/null | awk -F, '$3 == "task-clock" { print $1 }'; }
	true_host=$(perf_ms /bin/true)
	true_ns=$(perf_ms nsenter -t "$pid" -a /bin/true)
	ours=$(perf_ms nsenter -t "$pid" -a /usr/lib/voip-ha/voip-ha-check --quiet)
	refbase=$(perf_ms nsenter -t "$pid" -a /root/check-cost.sh --one none)
	ref=$(perf_ms nsenter -t "$pid" -a /root/check-cost.sh --one shell_check)
	[ -n "$true_host" ] && [ -n "$true_ns" ] && [ -n "$ours" ] && [ -n "$refbase" ] && [ -n "$ref" ] || return 0
	awk -v th="$true_host" -v tn="$true_ns" -v o="$ours" -v rb="$refbase" -v r="$ref" -v n="$runs" 'BEGIN {
		ns = tn - th
		printf "  perf stat on the host (-r %d, task-clock; less nsenter %.2f ms, and for the reference its script start-up %.2f ms):\n", n, ns, rb - ns
		printf "    voip-ha check %.2f ms CPU/run, reference %.2f ms CPU/run: %.1fx less CPU\n", o - ns, r - rb, (r - rb) / (o - ns) }'
}
