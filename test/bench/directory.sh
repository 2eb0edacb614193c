#!/bin/bash
# Directory lookup benchmark (issue 3): voip-admind's POST /fs/xml
# (section=directory, sip_auth REGISTER bodies as FreeSWITCH sends them, random
# users out of BENCH_NUSERS) measured with wrk, side by side in the same run
# with two references on the same machine:
#   - the same lookup query straight against PostgreSQL (pgbench, custom
#     script, prepared statements), i.e. the cost without HTTP and the daemon
#   - a static file of the same answer served by nginx (HTTP floor)
# Each in two modes: paced at about BENCH_RATE requests/s (the issue's
# "p99 under 2 ms at 1,000 requests/s") and flat out (capacity). The median of
# BENCH_RUNS runs is reported. Results: test/bench/results/directory.txt.
#
# Ports: PostgreSQL 55441, voip-admind 18084/18085, nginx 18099.
# Not part of `make check` (`make bench-directory`). Needs root (PostgreSQL
# runs as user postgres), wrk, pgbench, nginx-light.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VOIPADMIND=${VOIPADMIND:-$ROOT/build/voip-admind}
RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_SECONDS:-10}
RATE=${BENCH_RATE:-1000}
NUSERS=${BENCH_NUSERS:-10000}
CONNS=${BENCH_CONNS:-16}
OUT=${BENCH_OUT:-$HERE/results/directory.txt}
PG_PORT=55441 HTTP_PORT=18084 METRICS_PORT=18085 NGINX_PORT=18099

source "$ROOT/test/daemon/lib/pg.bash"
source "$ROOT/test/daemon/lib/daemon.bash"

T=$(mktemp -d /tmp/voip-admind-bench.XXXXXX)
chmod 0755 "$T"
mkdir -p "$T/spool"
cleanup() {
	[ -f "$T/nginx.pid" ] && kill "$(cat "$T/nginx.pid")" 2>/dev/null || true
	daemon_stop "$T" >/dev/null 2>&1 || true
	pg_stop "$T/pg"
	rm -rf "$T"
}
trap cleanup EXIT

echo "== setting up PostgreSQL, $NUSERS extensions, voip-admind" >&2
pg_start "$T/pg" $PG_PORT
last=$((1000 + NUSERS - 1))
pg_psql "$T/pg" -d voip <<SQL
INSERT INTO voip.domains (name) VALUES ('10.10.10.25');
INSERT INTO voip.extensions (domain_id, extension, a1_hash, a1b_hash, display_name)
SELECT d.id, n::text, md5(n::text || ':10.10.10.25:pw' || n), md5(n::text || '@10.10.10.25:10.10.10.25:pw' || n), 'User ' || n
  FROM voip.domains d, generate_series(1000, $last) n;
ANALYZE;
SQL
daemon_config "$T" $HTTP_PORT $METRICS_PORT
daemon_start "$T"

# the REGISTER body FreeSWITCH sent (shared data set) with the user replaced
sed 's/&sip_auth_username=1000&/\&sip_auth_username=USER\&/; s/&user=1000&/\&user=USER\&/' \
	"$ROOT/test/daemon/xmlcurl-fixtures/bob1118_2021_directory_sip_auth_REGISTER.form" > "$T/form"
grep -q 'user=USER' "$T/form"

# static reference: the daemon's own answer for one user, served by nginx
sed 's/USER/1000/g' "$T/form" > "$T/one.form"
fsxml "$T" "$T/one.form"
[ "$status_code" = 200 ]
mkdir -p "$T/www"
printf '%s\n' "$body" > "$T/www/directory.xml"
cat > "$T/nginx.conf" <<CONF
worker_processes 2;
pid $T/nginx.pid;
error_log $T/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $T/www;
		location / { default_type text/xml; }
	}
}
CONF
nginx -c "$T/nginx.conf" -p "$T"
for i in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/directory.xml" && break; sleep 0.1; done

# pgbench reference: the daemon's directory query, prepared, random user
cat > "$T/lookup.sql" <<'SQL'
\set u random(1000, LAST)
SELECT e.extension, e.a1_hash, e.display_name, e.user_context, coalesce(e.caller_id_number, e.extension), e.voicemail_enabled, d.name FROM voip.extensions e JOIN voip.domains d ON d.id = e.domain_id WHERE d.name = '10.10.10.25' AND e.extension = :u::text AND e.enabled AND d.enabled;
SQL
sed -i "s/LAST/$last/" "$T/lookup.sql"
printf '*:*:*:voip_admin:%s\n' "$(cat "$T/pg/db_password")" > "$T/pgpass"
chmod 0600 "$T/pgpass"

# per-connection pause for about RATE requests/s over CONNS connections (the
# pause comes on top of each request's latency and wrk's timer slack, about
# 15 % of the period here, hence 850 instead of 1000)
delay_ms=$((CONNS * 850 / RATE))

to_ms() { # wrk latency "123.45us" / "1.23ms" / "1.02s" -> ms
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
		printf "%.3f", n }'
}

# wrk_run URL SCRIPT DELAY -> "rps p50 p99"
wrk_run() {
	local url=$1 script=$2 d=$3 log
	# paced: one wrk thread is plenty and leaves the second core to the server
	local threads=2
	[ "$d" -gt 0 ] && threads=1
	log=$(BENCH_FORM="$T/form" BENCH_HEADER="$T/fs.hdr" BENCH_USERS="1000:$last" BENCH_DELAY=$d \
		wrk -t "$threads" -c "$CONNS" -d "${SECS}s" --latency -s "$script" "$url")
	echo "$log" >> "$T/wrk.log"
	local rps p50 p99
	rps=$(echo "$log" | awk '/^Requests\/sec:/ {print $2}')
	p50=$(to_ms "$(echo "$log" | awk '$1 == "50%" {print $2}')")
	p99=$(to_ms "$(echo "$log" | awk '$1 == "99%" {print $2}')")
	if echo "$log" | grep -q 'Non-2xx'; then
		echo "wrk saw non-2xx answers against $url" >&2
		echo "$log" >&2
		exit 1
	fi
	echo "$rps $p50 $p99"
}

# pgbench_run RATE(0 = flat out) -> "tps p50 p99" (percentiles from the per-transaction log)
pgbench_run() {
	local r=$1 dir args=()
	dir=$(mktemp -d "$T/pgb.XXXX")
	[ "$r" -gt 0 ] && args=(-R "$r")
	(cd "$dir" && PGPASSFILE="$T/pgpass" pgbench -n -M prepared -h 127.0.0.1 -p $PG_PORT -U voip_admin \
		-c "$CONNS" -j 2 -T "$SECS" -l "${args[@]}" -f "$T/lookup.sql" voip > "$dir/out" 2>&1) ||
		{ cat "$dir/out" >&2; exit 1; }
	local tps
	tps=$(awk '/^tps = / {print $3}' "$dir/out")
	# log lines: client_id transaction_no time_us script_no time_epoch time_us [schedule_lag]
	cat "$dir"/pgbench_log.* | awk '{print $3}' | sort -n > "$dir/lat"
	local n p50 p99
	n=$(wc -l < "$dir/lat")
	p50=$(awk -v n="$n" 'NR == int(n * 0.50) + 1 {printf "%.3f", $1 / 1000; exit}' "$dir/lat")
	p99=$(awk -v n="$n" 'NR == int(n * 0.99) + 1 {printf "%.3f", $1 / 1000; exit}' "$dir/lat")
	echo "$tps $p50 $p99"
}

median() { # reads numbers, prints the median
	sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

declare -A R
measure() { # name cmd...
	local name=$1 i line
	shift
	: > "$T/$name.runs"
	for i in $(seq 1 "$RUNS"); do
		line=$("$@")
		echo "$line" >> "$T/$name.runs"
		echo "   $name run $i: $line" >&2
	done
	R[$name]="$(awk '{print $1}' "$T/$name.runs" | median) $(awk '{print $2}' "$T/$name.runs" | median) $(awk '{print $3}' "$T/$name.runs" | median)"
}

daemon_url="http://127.0.0.1:$HTTP_PORT/fs/xml"
static_url="http://127.0.0.1:$NGINX_PORT/directory.xml"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== measuring ($RUNS runs x ${SECS}s each, $CONNS connections, pause ${delay_ms} ms)" >&2
measure daemon_paced wrk_run "$daemon_url" "$HERE/directory-wrk.lua" "$delay_ms"
measure daemon_max wrk_run "$daemon_url" "$HERE/directory-wrk.lua" 0
measure pg_paced pgbench_run "$RATE"
measure pg_max pgbench_run 0
measure nginx_paced wrk_run "$static_url" "$HERE/directory-static-wrk.lua" "$delay_ms"
measure nginx_max wrk_run "$static_url" "$HERE/directory-static-wrk.lua" 0

hits=$(curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk '$1 == "voipadmin_directory_cache_hits_total" {print $2}')
misses=$(curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk '$1 == "voipadmin_directory_cache_misses_total" {print $2}')

row() { # label key
	read -r rps p50 p99 <<< "${R[$2]}"
	printf '%-44s %12s %10s %10s\n' "$1" "$rps" "$p50" "$p99"
}

mkdir -p "$(dirname "$OUT")"
{
	echo "# voip-admind directory lookup benchmark (test/bench/directory.sh)"
	echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(nproc) cores, $(uname -r)"
	echo "# $(wrk --version 2>&1 | head -n1 | cut -c1-60); $(pgbench --version); $(nginx -v 2>&1)"
	echo "# load average (1/5/15 min) at start: $load_start, at end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
	echo "# $NUSERS extensions, random user per request, sip_auth REGISTER body as FreeSWITCH sends it"
	echo "# $CONNS connections; paced = ~$RATE req/s target (wrk delay() ${delay_ms} ms / pgbench -R $RATE)"
	echo "# median of $RUNS runs of ${SECS}s, per column; latencies in ms"
	echo "# directory cache: default TTL (directory_cache_ms, 60000 ms); hits $hits, misses $misses over the whole run"
	echo
	printf '%-44s %12s %10s %10s\n' "case" "req/s" "p50_ms" "p99_ms"
	row "voip-admind /fs/xml, paced" daemon_paced
	row "PostgreSQL same query (pgbench), paced" pg_paced
	row "nginx static answer, paced" nginx_paced
	row "voip-admind /fs/xml, flat out" daemon_max
	row "PostgreSQL same query (pgbench), flat out" pg_max
	row "nginx static answer, flat out" nginx_max
	echo
	read -r _ _ dp99 <<< "${R[daemon_paced]}"
	read -r drps _ _ <<< "${R[daemon_paced]}"
	awk -v p="$dp99" -v r="$drps" -v rate="$RATE" 'BEGIN {
		printf "target: p99 < 2 ms at %d req/s -> measured p99 %.3f ms at %.0f req/s: %s\n",
			rate, p, r, (p < 2 && r >= rate * 0.9) ? "MET" : "NOT MET" }'
	read -r _ _ np99 <<< "${R[nginx_paced]}"
	awk -v p="$dp99" -v n="$np99" 'BEGIN {
		printf "paced p99 against the static-file floor on the same machine: %.3f ms vs %.3f ms (x%.2f)\n", p, n, p / n }'
	read -r mrps _ _ <<< "${R[daemon_max]}"
	read -r nrps _ _ <<< "${R[nginx_max]}"
	read -r prps _ _ <<< "${R[pg_max]}"
	awk -v d="$mrps" -v n="$nrps" -v p="$prps" 'BEGIN {
		printf "capacity ratios (flat out): voip-admind/nginx %.2f, voip-admind/pgbench %.2f\n", d / n, d / p }'
} | tee "$OUT"
