#!/usr/bin/env bats
# The built .deb in throwaway Debian 12 roots (test/lib/rootfs.sh base plus a
# private overlay per test, systemd-nspawn without --boot, no network):
# preseeded install asks nothing and leaves node1's or node2's configuration
# with the right modes and owners; reinstall changes nothing; a reconfigure
# with a new VIP rewrites every file that mentions it; an admin edit to a
# ucf-managed file survives; purge leaves nothing of ours behind; a witness
# machine the debconf answers name but that refuses the node leaves it
# installed without one, with the reason.

load ../lib/prereq
bats_require_minimum_version 1.5.0

setup_file() {
	prereq_root systemd-nspawn
	load build-deb
	load rootfs-env
	load debconf-env
	export SHARE=$BATS_FILE_TMPDIR/share
	mkdir -p "$SHARE"
	pkg_build "$BATS_FILE_TMPDIR/pkg"
	cp "$PKG_DEB" "$SHARE/voip-ha-node.deb"
	[ -z "${PKG_WITNESS_DEB:-}" ] || cp "$PKG_WITNESS_DEB" "$SHARE/voip-ha-witness.deb"
	# Debian's pgbackrest for backup=repo-host (its dependencies are in the base)
	cp /var/cache/apt/archives/pgbackrest_*.deb "$SHARE/" 2>/dev/null ||
		(cd "$SHARE" && apt-get download -q pgbackrest >/dev/null)
	dc_valid_preseed >"$SHARE/node1.preseed"
	sed 's|/this-node select node1|/this-node select node2|' "$SHARE/node1.preseed" >"$SHARE/node2.preseed"
	rootfs_prepare
	export ROOTFS
}

setup() {
	prereq_root systemd-nspawn
	load rootfs-env
	UPPER=$BATS_TEST_TMPDIR/upper
}

root() { in_root "$UPPER" "$SHARE" "$1"; }

# install NODE [FRONTEND]: preseed and apt-get install the .deb.
install_node() {
	root "debconf-set-selections /mnt/share/$1.preseed &&
		DEBIAN_FRONTEND=${2:-noninteractive} apt-get install -y -q /mnt/share/voip-ha-node.deb"
}

# Every file the package generated (from its own record), plus cluster.conf.
GENERATED='{ cut -d" " -f2 /var/lib/voip-ha/installed-files | while read -r f; do [ -f "$f" ] && echo "$f"; done; echo /etc/voip-ha/cluster.conf; }'

@test "node1: preseeded install asks nothing and configures node1" {
	# The teletype frontend would print any question it asks.
	run --separate-stderr install_node node1 teletype
	[ "$status" -eq 0 ]
	[[ "$output$stderr" != *"address of node"* ]]
	[[ "$output$stderr" != *"Password of"* ]]
	run root 'stat -c "%a %U:%G" /etc/voip-ha/cluster.conf'
	[ "$output" = "600 root:root" ]
	run root 'cat /etc/voip-ha/cluster.conf'
	[[ "$output" == *"this_node=node1"* ]]
	[[ "$output" == *"virtual_address=198.51.100.10"* ]]
	[[ "$output" == *"replication_password=re\"pl'\$:\\ä-pass"* ]]
	[[ "$output" =~ admin_api_key=[A-Za-z0-9+/]{43}= ]]
	[[ "$output" == *"witness_address=198.51.100.2"* ]]
	# Secrets left debconf once stored.
	run root 'grep -l -F "kam-secret" /var/cache/debconf/*.dat'
	[ "$status" -eq 1 ]
}

# installed_vs_listing: in the installed root, `voip-ha generate --list` (the
# real generator on the installed MANIFEST; the only reader of it), then for
# each file it names: "path mode owner:group" as installed and whether its
# content is the staged copy's, then ucf's registry and the purge record.
installed_vs_listing() {
	root 'set -e
		voip-ha generate --list >/tmp/list
		cat /tmp/list; echo ---
		while read -r d _; do
			stat -c "%n %a %U:%G" "$d"
			if cmp -s "/var/lib/voip-ha/generated$d" "$d"; then echo "$d: staged"; else echo "$d: differs"; fi
		done </tmp/list
		echo ---; awk "{ print \$NF }" /var/lib/ucf/registry
		echo ---; cat /var/lib/voip-ha/installed-files'
}

@test "node1: every file of generate --list is installed with its mode, owner, staged content and policy" {
	install_node node1
	run installed_vs_listing
	[ "$status" -eq 0 ]
	local part=0 listing=() installed='' registry='' record='' l d m o p n_ucf=0 n_own=0
	for l in "${lines[@]}"; do
		if [ "$l" = --- ]; then part=$((part + 1)); continue; fi
		case $part in
		0) listing+=("$l") ;;
		1) installed+="$l"$'\n' ;;
		2) registry+="$l"$'\n' ;;
		3) record+="$l"$'\n' ;;
		esac
	done
	[ "${#listing[@]}" -ge 19 ]
	for l in "${listing[@]}"; do
		read -r d m o p _ <<<"$l"
		grep -qxF "$d ${m#0} $o" <<<"$installed" ||
			{ echo "listed: $l; installed: $(grep -F "$d " <<<"$installed")" >&2; return 1; }
		grep -qxF "$d: staged" <<<"$installed" || { echo "$d differs from the staged copy" >&2; return 1; }
		case $p in
		ucf)
			grep -qxF "$d" <<<"$registry" || { echo "$d: not registered with ucfr" >&2; return 1; }
			grep -qxF "ucf $d" <<<"$record" || { echo "$d: not recorded as ucf" >&2; return 1; }
			n_ucf=$((n_ucf + 1))
			;;
		own | freeswitch)
			if grep -qxF "$d" <<<"$registry"; then echo "$d: ours, but registered with ucfr" >&2; return 1; fi
			grep -qxF "own $d" <<<"$record" || { echo "$d: not recorded as own" >&2; return 1; }
			n_own=$((n_own + 1))
			;;
		*) echo "$d: policy '$p' on a node" >&2; return 1 ;;
		esac
	done
	[ "$n_ucf" -eq 3 ] # keepalived.conf, pg_hba.conf, lsyncd.conf.lua
	[ "$n_own" -ge 15 ]
	output=${listing[*]}
	[[ "$output" == *"/etc/keepalived/keepalived.conf 0600 root:root ucf"* ]]
	[[ "$output" == *"/etc/voip-ha/kamailio/kamailio.cfg 0640 root:kamailio own"* ]]
	[[ "$output" == *"/etc/voip-ha/voip-admin.conf 0640 root:voip-admin own"* ]]
	[[ "$output" == *"/etc/postgresql/15/main/pg_hba.conf 0640 postgres:postgres ucf"* ]]
	[[ "$installed" == *"/etc/keepalived/keepalived.conf 600 root:root"* ]]
	[[ "$installed" == *"/etc/voip-ha/kamailio/kamailio.cfg 640 root:kamailio"* ]]
	[[ "$installed" == *"/etc/voip-ha/voip-admin.conf 640 root:voip-admin"* ]]
	run root 'stat -c "%a %U:%G" /var/lib/voip-ha/generated'
	[ "$output" = "700 root:root" ]
	run root 'grep -h -E "unicast_src_ip|^ *priority" /etc/keepalived/keepalived.conf'
	[[ "$output" == *"unicast_src_ip 198.51.100.11"* ]]
	[[ "$output" == *"priority 150"* ]]
	run root 'grep -E "name=\"(sip|rtp)-ip\"" /etc/voip-ha/freeswitch/sip_profiles/internal.xml'
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *'value="198.51.100.11"'* ]]
	[[ "${lines[1]}" == *'value="198.51.100.11"'* ]]
	# ucf knows the shared files, and nothing of Kamailio's.
	run root 'cut -f2 /var/lib/ucf/registry | sort'
	[[ "$output" == *"/etc/keepalived/keepalived.conf"* ]]
	[[ "$output" == *"/etc/postgresql/15/main/pg_hba.conf"* ]]
	[[ "$output" != *"/etc/kamailio/"* ]]
	kamailio_as_shipped
	# kamailio.service runs our file (the drop-in replaces ExecStart).
	run root 'grep "^ExecStart=" /lib/systemd/system/kamailio.service.d/voip-ha.conf'
	[ "${lines[0]}" = "ExecStart=" ]
	[[ "${lines[1]}" == "ExecStart=/usr/sbin/kamailio "*" -f /etc/voip-ha/kamailio/kamailio.cfg "* ]]
}

# kamailio_as_shipped: the kamailio package's conffile is untouched (dpkg's
# digest) and nothing of ours is left next to it.
kamailio_as_shipped() {
	run root 'dpkg-query -W -f="\${Conffiles}\n" kamailio | awk "\$1 == \"/etc/kamailio/kamailio.cfg\" { print \$2 }"; md5sum </etc/kamailio/kamailio.cfg | cut -d" " -f1'
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "${lines[1]}" ]
	run root 'ls /etc/kamailio'
	[[ "$output" != *voip-ha* && "$output" != *ucf* && "$output" != *dispatcher.list* ]]
}

# The last commit whose package installed Kamailio's files at /etc/kamailio/
# through ucf (moving the kamailio package's kamailio.cfg aside).
PREVIOUS_SHARED_KAMAILIO=b68442c

# previous_deb: /mnt/share/previous.deb in the roots, built once per run
# from PREVIOUS_SHARED_KAMAILIO (also a version without
# kamailio_metrics_port); skips without the git history.
previous_deb() {
	optional "no git history to build the previous version from" \
		git -C "$PKG_TREE" rev-parse -q --verify "$PREVIOUS_SHARED_KAMAILIO^{commit}"
	load build-deb
	local old=$BATS_FILE_TMPDIR/previous
	if [ ! -e "$SHARE/previous.deb" ]; then
		mkdir -p "$old/tree"
		git -C "$PKG_TREE" archive "$PREVIOUS_SHARED_KAMAILIO" | tar -C "$old/tree" -xf -
		PKG_TREE=$old/tree pkg_build "$old"
		cp "$PKG_DEB" "$SHARE/previous.deb"
	fi
}

@test "upgrade from the version that shared /etc/kamailio through ucf: unregistered, shipped file back, admin edit kept" {
	previous_deb
	root 'debconf-set-selections /mnt/share/node1.preseed &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q /mnt/share/previous.deb'
	run root 'cut -f2 /var/lib/ucf/registry; ls /etc/kamailio'
	[[ "$output" == *"/etc/kamailio/kamailio.cfg"* ]] # the old state, really
	[[ "$output" == *"kamailio.cfg.voip-ha-orig"* ]]
	root 'echo "# admin edit" >>/etc/kamailio/dispatcher.list'
	root 'cp /etc/kamailio/dispatcher.list /root/edited'
	run --separate-stderr root 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall /mnt/share/voip-ha-node.deb'
	[ "$status" -eq 0 ]
	[[ "$output$stderr" == *"/etc/kamailio/dispatcher.list had local changes: kept as /etc/kamailio/dispatcher.list.voip-ha-edited"* ]]
	run root 'cut -f2 /var/lib/ucf/registry; grep -c /etc/kamailio/ /var/lib/ucf/hashfile /var/lib/voip-ha/installed-files'
	[[ "$output" != *"/etc/kamailio/"*"/etc/kamailio/"* ]]
	[[ "$output" == *"hashfile:0"* && "$output" == *"installed-files:0"* ]]
	root 'cmp /root/edited /etc/kamailio/dispatcher.list.voip-ha-edited && rm /etc/kamailio/dispatcher.list.voip-ha-edited'
	kamailio_as_shipped
	root 'test -s /etc/voip-ha/kamailio/kamailio.cfg && test -s /etc/voip-ha/kamailio/dispatcher.list'
}

@test "noninteractive upgrade from a version without kamailio_metrics_port, 9101 already admin_metrics_port: the next free port" {
	previous_deb
	root 'debconf-set-selections /mnt/share/node1.preseed &&
		echo "voip-ha-node voip-ha-node/admin-metrics-port string 9101" | debconf-set-selections &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q /mnt/share/previous.deb'
	run root 'grep -c "^kamailio_metrics_port=" /etc/voip-ha/cluster.conf'
	[ "$output" = 0 ] # the old state, really
	run --separate-stderr root 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q /mnt/share/voip-ha-node.deb'
	[ "$status" -eq 0 ]
	run root 'grep -E "^(admin|kamailio)_metrics_port=" /etc/voip-ha/cluster.conf; grep -c ":9102$" /etc/voip-ha/kamailio/kamailio.cfg'
	[ "${lines[0]}" = admin_metrics_port=9101 ]
	[ "${lines[1]}" = kamailio_metrics_port=9102 ]
	[ "${lines[2]}" = 1 ] # Kamailio's metrics socket
}

@test "node2: the same .deb with this-node=node2 gives node2's configuration" {
	install_node node2
	run root 'grep -h -E "unicast_src_ip|^ *priority" /etc/keepalived/keepalived.conf'
	[[ "$output" == *"unicast_src_ip 198.51.100.12"* ]]
	[[ "$output" == *"priority 100"* ]]
	run root 'grep -E "name=\"(sip|rtp)-ip\"" /etc/voip-ha/freeswitch/sip_profiles/internal.xml'
	[[ "${lines[0]}" == *'value="198.51.100.12"'* ]]
	[[ "${lines[1]}" == *'value="198.51.100.12"'* ]]
	run root 'grep -c -F "value=\"198.51.100.10\"" /etc/voip-ha/freeswitch/sip_profiles/internal.xml'
	[ "$output" = 0 ] # never bound to the VIP
}

@test "reinstall of the same .deb changes nothing (content, mode, owner, mtime)" {
	install_node node1
	root "$GENERATED | xargs stat -c '%n %a %U:%G %Y' | sort; $GENERATED | xargs sha256sum | sort" >"$BATS_TEST_TMPDIR/before"
	root 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall /mnt/share/voip-ha-node.deb'
	root "$GENERATED | xargs stat -c '%n %a %U:%G %Y' | sort; $GENERATED | xargs sha256sum | sort" >"$BATS_TEST_TMPDIR/after"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/before")" -gt 20 ]
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "dpkg-reconfigure with a new VIP rewrites every file that mentioned the old one" {
	install_node node1
	run root "$GENERATED | xargs grep -l -w -F 198.51.100.10"
	[ "${#lines[@]}" -ge 3 ]
	mentioned=("${lines[@]}")
	root 'echo "voip-ha-node voip-ha-node/virtual-address string 198.51.100.20" | debconf-set-selections &&
		DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node'
	run root "$GENERATED | xargs grep -l -w -F 198.51.100.10"
	echo "still mentioning the old VIP: $output" >&2
	[ -z "$output" ] # the old VIP is gone everywhere
	for f in "${mentioned[@]}"; do
		root "grep -q -w -F 198.51.100.20 $f" || { echo "new VIP missing in $f" >&2; return 1; }
	done
	# Passwords were kept although debconf no longer holds them.
	run root 'grep -c "^kamailio_db_password=kam-secret$" /etc/voip-ha/cluster.conf'
	[ "$output" = 1 ]
}

@test "hand-edited witness_address (empty) and alert_command survive reconfigure and reinstall" {
	install_node node1
	root 'sed -i "s/^witness_address=.*/witness_address=/" /etc/voip-ha/cluster.conf &&
		echo alert_command=/usr/local/sbin/voip-ha-alert >>/etc/voip-ha/cluster.conf'
	want=$'witness_address=\nalert_command=/usr/local/sbin/voip-ha-alert'
	run --separate-stderr root 'DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node'
	[ "$status" -eq 0 ]
	[[ "$output$stderr" == *"W: voip-ha-node: no witness address: "* ]] # in the log
	run root 'grep -E "^(witness_address|alert_command)=" /etc/voip-ha/cluster.conf'
	[ "$output" = "$want" ]
	root 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall /mnt/share/voip-ha-node.deb'
	run root 'grep -E "^(witness_address|alert_command)=" /etc/voip-ha/cluster.conf'
	[ "$output" = "$want" ]
}

@test "hand-edited metrics_listen=node and metrics_allow survive a reconfigure, which puts /metrics on the node's address" {
	install_node node1
	run root 'grep -x "metrics_address=127.0.0.1" /etc/voip-ha/voip-admin.conf'
	[ "$status" -eq 0 ]
	root 'echo metrics_listen=node >>/etc/voip-ha/cluster.conf &&
		echo metrics_allow=203.0.113.7,192.0.2.0/24 >>/etc/voip-ha/cluster.conf'
	run --separate-stderr root 'DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node'
	[ "$status" -eq 0 ]
	run root 'grep -E "^metrics_(listen|allow)=" /etc/voip-ha/cluster.conf'
	[ "$output" = $'metrics_listen=node\nmetrics_allow=203.0.113.7,192.0.2.0/24' ]
	addr=$(root 'sed -n "s/^node1_address=//p" /etc/voip-ha/cluster.conf')
	run root 'grep -E "^(listen_address|metrics_address|metrics_allow)=" /etc/voip-ha/voip-admin.conf'
	[ "$output" = $'listen_address=127.0.0.1\nmetrics_address='"$addr"$'\nmetrics_allow=203.0.113.7,192.0.2.0/24' ]
	run root 'stat -c "%a %U:%G" /etc/voip-ha/nftables/metrics.nft; grep -c "elements = { 203.0.113.7, 192.0.2.0/24 }" /etc/voip-ha/nftables/metrics.nft'
	[ "$output" = $'644 root:root\n1' ]
}

# Unattended (noninteractive debconf), ucf's default answer keeps a file the
# admin changed and replaces the ones nobody touched.
@test "an admin edit to a ucf-managed file survives a reconfigure" {
	install_node node1
	root 'echo "# local tweak by the admin" >>/etc/postgresql/15/main/pg_hba.conf'
	root 'echo "voip-ha-node voip-ha-node/virtual-address string 198.51.100.30" | debconf-set-selections &&
		DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node'
	run root 'tail -n 1 /etc/postgresql/15/main/pg_hba.conf; grep -c -w -F 198.51.100.30 /etc/postgresql/15/main/pg_hba.conf.ucf-dist'
	[ "${lines[0]}" = "# local tweak by the admin" ]
	[ "${lines[1]}" -ge 1 ]
	# Files nobody edited did follow the new VIP.
	root 'grep -q -w -F 198.51.100.30 /etc/keepalived/keepalived.conf'
}

@test "purge leaves nothing of ours behind" {
	# Not compared: package manager state and logs, and ucf's rotating
	# backups of its own database (hashfile.N, registry.N).
	list='find /etc /usr /var /lib -xdev \( -path /var/cache -o -path /var/log -o -path /var/lib/dpkg -o -path /var/lib/apt -o -path "/var/lib/ucf/*.[0-9]" \) -prune -o -print | sort'
	root "$list" >"$BATS_TEST_TMPDIR/before"
	root 'sha256sum /etc/kamailio/kamailio.cfg' >"$BATS_TEST_TMPDIR/kam-before"
	install_node node1
	run root 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q voip-ha-node'
	[ "$status" -eq 0 ]
	# apt passes the postrm's stderr on with its own output.
	[[ "$output" == *"left behind: call recordings in /var/lib/freeswitch/recordings"* ]]
	root "$list" >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# The kamailio package's own file is back, byte for byte.
	root 'sha256sum /etc/kamailio/kamailio.cfg' | diff -u "$BATS_TEST_TMPDIR/kam-before" -
	run root 'debconf-show voip-ha-node; grep -c voip-ha-node /var/lib/ucf/registry'
	[ "${lines[0]}" = 0 ]
}

@test "backup=repo-host: pgbackrest required, then the node's TLS files made once and kept, purged with the package" {
	install_node node1
	# (a cached base may carry pgbackrest already: this root has none)
	run root 'dpkg --purge pgbackrest >/dev/null 2>&1
		printf "backup=repo-host\nbackup_host=198.51.100.2\n" >>/etc/voip-ha/cluster.conf
		DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node'
	[ "$status" -ne 0 ]
	[[ "$output" == *"backup=repo-host in /etc/voip-ha/cluster.conf needs pgBackRest"*"apt-get install pgbackrest"* ]]
	snap='stat -c "%a %U:%G %Y %n" /etc/pgbackrest/tls/*'
	# (dpkg-reconfigure leaves the package installed; dpkg --configure if not)
	run root "dpkg -i /mnt/share/pgbackrest_*.deb >/dev/null 2>&1; export DEBIAN_FRONTEND=noninteractive
		{ dpkg-reconfigure voip-ha-node || dpkg --configure voip-ha-node; } && $snap &&
		openssl verify -CAfile /etc/pgbackrest/tls/ca.crt /etc/pgbackrest/tls/host.crt"
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	[[ "$output" == *"voip-ha: wrote /etc/pgbackrest/tls/host.key"* ]]
	[[ "$output" == *"640 root:postgres "*" /etc/pgbackrest/tls/host.key"* ]]
	[[ "$output" == *"644 root:root "*" /etc/pgbackrest/tls/host.crt"* ]]
	[[ "$output" == *"/etc/pgbackrest/tls/host.crt: OK"* ]]
	first=$(printf '%s\n' "$output" | grep '^[0-9]* root:')
	run root "DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node 2>&1; $snap"
	[[ "$output" != *"wrote /etc/pgbackrest/tls"* ]]
	[ "$(printf '%s\n' "$output" | grep '^[0-9]* root:')" = "$first" ]
	run root 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q voip-ha-node >/dev/null 2>&1; ls /etc/pgbackrest/tls 2>&1'
	[[ "$output" != *host.key* ]]
	[[ "$output" != *ca.crt* ]]
}

@test "an invalid preseed fails the install with E: and never hangs" {
	sed 's|/node2-address string .*|/node2-address string 198.51.100.011|' "$SHARE/node1.preseed" >"$SHARE/bad.preseed"
	run timeout 300 bash -c "$(declare -f in_root); ROOTFS='$ROOTFS'; in_root '$UPPER' '$SHARE' 'debconf-set-selections /mnt/share/bad.preseed &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q /mnt/share/voip-ha-node.deb'"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ] # not killed by the timeout
	[[ "$output" == *"E: voip-ha-node: voip-ha-node/node2-address: '198.51.100.011' is not a valid IPv4 address"* ]]
	run root 'test -e /etc/voip-ha/cluster.conf'
	[ "$status" -ne 0 ]
}

@test "the FreeSWITCH trigger runs the postinst without error" {
	install_node node1
	run --separate-stderr root 'dpkg-trigger --no-await /etc/freeswitch &&
		DEBIAN_FRONTEND=noninteractive dpkg --triggers-only voip-ha-node &&
		dpkg-query -W -f="\${Status}\n" voip-ha-node'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Processing triggers for voip-ha-node"* ]]
	[ "${lines[-1]}" = "install ok installed" ]
}

# FreeSWITCH is not in Debian: a stand-in binary and /etc/freeswitch, then
# the package's trigger (hook 50), as when FreeSWITCH is installed later.
fs_trigger='dpkg-trigger --no-await /etc/freeswitch && DEBIAN_FRONTEND=noninteractive dpkg --triggers-only voip-ha-node'
# Each freeswitch row of the listing: "copy mode owner:group", then the copy
# as installed, "path mode owner:group", and whether it is the staged file.
fs_copies='voip-ha generate --list | while read -r src m o p copy cm co; do
	[ "$p" = freeswitch ] || continue
	echo "$copy ${cm#0} $co"
	stat -c "%n %a %U:%G" "$copy"
	cmp -s "$src" "$copy" && echo same || echo differs
done'

@test "FreeSWITCH: hook 50 copies each file with the mode and owner the listing gives, staged ones until its group exists" {
	install_node node1
	root 'mkdir -p /etc/freeswitch && printf "#!/bin/sh\nexit 0\n" >/usr/bin/freeswitch && chmod 755 /usr/bin/freeswitch'
	run --separate-stderr root "$fs_trigger"
	[ "$status" -eq 0 ]
	[[ "$output$stderr" == *"FreeSWITCH configuration installed into /etc/freeswitch"* ]]
	run root "$fs_copies"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 21 ] # seven files
	for ((i = 0; i < ${#lines[@]}; i += 3)); do
		[ "${lines[i]}" = "${lines[i + 1]}" ] || { echo "listed: ${lines[i]}, installed: ${lines[i + 1]}" >&2; return 1; }
		[ "${lines[i + 2]}" = same ] || { echo "${lines[i]}: not the staged content" >&2; return 1; }
	done
	# No freeswitch group yet: the secrets keep the staged 0600 root:root.
	[[ "$output" == *"/etc/freeswitch/autoload_configs/xml_curl.conf.xml 600 root:root"* ]]
	[[ "$output" == *"/etc/freeswitch/sip_profiles/internal.xml 644 root:root"* ]]
	# Once the group exists the MANIFEST's 0640 root:freeswitch applies.
	run --separate-stderr root "groupadd --system freeswitch && $fs_trigger"
	[ "$status" -eq 0 ]
	[[ "$output$stderr" == *"FreeSWITCH configuration installed into /etc/freeswitch"* ]]
	run root "$fs_copies"
	for ((i = 0; i < ${#lines[@]}; i += 3)); do
		[ "${lines[i]}" = "${lines[i + 1]}" ] || { echo "listed: ${lines[i]}, installed: ${lines[i + 1]}" >&2; return 1; }
	done
	for f in event_socket xml_curl xml_cdr; do
		[[ "$output" == *"/etc/freeswitch/autoload_configs/$f.conf.xml 640 root:freeswitch"* ]]
	done
	[[ "$output" == *"/etc/freeswitch/autoload_configs/acl.conf.xml 644 root:root"* ]]
	# Nothing changed since: nothing is copied again.
	root "find /etc/freeswitch -type f -printf '%p %i %Y\n' | sort" >"$BATS_TEST_TMPDIR/before"
	run --separate-stderr root "$fs_trigger"
	[ "$status" -eq 0 ]
	[[ "$output$stderr" != *"FreeSWITCH configuration installed"* ]]
	root "find /etc/freeswitch -type f -printf '%p %i %Y\n' | sort" | diff -u "$BATS_TEST_TMPDIR/before" -
}

# Each bad MANIFEST row stops the configuration at the generator, naming
# MANIFEST:line, before any file is replaced.
@test "a bad MANIFEST row fails the configuration with MANIFEST:line and changes no file" {
	install_node node1
	root "$GENERATED | xargs stat -c '%n %a %U:%G %Y' | sort; $GENERATED | xargs sha256sum | sort" >"$BATS_TEST_TMPDIR/before"
	local row msg m=/usr/share/voip-ha/templates/MANIFEST
	while IFS='|' read -r row msg; do
		run --separate-stderr root "cp $m /tmp/M && echo '$row' >>$m && n=\$(wc -l <$m) &&
			DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node; rc=\$?; cp /tmp/M $m; echo n=\$n; exit \$rc"
		[ "$status" -ne 0 ] || { echo "'$row' accepted" >&2; return 1; }
		n=${lines[-1]#n=}
		[[ "$output$stderr" == *"$m:$n: $msg"* ]] || { echo "'$row': $output$stderr" >&2; return 1; }
	done <<'ROWS'
x.tmpl /etc/voip-ha/x 0600 root:root|expected 'template destination mode owner:group policy'
x.tmpl /etc/voip-ha/x 0600 root:root shared|policy 'shared' must be own, ucf, freeswitch or deploy
x.tmpl /etc/voip-ha/freeswitch/x 0600 root:root freeswitch|policy freeswitch needs the mode and owner:group
ROWS
	root "$GENERATED | xargs stat -c '%n %a %U:%G %Y' | sort; $GENERATED | xargs sha256sum | sort" >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

# The PostgreSQL cluster is made by the bring-up hooks on a booted node; here
# pg_createcluster stands in for them (as hook 20 does it).
make_cluster='mv /etc/postgresql/15/main/pg_hba.conf /tmp/hba && pg_createcluster 15 main >/dev/null && mv -f /tmp/hba /etc/postgresql/15/main/pg_hba.conf'

@test "purge keeps the PostgreSQL cluster by default and says so" {
	install_node node1
	root "$make_cluster"
	run root 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q voip-ha-node'
	[ "$status" -eq 0 ]
	[[ "$output" == *"left behind: PostgreSQL cluster 15/main"* ]]
	root 'test -s /var/lib/postgresql/15/main/PG_VERSION'
}

@test "purge removes the PostgreSQL cluster when purge-database is true" {
	install_node node1
	root "$make_cluster"
	root 'echo "voip-ha-node voip-ha-node/purge-database boolean true" | debconf-set-selections'
	run root 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -q voip-ha-node'
	[ "$status" -eq 0 ]
	[[ "$output" == *"removing PostgreSQL cluster 15/main"* ]]
	run root 'test -e /var/lib/postgresql/15/main'
	[ "$status" -ne 0 ]
}

# ------------------------------------------------------- the witness machine
# A real witness in the node's root: voip-ha-witness's files unpacked
# (dpkg-deb -x: the package conflicts with voip-ha-node, a witness is a
# machine of its own) and its `setup` on a second PostgreSQL cluster,
# 15/witness on port 5433, at 198.51.100.2; node1's address on loopback too,
# and the preferred source of the route to the witness, so the node's
# connections come from an address the witness lets in.
WITNESS_PW=arb-right-pass
root_w() {
	root "set -e
		{
			ip addr add 198.51.100.2/32 dev lo || true
			ip addr add 198.51.100.11/32 dev lo || true
			ip route change local 198.51.100.2 dev lo table local proto kernel scope host src 198.51.100.11 || true
			if [ ! -d /etc/postgresql/15/witness ]; then pg_createcluster -p 5433 15 witness; fi
			pg_ctlcluster 15 witness start || true
		} >/dev/null 2>&1
		$1"
}

# arb_answers ADDRESS CLUSTER PASSWORD: debconf answers for the witness machine.
arb_answers() {
	printf 'voip-ha-node voip-ha-node/%s\n' "arbiter select postgresql" "arbiter-address string $1" \
		"arbiter-port string 5433" "arbiter-cluster string $2" "arbiter-password password $3" \
		"arbiter-password-again password $3"
}

# arb_reconfigure ADDRESS CLUSTER PASSWORD: preseeded reconfigure, then
# cluster.conf's arbiter lines (no password) and the package's state.
arb_reconfigure() {
	arb_answers "$@" >"$SHARE/arb.preseed"
	run --separate-stderr root_w 'debconf-set-selections /mnt/share/arb.preseed &&
		DEBIAN_FRONTEND=noninteractive dpkg-reconfigure voip-ha-node; echo "rc=$?"
		grep -E "^arbiter(_address|_port|_cluster)?=" /etc/voip-ha/cluster.conf
		dpkg-query -W -f="\${Status}\n" voip-ha-node'
}

@test "witness machine refused at install (password, pair name, address): named, the node installed without it; the right answers switch it on" {
	prereq "no voip-ha-witness .deb (VOIPHA_TEST_WITNESS_DEB)" test -e "$SHARE/voip-ha-witness.deb"
	root_w "dpkg-deb -x /mnt/share/voip-ha-witness.deb / &&
		printf '%s\n' witness_address=198.51.100.2 node1_address=198.51.100.11 node2_address=198.51.100.12 \
			clusters=voip-ha postgresql_cluster=15/witness arbiter_password=$WITNESS_PW >/root/witness.conf &&
		chmod 600 /root/witness.conf && voip-ha-witness setup --config /root/witness.conf >/dev/null"
	# Install with a wrong password: the install succeeds, without the arbiter.
	{ cat "$SHARE/node1.preseed"; arb_answers 198.51.100.2 voip-ha not-the-password; } >"$SHARE/arb-install.preseed"
	run --separate-stderr root_w 'debconf-set-selections /mnt/share/arb-install.preseed &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q /mnt/share/voip-ha-node.deb; echo "rc=$?"
		grep -E "^arbiter(_address|_port|_cluster)?=" /etc/voip-ha/cluster.conf
		dpkg-query -W -f="\${Status}\n" voip-ha-node; test -s /etc/keepalived/keepalived.conf && echo configured'
	echo "$output$stderr" >&2
	[[ "$output" == *"rc=0"* ]]
	[[ "$output$stderr" == *"arbiter: the witness 198.51.100.2:5433 refuses this node: arbiter_password differs"* ]]
	[[ "$output$stderr" == *"arbiter=postgresql is not applied"*"now says arbiter=none"* ]]
	[[ "$output$stderr" != *not-the-password* ]]
	[[ "$output" == *$'arbiter=none\narbiter_address=198.51.100.2\narbiter_port=5433\narbiter_cluster=voip-ha\n'* ]]
	[[ "$output" == *$'install ok installed\nconfigured'* ]]
	# A pair name the witness does not arbitrate.
	arb_reconfigure 198.51.100.2 other-pbx "$WITNESS_PW"
	[[ "$output" == *"rc=0"* ]]
	[[ "$output$stderr" == *"arbiter: the witness 198.51.100.2:5433 arbitrates no pair named 'other-pbx'"* ]]
	[[ "$output" == *$'arbiter=none\n'* && "$output" == *"install ok installed"* ]]
	[[ "$output$stderr" != *"$WITNESS_PW"* ]]
	# An address where no witness answers.
	arb_reconfigure 198.51.100.9 voip-ha "$WITNESS_PW"
	[[ "$output" == *"rc=0"* ]]
	[[ "$output$stderr" == *"arbiter: the witness 198.51.100.9:5433 does not answer"*"check arbiter_address and arbiter_port"* ]]
	[[ "$output" == *$'arbiter=none\n'* && "$output" == *"install ok installed"* ]]
	# The right answers: the witness takes the node, the arbiter is on.
	arb_reconfigure 198.51.100.2 voip-ha "$WITNESS_PW"
	[[ "$output" == *"rc=0"* ]]
	[[ "$output$stderr" == *"arbiter: the witness 198.51.100.2:5433 answers"* ]]
	[[ "$output" == *$'arbiter=postgresql\narbiter_address=198.51.100.2\n'* ]]
	run root 'grep -c "^arbiter_password=arb-right-pass$" /etc/voip-ha/cluster.conf; grep -l -F arb-right-pass /var/cache/debconf/*.dat'
	[ "${lines[0]}" = 1 ] # stored, and gone from debconf
	[ "${#lines[@]}" -eq 1 ]
}
