# shellcheck shell=sh
# Puts the files rendered by `voip-ha generate` in place without silently
# overwriting an administrator's edits. POSIX sh, sourced by the 10-generate
# hook and the postinst (keepalived.conf, written last). The postrm undoes it
# from $VOIPHA_FILES with its own code (this file is gone at purge time).
# Installed as /usr/share/voip-ha/lib/install-generated.sh.
#
# Two kinds of file (see doc/DESIGN.md "Generated files"):
#  - ours: the path names voip-ha (/etc/voip-ha/..., conf.d/50-voip-ha.conf,
#    sysctl.d/60-voip-ha.conf). Wholly owned: replaced atomically.
#  - shared with the admin (keepalived.conf, pg_hba.conf, kamailio.cfg, ...):
#    through ucf (which asks, via debconf, before replacing a file the admin
#    changed) and registered with ucfr. A file found in place that ucf never
#    installed (the kamailio package's example kamailio.cfg, say) is kept as
#    FILE.voip-ha-orig and restored on purge.
# Every installed file and created directory is listed in $VOIPHA_FILES, so
# purge removes exactly what the package created.

VOIPHA=${VOIPHA:-/usr/sbin/voip-ha}
VOIPHA_STATE=${VOIPHA_STATE:-/var/lib/voip-ha}
VOIPHA_STAGE=$VOIPHA_STATE/generated
VOIPHA_FILES=$VOIPHA_STATE/installed-files
VOIPHA_TEMPLATES=${VOIPHA_TEMPLATES:-/usr/share/voip-ha/templates}
UCF_PKG=voip-ha-node
UCF_HASHFILE=/var/lib/ucf/hashfile

gen_say() { echo "voip-ha: $*" >&2; }

is_ours() {
	case $1 in *voip-ha*) return 0 ;; *) return 1 ;; esac
}

# record KIND PATH: remember what we created (kinds: own, ucf, dir).
record() {
	grep -qxF "$1 $2" "$VOIPHA_FILES" 2>/dev/null || echo "$1 $2" >>"$VOIPHA_FILES"
}

# make_parents PATH OWNER:GROUP: create missing parent directories (0755),
# owned like the file they hold, and record them for purge.
make_parents() {
	_missing=
	_d=$(dirname "$1")
	while [ ! -d "$_d" ]; do
		_missing="$_d $_missing"
		_d=$(dirname "$_d")
	done
	for _d in $_missing; do
		mkdir -m 0755 "$_d"
		chown "$2" "$_d"
		record dir "$_d"
	done
}

# same_file STAGED DEST MODE OWNER:GROUP: content, mode and owner all match.
same_file() {
	[ -f "$2" ] && cmp -s "$1" "$2" &&
		[ "$(stat -c '%a %U:%G' "$2")" = "$(printf '%o' "0$3") $4" ]
}

# install_own STAGED DEST MODE OWNER:GROUP: atomic replace. The temp file is
# created 0600 root (umask) before a byte is written, then given its final
# owner and mode, then renamed over DEST.
install_own() {
	same_file "$@" && { record own "$2"; return 0; }
	make_parents "$2" "$4"
	_tmp="$2.voip-ha-new"
	(umask 077 && cp "$1" "$_tmp")
	chown "$4" "$_tmp"
	chmod "$3" "$_tmp"
	mv -f "$_tmp" "$2"
	record own "$2"
}

ucf_knows() {
	[ -r "$UCF_HASHFILE" ] && awk -v f="$1" '$2 == f { found = 1 } END { exit !found }' "$UCF_HASHFILE"
}

# install_shared STAGED DEST MODE OWNER:GROUP: through ucf, which needs the
# debconf frontend of the postinst (stdin and fd 3) to ask about a file the
# admin changed: callers run before db_stop.
install_shared() {
	if same_file "$@" && ucf_knows "$2"; then
		record ucf "$2"
		return 0
	fi
	make_parents "$2" "$4"
	_known=no
	ucf_knows "$2" && _known=yes
	if [ -e "$2" ] && [ "$_known" = no ] && [ ! -e "$2.voip-ha-orig" ]; then
		gen_say "keeping the previous $2 as $2.voip-ha-orig (restored on purge)"
		mv "$2" "$2.voip-ha-orig"
		record orig "$2.voip-ha-orig"
	fi
	ucf --debconf-ok "$1" "$2"
	ucfr "$UCF_PKG" "$2"
	record ucf "$2"
	if [ -e "$2" ] && cmp -s "$1" "$2"; then
		chown "$4" "$2"
		chmod "$3" "$2"
	elif [ -e "$2" ]; then
		# ucf copied the staged file with its mode (0600 or tighter).
		gen_say "$2 has local changes and was kept; the generated version is $2.ucf-dist"
	elif [ "$_known" = yes ]; then
		gen_say "$2 was deleted by the administrator and stays deleted"
	else
		gen_say "ucf did not create $2"
		return 1
	fi
}

# ucf_unchanged PATH: PATH is still exactly what ucf last installed there.
ucf_unchanged() {
	[ -f "$1" ] && [ -r "$UCF_HASHFILE" ] &&
		[ "$(awk -v f="$1" '$2 == f { print $1 }' "$UCF_HASHFILE")" = "$(md5sum <"$1" | cut -d' ' -f1)" ]
}

# unrecord KIND PATH: forget a line of $VOIPHA_FILES.
unrecord() {
	[ -f "$VOIPHA_FILES" ] || return 0
	grep -vxF "$1 $2" "$VOIPHA_FILES" >"$VOIPHA_FILES.new" || true
	mv -f "$VOIPHA_FILES.new" "$VOIPHA_FILES"
}

# release_shared PATH: PATH was installed through ucf by an earlier version
# and is no longer written there (kamailio.cfg and dispatcher.list moved to
# /etc/voip-ha/kamailio/). Unregistered from ucf; a file the admin never
# edited is removed and the one that was there before us (PATH.voip-ha-orig,
# the kamailio package's conffile) comes back; an edited one is kept as
# PATH.voip-ha-edited, never lost. No-op when we never shared PATH.
release_shared() {
	ucf_knows "$1" || grep -qxF "ucf $1" "$VOIPHA_FILES" 2>/dev/null || return 0
	if [ -e "$1" ] && ! ucf_unchanged "$1"; then
		mv -f "$1" "$1.voip-ha-edited"
		gen_say "$1 had local changes: kept as $1.voip-ha-edited (voip-ha no longer uses that path)"
	else
		rm -f "$1"
	fi
	if command -v ucf >/dev/null; then ucf --purge "$1"; fi
	if command -v ucfr >/dev/null; then ucfr --purge "$UCF_PKG" "$1"; fi
	rm -f "$1.ucf-new" "$1.ucf-old" "$1.ucf-dist"
	unrecord ucf "$1"
	if [ -e "$1.voip-ha-orig" ]; then
		mv -f "$1.voip-ha-orig" "$1"
		gen_say "restored $1 as it was before voip-ha"
	fi
	unrecord orig "$1.voip-ha-orig"
}

# manifest_entries PG_MAJOR: "template dest mode owner" for each per-node
# file of templates/MANIFEST, with {{raw:pg_major}} substituted.
manifest_entries() {
	sed -e 's/#.*//' -e "s/{{raw:pg_major}}/$1/g" "$VOIPHA_TEMPLATES/MANIFEST" |
		awk 'NF >= 4 && (NF == 4 || $5 == "node") { print $1, $2, $3, $4 }'
}

# install_generated PG_MAJOR [DEFER]: install every staged file; a shared
# file named DEFER is skipped when it does not exist yet (first install of
# keepalived.conf: the postinst writes it last, see install_deferred).
install_generated() {
	_rc=0
	manifest_entries "$1" >"$VOIPHA_STAGE.list"
	# The list is read on fd 4: ucf talks to debconf on stdin.
	while read -r _t _dest _mode _owner <&4; do
		_src=$VOIPHA_STAGE$_dest
		if [ ! -f "$_src" ]; then
			gen_say "generator did not produce $_dest"
			_rc=1
			continue
		fi
		if is_ours "$_dest"; then
			install_own "$_src" "$_dest" "$_mode" "$_owner" || _rc=1
		elif [ "$_dest" = "${2:-}" ] && [ ! -e "$_dest" ] && ! ucf_knows "$_dest"; then
			: # written last by the postinst
		else
			install_shared "$_src" "$_dest" "$_mode" "$_owner" || _rc=1
		fi
	done 4<"$VOIPHA_STAGE.list"
	return $_rc
}

# install_deferred DEST: the last file written before Keepalived may start
# (the postinst, after hooks 20-89, still with its debconf frontend).
install_deferred() {
	while read -r _t _dest _mode _owner <&4; do
		[ "$_dest" = "$1" ] || continue
		[ -f "$VOIPHA_STAGE$_dest" ] || return 1
		install_shared "$VOIPHA_STAGE$_dest" "$_dest" "$_mode" "$_owner"
	done 4<"$VOIPHA_STAGE.list"
}
