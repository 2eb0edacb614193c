#!/usr/bin/env bats
# debian/voip-ha-node.config without root: a throwaway debconf database
# (doc/STYLE.md 1.3), preseeds, bad preseeds under a timeout, the
# interactive readline path on a pseudo-terminal.

load ../lib/prereq
bats_require_minimum_version 1.5.0

setup() {
	load debconf-env
	dc_setup "$BATS_TEST_TMPDIR/dc"
}

# preseed_with QUESTION TYPE VALUE: the valid sample, one answer replaced.
preseed_with() {
	{ dc_valid_preseed | grep -v " voip-ha-node/$1 "; echo "voip-ha-node voip-ha-node/$1 $2 $3"; } | dc_preseed
}

@test "valid preseed: noninteractive run succeeds silently" {
	dc_valid_preseed | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(dc_get node1-address)" = 198.51.100.11 ]
	[ "$(dc_get witness-address)" = 198.51.100.2 ]
	[ "$(dc_get replication-password)" = "re\"pl'\$:\\ä-pass" ]
}

@test "valid preseed: the readline frontend asks nothing at priority high" {
	dc_valid_preseed | dc_preseed
	: >"$BATS_TEST_TMPDIR/none.steps"
	DEBIAN_FRONTEND=readline DEBIAN_PRIORITY=high run --separate-stderr \
		"$BATS_TEST_DIRNAME/drive-readline.py" "$BATS_TEST_TMPDIR/none.steps" -- \
		/usr/share/debconf/frontend "$DC_DIR/voip-ha-node.config" configure
	[ "$status" -eq 0 ]
	[[ "$output" != *:* ]] # no prompt ("...:") was printed
}

@test "empty API keys are generated: 44 base64 characters, distinct, never printed" {
	dc_valid_preseed | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	a=$(dc_get admin-api-key)
	f=$(dc_get freeswitch-api-key)
	[[ "$a" =~ ^[A-Za-z0-9+/]{43}=$ ]]
	[[ "$f" =~ ^[A-Za-z0-9+/]{43}=$ ]]
	[ "$a" != "$f" ]
	[ "$(printf %s "$a" | base64 -d | wc -c)" -eq 32 ]
	[[ "$output$stderr" != *"$a"* ]]
	# A second run (the postinst's) keeps the generated keys.
	dc_run
	[ "$(dc_get admin-api-key)" = "$a" ]
}

@test "preseeded API key is kept" {
	dc_valid_preseed | dc_preseed
	echo "voip-ha-node voip-ha-node/admin-api-key password abcdefghijklmnop_-+/=" | dc_preseed
	dc_run
	[ "$(dc_get admin-api-key)" = "abcdefghijklmnop_-+/=" ]
}

# Every bad preseed: exit 1 with "E: ... <question>: <why>" on stderr, within
# the timeout (a loop would be killed by timeout with status 124).
BAD=0
bad_preseed() { # QUESTION TYPE VALUE EXPECTED-SUBSTRING [BLAMED-QUESTION]
	dc_setup "$BATS_TEST_TMPDIR/bad$((BAD += 1))"
	preseed_with "$1" "$2" "$3"
	run --separate-stderr dc_run
	if [ "$status" -ne 1 ]; then
		echo "status $status for $1=$3" >&2
		return 1
	fi
	[[ "$stderr" == "E: voip-ha-node: voip-ha-node/${5:-$1}: "*"$4"* ]] || {
		echo "stderr: $stderr" >&2
		return 1
	}
}

@test "bad preseed: addresses" {
	bad_preseed node1-address string 198.51.100.011 "not a valid IPv4"
	bad_preseed node1-address string 198.51.100.256 "not a valid IPv4"
	bad_preseed node1-address string 198.51.100 "not a valid IPv4"
	bad_preseed node1-address string 198.51.100.1.2 "not a valid IPv4"
	bad_preseed node1-address string "" "not a valid IPv4"
	bad_preseed node2-address string " 198.51.100.12" "not a valid IPv4"
	bad_preseed node2-address string 198.51.100.11 "also node1-address"
	bad_preseed virtual-address string 198.51.100.12 "also node2-address"
	bad_preseed virtual-address string 198.51.101.10 "not a usable host address of 198.51.100.0/24"
	bad_preseed virtual-address string 198.51.100.0 "not a usable host address"
	bad_preseed virtual-address string 198.51.100.255 "not a usable host address"
	# Same rules as voip-ha validate: only unicast host addresses.
	bad_preseed node1-address string 127.0.0.11 "not a unicast host address"
	bad_preseed node2-address string 0.1.2.3 "not a unicast host address"
	bad_preseed virtual-address string 224.0.0.18 "not a unicast host address"
	# link-local: never routed, no peer or client reaches it
	bad_preseed node1-address string 169.254.10.11 "not a unicast host address"
	bad_preseed virtual-address string 169.254.0.10 "not a unicast host address"
}

@test "bad preseed: prefix, interfaces, host names, version" {
	bad_preseed prefix-length string 31 "not a number between 1 and 30"
	bad_preseed prefix-length string 024 "not a number"
	bad_preseed prefix-length string 30 "not a usable host address of 198.51.100.8/30" virtual-address
	bad_preseed node1-interface string "eth/0" "not a valid interface"
	bad_preseed node1-interface string lo "not a valid interface"
	bad_preseed node1-interface string 'eth0;x' "not a valid interface"
	bad_preseed node2-interface string 'eth"0' "not a valid interface"
	bad_preseed node2-interface string "eth0:1" "not a valid interface"
	bad_preseed node2-interface string "averyveryverylongif" "not a valid interface"
	bad_preseed node1-hostname string "-pbx1" "not a valid host name"
	bad_preseed node1-hostname string "pbx_1" "not a valid host name"
	bad_preseed node2-hostname string "pbx1" "equals the other node"
	bad_preseed postgresql-version string 14 "neither auto nor"
}

@test "bad preseed: secrets (never echoed)" {
	bad_preseed vrrp-password password 123456789 "1-8 printable ASCII"
	# keepalived cannot read a double quote back (no escape inside quotes);
	# voip-ha validate refuses it too, and a tab or non-ASCII byte
	bad_preseed vrrp-password password 'a"b' "1-8 printable ASCII"
	bad_preseed vrrp-password password "$(printf 'a\tb')" "1-8 printable ASCII"
	bad_preseed vrrp-password password 'mật' "1-8 printable ASCII"
	bad_preseed kamailio-db-password password "" "no current value to keep"
	bad_preseed admin-db-password password "$(printf 'tab\there')" "1-1024 bytes"
	bad_preseed admin-api-key password short "16-256 characters"
	bad_preseed freeswitch-api-key password 'sixteen-chars-but*' "16-256 characters"
	[[ "$stderr" != *"sixteen-chars-but"* ]]
}

@test "VRRP secrets keepalived carries in double quotes are accepted (space # ! ' { } \$ \\)" {
	local s
	for s in 'vR p#8x!' "a'b{c}" 'a$b\c'; do
		dc_setup "$BATS_TEST_TMPDIR/vrrp$((BAD += 1))"
		preseed_with vrrp-password password "$s"
		run --separate-stderr dc_run
		[ "$status" -eq 0 ] || { echo "refused: $s: $stderr" >&2; return 1; }
		[ "$(dc_get vrrp-password)" = "$s" ]
	done
}

@test "bad preseed: VRRP numbers and ports" {
	bad_preseed vrrp-router-id string 256 "not a number between 1 and 255"
	bad_preseed node1-priority string 255 "between 1 and 254"
	bad_preseed node2-priority string 150 "not above node2's 150"
	bad_preseed freeswitch-sip-port string 5060 "also kamailio-sip-port"
	bad_preseed kamailio-sip-port string 0 "between 1 and 65535"
	bad_preseed admin-metrics-port string 8080 "also admin-http-port"
	bad_preseed rtp-port-min string 1023 "between 1024 and 65535"
	bad_preseed rtp-port-max string 16384 "not below the last"
	bad_preseed rtp-port-min string 5000 "5060 (kamailio-sip-port) is inside the RTP range" kamailio-sip-port
	bad_preseed admin-http-port string 20000 "inside the RTP range"
	bad_preseed admin-http-port string 5432 "reserved"
	bad_preseed freeswitch-esl-port string 873 "reserved"
}

@test "bad preseed: witness address (the rules of voip-ha validate)" {
	bad_preseed witness-address string 300.1.1.1 "neither empty (no witness) nor a unicast IPv4 address"
	bad_preseed witness-address string 198.51.100.002 "nor a unicast IPv4 address"
	bad_preseed witness-address string 127.0.0.1 "nor a unicast IPv4 address"
	bad_preseed witness-address string 0.1.2.3 "nor a unicast IPv4 address"
	bad_preseed witness-address string 224.0.0.18 "nor a unicast IPv4 address"
	bad_preseed witness-address string gateway "nor a unicast IPv4 address"
	bad_preseed witness-address string "198.51.100.2 " "nor a unicast IPv4 address"
	bad_preseed witness-address string " 198.51.100.2" "nor a unicast IPv4 address"
	bad_preseed witness-address string 198.51.100.2/24 "nor a unicast IPv4 address"
	bad_preseed witness-address string 198.51.100.10 "198.51.100.10 is also virtual-address: the witness must be a third host"
	bad_preseed witness-address string 198.51.100.11 "is also node1-address"
	bad_preseed witness-address string 198.51.100.12 "is also node2-address"
}

# ------------------------------------------------------- the witness machine

# arb_preseed: the valid sample with a witness machine; further lines
# "QUESTION TYPE VALUE" on stdin replace its answers.
arb_preseed() {
	local q t v
	{
		dc_valid_preseed | grep -v ' voip-ha-node/arbiter '
		printf '%s\n' "voip-ha-node voip-ha-node/arbiter select postgresql" \
			"voip-ha-node voip-ha-node/arbiter-address string 198.51.100.3" \
			"voip-ha-node voip-ha-node/arbiter-password password arb-secret"
		while read -r q t v; do
			echo "voip-ha-node voip-ha-node/$q $t $v"
		done
	} | dc_preseed
}

@test "witness machine: preseeded answers are stored, defaults for port and pair name" {
	arb_preseed </dev/null
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(dc_get arbiter)" = postgresql ]
	[ "$(dc_get arbiter-address)" = 198.51.100.3 ]
	[ "$(dc_get arbiter-port)" = 5432 ]
	[ "$(dc_get arbiter-cluster)" = voip-ha ]
	[ "$(dc_get arbiter-password)" = arb-secret ]
}

BADARB=0
bad_arb() { # QUESTION TYPE VALUE EXPECTED-SUBSTRING: with a witness machine
	dc_setup "$BATS_TEST_TMPDIR/arb$((BADARB += 1))"
	echo "$1 $2 $3" | arb_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 1 ] || { echo "status $status for $1=$3" >&2; return 1; }
	[[ "$stderr" == "E: voip-ha-node: voip-ha-node/$1: "*"$4"* ]] || {
		echo "stderr: $stderr" >&2
		return 1
	}
}

@test "bad preseed: the witness machine (the rules of voip-ha validate, secrets never echoed)" {
	bad_arb arbiter select etcd "'etcd' is neither none nor postgresql"
	bad_arb arbiter-address string "" "required with a witness machine"
	bad_arb arbiter-address string 198.51.100.11 "198.51.100.11 is also node1-address: the witness machine must be a third host"
	bad_arb arbiter-address string 198.51.100.10 "is also virtual-address"
	bad_arb arbiter-address string 198.51.100.255 "network or broadcast address of the nodes' subnet 198.51.100.0/24"
	bad_arb arbiter-address string 127.0.0.1 "'127.0.0.1' is not a unicast IPv4 address"
	bad_arb arbiter-address string witness.example.org "not a unicast IPv4 address"
	bad_arb arbiter-port string 0 "'0' is not a number between 1 and 65535"
	bad_arb arbiter-cluster string Voip "'Voip' is not 1-63 of a-z"
	bad_arb arbiter-password password "" "empty, and no current value to keep"
	bad_arb arbiter-password password "$(printf 'arb\tsecret')" "1-1024 bytes"
	[[ "$stderr" != *secret* ]]
}

@test "witness machine: none asks nothing more, needs no password, and still refuses a malformed stored value" {
	{
		dc_valid_preseed
		echo "voip-ha-node voip-ha-node/arbiter-address string 198.51.100.11"
	} | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 0 ] # a node's address is only refused when it is used
	[ -z "$stderr" ]
	[ "$(dc_get arbiter)" = none ]
	# cluster.conf gets the value all the same: it must be well formed.
	echo "voip-ha-node voip-ha-node/arbiter-cluster string Bad" | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == "E: voip-ha-node: voip-ha-node/arbiter-cluster: 'Bad' is not"* ]]
}

@test "reconfigure: an empty arbiter password keeps the current one" {
	mkdir -p "$VOIP_HA_SYSROOT/etc/voip-ha"
	printf 'arbiter=postgresql\narbiter_address=198.51.100.3\narbiter_password=old-arb\n' >"$VOIP_HA_SYSROOT/etc/voip-ha/cluster.conf"
	echo "arbiter-password password " | arb_preseed
	run --separate-stderr dc_run reconfigure 0.1.0
	[ "$status" -eq 0 ]
	[ -z "$(dc_get arbiter-password)" ]
}

@test "reconfigure: a hand-edited arbiter setting wins over stale debconf answers" {
	mkdir -p "$VOIP_HA_SYSROOT/etc/voip-ha"
	conf=$VOIP_HA_SYSROOT/etc/voip-ha/cluster.conf
	printf 'arbiter=none\narbiter_port=5433\narbiter_cluster=pbx-b\narbiter_password=x\n' >"$conf"
	arb_preseed </dev/null
	dc_run reconfigure 0.1.0
	[ "$(dc_get arbiter)" = none ]
	[ "$(dc_get arbiter-address)" = "" ]
	[ "$(dc_get arbiter-port)" = 5433 ]
	[ "$(dc_get arbiter-cluster)" = pbx-b ]
}

@test "upgrade: an arbiter set by hand before it had questions is kept, although the checksum matches" {
	mkdir -p "$VOIP_HA_SYSROOT/etc/voip-ha" "$VOIP_HA_SYSROOT/var/lib/voip-ha"
	conf=$VOIP_HA_SYSROOT/etc/voip-ha/cluster.conf
	printf 'arbiter=postgresql\narbiter_address=198.51.100.3\narbiter_cluster=pbx-b\narbiter_password=old-arb\n' >"$conf"
	sha256sum <"$conf" >"$VOIP_HA_SYSROOT/var/lib/voip-ha/cluster.conf.sha256"
	dc_valid_preseed | grep -v ' voip-ha-node/arbiter ' | dc_preseed # never asked
	run --separate-stderr dc_run configure 0.1.0
	[ "$status" -eq 0 ]
	[ "$(dc_get arbiter)" = postgresql ]
	[ "$(dc_get arbiter-address)" = 198.51.100.3 ]
	[ "$(dc_get arbiter-cluster)" = pbx-b ]
	[ "$(dc_get arbiter-port)" = 5432 ] # not in the file: the default
	# Once answered (here: preseeded), debconf's answer is the one used.
	echo "voip-ha-node voip-ha-node/arbiter select none" | dc_preseed
	dc_run configure 0.1.0
	[ "$(dc_get arbiter)" = none ]
}

# upgraded_from_before_kamailio_metrics_port LINES...: what an upgrade from a
# version without kamailio_metrics_port finds: debconf with the valid
# answers plus LINES (each "QUESTION VALUE", a string answer), the question
# kamailio-metrics-port never asked, and the cluster.conf the postinst wrote
# from them (no kamailio_metrics_port line, its checksum recorded).
upgraded_from_before_kamailio_metrics_port() {
	local l conf=$VOIP_HA_SYSROOT/etc/voip-ha/cluster.conf
	mkdir -p "$VOIP_HA_SYSROOT/etc/voip-ha" "$VOIP_HA_SYSROOT/var/lib/voip-ha"
	{
		dc_valid_preseed
		for l; do echo "voip-ha-node voip-ha-node/${l%% *} string ${l#* }"; done
	} | dc_preseed
	: >"$conf"
	for l; do echo "${l%% *}=${l#* }" | tr - _ >>"$conf"; done
	sha256sum <"$conf" >"$VOIP_HA_SYSROOT/var/lib/voip-ha/cluster.conf.sha256"
}

@test "upgrade: kamailio-metrics-port never asked, its default 9101 taken by admin-metrics-port: the next free port" {
	upgraded_from_before_kamailio_metrics_port "admin-metrics-port 9101"
	run --separate-stderr dc_run configure 0.1.0
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(dc_get kamailio-metrics-port)" = 9102 ]
	[ "$(dc_get admin-metrics-port)" = 9101 ]
}

@test "upgrade: kamailio-metrics-port's next ports taken too (admin-http-port, the RTP range): the first free one" {
	upgraded_from_before_kamailio_metrics_port "admin-http-port 9101" "admin-metrics-port 9102" \
		"rtp-port-min 9103" "rtp-port-max 9200"
	run --separate-stderr dc_run configure 0.1.0
	[ "$status" -eq 0 ]
	[ "$(dc_get kamailio-metrics-port)" = 9201 ]
}

@test "upgrade: kamailio-metrics-port skips the pgBackRest server port when backups are on" {
	upgraded_from_before_kamailio_metrics_port "admin-metrics-port 9101"
	conf=$VOIP_HA_SYSROOT/etc/voip-ha/cluster.conf
	printf 'backup=path\nbackup_path=/srv/backup\nbackup_port=9102\n' >>"$conf"
	sha256sum <"$conf" >"$VOIP_HA_SYSROOT/var/lib/voip-ha/cluster.conf.sha256"
	run --separate-stderr dc_run configure 0.1.0
	[ "$status" -eq 0 ]
	[ "$(dc_get kamailio-metrics-port)" = 9103 ]
}

@test "upgrade: a kamailio-metrics-port in cluster.conf, answered or preseeded is never moved" {
	# In cluster.conf only (a hand edit): a conflict is reported, not resolved.
	upgraded_from_before_kamailio_metrics_port "admin-metrics-port 9101"
	conf=$VOIP_HA_SYSROOT/etc/voip-ha/cluster.conf
	echo kamailio_metrics_port=9101 >>"$conf"
	run --separate-stderr dc_run configure 0.1.0
	[ "$status" -eq 1 ]
	[[ "$stderr" == "E: voip-ha-node: voip-ha-node/kamailio-metrics-port: "*"also admin-metrics-port"* ]]
	# Preseeded (seen): the same.
	dc_setup "$BATS_TEST_TMPDIR/preseeded"
	preseed_with admin-metrics-port string 9101
	echo "voip-ha-node voip-ha-node/kamailio-metrics-port string 9101" | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == "E: voip-ha-node: voip-ha-node/kamailio-metrics-port: "*"also admin-metrics-port"* ]]
	# Free already: kept as it is.
	dc_setup "$BATS_TEST_TMPDIR/free"
	upgraded_from_before_kamailio_metrics_port "admin-metrics-port 9100"
	dc_run configure 0.1.0
	[ "$(dc_get kamailio-metrics-port)" = 9101 ]
}

# --------------------------------------------------------------- the witness
# The test root's /proc/net/route (dc_routes) stands in for the kernel's.

@test "witness: preseeded empty is accepted, with a warning on what is lost" {
	echo "eth0 198.51.100.1 0" | dc_routes
	preseed_with witness-address string ""
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ "$stderr" == "W: voip-ha-node: no witness address: "*"both nodes may become primary"*"can be lost"* ]]
	[ "$(dc_get witness-address)" = "" ] # not replaced by the gateway
}

@test "witness: unanswered, it is the default gateway on this node's interface" {
	printf '%s\n' "ens3 203.0.113.1 0" "eth0 198.51.100.1 100" | dc_routes
	dc_valid_preseed | grep -v ' voip-ha-node/witness-address ' | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(dc_get witness-address)" = 198.51.100.1 ] # eth0 is node1's interface
	# Once set, the default is an answer: a new gateway does not replace it.
	echo "eth0 198.51.100.254 0" | dc_routes
	dc_run
	[ "$(dc_get witness-address)" = 198.51.100.1 ]
}

@test "witness: no default route on the interface: any default route's gateway" {
	printf '%s\n' "eth1 192.0.2.1 50" "ens3 203.0.113.1 10" "eth2 192.0.2.129 20" | dc_routes
	dc_valid_preseed | grep -v ' voip-ha-node/witness-address ' | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	[ "$(dc_get witness-address)" = 203.0.113.1 ] # the lowest metric
}

@test "witness: this-node auto takes the interface of the node whose address is local" {
	mkdir -p "$VOIP_HA_SYSROOT/proc/net"
	# /proc/net/fib_trie as the kernel prints it: 198.51.100.12 is local.
	cat >"$VOIP_HA_SYSROOT/proc/net/fib_trie" <<-'EOF'
	Main:
	  +-- 0.0.0.0/0 3 0 5
	     |-- 0.0.0.0
	        /0 universe UNICAST
	     +-- 198.51.100.0/24 2 0 2
	        |-- 198.51.100.0
	           /24 link UNICAST
	        |-- 198.51.100.12
	           /32 host LOCAL
	EOF
	printf '%s\n' "eth0 198.51.100.1 0" "ens3 198.51.100.254 100" | dc_routes
	{
		dc_valid_preseed | grep -v -e ' voip-ha-node/witness-address ' -e ' voip-ha-node/this-node ' \
			-e ' voip-ha-node/node2-interface '
		echo "voip-ha-node voip-ha-node/this-node select auto"
		echo "voip-ha-node voip-ha-node/node2-interface string ens3"
	} | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	[ "$(dc_get witness-address)" = 198.51.100.254 ]
}

@test "witness: no default route: empty, the warning, no hang" {
	dc_valid_preseed | grep -v ' voip-ha-node/witness-address ' | dc_preseed
	run --separate-stderr dc_run # no route table at all in the test root
	[ "$status" -eq 0 ]
	[[ "$stderr" == "W: voip-ha-node: no witness address: "* ]]
	[ "$(dc_get witness-address)" = "" ]
	echo "eth0 0.0.0.0 0" | dc_routes # a default route without a gateway
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	[ "$(dc_get witness-address)" = "" ]
}

@test "witness: a gateway that is the VIP or a node address is no default" {
	echo "eth0 198.51.100.10 0" | dc_routes
	dc_valid_preseed | grep -v ' voip-ha-node/witness-address ' | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	[ "$(dc_get witness-address)" = "" ]
	[[ "$stderr" == "W: voip-ha-node: no witness address: "* ]]
}

@test "gateway extraction: the kernel's own route table gives what ip route says" {
	prereq_cmd ip
	prereq "no /proc/net/route here" test -r /proc/net/route
	want=$(ip -4 route show default | sed -n 's/.* via \([0-9.]*\).*/\1/p' | head -n 1)
	optional "this machine has no IPv4 default route" test -n "$want"
	cp /proc/net/route "$BATS_TEST_TMPDIR/route"
	mkdir -p "$VOIP_HA_SYSROOT/proc/net"
	cp "$BATS_TEST_TMPDIR/route" "$VOIP_HA_SYSROOT/proc/net/route"
	dc_valid_preseed | grep -v -e ' voip-ha-node/witness-address ' -e ' voip-ha-node/node1-interface ' | dc_preseed
	echo "voip-ha-node voip-ha-node/node1-interface string $(ip -4 route show default | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1)" | dc_preseed
	dc_run 2>/dev/null
	[ "$(dc_get witness-address)" = "$want" ]
}

@test "reconfigure: a hand-edited witness_address wins, empty included" {
	mkdir -p "$VOIP_HA_SYSROOT/etc/voip-ha"
	conf=$VOIP_HA_SYSROOT/etc/voip-ha/cluster.conf
	echo "eth0 198.51.100.1 0" | dc_routes
	dc_valid_preseed | dc_preseed
	printf 'witness_address=198.51.100.3\n' >"$conf"
	dc_run reconfigure 0.1.0
	[ "$(dc_get witness-address)" = 198.51.100.3 ]
	printf 'witness_address=\n' >"$conf"
	run --separate-stderr dc_run reconfigure 0.1.0
	[ "$status" -eq 0 ]
	[ "$(dc_get witness-address)" = "" ] # neither the old answer nor the gateway
	[[ "$stderr" == "W: voip-ha-node: no witness address: "* ]]
}

@test "bad preseed: the two API keys must differ" {
	{
		dc_valid_preseed | grep -v -e ' voip-ha-node/admin-api-key ' -e ' voip-ha-node/freeswitch-api-key '
		echo "voip-ha-node voip-ha-node/admin-api-key password same-key-for-both-0123"
		echo "voip-ha-node voip-ha-node/freeswitch-api-key password same-key-for-both-0123"
	} | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 1 ]
	[[ "$stderr" == "E: voip-ha-node: voip-ha-node/freeswitch-api-key: must differ from admin-api-key"* ]]
	[[ "$stderr" != *same-key-for-both* ]]
}

@test "reconfigure: empty passwords keep the current ones" {
	mkdir -p "$VOIP_HA_SYSROOT/etc/voip-ha"
	printf 'kamailio_db_password=old\nreplication_password=old\n' >"$VOIP_HA_SYSROOT/etc/voip-ha/cluster.conf"
	dc_valid_preseed | dc_preseed
	printf '%s\n' "voip-ha-node voip-ha-node/kamailio-db-password password " \
		"voip-ha-node voip-ha-node/replication-password password " | dc_preseed
	run --separate-stderr dc_run reconfigure 0.1.0
	[ "$status" -eq 0 ]
	[ -z "$(dc_get kamailio-db-password)" ]
}

@test "reconfigure: a hand-edited cluster.conf wins over stale debconf answers" {
	mkdir -p "$VOIP_HA_SYSROOT/etc/voip-ha" "$VOIP_HA_SYSROOT/var/lib/voip-ha"
	conf=$VOIP_HA_SYSROOT/etc/voip-ha/cluster.conf
	printf 'virtual_address=198.51.100.20\nnode2_hostname=pbx-two\n' >"$conf"
	dc_valid_preseed | dc_preseed
	dc_run reconfigure 0.1.0
	[ "$(dc_get virtual-address)" = 198.51.100.20 ]
	[ "$(dc_get node2-hostname)" = pbx-two ]
	# Once the postinst recorded the file's checksum, a new preseed wins.
	sha256sum <"$conf" >"$VOIP_HA_SYSROOT/var/lib/voip-ha/cluster.conf.sha256"
	echo "voip-ha-node voip-ha-node/virtual-address string 198.51.100.30" | dc_preseed
	dc_run reconfigure 0.1.0
	[ "$(dc_get virtual-address)" = 198.51.100.30 ]
}

@test "interactive: wrong address and mismatched password are asked again" {
	DEBIAN_FRONTEND=readline DEBIAN_PRIORITY=high run --separate-stderr \
		"$BATS_TEST_DIRNAME/drive-readline.py" "$BATS_TEST_DIRNAME/interactive.steps" -- \
		/usr/share/debconf/frontend "$DC_DIR/voip-ha-node.config" configure
	[ "$status" -eq 0 ]
	[ "$(dc_get node1-address)" = 198.51.100.11 ]
	[ "$(dc_get witness-address)" = "" ]
	[ "$(dc_get arbiter)" = postgresql ]
	[ "$(dc_get arbiter-address)" = 198.51.100.3 ]
	[ "$(dc_get arbiter-password)" = arb-secret ]
	[ -z "$(dc_get arbiter-password-again)" ]
	[ "$(dc_get replication-password)" = "rep\"l'\$:\\ä" ]
	[ -z "$(dc_get replication-password-again)" ]
	[[ "$(dc_get admin-api-key)" =~ ^[A-Za-z0-9+/]{43}=$ ]]
	# Passwords were typed without echo.
	[[ "$output" != *kam-secret* ]]
	[[ "$output" != *arb-secret* ]]
}

@test "interactive: backing up returns to the previous screen" {
	DEBIAN_FRONTEND=readline DEBIAN_PRIORITY=high run --separate-stderr \
		"$BATS_TEST_DIRNAME/drive-readline.py" "$BATS_TEST_DIRNAME/backup.steps" -- \
		/usr/share/debconf/frontend "$DC_DIR/voip-ha-node.config" configure
	[ "$status" -eq 0 ]
	[ "$(dc_get node2-address)" = 198.51.100.12 ]
	[ "$(dc_get virtual-address)" = 198.51.100.14 ]
	[ "$(dc_get witness-address)" = 198.51.100.1 ]
	[ "$(dc_get arbiter)" = postgresql ]
	[ "$(dc_get arbiter-address)" = 198.51.100.4 ]
}

@test "translations: templates.pot is current and vi.po translates every string" {
	mkdir "$BATS_TEST_TMPDIR/debian"
	cp -r "$PKG_DEBIAN/po" "$PKG_DEBIAN"/*.templates "$BATS_TEST_TMPDIR/debian/"
	(cd "$BATS_TEST_TMPDIR/debian" && debconf-updatepo)
	diff -u -I '^"POT-Creation-Date:' "$PKG_DEBIAN/po/templates.pot" "$BATS_TEST_TMPDIR/debian/po/templates.pot"
	diff -u -I '^"POT-Creation-Date:' "$PKG_DEBIAN/po/vi.po" "$BATS_TEST_TMPDIR/debian/po/vi.po"
	run msgfmt -c --statistics -o /dev/null "$PKG_DEBIAN/po/vi.po"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]+\ translated\ messages\.$ ]]
	# Every template (not only the prompts) carries a Vietnamese description.
	n_tmpl=$(grep -c '^Template:' "$DC_DIR/voip-ha-node.templates")
	n_vi=$(grep -c '^Description-vi.UTF-8:' "$DC_DIR/voip-ha-node.templates")
	[ "$n_tmpl" -eq "$n_vi" ]
}

@test "doc/preseed.example is a complete, valid preseed for both nodes" {
	debconf-set-selections -c "$BATS_TEST_DIRNAME/../../doc/preseed.example"
	dc_preseed <"$BATS_TEST_DIRNAME/../../doc/preseed.example"
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	[ "$(dc_get this-node)" = auto ]
	[ "$(dc_get virtual-address)" = 198.51.100.10 ]
	[ "$(dc_get witness-address)" = 198.51.100.2 ]
	# The example's API keys are used as given (both nodes share them).
	[[ "$(dc_get admin-api-key)" == CHANGE-ME-* ]]
}
