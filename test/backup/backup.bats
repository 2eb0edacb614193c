#!/usr/bin/env bats
# Backups with pgBackRest (doc/DESIGN.md, "Backups"), with the files
# `voip-ha generate` writes for backup=repo-host, unchanged: a repository
# host (198.51.100.2) running a real `pgbackrest server` with TLS client
# certificates made here, two real PostgreSQL 15 nodes (.11 primary, .12
# standby) each running its own `pgbackrest server` (test/backup/lib.bash).
# The tests run in order and share the machines: stanza-create, WAL
# archived from the primary only, a promotion (timeline 2, its .history
# archived by the new primary), a full backup taken from the standby, a
# point-in-time restore into a scratch directory, the repository host down
# while WAL is pushed, wrong TLS credentials, the repository key read
# by pgBackRest exactly as cluster.conf holds it (the `pgbackrest` rows of
# test/data/validation-table.tsv), and faults: the repository host down
# during a backup, a full repository disk (a tmpfs), another key on the
# repository host.
bats_require_minimum_version 1.5.0

load ../lib/prereq
load lib

REPO_TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VOIPHA=${VOIPHA:-$REPO_TOP/build/voip-ha}
VOIPHA_WITNESS=${VOIPHA_WITNESS:-$REPO_TOP/build/voip-ha-witness}
# The repository key: the table's row read verbatim inside the line.
KEY='re"pl'\''$:\ä-p#s=s[x]'

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	command -v pgbackrest >/dev/null && [ -x "$BK_PG/initdb" ] || return 0
	export BK=/var/tmp/voipha-backup.$$
	bk_setup "$BK"
	echo "$BK_NS" >"$BK/ns"
	{
		grep -v '^postgresql_version=' "$REPO_TOP/test/data/validation-base.conf"
		echo postgresql_version=15
		echo backup=repo-host
		echo backup_host=198.51.100.2
		printf 'backup_cipher_pass=%s\n' "$KEY"
	} >"$BK/cluster.conf"
	"$VOIPHA" generate --config "$BK/cluster.conf" --templates "$REPO_TOP/templates" \
		--all --out "$BK/gen" >/dev/null
	bk_certs "$BK/cluster.conf"
	install -m 0640 -o root -g postgres "$BK/gen/node1/etc/pgbackrest/conf.d/voip-ha.conf" \
		"$BK/node1/etc/conf.d/voip-ha.conf"
	install -m 0640 -o root -g postgres "$BK/gen/node2/etc/pgbackrest/conf.d/voip-ha.conf" \
		"$BK/node2/etc/conf.d/voip-ha.conf"
	# node1: the primary, with the archiving lines of its generated
	# 50-voip-ha.conf (the rest of that file is for a real node: 1 GB of
	# shared buffers, the VIP)
	bk_pg_init node1
	{
		echo "listen_addresses = '198.51.100.11'"
		echo "unix_socket_directories = '/var/run/postgresql'"
		echo "wal_level = replica"
		echo "hot_standby = on"
		echo "wal_keep_size = 256MB"
		grep '^archive_' "$BK/gen/node1/etc/postgresql/15/main/conf.d/50-voip-ha.conf"
	} >>"$BK/node1/pglib/15/main/postgresql.conf"
	echo "host all,replication all 198.51.100.0/24 trust" >>"$BK/node1/pglib/15/main/pg_hba.conf"
	bk_pg_start node1
	bk_standby_of node2 198.51.100.11
	bk_bg repo srv-repo pgbackrest server
	bk_bg node1 srv-node1 pgbackrest server
	bk_bg node2 srv-node2 pgbackrest server
	bk_wait_port 198.51.100.2
	bk_wait_port 198.51.100.11
	bk_wait_port 198.51.100.12
}

teardown_file() {
	[ -n "${BK:-}" ] || return 0
	BK_NS=$(cat "$BK/ns" 2>/dev/null) || true
	bk_teardown
}

setup() {
	prereq_root "network and mount namespaces, PostgreSQL as postgres"
	prereq_cmd pgbackrest openssl unshare setpriv script
	prereq "PostgreSQL 15 server binaries" test -x "$BK_PG/initdb"
	if [ -z "${BK:-}" ] || [ ! -d "$BK" ]; then
		echo "setup_file did not build the machines" >&2
		return 1
	fi
	BK_NS=$(cat "$BK/ns")
}

@test "generated files: modes, the key only on the repository host, archive_mode=on" {
	run -0 stat -c %a "$BK/gen/node1/etc/pgbackrest/conf.d/voip-ha.conf" \
		"$BK/gen/backup-host/etc/pgbackrest/conf.d/voip-ha.conf"
	[ "$output" = $'640\n640' ]
	run -0 "$VOIPHA" generate --config "$BK/cluster.conf" --templates "$REPO_TOP/templates" \
		--node node1 --list
	[[ $output == *$'\n/etc/pgbackrest/conf.d/voip-ha.conf 0640 root:postgres own\n'* ]]
	run -1 grep -F -- "$KEY" "$BK/gen/node1/etc/pgbackrest/conf.d/voip-ha.conf"
	run -1 grep -F -- "$KEY" "$BK/gen/node2/etc/pgbackrest/conf.d/voip-ha.conf"
	run -0 grep -xF -- "repo1-cipher-pass=$KEY" "$BK/gen/backup-host/etc/pgbackrest/conf.d/voip-ha.conf"
	run -0 grep -x "archive_mode = on" "$BK/gen/node1/etc/postgresql/15/main/conf.d/50-voip-ha.conf"
	run -0 grep -xF "archive_command = 'pgbackrest --stanza=voip-ha archive-push %p'" \
		"$BK/gen/node2/etc/postgresql/15/main/conf.d/50-voip-ha.conf"
}

@test "TLS files made by voip-ha backup-tls: one CA on both nodes and the repository host, modes, idempotent" {
	run -0 cmp "$BK/node1/etc/tls/ca.crt" "$BK/node2/etc/tls/ca.crt"
	run -0 cmp "$BK/node1/etc/tls/ca.crt" "$BK/repo/root/etc/pgbackrest/tls/ca.crt"
	run -0 stat -c '%a %U:%G' "$BK/node1/etc/tls/host.key" "$BK/node1/etc/tls/host.crt" "$BK/node1/etc/tls/ca.crt"
	[ "$output" = $'640 root:postgres\n644 root:root\n644 root:root' ]
	run -0 openssl verify -CAfile "$BK/node1/etc/tls/ca.crt" "$BK/node1/etc/tls/host.crt" \
		"$BK/node2/etc/tls/host.crt" "$BK/repo/root/etc/pgbackrest/tls/host.crt"
	run -0 openssl x509 -in "$BK/node2/etc/tls/host.crt" -noout -subject -ext subjectAltName
	[[ $output == *"CN = 198.51.100.12"*"DNS:198.51.100.12, IP Address:198.51.100.12"* ]]
	# a second run writes nothing
	cp -a "$BK/node1/etc/tls" "$BATS_TEST_TMPDIR/before"
	run -0 "$VOIPHA" backup-tls --config "$BK/cluster.conf" --node node1 --dir "$BK/node1/etc/tls"
	[ -z "$output" ]
	run -0 diff -r "$BATS_TEST_TMPDIR/before" "$BK/node1/etc/tls"
	# a new address: a new certificate, the same key
	sed 's/^node1_address=.*/node1_address=198.51.100.21/' "$BK/cluster.conf" >"$BATS_TEST_TMPDIR/moved.conf"
	run -0 "$VOIPHA" backup-tls --config "$BATS_TEST_TMPDIR/moved.conf" --node node1 --dir "$BATS_TEST_TMPDIR/before"
	[ "$output" = "wrote $BATS_TEST_TMPDIR/before/host.crt" ]
	# another replication_password: another CA, the key kept
	sed 's/^replication_password=.*/replication_password=changed/' "$BK/cluster.conf" >"$BATS_TEST_TMPDIR/pw.conf"
	run -0 "$VOIPHA" backup-tls --config "$BATS_TEST_TMPDIR/pw.conf" --node node1 --dir "$BATS_TEST_TMPDIR/before"
	[ "$output" = "wrote $BATS_TEST_TMPDIR/before/ca.crt"$'\n'"wrote $BATS_TEST_TMPDIR/before/host.crt" ]
	# backup=none: nothing to make
	run -0 --separate-stderr "$VOIPHA" backup-tls --config "$REPO_TOP/test/data/validation-base.conf" \
		--node node1 --dir "$BATS_TEST_TMPDIR/none"
	[[ $stderr == *"backups are off"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/none" ]
}

@test "the repository host's bundle: files, modes, the repository made, a second install changes nothing" {
	local r=$BK/repo/root
	run -0 stat -c '%a %U:%G %n' "$r/etc/pgbackrest/conf.d/voip-ha.conf" "$r/etc/pgbackrest/tls/host.key" \
		"$r/etc/pgbackrest/tls/host.crt" "$r/etc/systemd/system/voip-ha-backup-full.timer" "$r/var/lib/pgbackrest"
	[ "${lines[0]}" = "640 root:postgres $r/etc/pgbackrest/conf.d/voip-ha.conf" ]
	[ "${lines[1]}" = "640 root:postgres $r/etc/pgbackrest/tls/host.key" ]
	[ "${lines[2]}" = "644 root:root $r/etc/pgbackrest/tls/host.crt" ]
	[ "${lines[3]}" = "644 root:root $r/etc/systemd/system/voip-ha-backup-full.timer" ]
	[ "${lines[4]}" = "750 postgres:postgres $r/var/lib/pgbackrest" ]
	run -0 stat -c %a "$BK/bundle.tar"
	[ "$output" = 600 ]
	run -0 cmp "$r/etc/pgbackrest/conf.d/voip-ha.conf" "$BK/gen/backup-host/etc/pgbackrest/conf.d/voip-ha.conf"
	run -0 grep -x 'OnCalendar=Sun \*-\*-\* 01:30:00' "$r/etc/systemd/system/voip-ha-backup-full.timer"
	run -0 grep -x 'OnCalendar=Mon,Tue,Wed,Thu,Fri,Sat \*-\*-\* 01:30:00' "$r/etc/systemd/system/voip-ha-backup-diff.timer"
	run -0 grep -x 'ExecStart=/usr/bin/pgbackrest --stanza=voip-ha --type=full --log-level-console=info backup' \
		"$r/etc/systemd/system/voip-ha-backup-full.service"
	run -0 systemd-analyze calendar "Mon,Tue,Wed,Thu,Fri,Sat *-*-* 01:30:00"
	run -0 grep -c '^file /' "$r/var/lib/voip-ha-witness/backup-host"
	[ "$output" = 8 ]
	# the same bundle again: nothing installed, nothing made
	find "$r" -printf '%p %m %U %T@\n' | sort >"$BATS_TEST_TMPDIR/before"
	run -0 --separate-stderr "$VOIPHA_WITNESS" backup-host install --root "$r" "$BK/bundle.tar"
	[[ $stderr != *installed* ]] && [[ $stderr != *made* ]]
	find "$r" -printf '%p %m %U %T@\n' | sort >"$BATS_TEST_TMPDIR/after"
	run -0 diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "bad bundles: backup=none or path refused, corrupt, cut short or foreign bundles change nothing" {
	local r=$BATS_TEST_TMPDIR/root b=$BATS_TEST_TMPDIR/b.tar
	run -1 --separate-stderr "$VOIPHA" backup-host --config "$REPO_TOP/test/data/validation-base.conf" \
		--templates "$REPO_TOP/templates" --out "$b"
	[[ $stderr == *"backup=none in "*"only for backup=repo-host"* ]]
	[ ! -e "$b" ]
	sed 's/^backup=.*/backup=path/' "$BK/cluster.conf" >"$BATS_TEST_TMPDIR/path.conf"
	run -1 --separate-stderr "$VOIPHA" backup-host --config "$BATS_TEST_TMPDIR/path.conf" \
		--templates "$REPO_TOP/templates" --out "$b"
	[[ $stderr == *"backup=path in "* ]]
	# never to a terminal
	run -2 script -qec "$VOIPHA backup-host --config $BK/cluster.conf --templates $REPO_TOP/templates" /dev/null
	[[ $output == *"not to a terminal"* ]]
	# one byte changed inside the certificate
	cp "$BK/bundle.tar" "$b"
	local off
	off=$(grep -abo -- '-----BEGIN CERTIFICATE-----' "$b" | sed -n 2p | cut -d: -f1)
	printf 'X' | dd of="$b" bs=1 seek=$((off + 40)) conv=notrunc 2>/dev/null
	run -1 --separate-stderr "$VOIPHA_WITNESS" backup-host install --root "$r" "$b"
	[[ $stderr == *"is not a bundle of 'voip-ha backup-host': etc/pgbackrest/tls/host.crt: SHA-256 differs"*"nothing was changed"* ]]
	[ ! -e "$r" ]
	# cut short
	head -c 5120 "$BK/bundle.tar" >"$b"
	run -1 --separate-stderr "$VOIPHA_WITNESS" backup-host install --root "$r" "$b"
	[[ $stderr == *"cut short"* ]]
	[ ! -e "$r" ]
	# not a bundle: an ordinary tar, and random bytes
	tar -C "$REPO_TOP/templates" -cf "$b" MANIFEST
	run -1 --separate-stderr "$VOIPHA_WITNESS" backup-host install --root "$r" "$b"
	[[ $stderr == *"is not a bundle"* ]]
	head -c 10240 /dev/urandom >"$b"
	run -1 --separate-stderr "$VOIPHA_WITNESS" backup-host install --root "$r" "$b"
	[[ $stderr == *"is not a bundle"* ]]
	[ ! -e "$r" ]
	# a bundle from stdin installs
	run -0 --separate-stderr "$VOIPHA_WITNESS" backup-host install --root "$r" - <"$BK/bundle.tar"
	run -0 cmp "$r/etc/pgbackrest/tls/host.key" "$BK/repo/root/etc/pgbackrest/tls/host.key"
}

@test "backup=none: no archiving setting and no active pgBackRest line" {
	local out=$BATS_TEST_TMPDIR/none
	"$VOIPHA" generate --config "$REPO_TOP/test/data/validation-base.conf" \
		--templates "$REPO_TOP/templates" --all --out "$out" >/dev/null
	run -1 grep '^archive' "$out/node1/etc/postgresql/15/main/conf.d/50-voip-ha.conf"
	run -1 grep -v -e '^#' -e '^$' "$out/node1/etc/pgbackrest/conf.d/voip-ha.conf"
	run -1 grep -v -e '^#' -e '^$' "$out/backup-host/etc/pgbackrest/conf.d/voip-ha.conf"
}

@test "stanza-create on the repository host, check from the primary" {
	run -0 bk_in repo pgbackrest --stanza=voip-ha --log-level-console=warn stanza-create
	run -0 bk_in node1 pgbackrest --stanza=voip-ha --log-level-console=warn check
	run -0 bk_in repo pgbackrest --stanza=voip-ha --output=json info
	[[ $output == *'"cipher":"aes-256-cbc"'* ]]
}

@test "archiving: the primary's WAL reaches the repository, the standby archives nothing" {
	local seg
	bk_psql node1 "create table t(i int); insert into t select generate_series(1, 1000)"
	seg=$(bk_psql node1 "select pg_walfile_name(pg_switch_wal())")
	bk_wait_archived node1 "$seg"
	run -0 bk_in repo pgbackrest --stanza=voip-ha repo-ls archive/voip-ha/15-1/0000000100000000
	[[ $output == *"$seg-"* ]]
	[ "$(bk_psql node2 "select archived_count + failed_count from pg_stat_archiver")" = 0 ]
	[ ! -e "$BK/node2/spool/pgbackrest" ]
	# pushed with zstd ([voip-ha:archive-push]): a segment switched after one
	# small commit, 16 MiB of mostly zeros, is stored in well under lz4's 68 KB
	local f
	bk_psql node1 "create table quiet(i int); insert into quiet values (1)"
	seg=$(bk_psql node1 "select pg_walfile_name(pg_switch_wal())")
	bk_wait_archived node1 "$seg"
	f=$(find "$BK/repo/repo/archive/voip-ha/15-1/0000000100000000" -name "$seg-*")
	[[ $f == *.zst ]]
	[ "$(stat -c %s "$f")" -lt 32768 ]
}

@test "archive_timeout from cluster.conf: a quiet primary's last commit reaches the repository without a switch by hand" {
	[ "$(bk_psql node1 "show archive_timeout")" = 4s ]
	local seg
	bk_psql node1 "insert into quiet values (2)"
	seg=$(bk_psql node1 "select pg_walfile_name(pg_current_wal_lsn())")
	bk_wait_archived node1 "$seg"
}

@test "backup_archive_timeout: PostgreSQL reads the line voip-ha generate writes (the table's postgresql rows)" {
	source "$REPO_TOP/test/data/validation-table.bash"
	vt_load
	local row v n=0 bad=0 line got rc
	for row in $(vt_rows_by postgresql backup_archive_timeout); do
		v=${VT_VALUE[row]}
		n=$((n + 1))
		if [ "${VT_VERDICT[row]}" = accept ]; then
			{
				grep -v '^backup_archive_timeout=' "$BK/cluster.conf"
				printf 'backup_archive_timeout=%s\n' "$v"
			} >"$BATS_TEST_TMPDIR/row.conf"
			"$VOIPHA" generate --config "$BATS_TEST_TMPDIR/row.conf" --templates "$REPO_TOP/templates" \
				--node node1 --out "$BATS_TEST_TMPDIR/gen$n" >/dev/null
			line=$(grep '^archive_timeout = ' "$BATS_TEST_TMPDIR/gen$n/etc/postgresql/15/main/conf.d/50-voip-ha.conf")
		else
			# refused by voip-ha validate: the line it would have written
			line="archive_timeout = ${v}s"
		fi
		printf '%s\n' "$line" >"$BK/node1/tmp/row$n.conf"
		chmod 0644 "$BK/node1/tmp/row$n.conf"
		rc=0
		got=$(bk_in node1 "$BK_PG/postgres" -D /var/lib/postgresql/15/main \
			-c config_file="/tmp/row$n.conf" -C archive_timeout 2>&1) || rc=$?
		if [ "${VT_VERDICT[row]}" = accept ] && { [ "$rc" != 0 ] || [ "$got" != "$v" ]; }; then
			echo "$(vt_describe "$row"): PostgreSQL read '$line' as: $got (exit $rc)" >&2
			bad=1
		elif [ "${VT_VERDICT[row]}" = reject ] && [ "$rc" = 0 ]; then
			echo "$(vt_describe "$row"): PostgreSQL takes '$line' ($got); the rule is too strict" >&2
			bad=1
		fi
	done
	[ "$n" -ge 5 ]
	[ "$bad" = 0 ]
}

@test "promotion: the new primary archives on timeline 2, .history first" {
	local seg
	bk_pg_stop node1
	[ "$(bk_psql node2 "select pg_promote(true, 60)")" = t ]
	bk_psql node2 "insert into t select generate_series(1001, 2000)"
	seg=$(bk_psql node2 "select pg_walfile_name(pg_switch_wal())")
	[[ $seg == 00000002* ]]
	bk_wait_archived node2 "$seg"
	run -0 bk_in repo pgbackrest --stanza=voip-ha repo-ls archive/voip-ha/15-1
	[[ $output == *00000002.history* ]]
	run -0 bk_in repo pgbackrest --stanza=voip-ha repo-ls archive/voip-ha/15-1/0000000200000000
	[[ $output == *"$seg-"* ]]
	# node1 comes back as the standby of node2 (the package's rebuild path
	# does this with pg_rewind; a fresh copy is enough here)
	rm -rf "$BK/node1/pglib/15"
	bk_standby_of node1 198.51.100.12
	[ "$(bk_psql node1 "select pg_is_in_recovery()")" = t ]
}

@test "a full backup taken from the standby" {
	run -0 bk_in repo pgbackrest --stanza=voip-ha --type=full --log-level-console=detail backup
	# every data file is read from the standby (node1 now); only what must
	# come from the primary (pg_control and a few others) is read there
	local from_standby from_primary
	from_standby=$(grep -c "backup file 198.51.100.11:" <<<"$output")
	from_primary=$(grep -c "backup file 198.51.100.12:" <<<"$output")
	echo "files from the standby: $from_standby, from the primary: $from_primary" >&3
	[ "$from_standby" -gt 100 ]
	[ "$from_primary" -lt 20 ]
	[[ $output == *"wait for replay on the standby"* ]]
	run -0 bk_in repo pgbackrest --stanza=voip-ha --output=json info
	[[ $output == *'"type":"full"'* ]]
}

@test "voip-ha backup --list: the backup and what a restore reaches, on the repository host and a node" {
	local m
	for m in repo node1; do
		run -0 bk_in "$m" "$VOIPHA" backup --list --config "$BK/cluster.conf"
		[[ ${lines[0]} == "stanza voip-ha: ok, cipher aes-256-cbc" ]]
		[[ $output == *$'\nbackup '*' full start 20'*' stop 20'*' size '*' wal 00000002'* ]]
		[[ $output == *$'\nrestorable from 20'*' UTC (the end of the oldest backup)'* ]]
		[[ $output == *$'\nnewest WAL archived: 00000002'* ]]
	done
	# the key is never shown
	[[ $output != *"$KEY"* ]]
}

@test "voip-ha backup --list refuses backup=none, and says why when the repository refuses this machine" {
	run -1 --separate-stderr bk_in node1 "$VOIPHA" backup --list --config "$REPO_TOP/test/data/validation-base.conf"
	[[ $stderr == *"backups are off (backup=none in "* ]]
	# a machine whose certificate the repository host refuses (another CA)
	install -m 0640 -o root -g postgres "$BK/node1/etc/conf.d/voip-ha.conf" "$BK/rogue/etc/conf.d/"
	run -1 --separate-stderr bk_in rogue "$VOIPHA" backup --list --config "$BK/cluster.conf"
	[[ $stderr == *"stanza 'voip-ha': other: ["*"unknown ca"* ]]
}

@test "voip-ha backup --type: refused with repo-host, naming the command; --if-standby only on the standby" {
	run -1 --separate-stderr bk_in node1 "$VOIPHA" backup --type full --config "$BK/cluster.conf"
	[[ $stderr == *"backups run on the repository host 198.51.100.2"*"runuser -u postgres -- pgbackrest --stanza=voip-ha --type=full backup"* ]]
	run -2 --separate-stderr bk_in node1 "$VOIPHA" backup --type weekly --config "$BK/cluster.conf"
	run -2 --separate-stderr bk_in node1 "$VOIPHA" backup --config "$BK/cluster.conf"
	# the nodes' timers (backup=path) run on the standby only: node1 now
	sed 's/^backup=.*/backup=path/' "$BK/cluster.conf" >"$BK/path.conf"
	run -0 bk_in node1 "$VOIPHA" backup --if-standby --config "$BK/path.conf"
	run -1 --separate-stderr bk_in node2 "$VOIPHA" backup --if-standby --config "$BK/path.conf"
	[[ $stderr == *"this node is the primary"* ]]
	run -1 --separate-stderr bk_in node1 "$VOIPHA" backup --if-standby --config "$BK/cluster.conf"
	[[ $stderr == *"backup=repo-host"*"the nodes take no scheduled backup"* ]]
}

# js JSON EXPR: EXPR (Python, over the JSON as d) printed
js() { python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

# node_conf M: the suite's cluster.conf as machine M's (this_node)
node_conf() {
	sed "s/^this_node=.*/this_node=$1/" "$BK/cluster.conf" >"$BK/$1.conf"
	chmod 0644 "$BK/$1.conf"
	echo "$BK/$1.conf"
}

# a voip-admind on the host reading STATE for /metrics (no database: the
# series come from the file); scrape prints the exposition
admind_scrape() { # STATE
	local d=$BK/admind port
	mkdir -p "$d/spool"
	port=$((20000 + RANDOM % 20000))
	{
		echo "listen_address=127.0.0.1"
		echo "http_port=$port"
		echo "metrics_address=127.0.0.1"
		echo "metrics_port=$((port + 1))"
		echo "db_host=127.0.0.1"
		echo "db_port=9"
		echo "db_name=voip"
		echo "db_user=voip_admin"
		echo "db_password=unused-here"
		echo "admin_api_key_sha256=$(head -c 32 /dev/urandom | sha256sum | cut -d' ' -f1)"
		echo "freeswitch_api_key_sha256=$(head -c 32 /dev/urandom | sha256sum | cut -d' ' -f1)"
		echo "spool_dir=$d/spool"
		echo "cluster_state_file=$d/none.state"
		echo "backup_state_file=$1"
	} >"$d/voip-admin.conf"
	chmod 0600 "$d/voip-admin.conf"
	"${VOIPADMIND:-$REPO_TOP/build/voip-admind}" --config "$d/voip-admin.conf" >"$d/log" 2>&1 3>&- &
	local pid=$! _ ok=1
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$((port + 1))/metrics" >"$d/scrape" 2>/dev/null && { ok=0; break; }
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
	[ "$ok" = 0 ] || { cat "$d/log" >&2; return 1; }
	cat "$d/scrape"
}

@test "status and /metrics after a backup: the last full backup, archiving on the primary, no warning" {
	local conf
	conf=$(node_conf node2)
	run -0 bk_in node2 "$VOIPHA" backup-refresh --config "$conf"
	run -0 grep -x 'repo_ok=1' "$BK/node2/vrun/backup.state"
	run -0 grep -E '^full_stop=[1-9][0-9]+$' "$BK/node2/vrun/backup.state"
	run -0 stat -c %a "$BK/node2/vrun/backup.state"
	[ "$output" = 644 ]
	# status may warn here for what the suite's machines lack (witness,
	# replication names): only the backup part is looked at
	run --separate-stderr bk_in node2 "$VOIPHA" status --json --config "$conf"
	[[ $status == [01] ]]
	local j=$output
	[ "$(js "$j" 'd["backup"]["kind"]')" = repo-host ]
	[ "$(js "$j" 'd["backup"]["repository_ok"]')" = True ]
	[ "$(js "$j" 'd["backup"]["last"]["full"]["size_bytes"] > 10000000')" = True ]
	[ "$(js "$j" 'd["backup"]["last"]["full"]["duration_seconds"] >= 0')" = True ]
	[[ $(js "$j" 'd["backup"]["last"]["full"]["label"]') == 20*F ]]
	[ "$(js "$j" 'd["backup"]["last"]["diff"]')" = None ]
	[ "$(js "$j" 'd["backup"]["archive"]["role"]')" = primary ]
	[ "$(js "$j" 'd["backup"]["archive"]["lag_bytes"] >= 0')" = True ]
	[ "$(js "$j" 'd["backup"]["archive"]["failed_count"]')" = 0 ]
	[[ $(js "$j" 'd["backup"]["archive"]["last_archived_wal"]') == 00000002* ]]
	[ "$(js "$j" '[w for w in d["warnings"] if "backup" in w or "archiv" in w or "WAL" in w]')" = "[]" ]
	run bk_in node2 "$VOIPHA" status --config "$conf"
	[[ $status == [01] ]]
	[[ $output == *$'\n    last full: 20'*' UTC, '*' MiB ('*' stored), took '* ]]
	[[ $output == *$'\n    archiving: last 00000002'* ]]
	# the standby archives nothing, and says so
	conf=$(node_conf node1)
	run -0 bk_in node1 "$VOIPHA" backup-refresh --config "$conf"
	run bk_in node1 "$VOIPHA" status --config "$conf"
	[[ $status == [01] ]]
	[[ $output == *"archiving: none here (standby: the primary archives)"* ]]
	# /metrics from node2's file
	run -0 admind_scrape "$BK/node2/vrun/backup.state"
	[[ $output == *$'\nvoipadmin_backup_last_success_timestamp_seconds{type="full"} 1'* ]]
	[[ $output == *$'\nvoipadmin_backup_last_success_timestamp_seconds{type="diff"} 0\n'* ]]
	[[ $output == *$'\nvoipadmin_backup_last_size_bytes{type="full"} '[1-9]* ]]
	[[ $output == *$'\nvoipadmin_backup_repository_ok 1\n'* ]]
	[[ $output == *$'\nvoipadmin_archive_lag_bytes '[0-9]* ]]
	[[ $output == *$'\nvoipadmin_archive_failures_total 0\n'* ]]
	if command -v promtool >/dev/null; then
		promtool check metrics <<<"$output"
	fi
}

@test "backup=none: backup-refresh removes the state, status and /metrics show nothing of it" {
	local conf=$BK/none.conf
	sed 's/^this_node=.*/this_node=node2/' "$REPO_TOP/test/data/validation-base.conf" >"$conf"
	chmod 0644 "$conf"
	echo stale >"$BK/node2/vrun/backup.state"
	run -0 bk_in node2 "$VOIPHA" backup-refresh --config "$conf"
	[ ! -e "$BK/node2/vrun/backup.state" ]
	run --separate-stderr bk_in node2 "$VOIPHA" status --json --config "$conf"
	[[ $status == [01] ]]
	[ "$(js "$output" 'd["backup"]')" = None ]
	[ "$(js "$output" '[w for w in d["warnings"] if "backup" in w or "archiv" in w]')" = "[]" ]
	run bk_in node2 "$VOIPHA" status --config "$conf"
	[[ $status == [01] ]]
	[[ $output != *"backups:"* ]]
	run -0 admind_scrape "$BK/node2/vrun/backup.state"
	[[ $output != *voipadmin_backup* ]]
	[[ $output != *voipadmin_archive* ]]
	[[ $output == *voipadmin_cluster_state_ok* ]]
	# the state back for the tests after this one
	run -0 bk_in node2 "$VOIPHA" backup-refresh --config "$(node_conf node2)"
}

@test "point-in-time restore into a scratch directory: deleted rows back, later rows absent" {
	local target seg
	bk_psql node2 "create table keep(i int); insert into keep select generate_series(1, 500)"
	sleep 1.2 # commit timestamps on both sides of the target are distinct
	target=$(bk_psql node2 "select now()")
	sleep 1.2
	bk_psql node2 "delete from keep"
	bk_psql node2 "create table late(i int); insert into late values (1)"
	[ "$(bk_psql node2 "select count(*) from keep")" = 0 ]
	seg=$(bk_psql node2 "select pg_walfile_name(pg_switch_wal())")
	bk_wait_archived node2 "$seg"
	# node1 (a node, TLS client of the repository) restores into a scratch
	# directory; the restored server archives nothing (archive_mode=off)
	run -0 bk_in node1 pgbackrest --stanza=voip-ha --pg1-path=/var/lib/postgresql/scratch \
		--type=time "--target=$target" --target-action=promote restore
	run -0 bk_in node1 "$BK_PG/pg_ctl" -D /var/lib/postgresql/scratch -l /var/lib/postgresql/scratch.log \
		-w -t 120 -o "-p 5499 -c listen_addresses='' -c archive_mode=off" start
	bk_wait_promoted 5499
	[ "$(bk_in node1 psql -X -At -h /var/run/postgresql -p 5499 -d postgres -c "select count(*) from keep")" = 500 ]
	[ "$(bk_in node1 psql -X -At -h /var/run/postgresql -p 5499 -d postgres -c "select to_regclass('late') is null")" = t ]
	[ "$(bk_in node1 psql -X -At -h /var/run/postgresql -p 5499 -d postgres -c "select count(*) from t")" = 2000 ]
	run -0 bk_in node1 "$BK_PG/pg_ctl" -D /var/lib/postgresql/scratch -m fast -w stop
	rm -rf "$BK/node1/pglib/scratch"
}

@test "repository host down: commits go on, archiving catches up when it is back" {
	local seg i
	bk_stop_bg srv-repo
	# the primary keeps committing: archive_command runs in the archiver,
	# never on a commit's path
	for i in 1 2 3 4 5; do
		BK_TIMEOUT=10 bk_psql node2 "insert into t values ($i)"
	done
	seg=$(bk_psql node2 "select pg_walfile_name(pg_switch_wal())")
	bk_psql node2 "insert into t values (6)"
	# nothing of it reached the repository while its host was down
	[ "$(bk_psql node2 "select coalesce(last_archived_wal, '') >= '$seg' from pg_stat_archiver")" = f ]
	bk_bg repo srv-repo pgbackrest server
	bk_wait_port 198.51.100.2
	bk_wait_archived node2 "$seg"
	run -0 bk_in repo pgbackrest --stanza=voip-ha repo-ls archive/voip-ha/15-1/0000000200000000
	[[ $output == *"$seg-"* ]]
}

@test "repository host down: the lag grows, status warns, backup --list answers in seconds, commits go on; back: the warning clears" {
	local conf seg i j _ failed before
	conf=$(node_conf node2)
	before=$(bk_psql node2 "select failed_count from pg_stat_archiver")
	bk_stop_bg srv-repo
	# commits go on (each bounded: a stall would fail the test)
	for i in 1 2 3 4 5; do
		BK_TIMEOUT=10 bk_psql node2 "insert into t values ($i)"
	done
	seg=$(bk_psql node2 "select pg_walfile_name(pg_switch_wal())")
	BK_TIMEOUT=10 bk_psql node2 "insert into t select generate_series(1, 1000)"
	# backup --list says it with the reason, in seconds (pgBackRest's own
	# default waits about two minutes): bounded well below that here
	BK_TIMEOUT=40 run -1 --separate-stderr bk_in node2 "$VOIPHA" backup --list --config "$conf"
	[[ $stderr == *"stanza 'voip-ha': other: "*"unable to connect to '198.51.100.2:8432'"* ]]
	# the archiver fails (pgBackRest gives up on a segment after its
	# archive-timeout): at most 3 minutes
	for _ in $(seq 360); do
		failed=$(bk_psql node2 "select failed_count from pg_stat_archiver")
		[ "$failed" = "$before" ] || break
		sleep 0.5
	done
	[ "$failed" -gt "$before" ]
	run -0 bk_in node2 "$VOIPHA" backup-refresh --repo --config "$conf"
	run -0 grep -x 'repo_ok=0' "$BK/node2/vrun/backup.state"
	# the backups the repository held are still shown (its last answer)
	run -0 grep -E '^full_stop=[1-9]' "$BK/node2/vrun/backup.state"
	run -1 --separate-stderr bk_in node2 "$VOIPHA" status --json --config "$conf"
	j=$output
	[ "$(js "$j" 'd["backup"]["archive"]["lag_bytes"] > 16 * 1024 * 1024')" = True ]
	[ "$(js "$j" 'd["backup"]["archive"]["failed_count"] > 0')" = True ]
	[ "$(js "$j" 'any(w.startswith("the backup repository does not answer: ") for w in d["warnings"])')" = True ]
	[ "$(js "$j" 'any(w.startswith("WAL archiving fails: ") for w in d["warnings"])')" = True ]
	[ "$(js "$j" 'd["backup"]["last"]["full"] is not None')" = True ]
	run -0 admind_scrape "$BK/node2/vrun/backup.state"
	[[ $output == *$'\nvoipadmin_backup_repository_ok 0\n'* ]]
	[[ $output == *$'\nvoipadmin_archive_failures_total '[1-9]* ]]
	[[ $output == *$'\nvoipadmin_archive_lag_bytes '[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]* ]]
	# back: archiving catches up (PostgreSQL's archiver may be waiting out
	# its 60 s pause after failures: a longer bound than bk_wait_archived's),
	# the warnings clear
	bk_bg repo srv-repo pgbackrest server
	bk_wait_port 198.51.100.2
	seg=$(bk_psql node2 "select pg_walfile_name(pg_switch_wal())")
	for _ in $(seq 600); do
		[[ $(bk_psql node2 "select coalesce(last_archived_wal, '') from pg_stat_archiver") < $seg ]] || break
		sleep 0.5
	done
	bk_wait_archived node2 "$seg"
	run -0 bk_in node2 "$VOIPHA" backup-refresh --config "$conf"
	run -0 grep -x 'repo_ok=1' "$BK/node2/vrun/backup.state"
	run --separate-stderr bk_in node2 "$VOIPHA" status --json --config "$conf"
	[[ $status == [01] ]]
	j=$output
	[ "$(js "$j" '[w for w in d["warnings"] if "backup" in w or "archiv" in w or "WAL" in w]')" = "[]" ]
	[ "$(js "$j" 'd["backup"]["archive"]["lag_bytes"] < 16 * 1024 * 1024')" = True ]
	run -0 bk_in node2 "$VOIPHA" backup --list --config "$conf"
}

@test "wrong TLS credentials are refused with a clear error" {
	install -m 0640 -o root -g postgres "$BK/node1/etc/conf.d/voip-ha.conf" "$BK/rogue/etc/conf.d/"
	# a certificate from another CA, with node1's address as its name
	run -101 bk_in rogue pgbackrest --stanza=voip-ha repo-ls
	[[ $output == *"TLS error"*"unknown ca"* ]]
	# a machine of another pair (another replication_password: another CA)
	# refuses the repository host's certificate in turn
	cp "$BK/rogue/etc/tls/ca.crt" "$BK/pair-ca.crt"
	cp "$BK/other-ca.crt" "$BK/rogue/etc/tls/ca.crt"
	run -95 bk_in rogue pgbackrest --stanza=voip-ha repo-ls
	[[ $output == *"unable to verify certificate presented by '198.51.100.2:8432'"* ]]
	cp "$BK/pair-ca.crt" "$BK/rogue/etc/tls/ca.crt"
	# signed by the right CA, for an address the repository host does not let in
	sed 's/^node1_address=.*/node1_address=198.51.100.99/' "$BK/cluster.conf" >"$BK/rogue.conf"
	bk_tls rogue "$BK/rogue.conf" node1
	run -105 bk_in rogue pgbackrest --stanza=voip-ha repo-ls
	[[ $output == *"access denied"* ]]
	# no certificate at all
	rm -f "$BK/rogue/etc/tls/host.crt" "$BK/rogue/etc/tls/host.key"
	run ! bk_in rogue pgbackrest --stanza=voip-ha repo-ls
	[[ $output == *"host.crt"* ]]
	# the nodes are not affected
	run -0 bk_in node2 pgbackrest --stanza=voip-ha --log-level-console=warn check
}

@test "the repository key is read as cluster.conf holds it (the table's pgbackrest rows)" {
	source "$REPO_TOP/test/data/validation-table.bash"
	vt_load
	local row v conf n=0 bad=0 line
	for row in $(vt_rows_by pgbackrest backup_cipher_pass); do
		v=${VT_VALUE[row]}
		n=$((n + 1))
		mkdir -p "$BK/repo/etc/row$n"
		conf=$BK/repo/etc/row$n/voip-ha.conf
		if [ "${VT_VERDICT[row]}" = accept ]; then
			# what voip-ha generate writes for this value
			{
				grep -v '^backup_cipher_pass=' "$BK/cluster.conf"
				printf 'backup_cipher_pass=%s\n' "$v"
			} >"$BATS_TEST_TMPDIR/row.conf"
			"$VOIPHA" generate --config "$BATS_TEST_TMPDIR/row.conf" --templates "$REPO_TOP/templates" \
				--all --out "$BATS_TEST_TMPDIR/gen$n" >/dev/null
			cp "$BATS_TEST_TMPDIR/gen$n/backup-host/etc/pgbackrest/conf.d/voip-ha.conf" "$conf"
		else
			# refused by voip-ha validate: the line as the `line` escaper
			# would write it, in the file generated for the suite
			V=$v awk '/^repo1-cipher-pass=/ { print "repo1-cipher-pass=" ENVIRON["V"]; next } { print }' \
				"$BK/repo/etc/conf.d/voip-ha.conf" >"$conf"
		fi
		run -0 grep -c '^repo1-cipher-pass=' "$conf"
		[ "$output" = 1 ]
		chown -R root:postgres "$BK/repo/etc/row$n"
		# the repository is made with the key as the file gives it...
		bk_in repo pgbackrest --stanza=voip-ha --config-include-path="/etc/pgbackrest/row$n" \
			--repo1-path="/var/lib/pgbackrest/row$n" --log-level-console=error stanza-create ||
			{ echo "$(vt_describe "$row"): stanza-create failed" >&2; bad=1; continue; }
		# ...and opened with the very value, from the environment
		run bk_in repo env "PGBACKREST_REPO1_CIPHER_PASS=$v" pgbackrest --stanza=voip-ha \
			--config-include-path="/etc/pgbackrest/row$n" --repo1-path="/var/lib/pgbackrest/row$n" \
			--output=json info
		if [ "${VT_VERDICT[row]}" = accept ] && [[ $output != *'"code":2,'* ]]; then
			echo "$(vt_describe "$row"): pgBackRest read another key from the file: $output" >&2
			bad=1
		elif [ "${VT_VERDICT[row]}" = reject ] && [[ $output == *'"code":2,'* ]]; then
			echo "$(vt_describe "$row"): pgBackRest read the key as it is; the rule is too strict" >&2
			bad=1
		fi
	done
	[ "$n" -ge 4 ]
	[ "$bad" = 0 ]
}

# the labels of the backups `voip-ha backup --list` on M presents, one a line
listed_labels() { # M
	bk_in "$1" "$VOIPHA" backup --list --config "$BK/cluster.conf" | sed -n 's/^backup \([^ ]*\) .*/\1/p'
}

@test "repository host down during a backup: commits go on, status warns, nothing half presented; back: the next backup resumes it" {
	local conf j label before _
	conf=$(node_conf node2)
	before=$(listed_labels node1)
	# the repository host's full backup as its timer's service runs it,
	# held still once it copies files (so the host goes down mid-way)
	bk_bg repo bk-full pgbackrest --stanza=voip-ha --type=full --log-level-console=detail backup
	for _ in $(seq 600); do
		grep -q "backup file " "$BK/bk-full.log" && break
		sleep 0.2
	done
	kill -STOP -- "-$(cat "$BK/bk-full.pid")"
	grep -q "backup file " "$BK/bk-full.log"
	label=$(find "$BK/repo/repo/backup/voip-ha" -mindepth 1 -maxdepth 1 -name '20*F' -newer "$BK/bk-full.pid" -printf '%f\n')
	[[ $label == 20*F ]]
	# the host goes down: its processes die at once (the backup and
	# pgbackrest server), as in a power loss
	kill -9 -- "-$(cat "$BK/bk-full.pid")" "-$(cat "$BK/srv-repo.pid")"
	rm -f "$BK/bk-full.pid" "$BK/srv-repo.pid"
	# what it left: files and a manifest copy, no manifest (not complete)
	[ -e "$BK/repo/repo/backup/voip-ha/$label/backup.manifest.copy" ]
	[ ! -e "$BK/repo/repo/backup/voip-ha/$label/backup.manifest" ]
	# the primary keeps committing (each bounded: a stall would fail here)
	BK_TIMEOUT=10 bk_psql node2 "insert into t values (1)"
	BK_TIMEOUT=10 bk_psql node2 "insert into t select generate_series(1, 1000)"
	# status warns: the repository does not answer, its host named
	run -0 bk_in node2 "$VOIPHA" backup-refresh --repo --config "$conf"
	run -0 grep -x 'repo_ok=0' "$BK/node2/vrun/backup.state"
	run -1 --separate-stderr bk_in node2 "$VOIPHA" status --json --config "$conf"
	j=$output
	[ "$(js "$j" 'any(w.startswith("the backup repository does not answer: ") and "198.51.100.2:8432" in w for w in d["warnings"])')" = True ]
	# back: the aborted backup is not presented as one a restore can use
	bk_bg repo srv-repo pgbackrest server
	bk_wait_port 198.51.100.2
	run -0 listed_labels node1
	[ "$output" = "$before" ]
	run -0 bk_in repo pgbackrest --stanza=voip-ha --output=json info
	[[ $output != *"$label"* ]]
	# the next full backup resumes it: pgBackRest 2.45 checks the files
	# the aborted one copied, keeps the valid ones and its label
	run -0 bk_in repo pgbackrest --stanza=voip-ha --type=full --log-level-console=info backup
	[[ $output == *"WARN: resumable backup $label of same type exists -- invalid files will be removed then the backup will resume"* ]]
	[[ $output == *"new backup label = $label"$'\n'* ]]
	run -0 listed_labels node1
	[ "$output" = "$before"$'\n'"$label" ]
	run -0 bk_in node2 "$VOIPHA" backup-refresh --repo --config "$conf"
	run -0 grep -x 'repo_ok=1' "$BK/node2/vrun/backup.state"
	run -0 grep -x "full_label=$label" "$BK/node2/vrun/backup.state"
}

# seg_next SEG: the WAL segment after SEG (16 MiB segments: 256 a log)
seg_next() {
	local tli=${1:0:8} log=$((16#${1:8:8})) seg=$((16#${1:16:8}))
	seg=$((seg + 1))
	if [ "$seg" = 256 ]; then
		seg=0
		log=$((log + 1))
	fi
	printf '%s%08X%08X\n' "$tli" "$log" "$seg"
}

@test "a full repository disk: commits go on, status warns, a backup fails and is not presented; space freed: no WAL gap, a backup succeeds" {
	local conf r=$BK/repo/repo j first last s before failed label _
	conf=$(node_conf node2)
	before=$(listed_labels node1)
	# the repository on a small file system of its own (a tmpfs over the
	# repository host's directory), then filled to the last byte
	bk_stop_bg srv-repo
	cp -a "$r" "$BK/repo/repo.disk"
	mount -t tmpfs -o "size=64m,mode=0750,uid=$(id -u postgres),gid=$(id -g postgres)" voipha-bk-repo "$r"
	cp -a "$BK/repo/repo.disk/." "$r/"
	bk_bg repo srv-repo pgbackrest server
	bk_wait_port 198.51.100.2
	first=$(bk_psql node2 "select pg_walfile_name(pg_switch_wal())")
	bk_wait_archived node2 "$first"
	first=$(seg_next "$first")
	failed=$(bk_psql node2 "select failed_count from pg_stat_archiver")
	dd if=/dev/zero of="$r/filler" bs=1M 2>/dev/null || true
	[ "$(($(df --output=avail "$r" | tail -1)))" = 0 ]
	# the primary keeps committing (each bounded: a stall would fail here)
	BK_TIMEOUT=10 bk_psql node2 "insert into t select generate_series(1, 1000)"
	BK_TIMEOUT=10 bk_psql node2 "select pg_switch_wal()" >/dev/null
	BK_TIMEOUT=10 bk_psql node2 "insert into t values (1)"
	BK_TIMEOUT=10 bk_psql node2 "select pg_switch_wal()" >/dev/null
	BK_TIMEOUT=10 bk_psql node2 "insert into t values (2)"
	for _ in $(seq 240); do
		[ "$(bk_psql node2 "select failed_count from pg_stat_archiver")" = "$failed" ] || break
		sleep 0.5
	done
	[ "$(bk_psql node2 "select failed_count from pg_stat_archiver")" -gt "$failed" ]
	# status warns: archiving fails, with pgBackRest's error and, where
	# pgBackRest 2.45 lost the repository's reason, how to see it (the
	# spool's error file comes and goes: each push clears it first)
	run -0 bk_in node2 "$VOIPHA" backup-refresh --repo --config "$conf"
	for _ in $(seq 120); do
		run -1 --separate-stderr bk_in node2 "$VOIPHA" status --json --config "$conf"
		j=$output
		run -0 js "$j" '[w for w in d["warnings"] if w.startswith("WAL archiving fails: ")][0]'
		[[ $output != *"): ["* ]] || break
		sleep 0.5
	done
	echo "$output" >&3
	[ "$(js "$j" 'd["backup"]["repository_ok"]')" = True ]
	[ "$(js "$j" 'd["backup"]["archive"]["failed_count"] > 0')" = True ]
	# the cause, or (2.45's worker crashed: "[102] local-1 process
	# terminated unexpectedly on signal 11") how to see it
	[[ $output == *"): ["[0-9]*"] "*"No space left on device"* ||
		$output == *"): [102] "*" (pgBackRest 2.45 loses the repository's own error this way, a full repository disk for one; archive-push with --no-archive-async, as postgres, shows it)" ]]
	# ...as a push in the foreground does show it
	s=$(bk_psql node2 "select last_failed_wal from pg_stat_archiver")
	run -104 bk_in node2 pgbackrest --stanza=voip-ha --no-archive-async archive-push \
		"/var/lib/postgresql/15/main/pg_wal/$s"
	[[ $output == *"[28] No space left on device"* ]]
	# 2 MiB freed: the WAL of meanwhile reaches the repository, no gap
	truncate -s -2M "$r/filler"
	last=$(bk_psql node2 "select pg_walfile_name(pg_switch_wal())")
	bk_wait_archived node2 "$last"
	run -0 bk_in repo pgbackrest --stanza=voip-ha repo-ls "archive/voip-ha/15-1/${first:0:16}"
	s=$first
	while :; do
		[[ $output == *$'\n'"$s-"* || $output == "$s-"* ]] || {
			echo "$s is not in the repository" >&2
			return 1
		}
		[ "$s" != "$last" ] || break
		s=$(seg_next "$s")
	done
	# a full backup needs more than the 2 MiB: it fails, naming the cause
	# (the timer's command: pgBackRest retries the file at once and 15 s
	# later, then gives up)
	run -64 bk_in repo pgbackrest --stanza=voip-ha --type=full --log-level-console=info backup
	[[ $output == *"ERROR: [064]: "*"unable to write '/var/lib/pgbackrest/backup/voip-ha/"* ]]
	# pgBackRest 2.45 names ENOSPC when write() fails outright; a write
	# that fills the last bytes comes back short, and 2.45 (it compares
	# the count only: storage/posix/write.c) then names no cause at all,
	# the path alone at the end of its line (seen in CI)
	[[ $output == *"[28] No space left on device"* ||
		$output =~ "unable to write '/var/lib/pgbackrest/backup/voip-ha/"[^\']*"'"$'\n' ]]
	label=$(find "$r/backup/voip-ha" -mindepth 1 -maxdepth 1 -name '20*F' ! -exec test -e '{}/backup.manifest' ';' -printf '%f\n')
	[[ $label == 20*F ]]
	run -0 listed_labels node1
	[ "$output" = "$before" ]
	# space back: the next one succeeds (resuming the aborted one)
	rm -f "$r/filler"
	run -0 bk_in repo pgbackrest --stanza=voip-ha --type=full --log-level-console=info backup
	[[ $output == *"new backup label = $label"$'\n'* ]]
	run -0 listed_labels node1
	[[ $output == *$'\n'"$label" ]]
	# the repository back on its disk
	bk_stop_bg srv-repo
	rm -rf "$BK/repo/repo.disk"
	cp -a "$r" "$BK/repo/repo.disk"
	umount "$r"
	rm -rf "$r"
	mv "$BK/repo/repo.disk" "$r"
	bk_bg repo srv-repo pgbackrest server
	bk_wait_port 198.51.100.2
}

@test "another backup_cipher_pass on the repository host: a clear error naming the key, not its value" {
	local f=$BK/repo/root/etc/pgbackrest/conf.d/voip-ha.conf conf
	conf=$(node_conf node2)
	cp -p "$f" "$BK/repo-conf.saved"
	sed -i 's/^repo1-cipher-pass=.*/repo1-cipher-pass=not-the-key/' "$f"
	bk_stop_bg srv-repo
	bk_bg repo srv-repo pgbackrest server
	bk_wait_port 198.51.100.2
	# on the repository host and on a node (through the TLS server)
	run -1 --separate-stderr bk_in repo "$VOIPHA" backup --list --config "$BK/cluster.conf"
	[[ $stderr == *"stanza 'voip-ha': other: the repository's files do not open with the key given: backup_cipher_pass (repo1-cipher-pass on the repository host) is not the key the repository was made with"* ]]
	[[ $stderr != *"not-the-key"* && $stderr != *"$KEY"* && $stderr != *"stanza-create"* ]]
	# a node: pgBackRest 2.45's info crashes there (signal 11), its reason
	# lost; said so, with where to ask
	run -1 --separate-stderr bk_in node1 "$VOIPHA" backup --list --config "$BK/cluster.conf"
	[[ $stderr == *"pgbackrest info crashed (signal "*"(backup_cipher_pass not the repository's key among them): voip-ha backup --list on the repository host says which"* ||
		$stderr == *": backup_cipher_pass (repo1-cipher-pass on the repository host) is not the key"* ]]
	run -0 bk_in node2 "$VOIPHA" backup-refresh --repo --config "$conf"
	run -0 grep -x 'repo_ok=0' "$BK/node2/vrun/backup.state"
	run -0 grep "^repo_error=.*backup_cipher_pass" "$BK/node2/vrun/backup.state"
	run -0 python3 -c 'import sys; open(sys.argv[1], encoding="utf-8").read()' "$BK/node2/vrun/backup.state"
	run -1 grep -e "not-the-key" -e "stanza-create" "$BK/node2/vrun/backup.state"
	# the right key back
	cp -p "$BK/repo-conf.saved" "$f"
	bk_stop_bg srv-repo
	bk_bg repo srv-repo pgbackrest server
	bk_wait_port 198.51.100.2
	run -0 bk_in node1 "$VOIPHA" backup --list --config "$BK/cluster.conf"
}
