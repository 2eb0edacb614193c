# shellcheck shell=bash
# What a bats test needs from the machine, said one way in every suite
# (`load ../lib/prereq`). A test that cannot run here says why.
#
#   prereq_root WHY        the test runs as root (WHY: what needs it)
#   prereq_cmd CMD...      every CMD is on PATH
#   prereq WHY CMD...      CMD succeeds (any other condition)
#   optional WHY CMD...    CMD succeeds, else skip even in strict mode: for
#                          what a correct CI machine may lack (a default
#                          route, a git history in a source tarball)
#
# By default an unmet prerequisite skips the test. With VOIPHA_TEST_STRICT=1
# (.ci/run sets it: CI installs every dependency and runs as root) it fails
# the test instead, so a CI run can never pass by skipping what it was meant
# to prove.

prereq_unmet() { # WHY
	if [ "${VOIPHA_TEST_STRICT:-0}" = 1 ]; then
		echo "prerequisite missing (VOIPHA_TEST_STRICT=1): $1" >&2
		return 1
	fi
	skip "$1"
}

prereq_root() { # WHY
	[ "$(id -u)" = 0 ] || prereq_unmet "needs root ($1)"
}

prereq_cmd() { # CMD...
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || prereq_unmet "$c is not installed" || return 1
	done
}

prereq() { # WHY CMD...
	local why=$1
	shift
	"$@" >/dev/null 2>&1 || prereq_unmet "$why"
}

optional() { # WHY CMD...
	local why=$1
	shift
	"$@" >/dev/null 2>&1 || skip "$why"
}
