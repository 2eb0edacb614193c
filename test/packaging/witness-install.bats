#!/usr/bin/env bats
# The built voip-ha-witness .deb in throwaway Debian 12 roots (the cached
# base of test/lib/rootfs.sh plus a private overlay per test,
# systemd-nspawn without --boot, a private network with only loopback and
# the witness address 198.51.100.2 on it): a preseeded install asks nothing
# and makes the root's default PostgreSQL cluster the witness; a reinstall
# changes nothing; purge takes the pg_hba block and the drop-in out and
# drops the database only when purge-database is true; an invalid preseed
# fails with E: and never hangs. The repository host's bundle (`voip-ha
# backup-host` of the node package, run here): refused without pgbackrest,
# installed twice with Debian's pgbackrest (the same result), purged
# without the repository.

load ../lib/prereq
bats_require_minimum_version 1.5.0

setup_file() {
	prereq_root systemd-nspawn
	load build-deb
	load rootfs-env
	export SHARE=$BATS_FILE_TMPDIR/share
	mkdir -p "$SHARE"
	pkg_build "$BATS_FILE_TMPDIR/pkg"
	[ -n "$PKG_WITNESS_DEB" ] || { echo "no voip-ha-witness .deb built" >&2; return 1; }
	cp "$PKG_WITNESS_DEB" "$SHARE/voip-ha-witness.deb"
	# The example with a password that needs every kind of quoting.
	sed 's|password change-me-arbiter$|password q'"'"'u"o \\t:e ä|' \
		"$BATS_TEST_DIRNAME/../../doc/preseed-witness.example" >"$SHARE/witness.preseed"
	# the repository host's bundle, made by the node package's voip-ha
	dpkg-deb -x "$PKG_DEB" "$BATS_FILE_TMPDIR/node"
	{
		grep -v '^postgresql_version=' "$BATS_TEST_DIRNAME/../data/validation-base.conf"
		echo postgresql_version=15
		echo backup=repo-host
		echo backup_host=198.51.100.2
		echo 'backup_cipher_pass=k"e y$'
	} >"$BATS_FILE_TMPDIR/cluster.conf"
	"$BATS_FILE_TMPDIR/node/usr/sbin/voip-ha" backup-host --config "$BATS_FILE_TMPDIR/cluster.conf" \
		--templates "$BATS_FILE_TMPDIR/node/usr/share/voip-ha/templates" --out "$SHARE/bundle.tar"
	# Debian's pgbackrest for the root (its dependencies are in the base)
	cp /var/cache/apt/archives/pgbackrest_*.deb "$SHARE/" 2>/dev/null ||
		(cd "$SHARE" && apt-get download -q pgbackrest >/dev/null)
	rootfs_prepare
	export ROOTFS
}

setup() {
	prereq_root systemd-nspawn
	load rootfs-env
	UPPER=$BATS_TEST_TMPDIR/upper
}

# root SCRIPT: in the test's root, with the witness address on loopback and
# Debian's default cluster (created the first time, started every time: it
# does not outlive one nspawn run).
root() {
	in_root "$UPPER" "$SHARE" "set -e
		{
			ip addr add 198.51.100.2/32 dev lo || true
			if [ ! -d /etc/postgresql/15/main ]; then pg_createcluster 15 main; fi
			pg_ctlcluster 15 main start || true
		} >/dev/null 2>&1
		$1"
}

install_witness() {
	root "debconf-set-selections /mnt/share/${1:-witness}.preseed &&
		DEBIAN_FRONTEND=${2:-noninteractive} apt-get install -y -q /mnt/share/voip-ha-witness.deb"
}

@test "preseeded install asks nothing and makes the default cluster the witness" {
	run --separate-stderr install_witness witness teletype
	[ "$status" -eq 0 ] || { echo "$output$stderr" >&2; return 1; }
	[[ "$output$stderr" != *"address of"* ]]
	[[ "$output$stderr" != *"Password of"* ]]
	run root 'stat -c "%a %U:%G" /etc/voip-ha/witness.conf; cat /etc/voip-ha/witness.conf'
	[ "${lines[0]}" = "600 root:root" ]
	[[ "$output" == *"arbiter_password=q'u\"o \\t:e ä"* ]]
	[[ "$output" == *"clusters=voip-ha"* ]]
	run root 'voip-ha-witness status'
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	[[ "$output" == *"witness: PostgreSQL 15/main, port 5432"* ]]
	[[ "$output" == *"cluster voip-ha: no holder, term 0, never renewed"* ]]
	[[ "$output" == *"nodes let in (pg_hba.conf, hostssl, scram-sha-256): 198.51.100.11 198.51.100.12"* ]]
	run root 'cat /etc/postgresql/15/main/conf.d/60-voip-ha-witness.conf; su postgres -c "psql -XAtc \"SHOW listen_addresses\""'
	[[ "$output" == *"listen_addresses = 'localhost,198.51.100.2'"* ]]
	[ "${lines[-1]}" = "localhost,198.51.100.2" ]
	# The password left debconf once stored.
	run root 'grep -l -F "t:e ä" /var/cache/debconf/config.dat /var/cache/debconf/passwords.dat'
	[ "$status" -eq 1 ]
	# A libpq client over TLS with SCRAM and channel binding from the
	# witness address itself is refused: only the node addresses are let in.
	run root 'printf "%s\n" "198.51.100.2:5432:voip_ha_witness:voip_ha_arbiter:x" >/tmp/pw && chmod 600 /tmp/pw &&
		PGPASSFILE=/tmp/pw psql "host=198.51.100.2 dbname=voip_ha_witness user=voip_ha_arbiter sslmode=require" -c "SELECT 1"'
	[ "$status" -ne 0 ]
	[[ "$output" == *'pg_hba.conf rejects connection for host "198.51.100.2"'* ]]
}

@test "reinstall of the same .deb changes nothing (files, verifier, postmaster)" {
	install_witness
	snap='sha256sum /etc/voip-ha/witness.conf /etc/postgresql/15/main/pg_hba.conf /etc/postgresql/15/main/conf.d/*
		stat -c "%n %Y" /etc/postgresql/15/main/pg_hba.conf /etc/postgresql/15/main/conf.d/*
		su postgres -c "psql -XAtc \"SELECT rolpassword FROM pg_authid WHERE rolname = '"'voip_ha_arbiter'"'\""
		head -n1 /var/lib/postgresql/15/main/postmaster.pid'
	run root "$snap"
	before=$output
	run --separate-stderr root "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall /mnt/share/voip-ha-witness.deb; $snap"
	[ "$status" -eq 0 ]
	[[ "$output$stderr" == *"nothing changed"* ]]
	# The postmaster pid differs only because each nspawn run starts it anew:
	# compare it inside one run.
	[ "$(printf '%s\n' "$before" | head -n -1)" = "$(printf '%s\n' "$output" | tail -n "$(printf '%s\n' "$before" | wc -l)" | head -n -1)" ]
}

@test "purge takes the block and drop-in out and keeps the database by default" {
	install_witness
	run root 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q voip-ha-witness; echo rc=$?
		grep -c "voip-ha-witness" /etc/postgresql/15/main/pg_hba.conf || true
		ls /etc/postgresql/15/main/conf.d/
		test -e /etc/voip-ha/witness.conf && echo conf-left || true
		test -e /var/lib/voip-ha-witness && echo state-left || true
		su postgres -c "psql -XAtc \"SELECT count(*) FROM pg_database WHERE datname = '"'voip_ha_witness'"'\""'
	[[ "$output" == *"rc=0"* ]]
	[[ "$output" == *"removed the witness block of /etc/postgresql/15/main/pg_hba.conf"* ]]
	[[ "$output" == *"left behind: database voip_ha_witness and role voip_ha_arbiter"* ]]
	[[ "$output" != *"60-voip-ha-witness.conf"$'\n'* ]]
	[[ "$output" != *"conf-left"* ]]
	[[ "$output" != *"state-left"* ]]
	[ "${lines[-1]}" = 1 ]
	run root 'grep -c "voip-ha-witness" /etc/postgresql/15/main/pg_hba.conf'
	[ "$output" = 0 ]
}

@test "purge drops the database and the role when purge-database is true" {
	install_witness
	run root 'echo "voip-ha-witness voip-ha-witness/purge-database boolean true" | debconf-set-selections &&
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q voip-ha-witness &&
		su postgres -c "psql -XAtc \"SELECT count(*) FROM pg_database WHERE datname = '"'voip_ha_witness'"'\" -c \"SELECT count(*) FROM pg_roles WHERE rolname = '"'voip_ha_arbiter'"'\""'
	[ "$status" -eq 0 ]
	[[ "$output" == *"dropped database voip_ha_witness and role voip_ha_arbiter"* ]]
	[ "${lines[-2]}" = 0 ]
	[ "${lines[-1]}" = 0 ]
}

@test "an invalid preseed fails the install with E: and never hangs" {
	sed 's|/witness-address string .*|/witness-address string 198.51.100.02|' "$SHARE/witness.preseed" >"$SHARE/bad.preseed"
	run timeout 300 bash -c "$(declare -f in_root root install_witness); ROOTFS='$ROOTFS'; UPPER='$UPPER'; SHARE='$SHARE'; install_witness bad"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	[[ "$output" == *"E: voip-ha-witness: voip-ha-witness/witness-address: must be a unicast IPv4 address"* ]]
	run root 'test -e /etc/voip-ha/witness.conf'
	[ "$status" -ne 0 ]
}

@test "an empty password is generated once (44 base64 characters, never printed) and kept on reinstall" {
	sed 's|\(/arbiter-password\(-again\)\{0,1\} password\) .*|\1 |' \
		"$SHARE/witness.preseed" >"$SHARE/empty.preseed"
	grep -q 'arbiter-password password $' "$SHARE/empty.preseed"
	run --separate-stderr install_witness empty
	[ "$status" -eq 0 ] || { echo "$output$stderr" >&2; return 1; }
	[[ "$output$stderr" == *"generated the arbiter password"* ]]
	run root 'sed -n "s/^arbiter_password=//p" /etc/voip-ha/witness.conf'
	[[ "$output" =~ ^[A-Za-z0-9+/]{43}=$ ]]
	pw=$output
	run root "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall /mnt/share/voip-ha-witness.deb 2>&1; sed -n 's/^arbiter_password=//p' /etc/voip-ha/witness.conf"
	[[ "$output" != *"$pw"*$'\n'*"$pw"* ]]
	[ "${lines[-1]}" = "$pw" ]
	[[ "$output" != *"generated the arbiter password"* ]]
}

@test "backup-host bundle: refused without pgbackrest; installed twice the same; purge keeps the repository" {
	install_witness
	# (a cached base may carry pgbackrest already: this root has none; its
	# package makes /var/lib/pgbackrest, postgres 0750, which is kept)
	run root 'dpkg --purge pgbackrest >/dev/null 2>&1; rm -rf /var/lib/pgbackrest
		rc=0; voip-ha-witness backup-host install /mnt/share/bundle.tar || rc=$?; echo rc=$rc
		test -e /etc/pgbackrest/conf.d/voip-ha.conf && echo conf-written || true'
	[[ "$output" == *"/usr/bin/pgbackrest is missing: apt-get install pgbackrest"*"nothing was changed"* ]]
	[[ "$output" == *"rc=1"* ]]
	[[ "$output" != *conf-written* ]]
	snap='stat -c "%a %U:%G %Y %n" /etc/pgbackrest/conf.d/voip-ha.conf /etc/pgbackrest/tls/* /etc/systemd/system/voip-ha-backup-* /var/lib/pgbackrest'
	run root "dpkg -i /mnt/share/pgbackrest_*.deb >/dev/null 2>&1 && voip-ha-witness backup-host install /mnt/share/bundle.tar && $snap && echo ===
		voip-ha-witness backup-host install - </mnt/share/bundle.tar && $snap"
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	[[ "$output" == *"installed /etc/pgbackrest/tls/host.key"* ]]
	[[ "$output" == *"systemd is not running here: nothing started"* ]]
	[[ "$output" == *"runuser -u postgres -- pgbackrest --stanza=voip-ha stanza-create"* ]]
	[[ "$output" == *"640 root:postgres "*" /etc/pgbackrest/tls/host.key"* ]]
	[[ "$output" == *"640 root:postgres "*" /etc/pgbackrest/conf.d/voip-ha.conf"* ]]
	[[ "$output" == *"750 postgres:postgres "*" /var/lib/pgbackrest"* ]]
	first=${output%%===*}
	second=${output#*===}
	[[ "$second" != *installed* ]]
	[ "$(printf '%s\n' "$first" | grep '^[0-9]')" = "$(printf '%s\n' "$second" | grep '^[0-9]')" ]
	run root 'dpkg -i /mnt/share/pgbackrest_*.deb >/dev/null 2>&1; voip-ha-witness backup-host install /mnt/share/bundle.tar >/dev/null 2>&1
		touch /var/lib/pgbackrest/a-backup
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q voip-ha-witness 2>&1; echo rc=$?
		ls /etc/pgbackrest/conf.d /etc/pgbackrest/tls /etc/systemd/system 2>&1 || true; ls /var/lib/pgbackrest'
	[[ "$output" == *"rc=0"* ]]
	[[ "$output" == *"removed the repository host's pgBackRest files and backup timers"* ]]
	[[ "$output" == *"left behind: the backup repository /var/lib/pgbackrest (never removed)"* ]]
	[[ "$output" != *voip-ha.conf* ]]
	[[ "$output" != *host.key* ]]
	[[ "$output" != *voip-ha-backup-* ]]
	[ "${lines[-1]}" = a-backup ]
}
