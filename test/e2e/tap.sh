# shellcheck shell=bash
# Minimal TAP producer for the sequential two-node scenarios (bats runs each
# test in a subshell, which does not fit a stateful scenario whose nodes stay
# up across steps). Plan is printed at the end ("1..N" after the tests is
# valid TAP).

TAP_N=0
TAP_FAILED=0

# tap_ok DESC CMD...: one test point from a command's status; on failure the
# command's output is shown as TAP diagnostics.
tap_ok() {
	local desc=$1 out rc
	shift
	TAP_N=$((TAP_N + 1))
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" = 0 ]; then
		printf 'ok %d - %s\n' "$TAP_N" "$desc"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		printf 'not ok %d - %s\n' "$TAP_N" "$desc"
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/#   /'
		printf '#   (exit %d)\n' "$rc"
	fi
	return 0
}

# tap_todo DESC WHY CMD...: a point for a known defect (TAP's TODO): it
# says whether the defect showed, and a failure is counted apart from the
# failures (tools/tap-summary: skipped), never hidden.
tap_todo() {
	local desc=$1 why=$2 out rc
	shift 2
	TAP_N=$((TAP_N + 1))
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" = 0 ]; then
		printf 'ok %d - %s # TODO %s\n' "$TAP_N" "$desc" "$why"
	else
		printf 'not ok %d - %s # TODO %s\n' "$TAP_N" "$desc" "$why"
		printf '%s\n' "$out" | tail -n 40 | sed 's/^/#   /'
	fi
	return 0
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	printf 'ok %d - %s # SKIP %s\n' "$TAP_N" "$1" "$2"
}

tap_diag() { printf '# %s\n' "$*"; }

tap_done() {
	printf '1..%d\n' "$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}

# A fatal problem before the scenario could even run (setup failed) still
# yields a failing TAP stream instead of none.
tap_bail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	printf 'not ok %d - %s\n' "$TAP_N" "$*"
}
