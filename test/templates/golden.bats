#!/usr/bin/env bats
# `voip-ha generate --all` on the sample pair gives exactly test/golden/
# (regenerate with `make golden-update` after an intended change), and the
# per-node facts the seed insists on hold in that output.

load lib

setup_file() {
	export OUT=$BATS_FILE_TMPDIR/out
	gen_all "$FIXTURES/answers-pair.conf" "$OUT" >/dev/null
}

@test "node1 output equals test/golden/node1" {
	diff -ru "$TOP/test/golden/node1" "$OUT/node1"
}

@test "node2 output equals test/golden/node2" {
	diff -ru "$TOP/test/golden/node2" "$OUT/node2"
}

@test "DEPLOY.md equals test/golden/DEPLOY.md" {
	diff -u "$TOP/test/golden/DEPLOY.md" "$OUT/DEPLOY.md"
}

@test "every file generate --list names is generated, with its mode, and nothing else" {
	local path mode owner policy rest n=0 ucf=0
	while read -r path mode owner policy rest; do
		[ "$(stat -c %a "$path")" = "${mode#0}" ] || { echo "$path: mode" >&2; return 1; }
		[ "$policy" = ucf ] && ucf=$((ucf + 1))
		n=$((n + 1))
	done < <("$VOIPHA" generate --all --out "$OUT" --list --config "$FIXTURES/answers-pair.conf" \
		--templates "$TOP/templates")
	[ "$n" -ge 30 ]
	[ "$ucf" -eq 6 ] # keepalived.conf, pg_hba.conf, lsyncd.conf.lua on each node
	[ "$(find "$OUT" -type f | wc -l)" -eq "$n" ]
}

@test "FreeSWITCH binds SIP and RTP to the node's own address, never the VIP" {
	local p
	for p in sip-ip rtp-ip ext-sip-ip ext-rtp-ip; do
		[ "$(xml_param "$OUT/node1/etc/voip-ha/freeswitch/sip_profiles/internal.xml" $p)" = 198.51.100.11 ]
		[ "$(xml_param "$OUT/node2/etc/voip-ha/freeswitch/sip_profiles/internal.xml" $p)" = 198.51.100.12 ]
	done
	run grep -F 198.51.100.10 "$OUT/node1/etc/voip-ha/freeswitch/sip_profiles/internal.xml" \
		"$OUT/node2/etc/voip-ha/freeswitch/sip_profiles/internal.xml"
	[ "$status" -eq 1 ]
	[ "$(xml_param "$OUT/node1/etc/voip-ha/freeswitch/autoload_configs/switch.conf.xml" rtp-start-port)" = 16384 ]
	[ "$(xml_param "$OUT/node1/etc/voip-ha/freeswitch/autoload_configs/switch.conf.xml" rtp-end-port)" = 32768 ]
}

@test "keepalived: priorities as configured, both BACKUP with nopreempt, unicast to each other" {
	local k1=$OUT/node1/etc/keepalived/keepalived.conf k2=$OUT/node2/etc/keepalived/keepalived.conf
	grep -qx '    priority 150' "$k1"
	grep -qx '    priority 100' "$k2"
	grep -qx '    state BACKUP' "$k1"
	grep -qx '    state BACKUP' "$k2"
	grep -qx '    nopreempt' "$k1"
	grep -qx '    nopreempt' "$k2"
	grep -qx '    unicast_src_ip 198.51.100.11' "$k1"
	grep -qx '        198.51.100.12' "$k1"
	grep -qx '    unicast_src_ip 198.51.100.12' "$k2"
	grep -qx '        198.51.100.11' "$k2"
	grep -qx '        198.51.100.10/24 dev host0' "$k1"
	grep -qx '        auth_type AH' "$k1"
	[ "$(grep -c '^ *notify ' "$k1")" -eq 1 ]
}

@test "PostgreSQL, Kamailio and dispatcher differ per node as they must" {
	grep -qx "listen_addresses = 'localhost,198.51.100.11,198.51.100.10'" \
		"$OUT/node1/etc/postgresql/15/main/conf.d/50-voip-ha.conf"
	grep -qx "listen_addresses = 'localhost,198.51.100.12,198.51.100.10'" \
		"$OUT/node2/etc/postgresql/15/main/conf.d/50-voip-ha.conf"
	# Replication only from the peer.
	grep -Eq '^host +replication +replicator +198\.51\.100\.12/32 +scram-sha-256$' \
		"$OUT/node1/etc/postgresql/15/main/pg_hba.conf"
	grep -Eq '^host +replication +replicator +198\.51\.100\.11/32 +scram-sha-256$' \
		"$OUT/node2/etc/postgresql/15/main/pg_hba.conf"
	run grep -E '^host +replication .*198\.51\.100\.11/32' "$OUT/node1/etc/postgresql/15/main/pg_hba.conf"
	[ "$status" -eq 1 ]
	# Kamailio listens on the VIP and the own address; dispatcher has both
	# FreeSWITCH own addresses, the local one first.
	grep -qx 'listen=udp:198.51.100.10:5060' "$OUT/node2/etc/voip-ha/kamailio/kamailio.cfg"
	grep -qx 'listen=udp:198.51.100.12:5060' "$OUT/node2/etc/voip-ha/kamailio/kamailio.cfg"
	[ "$(grep -v '^#' "$OUT/node1/etc/voip-ha/kamailio/dispatcher.list" | cut -d' ' -f2,4)" = "$(printf 'sip:198.51.100.11:5080 10\nsip:198.51.100.12:5080 5')" ]
	[ "$(grep -v '^#' "$OUT/node2/etc/voip-ha/kamailio/dispatcher.list" | cut -d' ' -f2,4)" = "$(printf 'sip:198.51.100.12:5080 10\nsip:198.51.100.11:5080 5')" ]
}

@test "no secret in a world-readable file, none in DEPLOY.md" {
	local key value f
	for key in replication_password kamailio_db_password admin_db_password \
		freeswitch_db_password vrrp_password freeswitch_esl_password \
		admin_api_key freeswitch_api_key; do
		value=$(conf_get "$FIXTURES/answers-pair.conf" $key)
		while IFS= read -r f; do
			if grep -qF -- "$value" "$f"; then
				echo "$key in world-readable $f" >&2
				return 1
			fi
		done < <(find "$OUT" -type f -perm -o=r)
	done
	# The rsync secret is derived; it too stays in 0600 files.
	value=$(cat "$OUT/node1/etc/voip-ha/recordings-rsync.password")
	[ "${#value}" -eq 64 ]
	run grep -rlF -- "$value" "$OUT"
	[ "$(printf '%s\n' "$output" | sort | xargs -n1 stat -c %a | sort -u)" = 600 ]
}

@test "DEPLOY.md gives the operator's real addresses" {
	grep -qF '| VIP (clients use this) | 198.51.100.10/24 |' "$OUT/DEPLOY.md"
	grep -qF '| node1 (first primary) | 198.51.100.11 | host0 | voip-node1 | 150 |' "$OUT/DEPLOY.md"
	grep -qF '| node2 (first standby) | 198.51.100.12 | host0 | voip-node2 | 100 |' "$OUT/DEPLOY.md"
	run grep -F '{{' "$OUT/DEPLOY.md"
	[ "$status" -eq 1 ]
}
