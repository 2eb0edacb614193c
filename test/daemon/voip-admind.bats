#!/usr/bin/env bats
# voip-admind end to end: a real PostgreSQL 15 (started here, migrations
# from db/migrations applied), the daemon (sanitized build in make check),
# curl as the client, xmllint as the XML judge. Requests to /fs/xml are the
# bodies FreeSWITCH really sent (shared data set) or built the same way.
#
# Ports: PostgreSQL 55440, daemon 18080 (API) / 18081 (metrics); the SIGTERM
# test runs a second daemon on 18082/18083, the notify test a third on
# 18086/18087, the cache invalidation test a fourth on 18088/18089, the
# hung-database watchdog test a fifth on 18090/18091, the metrics_allow test
# a sixth on 18092/18093 (metrics on 127.0.0.2); Prometheus on 18095.

bats_require_minimum_version 1.5.0

XC=$BATS_TEST_DIRNAME/xmlcurl-fixtures
CDRX=$BATS_TEST_DIRNAME/cdr-fixtures

setup_file() {
	load lib/pg
	load lib/daemon
	# not under bats' own temp dirs: those are 0700 and PostgreSQL runs
	# as user postgres
	export T
	T=$(mktemp -d /tmp/voip-admind-test.XXXXXX)
	chmod 0755 "$T"
	mkdir -p "$T/spool"
	pg_start "$T/pg" 55440
	daemon_config "$T" 18080 18081
	write_backup_state "$T"
	daemon_start "$T"
}

teardown_file() {
	load lib/pg
	load lib/daemon
	[ -n "${T-}" ] || return 0
	daemon_stop "$T" || true
	pg_stop "$T/pg"
	# keep the logs of a failed run for CI artifacts, remove the rest
	if [ -z "${KEEP_TEST_DIR-}" ]; then
		rm -rf "$T"
	fi
}

setup() {
	load lib/pg
	load lib/daemon
	bats_load_library bats-support
	bats_load_library bats-assert
}

M=http://127.0.0.1:18081
A=http://127.0.0.1:18080

sql() {
	pg_psql "$T/pg" -d voip -At -c "$1"
}

# The not-found answer FreeSWITCH expects (puppet.cgi's document).
not_found_ok() {
	printf '%s' "$1" | xmllint --noout - &&
	printf '%s' "$1" | xmllint --xpath 'string(/document/section[@name="result"]/result/@status)' - |
		grep -qx 'not found'
}

@test "--check-config accepts the test configuration" {
	run "$VOIPADMIND" --config "$T/voip-admin.conf" --check-config
	assert_success
	assert_output --partial 'configuration OK'
}

@test "the voip-admin.conf the generator writes (sample answers, nasty ones too) loads" {
	voipha=${VOIPHA:-$SRC_ROOT/build/voip-ha}
	[ -x "$voipha" ] || { echo "missing $voipha (make build/voip-ha)"; return 1; }
	for answers in "$SRC_ROOT"/test/fixtures/answers-*.conf; do
		out=$BATS_TEST_TMPDIR/gen-$(basename "$answers" .conf)
		"$voipha" generate --config "$answers" --templates "$SRC_ROOT/templates" --all --out "$out" >/dev/null
		for node in node1 node2; do
			run "$VOIPADMIND" --config "$out/$node/etc/voip-ha/voip-admin.conf" --check-config
			assert_success
		done
	done
}

@test "voip-admind(8) renders without warnings and documents every configuration key" {
	run bash -c "MANWIDTH=80 man --warnings -l '$SRC_ROOT/doc/voip-admind.8' 2>&1 >/dev/null"
	assert_output ''
	page=$(MANWIDTH=200 man -l "$SRC_ROOT/doc/voip-admind.8" 2>/dev/null)
	keys=$(grep -o '^ADMIN_KEY([a-z0-9_]*' "$SRC_ROOT/src/daemon/admin-keys.def" | cut -d'(' -f2)
	[ "$(echo "$keys" | wc -l)" -ge 20 ]
	for k in $keys; do
		[[ "$page" == *"$k"* ]] || { echo "voip-admind.8 does not mention $k"; return 1; }
	done
}

@test "--check-config names file:line and never prints a value" {
	cp "$T/voip-admin.conf" "$BATS_TEST_TMPDIR/bad.conf"
	echo 'http_port=0' >> "$BATS_TEST_TMPDIR/bad.conf"
	run -1 "$VOIPADMIND" --config "$BATS_TEST_TMPDIR/bad.conf" --check-config
	assert_output --partial 'bad.conf'
	cp "$T/voip-admin.conf" "$BATS_TEST_TMPDIR/bad2.conf"
	sed -i 's/^db_host=/db_hots=/' "$BATS_TEST_TMPDIR/bad2.conf"
	run -1 "$VOIPADMIND" --config "$BATS_TEST_TMPDIR/bad2.conf" --check-config
	assert_output --regexp 'bad2.conf:[0-9]+'
	refute_output --partial "$(cat "$T/pg/db_password")"
	run -2 "$VOIPADMIND" --bogus
}

@test "GET /health is 200 with the database up (503 only with a reason)" {
	run curl -s -w '\n%{http_code}' "$M/health"
	assert_line --index 1 200
	assert_line --index 0 --partial '"status":"ok"'
	assert_line --index 0 --partial '"database":{"ok":true}'
	assert_line --index 0 --partial '"cdr":{"backlog":'
	run curl -s -o /dev/null -w '%{http_code}' "$A/health"
	assert_output 200
}

@test "GET /metrics is Prometheus text with request, latency and cache families" {
	curl -s -o /dev/null "$M/health"
	run curl -s -D "$BATS_TEST_TMPDIR/h" "$M/metrics"
	assert_success
	grep -qi '^content-type: text/plain; version=0.0.4' "$BATS_TEST_TMPDIR/h"
	assert_output --partial '# TYPE voipadmin_http_requests_total counter'
	assert_output --partial 'voipadmin_http_requests_total{route="/health",code="'
	assert_output --partial '# TYPE voipadmin_http_request_duration_seconds histogram'
	assert_output --partial 'voipadmin_http_request_duration_seconds_bucket{route="/health",le="+Inf"}'
	assert_output --partial 'voipadmin_db_reconnects_total'
	# every sample line is "name{labels} value" or "name value"
	run bash -c "curl -s '$M/metrics' | grep -v '^#' | grep -Ev '^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$'"
	assert_output ''
}

# The pair's state on /metrics comes from the failover monitor's file
# (cluster_state_file, here $T/monitor.state); it is read at most twice a
# second, hence the pauses.
metric() { curl -s "$M/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

write_state() { # UPDATED ROLE SYNC [FAILOVERS]
	cat > "$T/monitor.state.new" <<-STATE
	updated=$1
	node=node1
	role=$2
	vip_held=1
	sync_state=$3
	peer_reachable=1
	witness_configured=1
	witness_reachable=0
	lag_bytes=4096
	lag_seconds=0.250
	timeline=3
	failovers_total=${4:-2}
	fenced=0
	arbiter=none
	arbiter_reachable=0
	lease_holder=
	lease_term=0
	lease_remaining_ms=0
	lease_renewed_ago_ms=-1
	lease_held=0
	lease_valid_until_ms=0
	lease_failsafe=0
	STATE
	mv "$T/monitor.state.new" "$T/monitor.state"
	sleep 0.6
}

@test "GET /metrics: the pair's role, VIP, replication and failovers from the monitor's state" {
	write_state "$(date +%s)" primary sync
	assert_equal "$(metric voipadmin_cluster_state_ok)" 1
	assert_equal "$(metric 'voipadmin_cluster_role{role="primary"}')" 1
	assert_equal "$(metric 'voipadmin_cluster_role{role="standby"}')" 0
	assert_equal "$(metric voipadmin_cluster_vip_held)" 1
	assert_equal "$(metric 'voipadmin_cluster_replication_state{state="sync"}')" 1
	assert_equal "$(metric 'voipadmin_cluster_replication_state{state="degraded"}')" 0
	assert_equal "$(metric voipadmin_cluster_replication_lag_bytes)" 4096
	assert_equal "$(metric voipadmin_cluster_replication_lag_seconds)" 0.25
	assert_equal "$(metric voipadmin_cluster_timeline)" 3
	assert_equal "$(metric voipadmin_cluster_failovers_total)" 2
	curl -s "$M/metrics" | grep -qx '# TYPE voipadmin_cluster_failovers_total counter'
	assert_equal "$(metric voipadmin_cluster_peer_reachable)" 1
	assert_equal "$(metric voipadmin_cluster_witness_reachable)" 0
	write_state "$(date +%s)" primary degraded
	assert_equal "$(metric 'voipadmin_cluster_replication_state{state="degraded"}')" 1
	assert_equal "$(metric 'voipadmin_cluster_replication_state{state="sync"}')" 0
}

@test "GET /metrics: a stale, broken or missing monitor state reads as not ok, never as a role" {
	write_state 1000 primary sync
	assert_equal "$(metric voipadmin_cluster_state_ok)" 0
	assert_equal "$(metric 'voipadmin_cluster_role{role="primary"}')" 0
	assert_equal "$(metric voipadmin_cluster_vip_held)" 0
	assert_equal "$(metric voipadmin_cluster_replication_lag_bytes)" -1
	printf 'updated=%s\nrole=primary\n' "$(date +%s)" > "$T/monitor.state"
	sleep 0.6
	assert_equal "$(metric voipadmin_cluster_state_ok)" 0
	assert_equal "$(metric voipadmin_cluster_vip_held)" 0
	rm -f "$T/monitor.state"
	sleep 0.6
	assert_equal "$(metric voipadmin_cluster_state_ok)" 0
	assert_equal "$(metric voipadmin_cluster_state_age_seconds)" -1
	run curl -s -o /dev/null -w '%{http_code}' "$M/metrics"
	assert_output 200
}

@test "GET /metrics follows Prometheus naming conventions (promtool check metrics)" {
	load ../lib/prereq
	prereq_cmd promtool
	write_state "$(date +%s)" primary sync
	curl -s -o /dev/null "$M/health"
	curl -s "$M/metrics" > "$BATS_TEST_TMPDIR/metrics.txt"
	# promtool lints counters without _total, units not in base units, etc.
	run promtool check metrics < "$BATS_TEST_TMPDIR/metrics.txt"
	assert_success
	assert_output ''
	# The recorded pair that the shipped alert rules and dashboard are
	# tested on (test/prometheus/pair.series.yml) holds only series this
	# daemon really exports, with the same label names.
	local series name key missing=''
	for series in $(sed -n "s/^ *- series: '\(voipadmin_[^']*\)'$/\1/p" \
		"$SRC_ROOT/test/prometheus/pair.series.yml" | sort -u); do
		name=${series%%\{*}
		grep -qE "^$name[{ ]" "$BATS_TEST_TMPDIR/metrics.txt" || { missing+=" $name"; continue; }
		for key in $(grep -oE '[a-z_]+=' <<<"${series#*\{}" | tr -d = | grep -vxE 'cluster|instance|job'); do
			grep -qE "^$name\{(.*,)?$key=\"" "$BATS_TEST_TMPDIR/metrics.txt" || missing+=" $name{$key}"
		done
	done
	assert_equal "$missing" ''
}

# metrics_allow: a daemon whose metrics listener is on 127.0.0.2 (standing in
# for the node's own address) with one scraper allowed; curl --interface
# picks the client's source address.
@test "metrics listener: only its own address and metrics_allow get an answer, anyone else 403" {
	T5=$BATS_TEST_TMPDIR/t5
	mkdir -p "$T5/spool"
	ln -s "$T/pg" "$T5/pg"
	daemon_config "$T5" 18092 18093 metrics_allow=127.0.0.3,127.0.1.0/24
	sed -i 's/^metrics_address=.*/metrics_address=127.0.0.2/' "$T5/voip-admin.conf"
	"$VOIPADMIND" --config "$T5/voip-admin.conf" >"$T5/daemon.log" 2>&1 3>&- &
	pid=$!
	for i in $(seq 1 100); do
		curl -s -o /dev/null --interface 127.0.0.2 http://127.0.0.2:18093/live && break
		sleep 0.1
	done
	code() { curl -s -o /dev/null -w '%{http_code}' --interface "$1" "http://127.0.0.2:18093$2"; }
	assert_equal "$(code 127.0.0.2 /metrics)" 200
	assert_equal "$(code 127.0.0.3 /metrics)" 200
	assert_equal "$(code 127.0.1.77 /metrics)" 200
	assert_equal "$(code 127.0.0.4 /metrics)" 403
	assert_equal "$(code 127.0.2.1 /metrics)" 403
	assert_equal "$(code 127.0.0.4 /health)" 403
	assert_equal "$(code 127.0.0.4 /live)" 403
	run curl -s --interface 127.0.0.9 http://127.0.0.2:18093/metrics
	assert_output --partial 'not in metrics_allow'
	refute_output --partial voipadmin_
	# the refusals are counted; the main listener does not care
	run curl -s --interface 127.0.0.2 http://127.0.0.2:18093/metrics
	assert_output --partial 'voipadmin_http_requests_total{route="other",code="403"} 5'
	assert_equal "$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.4 http://127.0.0.1:18092/live)" 200
	kill -TERM "$pid"
	wait "$pid"
	run grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$T5/daemon.log"
	assert_output ''
}

@test "metrics_allow: a malformed list stops the daemon with file:line and the key" {
	local bad
	for bad in '127.0.0.1,' ',127.0.0.1' '127.0.0.1 ,127.0.0.2' '10.0.0.1/33' '10.0.0.1/24' \
		'10.0.0.0/08' 'example.org' '::1' "$(printf '10.0.0.%d,' $(seq 1 32))10.0.1.1"; do
		printf 'db_host=h\ndb_password=x\nadmin_api_key_sha256=%064d\nfreeswitch_api_key_sha256=%064d\nmetrics_allow=%s\n' \
			0 1 "$bad" > "$BATS_TEST_TMPDIR/bad.conf"
		run "$VOIPADMIND" --config "$BATS_TEST_TMPDIR/bad.conf" --check-config
		[ "$status" -ne 0 ] || { echo "accepted: $bad" >&2; return 1; }
		assert_output --partial "bad.conf:5: metrics_allow: must be empty or IPv4 addresses"
	done
	printf 'db_host=h\ndb_password=x\nadmin_api_key_sha256=%064d\nfreeswitch_api_key_sha256=%064d\nmetrics_allow=%s\n' \
		0 1 "$(printf '10.0.0.%d,' $(seq 1 31))10.0.1.0/24" > "$BATS_TEST_TMPDIR/ok.conf"
	run "$VOIPADMIND" --config "$BATS_TEST_TMPDIR/ok.conf" --check-config
	assert_success
}

@test "admin API: missing or wrong key is 401, never logged" {
	run curl -s -w '\n%{http_code}' -D "$BATS_TEST_TMPDIR/h" "$A/api/v1/domains"
	assert_line --index 1 401
	grep -qi '^www-authenticate: Bearer' "$BATS_TEST_TMPDIR/h"
	printf 'Authorization: Bearer not-the-key-%s\n' wrongwrongwrong > "$BATS_TEST_TMPDIR/bad.hdr"
	run curl -s -o /dev/null -w '%{http_code}' -H @"$BATS_TEST_TMPDIR/bad.hdr" "$A/api/v1/domains"
	assert_output 401
	printf 'X-API-Key: %s\n' "$(cat "$T/admin.key")" > "$BATS_TEST_TMPDIR/x.hdr"
	run curl -s -o /dev/null -w '%{http_code}' -H @"$BATS_TEST_TMPDIR/x.hdr" "$A/api/v1/domains"
	assert_output 200
	run grep -c 'wrongwrongwrong' "$T/daemon.log"
	assert_output 0
	run grep -F -c "$(cat "$T/admin.key")" "$T/daemon.log"
	assert_output 0
	grep -q 'authentication failed (bad credentials) from 127.0.0.1' "$T/daemon.log"
}

@test "admin API: keys from voip.api_keys work until revoked" {
	key=extra-key-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	digest=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
	sql "INSERT INTO voip.api_keys (name, key_sha256) VALUES ('ops', '$digest')"
	printf 'Authorization: Bearer %s\n' "$key" > "$BATS_TEST_TMPDIR/k.hdr"
	run curl -s -o /dev/null -w '%{http_code}' -H @"$BATS_TEST_TMPDIR/k.hdr" "$A/api/v1/domains"
	assert_output 200
	sql "UPDATE voip.api_keys SET revoked_at = now() WHERE name = 'ops'"
	run curl -s -o /dev/null -w '%{http_code}' -H @"$BATS_TEST_TMPDIR/k.hdr" "$A/api/v1/domains"
	assert_output 401
}

@test "failed authentication is rate limited per client address (429 + Retry-After)" {
	printf 'Authorization: Bearer wrong-%s\n' xyz > "$BATS_TEST_TMPDIR/bad.hdr"
	for i in $(seq 1 10); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 \
			-H @"$BATS_TEST_TMPDIR/bad.hdr" "$A/api/v1/domains")
		[ "$code" = 401 ] || { echo "attempt $i: $code"; return 1; }
	done
	# now even the right key from that address is refused for the window
	run curl -s -D "$BATS_TEST_TMPDIR/h" -o /dev/null -w '%{http_code}' --interface 127.0.0.2 \
		-H @"$T/admin.hdr" "$A/api/v1/domains"
	assert_output 429
	grep -qi '^retry-after: [0-9]' "$BATS_TEST_TMPDIR/h"
	# FreeSWITCH routes share the limiter
	run curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 -H @"$T/fs.hdr" \
		--data-binary 'section=directory' "$A/fs/xml"
	assert_output 429
	# other addresses are unaffected
	run curl -s -o /dev/null -w '%{http_code}' -H @"$T/admin.hdr" "$A/api/v1/domains"
	assert_output 200
}

@test "domains: create, duplicate 409, invalid 400, list" {
	api "$T" POST /api/v1/domains '{"name":"10.10.10.25"}'
	[ "$status_code" = 201 ]
	assert_output --partial '"name":"10.10.10.25"'
	api "$T" POST /api/v1/domains '{"name":"Example.COM"}'
	[ "$status_code" = 201 ]
	api "$T" POST /api/v1/domains '{"name":"example.com"}'
	[ "$status_code" = 409 ]
	for bad in '{"name":"bad domain"}' '{"name":"-x.com"}' '{"name":5}' '{}' '[]' '{"name":' 'null'; do
		api "$T" POST /api/v1/domains "$bad"
		[ "$status_code" = 400 ] || { echo "$bad -> $status_code"; return 1; }
	done
	api "$T" GET /api/v1/domains
	[ "$status_code" = 200 ]
	assert_output --partial '"name":"example.com"'
}

@test "extensions: create stores only digests, and the Kamailio subscriber" {
	api "$T" POST /api/v1/extensions \
		'{"domain":"10.10.10.25","extension":"1000","password":"correct horse 1000","display_name":"Alice"}'
	[ "$status_code" = 201 ]
	refute_output --partial 'correct horse'
	refute_output --partial 'a1'
	assert_output --partial '"extension":"1000"'
	ha1=$(printf '1000:10.10.10.25:correct horse 1000' | md5sum | cut -d' ' -f1)
	ha1b=$(printf '1000@10.10.10.25:10.10.10.25:correct horse 1000' | md5sum | cut -d' ' -f1)
	run sql "SELECT a1_hash, a1b_hash FROM voip.extensions WHERE extension = '1000'"
	assert_output "$ha1|$ha1b"
	run sql "SELECT password, ha1, ha1b FROM kamailio.subscriber WHERE username = '1000' AND domain = '10.10.10.25'"
	assert_output "|$ha1|$ha1b"
	# the clear password is nowhere in the database dump or the log
	run bash -c "runuser -u postgres -- $PG_BINDIR/pg_dump -h '$T/pg/sock' -p 55440 -U postgres voip | grep -c 'correct horse'"
	assert_output 0
	run grep -c 'correct horse' "$T/daemon.log"
	assert_output 0
}

@test "extensions: validation errors are 400 with a JSON reason" {
	for req in \
		'{"domain":"10.10.10.25","extension":"1001"}' \
		'{"domain":"10.10.10.25","extension":"1001","password":"short"}' \
		'{"domain":"10.10.10.25","extension":"10 01","password":"long enough pw"}' \
		'{"domain":"10.10.10.25","extension":"*98","password":"long enough pw"}' \
		'{"domain":"10.10.10.25","extension":1001,"password":"long enough pw"}' \
		'{"domain":"10.10.10.25","extension":"1001","password":"long enough pw","voicemail":"yes"}' \
		'{"domain":"10.10.10.25","extension":"1001","password":"long enough pw","user_context":"a b"}' \
		'{"domain":"10.10.10.25","extension":"1001","password":"long enough pw","caller_id_number":"12a"}' \
		'{"domain":"10.10.10.25","extension":"1001","password":"long enough pw","display_name":"a\u0001b"}' \
		'{"domain":"bad domain","extension":"1001","password":"long enough pw"}' \
		'{"domain":"10.10.10.25","extension":"1001","password":"long enough pw"' \
		'"just a string"' ''; do
		api "$T" POST /api/v1/extensions "$req"
		[ "$status_code" = 400 ] || { echo "$req -> $status_code $output"; return 1; }
		[[ "$output" == '{"error":'* ]] || { echo "$req -> $output"; return 1; }
	done
	api "$T" POST /api/v1/extensions '{"domain":"nowhere.example","extension":"1001","password":"long enough pw"}'
	[ "$status_code" = 400 ]
	assert_output --partial 'unknown'
	api "$T" POST /api/v1/extensions '{"domain":"10.10.10.25","extension":"1000","password":"long enough pw"}'
	[ "$status_code" = 409 ]
}

@test "extensions: get, list with filter and paging, 404s" {
	api "$T" POST /api/v1/extensions '{"domain":"example.com","extension":"2000","password":"pw for 2000!"}'
	[ "$status_code" = 201 ]
	api "$T" POST /api/v1/extensions '{"domain":"example.com","extension":"2001","password":"pw for 2001!"}'
	[ "$status_code" = 201 ]
	id=$(sql "SELECT id FROM voip.extensions WHERE extension = '1000'")
	api "$T" GET "/api/v1/extensions/$id"
	[ "$status_code" = 200 ]
	assert_output --partial '"display_name":"Alice"'
	api "$T" GET '/api/v1/extensions?domain=example.com&limit=1'
	[ "$status_code" = 200 ]
	assert_output --partial '"extension":"2000"'
	refute_output --partial '"extension":"2001"'
	api "$T" GET '/api/v1/extensions?domain=example.com&limit=1&offset=1'
	assert_output --partial '"extension":"2001"'
	api "$T" GET '/api/v1/extensions?limit=0'
	[ "$status_code" = 400 ]
	api "$T" GET '/api/v1/extensions?offset=-1'
	[ "$status_code" = 400 ]
	api "$T" GET /api/v1/extensions/999999
	[ "$status_code" = 404 ]
	api "$T" GET /api/v1/extensions/abc
	[ "$status_code" = 404 ]
	api "$T" GET /api/v1/nothing
	[ "$status_code" = 404 ]
	api "$T" DELETE /api/v1/extensions
	[ "$status_code" = 405 ]
}

@test "route table: another method on a known path is 405 with Allow, unknown paths 404, labels are patterns" {
	# Allow lists every method of that path, whatever the auth
	run curl -s -D "$BATS_TEST_TMPDIR/h" -o /dev/null -w '%{http_code}' -X DELETE "$A/api/v1/extensions"
	assert_output 405
	run grep -i '^allow:' "$BATS_TEST_TMPDIR/h"
	assert_output --regexp '^[Aa]llow: GET, POST'$'\r''?$'
	id=$(sql "SELECT id FROM voip.extensions WHERE extension = '1000'")
	run curl -s -D "$BATS_TEST_TMPDIR/h" -o /dev/null -w '%{http_code}' -H @"$T/admin.hdr" -X POST "$A/api/v1/extensions/$id"
	assert_output 405
	run grep -i '^allow:' "$BATS_TEST_TMPDIR/h"
	assert_output --regexp '^[Aa]llow: GET, PATCH, DELETE'$'\r''?$'
	run curl -s -D "$BATS_TEST_TMPDIR/h" -o /dev/null -w '%{http_code}' -X POST "$M/health"
	assert_output 405
	run grep -i '^allow:' "$BATS_TEST_TMPDIR/h"
	assert_output --regexp '^[Aa]llow: GET, HEAD'$'\r''?$'
	# one trailing slash is the same path; an empty segment or extra segment is not
	api "$T" GET /api/v1/extensions/
	[ "$status_code" = 200 ]
	api "$T" GET "/api/v1/extensions//$id"
	[ "$status_code" = 404 ]
	api "$T" GET "/api/v1/extensions/$id/password/x"
	[ "$status_code" = 404 ]
	# the API and FreeSWITCH routes are not on the metrics listener
	run curl -s -o /dev/null -w '%{http_code}' -H @"$T/admin.hdr" "$M/api/v1/extensions"
	assert_output 404
	# metric labels: the route's pattern, never the raw path
	run curl -s "$M/metrics"
	assert_output --partial 'voipadmin_http_requests_total{route="/api/v1/extensions/{id}",code="405"}'
	assert_output --partial 'voipadmin_http_requests_total{route="/api/v1/extensions",code="405"}'
	refute_output --partial "route=\"/api/v1/extensions/$id\""
}

# digest response as a SIP client computes it (RFC 2617, qop=auth)
digest_response() { # ha1 method uri nonce nc cnonce
	local ha2
	ha2=$(printf '%s:%s' "$2" "$3" | md5sum | cut -d' ' -f1)
	printf '%s:%s:%s:%s:auth:%s' "$1" "$4" "$5" "$6" "$ha2" | md5sum | cut -d' ' -f1
}

@test "directory: real sip_auth REGISTER and INVITE bodies get the user's a1-hash" {
	for f in bob1118_2021_directory_sip_auth_REGISTER.form bob1118_2021_directory_sip_auth_INVITE.form; do
		fsxml "$T" "$XC/$f"
		[ "$status_code" = 200 ]
		printf '%s' "$output" | xmllint --noout -
		# the XML declaration must be alone on its line (FreeSWITCH drops lines with "<?")
		[ "$(printf '%s\n' "$output" | grep -c '<?')" = 1 ]
		[ "$(printf '%s\n' "$output" | grep '<?' | grep -c '<document')" = 0 ]
		a1=$(printf '%s' "$output" | xmllint --xpath 'string(//domain[@name="10.10.10.25"]//user[@id="1000"]/params/param[@name="a1-hash"]/@value)' -)
		[ "$a1" = "$(printf '1000:10.10.10.25:correct horse 1000' | md5sum | cut -d' ' -f1)" ]
		printf '%s' "$output" | xmllint --xpath '//user[@id="1000"]/variables/variable[@name="user_context"]' - | grep -q 'value="default"'
		# no clear password is ever offered
		[ "$(printf '%s' "$output" | grep -c 'name="password"')" = 0 ]
	done
	# a phone that knows the password produces a response FreeSWITCH would accept
	ha1=$(printf '1000:10.10.10.25:correct horse 1000' | md5sum | cut -d' ' -f1)
	want=$(digest_response "$ha1" REGISTER sip:10.10.10.25 a212e670-2d31-441b-9a48-04b1d1091131 00000001 39645b121d34ea15)
	got=$(digest_response "$(printf '1000:10.10.10.25:correct horse 1000' | md5sum | cut -d' ' -f1)" REGISTER sip:10.10.10.25 a212e670-2d31-441b-9a48-04b1d1091131 00000001 39645b121d34ea15)
	[ "$want" = "$got" ]
	wrong=$(digest_response "$(printf '1000:10.10.10.25:wrong' | md5sum | cut -d' ' -f1)" REGISTER sip:10.10.10.25 a212e670-2d31-441b-9a48-04b1d1091131 00000001 39645b121d34ea15)
	[ "$want" != "$wrong" ]
}

@test "directory: unknown user, wrong domain, scans and configuration get the not-found document" {
	sed 's/&user=1000&/\&user=1099\&/' "$XC/bob1118_2021_directory_sip_auth_REGISTER.form" > "$BATS_TEST_TMPDIR/u.form"
	fsxml "$T" "$BATS_TEST_TMPDIR/u.form"
	[ "$status_code" = 200 ]
	not_found_ok "$output"
	sed 's/&domain=10.10.10.25&/\&domain=example.com\&/; s/key_value=10.10.10.25/key_value=example.com/' \
		"$XC/bob1118_2021_directory_sip_auth_REGISTER.form" > "$BATS_TEST_TMPDIR/d.form"
	fsxml "$T" "$BATS_TEST_TMPDIR/d.form"
	not_found_ok "$output"
	for f in bob1118_2021_directory_boot_gateways_internal.form \
		bob1118_2021_directory_network-list_GENERAL.form \
		bob1118fm_2021_configuration_sofia.conf_global.form; do
		fsxml "$T" "$XC/$f"
		[ "$status_code" = 200 ]
		not_found_ok "$output"
	done
	# every early-boot body of the capture (only the five basic fields)
	while IFS= read -r body; do
		[ -n "$body" ] || continue
		printf '%s' "$body" > "$BATS_TEST_TMPDIR/b.form"
		fsxml "$T" "$BATS_TEST_TMPDIR/b.form"
		[ "$status_code" = 200 ] || return 1
		not_found_ok "$output" || return 1
	done < "$XC/bob1118_2022_configuration_boot_sequence.one-body-per-line.txt"
}

@test "directory: a disabled user is not found, never a user without credentials" {
	id=$(sql "SELECT id FROM voip.extensions WHERE extension = '2000'")
	printf 'section=directory&tag_name=domain&key_name=name&key_value=example.com&action=sip_auth&key=id&user=2000&domain=example.com&ip=127.0.0.1' > "$BATS_TEST_TMPDIR/f"
	fsxml "$T" "$BATS_TEST_TMPDIR/f"
	printf '%s' "$output" | xmllint --xpath '//user[@id="2000"]/params/param[@name="a1-hash"]' -
	api "$T" PATCH "/api/v1/extensions/$id" '{"enabled":false}'
	[ "$status_code" = 200 ]
	assert_output --partial '"enabled":false'
	fsxml "$T" "$BATS_TEST_TMPDIR/f"
	not_found_ok "$output"
	run sql "SELECT count(*) FROM kamailio.subscriber WHERE username = '2000'"
	assert_output 0
	api "$T" PATCH "/api/v1/extensions/$id" '{"enabled":true}'
	run sql "SELECT count(*) FROM kamailio.subscriber WHERE username = '2000'"
	assert_output 1
	fsxml "$T" "$BATS_TEST_TMPDIR/f"
	printf '%s' "$output" | xmllint --xpath '//user[@id="2000"]/params/param[@name="a1-hash"]' -
	# every <user> ever emitted carries params with a non-empty a1-hash
	[ "$(printf '%s' "$output" | xmllint --xpath 'count(//user[not(params/param[@name="a1-hash" and string-length(@value)=32])])' -)" = 0 ]
}

@test "directory: answers come from the cache, and API writes invalidate it" {
	f=$XC/bob1118_2021_directory_sip_auth_INVITE.form
	hits() { curl -s "$M/metrics" | awk '$1 == "voipadmin_directory_cache_hits_total" {print $2}'; }
	fsxml "$T" "$f"
	h0=$(hits)
	fsxml "$T" "$f"
	h1=$(hits)
	[ "$h1" -gt "${h0:-0}" ]
	id=$(sql "SELECT id FROM voip.extensions WHERE extension = '1000'")
	api "$T" PUT "/api/v1/extensions/$id/password" '{"password":"battery staple 1000"}'
	[ "$status_code" = 204 ]
	fsxml "$T" "$f"
	a1=$(printf '%s' "$output" | xmllint --xpath 'string(//param[@name="a1-hash"]/@value)' -)
	[ "$a1" = "$(printf '1000:10.10.10.25:battery staple 1000' | md5sum | cut -d' ' -f1)" ]
	run sql "SELECT ha1 FROM kamailio.subscriber WHERE username = '1000'"
	assert_output "$a1"
	api "$T" PUT "/api/v1/extensions/$id/password" '{"password":"short"}'
	[ "$status_code" = 400 ]
	api "$T" PATCH "/api/v1/extensions/$id" '{"password":"not here either"}'
	[ "$status_code" = 400 ]
}

@test "an API change on one node's daemon flushes the other node's cache at once (NOTIFY)" {
	TB=$BATS_TEST_TMPDIR/tb
	mkdir -p "$TB/spool"
	ln -s "$T/pg" "$TB/pg"
	# the peer caches for 10 minutes: only the notification can refresh it
	daemon_config "$TB" 18088 18089 directory_cache_ms=600000
	daemon_start "$TB"
	cp "$T/fs.hdr" "$TB/fs.hdr"   # both nodes share the FreeSWITCH key in real life
	sed -i "s/^freeswitch_api_key_sha256=.*/$(grep '^freeswitch_api_key_sha256=' "$T/voip-admin.conf")/" "$TB/voip-admin.conf"
	kill -HUP "$(cat "$TB/daemon.pid")"
	printf 'section=directory&tag_name=domain&key_name=name&key_value=example.com&action=sip_auth&key=id&user=2001&domain=example.com' > "$BATS_TEST_TMPDIR/f"
	for i in $(seq 1 50); do
		fsxml "$TB" "$BATS_TEST_TMPDIR/f"
		[ "$status_code" = 200 ] && break
		sleep 0.1
	done
	a1_old=$(printf '%s' "$output" | xmllint --xpath 'string(//param[@name="a1-hash"]/@value)' -)
	[ "$a1_old" = "$(printf '2001:example.com:pw for 2001!' | md5sum | cut -d' ' -f1)" ]
	id=$(sql "SELECT id FROM voip.extensions WHERE extension = '2001'")
	api "$T" PUT "/api/v1/extensions/$id/password" '{"password":"changed on node1"}'
	[ "$status_code" = 204 ]
	want=$(printf '2001:example.com:changed on node1' | md5sum | cut -d' ' -f1)
	for i in $(seq 1 30); do
		fsxml "$TB" "$BATS_TEST_TMPDIR/f"
		a1=$(printf '%s' "$output" | xmllint --xpath 'string(//param[@name="a1-hash"]/@value)' -)
		[ "$a1" = "$want" ] && break
		sleep 0.1
	done
	[ "$a1" = "$want" ]
	run curl -s "http://127.0.0.1:18089/metrics"
	assert_output --regexp 'voipadmin_directory_cache_remote_flushes_total [1-9]'
	# while the database is away (a failover), cached answers keep phones registering
	pg_down "$T/pg"
	fsxml "$TB" "$BATS_TEST_TMPDIR/f"
	[ "$status_code" = 200 ]
	[ "$(printf '%s' "$output" | xmllint --xpath 'string(//param[@name="a1-hash"]/@value)' -)" = "$want" ]
	pg_up "$T/pg"
	daemon_stop "$TB"
	run grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$TB/daemon.log"
	assert_output ''
}

@test "nasty stored values come out inert: no \$\${, no \${, no X-PRE-PROCESS, well-formed" {
	nasty='Eve ${system(id)} $${hostname} <X-PRE-PROCESS cmd="exec" data="id"/> x-pre-process '"'"'q'"'"' "dq" & <!--#exec cmd="id"-->'
	body=$(printf '{"domain":"10.10.10.25","extension":"1666","password":"nasty pw 1666","display_name":"%s"}' \
		"$(printf '%s' "$nasty" | sed 's/\\/\\\\/g; s/"/\\"/g')")
	api "$T" POST /api/v1/extensions "$body"
	[ "$status_code" = 201 ]
	# stored faithfully
	run sql "SELECT display_name FROM voip.extensions WHERE extension = '1666'"
	assert_output "$nasty"
	printf 'section=directory&tag_name=domain&key_name=name&key_value=10.10.10.25&action=sip_auth&key=id&user=1666&domain=10.10.10.25' > "$BATS_TEST_TMPDIR/f"
	fsxml "$T" "$BATS_TEST_TMPDIR/f"
	[ "$status_code" = 200 ]
	doc=$output
	printf '%s' "$doc" | xmllint --noout -
	# what FreeSWITCH's preprocessor would act on, in the raw text:
	if printf '%s' "$doc" | grep -q '\$\${'; then return 1; fi
	if printf '%s' "$doc" | grep -qi 'x-pre-process'; then return 1; fi
	if printf '%s' "$doc" | grep -q '<!--'; then return 1; fi
	# ${ only in our own dial-string constant
	[ "$(printf '%s\n' "$doc" | grep '\${' | grep -vc 'name="dial-string"')" = 0 ]
	# and after XML parsing (what FreeSWITCH stores as the variable) no ${ either
	v=$(printf '%s' "$doc" | xmllint --xpath 'string(//variable[@name="effective_caller_id_name"]/@value)' -)
	[[ "$v" != *'${'* ]]
	[[ "$v" == *'<X-PRE-PROCESS cmd="exec"'* ]]   # still readable text, just inert
	
}

@test "malformed and oversized bodies: not-found documents, 413" {
	for req in 'section=directory&user=%zz' 'section=directory&user=%00' 'section=directory&user=%4' '' '&&&==' 'section=%ZZdirectory'; do
		printf '%s' "$req" > "$BATS_TEST_TMPDIR/m"
		fsxml "$T" "$BATS_TEST_TMPDIR/m"
		[ "$status_code" = 200 ] || { echo "$req -> $status_code"; return 1; }
		not_found_ok "$output" || { echo "$req -> $output"; return 1; }
	done
	head -c 70000 /dev/zero | tr '\0' a > "$BATS_TEST_TMPDIR/big"
	run curl -s -o /dev/null -w '%{http_code}' -H @"$T/fs.hdr" --data-binary @"$BATS_TEST_TMPDIR/big" "$A/fs/xml"
	assert_output 413
	run curl -s -o /dev/null -w '%{http_code}' -H @"$T/admin.hdr" -H 'Transfer-Encoding: chunked' \
		--data-binary @"$BATS_TEST_TMPDIR/big" "$A/api/v1/extensions"
	assert_output 413
	# and the daemon still serves
	run curl -s -o /dev/null -w '%{http_code}' -H @"$T/admin.hdr" "$A/api/v1/domains"
	assert_output 200
}

@test "FreeSWITCH routes: Basic auth with user freeswitch and the FreeSWITCH key only" {
	f=$XC/bob1118_2021_directory_sip_auth_REGISTER.form
	run curl -s -o /dev/null -w '%{http_code}' --data-binary @"$f" "$A/fs/xml"
	assert_output 401
	printf 'Authorization: Basic %s\n' "$(printf 'admin:%s' "$(cat "$T/fs.key")" | base64 -w0)" > "$BATS_TEST_TMPDIR/u.hdr"
	run curl -s -o /dev/null -w '%{http_code}' -H @"$BATS_TEST_TMPDIR/u.hdr" --data-binary @"$f" "$A/fs/xml"
	assert_output 401
	printf 'Authorization: Basic %s\n' "$(printf 'freeswitch:%s' "$(cat "$T/admin.key")" | base64 -w0)" > "$BATS_TEST_TMPDIR/a.hdr"
	run curl -s -o /dev/null -w '%{http_code}' -H @"$BATS_TEST_TMPDIR/a.hdr" --data-binary @"$f" "$A/fs/xml"
	assert_output 401
	run curl -s -o /dev/null -w '%{http_code}' -H @"$T/fs.hdr" "$A/fs/xml"
	assert_output 405
	run curl -s -o /dev/null -w '%{http_code}' --data-binary 'x' "$A/fs/cdr"
	assert_output 401
	run curl -s -o /dev/null -w '%{http_code}' -H @"$T/fs.hdr" --data-binary 'section=directory' "$M/fs/xml"
	assert_output 404
}

dialplan() { # context destination domain
	printf 'hostname=fs1&section=dialplan&tag_name=&key_name=&key_value=&Event-Name=REQUEST_PARAMS&Caller-Context=%s&Caller-Destination-Number=%s&Hunt-Context=%s&Hunt-Destination-Number=%s&variable_domain_name=%s&variable_sip_from_user=1000' \
		"$1" "$2" "$1" "$2" "$3" > "$BATS_TEST_TMPDIR/dp"
	fsxml "$T" "$BATS_TEST_TMPDIR/dp"
}

actions() {
	printf '%s' "$1" | xmllint --xpath '//context/extension/condition/action' - | sed 's/\/>/\/>\n/g' | grep -v '^$'
}

@test "dialplan: local extension, queue, IVR, voicemail, trunk, unknown" {
	did=$(sql "SELECT id FROM voip.domains WHERE name = '10.10.10.25'")
	sql "INSERT INTO voip.queues (domain_id, number, name) VALUES ($did, '500', 'support')"
	sql "INSERT INTO voip.ivr_menus (domain_id, number, name) VALUES ($did, '600', 'main_menu')"
	sql "INSERT INTO voip.trunks (domain_id, name, gateway, prefix, strip_digits, prepend) VALUES (NULL, 'intl', 'carrier1', '00', 2, '+')"
	sql "INSERT INTO voip.trunks (domain_id, name, gateway, prefix) VALUES ($did, 'any', 'carrier2', '')"

	dialplan default 1000 10.10.10.25
	[ "$status_code" = 200 ]
	printf '%s' "$output" | xmllint --noout -
	[ "$(printf '%s' "$output" | xmllint --xpath 'string(//section[@name="dialplan"]/context/@name)' -)" = default ]
	actions "$output" | grep -q 'application="bridge" data="user/1000@10.10.10.25"'
	actions "$output" | grep -q 'application="voicemail" data="default 10.10.10.25 1000"'

	dialplan default 500 10.10.10.25
	actions "$output" | grep -q 'application="callcenter" data="support@10.10.10.25"'
	dialplan default 600 10.10.10.25
	actions "$output" | grep -q 'application="ivr" data="main_menu"'
	dialplan default '*98' 10.10.10.25
	actions "$output" | grep -q 'application="voicemail" data="check default 10.10.10.25"'
	dialplan default '*991000' 10.10.10.25
	actions "$output" | grep -q 'application="voicemail" data="default 10.10.10.25 1000"'
	dialplan default '*999999' 10.10.10.25
	not_found_ok "$output"

	# longest prefix wins; strip and prepend applied
	dialplan default 004930123456 10.10.10.25
	actions "$output" | grep -q 'application="bridge" data="sofia/gateway/carrier1/+4930123456"'
	dialplan default 5551234 10.10.10.25
	actions "$output" | grep -q 'application="bridge" data="sofia/gateway/carrier2/5551234"'
	# calls from outside (public context) never go out through a trunk
	dialplan public 004930123456 10.10.10.25
	not_found_ok "$output"
	# but reach local numbers
	dialplan public 1000 10.10.10.25
	actions "$output" | grep -q 'user/1000@10.10.10.25'
	# unknown domain / hostile destination
	dialplan default 1000 nowhere.example
	not_found_ok "$output"
	dialplan default '1000%24%7Bsystem(id)%7D' 10.10.10.25
	not_found_ok "$output"
}

@test "CDR API: list with filters and paging, by uuid, stats, 400 and 404" {
	for i in 1 2 3; do
		sql "INSERT INTO voip.cdr (uuid, leg, direction, caller_id_number, caller_id_name, destination_number, domain, start_time, answer_time, end_time, duration, billsec, hangup_cause, format, raw, received_at)
		     VALUES ('00000000-0000-0000-0000-00000000000$i', 'a', 'inbound', '100$i', 'Caller $i', '2000', 'example.com',
		             '2026-01-0$i 10:00:00+00', CASE WHEN $i < 3 THEN '2026-01-0$i 10:00:05+00'::timestamptz END, '2026-01-0$i 10:01:00+00',
		             60, CASE WHEN $i < 3 THEN 55 ELSE 0 END, CASE WHEN $i < 3 THEN 'NORMAL_CLEARING' ELSE 'NO_ANSWER' END, 'xml', '<cdr/>', now())"
	done
	api "$T" GET '/api/v1/cdr?domain=example.com&limit=2'
	[ "$status_code" = 200 ]
	assert_output --partial '"uuid":"00000000-0000-0000-0000-000000000003"'
	assert_output --partial '"uuid":"00000000-0000-0000-0000-000000000002"'
	refute_output --partial '000000000001"'
	assert_output --partial '"next_offset":2'
	api "$T" GET '/api/v1/cdr?domain=example.com&limit=2&offset=2'
	assert_output --partial '000000000001"'
	assert_output --partial '"next_offset":null'
	api "$T" GET '/api/v1/cdr?caller=1002&from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z'
	assert_output --partial '"caller_id_number":"1002"'
	refute_output --partial '"caller_id_number":"1001"'
	api "$T" GET '/api/v1/cdr?hangup_cause=NO_ANSWER'
	assert_output --partial '"answer_time":null'
	api "$T" GET /api/v1/cdr/00000000-0000-0000-0000-000000000001
	[ "$status_code" = 200 ]
	assert_output --partial '"billsec":55'
	api "$T" GET /api/v1/cdr/00000000-0000-0000-0000-00000000dead
	[ "$status_code" = 404 ]
	api "$T" GET '/api/v1/cdr/not-a-uuid!'
	[ "$status_code" = 404 ]
	api "$T" GET '/api/v1/cdr/stats?domain=example.com'
	[ "$status_code" = 200 ]
	assert_output --partial '"calls":3'
	assert_output --partial '"answered":2'
	assert_output --partial '"total_billsec":110'
	assert_output --partial '"NORMAL_CLEARING":2'
	api "$T" GET '/api/v1/cdr?from=yesterday-ish'
	[ "$status_code" = 400 ]
	api "$T" GET '/api/v1/cdr?limit=100000'
	[ "$status_code" = 400 ]
	api "$T" POST '/api/v1/cdr' '{}'
	[ "$status_code" = 405 ]
}

@test "CDR posted by FreeSWITCH is acknowledged and readable through the API" {
	f=$CDRX/ccm_incoming-call-cdr.xml
	uuid=$(grep -o '<uuid>[^<]*</uuid>' "$f" | head -n1 | sed 's/<[^>]*>//g')
	[ -n "$uuid" ]
	run curl -s -o /dev/null -w '%{http_code}' -H @"$T/fs.hdr" --data-urlencode "cdr@$f" "$A/fs/cdr"
	assert_output 200
	for i in $(seq 1 50); do
		api "$T" GET "/api/v1/cdr/$uuid"
		[ "$status_code" = 200 ] && break
		sleep 0.2
	done
	[ "$status_code" = 200 ]
}

@test "database down: 503 from health, API and uncached lookups; recovers without restart" {
	pid=$(cat "$T/daemon.pid")
	# give every HTTP thread a database connection (each curl is a new
	# HTTP connection, spread over the thread pool), so that all of them
	# hold a dead one after the restart
	for i in $(seq 1 32); do
		api "$T" GET /api/v1/domains
		[ "$status_code" = 200 ]
	done
	pg_down "$T/pg"
	# /health caches its verdict for 500 ms
	for i in $(seq 1 30); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$M/health")" = 503 ] && break
		sleep 0.1
	done
	run curl -s -w '\n%{http_code}' "$M/health"
	assert_line --index 1 503
	assert_line --index 0 --partial 'database not reachable'
	api "$T" GET /api/v1/extensions
	[ "$status_code" = 503 ]
	assert_output --partial 'database unavailable'
	printf 'section=directory&tag_name=domain&key_name=name&key_value=10.10.10.25&action=sip_auth&key=id&user=4242&domain=10.10.10.25' > "$BATS_TEST_TMPDIR/f"
	fsxml "$T" "$BATS_TEST_TMPDIR/f"
	[ "$status_code" = 503 ]
	pg_up "$T/pg"
	for i in $(seq 1 50); do
		api "$T" GET /api/v1/extensions
		[ "$status_code" = 200 ] && break
		sleep 0.2
	done
	[ "$status_code" = 200 ]
	# /health has its own connection, which may still be backing off
	# (100 ms .. 2 s) and its verdict is cached 500 ms: give it 5 s
	for i in $(seq 1 25); do
		curl -s "$M/health" | grep -qF '"database":{"ok":true}' && break
		sleep 0.2
	done
	run curl -s "$M/health"
	assert_output --partial '"database":{"ok":true}'
	# every HTTP thread's connection broke with the restart: the first write on
	# each must still succeed (BEGIN is retried on a fresh connection)
	for i in $(seq 1 12); do
		api "$T" POST /api/v1/domains "{\"name\":\"after-restart-$i.example\"}"
		[ "$status_code" = 201 ] || { echo "write $i after restart: $status_code $output"; return 1; }
	done
	# same process all along
	[ "$(cat "$T/daemon.pid")" = "$pid" ]
	kill -0 "$pid"
	run curl -s "$M/metrics"
	assert_output --regexp 'voipadmin_db_reconnects_total [1-9]'
}

@test "SIGHUP reloads the configuration and keeps the old one when the new is broken" {
	pid=$(cat "$T/daemon.pid")
	newkey=rotated-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
	printf 'Authorization: Bearer %s\n' "$newkey" > "$BATS_TEST_TMPDIR/new.hdr"
	cp "$T/voip-admin.conf" "$T/voip-admin.conf.orig"
	sed -i "s/^admin_api_key_sha256=.*/admin_api_key_sha256=$(printf '%s' "$newkey" | sha256sum | cut -d' ' -f1)/" "$T/voip-admin.conf"
	kill -HUP "$pid"
	for i in $(seq 1 50); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H @"$BATS_TEST_TMPDIR/new.hdr" "$A/api/v1/domains")
		[ "$code" = 200 ] && break
		sleep 0.1
	done
	[ "$code" = 200 ]
	run curl -s -o /dev/null -w '%{http_code}' -H @"$T/admin.hdr" "$A/api/v1/domains"
	assert_output 401
	grep -q 'configuration reloaded' "$T/daemon.log"
	# a broken file: the running configuration stays
	echo 'no_such_key=1' >> "$T/voip-admin.conf"
	kill -HUP "$pid"
	for i in $(seq 1 50); do
		grep -q 'reload failed' "$T/daemon.log" && break
		sleep 0.1
	done
	grep -q 'reload failed, keeping the running configuration' "$T/daemon.log"
	run curl -s -o /dev/null -w '%{http_code}' -H @"$BATS_TEST_TMPDIR/new.hdr" "$A/api/v1/domains"
	assert_output 200
	cp "$T/voip-admin.conf.orig" "$T/voip-admin.conf"
	kill -HUP "$pid"
	for i in $(seq 1 50); do
		code=$(curl -s -o /dev/null -w '%{http_code}' -H @"$T/admin.hdr" "$A/api/v1/domains")
		[ "$code" = 200 ] && break
		sleep 0.1
	done
	[ "$code" = 200 ]
	kill -0 "$pid"
}

@test "SIGTERM drains an in-flight request, then exits 0" {
	T2=$BATS_TEST_TMPDIR/t2
	mkdir -p "$T2/spool"
	ln -s "$T/pg" "$T2/pg"
	daemon_config "$T2" 18082 18083
	"$VOIPADMIND" --config "$T2/voip-admin.conf" >"$T2/daemon.log" 2>&1 3>&- &
	pid=$!
	for i in $(seq 1 100); do
		curl -s -o /dev/null "http://127.0.0.1:18083/metrics" && break
		sleep 0.1
	done
	# a request whose body trickles in for ~3 s
	{ printf '{"name":"drain.example"'; head -c 3000 /dev/zero | tr '\0' ' '; printf '}'; } > "$BATS_TEST_TMPDIR/slow.json"
	curl -s -o "$BATS_TEST_TMPDIR/slow.out" -w '%{http_code}' --limit-rate 1000 \
		-H @"$T2/admin.hdr" -H 'Content-Type: application/json' \
		--data-binary @"$BATS_TEST_TMPDIR/slow.json" http://127.0.0.1:18082/api/v1/domains \
		> "$BATS_TEST_TMPDIR/slow.code" 3>&- &
	cpid=$!
	sleep 1
	kill -TERM "$pid"
	wait "$cpid"
	run cat "$BATS_TEST_TMPDIR/slow.code"
	assert_output 201
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" = 0 ]
	grep -q 'draining and stopping' "$T2/daemon.log"
	grep -q 'stopped' "$T2/daemon.log"
	# no new connections once it is gone
	run curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18082/health
	assert_output 000
	run grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$T2/daemon.log"
	assert_output ''
}

@test "systemd notify protocol: READY, WATCHDOG while serving, RELOADING on SIGHUP, STOPPING on SIGTERM" {
	T3=$BATS_TEST_TMPDIR/t3
	daemon_notified "$T3" 18086 18087 400000
	wait_for() { # pattern count
		for i in $(seq 1 100); do
			[ "$(grep -c -- "$1" "$T3/notify.log")" -ge "$2" ] && return 0
			sleep 0.1
		done
		cat "$T3/notify.log"
		return 1
	}
	wait_for '^READY=1' 1
	# fed about every 67 ms (a sixth of WATCHDOG_USEC) while the listener answers
	wait_for '^WATCHDOG=1' 3
	kill -HUP "$pid"
	wait_for '^RELOADING=1|MONOTONIC_USEC=[0-9]' 1
	wait_for '^READY=1' 2
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	kill "$lpid"
	[ "$rc" = 0 ]
	grep -q '^STOPPING=1' "$T3/notify.log"
	# order: READY before the first WATCHDOG, STOPPING last
	[ "$(grep -n '^READY=1' "$T3/notify.log" | head -n1 | cut -d: -f1)" -lt \
	  "$(grep -n '^WATCHDOG=1' "$T3/notify.log" | head -n1 | cut -d: -f1)" ]
	[ "$(tail -n1 "$T3/notify.log" | cut -c1-10)" = STOPPING=1 ]
	run grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$T3/daemon.log"
	assert_output ''
}

@test "GET /live answers and the watchdog stays fed while the database hangs (every PostgreSQL process stopped)" {
	T4=$BATS_TEST_TMPDIR/t4
	daemon_notified "$T4" 18090 18091 3000000
	for i in $(seq 1 100); do grep -q '^READY=1' "$T4/notify.log" && break; sleep 0.1; done
	run curl -s -m 2 http://127.0.0.1:18090/live
	assert_output ok
	# a database host that vanished in a failover: connections hang
	pm=$(head -n1 "$T/pg/data/postmaster.pid")
	kill -STOP "$pm" $(pgrep -P "$pm")
	# (nothing between STOP and CONT may fail: PostgreSQL must go on after)
	before=$(grep -c '^WATCHDOG=1' "$T4/notify.log" || true)
	# /health would wait for the database; /live does not
	run curl -s -m 2 -o /dev/null -w '%{http_code}' http://127.0.0.1:18090/live
	live=$output
	sleep 4
	after=$(grep -c '^WATCHDOG=1' "$T4/notify.log" || true)
	kill -CONT "$pm" $(pgrep -P "$pm")
	kill -TERM "$pid"
	wait "$pid" || true
	kill "$lpid"
	assert_equal "$live" 200
	# more than 4 s of a hung database is more than a watchdog interval:
	# the daemon must have fed it all along (every 0.5 s)
	[ $((after - before)) -ge 4 ] || { echo "WATCHDOG=1 sent $((after - before)) times in 4 s"; return 1; }
}

# A real Prometheus (Debian's) scrapes this daemon once a second with the
# shipped alert rules: every rule evaluates without error, none but the
# failover alert (the state file's counter goes up meanwhile) is pending or
# firing on this healthy primary, and every dashboard query over voip-admind
# series returns data (the Kamailio ones are test/prometheus's job). Late in
# the file so that /fs/xml, 5xx and CDR series exist.
@test "a real Prometheus scrapes /metrics with the shipped rules and dashboard queries" {
	load ../lib/prereq
	prereq_cmd prometheus python3
	local P=$BATS_TEST_TMPDIR/prom ppid refresher q i rules alerts bad=''
	mkdir -p "$P"
	cp "$SRC_ROOT/test/prometheus/pair.series.yml" "$P/"
	python3 "$SRC_ROOT/test/prometheus/dashboard-queries.py" \
		"$SRC_ROOT/monitoring/grafana/voip-ha.json" "$P" >/dev/null
	write_state "$(date +%s)" primary sync 2
	(while sleep 0.5; do
		if [ -e "$P/bump" ]; then f=3; else f=2; fi
		write_state "$(date +%s)" primary sync "$f"
	done) 3>&- &
	refresher=$!
	cat > "$P/prometheus.yml" <<-CONF
	global: { scrape_interval: 1s, evaluation_interval: 1s }
	rule_files: ["$SRC_ROOT/monitoring/prometheus/voip-ha.rules.yml"]
	scrape_configs:
	  - job_name: voip-ha-admin
	    static_configs: [{ targets: ["127.0.0.1:18081"], labels: { cluster: pbx } }]
	CONF
	prometheus --config.file="$P/prometheus.yml" --storage.tsdb.path="$P/data" \
		--web.listen-address=127.0.0.1:18095 >"$P/log" 2>&1 3>&- &
	ppid=$!
	api() { curl -sG "http://127.0.0.1:18095/api/v1/$1" ${2:+--data-urlencode "query=$2"}; }
	for i in $(seq 1 100); do
		api query 'up{job="voip-ha-admin"} == 1' | grep -q '"value"' && break
		sleep 0.2
	done
	sleep 3
	touch "$P/bump" # a failover: the counter goes up
	sleep 4
	rules=$(api rules | python3 -c '
import json, sys
rules = [r for g in json.load(sys.stdin)["data"]["groups"] for r in g["rules"]]
print(len(rules), [(r["name"], r.get("lastError")) for r in rules if r["health"] != "ok"])')
	alerts=$(api alerts | python3 -c '
import json, sys
print(sorted(a["labels"]["alertname"] for a in json.load(sys.stdin)["data"]["alerts"]))')
	while IFS= read -r q; do
		[[ $q == *kamailio_* ]] && continue
		api query "$q" | python3 -c 'import json, sys; sys.exit(not json.load(sys.stdin)["data"]["result"])' ||
			bad+=" [$q]"
	done < "$P/dashboard.exprs"
	kill "$ppid" "$refresher"
	wait "$ppid" || true
	wait "$refresher" || true
	assert_equal "$rules" "18 []"
	assert_equal "$alerts" "['VoipHaFailover']"
	assert_equal "$bad" ''
	[ "$(grep -vc kamailio_ "$P/dashboard.exprs")" -ge 15 ]
}

@test "after everything: clean stop, no sanitizer or leak report, no secret in the log" {
	daemon_stop "$T"
	grep -q 'stopped' "$T/daemon.log"
	run grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$T/daemon.log"
	assert_output ''
	run grep -F -c "$(cat "$T/pg/db_password")" "$T/daemon.log"
	assert_output 0
	run grep -F -c "$(cat "$T/fs.key")" "$T/daemon.log"
	assert_output 0
}
