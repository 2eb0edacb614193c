#!/usr/bin/env bats
# Table-driven bad-input suite: each hostile value below must be rejected by
# `voip-ha validate` AND by `voip-ha generate --root`, with a message naming
# the field, a non-zero exit, no echo of a secret value, and not one file of a
# pre-populated root written, changed or left behind.
# Each @test line is one row of the table: bad KEY VALUE [FIELD-IN-MESSAGE].
# (Generated once from a list; edit the rows directly.)

load cli-helpers

setup_file() {
	export ROOT=$BATS_FILE_TMPDIR/root
	make_sysroot "$ROOT"
	mkdir -p "$ROOT/etc/keepalived" "$ROOT/usr/lib/postgresql/15/bin"
	touch "$ROOT/usr/lib/postgresql/15/bin/postgres"
	printf 'admin edit\n' > "$ROOT/etc/keepalived/unrelated.conf"
	# Populate the root with a good run, so "changed" can be detected too.
	"$VOIPHA" generate --config "$GOOD" --templates "$TEMPLATES" --root "$ROOT" \
		--node node1 > /dev/null
	[ -s "$ROOT/etc/keepalived/keepalived.conf" ]
	tree_state "$ROOT" > "$BATS_FILE_TMPDIR/state"
}

# bad KEY VALUE [FIELD]: VALUE ("<absent>" = key removed) must be rejected.
bad() {
	local key=$1 value=$2 field=${3:-$1} conf
	conf=$(conf_with "$key" "$value")
	run --separate-stderr "$VOIPHA" validate --config "$conf"
	[ "$status" -eq 1 ] || fail "validate exited $status: $stderr"
	[[ $stderr == *": $field: "* ]] || fail "validate does not name $field: $stderr"
	assert_equal "$output" ""
	if [ ${#value} -ge 4 ] && [ "$value" != "<absent>" ] && [[ $key == *password* || $key == *api_key* ]]; then
		[[ $stderr != *"$value"* ]] || fail "validate printed the secret value"
	fi
	run --separate-stderr "$VOIPHA" generate --config "$conf" --templates "$TEMPLATES" \
		--root "$ROOT" --node node1
	[ "$status" -eq 1 ] || fail "generate exited $status: $stderr"
	[[ $stderr == *": $field: "* ]] || fail "generate does not name $field: $stderr"
	assert_equal "$output" ""
	assert_equal "$(tree_state "$ROOT")" "$(cat "$BATS_FILE_TMPDIR/state")"
}

# good KEY VALUE: the good config with KEY=VALUE validates and generates.
good() {
	local conf
	conf=$(conf_with "$1" "$2")
	run -0 --separate-stderr "$VOIPHA" validate --config "$conf"
	run -0 --separate-stderr "$VOIPHA" generate --config "$conf" --templates "$TEMPLATES" \
		--out "$BATS_TEST_TMPDIR/out" --node node1
}

@test "the good config itself is accepted and changes nothing" {
	run -0 "$VOIPHA" validate --config "$GOOD"
	run -0 --separate-stderr "$VOIPHA" generate --config "$GOOD" --templates "$TEMPLATES" \
		--root "$ROOT" --node node1
	assert_equal "$output" ""
	assert_equal "$(tree_state "$ROOT")" "$(cat "$BATS_FILE_TMPDIR/state")"
}

@test "bad: node1_address leading zero" { bad node1_address '198.51.100.011'; }
@test "bad: node1_address octet 256" { bad node1_address '198.51.100.256'; }
@test "bad: node1_address three octets" { bad node1_address '198.51.100'; }
@test "bad: node1_address trailing space" { bad node1_address '198.51.100.11 '; }
@test "bad: node1_address empty" { bad node1_address ''; }
@test "bad: node1_address hostname" { bad node1_address 'localhost'; }
@test "bad: node1_address loopback" { bad node1_address '127.0.0.1'; }
@test "bad: node1_address zero" { bad node1_address '0.0.0.0'; }
@test "bad: node1_address multicast" { bad node1_address '224.0.0.18'; }
@test "bad: node1_address link-local" { bad node1_address '169.254.10.11'; }
@test "bad: virtual_address link-local" { bad virtual_address '169.254.0.10'; }
@test "bad: witness_address link-local" { bad witness_address '169.254.0.1'; }
@test "bad: node1_address with prefix" { bad node1_address '198.51.100.11/24'; }
@test "bad: node1_address IPv6" { bad node1_address '::1'; }
@test "bad: node1_address shell injection" { bad node1_address '1.2.3.4; rm -rf /'; }
@test "bad: node1_address absent" { bad node1_address '<absent>'; }
@test "bad: node2_address same as node1" { bad node2_address '198.51.100.11'; }
@test "bad: node2_address other subnet" { bad node2_address '203.0.113.12'; }
@test "bad: node2_address broadcast" { bad node2_address '198.51.100.255'; }
@test "bad: node2_address command substitution" { bad node2_address '$(reboot)'; }
@test "bad: virtual_address network address" { bad virtual_address '198.51.100.0'; }
@test "bad: virtual_address same as node2" { bad virtual_address '198.51.100.12'; }
@test "bad: virtual_address absent" { bad virtual_address '<absent>'; }
@test "bad: prefix_length 0" { bad prefix_length '0'; }
@test "bad: prefix_length 31" { bad prefix_length '31'; }
@test "bad: prefix_length negative" { bad prefix_length '-1'; }
@test "bad: prefix_length trailing space" { bad prefix_length '24 '; }
@test "bad: prefix_length word" { bad prefix_length 'abc'; }
@test "bad: node1_interface empty" { bad node1_interface ''; }
@test "bad: node1_interface alias colon" { bad node1_interface 'eth0:1'; }
@test "bad: node1_interface slash" { bad node1_interface 'eth/0'; }
@test "bad: node1_interface too long" { bad node1_interface 'averylonginterface'; }
@test "bad: node1_interface dotdot" { bad node1_interface '..'; }
@test "bad: node1_interface loopback" { bad node1_interface 'lo'; }
@test "bad: node2_interface loopback" { bad node2_interface 'lo'; }
@test "bad: node1_interface quote" { bad node1_interface 'eth"0'; }
@test "bad: node1_interface non-ASCII" { bad node1_interface 'ëth0'; }
@test "bad: node2_interface command substitution" { bad node2_interface '$(id)'; }
@test "bad: node1_hostname leading hyphen" { bad node1_hostname '-pbx'; }
@test "bad: node1_hostname underscore" { bad node1_hostname 'pbx_1'; }
@test "bad: node1_hostname empty label" { bad node1_hostname 'pbx..example'; }
@test "bad: node1_hostname 64-char label" { bad node1_hostname 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'; }
@test "bad: node1_hostname semicolon" { bad node1_hostname 'pbx1;reboot'; }
@test "bad: node2_hostname same as node1" { bad node2_hostname 'PBX1'; }
@test "bad: node2_hostname empty" { bad node2_hostname ''; }
@test "bad: this_node node3" { bad this_node 'node3'; }
@test "bad: this_node upper case" { bad this_node 'NODE1'; }
@test "bad: postgresql_version 14" { bad postgresql_version '14'; }
@test "bad: postgresql_version dotted" { bad postgresql_version '9.6'; }
@test "bad: postgresql_version leading zero" { bad postgresql_version '015'; }
@test "bad: replication_password empty" { bad replication_password ''; }
@test "bad: replication_password absent" { bad replication_password '<absent>'; }
@test "bad: replication_password tab" { bad replication_password $'pass\x09word'; }
@test "bad: replication_password escape sequence" { bad replication_password $'pw\x1b[2J'; }
@test "bad: replication_password 1025 bytes" { bad replication_password 'ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp'; }
@test "bad: kamailio_db_password carriage return" { bad kamailio_db_password $'kam\x0dpass'; }
@test "bad: kamailio_db_password slash" { bad kamailio_db_password 'kam/secret'; }
@test "bad: admin_db_password empty" { bad admin_db_password ''; }
@test "bad: freeswitch_db_password DEL" { bad freeswitch_db_password $'fs\x7fpass'; }
@test "bad: freeswitch_esl_password empty" { bad freeswitch_esl_password ''; }
@test "bad: vrrp_router_id 0" { bad vrrp_router_id '0'; }
@test "bad: vrrp_router_id 256" { bad vrrp_router_id '256'; }
@test "bad: vrrp_router_id leading zero" { bad vrrp_router_id '051'; }
@test "bad: vrrp_router_id word" { bad vrrp_router_id 'x'; }
@test "bad: vrrp_password empty" { bad vrrp_password ''; }
@test "bad: vrrp_password 9 chars" { bad vrrp_password '123456789'; }
@test "good: vrrp_password space (written in double quotes)" { good vrrp_password 'ab cdefg'; }
@test "bad: vrrp_password double quote" { bad vrrp_password 'ab"cdefg'; }
@test "bad: vrrp_password tab" { bad vrrp_password $'ab\tcdefg'; }
@test "good: vrrp_password hash" { good vrrp_password 'ab#cdefg'; }
@test "good: vrrp_password bang" { good vrrp_password 'ab!cdefg'; }
@test "good: vrrp_password dollar" { good vrrp_password 'ab$cdefg'; }
@test "good: vrrp_password backslash" { good vrrp_password 'ab\cdefg'; }
@test "good: vrrp_password an operator's existing secret" { good vrrp_password 'vR p#8x!'; }
@test "bad: vrrp_password non-ASCII" { bad vrrp_password 'mậtkhẩu'; }
@test "bad: node1_priority 255" { bad node1_priority '255'; }
@test "bad: node1_priority 0" { bad node1_priority '0'; }
@test "bad: node1_priority equal to node2" { bad node1_priority '100'; }
@test "bad: node2_priority above node1" { bad node2_priority '200' node1_priority; }
@test "bad: node2_priority negative" { bad node2_priority '-5'; }
@test "bad: freeswitch_sip_port 0" { bad freeswitch_sip_port '0'; }
@test "bad: freeswitch_sip_port 65536" { bad freeswitch_sip_port '65536'; }
@test "bad: freeswitch_sip_port collides with kamailio" { bad freeswitch_sip_port '5060' kamailio_sip_port; }
@test "bad: freeswitch_esl_port PostgreSQL's" { bad freeswitch_esl_port '5432'; }
@test "bad: freeswitch_esl_port rsync's" { bad freeswitch_esl_port '873'; }
@test "bad: kamailio_sip_port inside RTP range" { bad kamailio_sip_port '20000'; }
@test "bad: admin_http_port trailing letter" { bad admin_http_port '80a'; }
@test "bad: admin_metrics_port collides with http" { bad admin_metrics_port '8080'; }
@test "bad: kamailio_metrics_port collides with voip-admind's metrics port" { bad kamailio_metrics_port '9100'; }
@test "bad: kamailio_metrics_port collides with Kamailio's SIP port" { bad kamailio_metrics_port '5060'; }
@test "bad: kamailio_metrics_port inside RTP range" { bad kamailio_metrics_port '20000'; }
@test "bad: kamailio_metrics_port 0" { bad kamailio_metrics_port '0'; }
@test "bad: rtp_port_min below 1024" { bad rtp_port_min '1023'; }
@test "bad: rtp_port_max above 65535" { bad rtp_port_max '70000'; }
@test "bad: rtp_port_min equal to max" { bad rtp_port_min '32768'; }
@test "bad: rtp_port_min above max" { bad rtp_port_min '40000'; }
@test "bad: admin_api_key too short" { bad admin_api_key 'short'; }
@test "bad: admin_api_key with space" { bad admin_api_key 'QWRtaW5BcGlLZXlG b3JUZXN0'; }
@test "bad: admin_api_key with bang" { bad admin_api_key 'QWRtaW5BcGlLZXlG!b3JUZXN0'; }
@test "bad: freeswitch_api_key with quote" { bad freeswitch_api_key 'RnJlZVNXSVRDSEFw'\''aUtleUZv'; }
@test "bad: freeswitch_api_key 257 chars" { bad freeswitch_api_key 'KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK'; }
@test "bad: freeswitch_api_key same as admin" { bad freeswitch_api_key 'QWRtaW5BcGlLZXlGb3JUZXN0c09ubHkxMjM0NTY3OA=='; }
@test "bad: recordings_dir relative" { bad recordings_dir 'var/rec'; }
@test "bad: recordings_dir dotdot" { bad recordings_dir '/var/../etc'; }
@test "bad: recordings_dir space" { bad recordings_dir '/var/my rec'; }
@test "bad: recordings_dir quote" { bad recordings_dir '/var/re"c'; }
@test "bad: recordings_dir semicolon" { bad recordings_dir '/var/rec;reboot'; }
@test "bad: witness_address octet 300" { bad witness_address '300.1.1.1'; }
@test "bad: witness_address leading zero" { bad witness_address '198.51.100.002'; }
@test "bad: witness_address loopback" { bad witness_address '127.0.0.1'; }
@test "bad: witness_address zero network" { bad witness_address '0.1.2.3'; }
@test "bad: witness_address multicast" { bad witness_address '224.0.0.18'; }
@test "bad: witness_address word" { bad witness_address 'gateway'; }
@test "bad: witness_address trailing space" { bad witness_address '198.51.100.2 '; }
@test "bad: witness_address leading space" { bad witness_address ' 198.51.100.2'; }
@test "bad: witness_address with prefix" { bad witness_address '198.51.100.2/24'; }
@test "bad: witness_address the VIP" { bad witness_address '198.51.100.10'; }
@test "bad: witness_address node1's address" { bad witness_address '198.51.100.11'; }
@test "bad: witness_address node2's address" { bad witness_address '198.51.100.12'; }
@test "bad: witness_address shell injection" { bad witness_address '198.51.100.2;reboot'; }
@test "bad: alert_command relative" { bad alert_command 'bin/voip-alert'; }
@test "bad: alert_command bare name" { bad alert_command 'voip-alert'; }
@test "bad: alert_command space" { bad alert_command '/usr/local/bin/voip alert'; }
@test "bad: alert_command with arguments" { bad alert_command '/usr/bin/logger -t voip-ha'; }
@test "bad: alert_command semicolon" { bad alert_command '/usr/local/bin/alert;reboot'; }
@test "bad: alert_command command substitution" { bad alert_command '/usr/local/bin/$(reboot)'; }
@test "bad: alert_command pipe" { bad alert_command '/bin/true|/bin/sh'; }
@test "bad: alert_command dotdot" { bad alert_command '/usr/local/../../bin/sh'; }
@test "bad: sip_flood_requests zero" { bad sip_flood_requests '0'; }
@test "bad: sip_flood_requests below 4" { bad sip_flood_requests '3'; }
@test "bad: sip_flood_requests too high" { bad sip_flood_requests '1000001'; }
@test "bad: sip_flood_requests negative" { bad sip_flood_requests '-5'; }
@test "bad: sip_flood_requests word" { bad sip_flood_requests 'many'; }
@test "bad: sip_flood_requests empty" { bad sip_flood_requests ''; }
@test "bad: sip_flood_requests cfg injection" { bad sip_flood_requests '64)\nloadmodule "exec.so"'; }
@test "bad: sip_flood_interval zero" { bad sip_flood_interval '0'; }
@test "bad: sip_flood_interval too long" { bad sip_flood_interval '61'; }
@test "bad: sip_flood_interval with unit" { bad sip_flood_interval '2s'; }
@test "bad: sip_ban_time below 10" { bad sip_ban_time '9'; }
@test "bad: sip_ban_time above a day" { bad sip_ban_time '86401'; }
@test "bad: sip_ban_time leading zero" { bad sip_ban_time '0300'; }
@test "bad: sip_ban_time trailing space" { bad sip_ban_time '300 '; }
@test "bad: metrics_listen vip" { bad metrics_listen 'vip'; }
@test "bad: metrics_listen an address" { bad metrics_listen '198.51.100.11'; }
@test "bad: metrics_listen upper case" { bad metrics_listen 'Node'; }
@test "bad: metrics_listen empty" { bad metrics_listen ''; }
# The third voter: arbiter=postgresql with the rest of its keys.
ARB=(arbiter postgresql arbiter_address 198.51.100.2 arbiter_cluster voip-ha arbiter_password $'arb:P@ss/w\\rd\x22\x27$x \xe2\x82\xac')
bad_arb() { # FIELD KEY VALUE...: the arbiter config with KEY=VALUE refused, naming FIELD
	local field=$1 conf
	shift
	conf=$(conf_with "${ARB[@]}" "$@")
	run --separate-stderr "$VOIPHA" validate --config "$conf"
	[ "$status" -eq 1 ] || fail "validate exited $status: $stderr"
	[[ $stderr == *": $field: "* ]] || fail "validate does not name $field: $stderr"
	[[ $stderr != *"P@ss"* ]] || fail "validate printed the arbiter password"
}
@test "good: arbiter postgresql with every key, a password with every awkward character" {
	run -0 --separate-stderr "$VOIPHA" validate --config "$(conf_with "${ARB[@]}")"
}
@test "good: arbiter none needs nothing else" { good arbiter 'none'; }
@test "bad: arbiter etcd" { bad arbiter 'etcd'; }
@test "bad: arbiter upper case" { bad arbiter 'PostgreSQL'; }
@test "bad: arbiter postgresql without an address" { bad_arb arbiter_address arbiter_address ''; }
@test "bad: arbiter postgresql without a password" { bad_arb arbiter_password arbiter_password ''; }
@test "bad: arbiter_address a node's" { bad_arb arbiter_address arbiter_address 198.51.100.11; }
@test "bad: arbiter_address the VIP" { bad_arb arbiter_address arbiter_address 198.51.100.10; }
@test "bad: arbiter_address loopback" { bad_arb arbiter_address arbiter_address 127.0.0.1; }
@test "bad: arbiter_address a host name" { bad_arb arbiter_address arbiter_address witness.example.org; }
@test "bad: arbiter_port 0" { bad_arb arbiter_port arbiter_port 0; }
@test "bad: arbiter_cluster upper case" { bad_arb arbiter_cluster arbiter_cluster 'Voip'; }
@test "bad: arbiter_cluster leading dash" { bad_arb arbiter_cluster arbiter_cluster '-pbx'; }
@test "bad: arbiter_cluster 64 characters" { bad_arb arbiter_cluster arbiter_cluster aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; }
@test "bad: arbiter_cluster a space" { bad_arb arbiter_cluster arbiter_cluster 'pbx a'; }
@test "bad: arbiter_password a tab" { bad_arb arbiter_password arbiter_password $'ab\tcd'; }
@test "bad: arbiter_password over 1024 bytes" { bad_arb arbiter_password arbiter_password xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; }
@test "bad: metrics_listen node without scrapers" { bad metrics_listen 'node' metrics_allow; }
@test "bad: metrics_allow host bits" { bad metrics_allow '203.0.113.5/24'; }
@test "bad: metrics_allow prefix 0" { bad metrics_allow '0.0.0.0/0'; }
@test "bad: metrics_allow prefix 33" { bad metrics_allow '203.0.113.0/33'; }
@test "bad: metrics_allow space after comma" { bad metrics_allow '203.0.113.7, 192.0.2.1'; }
@test "bad: metrics_allow trailing comma" { bad metrics_allow '203.0.113.7,'; }
@test "bad: metrics_allow empty element" { bad metrics_allow '203.0.113.7,,192.0.2.1'; }
@test "bad: metrics_allow a name" { bad metrics_allow 'prometheus.example.org'; }
@test "bad: metrics_allow IPv6" { bad metrics_allow '2001:db8::7'; }
@test "bad: metrics_allow loopback" { bad metrics_allow '127.0.0.1'; }
@test "bad: metrics_allow multicast" { bad metrics_allow '224.0.0.0/4'; }
@test "bad: metrics_allow nft injection" { bad metrics_allow '203.0.113.7 } accept; ip saddr { 0.0.0.0/0'; }
@test "bad: metrics_allow 33 scrapers" { bad metrics_allow "$(printf '203.0.113.%d,' $(seq 1 32))203.0.113.200"; }

# Syntax-level hostility: named by file:line (or key), still nothing written.
syntax_bad() {
	local conf=$BATS_TEST_TMPDIR/c.conf
	{ cat "$GOOD"; printf "$1"; } > "$conf"
	run --separate-stderr "$VOIPHA" validate --config "$conf"
	[ "$status" -eq 1 ] || fail "validate exited $status"
	[[ $stderr == *"$2"* ]] || fail "no '$2' in: $stderr"
	run --separate-stderr "$VOIPHA" generate --config "$conf" --templates "$TEMPLATES" \
		--root "$ROOT" --node node1
	[ "$status" -eq 1 ] || fail "generate exited $status"
	[[ $stderr == *"$2"* ]] || fail "no '$2' in: $stderr"
	assert_equal "$(tree_state "$ROOT")" "$(cat "$BATS_FILE_TMPDIR/state")"
}

@test "syntax: unknown key" { syntax_bad 'node3_address=198.51.100.13\n' "unknown key 'node3_address'"; }
@test "syntax: duplicate key" { syntax_bad 'vrrp_password=other123\n' "duplicate key 'vrrp_password'"; }
@test "syntax: NUL byte" { syntax_bad 'admin_db_password=a\0b\n' "NUL byte"; }
@test "syntax: invalid UTF-8" { syntax_bad 'admin_db_password=\xff\xfe\n' "invalid UTF-8"; }
@test "syntax: spaces around =" { syntax_bad 'prefix_length = 24\n' "spaces around the key"; }
@test "syntax: password continued on a second line" { syntax_bad 'x\n' "line without '='"; }
