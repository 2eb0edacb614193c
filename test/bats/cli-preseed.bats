#!/usr/bin/env bats
# voip-ha preseed: debconf answers for the peer node.

load cli-helpers

# The value debconf-set-selections would load for QUESTION from FILE, parsed
# with its own rules (owner, name, type, one blank, value to end of line,
# a trailing backslash joins the next line).
loaded_value() {
	perl -e '
		my ($q, $file) = @ARGV; open(my $f, "<", $file) or die;
		while (<$f>) { chomp; s/\r$//;
			while (/\\$/ && !eof($f)) { s/\\$//; my $n = <$f>; chomp $n; $_ .= $n }
			next if /^\s*$/ || /^\s*#/;
			my ($o, $l, $t, $c) = /^\s*(\S+)\s+(\S+)\s+(\S+)(?:\s(.*))?/;
			if ($l eq $q) { print "$t $c"; exit 0 } }
		exit 1' "$1" "$2"
}

@test "preseed for node1's config targets node2 with every question" {
	run -0 --separate-stderr "$VOIPHA" preseed --config "$GOOD"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/p"
	assert_equal "$(loaded_value voip-ha-node/this-node "$BATS_TEST_TMPDIR/p")" "select node2"
	for q in node1-address node2-address virtual-address prefix-length node1-interface \
		node2-interface node1-hostname node2-hostname postgresql-version vrrp-router-id \
		node1-priority node2-priority freeswitch-sip-port freeswitch-esl-port rtp-port-min \
		rtp-port-max kamailio-sip-port admin-http-port admin-metrics-port kamailio-metrics-port \
		witness-address; do
		key=${q//-/_}
		want=$(sed -n "s/^$key=//p" "$GOOD")
		assert_equal "$(loaded_value "voip-ha-node/$q" "$BATS_TEST_TMPDIR/p")" "string $want"
	done
	for q in replication-password kamailio-db-password admin-db-password \
		freeswitch-db-password freeswitch-esl-password vrrp-password admin-api-key \
		freeswitch-api-key replication-password-again vrrp-password-again; do
		key=${q%-again}; key=${key//-/_}
		want=$(sed -n "s/^$key=//p" "$GOOD")
		assert_equal "$(loaded_value "voip-ha-node/$q" "$BATS_TEST_TMPDIR/p")" "password $want"
	done
	[[ $output != *recordings* ]]
}

@test "preseed carries the witness address, an empty one included, and no alert_command" {
	f=$(conf_with witness_address 198.51.100.2 alert_command /usr/local/sbin/voip-ha-alert)
	run -0 "$VOIPHA" preseed --config "$f"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/p"
	assert_equal "$(loaded_value voip-ha-node/witness-address "$BATS_TEST_TMPDIR/p")" "string 198.51.100.2"
	[[ $output != *alert* ]] # no question: it stays a hand-edited key
	# Empty (no witness) is preseeded as empty, so the peer does not pick
	# its own gateway instead.
	f=$(conf_with witness_address '')
	"$VOIPHA" preseed --config "$f" > "$BATS_TEST_TMPDIR/p"
	assert_equal "$(loaded_value voip-ha-node/witness-address "$BATS_TEST_TMPDIR/p")" "string "
}

@test "preseed carries the witness machine: its choice, address, port, pair name and password (twice)" {
	f=$(conf_with arbiter postgresql arbiter_address 198.51.100.3 arbiter_port 5433 \
		arbiter_cluster pbx-b arbiter_password 'arb "P@ss/w\rd ä')
	run -0 --separate-stderr "$VOIPHA" preseed --config "$f"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/p"
	assert_equal "$(loaded_value voip-ha-node/arbiter "$BATS_TEST_TMPDIR/p")" "select postgresql"
	assert_equal "$(loaded_value voip-ha-node/arbiter-address "$BATS_TEST_TMPDIR/p")" "string 198.51.100.3"
	assert_equal "$(loaded_value voip-ha-node/arbiter-port "$BATS_TEST_TMPDIR/p")" "string 5433"
	assert_equal "$(loaded_value voip-ha-node/arbiter-cluster "$BATS_TEST_TMPDIR/p")" "string pbx-b"
	assert_equal "$(loaded_value voip-ha-node/arbiter-password "$BATS_TEST_TMPDIR/p")" 'password arb "P@ss/w\rd ä'
	assert_equal "$(loaded_value voip-ha-node/arbiter-password-again "$BATS_TEST_TMPDIR/p")" 'password arb "P@ss/w\rd ä'
	# Without a witness machine: none, and nothing else that is needed.
	f=$(conf_with arbiter none)
	"$VOIPHA" preseed --config "$f" > "$BATS_TEST_TMPDIR/p"
	assert_equal "$(loaded_value voip-ha-node/arbiter "$BATS_TEST_TMPDIR/p")" "select none"
}

@test "preseed for node2's config targets node1" {
	f=$(conf_with this_node node2)
	run -0 "$VOIPHA" preseed --config "$f"
	assert_line "voip-ha-node voip-ha-node/this-node select node1"
}

@test "preseed passes debconf-set-selections --checkonly" {
	prereq_cmd debconf-set-selections
	"$VOIPHA" preseed --config "$GOOD" > "$BATS_TEST_TMPDIR/p"
	run -0 debconf-set-selections -c "$BATS_TEST_TMPDIR/p"
}

@test "preseed --out writes a new 0600 file" {
	run -0 --separate-stderr "$VOIPHA" preseed --config "$GOOD" --out "$BATS_TEST_TMPDIR/peer.preseed"
	assert_equal "$output" ""
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/peer.preseed")" 600
	grep -q '^voip-ha-node voip-ha-node/vrrp-password password vrrp1234$' "$BATS_TEST_TMPDIR/peer.preseed"
}

@test "preseed: a password ending in a backslash survives as the last line" {
	f=$(conf_with kamailio_db_password 'ends-with\')
	"$VOIPHA" preseed --config "$f" > "$BATS_TEST_TMPDIR/p"
	assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/p")" 'voip-ha-node voip-ha-node/kamailio-db-password password ends-with\'
	assert_equal "$(loaded_value voip-ha-node/kamailio-db-password "$BATS_TEST_TMPDIR/p")" 'password ends-with\'
	assert_equal "$(loaded_value voip-ha-node/admin-api-key "$BATS_TEST_TMPDIR/p")" \
		"password $(sed -n 's/^admin_api_key=//p' "$GOOD")"
}

@test "preseed: two values ending in a backslash are refused, naming both fields" {
	f=$(conf_with kamailio_db_password 'a\' admin_db_password 'b\')
	run -1 --separate-stderr "$VOIPHA" preseed --config "$f"
	[[ $stderr == *"kamailio_db_password and admin_db_password both end in"* ]]
}

@test "preseed: unknown local node is an error" {
	f=$(conf_with this_node auto)
	run -1 --separate-stderr "$VOIPHA" preseed --config "$f"
	[[ $stderr == *"cannot tell which node this machine is"* ]]
	assert_equal "$output" ""
}

@test "preseed: invalid config prints nothing on stdout" {
	f=$(conf_with vrrp_password '<absent>')
	run -1 --separate-stderr "$VOIPHA" preseed --config "$f"
	assert_equal "$output" ""
	[[ $stderr == *"vrrp_password: required"* ]]
}
