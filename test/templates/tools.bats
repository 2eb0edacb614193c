#!/usr/bin/env bats
# The daemons' own checkers accept every generated file, for the sample pair
# and for the nasty answers: keepalived -t, kamailio -c, xmllint, luac. The
# checks run inside mini nodes (test/templates/lib.bash) so the files sit at
# their real paths and host0 exists. Then two real keepalived processes run
# the generated configs and elect one VIP holder over AH.

load lib

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	mn_init
	export OUT=$MN_DIR/out
	gen_all "$FIXTURES/answers-pair.conf" "$OUT/pair" >/dev/null
	gen_all "$FIXTURES/answers-nasty.conf" "$OUT/nasty" >/dev/null
	conf_with "$FIXTURES/answers-pair.conf" failover_profile fast "$MN_DIR/fast.conf"
	gen_all "$MN_DIR/fast.conf" "$OUT/fast" >/dev/null
	local set node
	for set in pair nasty fast; do
		for node in node1 node2; do
			mn_node "$set-$node" "$OUT/$set/$node/etc" \
				"198.51.100.1${node#node}/24"
		done
	done
}

teardown_file() {
	mn_cleanup
}

setup() {
	prereq_root "network and mount namespaces"
}

@test "keepalived -t accepts both nodes' keepalived.conf (pair, nasty and failover_profile=fast)" {
	local n
	for n in pair-node1 pair-node2 nasty-node1 nasty-node2 fast-node1 fast-node2; do
		run mn_exec $n keepalived -t -f /etc/keepalived/keepalived.conf
		echo "$n: $output"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
}

@test "kamailio -c accepts both nodes' kamailio.cfg (pair and nasty)" {
	local n
	for n in pair-node1 pair-node2 nasty-node1 nasty-node2; do
		run mn_exec $n kamailio -c -f /etc/voip-ha/kamailio/kamailio.cfg
		echo "$n: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == *"config file ok"* ]]
	done
}

@test "xmllint accepts every FreeSWITCH file (pair, nasty and fast)" {
	local f n=0
	while IFS= read -r f; do
		xmllint --noout "$f"
		n=$((n + 1))
	done < <(find "$OUT" -path '*/etc/voip-ha/freeswitch/*' -name '*.xml')
	[ "$n" -eq 42 ]
}

@test "luac -p accepts the lsyncd config (pair and nasty)" {
	local f
	for f in "$OUT"/*/node*/etc/lsyncd/lsyncd.conf.lua; do
		luac5.3 -p "$f"
	done
}

@test "the sysctl drop-in loads" {
	run mn_exec pair-node1 sysctl -p /etc/sysctl.d/60-voip-ha.conf
	[ "$status" -eq 0 ]
	[ "$output" = "net.ipv4.ip_nonlocal_bind = 1" ]
}

# vip_on NODE: is the VIP on NODE's host0?
vip_on() {
	mn_exec "$1" ip -4 -o addr show dev host0 | grep -q ' 198\.51\.100\.10/24 '
}

# wait_vip NODE SECONDS
wait_vip() {
	local i
	for i in $(seq $(($2 * 5))); do
		vip_on "$1" && return 0
		sleep 0.2
	done
	return 1
}

# start_keepalived NODE: keepalived in the foreground with the node's config.
start_keepalived() {
	mn_spawn "$1" "$MN_DIR/$1-keepalived.log" keepalived -n -l -D -f /etc/keepalived/keepalived.conf \
		-p /run/keepalived.pid -r /run/keepalived-vrrp.pid
	echo "$MN_PID" > "$MN_DIR/$1-keepalived.pid"
}

@test "two keepalived processes with the nasty AH secret elect one VIP holder and fail over" {
	# The health check and notify handler are replaced by "exit 0": this test
	# is about keepalived reading our file (AH secret, unicast, priorities),
	# not about voip-ha check, which the bring-up suites run for real.
	MN_SBIN_STUB='#!/bin/sh
exit 0' mn_node vrrp-node1 "$OUT/nasty/node1/etc" 198.51.100.11/24
	MN_SBIN_STUB='#!/bin/sh
exit 0' mn_node vrrp-node2 "$OUT/nasty/node2/etc" 198.51.100.12/24
	# Control: a node2 whose secret differs (otherwise the same answers).
	conf_with "$FIXTURES/answers-nasty.conf" vrrp_password 'Other-1' "$MN_DIR/bad.conf"
	gen_all "$MN_DIR/bad.conf" "$OUT/bad" >/dev/null
	MN_SBIN_STUB='#!/bin/sh
exit 0' mn_node vrrp-bad2 "$OUT/bad/node2/etc" 198.51.100.12/24
	# node1 first, as an install does it: it takes the VIP alone.
	start_keepalived vrrp-node1
	wait_vip vrrp-node1 20 || { cat "$MN_DIR/vrrp-node1-keepalived.log"; false; }
	# The control node2 cannot authenticate node1's adverts: it takes the
	# VIP too (this is what the test below would see if our file's secret
	# were read differently on the two nodes).
	start_keepalived vrrp-bad2
	wait_vip vrrp-bad2 15
	vip_on vrrp-node1
	kill -TERM "$(cat "$MN_DIR/vrrp-bad2-keepalived.pid")"
	mn_exec vrrp-bad2 ip link set host0 down
	# The real node2 accepts node1's adverts and stays BACKUP.
	start_keepalived vrrp-node2
	sleep 6
	vip_on vrrp-node1
	run vip_on vrrp-node2
	[ "$status" -ne 0 ]
	grep -q 'Entering MASTER STATE' "$MN_DIR/vrrp-node1-keepalived.log"
	grep -q 'Entering BACKUP STATE' "$MN_DIR/vrrp-node2-keepalived.log"
	# node1's keepalived stops: node2 takes the VIP.
	kill -TERM "$(cat "$MN_DIR/vrrp-node1-keepalived.pid")"
	wait_vip vrrp-node2 15 || { cat "$MN_DIR"/vrrp-node*-keepalived.log; false; }
	run vip_on vrrp-node1
	[ "$status" -ne 0 ]
}

# wait_log FILE TEXT SECONDS: TEXT appears in FILE within SECONDS.
wait_log() {
	local i
	for i in $(seq $(($3 * 5))); do
		grep -q "$2" "$1" && return 0
		sleep 0.2
	done
	return 1
}

@test "failover_profile=fast: VRRPv3 at 0.2 s elects one holder, fails over; vrrp.nft keeps a stranger's adverts out; a firewall dropping the peer's VRRP makes two holders" {
	# keepalived's own reading of our file: the version and interval it
	# runs, and what VRRPv3 without authentication means on the wire.
	local stub='#!/bin/sh
exit 0'
	MN_SBIN_STUB=$stub mn_node v3-node1 "$OUT/fast/node1/etc" 198.51.100.11/24
	MN_SBIN_STUB=$stub mn_node v3-node2 "$OUT/fast/node2/etc" 198.51.100.12/24
	# A stranger on the same network speaking VRRPv3 for the same router id
	# with the highest priority, to node1 (no password needed: there is none).
	mkdir -p "$MN_DIR/rogue/keepalived"
	sed -e 's/priority 100/priority 254/' -e 's/198\.51\.100\.12$/198.51.100.11/' \
		-e 's/unicast_src_ip 198\.51\.100\.12/unicast_src_ip 198.51.100.13/' \
		-e 's/nopreempt//' \
		"$OUT/fast/node2/etc/keepalived/keepalived.conf" > "$MN_DIR/rogue/keepalived/keepalived.conf"
	MN_SBIN_STUB=$stub mn_node v3-rogue "$MN_DIR/rogue" 198.51.100.13/24
	start_keepalived v3-node1
	wait_vip v3-node1 20 || { cat "$MN_DIR/v3-node1-keepalived.log"; false; }
	start_keepalived v3-node2
	wait_log "$MN_DIR/v3-node2-keepalived.log" 'Entering BACKUP STATE' 10
	sleep 2
	vip_on v3-node1
	run vip_on v3-node2
	[ "$status" -ne 0 ]
	# What goes over the wire: VRRPv3 (IP protocol 112, version 3 in the
	# first nibble), no AH, one advert every ~0.2 s.
	run ip netns exec "${MN}v3-node2" timeout 5 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
p = s.recv(2048)
h = (p[0] & 15) * 4
print("version=%d interval_cs=%d" % (p[h] >> 4, ((p[h + 4] & 15) << 8) | p[h + 5]))'
	echo "$output"
	[ "$output" = "version=3 interval_cs=20" ]
	# node1 loads its generated vrrp.nft: the stranger's adverts are dropped
	# and node1 keeps the VIP (without it, the stranger takes it: below).
	mn_exec v3-node1 nft -f /etc/voip-ha/nftables/vrrp.nft
	start_keepalived v3-rogue
	sleep 3
	vip_on v3-node1
	mn_exec v3-node1 nft delete table inet voip_ha_vrrp
	wait_log "$MN_DIR/v3-node1-keepalived.log" 'Entering BACKUP STATE' 10 ||
		{ cat "$MN_DIR/v3-node1-keepalived.log"; false; }
	mn_stop "$(cat "$MN_DIR/v3-rogue-keepalived.pid")"
	mn_exec v3-rogue ip link set host0 down
	# With the stranger gone node2 (or node1) holds the VIP again: one holder.
	sleep 3
	if vip_on v3-node1; then run vip_on v3-node2; else vip_on v3-node2; run vip_on v3-node1; fi
	[ "$status" -ne 0 ]
	# The bad firewall: whoever is BACKUP drops VRRP from its peer. It stops
	# hearing the master and takes the VIP too: two holders, which is what
	# voip-ha's notify and check must then handle (test/e2e: the fast
	# failover scenarios).
	local backup=v3-node2 master=v3-node1
	vip_on v3-node2 && backup=v3-node1 master=v3-node2
	mn_exec $backup nft -f - <<-EOF2
	table inet bad { chain input { type filter hook input priority filter; ip protocol 112 drop; }; }
	EOF2
	wait_vip $backup 5
	vip_on $master
	mn_exec $backup nft delete table inet bad
	# Healed: the two masters see each other's adverts and one steps down.
	sleep 3
	if vip_on v3-node1; then run vip_on v3-node2; else run vip_on v3-node1; fi
	[ "$status" -ne 0 ]
	# node1 stops: node2 takes the VIP within a second or so (not asserted:
	# timing belongs to make failover-bench).
	mn_stop "$(cat "$MN_DIR/v3-node1-keepalived.pid")"
	wait_vip v3-node2 10
}
