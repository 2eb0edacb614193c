#!/usr/bin/env bats
# test/lib/prereq.bash, the one way a suite states what it needs: an unmet
# prerequisite skips the test, or fails it under VOIPHA_TEST_STRICT=1 (CI);
# `optional` skips in both.

load cli-helpers

# inner_suite BODY: a one-test bats file using the helper, run by bats.
inner_suite() {
	local f=$BATS_TEST_TMPDIR/inner.bats
	printf '#!/usr/bin/env bats\nload %s\n@test "inner" {\n\t%s\n\ttrue\n}\n' \
		"$REPO/test/lib/prereq" "$1" >"$f"
	run bats --tap "$f"
}

@test "prereq: an unmet prerequisite skips the test, and fails it in strict mode" {
	local cond
	for cond in 'prereq_cmd voip-ha-no-such-command' 'prereq "never true" false' \
		'prereq_root x' ; do
		[ "$cond" = 'prereq_root x' ] && [ "$(id -u)" = 0 ] && continue
		VOIPHA_TEST_STRICT=0 inner_suite "$cond"
		[ "$status" -eq 0 ]
		assert_line --regexp '^ok 1 inner # skip'
		VOIPHA_TEST_STRICT=1 inner_suite "$cond"
		[ "$status" -ne 0 ]
		assert_line 'not ok 1 inner'
		assert_output --partial 'prerequisite missing (VOIPHA_TEST_STRICT=1)'
	done
}

@test "prereq: a met prerequisite runs the test; optional skips even in strict mode" {
	VOIPHA_TEST_STRICT=1 inner_suite 'prereq_cmd sh; prereq "true holds" true'
	[ "$status" -eq 0 ]
	assert_line 'ok 1 inner'
	VOIPHA_TEST_STRICT=1 inner_suite 'optional "no such thing here" false'
	[ "$status" -eq 0 ]
	assert_line 'ok 1 inner # skip no such thing here'
}
