#!/usr/bin/env bats
# The generated files run the real daemons on three "mini nodes" (network +
# mount namespaces on a private bridge, 198.51.100.0/24): node1 (.11, holds
# the VIP .10), node2 (.12) and a stranger (.13). PostgreSQL 15 starts with
# the generated conf.d and pg_hba.conf and enforces exactly the intended
# access; the generated .pgpass logs in with scram; Kamailio runs with the
# generated kamailio.cfg against that database and answers SIP; lsyncd pushes
# recordings to the peer's generated rsync daemon without ever deleting.
#
# ANSWERS selects the answers file (default: the sample pair); the nasty
# answers run through the same suite (test/templates/nasty.bats).

load lib

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	export ANSWERS=${ANSWERS:-$FIXTURES/answers-pair.conf}
	mn_init
	# The recordings folder is moved into the test's own tree.
	conf_with "$ANSWERS" recordings_dir "$MN_DIR/rec" "$MN_DIR/answers.conf"
	export CONF=$MN_DIR/answers.conf OUT=$MN_DIR/out
	gen_all "$CONF" "$OUT"
	mn_node node1 "$OUT/node1/etc" 198.51.100.11/24 198.51.100.10/24
	mn_node node2 "$OUT/node2/etc" 198.51.100.12/24
	mn_node stranger - 198.51.100.13/24
	mn_exec node1 sysctl -q -p /etc/sysctl.d/60-voip-ha.conf
	mn_exec node2 sysctl -q -p /etc/sysctl.d/60-voip-ha.conf
	mn_pg_start node1 "$OUT/node1"
	mn_pg_start node2 "$OUT/node2"
	provision_node1
}

teardown_file() {
	mn_cleanup
}

setup() {
	prereq_root "network and mount namespaces"
}

# Roles and database as the bring-up creates them (DESIGN "Database layout"),
# with the passwords of the answers file; SQL goes through stdin.
provision_node1() {
	{
		printf 'CREATE ROLE replicator LOGIN REPLICATION PASSWORD %s;\n' \
			"$(sql_literal "$(conf_get "$CONF" replication_password)")"
		printf 'CREATE ROLE kamailio LOGIN PASSWORD %s;\n' \
			"$(sql_literal "$(conf_get "$CONF" kamailio_db_password)")"
		printf 'CREATE ROLE voip_admin LOGIN PASSWORD %s;\n' \
			"$(sql_literal "$(conf_get "$CONF" admin_db_password)")"
		printf 'CREATE ROLE freeswitch LOGIN PASSWORD %s;\n' \
			"$(sql_literal "$(conf_get "$CONF" freeswitch_db_password)")"
		printf 'CREATE DATABASE voip;\n'
		printf '\\connect voip\n'
		printf 'CREATE SCHEMA kamailio AUTHORIZATION kamailio;\n'
		printf 'ALTER ROLE kamailio SET search_path = kamailio;\n'
		printf 'SET ROLE kamailio;\nSET search_path = kamailio;\n'
		for t in standard auth_db registrar usrloc acc; do
			printf '\\i /usr/share/kamailio/postgres/%s-create.sql\n' "$t"
		done
	} | mn_psql node1 -d postgres >/dev/null
}

# pgpass_for USER PASSWORD FILE: a one-line passfile (libpq escaping).
pgpass_for() {
	local pw=${2//\\/\\\\}
	pw=${pw//:/\\:}
	printf '*:*:*:%s:%s\n' "$1" "$pw" > "$3"
	chmod 600 "$3"
}

# try_login NODE CONNINFO PASSFILE: psql as root from NODE; prints the result
# of the query (or the error).
try_login() {
	mn_exec "$1" env PGPASSFILE="$3" PGCONNECT_TIMEOUT=5 \
		psql -X -At -d "$2" -c 'SELECT current_user' 2>&1
}

@test "sysctl drop-in enables non-local bind in the node" {
	run mn_exec node2 sysctl -n net.ipv4.ip_nonlocal_bind
	[ "$output" = 1 ]
}

@test "PostgreSQL runs with the generated settings" {
	run mn_psql node1 -At -c "SELECT current_setting('wal_level'), current_setting('wal_log_hints'), current_setting('hot_standby'), current_setting('password_encryption'), current_setting('max_connections'), current_setting('listen_addresses')"
	[ "$status" -eq 0 ]
	[ "$output" = "replica|on|on|scram-sha-256|300|localhost,198.51.100.11,198.51.100.10" ]
}

@test "PostgreSQL listens on the own address and the VIP, on both nodes" {
	run mn_exec node1 ss -Hltn 'sport = :5432'
	[[ "$output" == *198.51.100.11:5432* ]]
	[[ "$output" == *198.51.100.10:5432* ]]
	# node2 does not hold the VIP and still binds it (non-local bind).
	run mn_exec node2 ss -Hltn 'sport = :5432'
	[[ "$output" == *198.51.100.12:5432* ]]
	[[ "$output" == *198.51.100.10:5432* ]]
}

@test "replication: node2 streams a base backup from node1 with the generated .pgpass" {
	local pass=$OUT/node2/var/lib/postgresql/.voip-ha.pgpass d=$MN_DIR/node2/basebackup
	install -o postgres -g postgres -m 0600 "$pass" "$MN_DIR/node2/pgpass"
	install -d -o postgres -g postgres -m 0700 "$d"
	run mn_exec node2 runuser -u postgres -- env PGPASSFILE="$MN_DIR/node2/pgpass" \
		pg_basebackup -h 198.51.100.11 -p 5432 -U replicator -w -D "$d" -X stream -c fast
	[ "$status" -eq 0 ]
	[ -f "$d/PG_VERSION" ]
}

@test "replication: the peer logs in with scram through the .pgpass line, to the own address and the VIP" {
	local host
	for host in 198.51.100.11 198.51.100.10; do
		run mn_exec node2 env PGPASSFILE="$OUT/node2/var/lib/postgresql/.voip-ha.pgpass" PGCONNECT_TIMEOUT=5 \
			psql -X -At -d "host=$host port=5432 user=replicator dbname=replication replication=true" \
			-c IDENTIFY_SYSTEM
		[ "$status" -eq 0 ]
		[[ "$output" == *"|1|"* ]]
	done
}

@test "rewind: the same .pgpass line logs the peer into database postgres (pg_rewind's connection)" {
	run mn_exec node2 env PGPASSFILE="$OUT/node2/var/lib/postgresql/.voip-ha.pgpass" PGCONNECT_TIMEOUT=5 \
		psql -X -At -d "host=198.51.100.11 port=5432 user=replicator dbname=postgres" -c 'SELECT current_user'
	[ "$status" -eq 0 ]
	[ "$output" = replicator ]
}

@test "replication: refused from an address that is not the peer" {
	run try_login stranger "host=198.51.100.11 port=5432 user=replicator dbname=replication replication=true" \
		"$OUT/node2/var/lib/postgresql/.voip-ha.pgpass"
	[ "$status" -ne 0 ]
	[[ "$output" == *"rejects connection"* || "$output" == *"no pg_hba.conf entry"* ]]
}

@test "application roles: allowed from the nodes and the VIP, refused elsewhere" {
	local pf=$MN_DIR/kam.pgpass
	pgpass_for kamailio "$(conf_get "$CONF" kamailio_db_password)" "$pf"
	run try_login node2 "host=198.51.100.11 port=5432 user=kamailio dbname=voip" "$pf"
	[ "$output" = kamailio ]
	run try_login node1 "host=198.51.100.10 port=5432 user=kamailio dbname=voip" "$pf"
	[ "$output" = kamailio ]
	run try_login node1 "host=127.0.0.1 port=5432 user=kamailio dbname=voip" "$pf"
	[ "$output" = kamailio ]
	run try_login stranger "host=198.51.100.11 port=5432 user=kamailio dbname=voip" "$pf"
	[ "$status" -ne 0 ]
	# Only the voip database.
	run try_login node1 "host=127.0.0.1 port=5432 user=kamailio dbname=postgres" "$pf"
	[ "$status" -ne 0 ]
}

@test "voip-admin logs in through the VIP with the password of voip-admin.conf" {
	local pf=$MN_DIR/admin.pgpass cfg=$OUT/node1/etc/voip-ha/voip-admin.conf
	pgpass_for "$(conf_get "$cfg" db_user)" "$(conf_get "$cfg" db_password)" "$pf"
	run try_login node1 "host=$(conf_get "$cfg" db_host) port=$(conf_get "$cfg" db_port) user=$(conf_get "$cfg" db_user) dbname=$(conf_get "$cfg" db_name)" "$pf"
	[ "$output" = voip_admin ]
}

@test "superuser: peer on the socket only, never over TCP, no password methods" {
	run mn_psql node1 -At -c 'SELECT 1'
	[ "$output" = 1 ]
	run mn_exec node1 psql -X -h "$MN_DIR/node1/pg/sock" -p 5432 -U postgres -w -c 'SELECT 1'
	[ "$status" -ne 0 ]
	run try_login node1 "host=127.0.0.1 port=5432 user=postgres dbname=postgres" /dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"rejects connection"* ]]
	# Only scram-sha-256, peer and reject in the rules.
	run mn_psql node1 -At -c "SELECT DISTINCT auth_method FROM pg_hba_file_rules ORDER BY 1"
	[ "$output" = "$(printf 'peer\nreject\nscram-sha-256')" ]
}

# kam_logs_in URL: a minimal Kamailio in node1 whose sqlops module opens URL
# (the content of a cfg string, escaped already, as in DBURL); 0 when a
# connection of role kamailio shows up within 5 s. Kamailio is stopped
# before it returns.
kam_logs_in() {
	local cfg=$MN_DIR/kam-url.cfg pid i rc=1
	cat >"$cfg" <<EOF
#!KAMAILIO
listen=udp:127.0.0.1:5999
children=1
log_stderror=yes
loadmodule "pv.so"
loadmodule "sqlops.so"
loadmodule "db_postgres.so"
modparam("sqlops", "sqlcon", "c=>$1")
request_route {
	drop;
}
EOF
	chmod 600 "$cfg"
	mn_spawn node1 "$MN_DIR/kam-url.log" kamailio -DD -E -f "$cfg" -m 32 -M 8
	pid=$MN_PID
	for i in $(seq 25); do
		if [ "$(mn_psql node1 -At -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'kamailio'")" != 0 ]; then
			rc=0
			break
		fi
		grep -q 'could not add connection' "$MN_DIR/kam-url.log" && break
		sleep 0.2
	done
	mn_stop "$pid"
	return "$rc"
}

# set_kamailio_password VALUE: the kamailio role's password (SQL on stdin).
set_kamailio_password() {
	printf 'ALTER ROLE kamailio PASSWORD %s;\n' "$(sql_literal "$1")" | mn_psql node1 -d postgres >/dev/null
}

@test "validation table rows decided by Kamailio: the installed Kamailio logs in to PostgreSQL exactly with the accepted passwords" {
	source "$TOP/test/data/validation-table.bash"
	vt_load
	local row v url line e n=0 bad=0 got d=$BATS_TEST_TMPDIR
	for row in $(vt_rows_by kamailio kamailio_db_password); do
		v=${VT_VALUE[row]}
		n=$((n + 1))
		if [ "${VT_VERDICT[row]}" = accept ]; then
			# The db_url voip-ha writes.
			conf_with "$CONF" kamailio_db_password "$v" "$d/row.conf"
			rm -rf "$d/out"
			gen_all "$d/row.conf" "$d/out" >/dev/null || {
				echo "$(vt_describe "$row"): voip-ha refused it"
				bad=1
				continue
			}
			line=$(grep '^#!define DBURL "' "$d/out/node1/etc/voip-ha/kamailio/kamailio.cfg")
			line=${line#\#!define DBURL \"}
			url=${line%\"}
		else
			# The db_url voip-ha would write if it let the value through.
			e=${v//\\/\\\\}
			e=${e//\"/\\\"}
			url="postgres://kamailio:$e@127.0.0.1:5432/voip"
		fi
		set_kamailio_password "$v"
		got=reject
		if kam_logs_in "$url"; then
			got=accept
		fi
		echo "$(vt_describe "$row"): Kamailio: $got"
		[ "$got" = "${VT_VERDICT[row]}" ] || { grep ERROR "$MN_DIR/kam-url.log" | head -n 3; bad=1; }
	done
	set_kamailio_password "$(conf_get "$CONF" kamailio_db_password)"
	[ "$n" -ge 10 ]
	[ "$bad" = 0 ]
}

@test "a port sshd holds on every node (22, wildcard address) cannot be Kamailio's: it fails to listen there, and on 23 it does" {
	# openssh-server is not installed on the build machine: a listener on
	# 0.0.0.0:22 (sshd's default ListenAddress) stands in for it.
	mn_spawn node2 "$MN_DIR/sshd-standin.log" python3 -c '
import socket, time
s = socket.socket()
s.bind(("0.0.0.0", 22))
s.listen()
time.sleep(60)'
	local holder=$MN_PID port i out
	for i in $(seq 50); do
		mn_exec node2 ss -Hltn 'sport = :22' | grep -q 0.0.0.0:22 && break
		sleep 0.1
	done
	for port in 22 23; do
		printf '#!KAMAILIO\nlisten=tcp:198.51.100.12:%s\nchildren=1\ntcp_children=1\nlog_stderror=yes\nrequest_route {\n\tdrop;\n}\n' \
			"$port" >"$MN_DIR/kam-$port.cfg"
		mn_spawn node2 "$MN_DIR/kam-$port.log" timeout 5 kamailio -DD -E -f "$MN_DIR/kam-$port.cfg" -m 32 -M 8
		out=0
		wait "$MN_PID" || out=$?
		echo "port $port: Kamailio exit $out: $(grep -m 1 -i 'bind' "$MN_DIR/kam-$port.log")"
		if [ "$port" = 22 ]; then
			[ "$out" != 124 ]
			[ "$out" != 0 ]
			grep -q -i 'address already in use' "$MN_DIR/kam-$port.log"
		else
			[ "$out" = 124 ] # still serving when timeout stopped it
		fi
	done
	kill "$holder"
}

# sip_probe NODE SCENARIO TARGET [sipp args]: one sipp call from NODE.
sip_probe() {
	local node=$1 sf=$2 target=$3
	shift 3
	mn_exec "$node" timeout 30 sipp -sf "$TOP/test/sip/scenarios/$sf" -m 1 -nostdin \
		-timeout 20s -timeout_error -recv_timeout 10s -p 5070 "$@" "$target" \
		-trace_err -error_file "$MN_DIR/sipp-$node-$sf.err" >/dev/null 2>&1
}

# kamailio_start NODE: the real Kamailio with the generated kamailio.cfg
# (at its real path through the /etc overlay), in the foreground.
kamailio_start() {
	mn_spawn "$1" "$MN_DIR/kamailio-$1.log" kamailio -DD -E -f /etc/voip-ha/kamailio/kamailio.cfg -m 64 -M 8
	local i pid=$MN_PID
	for i in $(seq 100); do
		sip_probe stranger options.xml 198.51.100.11:5060 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	cat "$MN_DIR/kamailio-$1.log" >&2
	return 1
}

@test "kamailio: the generated config starts, connects to PostgreSQL and answers OPTIONS on the VIP and its own address" {
	kamailio_start node1
	sip_probe stranger options.xml 198.51.100.10:5060
	sip_probe stranger options.xml 198.51.100.11:5060
	sip_probe stranger options.xml 198.51.100.10:5060 -t t1
	# Every worker's DB connection came up (auth_db and usrloc per child).
	run mn_psql node1 -At -c "SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = 'kamailio'"
	[ "$output" = t ]
	run grep -E 'ERROR|CRITICAL' "$MN_DIR/kamailio-node1.log"
	[ "$status" -eq 1 ]
}

# A phone account as voip-admin writes it (ha1/ha1b, no clear password).
ensure_subscriber() {
	local ha1 ha1b
	ha1=$(printf '1001:198.51.100.10:phone-secret' | md5sum | cut -d' ' -f1)
	ha1b=$(printf '1001@198.51.100.10:198.51.100.10:phone-secret' | md5sum | cut -d' ' -f1)
	printf "INSERT INTO kamailio.subscriber(username, domain, password, ha1, ha1b) VALUES ('1001', '198.51.100.10', '', '%s', '%s') ON CONFLICT DO NOTHING;\n" \
		"$ha1" "$ha1b" | mn_psql node1 -d voip
}

@test "kamailio: REGISTER authenticates against subscriber and stores the contact in the database" {
	ensure_subscriber
	run sip_probe stranger register.xml 198.51.100.10:5060 -s 1001 -au 1001 -ap wrong-secret
	[ "$status" -ne 0 ]
	sip_probe stranger register.xml 198.51.100.10:5060 -s 1001 -au 1001 -ap phone-secret
	run mn_psql node1 -d voip -At -c "SELECT username || '@' || domain || ' ' || contact FROM kamailio.location"
	[ "$output" = "1001@198.51.100.10 sip:1001@198.51.100.13:5070" ]
}

# dispatcher_flags NODE URI: the FLAGS dispatcher shows for URI in NODE's
# Kamailio (AP active+probing, IP inactive+probing), through kamcmd.
dispatcher_flags() {
	mn_exec "$1" kamcmd dispatcher.list 2>/dev/null |
		awk -v uri="$2" '$1 == "URI:" { cur = $2 } $1 == "FLAGS:" && cur == uri { print $2 }'
}

@test "kamailio: an authenticated call goes to this node's FreeSWITCH, and to the peer's when ours stops answering probes" {
	[ -e "$MN_DIR/kamailio-node1.log" ] || kamailio_start node1
	ensure_subscriber
	# sipp stands in for FreeSWITCH (not in Debian) on both nodes' own addresses.
	mn_spawn node1 "$MN_DIR/fs-node1.log" sipp -sf "$TOP/test/sip/scenarios/fs-uas.xml" \
		-i 198.51.100.11 -p 5080 -nostdin -trace_msg -message_file "$MN_DIR/fs-node1.msg"
	local fs1=$MN_PID i
	mn_spawn node2 "$MN_DIR/fs-node2.log" sipp -sf "$TOP/test/sip/scenarios/fs-uas.xml" \
		-i 198.51.100.12 -p 5080 -nostdin -trace_msg -message_file "$MN_DIR/fs-node2.msg"
	sleep 1
	run sip_probe stranger call.xml 198.51.100.10:5060 -key caller 1001 -d 200 -s 2000 -au 1001 -ap wrong-secret
	[ "$status" -ne 0 ]
	sip_probe stranger call.xml 198.51.100.10:5060 -key caller 1001 -d 200 -s 2000 -au 1001 -ap phone-secret
	grep -q '^INVITE sip:2000@' "$MN_DIR/fs-node1.msg"
	run grep -q '^INVITE sip:2000@' "$MN_DIR/fs-node2.msg"
	[ "$status" -ne 0 ]
	# node1's media server dies. The next call gets no reply there within
	# 800 ms and failure_route sends it to node2's.
	kill "$fs1"
	sip_probe stranger call.xml 198.51.100.10:5060 -key caller 1001 -d 200 -s 2000 -au 1001 -ap phone-secret
	[ "$(grep -c '^INVITE sip:2000@' "$MN_DIR/fs-node2.msg")" -eq 1 ]
	# failure_route marked it inactive (the probes keep it so), and calls
	# go straight to node2.
	for i in $(seq 60); do
		[ "$(dispatcher_flags node1 sip:198.51.100.11:5080)" = IP ] && break
		sleep 1
	done
	[ "$(dispatcher_flags node1 sip:198.51.100.11:5080)" = IP ]
	[ "$(dispatcher_flags node1 sip:198.51.100.12:5080)" = AP ]
	sip_probe stranger call.xml 198.51.100.10:5060 -key caller 1001 -d 200 -s 2000 -au 1001 -ap phone-secret
	[ "$(grep -c '^INVITE sip:2000@' "$MN_DIR/fs-node2.msg")" -eq 2 ]
}

# rsync_as NODE ARGS...: an rsync client in NODE with the generated password file.
rsync_as() {
	local node=$1
	shift
	mn_exec "$node" timeout 30 rsync --password-file=/etc/voip-ha/recordings-rsync.password "$@" 2>&1
}

# wait_for PATH: up to 10 s.
wait_for() {
	local i
	for i in $(seq 50); do
		[ -e "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

@test "recordings: lsyncd pushes to the peer's rsync daemon within 10 s and never deletes there" {
	# Receiver on node2, sender on node1, both from the generated files.
	echo "only on node2" > "$MN_DIR/node2/rec/node2-only.wav"
	echo "old" > "$MN_DIR/node1/rec/before-start.wav"
	mn_spawn node2 "$MN_DIR/rsyncd-node2.log" rsync --daemon --no-detach --config=/etc/voip-ha/rsyncd.conf
	for i in $(seq 50); do
		mn_exec node2 ss -Hltn 'sport = :873' | grep -q 198.51.100.12:873 && break
		sleep 0.1
	done
	mn_spawn node1 "$MN_DIR/lsyncd-node1.log" lsyncd -nodaemon /etc/lsyncd/lsyncd.conf.lua
	# Start-up sync, then a file written afterwards.
	wait_for "$MN_DIR/node2/rec/before-start.wav"
	sleep 1
	mkdir -p "$MN_DIR/node1/rec/2026/11"
	echo "call audio" > "$MN_DIR/node1/rec/2026/11/call-1.wav"
	wait_for "$MN_DIR/node2/rec/2026/11/call-1.wav"
	cmp "$MN_DIR/node1/rec/2026/11/call-1.wav" "$MN_DIR/node2/rec/2026/11/call-1.wav"
	# A recording deleted on node1 stays on node2; node2's own one stays too.
	rm "$MN_DIR/node1/rec/before-start.wav"
	echo "next" > "$MN_DIR/node1/rec/call-2.wav"
	wait_for "$MN_DIR/node2/rec/call-2.wav"
	sleep 3
	[ -e "$MN_DIR/node2/rec/before-start.wav" ]
	[ -e "$MN_DIR/node2/rec/node2-only.wav" ]
}

@test "recordings: the rsync daemon refuses deletes, strangers and wrong passwords" {
	local empty=$MN_DIR/empty
	mkdir -p "$empty"
	run rsync_as node1 -r --delete "$empty/" "voip-ha@198.51.100.12::recordings/"
	[ "$status" -ne 0 ]
	[[ "$output" == *"refuse"* ]]
	[ -e "$MN_DIR/node2/rec/node2-only.wav" ]
	# The same password from an address that is not the peer.
	install -m 0600 "$OUT/node1/etc/voip-ha/recordings-rsync.password" "$MN_DIR/pw"
	run mn_exec stranger timeout 30 rsync --password-file="$MN_DIR/pw" -r "$empty/" "voip-ha@198.51.100.12::recordings/"
	[ "$status" -ne 0 ]
	# (list = no: a host that may not see the module is told it does not exist)
	[[ "$output" == *"access denied"* || "$output" == *"Unknown module"* ]]
	# The peer with a wrong password.
	echo wrong > "$MN_DIR/pw"
	run mn_exec node1 timeout 30 rsync --password-file="$MN_DIR/pw" -r "$empty/" "voip-ha@198.51.100.12::recordings/"
	[ "$status" -ne 0 ]
	[[ "$output" == *"auth failed"* ]]
}
