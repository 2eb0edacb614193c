# shellcheck shell=sh
# Shared helpers of the bring-up postinst hooks (20-* and up). POSIX sh.
# Installed as /usr/share/voip-ha/lib/bringup.sh; every hook is idempotent and
# prints what it does on stderr (dpkg shows it), never a secret.

VOIPHA=${VOIPHA:-/usr/sbin/voip-ha}
VOIPHA_STATE=${VOIPHA_STATE:-/var/lib/voip-ha}
VOIPHA_APPLIED=$VOIPHA_STATE/applied

say() { echo "voip-ha: $*" >&2; }

# Services can be (re)started only when systemd runs this machine; in a
# chroot or an image build the hooks say so and skip.
have_systemd() { [ -d /run/systemd/system ]; }

require_systemd() {
	if ! have_systemd; then
		say "$1: systemd is not running here (chroot or image build): skipped;"
		say "  run 'dpkg-reconfigure voip-ha-node' on the booted system to finish the setup"
		exit 0
	fi
}

# Reads `voip-ha node-info` (non-secret key=value lines) into NI_<key>.
# shellcheck disable=SC2034 # NI_* are used by the hooks sourcing this file
load_node_info() {
	_ni=$("$VOIPHA" node-info) || { say "cannot tell which node this is (see above)"; exit 1; }
	# Values are addresses, numbers, fixed words and validated paths.
	eval "$(printf '%s\n' "$_ni" | sed -n 's/^\([a-z_]*\)=\([-A-Za-z0-9_./]*\)$/NI_\1=\2/p')"
	if [ -z "${NI_local_node:-}" ] || [ -z "${NI_pg_major:-}" ]; then
		say "voip-ha node-info gave no node"
		exit 1
	fi
}

# Starts, restarts or reloads a unit, honouring policy-rc.d as
# deb-systemd-invoke would (a chroot or container build may forbid starting
# daemons). Not deb-systemd-invoke itself: it refuses our own static units
# and the unit of a package that enabled nothing (lsyncd's sysv script).
invoke() {
	_action=$1
	shift
	if [ "$_action" = start ] && [ "$1" = --no-block ]; then
		_nb=--no-block
		shift
	else
		_nb=
	fi
	if [ -x /usr/sbin/policy-rc.d ]; then
		_rc=0
		/usr/sbin/policy-rc.d "${1%.service}" "$_action" >/dev/null 2>&1 || _rc=$?
		case $_rc in
		0 | 104) ;;
		*) say "policy-rc.d forbids '$_action $1': skipped"; return 0 ;;
		esac
	fi
	# shellcheck disable=SC2086 # $_nb is empty or one word
	systemctl $_nb "$_action" "$1"
}

unit_active() { systemctl is-active --quiet "$1"; }

# Digest of the files a unit reads: lets a hook restart a daemon only when
# its configuration really changed (reinstall/upgrade with the same answers
# restarts nothing). Missing files count, so deleting one is a change too.
config_digest() {
	for _f in "$@"; do
		if [ -e "$_f" ]; then sha256sum "$_f"; else echo "absent $_f"; fi
	done | sha256sum | cut -d' ' -f1
}

# config_changed NAME FILES...: true when the digest differs from the one
# recorded by mark_applied NAME FILES... (after a successful (re)start).
config_changed() {
	_name=$1
	shift
	[ "$(cat "$VOIPHA_APPLIED/$_name" 2>/dev/null)" != "$(config_digest "$@")" ]
}

# The same, with the file names on stdin (one a line).
config_changed_list() {
	# shellcheck disable=SC2046 # file names from our own fixed list
	set -- "$1" $(cat)
	config_changed "$@"
}
mark_applied_list() {
	# shellcheck disable=SC2046
	set -- "$1" $(cat)
	mark_applied "$@"
}

mark_applied() {
	_name=$1
	shift
	mkdir -p "$VOIPHA_APPLIED"
	config_digest "$@" >"$VOIPHA_APPLIED/$_name.new" && mv "$VOIPHA_APPLIED/$_name.new" "$VOIPHA_APPLIED/$_name"
}

# ensure_unit UNIT FILES...: start UNIT when it is not running, restart it
# when its configuration changed since we last (re)started it, else nothing.
ensure_unit() {
	_unit=$1
	shift
	if ! unit_active "$_unit"; then
		say "starting $_unit"
		invoke start "$_unit" || { say "$_unit failed to start (journalctl -u $_unit)"; return 1; }
	elif config_changed "$_unit" "$@"; then
		say "restarting $_unit (its configuration changed)"
		invoke restart "$_unit" || { say "$_unit failed to restart (journalctl -u $_unit)"; return 1; }
	fi
	mark_applied "$_unit" "$@"
}

# PostgreSQL of this node: running? in recovery?
pg_running() { pg_ctlcluster "$NI_pg_major" main status >/dev/null 2>&1; }
pg_in_recovery() {
	[ "$(cd / && runuser -u postgres -- psql -p 5432 -XAtqc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]
}
