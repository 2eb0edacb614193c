#!/usr/bin/env bats
# voip-ha --help, dispatch and `voip-ha validate`.

load cli-helpers

@test "--help lists every command of commands.def with its summary" {
	run -0 "$VOIPHA" --help
	while IFS= read -r line; do
		name=$(sed -n 's/^COMMAND("\([a-z-]*\)".*/\1/p' <<<"$line")
		[ -n "$name" ] || continue
		assert_output --partial "  $name"
	done < "$REPO/src/cli/commands.def"
	assert_output --partial "check cluster.conf and list every error"
}

@test "no command: usage on stderr, exit 2" {
	run -2 --separate-stderr "$VOIPHA"
	assert_equal "$output" ""
	[[ $stderr == *"usage: voip-ha"* ]]
}

@test "unknown command: git-style error, exit 2" {
	run -2 --separate-stderr "$VOIPHA" frobnicate
	assert_equal "$stderr" "voip-ha: 'frobnicate' is not a voip-ha command; see 'voip-ha --help'"
}

@test "validate --help" {
	run -0 "$VOIPHA" validate --help
	assert_output --partial "usage: voip-ha validate"
}

@test "validate: a valid file passes silently" {
	run -0 --separate-stderr "$VOIPHA" validate --config "$GOOD"
	assert_equal "$output" ""
	assert_equal "$stderr" ""
}

@test "validate: FILE may be given without --config" {
	run -0 "$VOIPHA" validate "$GOOD"
}

@test "validate: the sample fixtures of the templates part are valid" {
	for f in "$REPO"/test/fixtures/answers-*.conf; do
		run -0 "$VOIPHA" validate "$f"
	done
}

@test "validate: a witness address that is a third host is accepted" {
	f=$(conf_with witness_address 198.51.100.2)
	run -0 --separate-stderr "$VOIPHA" validate --config "$f"
	assert_equal "$stderr" ""
	# Not necessarily in the nodes' subnet: any unicast host both can ping.
	f=$(conf_with witness_address 203.0.113.1)
	run -0 "$VOIPHA" validate --config "$f"
}

@test "validate: an empty witness_address (no witness) is accepted, like an absent one" {
	f=$(conf_with witness_address '')
	run -0 --separate-stderr "$VOIPHA" validate --config "$f"
	assert_equal "$stderr" ""
	f=$(conf_with witness_address '<absent>')
	run -0 "$VOIPHA" validate --config "$f"
}

@test "validate: the SIP flood keys accept their range ends and default when absent" {
	f=$(conf_with sip_flood_requests 4 sip_flood_interval 60 sip_ban_time 86400)
	run -0 "$VOIPHA" validate "$f"
	f=$(conf_with sip_flood_requests 1000000 sip_flood_interval 1 sip_ban_time 10)
	run -0 "$VOIPHA" validate "$f"
	f=$(conf_with sip_flood_requests '<absent>' sip_flood_interval '<absent>' sip_ban_time '<absent>')
	run -0 "$VOIPHA" validate "$f"
}

@test "validate: metrics_listen and metrics_allow accept loopback, node with scrapers, and default when absent" {
	f=$(conf_with metrics_listen node metrics_allow 203.0.113.7)
	run -0 --separate-stderr "$VOIPHA" validate --config "$f"
	assert_equal "$stderr" ""
	f=$(conf_with metrics_listen node metrics_allow "10.0.0.0/8,192.0.2.0/24,203.0.113.7/32,$(printf '198.18.0.%d,' $(seq 1 28))198.18.1.0/24")
	run -0 --separate-stderr "$VOIPHA" validate --config "$f"
	f=$(conf_with metrics_listen loopback metrics_allow '')
	run -0 "$VOIPHA" validate --config "$f"
	f=$(conf_with metrics_listen loopback metrics_allow 203.0.113.7)
	run -0 "$VOIPHA" validate --config "$f"
	f=$(conf_with metrics_listen '<absent>' metrics_allow '<absent>')
	run -0 "$VOIPHA" validate --config "$f"
}

@test "validate: alert_command empty or an absolute path is accepted" {
	f=$(conf_with alert_command '')
	run -0 "$VOIPHA" validate --config "$f"
	f=$(conf_with alert_command /usr/local/sbin/voip-ha-alert)
	run -0 --separate-stderr "$VOIPHA" validate --config "$f"
	assert_equal "$stderr" ""
}

@test "validate: the witness must be a third host" {
	f=$(conf_with witness_address 198.51.100.10)
	run -1 --separate-stderr "$VOIPHA" validate --config "$f"
	assert_equal "$stderr" "voip-ha: $f: witness_address: must be a third host, not a node address or the VIP"
}

@test "validate: missing file" {
	run -1 --separate-stderr "$VOIPHA" validate --config "$BATS_TEST_TMPDIR/nope.conf"
	assert_equal "$stderr" "voip-ha: cannot read '$BATS_TEST_TMPDIR/nope.conf': No such file or directory"
}

@test "validate: unreadable file says Permission denied" {
	f=$(conf_with)
	chmod 000 "$f"
	run -1 --separate-stderr unprivileged "$VOIPHA" validate --config "$f"
	assert_equal "$stderr" "voip-ha: cannot read '$f': Permission denied"
}

@test "validate: unknown key is reported with file:line" {
	f=$(conf_with)
	printf 'colour=blue\n' >> "$f"
	n=$(wc -l < "$f")
	run -1 --separate-stderr "$VOIPHA" validate --config "$f"
	assert_equal "$stderr" "voip-ha: $f:$n: unknown key 'colour'"
}

@test "validate: duplicate key is reported with both lines" {
	f=$(conf_with)
	printf 'prefix_length=24\n' >> "$f"
	n=$(wc -l < "$f")
	first=$(grep -n '^prefix_length=' "$f" | head -1 | cut -d: -f1)
	run -1 --separate-stderr "$VOIPHA" validate --config "$f"
	assert_equal "$stderr" "voip-ha: $f:$n: duplicate key 'prefix_length' (first set on line $first)"
}

@test "validate: a line without '=' never echoes its content" {
	f=$(conf_with)
	printf 'hunter2-secret\n' >> "$f"
	run -1 --separate-stderr "$VOIPHA" validate --config "$f"
	[[ $stderr == *"line without '='"* ]]
	[[ $stderr != *hunter2* ]]
}

@test "validate: lists every error, one per line, each naming its field" {
	f=$(conf_with node1_address 010.0.0.1 node2_interface 'a/b' vrrp_router_id 0 \
		admin_http_port 8080x replication_password '<absent>')
	run -1 --separate-stderr "$VOIPHA" validate --config "$f"
	assert_equal "$(wc -l <<<"$stderr")" 5
	[[ $stderr == *"voip-ha: $f: node1_address: must be an IPv4 address"* ]]
	[[ $stderr == *"voip-ha: $f: node2_interface: must be a Linux interface name"* ]]
	[[ $stderr == *"voip-ha: $f: vrrp_router_id: must be an integer from 1 to 255"* ]]
	[[ $stderr == *"voip-ha: $f: admin_http_port: must be a port number"* ]]
	[[ $stderr == *"voip-ha: $f: replication_password: required"* ]]
}

@test "validate: a directory is refused" {
	run -1 --separate-stderr "$VOIPHA" validate --config /
	[[ $stderr == *"cannot read '/': not a regular file"* ]]
}

@test "validate: extra argument is a usage error" {
	run -2 "$VOIPHA" validate "$GOOD" extra
}
