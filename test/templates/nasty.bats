#!/usr/bin/env bats
# Legal but hostile secrets (test/fixtures/answers-nasty.conf: quotes,
# backslashes, $ ${x} $${y}, : # ; & < >, non-ASCII, "x-pre-process") are read
# back from EVERY generated file that holds them, with each file's own
# syntax rules, and must equal the answer byte for byte. The mini-node suite
# (nodes.bats) runs with the same answers as part of this check target: real
# PostgreSQL logins through .pgpass, Kamailio's DB connection, voip-admin's
# password through the VIP, the rsync secret.

load lib

setup_file() {
	export NASTY=$FIXTURES/answers-nasty.conf OUT=$BATS_FILE_TMPDIR/out
	gen_all "$NASTY" "$OUT" >/dev/null
}

# pgpass_password LINE: the 5th field of a .pgpass line, unescaped as libpq
# does (\x is x; ':' ends a field).
pgpass_password() {
	local line=$1 i c field=0 cur=''
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if [ "$c" = '\' ] && [ $((i + 1)) -lt ${#line} ]; then
			i=$((i + 1))
			cur+=${line:i:1}
		elif [ "$c" = : ] && [ $field -lt 4 ]; then
			field=$((field + 1))
			cur=''
		else
			cur+=$c
		fi
	done
	printf '%s' "$cur"
}

# kam_string TEXT: a Kamailio cfg double-quoted string's content, unescaped
# (\" and \\; the lexer's other escapes never occur in our output).
kam_string() {
	local s=$1 out='' i c
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		if [ "$c" = '\' ]; then
			i=$((i + 1))
			out+=${s:i:1}
		else
			out+=$c
		fi
	done
	printf '%s' "$out"
}

@test "nasty answers pass validation (they are legal)" {
	"$VOIPHA" validate --config "$NASTY"
}

@test "replication_password: the .pgpass line gives it back (both nodes)" {
	local want line node n
	want=$(conf_get "$NASTY" replication_password)
	for node in node1 node2; do
		n=0
		while IFS= read -r line; do
			[ "$(pgpass_password "$line")" = "$want" ]
			[[ "$line" == 198.51.100.1[012]:5432:\*:replicator:* ]]
			n=$((n + 1))
		done < "$OUT/$node/var/lib/postgresql/.voip-ha.pgpass"
		[ "$n" -eq 3 ]
	done
}

@test "kamailio_db_password: every db_url in kamailio.cfg carries it as Kamailio parses it" {
	local want node line url n
	want=$(conf_get "$NASTY" kamailio_db_password)
	for node in node1 node2; do
		# One URL: #!define DBURL "<escaped url>" ...
		line=$(grep '^#!define DBURL "' "$OUT/$node/etc/voip-ha/kamailio/kamailio.cfg")
		line=${line#\#!define DBURL \"}
		url=$(kam_string "${line%\"}")
		# db_id.c: user up to the first ':', password up to the LAST '@'.
		[ "${url%%:*}" = postgres ]
		url=${url#postgres://kamailio:}
		[ "${url%@*}" = "$want" ]
		[ "${url##*@}" = 127.0.0.1:5432/voip ]
		# ... which every module's db_url uses (usrloc, auth_db, acc).
		n=0
		while IFS= read -r line; do
			[[ "$line" == 'modparam("'*'", "db_url", DBURL)' ]]
			n=$((n + 1))
		done < <(grep '"db_url"' "$OUT/$node/etc/voip-ha/kamailio/kamailio.cfg")
		[ "$n" -eq 3 ]
	done
}

@test "admin_db_password and the API key digests in voip-admin.conf" {
	local cfg=$OUT/node1/etc/voip-ha/voip-admin.conf
	[ "$(conf_get "$cfg" db_password)" = "$(conf_get "$NASTY" admin_db_password)" ]
	[ "$(conf_get "$cfg" admin_api_key_sha256)" = \
		"$(conf_get "$NASTY" admin_api_key | sha256sum | cut -d' ' -f1)" ]
	[ "$(conf_get "$cfg" freeswitch_api_key_sha256)" = \
		"$(conf_get "$NASTY" freeswitch_api_key | sha256sum | cut -d' ' -f1)" ]
	# voip-admind's own parser reads the same file (when it is built).
	if [ -x "$TOP/build/voip-admind" ]; then
		run "$TOP/build/voip-admind" --config "$cfg" --check-config
		[ "$status" -eq 0 ]
	fi
}

@test "freeswitch_esl_password: event_socket.conf.xml gives it back through an XML parser" {
	local want node
	want=$(conf_get "$NASTY" freeswitch_esl_password)
	for node in node1 node2; do
		[ "$(xml_param "$OUT/$node/etc/voip-ha/freeswitch/autoload_configs/event_socket.conf.xml" password)" = "$want" ]
	done
}

@test "freeswitch_api_key: xml_curl gateway-credentials and xml_cdr cred" {
	local want node d
	want=freeswitch:$(conf_get "$NASTY" freeswitch_api_key)
	for node in node1 node2; do
		d=$OUT/$node/etc/voip-ha/freeswitch/autoload_configs
		[ "$(xml_param "$d/xml_curl.conf.xml" gateway-credentials)" = "$want" ]
		[ "$(xml_param "$d/xml_cdr.conf.xml" cred)" = "$want" ]
	done
}

@test "FreeSWITCH's preprocessor finds nothing to expand or drop in our files" {
	local f
	while IFS= read -r f; do
		# $${var} is expanded and any line with x-pre-process is dropped, on
		# the raw text, before XML parsing; <? lines are dropped too.
		run grep -n -i -e '\$' -e 'x-pre-process' -e '<?' "$f"
		[ "$status" -eq 1 ]
	done < <(find "$OUT" -path '*/freeswitch/*' -name '*.xml')
}

@test "vrrp_password: the auth_pass token in keepalived.conf" {
	local want node got
	want=$(conf_get "$NASTY" vrrp_password)
	for node in node1 node2; do
		got=$(awk '$1 == "auth_pass" { print $2; n++ } END { exit n != 1 }' \
			"$OUT/$node/etc/keepalived/keepalived.conf")
		[ "$got" = "$want" ]
	done
}

@test "rsync_password: derived from replication_password, identical in the secrets and password files" {
	local want node
	# HMAC-SHA256(key = replication_password, "voip-ha recordings rsync"), key via stdin.
	want=$(conf_get "$NASTY" replication_password | perl -MDigest::SHA=hmac_sha256_hex \
		-e 'local $/; my $k = <STDIN>; print hmac_sha256_hex("voip-ha recordings rsync", $k)')
	[ "${#want}" -eq 64 ]
	for node in node1 node2; do
		[ "$(cat "$OUT/$node/etc/voip-ha/recordings-rsync.password")" = "$want" ]
		[ "$(cat "$OUT/$node/etc/voip-ha/rsyncd.secrets")" = "voip-ha:$want" ]
	done
}

@test "a kamailio_db_password with '/' before its first '@' is refused before anything is written" {
	conf_with "$NASTY" kamailio_db_password 'a/b@c' "$BATS_TEST_TMPDIR/slash.conf"
	run "$VOIPHA" generate --all --out "$BATS_TEST_TMPDIR/out" --config "$BATS_TEST_TMPDIR/slash.conf" \
		--templates "$TOP/templates"
	[ "$status" -ne 0 ]
	[[ "$output" == *kamailio_db_password* ]]
	[ ! -e "$BATS_TEST_TMPDIR/out/node1" ]
}
