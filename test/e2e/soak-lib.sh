# shellcheck shell=bash
# The false-failover soak of the fast profile (issue 17): both nodes under
# full CPU and disk load while the pair idles and while it carries calls;
# every VIP move, promotion and fence is counted. Used by failover-soak.sh
# (make failover-soak: 30 minutes) and, short, by failover.sh (CI).
#
#   soak_stress_start SECS NODE...  stress-ng for each node: CPU hogs (two
#                       per node, on a 2-core machine) and a disk writer
#                       that fsyncs, with its files in the node's own
#                       writable layer (its disk); run from the host (the
#                       test root file system has no stress-ng), joined to
#                       the cgroups of the node's PID 1 where the host has
#                       them (on a cgroup v1 host without the node's
#                       payload cgroups they stay in the host's: the same 2
#                       cores and disk either way)
#   soak_stress_stop
#   soak_calls_start SECS  sipp phones in the phones namespace placing calls
#                       through the VIP (2 a second, 5 s each) to media
#                       server stand-ins on both nodes
#   soak_calls_stop     stops them; SOAK_CALLS="attempted ok failed"
#   soak_watch_start FILE / soak_watch_stop FILE
#                       samples both nodes every 0.5 s: "ms holder1 holder2
#                       primary1 primary2" (1/0; "?" when unknown)
#   soak_count FILE TAG since(ms)
#                       SOAK_R[...]: vip_moves (holder changes), two_holders
#                       (samples with the VIP on both), promotions, fences and
#                       FAULT transitions from both nodes' history since

SOAK_CPU=${SOAK_CPU:-2}
SOAK_HDD=${SOAK_HDD:-1}
declare -gA SOAK_R=()
SOAK_STRESS_PIDS=()

# The cgroup directories (cgroup v1 controllers or the v2 tree) of PID.
soak_cgroups_of() {
	local pid=$1 line ctl path
	while IFS= read -r line; do
		ctl=${line#*:}
		path=${ctl#*:}
		ctl=${ctl%%:*}
		if [ -z "$ctl" ]; then
			[ -f "/sys/fs/cgroup$path/cgroup.procs" ] && echo "/sys/fs/cgroup$path"
		else
			ctl=${ctl#name=}
			[ -d "/sys/fs/cgroup/$ctl$path" ] && echo "/sys/fs/cgroup/$ctl$path"
		fi
	done <"/proc/$pid/cgroup"
}

soak_stress_start() {
	local secs=$1 n pid1 dir cgs
	shift
	for n; do
		pid1=$(e2e_pid1 "$n") || { echo "$n is not running" >&2; return 1; }
		dir=$E2E_WORK/$n/upper/var/tmp/e2e-stress
		mkdir -p "$dir"
		cgs=$(soak_cgroups_of "$pid1" | tr '\n' ' ')
		# shellcheck disable=SC2016 # expanded by the inner shell
		setsid sh -c 'for c in $1; do echo $$ >"$c/cgroup.procs" 2>/dev/null; done
			exec stress-ng --cpu "$2" --cpu-load 100 --hdd "$3" --hdd-bytes 128M \
				--hdd-opts fsync --temp-path "$4" --timeout "$5"s --quiet' \
			sh "$cgs" "$SOAK_CPU" "$SOAK_HDD" "$dir" "$secs" </dev/null >>"$E2E_WORK/stress-$n.log" 2>&1 &
		SOAK_STRESS_PIDS+=($!)
	done
}

soak_stress_stop() {
	local p
	for p in "${SOAK_STRESS_PIDS[@]}"; do
		kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
	done
	for p in "${SOAK_STRESS_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	SOAK_STRESS_PIDS=()
	rm -rf "$E2E_WORK"/node*/upper/var/tmp/e2e-stress
}

# Calls: 1002 calls 2001 through the VIP; the dispatcher sends them to the
# media server stand-ins (sipp fs-uas on each node's FreeSWITCH port).
soak_calls_start() {
	local secs=$1 n phones
	phones=$(fo_sip_phones)
	for n in node1 node2; do
		e2e_exec "$n" rm -f /root/soak-media.msg /root/soak-media.msg.pid
		sip_e2e_answer "e2e_exec $n" "$FO_SIP_NODE_SCEN" "${PAIR_ADDR[$n]}" "$FO_SIP_MEDIA_PORT" \
			/root/soak-media.msg >&2 || return 1
	done
	SOAK_CALLS_STAT=$FO_DIR/soak-calls.csv
	rm -f "$SOAK_CALLS_STAT" "$FO_DIR/soak-calls.err"
	# shellcheck disable=SC2086 # a command prefix
	$phones timeout $((secs + 30)) sipp -sf "$SIP_E2E_SCEN/call.xml" -i "$PAIR_PHONES" -p 5095 \
		-key caller 1002 -au 1002 -ap "$FO_SIP_PW_1002" -s 2001 -d 5000 -r 2 -l 20 \
		-m $((secs * 2)) -nostdin -timeout_error -recv_timeout 10s \
		-trace_stat -stf "$SOAK_CALLS_STAT" -fd 5 -trace_err -error_file "$FO_DIR/soak-calls.err" \
		"$PAIR_VIP:5060" </dev/null >"$FO_DIR/soak-calls.out" 2>&1 &
	SOAK_CALLS_PID=$!
}

soak_calls_stop() {
	local n last
	kill -INT "$SOAK_CALLS_PID" 2>/dev/null
	wait "$SOAK_CALLS_PID" 2>/dev/null
	for n in node1 node2; do
		sip_e2e_answer_stop "e2e_exec $n" /root/soak-media.msg 2>/dev/null
	done
	# sipp's statistics file: the last line has the cumulative counters.
	last=$(tail -n 1 "$SOAK_CALLS_STAT" 2>/dev/null)
	SOAK_CALLS=$(awk -F';' -v l="$last" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
		END { split(l, v, ";"); printf "%d %d %d", v[c["TotalCallCreated"]], v[c["SuccessfulCall(C)"]], v[c["FailedCall(C)"]] }' \
		"$SOAK_CALLS_STAT" 2>/dev/null)
	SOAK_CALLS=${SOAK_CALLS:-"? ? ?"}
}

soak_watch_start() { # FILE
	local f=$1
	: >"$f"
	touch "$f.run"
	(
		while [ -e "$f.run" ]; do
			echo "$(ms) $(fo_has_vip node1 && echo 1 || echo 0) $(fo_has_vip node2 && echo 1 || echo 0) $(FO_PG_TIMEOUT=2 fo_pg node1 'SELECT NOT pg_is_in_recovery()' | head -n1) $(FO_PG_TIMEOUT=2 fo_pg node2 'SELECT NOT pg_is_in_recovery()' | head -n1)"
			sleep 0.5
		done >>"$f"
	) &
	SOAK_WATCH_PID=$!
}

soak_watch_stop() { # FILE
	rm -f "$1.run"
	wait "$SOAK_WATCH_PID" 2>/dev/null
}

# History lines (time, event, outcome) of NODE since SINCE (ms).
soak_history() { # NODE SINCE
	e2e_exec "$1" awk -F'\t' -v s="$2" '$1 * 1000 >= s { print $2 " " $3 }' /var/lib/voip-ha/history 2>/dev/null
}

soak_count() { # FILE SINCE
	local f=$1 since=$2 h
	SOAK_R[samples]=$(wc -l <"$f")
	SOAK_R[vip_moves]=$(awk '{ h = ($2 == 1 && $3 == 0) ? 1 : ($3 == 1 && $2 == 0) ? 2 : 0 }
		h && last && h != last { n++ } h { last = h } END { print n + 0 }' "$f")
	SOAK_R[two_holders]=$(awk '$2 == 1 && $3 == 1 { n++ } END { print n + 0 }' "$f")
	SOAK_R[two_primaries]=$(awk '$4 == "t" && $5 == "t" { n++ } END { print n + 0 }' "$f")
	h=$(for n in node1 node2; do soak_history "$n" "$since"; done)
	SOAK_R[promotions]=$(grep -c '^failover ok' <<<"$h")
	SOAK_R[fences]=$(grep -c '^fence ' <<<"$h")
	SOAK_R[faults]=$(grep -c -- '-> FAULT' <<<"$(for n in node1 node2; do
		e2e_exec "$n" awk -F'\t' -v s="$since" '$1 * 1000 >= s && $2 == "transition" { print $4 }' /var/lib/voip-ha/history 2>/dev/null; done)")
	SOAK_R[false_failovers]=$((SOAK_R[vip_moves] + SOAK_R[promotions]))
}

# soak_phase SECS CALLS TAG: one phase under load (CALLS 1: with calls);
# results in SOAK_R and a summary line in SOAK_LINE (not a subshell: the
# caller reads SOAK_R).
soak_phase() {
	local secs=$1 calls=$2 tag=$3 f t0
	f=$FO_DIR/soak-$tag.samples
	t0=$(ms)
	soak_watch_start "$f"
	soak_stress_start "$secs" node1 node2 || return 1
	[ "$calls" = 1 ] && soak_calls_start "$secs"
	sleep "$secs"
	[ "$calls" = 1 ] && soak_calls_stop
	soak_stress_stop
	soak_watch_stop "$f"
	soak_count "$f" "$t0"
	# shellcheck disable=SC2034 # read by the callers
	SOAK_LINE="$tag: ${secs} s, $([ "$calls" = 1 ] && echo "calls (attempted ok failed: $SOAK_CALLS)" || echo idle): samples=${SOAK_R[samples]} vip_moves=${SOAK_R[vip_moves]} promotions=${SOAK_R[promotions]} fences=${SOAK_R[fences]} fault_transitions=${SOAK_R[faults]} samples_with_two_vip_holders=${SOAK_R[two_holders]} samples_with_two_primaries=${SOAK_R[two_primaries]} false_failovers=${SOAK_R[false_failovers]}"
}
