#!/usr/bin/env bats
# voip-ha install-file: the postinst's installer (own files, FreeSWITCH's
# copies): atomic, mode and owner by name, parents created and reported,
# an identical file untouched, every bad argument refused with nothing made.

load cli-helpers

setup() {
	SRC=$BATS_TEST_TMPDIR/src
	printf 'secret=1\n' > "$SRC"
	D=$BATS_TEST_TMPDIR/d
	OWNER=$(id -un):$(id -gn)
}

@test "install-file: new file with its mode and owner, parents created 0755 and reported" {
	run -0 --separate-stderr "$VOIPHA" install-file "$SRC" "$D/a/b/f.conf" 0640 "$OWNER"
	assert_equal "$output" "mkdir $D
mkdir $D/a
mkdir $D/a/b
installed $D/a/b/f.conf"
	assert_equal "$(stat -c '%a %U:%G' "$D/a/b/f.conf")" "640 $OWNER"
	assert_equal "$(stat -c '%a %U:%G' "$D/a/b")" "755 $OWNER"
	cmp "$SRC" "$D/a/b/f.conf"
	# No temp file left next to it.
	assert_equal "$(ls -A "$D/a/b")" f.conf
}

@test "install-file: an identical file is left untouched; a change replaces it" {
	"$VOIPHA" install-file "$SRC" "$D/f" 0600 "$OWNER" >/dev/null
	before=$(stat -c '%i %Y' "$D/f")
	run -0 --separate-stderr "$VOIPHA" install-file "$SRC" "$D/f" 0600 "$OWNER"
	assert_equal "$output" ""
	assert_equal "$(stat -c '%i %Y' "$D/f")" "$before"
	run -0 --separate-stderr "$VOIPHA" install-file "$SRC" "$D/f" 0640 "$OWNER"
	assert_equal "$output" "installed $D/f"
	assert_equal "$(stat -c %a "$D/f")" 640
	# The inode just before the change: one freed earlier (the mode change
	# above may rename too) can be handed out again.
	before=$(stat -c %i "$D/f")
	printf 'secret=2\n' > "$SRC"
	run -0 --separate-stderr "$VOIPHA" install-file "$SRC" "$D/f" 0640 "$OWNER"
	assert_equal "$output" "installed $D/f"
	[ "$(stat -c %i "$D/f")" != "$before" ] # a new inode: renamed over
	cmp "$SRC" "$D/f"
}

@test "install-file as root: owner and group by name" {
	prereq_root "to give a file away"
	run -0 "$VOIPHA" install-file "$SRC" "$D/f" 0640 nobody:nogroup
	assert_equal "$(stat -c '%a %U:%G' "$D/f" "$D")" "640 nobody:nogroup
755 nobody:nogroup"
}

@test "install-file --only-parents: directories only" {
	run -0 --separate-stderr "$VOIPHA" install-file --only-parents "$D/x/f" "$OWNER"
	assert_equal "$output" "mkdir $D
mkdir $D/x"
	[ -d "$D/x" ] && [ ! -e "$D/x/f" ]
	run -0 "$VOIPHA" install-file --only-parents "$D/x/f" "$OWNER"
	assert_equal "$output" ""
}

@test "install-file: bad arguments are refused and nothing is made" {
	local args code msg
	while IFS='|' read -r code msg args; do
		run "-$code" --separate-stderr "$VOIPHA" install-file ${args//@/$BATS_TEST_TMPDIR}
		[[ $stderr == *"${msg//@/$BATS_TEST_TMPDIR}"* ]] || fail "install-file $args: $stderr"
		[ ! -e "$D" ] || fail "install-file $args made $D"
	done <<ROWS
2|mode '0666' must not be group- or world-writable|@/src @/d/f 0666 $OWNER
2|mode '4755' must not be group- or world-writable or set-id|@/src @/d/f 4755 $OWNER
2|mode '64o' must be octal|@/src @/d/f 64o $OWNER
2|mode '9' must be octal|@/src @/d/f 9 $OWNER
2|owner 'root' must be user:group|@/src @/d/f 0640 root
2|owner 'ro\$t:root' must be user:group|@/src @/d/f 0640 ro\$t:root
1|user 'no-such-user': does not exist|@/src @/d/f 0640 no-such-user:root
1|group 'no-such-group': does not exist|@/src @/d/f 0640 root:no-such-group
2|DEST 'd/f' must be an absolute path to a file|@/src d/f 0640 $OWNER
2|DEST '@/d/' must be an absolute path to a file|@/src @/d/ 0640 $OWNER
2|expected SRC DEST MODE OWNER:GROUP|@/src @/d/f 0640
2|expected DEST OWNER:GROUP|--only-parents @/d/f
1|cannot read '@/nope': No such file or directory|@/nope @/d/f 0640 $OWNER
1|cannot read '@': not a regular file|@ @/d/f 0640 $OWNER
ROWS
}
