#!/usr/bin/env bats
# The man pages render without groff/man warnings, document every command of
# commands.def, and their cluster.conf example is itself valid.

load cli-helpers

render() {
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$1"
}

@test "voip-ha.8, cluster.conf.5 and voip-ha-witness.8 render without warnings" {
	prereq_cmd man
	for page in "$REPO/doc/voip-ha.8" "$REPO/doc/cluster.conf.5" "$REPO/doc/voip-ha-witness.8"; do
		run -0 --separate-stderr render "$page"
		assert_equal "$stderr" ""
	done
}

@test "voip-ha.8 has a section for every command of commands.def" {
	for name in $(sed -n 's/^COMMAND("\([a-z-]*\)".*/\1/p' "$REPO/src/cli/commands.def"); do
		grep -q "^\.SS $name\$" "$REPO/doc/voip-ha.8" || fail "no .SS $name in voip-ha.8"
	done
}

@test "cluster.conf.5 documents every key, and its example is valid" {
	for key in $(sed -n 's/^CLUSTER_KEY(\([a-z0-9_]*\),.*/\1/p' "$REPO/src/lib/cluster-keys.def"); do
		grep -q "$key" "$REPO/doc/cluster.conf.5" || fail "$key not in cluster.conf.5"
	done
	sed -n '/^\.EX/,/^\.EE/p' "$REPO/doc/cluster.conf.5" | sed '1d;$d;s/\\-/-/g' \
		> "$BATS_TEST_TMPDIR/example.conf"
	run -0 "$VOIPHA" validate "$BATS_TEST_TMPDIR/example.conf"
}
