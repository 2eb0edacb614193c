# Throwaway debconf database for running debian/voip-ha-node.config without
# root (doc/STYLE.md 1.3). Sourced by the config-script bats suites.
#
#   dc_setup DIR        create DIR/debconf.conf, load the templates, copy the
#                       config script next to its compiled templates
#   dc_preseed LINES    debconf-set-selections from stdin-like text
#   dc_run [ACTION]     run the config script (noninteractive), 20 s timeout
#   dc_get QUESTION     print the stored value of voip-ha-node/QUESTION
#   dc_routes LINES     the test root's /proc/net/route (what the config
#                       script reads for the default gateway), from lines
#                       "IFACE GATEWAY METRIC" for default routes

PKG_DEBIAN=${PKG_DEBIAN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../debian" && pwd)}

dc_setup() {
	DC_DIR=$1
	mkdir -p "$DC_DIR"
	cat >"$DC_DIR/debconf.conf" <<-CONF
	Config: configdb
	Templates: templatedb

	Name: configdb
	Driver: File
	Mode: 600
	Filename: $DC_DIR/config.dat

	Name: templatedb
	Driver: File
	Mode: 644
	Filename: $DC_DIR/templates.dat
	CONF
	export DEBCONF_SYSTEMRC=$DC_DIR/debconf.conf
	# A test root with no cluster.conf, unless a test writes one.
	export VOIP_HA_SYSROOT=$DC_DIR/root
	mkdir -p "$VOIP_HA_SYSROOT"
	# The frontend loads NAME.templates next to NAME.config: give it the
	# compiled (po2debconf) templates, as in the built package.
	po2debconf "$PKG_DEBIAN/voip-ha-node.templates" >"$DC_DIR/voip-ha-node.templates"
	cp "$PKG_DEBIAN/voip-ha-node.config" "$DC_DIR/voip-ha-node.config"
	debconf-loadtemplate voip-ha-node "$DC_DIR/voip-ha-node.templates"
}

# The sample answers of doc/preseed.example, node1's view, without a
# witness machine.
dc_valid_preseed() {
	cat <<-'EOF'
	voip-ha-node voip-ha-node/this-node select node1
	voip-ha-node voip-ha-node/node1-address string 198.51.100.11
	voip-ha-node voip-ha-node/node2-address string 198.51.100.12
	voip-ha-node voip-ha-node/virtual-address string 198.51.100.10
	voip-ha-node voip-ha-node/prefix-length string 24
	voip-ha-node voip-ha-node/node1-interface string eth0
	voip-ha-node voip-ha-node/node2-interface string eth0
	voip-ha-node voip-ha-node/witness-address string 198.51.100.2
	voip-ha-node voip-ha-node/arbiter select none
	voip-ha-node voip-ha-node/node1-hostname string pbx1
	voip-ha-node voip-ha-node/node2-hostname string pbx2
	voip-ha-node voip-ha-node/replication-password password re"pl'$:\ä-pass
	voip-ha-node voip-ha-node/kamailio-db-password password kam-secret
	voip-ha-node voip-ha-node/admin-db-password password admin-secret
	voip-ha-node voip-ha-node/freeswitch-db-password password fs-secret
	voip-ha-node voip-ha-node/vrrp-password password vrrp8chr
	voip-ha-node voip-ha-node/freeswitch-esl-password password esl-secret
	EOF
}

dc_preseed() {
	debconf-set-selections
}

dc_run() {
	DEBIAN_FRONTEND=noninteractive timeout 20 \
		/usr/share/debconf/frontend "$DC_DIR/voip-ha-node.config" "${1:-configure}" "${2:-}"
}

dc_get() {
	# debconf-show hides passwords; read the File database directly.
	awk -v q="voip-ha-node/$1" '
		$1 == "Name:" { cur = $2 }
		$1 == "Value:" && cur == q { sub(/^Value: ?/, ""); print; exit }
	' "$DC_DIR/config.dat"
}

# dc_routes: stdin lines "IFACE GATEWAY METRIC" (dotted quad), each a default
# route, plus one link route per interface, as the kernel prints them in
# /proc/net/route (addresses in little-endian hex).
dc_routes() {
	local ifname gw met a b c d
	mkdir -p "$VOIP_HA_SYSROOT/proc/net"
	{
		printf 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n'
		while read -r ifname gw met; do
			IFS=. read -r a b c d <<<"$gw"
			printf '%s\t00000000\t%02X%02X%02X%02X\t0003\t0\t0\t%s\t00000000\t0\t0\t0\n' \
				"$ifname" "$d" "$c" "$b" "$a" "$met"
			printf '%s\t00%02X%02X%02X\t00000000\t0001\t0\t0\t%s\t00FFFFFF\t0\t0\t0\n' \
				"$ifname" "$c" "$b" "$a" "$met"
		done
	} >"$VOIP_HA_SYSROOT/proc/net/route"
}
