#!/usr/bin/env bats
# CDR ingestion end to end (issue 3 item 4): the real voip-admind (sanitized
# build in make check), a real PostgreSQL 15 started here with
# db/migrations applied, curl posting CDRs the way mod_xml_cdr and
# mod_json_cdr do (every encode mode), row counts checked in voip.cdr.
#
# Ports: PostgreSQL 55452 (a standby on 55453), daemon 18092 (API) / 18093
# (metrics).

bats_require_minimum_version 1.5.0

FX=$BATS_TEST_DIRNAME/cdr-fixtures
PGPORT=55452
A=http://127.0.0.1:18092
M=http://127.0.0.1:18093

setup_file() {
	load lib/pg
	load lib/daemon
	# PostgreSQL runs as postgres: a directory it can reach (bats' own
	# temporary directories are private to root)
	export T
	T=$(mktemp -d /tmp/cdr-ingest.XXXXXX)
	chmod 0755 "$T"
	pg_start "$T/pg" "$PGPORT"
	# a physical standby needs a replication connection to the primary
	echo 'local replication postgres trust' >> "$T/pg/data/pg_hba.conf"
	pg_psql "$T/pg" -d postgres -c 'SELECT pg_reload_conf()' >/dev/null
	daemon_config "$T" 18092 18093
	daemon_start "$T"
}

teardown_file() {
	load lib/pg
	load lib/daemon
	daemon_stop "$T" || kill -9 "$(cat "$T/daemon.pid" 2>/dev/null)" 2>/dev/null
	[ -n "${T-}" ] && pg_stop "$T/pg"
	[ -n "${T-}" ] && [ -d "$T/pgb" ] && pg_stop "$T/pgb"
	[ -n "${T-}" ] && [ -d "$T/pgs" ] && pg_stop "$T/pgs"
	[ -n "${T-}" ] && rm -rf "$T"
	true
}

setup() {
	load lib/pg
	load lib/daemon
	bats_load_library bats-support
	bats_load_library bats-assert
}

sql() {
	pg_psql "$T/pg" -d voip -At -c "$1"
}

# FreeSWITCH's switch_url_encode (CDR-PROTOCOL §4): controls, non-ASCII and
# "\r\n #%&+:;<=>?@[\]^`{|}\"" become %XX (upper case); nothing becomes '+'.
fs_urlencode() {
	perl -0777 -pe 's/([^A-Za-z0-9!\$'"'"'()*,\-.\/_~])/sprintf("%%%02X", ord($1))/ge'
}

# post BODYFILE [PATH] [extra curl args] — prints the HTTP status
post() {
	local f=$1 path=${2:-/fs/cdr}
	shift 2 || shift $#
	curl -s -o /dev/null -w '%{http_code}' -H @"$T/fs.hdr" -A freeswitch-xml/1.0 \
		"$@" --data-binary @"$f" "$A$path"
}

# A copy of a real CDR (ccm_incoming-call-cdr.xml, a B-leg) with its leg
# uuid replaced: cdr_with_uuid UUID > file
cdr_with_uuid() {
	sed "s/26444af2-5f94-40b5-9578-824ce7c75ab8/$1/g" "$FX/ccm_incoming-call-cdr.xml"
}

uuid_n() {
	printf '%08x-%04x-4000-8000-%012x' "$1" "$2" "$3"
}

# post_many GROUP COUNT — posts COUNT copies of the sample with uuids
# uuid_n GROUP 0 1..COUNT from one curl process (keep-alive; spawning
# processes is what costs time on a busy machine); prints one status a line
post_many() {
	local g=$1 n=$2 d=$BATS_TEST_TMPDIR/many.$1
	mkdir -p "$d"
	perl -e '
		my ($g, $n, $src, $d, $url, $hdr) = @ARGV;
		open(my $f, "<", $src) or die; local $/; my $doc = <$f>; close $f;
		open(my $k, ">", "$d/curl.cfg") or die;
		for my $i (1 .. $n) {
			my $u = sprintf("%08x-%04x-4000-8000-%012x", $g, 0, $i);
			(my $c = $doc) =~ s/26444af2-5f94-40b5-9578-824ce7c75ab8/$u/g;
			open(my $o, ">", "$d/$i.xml") or die; print $o $c; close $o;
			print $k "next\n" if $i > 1;
			print $k "url = \"$url\"\ndata-binary = \"\@$d/$i.xml\"\n",
				"header = \"\@$hdr\"\noutput = \"/dev/null\"\n",
				"write-out = \"%{http_code}\\n\"\nsilent\n";
		}' "$g" "$n" "$FX/ccm_incoming-call-cdr.xml" "$d" "$A/fs/cdr" "$T/fs.hdr"
	curl -K "$d/curl.cfg"
}

# post_until_down GROUP W N: posts uuids uuid_n GROUP W 1..N one by one,
# appending each acknowledged uuid to $BATS_TEST_TMPDIR/acked, until the
# daemon stops answering.
post_until_down() {
	local g=$1 w=$2 n=$3 i u code
	for i in $(seq 1 "$n"); do
		u=$(uuid_n "$g" "$w" "$i")
		cdr_with_uuid "$u" > "$BATS_TEST_TMPDIR/c$g-$w.xml"
		code=$(post "$BATS_TEST_TMPDIR/c$g-$w.xml") || true   # 000: daemon gone
		[ "$code" = 200 ] && echo "$u" >> "$BATS_TEST_TMPDIR/acked"
		[ "$code" = 000 ] && break
	done
	return 0
}

# wait_for SQL EXPECTED [SECONDS]
wait_for() {
	local i out
	for i in $(seq 1 $((${3:-20} * 10))); do
		out=$(sql "$1")
		[ "$out" = "$2" ] && return 0
		sleep 0.1
	done
	echo "waited for '$1' = '$2', last '$out'" >&2
	return 1
}

metric() {
	curl -s "$M/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

@test "every real sample is accepted in every encode mode and stored once" {
	local f mode body n=0
	for f in "$FX"/*.xml "$FX"/*.json; do
		for mode in textxml false true base64; do
			body=$BATS_TEST_TMPDIR/body
			case $mode in
			textxml) cp "$f" "$body" ;;
			false) { printf 'cdr='; cat "$f"; } > "$body" ;;
			true) { printf 'cdr='; fs_urlencode < "$f"; } > "$body" ;;
			base64) { printf 'cdr='; base64 -w0 < "$f"; } > "$body" ;;
			esac
			# mod_xml_cdr with disable-100-continue labels every mode urlencoded
			run post "$body" /fs/cdr -H 'Content-Type: application/x-www-form-urlencoded' -H 'Expect:'
			assert_output 200
			n=$((n + 1))
		done
	done
	[ "$n" -eq 32 ]
	# 8 distinct calls, each posted 4 times: one row each
	wait_for "SELECT count(*) FROM voip.cdr" 8
	run sql "SELECT count(*) FROM voip.cdr_dead_letter"
	assert_output 0
	[ "$(metric voipadmin_cdr_duplicates_total)" -eq 24 ]
}

@test "stored fields match the documents (URL-decoded, callflow fallbacks)" {
	run sql "SELECT leg, direction, caller_id_number, caller_id_name, destination_number, context,
	                domain, to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),
	                to_char(answer_time AT TIME ZONE 'UTC', 'HH24:MI:SS.US'), duration, billsec,
	                hangup_cause, queue, agent, recording_path, sip_call_id, other_leg_uuid, format
	         FROM voip.cdr WHERE uuid = '7f3c2b1a-0d9e-4c8b-a7f6-e5d4c3b2a190'"
	assert_output "a|inbound|1001|José García & Co+|5000|voip.example.test|voip.example.test|2026-11-30 00:40:00.125000|00:40:03.500000|90|87|NORMAL_CLEARING|support@voip.example.test|1002@voip.example.test|/var/lib/freeswitch/recordings/2026-11-24/7f3c2b1a.wav|a84b4c76e66710@pc33.example.test|1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5|xml"
	run sql "SELECT leg, caller_id_number, destination_number, answer_time IS NULL, billsec, format
	         FROM voip.cdr WHERE uuid = 'd0d42f4b-d5ef-4f30-a306-57980804f1be'"
	assert_output "b|IMSI123451234512342|639360100755|t|0|xml"
	run sql "SELECT domain, sip_call_id, format FROM voip.cdr WHERE uuid = '3da8bf84-c133-4959-9e24-e72875cb33a1'"
	assert_output "10.10.10.204|818e26f805701988c1a330175d7d2629@0:0:0:0:0:0:0:0|json"
	# cdr_store_raw defaults to false: no document in voip.cdr
	run sql "SELECT count(*), count(raw) FROM voip.cdr"
	refute_output --regexp '^0\|'
	assert_output --regexp '\|0$'
}

@test "re-delivering the same uuid is idempotent" {
	cdr_with_uuid 0bad0bad-0000-4000-8000-000000000001 > "$BATS_TEST_TMPDIR/c.xml"
	for i in 1 2 3; do
		run post "$BATS_TEST_TMPDIR/c.xml"
		assert_output 200
	done
	wait_for "SELECT count(*) FROM voip.cdr WHERE uuid = '0bad0bad-0000-4000-8000-000000000001'" 1
	sleep 1
	run sql "SELECT count(*) FROM voip.cdr WHERE uuid = '0bad0bad-0000-4000-8000-000000000001'"
	assert_output 1
}

@test "malformed CDRs are acknowledged and dead-lettered with the reason, never stored as calls" {
	local before
	before=$(sql "SELECT count(*) FROM voip.cdr")
	printf '%s' '<cdr><variables><uuid>11111111-2222-4333-8444-555555555555</uuid>' > "$BATS_TEST_TMPDIR/trunc.xml"
	printf '%s' '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><cdr><variables><uuid>&b;</uuid></variables></cdr>' > "$BATS_TEST_TMPDIR/bomb.xml"
	printf '%s' '{"variables":{"uuid":"not-a-uuid"}}' > "$BATS_TEST_TMPDIR/bad.json"
	printf 'cdr=%s' "$(printf '<cdr><variables><duration>x</duration><uuid>22222222-2222-4333-8444-555555555555</uuid></variables></cdr>' | fs_urlencode)" > "$BATS_TEST_TMPDIR/form"
	for f in trunc.xml bomb.xml bad.json form; do
		run post "$BATS_TEST_TMPDIR/$f"
		assert_output 200
	done
	wait_for "SELECT count(*) FROM voip.cdr_dead_letter WHERE source = 'journal'" 4
	run sql "SELECT reason FROM voip.cdr_dead_letter ORDER BY id"
	assert_line --partial 'XML error'
	assert_line --partial 'DOCTYPE is not allowed'
	assert_line --partial "is not a UUID"
	assert_line --partial "duration 'x' is not a number"
	# the dead letter keeps the bytes as posted (decoded envelope)
	run sql "SELECT convert_from(body, 'UTF8') FROM voip.cdr_dead_letter WHERE reason LIKE '%UUID%'"
	assert_output '{"variables":{"uuid":"not-a-uuid"}}'
	run sql "SELECT count(*) FROM voip.cdr"
	assert_output "$before"
	# a body with no document at all is refused (FreeSWITCH keeps it)
	printf 'hello' > "$BATS_TEST_TMPDIR/junk"
	run post "$BATS_TEST_TMPDIR/junk"
	assert_output 400
}

@test "cdr_store_raw=true keeps the document in voip.cdr.raw; dead letters keep theirs either way" {
	local u=0bad0bad-0000-4000-8000-0000000000ff
	daemon_stop "$T"
	echo 'cdr_store_raw=true' >> "$T/voip-admin.conf"
	daemon_start "$T"
	run post "$FX/ccm_free-call-cdr.xml"
	assert_output 200
	cdr_with_uuid "$u" > "$BATS_TEST_TMPDIR/on.xml"
	run post "$BATS_TEST_TMPDIR/on.xml"
	assert_output 200
	wait_for "SELECT count(raw) FROM voip.cdr WHERE uuid = '$u'" 1
	# the raw column is the document as FreeSWITCH generated it
	run sql "SELECT raw FROM voip.cdr WHERE uuid = '$u'"
	assert_output "$(cat "$BATS_TEST_TMPDIR/on.xml")"
	# a row stored earlier with the option off stays NULL (a re-delivery is a no-op)
	run sql "SELECT raw IS NULL FROM voip.cdr WHERE uuid = '44999f0d-e76b-4bd3-bfdf-3239d487e45b'"
	assert_output t
	# back to the default: NULL again, but a dead letter still has its body
	daemon_stop "$T"
	sed -i '/^cdr_store_raw=/d' "$T/voip-admin.conf"
	daemon_start "$T"
	u=0bad0bad-0000-4000-8000-0000000000fe
	cdr_with_uuid "$u" > "$BATS_TEST_TMPDIR/off.xml"
	run post "$BATS_TEST_TMPDIR/off.xml"
	assert_output 200
	printf '%s' '{"variables":{"uuid":"raw-off-dead"}}' > "$BATS_TEST_TMPDIR/dead.json"
	run post "$BATS_TEST_TMPDIR/dead.json"
	assert_output 200
	wait_for "SELECT count(*) FROM voip.cdr WHERE uuid = '$u'" 1
	run sql "SELECT raw IS NULL FROM voip.cdr WHERE uuid = '$u'"
	assert_output t
	wait_for "SELECT convert_from(body, 'UTF8') FROM voip.cdr_dead_letter WHERE body = convert_to('{\"variables\":{\"uuid\":\"raw-off-dead\"}}', 'UTF8')" '{"variables":{"uuid":"raw-off-dead"}}'
	# anything but true/false is refused, naming the key
	{ cat "$T/voip-admin.conf"; echo 'cdr_store_raw=yes'; } > "$BATS_TEST_TMPDIR/bad.conf"
	run "$VOIPADMIND" --config "$BATS_TEST_TMPDIR/bad.conf" --check-config
	assert_failure
	assert_output --partial 'cdr_store_raw: must be true or false'
}

@test "rows an operator puts into voip.cdr_queue are moved (and bad ones dead-lettered)" {
	local body
	body=$(printf 'cdr='; cdr_with_uuid 0bad0bad-0000-4000-8000-0000000000aa | fs_urlencode)
	sql "INSERT INTO voip.cdr_queue (body) VALUES ('$body'), ('not a cdr at all')"
	wait_for "SELECT count(*) FROM voip.cdr_queue" 0
	wait_for "SELECT count(*) FROM voip.cdr WHERE uuid = '0bad0bad-0000-4000-8000-0000000000aa'" 1
	run sql "SELECT source, convert_from(body, 'UTF8') FROM voip.cdr_dead_letter WHERE source = 'queue'"
	assert_output 'queue|not a cdr at all'
}

@test "database down: posts still answer 200 from the journal; all rows arrive after it is back" {
	local n=300 acked
	pg_down "$T/pg"
	# A batch that fails re-delivers its whole journal segment, records
	# stored earlier included, and those count in the depth again: let the
	# segment age out (segment_ms 2 s) so this test's CDRs start a new one.
	sleep 2.1
	acked=$(post_many 1 $n | grep -c '^200$')
	[ "$acked" -eq "$n" ]
	[ "$(metric voipadmin_cdr_queue_depth)" -eq "$n" ]
	run curl -s -o /dev/null -w '%{http_code}' "$M/health"
	assert_output 503
	pg_up "$T/pg"
	wait_for "SELECT count(*) FROM voip.cdr WHERE uuid LIKE '00000001-0000-4000-8000-%'" "$n" 30
	wait_for "SELECT 1" 1
	[ "$(metric voipadmin_cdr_queue_depth)" -eq 0 ]
}

@test "kill -9 after acknowledgement loses nothing: the journal is replayed on restart" {
	local n=200 pid
	pg_down "$T/pg"
	[ "$(post_many 2 $n | grep -c '^200$')" -eq "$n" ]
	pid=$(cat "$T/daemon.pid")
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	rm -f "$T/daemon.pid"
	pg_up "$T/pg"
	daemon_start "$T"
	wait_for "SELECT count(*) FROM voip.cdr WHERE uuid LIKE '00000002-0000-4000-8000-%'" "$n" 30
}

@test "kill -9 under concurrent load: every acknowledged CDR is stored" {
	local pid w
	: > "$BATS_TEST_TMPDIR/acked"
	for w in 1 2 3 4; do
		post_until_down 3 "$w" 400 3>&- &
	done
	sleep 1.5
	pid=$(cat "$T/daemon.pid")
	kill -9 "$pid"
	wait
	rm -f "$T/daemon.pid"
	local acked
	acked=$(sort -u "$BATS_TEST_TMPDIR/acked" | wc -l)
	echo "acknowledged before the kill: $acked" >&2
	[ "$acked" -gt 0 ]
	daemon_start "$T"
	sort -u "$BATS_TEST_TMPDIR/acked" | sed "s/.*/('&')/" | paste -sd, > "$BATS_TEST_TMPDIR/values"
	wait_for "SELECT count(*) FROM (VALUES $(cat "$BATS_TEST_TMPDIR/values")) v(u) JOIN voip.cdr c ON c.uuid = v.u" "$acked" 30
}

# restart_with LINE...: the daemon again, its config plus these lines (none:
# back to the suite's config)
restart_with() {
	daemon_stop "$T"
	sed -i '/^# extra$/,$d' "$T/voip-admin.conf"
	if [ $# -gt 0 ]; then
		echo '# extra' >> "$T/voip-admin.conf"
		printf '%s\n' "$@" >> "$T/voip-admin.conf"
	fi
	daemon_start "$T"
}

@test "two HTTP threads carry 60 concurrent CDR posts: parked until durable, all answered 200, all stored" {
	restart_with http_threads=2
	local before w
	before=$(metric voipadmin_cdr_parked_total)
	local pids=()
	for w in $(seq 1 60); do
		post_many $((0x60 + w)) 5 > "$BATS_TEST_TMPDIR/codes.$w" 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"    # not the daemon: restart_with made it our child
	run sh -c "cat '$BATS_TEST_TMPDIR'/codes.* | sort | uniq -c"
	assert_output "    300 200"
	wait_for "SELECT count(*) FROM voip.cdr WHERE uuid ~ '^000000(6[1-9a-f]|[7-9][0-9a-f])-'" 300 30
	# the posts really waited for their flush without a thread each
	[ "$(metric voipadmin_cdr_parked_total)" -gt "$before" ]
	[ "$(metric voipadmin_cdr_parked_posts)" = 0 ]
}

@test "SIGTERM with posts parked: a clean stop, every acknowledged CDR stored after restart" {
	local w pids=()
	: > "$BATS_TEST_TMPDIR/acked"
	for w in $(seq 1 20); do
		post_until_down 6 "$w" 200 3>&- &
		pids+=($!)
	done
	sleep 1.5
	daemon_stop "$T"
	wait "${pids[@]}"
	# libmicrohttpd aborts when stopped with suspended connections
	run grep -iE 'panic|suspended connections|AddressSanitizer|runtime error:' "$T/daemon.log"
	assert_failure
	local acked
	acked=$(sort -u "$BATS_TEST_TMPDIR/acked" | wc -l)
	echo "acknowledged before SIGTERM: $acked" >&2
	[ "$acked" -gt 0 ]
	restart_with
	sort -u "$BATS_TEST_TMPDIR/acked" | sed "s/.*/('&')/" | paste -sd, > "$BATS_TEST_TMPDIR/values"
	wait_for "SELECT count(*) FROM (VALUES $(cat "$BATS_TEST_TMPDIR/values")) v(u) JOIN voip.cdr c ON c.uuid = v.u" "$acked" 30
}

@test "journal segments are kept until a streaming standby confirms them, then deleted" {
	local i segs
	# voip_admin may see the standby's flush_lsn (bring-up grants this)
	sql "GRANT pg_monitor TO voip_admin" >/dev/null
	[ "$(post_many 5 40 | grep -c '^200$')" -eq 40 ]
	wait_for "SELECT count(*) FROM voip.cdr WHERE uuid LIKE '00000005-0000-4000-8000-%'" 40
	# committed, but no standby: nothing may be deleted (the segment is
	# sealed after 2 s; give confirmation a few rounds)
	sleep 4
	segs=$(metric voipadmin_cdr_journal_segments)
	[ "$segs" -ge 1 ]
	[ "$(metric voipadmin_cdr_journal_unconfirmed_dropped_total)" -eq 0 ]
	# a real streaming standby catches up and confirms
	rm -rf "$T/pgs"
	mkdir -p "$T/pgs/sock"
	chown -R postgres: "$T/pgs"
	as_postgres "$PG_BINDIR/pg_basebackup" -h "$T/pg/sock" -p "$PGPORT" -U postgres \
		-D "$T/pgs/data" -R -X stream -N -c fast >/dev/null
	echo 55453 > "$T/pgs/port"
	cat >> "$T/pgs/data/postgresql.conf" <<-CONF
	port = 55453
	unix_socket_directories = '$T/pgs/sock'
	CONF
	pg_up "$T/pgs"
	for i in $(seq 1 200); do
		segs=$(metric voipadmin_cdr_journal_segments)
		[ "$segs" = 0 ] && break
		sleep 0.1
	done
	run sql "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
	assert_output 1
	assert_equal "$segs" 0
	[ "$(metric voipadmin_cdr_journal_unconfirmed_dropped_total)" -eq 0 ]
	pg_stop "$T/pgs"
}

@test "failover: CDRs committed on the old primary but never replicated are re-delivered to the new one" {
	local i n=100
	# The standby is a base backup taken now and then cut off: whatever
	# the primary commits afterwards never reaches it (an async standby
	# lagging at the moment its primary dies).
	rm -rf "$T/pgb"
	mkdir -p "$T/pgb"
	chown postgres: "$T/pgb"
	as_postgres "$PG_BINDIR/pg_basebackup" -h "$T/pg/sock" -p "$PGPORT" -U postgres \
		-D "$T/pgb/data" -R -X stream -N -c fast >/dev/null
	[ "$(post_many 4 $n | grep -c '^200$')" -eq "$n" ]
	wait_for "SELECT count(*) FROM voip.cdr WHERE uuid LIKE '00000004-0000-4000-8000-%'" "$n"
	# the old primary dies; the standby is promoted on the same address
	pg_stop "$T/pg"
	mkdir -p "$T/pgb/sock"
	chown -R postgres: "$T/pgb"
	echo "unix_socket_directories = '$T/pgb/sock'" >> "$T/pgb/data/postgresql.conf"
	echo "primary_conninfo = ''" >> "$T/pgb/data/postgresql.conf"
	cp "$T/pg/port" "$T/pgb/port"
	pg_up "$T/pgb"
	as_postgres "$PG_BINDIR/pg_ctl" -D "$T/pgb/data" -w promote >/dev/null
	run pg_psql "$T/pgb" -d voip -At -c "SELECT count(*) FROM voip.cdr WHERE uuid LIKE '00000004-0000-4000-8000-%'"
	# (may already be re-delivered by the time we look: only check the end)
	for i in $(seq 1 300); do
		out=$(pg_psql "$T/pgb" -d voip -At -c "SELECT count(*) FROM voip.cdr WHERE uuid LIKE '00000004-0000-4000-8000-%'")
		[ "$out" = "$n" ] && break
		sleep 0.1
	done
	assert_equal "$out" "$n"
	[ "$(metric voipadmin_cdr_redelivered_total)" -gt 0 ]
	grep -q 'database identity changed' "$T/daemon.log"
}

@test "SIGTERM drains and leaves nothing acknowledged behind" {
	local pid
	cdr_with_uuid 0bad0bad-0000-4000-8000-0000000000ff > "$BATS_TEST_TMPDIR/c.xml"
	run post "$BATS_TEST_TMPDIR/c.xml"
	assert_output 200
	daemon_stop "$T"
	run pg_psql "$T/pgb" -d voip -At -c "SELECT count(*) FROM voip.cdr WHERE uuid = '0bad0bad-0000-4000-8000-0000000000ff'"
	assert_output 1
	# the journal is empty of pending work, and the (sanitized) daemon
	# reported nothing over the whole suite
	run grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/daemon.log"
	assert_failure
}
