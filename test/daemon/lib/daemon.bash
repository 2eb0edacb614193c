# Runs voip-admind for the tests against the cluster of pg.bash.
#
#   daemon_config DIR HTTP_PORT METRICS_PORT [extra key=value lines...]
#       writes DIR/voip-admin.conf (0600) with random API keys; the keys are
#       kept in DIR/admin.key and DIR/fs.key and as ready-made curl header
#       files DIR/admin.hdr / DIR/fs.hdr, so no key is ever on a command line
#   daemon_start DIR    starts $VOIPADMIND in the background, waits until it listens
#   daemon_stop DIR     SIGTERM, waits, returns the exit status
#   api DIR METHOD PATH [JSON]   curl to the admin API: sets $status_code,
#                       $body and $output
#   fsxml DIR FORMFILE  POST a mod_xml_curl body as FreeSWITCH does (same)
#   daemon_notified DIR HTTP_PORT METRICS_PORT WATCHDOG_USEC
#       a second daemon on the suite's cluster ($T/pg) under a systemd notify
#       listener: DIR/notify.log gets every message; sets $pid and $lpid

VOIPADMIND=${VOIPADMIND:-$SRC_ROOT/build/voip-admind}
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

sha256_hex() {
	sha256sum "$1" | cut -d' ' -f1
}

daemon_config() {
	local dir=$1 http=$2 metrics=$3
	shift 3
	head -c 32 /dev/urandom | base64 | tr -d '\n/+=' > "$dir/admin.key"
	head -c 32 /dev/urandom | base64 | tr -d '\n/+=' > "$dir/fs.key"
	printf 'Authorization: Bearer %s\n' "$(cat "$dir/admin.key")" > "$dir/admin.hdr"
	printf 'Authorization: Basic %s\n' \
		"$(printf 'freeswitch:%s' "$(cat "$dir/fs.key")" | base64 -w0)" > "$dir/fs.hdr"
	chmod 0600 "$dir"/*.key "$dir"/*.hdr
	(
		umask 077
		cat > "$dir/voip-admin.conf" <<-CONF
		# written by test/daemon/lib/daemon.bash
		listen_address=127.0.0.1
		http_port=$http
		metrics_address=127.0.0.1
		metrics_port=$metrics
		db_host=127.0.0.1
		db_port=$(cat "$dir/pg/port")
		db_name=voip
		db_user=voip_admin
		db_password=$(cat "$dir/pg/db_password")
		admin_api_key_sha256=$(printf '%s' "$(cat "$dir/admin.key")" | sha256sum | cut -d' ' -f1)
		freeswitch_api_key_sha256=$(printf '%s' "$(cat "$dir/fs.key")" | sha256sum | cut -d' ' -f1)
		spool_dir=$dir/spool
		workers=2
		max_body_bytes=65536
		db_connect_timeout=2
		cluster_state_file=$dir/monitor.state
		backup_state_file=$dir/backup.state
		CONF
		for line in "$@"; do echo "$line"; done >> "$dir/voip-admin.conf"
	)
	echo "$http" > "$dir/http_port"
	echo "$metrics" > "$dir/metrics_port"
}

# write_backup_state DIR: DIR/backup.state as `voip-ha backup-refresh`
# writes it for a healthy primary now: a full backup an hour ago, archiving
# up to date (the voipadmin_backup_* and voipadmin_archive_* series)
write_backup_state() {
	local now
	now=$(date +%s)
	cat >"$1/backup.state.new" <<-STATE
	updated=$now
	kind=repo-host
	stanza=voip-ha
	repo_checked=$now
	repo_ok=1
	repo_error=
	backup_running=0
	backups=1
	restorable_from=$((now - 3600))
	repo_wal_max=000000010000000000000009
	full_label=20260920-013000F
	full_start=$((now - 3660))
	full_stop=$((now - 3600))
	full_size=2000000000
	full_repo_size=900000000
	diff_label=
	diff_start=0
	diff_stop=0
	diff_size=0
	diff_repo_size=0
	incr_label=
	incr_start=0
	incr_stop=0
	incr_size=0
	incr_repo_size=0
	max_age_any=97200
	max_age_full=615600
	role=primary
	archived_count=9
	archived_wal=000000010000000000000009
	archived_time=$((now - 20))
	failed_count=0
	failed_wal=
	failed_time=0
	wal_segment_size=16777216
	lag_bytes=4096
	lag_seconds=20
	spool_error=
	STATE
	mv "$1/backup.state.new" "$1/backup.state"
}

daemon_start() {
	local dir=$1 i
	"$VOIPADMIND" --config "$dir/voip-admin.conf" >>"$dir/daemon.log" 2>&1 3>&- &
	echo $! > "$dir/daemon.pid"
	for i in $(seq 1 100); do
		if curl -s -o /dev/null "http://127.0.0.1:$(cat "$dir/metrics_port")/metrics"; then
			return 0
		fi
		kill -0 "$(cat "$dir/daemon.pid")" 2>/dev/null || { cat "$dir/daemon.log" >&2; return 1; }
		sleep 0.1
	done
	echo "voip-admind did not start listening" >&2
	cat "$dir/daemon.log" >&2
	return 1
}

# SIGTERM and wait for it to be gone (it may not be our child: bats runs
# setup_file in another process). Fails if it is still there after 15 s.
daemon_stop() {
	local dir=$1 pid i
	[ -f "$dir/daemon.pid" ] || return 0
	pid=$(cat "$dir/daemon.pid")
	rm -f "$dir/daemon.pid"
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 150); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "voip-admind $pid did not stop" >&2
	return 1
}

# api DIR METHOD PATH [BODY] — no output: sets $status_code and the body in
# both $body and $output (so bats-assert's assert_output works on it). Not
# through `run`/$(...): those are subshells and would lose the variables.
api() {
	local dir=$1 method=$2 path=$3 data=${4-} out
	out=$(mktemp)
	if [ $# -ge 4 ]; then
		status_code=$(printf '%s' "$data" | curl -s -o "$out" -w '%{http_code}' -X "$method" \
			-H @"$dir/admin.hdr" -H 'Content-Type: application/json' --data-binary @- \
			"http://127.0.0.1:$(cat "$dir/http_port")$path")
	else
		status_code=$(curl -s -o "$out" -w '%{http_code}' -X "$method" -H @"$dir/admin.hdr" \
			"http://127.0.0.1:$(cat "$dir/http_port")$path")
	fi
	body=$(cat "$out")
	output=$body
	rm -f "$out"
}

# fsxml DIR FILE — POST FILE as mod_xml_curl does; sets $status_code, $body, $output
fsxml() {
	local dir=$1 file=$2 out
	out=$(mktemp)
	status_code=$(curl -s -o "$out" -w '%{http_code}' -H @"$dir/fs.hdr" \
		-H 'Expect:' -A 'freeswitch-xml/1.0' --data-binary @"$file" \
		"http://127.0.0.1:$(cat "$dir/http_port")/fs/xml")
	body=$(cat "$out")
	output=$body
	rm -f "$out"
}

daemon_notified() {
	local dir=$1 http=$2 metrics=$3 wd=$4 listen i
	listen=${NOTIFY_LISTEN:-$SRC_ROOT/build/test/daemon/notify-listen}
	[ -x "$listen" ] || { echo "missing $listen (make $listen)"; return 1; }
	mkdir -p "$dir/spool"
	ln -s "$T/pg" "$dir/pg"
	daemon_config "$dir" "$http" "$metrics"
	"$listen" "$dir/notify.sock" > "$dir/notify.log" 2>&1 3>&- &
	lpid=$!
	for i in $(seq 1 50); do [ -S "$dir/notify.sock" ] && break; sleep 0.1; done
	NOTIFY_SOCKET=$dir/notify.sock WATCHDOG_USEC=$wd \
		"$VOIPADMIND" --config "$dir/voip-admin.conf" > "$dir/daemon.log" 2>&1 3>&- &
	pid=$!
}
