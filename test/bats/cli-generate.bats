#!/usr/bin/env bats
# voip-ha generate: rendering, --out/--all/--root/--dry-run, ownership,
# idempotence and all-or-nothing behaviour. Uses the small template set in
# test/unit/data/templates (and the real templates/ when present).

load cli-helpers

gen() {
	"$VOIPHA" generate --config "${CONF:-$GOOD}" --templates "${TDIR:-$TEMPLATES}" "$@"
}

# A private copy of the test templates whose MANIFEST a test may change.
copy_templates() {
	TDIR=$BATS_TEST_TMPDIR/templates
	cp -r "$TEMPLATES" "$TDIR"
}

@test "generate --all --out: node1/, node2/ and DEPLOY.md" {
	out=$BATS_TEST_TMPDIR/out
	run -0 --separate-stderr gen --all --out "$out"
	assert_line "created $out/node1/etc/keepalived/keepalived.conf"
	assert_line "created $out/node2/etc/keepalived/keepalived.conf"
	assert_line "created $out/DEPLOY.md"
	[ ! -e "$out/node1/DEPLOY.md" ]
	grep -q 'node1 pbx1 at 198.51.100.11, node2 pbx2 at 198.51.100.12, VIP 198.51.100.10/24' "$out/DEPLOY.md"
	grep -q 'state MASTER' "$out/node1/etc/keepalived/keepalived.conf"
	grep -q 'priority 150' "$out/node1/etc/keepalived/keepalived.conf"
	grep -q 'state BACKUP' "$out/node2/etc/keepalived/keepalived.conf"
	grep -q 'priority 100' "$out/node2/etc/keepalived/keepalived.conf"
	grep -q 'interface ens3' "$out/node2/etc/keepalived/keepalived.conf"
	x1=$out/node1/etc/voip-ha/freeswitch/autoload_configs/event_socket.conf.xml
	x2=$out/node2/etc/voip-ha/freeswitch/autoload_configs/event_socket.conf.xml
	grep -q 'name="listen-ip" value="198.51.100.11"' "$x1"
	grep -q 'name="listen-ip" value="198.51.100.12"' "$x2"
	run ! grep -q 198.51.100.10 "$x1" "$x2"
}

@test "generate: modes come from the MANIFEST" {
	out=$BATS_TEST_TMPDIR/out
	gen --node node1 --out "$out" >/dev/null
	assert_equal "$(stat -c %a "$out/etc/keepalived/keepalived.conf")" 600
	assert_equal "$(stat -c %a "$out/etc/kamailio/voip-ha.cfg")" 640
	assert_equal "$(stat -c %a "$out/etc/lsyncd/lsyncd.conf.lua")" 644
}

@test "generate: nasty secrets come out right in every syntax" {
	out=$BATS_TEST_TMPDIR/out
	gen --node node1 --out "$out" >/dev/null
	pw='r"e'"'"'p\l$:${x}$${y} mật khẩu'
	# PostgreSQL conf: '' and \\ inside single quotes.
	grep -qF "password=r\"e''p\\\\l\$:\${x}\$\${y} mật khẩu'" "$out"/etc/postgresql/*/main/conf.d/50-voip-ha.conf
	# .pgpass: \: and \\.
	grep -qF 'replicator:r"e'"'"'p\\l$\:${x}$${y} mật khẩu' "$out/var/lib/voip-ha/pgpass"
	# XML: parsed back by a real XML parser, and no ${ left in the raw text.
	x=$out/etc/voip-ha/freeswitch/autoload_configs/event_socket.conf.xml
	run -0 xmllint --noout "$x"
	run ! grep -qF '${' "$x"
	# Lua: the real interpreter reads the string back.
	prereq_cmd lua5.3
	printf '%s\n' 'settings = function() end; sync = function() end; default = {}' \
		'dofile(arg[1]); io.write(password)' > "$BATS_TEST_TMPDIR/read.lua"
	run -0 lua5.3 "$BATS_TEST_TMPDIR/read.lua" "$out/etc/lsyncd/lsyncd.conf.lua"
	assert_equal "$output" "admin-Secret-3"
	f=$(conf_with admin_db_password "$pw")
	CONF=$f gen --node node1 --out "$BATS_TEST_TMPDIR/o2" >/dev/null
	run -0 lua5.3 "$BATS_TEST_TMPDIR/read.lua" "$BATS_TEST_TMPDIR/o2/etc/lsyncd/lsyncd.conf.lua"
	assert_equal "$output" "$pw"
	# Shell: sourcing the file gives the value back.
	f=$(conf_with freeswitch_esl_password "$pw")
	CONF=$f gen --node node1 --out "$BATS_TEST_TMPDIR/o3" >/dev/null
	run -0 sh -c '. "$1"; printf %s "$ESL_PASSWORD"' sh "$BATS_TEST_TMPDIR/o3/etc/voip-ha/env.sh"
	assert_equal "$output" "$pw"
}

@test "generate twice: the second run changes nothing" {
	out=$BATS_TEST_TMPDIR/out
	gen --all --out "$out" >/dev/null
	before=$(tree_state "$out")
	run -0 --separate-stderr gen --all --out "$out"
	assert_equal "$output" ""
	assert_equal "$(tree_state "$out")" "$before"
}

@test "generate: a changed answer rewrites only the files that use it" {
	out=$BATS_TEST_TMPDIR/out
	gen --node node1 --out "$out" >/dev/null
	f=$(conf_with kamailio_sip_port 5070)
	CONF=$f run -0 --separate-stderr gen --node node1 --out "$out"
	assert_equal "$output" "updated $out/etc/kamailio/voip-ha.cfg"
}

@test "generate --dry-run lists what would change and writes nothing" {
	out=$BATS_TEST_TMPDIR/out
	run -0 --separate-stderr gen --node node2 --out "$out" --dry-run
	assert_line "would create $out/etc/keepalived/keepalived.conf"
	[ ! -e "$out" ]
	gen --node node2 --out "$out" >/dev/null
	f=$(conf_with vrrp_router_id 77)
	CONF=$f run -0 gen --node node2 --out "$out" --dry-run
	assert_equal "$output" "would update $out/etc/keepalived/keepalived.conf"
	grep -q 'virtual_router_id 51' "$out/etc/keepalived/keepalived.conf"
}

@test "generate: a template error names template:line and writes nothing" {
	copy_templates
	printf 'ok {{raw:local_address}}\nbad {{raw:no_such_var}}\n{{raw:vrrp_password}}\n' \
		> "$TDIR/kam.tmpl"
	out=$BATS_TEST_TMPDIR/out
	run -1 --separate-stderr gen --all --out "$out"
	[[ $stderr == *"$TDIR/kam.tmpl:2: unknown variable 'no_such_var'"* ]]
	[[ $stderr == *"$TDIR/kam.tmpl:3: variable 'vrrp_password' is a secret and cannot use the 'raw' escaper"* ]]
	[[ $stderr == *"voip-ha: nothing was written"* ]]
	[[ $stderr != *vrrp1234* ]]
	[ ! -e "$out" ]
}

@test "generate: a value an escaper refuses is an error naming the variable" {
	copy_templates
	printf '{{ka:replication_password}}\n' > "$TDIR/kam.tmpl"
	run -1 --separate-stderr gen --node node1 --out "$BATS_TEST_TMPDIR/out"
	[[ $stderr == *"kam.tmpl:1: the value of 'replication_password' cannot be written with the 'ka' escaper"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/out" ]
}

@test "generate: a missing template or a bad MANIFEST is reported" {
	copy_templates
	rm "$TDIR/lsyncd.tmpl"
	printf 'x.tmpl /etc/x 0777 root:root own\n' >> "$TDIR/MANIFEST"
	run -1 --separate-stderr gen --node node1 --out "$BATS_TEST_TMPDIR/out"
	[[ $stderr == *"mode '0777' must not be group- or world-writable"* ]]
	sed -i '$d' "$TDIR/MANIFEST"
	run -1 --separate-stderr gen --node node1 --out "$BATS_TEST_TMPDIR/out"
	[[ $stderr == *"cannot read template '$TDIR/lsyncd.tmpl': No such file or directory"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/out" ]
}

# The rows an install reads, nowhere else (doc/DESIGN.md "Template language").
@test "generate --list: path, mode, owner and policy of each file, destinations rendered, nothing written" {
	root=$BATS_TEST_TMPDIR/root
	make_sysroot "$root"
	before=$(tree_state "$root")
	run -0 --separate-stderr gen --root "$root" --node node1 --list
	assert_line "$root/etc/keepalived/keepalived.conf 0600 root:root ucf"
	assert_equal "$(tree_state "$root")" "$before"
	# The real paths (as an ordinary user: a --list that wrote would fail).
	run -0 --separate-stderr unprivileged "$VOIPHA" generate --config "$GOOD" --templates "$TEMPLATES" \
		--node node1 --list
	assert_equal "${#lines[@]}" 7
	assert_line '/etc/keepalived/keepalived.conf 0600 root:root ucf'
	assert_line --regexp '^/etc/postgresql/[0-9]+/main/conf\.d/50-voip-ha\.conf 0644 root:root own$'
	assert_line '/etc/lsyncd/lsyncd.conf.lua 0644 root:root ucf'
	assert_line '/etc/voip-ha/env.sh 0600 root:root own'
	assert_line '/etc/voip-ha/freeswitch/autoload_configs/event_socket.conf.xml 0640 root:root freeswitch /etc/freeswitch/autoload_configs/event_socket.conf.xml 0640 root:root'
	refute_output --partial DEPLOY.md
	refute_output --partial '{{'
	# --out and --all list what they would write, deploy files too.
	run -0 --separate-stderr gen --all --out "$BATS_TEST_TMPDIR/o" --list
	assert_equal "${#lines[@]}" 15
	assert_line "$BATS_TEST_TMPDIR/o/node2/etc/keepalived/keepalived.conf 0600 root:root ucf"
	assert_line "$BATS_TEST_TMPDIR/o/DEPLOY.md 0644 root:root deploy"
	assert_line "$BATS_TEST_TMPDIR/o/node2/etc/voip-ha/freeswitch/autoload_configs/event_socket.conf.xml 0640 root:root freeswitch $BATS_TEST_TMPDIR/o/node2/etc/freeswitch/autoload_configs/event_socket.conf.xml 0640 root:root"
	[ ! -e "$BATS_TEST_TMPDIR/o" ]
	run -2 --separate-stderr gen --node node1 --list --dry-run
	[[ $stderr == *"--list and --dry-run exclude each other"* ]]
}

@test "generate --list: a freeswitch copy gets the MANIFEST's owner when it exists, else the staged one" {
	copy_templates
	root=$BATS_TEST_TMPDIR/root
	make_sysroot "$root"
	sed -i 's|freeswitch 0640 root:root$|freeswitch 0640 postgres:voiptest|' "$TDIR/MANIFEST"
	run -0 --separate-stderr gen --root "$root" --node node2 --list
	assert_line "$root/etc/voip-ha/freeswitch/autoload_configs/event_socket.conf.xml 0640 root:root freeswitch $root/etc/freeswitch/autoload_configs/event_socket.conf.xml 0640 postgres:voiptest"
	# No such group in the sysroot: the copy keeps the staged mode and owner.
	sed -i 's|freeswitch 0640 postgres:voiptest$|freeswitch 0644 root:freeswitch|' "$TDIR/MANIFEST"
	sed -i 's|^fs.xml.tmpl\( *[^ ]*\) 0640 |fs.xml.tmpl\1 0600 |' "$TDIR/MANIFEST"
	run -0 --separate-stderr gen --root "$root" --node node2 --list
	assert_line "$root/etc/voip-ha/freeswitch/autoload_configs/event_socket.conf.xml 0600 root:root freeswitch $root/etc/freeswitch/autoload_configs/event_socket.conf.xml 0600 root:root"
	# Under --out names are printed as they are, unchecked.
	run -0 --separate-stderr gen --out "$BATS_TEST_TMPDIR/o" --node node2 --list
	assert_line --partial "freeswitch $BATS_TEST_TMPDIR/o/etc/freeswitch/autoload_configs/event_socket.conf.xml 0644 root:freeswitch"
}

# Each bad row: a clear error naming MANIFEST:line, for --list as for a real
# run, and nothing written.
@test "generate: bad MANIFEST policy columns are refused with file:line" {
	local row msg
	while IFS='|' read -r row msg; do
		copy_templates
		printf '%s\n' "$row" >> "$TDIR/MANIFEST"
		n=$(wc -l < "$TDIR/MANIFEST")
		for mode in --list --dry-run ''; do
			run -1 --separate-stderr gen --node node1 --out "$BATS_TEST_TMPDIR/out" $mode
			[[ $stderr == *"$TDIR/MANIFEST:$n: $msg"* ]] || fail "'$row' $mode: $stderr"
			assert_equal "$output" ""
			[ ! -e "$BATS_TEST_TMPDIR/out" ]
		done
	done <<'ROWS'
x.tmpl /etc/voip-ha/x 0600 root:root|expected 'template destination mode owner:group policy'
x.tmpl /etc/voip-ha/x 0600 root:root mine|policy 'mine' must be own, ucf, freeswitch or deploy
x.tmpl /etc/voip-ha/x 0600 root:root node|policy 'node' must be own, ucf, freeswitch or deploy
x.tmpl /etc/voip-ha/x 0600 root:root own 0640 root:root|unexpected '0640' after policy own
x.tmpl /etc/voip-ha/freeswitch/x 0600 root:root freeswitch|policy freeswitch needs the mode and owner:group of the copy in /etc/freeswitch/
x.tmpl /etc/voip-ha/freeswitch/x 0600 root:root freeswitch 0660 root:freeswitch|copy mode '0660' must not be group- or world-writable or set-id
x.tmpl /etc/voip-ha/freeswitch/x 0600 root:root freeswitch 0640 freeswitch|owner 'freeswitch' must be user:group
x.tmpl /etc/freeswitch/x 0600 root:root freeswitch 0640 root:freeswitch|a freeswitch destination must be a file below /etc/voip-ha/freeswitch/
ROWS
}

@test "generate --root: users and groups come from the sysroot" {
	copy_templates
	printf 'pg.tmpl /etc/voip-ha/grouped.conf 0640 postgres:voiptest own\n' >> "$TDIR/MANIFEST"
	root=$BATS_TEST_TMPDIR/root
	make_sysroot "$root"
	run -0 --separate-stderr gen --root "$root" --node node1
	assert_line "created $root/etc/voip-ha/grouped.conf"
	assert_equal "$(stat -c %a "$root/etc/voip-ha/grouped.conf")" 640
	if [ "$(id -u)" = 0 ]; then
		assert_equal "$(stat -c %u:%g "$root/etc/voip-ha/grouped.conf")" 4101:4242
		assert_equal "$(stat -c %u:%g "$root/etc/keepalived/keepalived.conf")" 0:0
	fi
	before=$(tree_state "$root")
	run -0 --separate-stderr gen --root "$root" --node node1
	assert_equal "$output" ""
	assert_equal "$(tree_state "$root")" "$before"
}

@test "generate --root: a missing group is an error and nothing is written" {
	copy_templates
	printf 'pg.tmpl /etc/voip-ha/x.conf 0640 root:kamailio own\n' >> "$TDIR/MANIFEST"
	root=$BATS_TEST_TMPDIR/root
	make_sysroot "$root"
	before=$(tree_state "$root")
	run -1 --separate-stderr gen --root "$root" --node node1
	[[ $stderr == *"MANIFEST:"*": group 'kamailio' does not exist on this system"* ]]
	assert_equal "$(tree_state "$root")" "$before"
	# Under --out owners are not used, so the same MANIFEST works.
	run -0 gen --node node1 --out "$BATS_TEST_TMPDIR/out"
}

@test "generate: this_node=auto without a matching address is an error" {
	f=$(conf_with this_node auto)
	CONF=$f run -1 --separate-stderr gen --root "$BATS_TEST_TMPDIR/r"
	[[ $stderr == *"cannot tell which node this machine is"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/r/etc" ]
}

@test "generate: this_node=auto finds the node from the machine's addresses" {
	prereq_root "a network namespace"
	prereq_cmd unshare ip
	prereq "cannot create a network namespace here" unshare -n true
	f=$(conf_with this_node auto)
	root=$BATS_TEST_TMPDIR/root
	make_sysroot "$root"
	run -0 unshare -n sh -c 'ip link set lo up && ip addr add 198.51.100.12/24 dev lo &&
		"$1" generate --config "$2" --templates "$3" --root "$4"' sh \
		"$VOIPHA" "$f" "$TEMPLATES" "$root"
	grep -q 'state BACKUP' "$root/etc/keepalived/keepalived.conf"
}

@test "generate: PostgreSQL major from the sysroot, else 18 with a note" {
	root=$BATS_TEST_TMPDIR/root
	make_sysroot "$root"
	run -0 --separate-stderr gen --root "$root" --node node1
	[[ $stderr == *"note: no PostgreSQL >= 15 found in $root/usr/lib/postgresql; assuming 18"* ]]
	[ -e "$root/etc/postgresql/18/main/conf.d/50-voip-ha.conf" ]
	for v in 15 16; do
		mkdir -p "$root/usr/lib/postgresql/$v/bin"
		touch "$root/usr/lib/postgresql/$v/bin/postgres"
	done
	run -0 --separate-stderr gen --root "$root" --node node1
	assert_equal "$stderr" ""
	assert_line "created $root/etc/postgresql/16/main/conf.d/50-voip-ha.conf"
	f=$(conf_with postgresql_version 17)
	CONF=$f run -0 --separate-stderr gen --root "$root" --node node1
	assert_line "created $root/etc/postgresql/17/main/conf.d/50-voip-ha.conf"
}

@test "generate: option errors" {
	run -2 gen --all
	run -2 gen --all --node node1 --out "$BATS_TEST_TMPDIR/o"
	run -2 gen --node node3 --out "$BATS_TEST_TMPDIR/o"
	run -2 gen --out "$BATS_TEST_TMPDIR/o" --root "$BATS_TEST_TMPDIR/r"
	run -2 gen stray
	[ ! -e "$BATS_TEST_TMPDIR/o" ]
}

@test "generate --all with the real templates and the sample pair answers" {
	out=$BATS_TEST_TMPDIR/x
	run -0 --separate-stderr "$VOIPHA" generate --all --out "$out" \
		--config "$REPO/test/fixtures/answers-pair.conf" --templates "$REPO/templates"
	[ -s "$out/node1/etc/keepalived/keepalived.conf" ]
	[ -s "$out/node2/etc/keepalived/keepalived.conf" ]
}

@test "generate: metrics_listen=node puts /metrics on each node's own address (never the VIP), the API stays on loopback" {
	out=$BATS_TEST_TMPDIR/m
	f=$(conf_with metrics_listen node metrics_allow 203.0.113.7,192.0.2.0/24)
	run -0 --separate-stderr "$VOIPHA" generate --all --out "$out" --config "$f" \
		--templates "$REPO/templates"
	for n in 1 2; do
		addr=$(sed -n "s/^node${n}_address=//p" "$f")
		vip=$(sed -n 's/^virtual_address=//p' "$f")
		conf=$out/node$n/etc/voip-ha/voip-admin.conf
		grep -qx "metrics_address=$addr" "$conf"
		grep -qx 'metrics_allow=203.0.113.7,192.0.2.0/24' "$conf"
		grep -qx 'listen_address=127.0.0.1' "$conf"
		run grep -c "$vip" "$out/node$n/etc/voip-ha/nftables/metrics.nft"
		assert_output 0
		grep -q "elements = { 203.0.113.7, 192.0.2.0/24 }" "$out/node$n/etc/voip-ha/nftables/metrics.nft"
		grep -q "ip daddr $addr tcp dport { 9100, 9101 } drop" "$out/node$n/etc/voip-ha/nftables/metrics.nft"
		kam=$out/node$n/etc/voip-ha/kamailio/kamailio.cfg
		grep -qx "listen=tcp:$addr:9101" "$kam"
		grep -qx '#!define METRICS_ALLOW "'"$addr"'/32,203.0.113.7/32,192.0.2.0/24"' "$kam"
	done
	# the default: loopback, nobody else
	f=$(conf_with metrics_listen '<absent>' metrics_allow '<absent>')
	run -0 --separate-stderr "$VOIPHA" generate --all --out "$out.d" --config "$f" \
		--templates "$REPO/templates"
	grep -qx 'metrics_address=127.0.0.1' "$out.d/node1/etc/voip-ha/voip-admin.conf"
	grep -qx 'metrics_allow=' "$out.d/node1/etc/voip-ha/voip-admin.conf"
	grep -qx 'listen=tcp:127.0.0.1:9101' "$out.d/node1/etc/voip-ha/kamailio/kamailio.cfg"
	grep -qx '#!define METRICS_ALLOW "127.0.0.1/32"' "$out.d/node1/etc/voip-ha/kamailio/kamailio.cfg"
}

@test "generate: the metrics firewall snippet is valid nftables (nft -c in a private network namespace)" {
	prereq_cmd nft unshare
	prereq_root "nft -c talks to the kernel"
	out=$BATS_TEST_TMPDIR/n
	f=$(conf_with metrics_listen node metrics_allow 203.0.113.7,192.0.2.0/24,10.0.0.0/8)
	run -0 --separate-stderr "$VOIPHA" generate --all --out "$out" --config "$f" \
		--templates "$REPO/templates"
	run -0 --separate-stderr "$VOIPHA" generate --all --out "$out.d" --config "$GOOD" \
		--templates "$REPO/templates"
	for file in "$out"/node*/etc/voip-ha/nftables/metrics.nft "$out.d"/node*/etc/voip-ha/nftables/metrics.nft; do
		run unshare -n nft -c -f "$file"
		[ "$status" -eq 0 ] || fail "$file: $output"
	done
	# and the check can fail: a broken copy is refused
	sed 's/ip saddr @scrapers/ip saddr @nosuchset/' "$out/node1/etc/voip-ha/nftables/metrics.nft" > "$out/broken.nft"
	run unshare -n nft -c -f "$out/broken.nft"
	[ "$status" -ne 0 ]
}

@test "generate: failover_profile=fast writes VRRPv3 at 0.2 s, one failed check, no VRRP password anywhere; vrrp.nft admits only the peer (nft -c)" {
	prereq_cmd nft unshare
	prereq_root "nft -c talks to the kernel"
	out=$BATS_TEST_TMPDIR/fast
	f=$(conf_with failover_profile fast)
	pw=$(sed -n 's/^vrrp_password=//p' "$f")
	run -0 --separate-stderr "$VOIPHA" generate --all --out "$out" --config "$f" \
		--templates "$REPO/templates"
	for n in 1 2; do
		ka=$out/node$n/etc/keepalived/keepalived.conf
		grep -qx '    version 3' "$ka"
		grep -qx '    advert_int 0.2' "$ka"
		grep -qx '    fall 1' "$ka"
		run grep -c '^ *authentication {' "$ka"
		assert_output 0
		run grep -rlF -- "$pw" "$out/node$n"
		assert_output ''
		peer=$(sed -n "s/^node$((3 - n))_address=//p" "$f")
		nft=$out/node$n/etc/voip-ha/nftables/vrrp.nft
		grep -qx "		ip protocol { 51, 112 } ip saddr $peer accept" "$nft"
		run unshare -n nft -c -f "$nft"
		[ "$status" -eq 0 ] || fail "$nft: $output"
	done
	# the default profile: VRRPv2 with the AH block and its password
	run -0 --separate-stderr "$VOIPHA" generate --all --out "$out.std" --config "$GOOD" \
		--templates "$REPO/templates"
	grep -qx '    version 2' "$out.std/node1/etc/keepalived/keepalived.conf"
	grep -qx '    advert_int 1' "$out.std/node1/etc/keepalived/keepalived.conf"
	grep -qx '    fall 2' "$out.std/node1/etc/keepalived/keepalived.conf"
	grep -qx '    authentication {' "$out.std/node1/etc/keepalived/keepalived.conf"
}

@test "generate: an unknown failover_profile is refused by name and nothing is written" {
	out=$BATS_TEST_TMPDIR/bad
	f=$(conf_with failover_profile turbo)
	run --separate-stderr "$VOIPHA" generate --all --out "$out" --config "$f" \
		--templates "$REPO/templates"
	[ "$status" -ne 0 ]
	[[ $stderr == *"failover_profile: must be standard or fast"* ]] || fail "$stderr"
	[ ! -e "$out" ] || [ -z "$(find "$out" -type f)" ]
}

# Two network namespaces on a veth pair: the node (198.51.100.11, stand-in
# HTTP servers on both metrics ports, metrics.nft loaded) and a scraper side
# with an allowed (.50) and another (.51) source address.
@test "generate: metrics.nft lets the listed scraper reach the metrics port and drops anyone else" {
	prereq_root "network namespaces"
	prereq_cmd nft ip python3 curl
	local out=$BATS_TEST_TMPDIR/fw node=vhm17n$$ scr=vhm17s$$ pid pid2 i codes
	f=$(conf_with metrics_listen node metrics_allow 198.51.100.50)
	run -0 --separate-stderr "$VOIPHA" generate --node node1 --out "$out" --config "$f" \
		--templates "$REPO/templates"
	ip netns add "$node"
	ip netns add "$scr"
	ip link add "vm$$a" type veth peer name "vm$$b"
	ip link set "vm$$a" netns "$node"
	ip link set "vm$$b" netns "$scr"
	ip -n "$node" addr add 198.51.100.11/24 dev "vm$$a"
	ip -n "$scr" addr add 198.51.100.50/24 dev "vm$$b"
	ip -n "$scr" addr add 198.51.100.51/24 dev "vm$$b"
	for n in "$node" "$scr"; do ip -n "$n" link set lo up; done
	ip -n "$node" link set "vm$$a" up
	ip -n "$scr" link set "vm$$b" up
	ip netns exec "$node" nft -f "$out/etc/voip-ha/nftables/metrics.nft"
	(cd "$BATS_TEST_TMPDIR" && exec ip netns exec "$node" python3 -m http.server --bind 198.51.100.11 9100) \
		>/dev/null 2>&1 3>&- &
	pid=$!
	(cd "$BATS_TEST_TMPDIR" && exec ip netns exec "$node" python3 -m http.server --bind 198.51.100.11 9101) \
		>/dev/null 2>&1 3>&- &
	pid2=$!
	for i in $(seq 1 50); do
		ip netns exec "$node" curl -s -o /dev/null http://198.51.100.11:9100/ &&
			ip netns exec "$node" curl -s -o /dev/null http://198.51.100.11:9101/ && break
		sleep 0.1
	done
	get() { # NS SOURCE PORT
		ip netns exec "$1" curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
			--interface "$2" "http://198.51.100.11:$3/"
	}
	codes="$(get "$scr" 198.51.100.50 9100) $(get "$scr" 198.51.100.51 9100) $(get "$node" 198.51.100.11 9100)"
	codes+=" $(get "$scr" 198.51.100.50 9101) $(get "$scr" 198.51.100.51 9101) $(get "$node" 198.51.100.11 9101)"
	# loading it again replaces the table instead of failing or doubling it
	ip netns exec "$node" nft -f "$out/etc/voip-ha/nftables/metrics.nft"
	codes+=" $(ip netns exec "$node" nft list table inet voip_ha_metrics | grep -c 'tcp dport { 9100, 9101 }')"
	kill "$pid" "$pid2"
	wait "$pid" "$pid2" || true
	ip netns del "$node"
	ip netns del "$scr"
	# voip-admind's and Kamailio's ports alike: allowed scraper 200, another
	# source dropped (no answer), the node itself 200
	assert_equal "$codes" "200 000 200 200 000 200 3"
}
