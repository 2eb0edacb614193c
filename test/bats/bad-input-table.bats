#!/usr/bin/env bats
# Driver (a) of the shared validation table (test/data/validation-table.tsv):
# `voip-ha validate` on test/data/validation-base.conf with each row's change
# must give the row's verdict: exit 0 and silence for accept; for reject exit
# 1 naming the blamed field (or, for a value the parser refuses, the line),
# nothing on stdout, never a secret value. Driver (b) is
# test/packaging/config-table.bats (the debconf config script, same table).

load cli-helpers
source "$REPO/test/data/validation-table.bash"

setup_file() {
	vt_load
	vt_cache "$BATS_FILE_TMPDIR/table.bash"
}

setup() {
	source "$BATS_FILE_TMPDIR/table.bash"
}

# check_field FIELD: every row of FIELD; all disagreements are listed.
check_field() {
	local row conf bad=0 b named
	conf=$BATS_TEST_TMPDIR/cluster.conf
	for row in $(vt_rows "$1"); do
		vt_config "$row" >"$conf"
		run --separate-stderr "$VOIPHA" validate --config "$conf"
		if [ "${VT_VERDICT[row]}" = accept ]; then
			if [ "$status" -ne 0 ] || [ -n "$stderr" ]; then
				echo "$(vt_describe "$row"): exit $status: $stderr" >&2
				bad=1
			fi
			continue
		fi
		if [ "$status" -ne 1 ] || [ -n "$output" ]; then
			echo "$(vt_describe "$row"): exit $status: $stderr" >&2
			bad=1
			continue
		fi
		named=0
		for b in ${VT_BLAME[row]}; do
			[[ $stderr != *": $b: "* ]] || named=1
		done
		[[ $stderr != *":$(wc -l <"$conf"): "* ]] || named=1
		if [ "$named" = 0 ]; then
			echo "$(vt_describe "$row"): the error names none of ${VT_BLAME[row]}: $stderr" >&2
			bad=1
		fi
		if vt_is_secret "$1" && [ ${#VT_VALUE[row]} -ge 4 ] && [[ $stderr == *"${VT_VALUE[row]}"* ]]; then
			echo "$(vt_describe "$row"): the error shows the secret" >&2
			bad=1
		fi
	done
	return "$bad"
}

@test "table: the base configuration is valid" {
	run -0 --separate-stderr "$VOIPHA" validate --config "$VT_BASE"
}

@test "table: every debconf question has accepted and refused rows, and a test here" {
	local q f missing=
	for q in $(awk '/^Template:/ { t = $2 } /^Type: (string|password|select)$/ { print t }' \
		"$REPO/debian/voip-ha-node.templates" | sed 's|^voip-ha-node/||' | grep -v -- '-again$'); do
		f=${q//-/_}
		[ "$(vt_rows "$f" | wc -l)" -gt 0 ] || { missing+=" $f(no rows)"; continue; }
		local row acc=0 rej=0
		for row in $(vt_rows "$f"); do
			[ "${VT_VERDICT[row]}" = accept ] && acc=1 || rej=1
		done
		[ "$acc$rej" = 11 ] || missing+=" $f(accept $acc, reject $rej)"
		grep -q "^@test .*{ check_field $f; }\$" "$BATS_TEST_FILENAME" || missing+=" $f(no test)"
	done
	[ -z "$missing" ] || fail "not covered:$missing"
	[ "$VT_COUNT" -ge 300 ]
}

@test "table: every key without a question in the table has a test here" {
	local f missing=
	for f in $(printf '%s\n' "${VT_FIELD[@]}" | sort -u); do
		vt_is_noquestion "$f" || continue
		grep -q "^@test .*{ check_field $f; }\$" "$BATS_TEST_FILENAME" || missing+=" $f"
	done
	[ -z "$missing" ] || fail "no test for:$missing"
}

@test "table: this_node" { check_field this_node; }
@test "table: node1_address" { check_field node1_address; }
@test "table: node2_address" { check_field node2_address; }
@test "table: virtual_address" { check_field virtual_address; }
@test "table: prefix_length" { check_field prefix_length; }
@test "table: node1_interface" { check_field node1_interface; }
@test "table: node2_interface" { check_field node2_interface; }
@test "table: witness_address" { check_field witness_address; }
@test "table: node1_hostname" { check_field node1_hostname; }
@test "table: node2_hostname" { check_field node2_hostname; }
@test "table: postgresql_version" { check_field postgresql_version; }
@test "table: replication_password" { check_field replication_password; }
@test "table: kamailio_db_password" { check_field kamailio_db_password; }
@test "table: admin_db_password" { check_field admin_db_password; }
@test "table: freeswitch_db_password" { check_field freeswitch_db_password; }
@test "table: vrrp_router_id" { check_field vrrp_router_id; }
@test "table: vrrp_password" { check_field vrrp_password; }
@test "table: node1_priority" { check_field node1_priority; }
@test "table: node2_priority" { check_field node2_priority; }
@test "table: kamailio_sip_port" { check_field kamailio_sip_port; }
@test "table: freeswitch_sip_port" { check_field freeswitch_sip_port; }
@test "table: freeswitch_esl_port" { check_field freeswitch_esl_port; }
@test "table: freeswitch_esl_password" { check_field freeswitch_esl_password; }
@test "table: rtp_port_min" { check_field rtp_port_min; }
@test "table: rtp_port_max" { check_field rtp_port_max; }
@test "table: admin_http_port" { check_field admin_http_port; }
@test "table: admin_metrics_port" { check_field admin_metrics_port; }
@test "table: kamailio_metrics_port" { check_field kamailio_metrics_port; }
@test "table: admin_api_key" { check_field admin_api_key; }
@test "table: freeswitch_api_key" { check_field freeswitch_api_key; }
@test "table: arbiter" { check_field arbiter; }
@test "table: arbiter_address" { check_field arbiter_address; }
@test "table: arbiter_port" { check_field arbiter_port; }
@test "table: arbiter_cluster" { check_field arbiter_cluster; }
@test "table: arbiter_password" { check_field arbiter_password; }
@test "table: backup" { check_field backup; }
@test "table: backup_host" { check_field backup_host; }
@test "table: backup_port" { check_field backup_port; }
@test "table: backup_path" { check_field backup_path; }
@test "table: backup_stanza" { check_field backup_stanza; }
@test "table: backup_retention_full" { check_field backup_retention_full; }
@test "table: backup_retention_diff" { check_field backup_retention_diff; }
@test "table: backup_cipher" { check_field backup_cipher; }
@test "table: backup_cipher_pass" { check_field backup_cipher_pass; }
@test "table: backup_full_day" { check_field backup_full_day; }
@test "table: backup_time" { check_field backup_time; }
@test "table: backup_archive_timeout" { check_field backup_archive_timeout; }
@test "table: failover_profile" { check_field failover_profile; }
