# The single-node SIP harness (test/sip/*.bats, test/bench/sip.sh), built on
# the templates suites' mini nodes (test/templates/lib.bash): network and
# mount namespaces on a private bridge, 198.51.100.0/24 only.
#
#   node1   198.51.100.11 + the VIP .10: PostgreSQL provisioned by the real
#           `voip-ha provision` (our migrations from db/, Kamailio's tables),
#           voip-admind (extensions created through its API, which writes
#           kamailio.subscriber), Kamailio with the generated kamailio.cfg,
#           sipp standing in for node1's FreeSWITCH on .11:5080
#   node2   198.51.100.12: sipp standing in for node2's FreeSWITCH on :5080
#           (sip_as_fs: a call from that socket, what FreeSWITCH sends)
#   phones  198.51.100.13: the phones (sipp UAC and UAS)
#   others  sip_node NAME ADDR adds more sources (flooder, scanner, ...)
#
# The caller's bats file loads this with `load ../sip/lib` (or `load lib`).
# SIP_CONF_EXTRA="key=value ..." overrides cluster.conf keys (the capacity
# suite raises the flood threshold: its UAC is one address).

# shellcheck source=../templates/lib.bash
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../templates" && pwd)/lib.bash"
SIP_SCEN=$TOP/test/sip/scenarios
SIP_VIP=198.51.100.10
SIP_DOMAIN=198.51.100.10
SIP_FS_PORT=5080 # freeswitch_sip_port in test/fixtures/answers-pair.conf
# Extensions created by sip_up, with hostile-but-legal passwords.
SIP_PW_1001='p@ss:w"rd 1001'
# shellcheck disable=SC2016 # a literal $ in the password
SIP_PW_1002='s3cret\1002 $x'

# sip_up: the whole harness; fails loudly with the log of what did not start.
sip_up() {
	mn_init
	local kv
	cp "$FIXTURES/answers-pair.conf" "$MN_DIR/answers.conf"
	for kv in ${SIP_CONF_EXTRA:-}; do
		conf_with "$MN_DIR/answers.conf" "${kv%%=*}" "${kv#*=}" "$MN_DIR/answers.tmp"
		mv "$MN_DIR/answers.tmp" "$MN_DIR/answers.conf"
	done
	export CONF=$MN_DIR/answers.conf OUT=$MN_DIR/out
	gen_all "$CONF" "$OUT" >/dev/null
	mn_node node1 "$OUT/node1/etc" 198.51.100.11/24 "$SIP_VIP/24"
	mn_node node2 "$OUT/node2/etc" 198.51.100.12/24
	mn_node phones - 198.51.100.13/24
	sip_db_up
	sip_admind_up
	sip_kamailio_up
	sip_fs_up node1 198.51.100.11
	sip_fs_up node2 198.51.100.12
}

# sip_node NAME ADDR: one more SIP source on the bridge.
sip_node() {
	mn_node "$1" - "$2/24"
}

# PostgreSQL in node1, provisioned by `voip-ha provision` as the bring-up
# does: it finds the server on /run/postgresql (node1's private /run) and
# writes its passfile into a private /var/lib/postgresql.
sip_db_up() {
	local d=$MN_DIR/node1/pg
	mn_pg_start node1 "$OUT/node1" || return 1
	mkdir -p "$MN_DIR/node1/pghome"
	mn_exec node1 sh -c "mkdir -p /run/postgresql &&
		ln -s $d/sock/.s.PGSQL.5432 /run/postgresql/.s.PGSQL.5432 &&
		mount --bind $MN_DIR/node1/pghome /var/lib/postgresql" || return 1
	mn_exec node1 "$VOIPHA" provision --config "$CONF" --migrations "$TOP/db/migrations" \
		>"$MN_DIR/provision.log" 2>&1 || { cat "$MN_DIR/provision.log" >&2; return 1; }
}

# voip-admind in node1 (its spool in the test's tree), then the domain and
# extensions 1001 and 1002 through its API.
sip_admind_up() {
	local cfg=$MN_DIR/voip-admin.conf i
	conf_with "$OUT/node1/etc/voip-ha/voip-admin.conf" spool_dir "$MN_DIR/spool" "$cfg"
	mkdir -p "$MN_DIR/spool"
	mn_spawn node1 "$MN_DIR/admind.log" "${VOIPADMIND:-$(dirname "$VOIPHA")/voip-admind}" --config "$cfg"
	for i in $(seq 100); do
		sip_api GET /api/v1/domains >/dev/null 2>&1 && break
		sleep 0.1
	done
	sip_api POST /api/v1/domains "{\"name\":\"$SIP_DOMAIN\"}" >/dev/null || return 1
	sip_extension 1001 "$SIP_PW_1001" || return 1
	sip_extension 1002 "$SIP_PW_1002" || return 1
}

# sip_api METHOD PATH [JSON]: the admin API in node1; fails on a non-2xx.
sip_api() {
	local key
	key=$(conf_get "$CONF" admin_api_key)
	# The key goes in a header file, never on a command line.
	printf 'Authorization: Bearer %s\n' "$key" >"$MN_DIR/api.hdr"
	mn_exec node1 curl -sS -f -m 10 -H "@$MN_DIR/api.hdr" -H 'Content-Type: application/json' \
		-X "$1" ${3:+--data-binary "$3"} "http://127.0.0.1:$(conf_get "$CONF" admin_http_port)$2"
}

# sip_extension EXT PASSWORD: created through the API (JSON-escaped here).
sip_extension() {
	local pw=${2//\\/\\\\}
	pw=${pw//\"/\\\"}
	sip_api POST /api/v1/extensions "{\"domain\":\"$SIP_DOMAIN\",\"extension\":\"$1\",\"password\":\"$pw\"}" >/dev/null
}

# Kamailio in node1 with the generated config at its real path (or
# SIP_KAM_CFG: an edited copy, for a benchmark's reference).
sip_kamailio_up() {
	mn_spawn node1 "$MN_DIR/kamailio.log" kamailio -DD -E -f "${SIP_KAM_CFG:-/etc/voip-ha/kamailio/kamailio.cfg}" \
		-m 64 -M 8
	SIP_KAM_PID=$MN_PID
	echo "$SIP_KAM_PID" >"$MN_DIR/kamailio.pid"
	sip_kamailio_wait "$SIP_VIP" "$MN_DIR/kamailio.log"
}

# sip_kamailio_wait ADDR LOG: up to 20 s until the Kamailio just spawned
# (MN_PID) answers OPTIONS on ADDR; its LOG on failure.
sip_kamailio_wait() {
	local pid=$MN_PID _
	for _ in $(seq 100); do
		sip_sipp phones options.xml "$1:5060" -p 5079 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	cat "$2" >&2
	return 1
}

# sip_node2_up: node2 as the pair's other node, for what crosses the VIP
# move: the sysctl the package sets (it binds the VIP it does not hold),
# PostgreSQL as a streaming standby of node1's, and Kamailio with node2's
# generated kamailio.cfg (its log in kamailio-node2.log). The VIP stays on
# node1 (sip_vip_move).
sip_node2_up() {
	mn_exec node2 sysctl -q -w net.ipv4.ip_nonlocal_bind=1 || return 1
	mn_pg_start node2 "$OUT/node2" 198.51.100.11 || return 1
	mn_spawn node2 "$MN_DIR/kamailio-node2.log" kamailio -DD -E -f /etc/voip-ha/kamailio/kamailio.cfg -m 64 -M 8
	sip_kamailio_wait 198.51.100.12 "$MN_DIR/kamailio-node2.log"
}

# sip_vip_move FROM TO: the VIP leaves node FROM and comes up on node TO, as
# keepalived moves it (the phones learn its new MAC address at once, as from
# keepalived's gratuitous ARP).
sip_vip_move() {
	ip -n "${MN}$1" addr del "$SIP_VIP/24" dev host0 &&
		ip -n "${MN}$2" addr add "$SIP_VIP/24" dev host0 &&
		ip -n "${MN}phones" neigh flush all
}

# sip_fs_up NODE ADDR [sipp args]: the FreeSWITCH stand-in of NODE on
# ADDR:$SIP_FS_PORT, its messages in $MN_DIR/fs-NODE.msg (a new file each
# start); -d MS makes it wait MS between its 180 and its 200.
sip_fs_up() {
	local node=$1 addr=$2 _
	shift 2
	mn_spawn "$node" "$MN_DIR/fs-$node.log" sipp -sf "$SIP_SCEN/fs-uas.xml" -i "$addr" -p "$SIP_FS_PORT" \
		-nostdin -trace_msg -message_file "$MN_DIR/fs-$node.msg" "$@"
	echo "$MN_PID" >"$MN_DIR/fs-$node.pid"
	# Listening before anything is sent to it.
	for _ in $(seq 50); do
		mn_exec "$node" ss -Hlun "sport = :$SIP_FS_PORT" | grep -q "$addr:$SIP_FS_PORT" && return 0
		sleep 0.1
	done
	return 1
}

# sip_fs_stop NODE: the stand-in of NODE stopped; its port is free.
sip_fs_stop() {
	local pid _
	[ -e "$MN_DIR/fs-$1.pid" ] || return 0
	pid=$(cat "$MN_DIR/fs-$1.pid")
	rm -f "$MN_DIR/fs-$1.pid"
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# sip_as_fs NODE ADDR SCENARIO [sipp args]: one sipp run through the VIP
# from NODE's FreeSWITCH socket (ADDR:$SIP_FS_PORT over UDP, the only source
# the proxy trusts), as FreeSWITCH sends its calls. The node's stand-in
# owns that socket: it is stopped for the run and started again (with a new
# message file); meanwhile the dispatcher's probes get a 200 (-aa).
sip_as_fs() {
	local node=$1 addr=$2 sf=$3 rc=0
	shift 3
	sip_fs_stop "$node" || return 1
	sip_sipp "$node" "$sf" "$SIP_VIP:5060" -i "$addr" -p "$SIP_FS_PORT" -aa "$@" || rc=$?
	sip_fs_up "$node" "$addr" || return 1
	return "$rc"
}

# sip_kamailio_restart: stop Kamailio (SIGTERM, then wait for it) and start
# it again; nothing of the calls or registrations lives in its memory.
sip_kamailio_restart() {
	local pid
	pid=$(cat "$MN_DIR/kamailio.pid")
	# The whole process group: its workers go with it.
	mn_stop "$pid"
	if kill -0 -- "-$pid" 2>/dev/null; then
		return 1
	fi
	mv "$MN_DIR/kamailio.log" "$MN_DIR/kamailio-before-restart.log"
	sip_kamailio_up
}

# sip_sipp NODE SCENARIO TARGET [sipp args]: one bounded sipp run (default
# one call) from NODE; exit status 0 only when every call succeeded.
# Its errors go to $MN_DIR/sipp-NODE-SCENARIO.err.
sip_sipp() {
	local node=$1 sf=$2 target=$3
	shift 3
	local err=$MN_DIR/sipp-$node-$sf.err
	mn_exec "$node" timeout 60 sipp -sf "$SIP_SCEN/$sf" -m 1 -nostdin \
		-timeout 30s -timeout_error -recv_timeout 10s "$@" "$target" \
		-trace_err -error_file "$err" >/dev/null 2>&1 && return 0
	local rc=$?
	# What went wrong, for the TAP diagnostics (the last lines only).
	[ ! -s "$err" ] || tail -n 25 "$err" >&2
	return $rc
}

# sip_kam_alive: the Kamailio process is there and answers OPTIONS.
sip_kam_alive() {
	kill -0 "$(cat "$MN_DIR/kamailio.pid")" && sip_sipp phones options.xml "$SIP_VIP:5060" -p 5079
}

# sip_sql QUERY: one value from the voip database.
sip_sql() {
	mn_psql node1 -d voip -At -c "$1"
}

# sip_stat NAME: one Kamailio statistic (e.g. core:rcv_requests).
sip_stat() {
	mn_exec node1 kamcmd stats.get_statistics "$1" 2>/dev/null | sed -n "s/^$1 = //p"
}

# sip_ds_flags URI: the dispatcher's FLAGS for URI in node1's Kamailio (AP
# active and probing, IP inactive and probing), through kamcmd.
sip_ds_flags() {
	mn_exec node1 kamcmd dispatcher.list 2>/dev/null |
		awk -v uri="$1" '$1 == "URI:" { cur = $2 } $1 == "FLAGS:" && cur == uri { print $2 }'
}

# sip_ds_wait URI FLAGS: up to 30 s until the dispatcher shows FLAGS for URI
# (a restarted stand-in is active again after two answered probes, 5 s apart).
sip_ds_wait() {
	local _
	for _ in $(seq 150); do
		[ "$(sip_ds_flags "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	echo "dispatcher flags of $1: $(sip_ds_flags "$1"), not $2" >&2
	return 1
}

# sip_setup_ms MSGFILE: the longest time from the first sending of an
# authenticated INVITE (CSeq 2) to its 200 in a sipp -trace_msg file, in
# whole milliseconds (test/bench/sip-latency).
sip_setup_ms() {
	local n max
	read -r n _ _ max < <("$TOP/test/bench/sip-latency" "$1" '2 INVITE')
	[ "$n" -ge 1 ] || return 1
	printf '%.0f\n' "$max"
}

# sip_scrape NODE URL FILE: one scrape of Kamailio's /metrics from NODE
# into FILE; fails on anything but a 200.
sip_scrape() {
	mn_exec "$1" curl -sS -f -m 10 -o "$3" "$2"
}

# sip_metric FILE SERIES: the value of SERIES (the name and labels exactly
# as xhttp_prom prints them, e.g. kamailio_calls_total or
# kamailio_calls_failed_total{class="5xx"}) in a scrape, as a whole number;
# empty when the series is absent. xhttp_prom prints "SERIES VALUE MS".
sip_metric() {
	awk -v s="$2" '!/^#/ && NF >= 3 {
		n = $0; sub(/ [^ ]+ [^ ]+$/, "", n)
		if (n == s) { printf "%.0f\n", $(NF - 1); exit }
	}' "$1"
}

# sip_metric_wait NODE URL SERIES VALUE: up to 40 s until SERIES reads VALUE
# (the registration count is refreshed every 10 s, a destination's state
# after two probes 5 s apart).
sip_metric_wait() {
	local f=$MN_DIR/scrape-wait.txt v _
	for _ in $(seq 200); do
		if sip_scrape "$1" "$2" "$f" && v=$(sip_metric "$f" "$3") && [ "$v" = "$4" ]; then
			return 0
		fi
		sleep 0.2
	done
	echo "$3 is ${v:-absent}, not $4" >&2
	return 1
}
