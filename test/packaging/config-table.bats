#!/usr/bin/env bats
# Driver (b) of the shared validation table (test/data/validation-table.tsv):
# debian/voip-ha-node.config, as the packaging suite runs it (a throwaway
# debconf database, a preseed, the noninteractive frontend), with
# test/data/validation-base.conf as the preseed and each row's change: exit 0
# without "E:" for accept; for reject exit 1 (not the timeout's 124) with
# "E: voip-ha-node: voip-ha-node/QUESTION: " naming the blamed question, and
# never a secret value. Driver (a) is test/bats/bad-input-table.bats
# (`voip-ha validate`, same table).
bats_require_minimum_version 1.5.0

setup_file() {
	source "$BATS_TEST_DIRNAME/../data/validation-table.bash"
	vt_load
	vt_cache "$BATS_FILE_TMPDIR/table.bash"
}

setup() {
	load debconf-env
	source "$BATS_TEST_DIRNAME/../data/validation-table.bash"
	source "$BATS_FILE_TMPDIR/table.bash"
	dc_setup "$BATS_TEST_TMPDIR/dc"
	cp "$DC_DIR/config.dat" "$DC_DIR/config.dat.empty"
}

# preseed_row I: the base with row I applied, as debconf-set-selections lines.
preseed_row() {
	local key value type
	while IFS= read -r line; do
		key=${line%%=*}
		value=${line#*=}
		case $key in
		this_node | arbiter) type=select ;;
		*_password | *_api_key) type=password ;;
		*) type=string ;;
		esac
		printf 'voip-ha-node voip-ha-node/%s %s %s\n' "${key//_/-}" "$type" "$value"
	done < <(vt_config "$1")
}

# check_field FIELD: every row of FIELD, each on a fresh debconf database;
# all disagreements are listed.
check_field() {
	local row bad=0 b named
	for row in $(vt_rows "$1"); do
		cp "$DC_DIR/config.dat.empty" "$DC_DIR/config.dat"
		preseed_row "$row" | dc_preseed
		run --separate-stderr dc_run
		if [ "${VT_VERDICT[row]}" = accept ]; then
			if [ "$status" -ne 0 ] || [[ $stderr == *"E: "* ]]; then
				echo "$(vt_describe "$row"): exit $status: $stderr" >&2
				bad=1
			elif [ "$(dc_get "${1//_/-}")" != "${VT_VALUE[row]}" ]; then
				echo "$(vt_describe "$row"): stored as [$(dc_get "${1//_/-}")]" >&2
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
			[[ $stderr != "E: voip-ha-node: voip-ha-node/${b//_/-}: "* ]] || named=1
		done
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

@test "table: the base configuration is a valid preseed" {
	preseed_row 0 | dc_preseed
	run --separate-stderr dc_run
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "table: every field of the table has a test here" {
	local f missing=
	for f in $(printf '%s\n' "${VT_FIELD[@]}" | sort -u); do
		# no debconf question: only `voip-ha validate` reads it (driver a)
		if vt_is_noquestion "$f"; then continue; fi
		grep -q "^@test .*{ check_field $f; }\$" "$BATS_TEST_FILENAME" || missing+=" $f"
	done
	[ -z "$missing" ] || { echo "no test for:$missing" >&2; return 1; }
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
