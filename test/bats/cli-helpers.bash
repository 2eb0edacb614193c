# Shared setup for the voip-ha CLI bats suites (cli-*.bats, bad-input.bats).
# VOIPHA is the binary under test (make passes the freshly built one).
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load ../lib/prereq

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
VOIPHA=${VOIPHA:-$REPO/build/voip-ha}
DATA=$BATS_TEST_DIRNAME/data
GOOD=$DATA/good.conf
TEMPLATES=$REPO/test/unit/data/templates

# conf_with KEY VALUE [KEY VALUE...]: prints the path of a copy of good.conf
# with each KEY set to VALUE ("<absent>" removes the key).
conf_with() {
	local out=$BATS_TEST_TMPDIR/cluster.conf.$RANDOM
	cp "$GOOD" "$out"
	while [ $# -ge 2 ]; do
		grep -v "^$1=" "$out" > "$out.tmp" || true
		[ "$2" = "<absent>" ] || printf '%s=%s\n' "$1" "$2" >> "$out.tmp"
		mv "$out.tmp" "$out"
		shift 2
	done
	echo "$out"
}

# make_sysroot DIR: a sysroot with its own users and groups for --root.
make_sysroot() {
	mkdir -p "$1/etc"
	printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:4101:4101::/var/lib/postgresql:/bin/sh\n' \
		> "$1/etc/passwd"
	printf 'root:x:0:\npostgres:x:4101:\nvoiptest:x:4242:\n' > "$1/etc/group"
}

# tree_state DIR: every path, type, mode, owner, size and content digest.
tree_state() {
	(cd "$1" && find . -printf '%p %y %m %U %G %s %i\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
}

# unprivileged CMD...: CMD as an ordinary user, whoever runs the suite (as
# root: the user nobody, without supplementary groups), so that tests of
# what only root may do, or of what root could read anyway, run in CI too.
unprivileged() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	else
		"$@"
	fi
}
