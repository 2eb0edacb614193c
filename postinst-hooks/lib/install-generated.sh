# shellcheck shell=sh
# Puts the files rendered by `voip-ha generate` in place without silently
# overwriting an administrator's edits. POSIX sh, sourced by the 10-generate
# hook and the postinst (keepalived.conf, written last). The postrm undoes it
# from $VOIPHA_FILES with its own code (this file is gone at purge time).
# Installed as /usr/share/voip-ha/lib/install-generated.sh.
#
# `voip-ha generate --list` says, for each file, its path, mode, owner and
# policy (from templates/MANIFEST, which only the generator reads; see
# doc/DESIGN.md "Generated files"):
#  - own, freeswitch: wholly ours, put in place by `voip-ha install-file`
#    (atomic replace). freeswitch files are staged; hook 50 copies them.
#  - ucf: shared with the admin (keepalived.conf, pg_hba.conf, ...): through
#    ucf (which asks, via debconf, before replacing a file the admin changed)
#    and registered with ucfr. A file found in place that ucf never installed
#    is kept as FILE.voip-ha-orig and restored on purge.
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

# record KIND PATH: remember what we created (kinds: own, ucf, dir).
record() {
	grep -qxF "$1 $2" "$VOIPHA_FILES" 2>/dev/null || echo "$1 $2" >>"$VOIPHA_FILES"
}

# record_dirs: record each "mkdir DIR" line of `voip-ha install-file`.
record_dirs() {
	while read -r _what _dir; do
		if [ "$_what" = mkdir ]; then record dir "$_dir"; fi
	done
}

# make_parents PATH OWNER:GROUP: create missing parent directories (0755,
# owned like the file they hold) and record them for purge.
make_parents() {
	_out=$("$VOIPHA" install-file --only-parents "$1" "$2") && _irc=0 || _irc=$?
	printf '%s\n' "$_out" | record_dirs
	return "$_irc"
}

# same_file STAGED DEST MODE OWNER:GROUP: content, mode and owner all match.
same_file() {
	[ -f "$2" ] && cmp -s "$1" "$2" &&
		[ "$(stat -c '%a %U:%G' "$2")" = "$(printf '%o' "0$3") $4" ]
}

# install_own STAGED DEST MODE OWNER:GROUP: atomic replace (temp file with
# its final mode and owner, fsync, rename, fsync of the directory); an
# identical file is left untouched.
install_own() {
	_out=$("$VOIPHA" install-file "$1" "$2" "$3" "$4") && _irc=0 || _irc=$?
	printf '%s\n' "$_out" | record_dirs
	[ "$_irc" = 0 ] || return "$_irc"
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
	make_parents "$2" "$4" || return 1
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

# install_generated NODE [DEFER]: install every staged file of NODE as
# `voip-ha generate --list` names it; a ucf file named DEFER is skipped when
# it does not exist yet (first install of keepalived.conf: the postinst
# writes it last, see install_deferred).
install_generated() {
	_rc=0
	"$VOIPHA" generate --templates "$VOIPHA_TEMPLATES" --node "$1" --list >"$VOIPHA_STAGE.list" ||
		{ gen_say "voip-ha generate --list failed (see above)"; return 1; }
	# The list is read on fd 4: ucf talks to debconf on stdin.
	while read -r _dest _mode _owner _policy _rest <&4; do
		_src=$VOIPHA_STAGE$_dest
		if [ ! -f "$_src" ]; then
			gen_say "generator did not produce $_dest"
			_rc=1
			continue
		fi
		case $_policy in
		own | freeswitch) install_own "$_src" "$_dest" "$_mode" "$_owner" || _rc=1 ;;
		ucf)
			if [ "$_dest" = "${2:-}" ] && [ ! -e "$_dest" ] && ! ucf_knows "$_dest"; then
				: # written last by the postinst
			else
				install_shared "$_src" "$_dest" "$_mode" "$_owner" || _rc=1
			fi
			;;
		*)
			gen_say "unknown policy '$_policy' for $_dest"
			_rc=1
			;;
		esac
	done 4<"$VOIPHA_STAGE.list"
	return $_rc
}

# install_deferred DEST: the last file written before Keepalived may start
# (the postinst, after hooks 20-89, still with its debconf frontend).
install_deferred() {
	while read -r _dest _mode _owner _policy _rest <&4; do
		if [ "$_dest" != "$1" ] || [ "$_policy" != ucf ]; then continue; fi
		[ -f "$VOIPHA_STAGE$_dest" ] || return 1
		install_shared "$VOIPHA_STAGE$_dest" "$_dest" "$_mode" "$_owner"
	done 4<"$VOIPHA_STAGE.list"
}
