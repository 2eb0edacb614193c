#!/bin/bash
# The controlled difference between N and N+1 in the upgrade suite
# (test/e2e/upgrade.sh), applied by build-deb.sh (BUILD_DEB_EDIT) in the
# private copy N+1 is built from: one comment line in the generated
# configuration of exactly one service, the recordings receiver
# (voip-ha-rsyncd: /etc/voip-ha/rsyncd.conf), and one in FreeSWITCH's staged
# configuration (switch.conf.xml, copied into /etc/freeswitch by postinst
# hook 50). Nothing else differs, so the suite knows what an upgrade must
# restart: voip-ha-rsyncd, and nothing else (FreeSWITCH: a pending restart).
set -euo pipefail
f=templates/rsync/rsyncd.conf.tmpl
g=templates/freeswitch/autoload_configs/switch.conf.xml.tmpl
[ -f "$f" ] && [ -f "$g" ] || { echo "upgrade-edit: $f or $g missing" >&2; exit 1; }
printf '# voip-ha upgrade suite: this line is new in N+1\n' >>"$f"
# Inside the XML comment that opens the file.
[ "$(head -n1 "$g")" = '<!--' ] || { echo "upgrade-edit: $g does not start with a comment" >&2; exit 1; }
sed -i '1a\  voip-ha upgrade suite: this line is new in N+1' "$g"
