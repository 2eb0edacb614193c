#!/bin/bash
# CDR ingestion benchmark (make bench-cdr; not part of make check).
#
# Measures, in one run on this machine:
#   - CDRs/s sustained through voip-admind: wrk posting a real mod_xml_cdr
#     document (encode=true) with a unique uuid per request, in chunks of
#     CDR_BENCH_CHUNK_SECONDS until CDR_BENCH_TARGET_CDRS (1,000,000) were
#     acknowledged or CDR_BENCH_SECONDS passed; every 200 means fsynced in
#     the journal
#   - the daemon's RSS after each chunk (memory over the first million CDRs)
#   - lag from acknowledgement to row in voip.cdr (received_at ->
#     inserted_at, p50/p99/max over every row)
#   - the daemon's RSS after the run (and its peak)
#   - reference: raw COPY of the very same rows into an identical table by
#     psql (what PostgreSQL alone does with that data, no HTTP, no parsing)
#   - then a paced phase (CDR_BENCH_PACED_CONNECTIONS connections, each
#     waiting CDR_BENCH_PACE_MS between requests: an offered load below
#     capacity) for the lag a running PBX sees
# PostgreSQL runs with fsync=on and synchronous_commit=on (the defaults).
# Results: test/bench/results/cdr-ingest.txt (and on stdout).
set -euo pipefail

SRC_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SRC_ROOT"
TARGET_CDRS=${CDR_BENCH_TARGET_CDRS:-1000000}
SECONDS_RUN=${CDR_BENCH_SECONDS:-600}          # upper bound of the full-load phase
CHUNK_SECONDS=${CDR_BENCH_CHUNK_SECONDS:-30}
PACED_SECONDS=${CDR_BENCH_PACED_SECONDS:-20}
PACED_CONNS=${CDR_BENCH_PACED_CONNECTIONS:-20}
PACE_MS=${CDR_BENCH_PACE_MS:-20}
CONNS=${CDR_BENCH_CONNECTIONS:-64}
PGPORT=${CDR_BENCH_PGPORT:-55455}
HTTP=18094
METRICS=18095
OUT=${CDR_BENCH_OUT:-test/bench/results/cdr-ingest.txt}
VOIPADMIND=${VOIPADMIND:-$SRC_ROOT/build/voip-admind}

. test/daemon/lib/pg.bash
. test/daemon/lib/daemon.bash

T=$(mktemp -d /tmp/cdr-bench.XXXXXX)
chmod 0755 "$T"
cleanup() {
	daemon_stop "$T" >/dev/null 2>&1 || true
	pg_stop "$T/pg" || true
	rm -rf "$T"
}
trap cleanup EXIT

pg_start "$T/pg" "$PGPORT"
# production durability, not the test cluster's fsync=off
cat >>"$T/pg/data/postgresql.conf" <<CONF
fsync = on
synchronous_commit = on
full_page_writes = on
shared_buffers = 256MB
max_wal_size = 4GB
CONF
pg_down "$T/pg"
pg_up "$T/pg"
# http_threads: the daemon's default (8); a CDR post waiting for its
# fdatasync holds no thread, so 64 connections need no more
HTTP_THREADS=${CDR_BENCH_HTTP_THREADS:-8}
daemon_config "$T" "$HTTP" "$METRICS" "http_threads=$HTTP_THREADS" "max_connections=1024"
sed -i "s/^workers=.*/workers=${CDR_BENCH_WORKERS:-2}/" "$T/voip-admin.conf"
sed -i 's/^max_body_bytes=.*/max_body_bytes=1048576/' "$T/voip-admin.conf"
daemon_start "$T"
pid=$(cat "$T/daemon.pid")

# body template: encode=true of a real CDR, its uuid as @UUID@
{
	printf 'cdr='
	perl -0777 -pe 's/([^A-Za-z0-9!\$'"'"'()*,\-.\/_~])/sprintf("%%%02X", ord($1))/ge' \
		test/daemon/cdr-fixtures/ccm_incoming-call-cdr.xml
} | sed 's/26444af2-5f94-40b5-9578-824ce7c75ab8/@UUID@/g' > "$T/body.tmpl"
cp "$T/fs.hdr" "$T/fs.hdr.bench"
body_bytes=$(($(wc -c < "$T/body.tmpl") + 30))

sql() { pg_psql "$T/pg" -d voip -At -c "$1"; }
metric() { curl -s "http://127.0.0.1:$METRICS/metrics" | awk -v n="$1" '$1 == n { print $2 }'; }

# CPU seconds (user + system, all threads) of a process, and of the
# benchmark's PostgreSQL (postmaster, its live children and its reaped ones):
# CPU per CDR is steadier than a rate on a machine others are loading too.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
pg_cpu_s() {
	local pm c total
	pm=$(head -1 "$T/pg/data/postmaster.pid")
	total=$(awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15 + $16 + $17) / hz }' "/proc/$pm/stat")
	for c in $(ps -o pid= --ppid "$pm"); do
		total=$(awk -v t="$total" -v c="$(cpu_s "$c" 2>/dev/null || echo 0)" 'BEGIN { print t + c }')
	done
	echo "$total"
}
ctxsw() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n }'; }
d_cpu0=$(cpu_s "$pid")
pg_cpu0=$(pg_cpu_s)

# sample the backlog while the load runs
( while sleep 1; do metric voipadmin_cdr_queue_depth; done ) > "$T/backlog" 2>/dev/null &
sampler=$!

# Full load in chunks of CHUNK_SECONDS until TARGET_CDRS were acknowledged
# (or SECONDS_RUN passed): the daemon's RSS is sampled after each chunk, so
# the results show memory over the first million CDRs, not one point.
start_ns=$(date +%s%N)
chunk=0
: > "$T/wrk.out"
: > "$T/rss-curve"
while :; do
	chunk=$((chunk + 1))
	CDR_BENCH_PHASE=$((chunk * 16 + 1)) CDR_BENCH_DIR=$T wrk -t2 -c"$CONNS" \
		-d"${CHUNK_SECONDS}s" --timeout 10s -s test/bench/cdr-ingest.lua \
		"http://127.0.0.1:$HTTP" > "$T/wrk.chunk" 2>&1
	sed "s/^/chunk $chunk: /" "$T/wrk.chunk" >> "$T/wrk.out"
	got=$(metric voipadmin_cdr_received_total)
	echo "daemon_rss_kb_after_cdrs $got $(awk '/^VmRSS/ { print $2 }' /proc/$pid/status)" >> "$T/rss-curve"
	elapsed=$(( ($(date +%s%N) - start_ns) / 1000000000 ))
	[ "$got" -ge "$TARGET_CDRS" ] && break
	[ "$elapsed" -ge "$SECONDS_RUN" ] && break
done
wrk_end_ns=$(date +%s%N)
# drain: wait until every acknowledged CDR is in voip.cdr
for i in $(seq 1 600); do
	[ "$(metric voipadmin_cdr_queue_depth)" = 0 ] && break
	sleep 0.1
done
drain_ns=$(date +%s%N)
kill "$sampler" 2>/dev/null || true
d_cpu1=$(cpu_s "$pid")
pg_cpu1=$(pg_cpu_s)
d_ctxsw=$(ctxsw "$pid")

acked=$(metric voipadmin_cdr_received_total)
dups=$(metric voipadmin_cdr_duplicates_total)
rows=$(sql "SELECT count(*) FROM voip.cdr")
dead=$(sql "SELECT count(*) FROM voip.cdr_dead_letter")
rss_kb=$(awk '/^VmRSS/ { print $2 }' /proc/$pid/status)
hwm_kb=$(awk '/^VmHWM/ { print $2 }' /proc/$pid/status)
read -r lag50 lag99 lagmax <<<"$(sql "SELECT round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM inserted_at - received_at))::numeric, 1),
	round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM inserted_at - received_at))::numeric, 1),
	round(1000 * max(extract(epoch FROM inserted_at - received_at))::numeric, 1) FROM voip.cdr" | tr '|' ' ')"
# sustained rate = rows stored / time from the first acknowledgement to
# the last row stored (includes draining what was still queued)
store_rate=$(sql "SELECT round(count(*) / extract(epoch FROM max(inserted_at) - min(received_at))) FROM voip.cdr")
ack_rate=$(awk -v n="$acked" -v s="$start_ns" -v e="$wrk_end_ns" 'BEGIN { printf "%d", n / ((e - s) / 1e9) }')
max_backlog=$(sort -n "$T/backlog" | tail -1)
tail_drain_ms=$(( (drain_ns - wrk_end_ns) / 1000000 ))

# reference: the same rows, raw COPY into an identical table by psql
sql "COPY voip.cdr TO '$T/rows.copy'" >/dev/null 2>&1 || {
	chmod 0777 "$T"; sql "COPY voip.cdr TO '$T/rows.copy'"; }
sql "CREATE TABLE voip.cdr_copyref (LIKE voip.cdr INCLUDING ALL)" >/dev/null
sql "ALTER TABLE voip.cdr_copyref ALTER COLUMN id DROP IDENTITY IF EXISTS" >/dev/null 2>&1 || true
c0=$(date +%s%N)
sql "COPY voip.cdr_copyref FROM '$T/rows.copy'" >/dev/null
c1=$(date +%s%N)
copy_rate=$(awk -v n="$rows" -v s="$c0" -v e="$c1" 'BEGIN { printf "%d", n / ((e - s) / 1e9) }')
ratio=$(awk -v a="$store_rate" -v b="$copy_rate" 'BEGIN { printf "%.2f", a / b }')

# paced phase: lag at an offered rate below capacity
p_start=$(sql "SELECT clock_timestamp()")
CDR_BENCH_PHASE=2 CDR_BENCH_PACE_MS=$PACE_MS CDR_BENCH_DIR=$T wrk -t2 -c"$PACED_CONNS" \
	-d"${PACED_SECONDS}s" --timeout 10s -s test/bench/cdr-ingest.lua "http://127.0.0.1:$HTTP" \
	> "$T/wrk2.out" 2>&1
for i in $(seq 1 600); do
	[ "$(metric voipadmin_cdr_queue_depth)" = 0 ] && break
	sleep 0.1
done
read -r p_rows p_rate p_lag50 p_lag99 p_lagmax <<<"$(sql "SELECT count(*),
	round(count(*) / extract(epoch FROM max(received_at) - min(received_at))),
	round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM inserted_at - received_at))::numeric, 1),
	round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM inserted_at - received_at))::numeric, 1),
	round(1000 * max(extract(epoch FROM inserted_at - received_at))::numeric, 1)
	FROM voip.cdr WHERE received_at >= '$p_start'" | tr '|' ' ')"
p_acked=$(( $(metric voipadmin_cdr_received_total) - acked ))
rss2_kb=$(awk '/^VmRSS/ { print $2 }' /proc/$pid/status)

{
	echo "# CDR ingestion benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, shared machine, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
	echo "# voip-admind: journal fsync per group commit, $HTTP_THREADS HTTP threads, ${CDR_BENCH_WORKERS:-2} workers, COPY batches; PostgreSQL $(sql 'SHOW server_version') fsync=on synchronous_commit=on"
	echo "# load: wrk -t2 -c$CONNS in $chunk chunks of ${CHUNK_SECONDS}s (until $TARGET_CDRS CDRs or ${SECONDS_RUN}s), each request a real mod_xml_cdr document, encode=true, ~${body_bytes} bytes, unique uuid"
	echo "cdrs_acknowledged $acked"
	echo "cdrs_in_voip_cdr $rows"
	echo "dead_letters $dead"
	echo "duplicate_uuids_ignored $dups"
	# acknowledged but not stored (must be 0); stored but never acknowledged
	# happens when wrk closes its connections at the end of a chunk with
	# posts in flight (FreeSWITCH would re-post them: idempotent)
	lost=$((acked - rows - dead - dups))
	echo "lost $(( lost > 0 ? lost : 0 ))"
	echo "stored_but_unanswered_at_chunk_ends $(( lost < 0 ? -lost : 0 ))"
	echo "ack_rate_per_s $ack_rate"
	echo "sustained_store_rate_per_s $store_rate"
	echo "max_backlog_sampled $max_backlog"
	echo "drain_after_load_ms $tail_drain_ms"
	echo "lag_ack_to_row_p50_ms $lag50"
	echo "lag_ack_to_row_p99_ms $lag99"
	echo "lag_ack_to_row_max_ms $lagmax"
	awk -v a="$d_cpu0" -v b="$d_cpu1" -v n="$acked" 'BEGIN { printf "daemon_cpu_us_per_cdr %d\n", (b - a) * 1e6 / n }'
	awk -v a="$pg_cpu0" -v b="$pg_cpu1" -v n="$acked" 'BEGIN { printf "postgres_cpu_us_per_cdr %d\n", (b - a) * 1e6 / n }'
	awk -v c="$d_ctxsw" -v n="$acked" 'BEGIN { printf "daemon_voluntary_ctxsw_per_cdr %.2f\n", c / n }'
	echo "daemon_rss_after_kb $rss_kb"
	echo "daemon_rss_peak_kb $hwm_kb"
	echo "reference_raw_copy_rows_per_s $copy_rate"
	echo "ratio_store_rate_vs_raw_copy $ratio"
	awk '$3 == "wrk_requests" { n += $4 } $3 == "wrk_non2xx_or_errors" { e += $4 }
		$3 == "wrk_latency_p99_ms" && $4 > p { p = $4 }
		END { printf "wrk_requests %d\nwrk_non2xx_or_errors %d\nwrk_latency_p99_ms_worst_chunk %.2f\n", n, e, p }' "$T/wrk.out"
	grep -E 'Requests/sec|wrk_latency_p99' "$T/wrk.out" | sed 's/^/wrk: /'
	cat "$T/rss-curve"
	echo "# paced phase: wrk -t2 -c$PACED_CONNS, ${PACE_MS} ms between requests per connection, ${PACED_SECONDS}s"
	echo "paced_cdrs_acknowledged $p_acked"
	echo "paced_cdrs_in_voip_cdr $p_rows"
	echo "paced_offered_rate_per_s $p_rate"
	echo "paced_lag_ack_to_row_p50_ms $p_lag50"
	echo "paced_lag_ack_to_row_p99_ms $p_lag99"
	echo "paced_lag_ack_to_row_max_ms $p_lagmax"
	grep -E '^wrk_latency' "$T/wrk2.out" | sed 's/^/paced_/'
	echo "daemon_rss_after_all_kb $rss2_kb (after $(( acked + p_acked )) CDRs)"
} | tee "$OUT"
