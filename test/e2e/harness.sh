#!/bin/bash
# Suite e2e-harness: proves the two-node harness itself. Two Debian 12 nodes
# with systemd as PID 1 boot on the bridge, reach each other, keepalived with a
# hand-written config (not ours: this tests the harness, not the package) puts
# a VIP on one node and moves it when that node loses power, and a node keeps
# its address across a reboot. TAP on stdout.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/tap.sh"

VIP=198.51.100.10
declare -A ADDR=([node1]=198.51.100.11 [node2]=198.51.100.12)
declare -A PRIO=([node1]=150 [node2]=100)

ms() { date +%s%3N; }

keepalived_conf() {
	cat <<-EOF
		vrrp_instance VI_E2E {
		    state BACKUP
		    nopreempt
		    interface host0
		    virtual_router_id 51
		    priority ${PRIO[$1]}
		    advert_int 1
		    authentication {
		        auth_type AH
		        auth_pass e2etest
		    }
		    virtual_ipaddress {
		        $VIP/24 dev host0
		    }
		}
	EOF
}

has_vip() { e2e_exec "$1" ip -4 -o addr show dev host0 | grep -q " $VIP/"; }
no_vip() { ! has_vip "$1"; }

wait_for() { # SECS CMD...: poll every 0.1 s
	local deadline=$(($(ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

t0=$(ms)
e2e_setup
t_rootfs=$(ms)
for n in node1 node2; do e2e_node_create "$n" "${ADDR[$n]}/24"; done
for n in node1 node2; do
	tb=$(ms)
	e2e_node_boot "$n"
	tap_diag "$n booted in $(($(ms) - tb)) ms"
done
t_booted=$(ms)

tap_ok "node1 systemd is PID 1 and running" e2e_exec node1 sh -c '[ "$(cat /proc/1/comm)" = systemd ]'
tap_ok "node2 has its address on host0" e2e_sh node2 "ip -4 -o addr show dev host0 | grep -q ' ${ADDR[node2]}/24'"
tap_ok "node1 pings node2 over the bridge" e2e_exec node1 ping -c1 -W2 "${ADDR[node2]}"
tap_ok "node2 pings node1 over the bridge" e2e_exec node2 ping -c1 -W2 "${ADDR[node1]}"

for n in node1 node2; do
	keepalived_conf "$n" >"$E2E_WORK/$n-keepalived.conf"
	e2e_copy_in "$n" "$E2E_WORK/$n-keepalived.conf" /etc/keepalived/keepalived.conf 0600
done
tap_ok "hand-written keepalived config is accepted" e2e_exec node1 keepalived -t -f /etc/keepalived/keepalived.conf
e2e_exec node1 systemctl start keepalived
tk=$(ms)
tap_ok "VIP comes up on node1" wait_for 20 has_vip node1
tap_diag "VIP on node1 $(($(ms) - tk)) ms after keepalived start"
e2e_exec node2 systemctl start keepalived
sleep 3
tap_ok "VIP stays on node1 only" no_vip node2

tk=$(ms)
e2e_node_kill node1
tap_ok "VIP moves to node2 after node1 loses power" wait_for 20 has_vip node2
tap_diag "failover: VIP on node2 $(($(ms) - tk)) ms after SIGKILL of node1's PID 1"

tb=$(ms)
e2e_node_boot node1
tap_diag "node1 rebooted in $(($(ms) - tb)) ms"
tap_ok "node1 keeps its address across a reboot" e2e_sh node1 "ip -4 -o addr show dev host0 | grep -q ' ${ADDR[node1]}/24'"
tap_ok "keepalived (enabled by its package) is back on node1" e2e_wait node1 20 systemctl is-active keepalived
sleep 3
tap_ok "nopreempt: VIP stays on node2 after node1 returns" no_vip node1
tap_ok "network cut: node2's veth goes down" e2e_link_down node2
tap_ok "node1 takes the VIP when it stops hearing node2" wait_for 20 has_vip node1
e2e_link_up node2

tap_diag "timings: rootfs ready $((t_rootfs - t0)) ms, both nodes booted $((t_booted - t_rootfs)) ms, total $(($(ms) - t0)) ms"
tap_done
