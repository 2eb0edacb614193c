#!/usr/bin/env bats
# The bring-up subcommands' command-line contracts that need no PostgreSQL or
# systemd: argument checks, node-info output, pg-guard leaving a machine
# without voip-ha alone. (Their real work is proven on two nodes by
# test/e2e/bringup.sh.)
load cli-helpers

@test "node-info prints node2's facts when this_node=node2" {
	cfg=$(conf_with this_node node2 postgresql_version 15)
	run -0 "$VOIPHA" node-info --config "$cfg"
	assert_line "local_node=node2"
	assert_line "peer_node=node1"
	assert_line "pg_major=15"
	assert_line "pg_instance=15-main"
	assert_line "pg_datadir=/var/lib/postgresql/15/main"
	assert_line "backup=none"
	assert_line --regexp '^local_address=[0-9.]+$'
	refute_output --partial "password"
}

@test "node-info never prints a secret" {
	cfg=$(conf_with this_node node1 postgresql_version 15)
	run -0 "$VOIPHA" node-info --config "$cfg"
	for k in replication_password kamailio_db_password admin_db_password vrrp_password admin_api_key; do
		v=$(sed -n "s/^$k=//p" "$cfg")
		[ -n "$v" ]
		refute_output --partial "$v"
	done
}

@test "node-info on a machine that is neither node fails with a hint" {
	cfg=$(conf_with this_node auto node1_address 198.51.100.201 node2_address 198.51.100.202 virtual_address 198.51.100.200)
	run -1 --separate-stderr "$VOIPHA" node-info --config "$cfg"
	[[ "$stderr" == *"set this_node"* ]]
}

@test "notify refuses unexpected arguments with exit 2" {
	run -2 --separate-stderr "$VOIPHA" notify INSTANCE 'voip ha; rm -rf /' MASTER 100
	[[ "$stderr" == *"unexpected arguments"* ]]
	run -2 "$VOIPHA" notify INSTANCE voip_ha
	run -2 "$VOIPHA" notify INSTANCE voip_ha MASTER 100 extra
}

@test "check rejects a bad --wait" {
	run -2 --separate-stderr "$VOIPHA" check --wait forever
	[[ "$stderr" == *"--wait"* ]]
	run -2 "$VOIPHA" check --wait 99999
}

# keepalived runs /usr/lib/voip-ha/voip-ha-check: the same check, without libpq.
@test "voip-ha-check answers as voip-ha check does: usage, bad arguments, a failing check" {
	[ -x "$VOIPHA_CHECK" ] || fail "VOIPHA_CHECK is not set to the built voip-ha-check"
	run -0 "$VOIPHA" check --help
	expected=$output
	run -0 "$VOIPHA_CHECK" --help
	assert_equal "$output" "$expected"
	run -2 --separate-stderr "$VOIPHA_CHECK" --wait forever
	[[ "$stderr" == *"--wait"* ]]
	run -1 --separate-stderr "$VOIPHA" check
	expected=$stderr
	[[ "$expected" == "voip-ha: check: "* ]]
	run -1 --separate-stderr "$VOIPHA_CHECK"
	assert_equal "$stderr" "$expected"
	run -1 --separate-stderr "$VOIPHA_CHECK" --quiet
	assert_equal "$stderr" ""
}

@test "voip-ha-check links neither libpq nor libcrypto" {
	run -0 ldd "$VOIPHA_CHECK"
	assert_output --partial "libsystemd"
	refute_output --partial "libpq"
	refute_output --partial "libcrypto"
	refute_output --partial "libssl"
	run -0 ldd "$VOIPHA"
	assert_output --partial "libpq"
}

@test "pg-guard leaves PostgreSQL alone where voip-ha is not configured" {
	prereq_root pg-guard
	run -0 "$VOIPHA" pg-guard --config "$BATS_TEST_TMPDIR/absent.conf" 15-main
}

@test "provision, clone and pg-guard need root" {
	run -1 --separate-stderr unprivileged "$VOIPHA" provision
	[[ "$stderr" == *"must be run as root"* ]]
	run -1 --separate-stderr unprivileged "$VOIPHA" clone
	[[ "$stderr" == *"must be run as root"* ]]
	run -1 --separate-stderr unprivileged "$VOIPHA" pg-guard 15-main
	[[ "$stderr" == *"must be run as root"* ]]
}

@test "notify refuses an unknown VRRP state with exit 2, before acting" {
	run -2 --separate-stderr "$VOIPHA" notify INSTANCE voip_ha PROMOTE 100
	[[ "$stderr" == *"unexpected arguments"* ]]
	run -2 "$VOIPHA" notify INSTANCE voip_ha master 100
}

@test "failover commands reject bad command lines with exit 2" {
	run -2 "$VOIPHA" rebuild --bogus
	run -2 "$VOIPHA" rebuild extra-argument
	run -2 "$VOIPHA" fence --bogus
	run -2 "$VOIPHA" monitor --bogus
	run -2 "$VOIPHA" status --bogus
	run -2 --separate-stderr "$VOIPHA" status --history many
	[[ "$stderr" == *"--history: 'many' is not a number of entries (0..2000)"* ]]
	run -2 "$VOIPHA" status --history 2001
	run -2 "$VOIPHA" status --history -1
	run -2 "$VOIPHA" status --history
	run -2 --separate-stderr "$VOIPHA" switchover --max-lag lots
	[[ "$stderr" == *"--max-lag: 'lots' is not a number of bytes"* ]]
	run -2 "$VOIPHA" switchover --max-lag -5
}

@test "fence --monitor-exit: a monitor that stopped cleanly fences nothing and needs no cluster.conf; one that ended abnormally does" {
	SERVICE_RESULT=success run -0 --separate-stderr "$VOIPHA" fence --monitor-exit --config /nonexistent/cluster.conf
	[[ "$stderr" == *"stopped cleanly"* ]]
	# Abnormal ends go on to the rule, which needs the node's configuration.
	prereq_root "the rule needs the node's configuration, readable by root"
	SERVICE_RESULT=watchdog run -1 --separate-stderr "$VOIPHA" fence --monitor-exit --config /nonexistent/cluster.conf
	[[ "$stderr" == *"/nonexistent/cluster.conf"* ]]
}

@test "failover commands without a usable cluster.conf fail with the reason" {
	for c in status rebuild fence switchover; do
		if [ "$(id -u)" != 0 ] && [ "$c" != status ]; then continue; fi
		run -1 --separate-stderr "$VOIPHA" "$c" --config /nonexistent/cluster.conf
		[[ "$stderr" == *"/nonexistent/cluster.conf"* ]]
	done
}

@test "status on a machine that is neither node fails with a hint" {
	cfg=$(conf_with this_node auto node1_address 198.51.100.201 node2_address 198.51.100.202 virtual_address 198.51.100.200)
	run -1 --separate-stderr "$VOIPHA" status --config "$cfg"
	[[ "$stderr" == *"set this_node"* ]]
}
