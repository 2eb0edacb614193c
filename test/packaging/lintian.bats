#!/usr/bin/env bats
# lintian on the built binary package and on the source package: no error and
# no warning. Overrides live in debian/voip-ha-node.lintian-overrides and
# debian/source/lintian-overrides, each with its reason.

load ../lib/prereq
bats_require_minimum_version 1.5.0

setup_file() {
	load build-deb
	pkg_build "$BATS_FILE_TMPDIR/pkg"
	export PKG_DEB PKG_WITNESS_DEB PKG_DSC
}

# lintian_clean FILE: fail listing every error or warning tag.
lintian_clean() {
	# stdout carries the tags; stderr only lintian's own notes (running as root).
	run --separate-stderr lintian --no-cfg --fail-on error,warning --display-level ">=warning" "$1"
	if [ "$status" -ne 0 ] || [ -n "$output" ]; then
		printf 'lintian %s:\n%s\n' "$(basename "$1")" "$output" >&2
		return 1
	fi
}

@test "lintian: binary package voip-ha-node" {
	lintian_clean "$PKG_DEB"
}

@test "lintian: binary package voip-ha-witness" {
	optional "VOIPHA_TEST_DEB given without VOIPHA_TEST_WITNESS_DEB" test -n "$PKG_WITNESS_DEB"
	lintian_clean "$PKG_WITNESS_DEB"
}

@test "lintian: source package" {
	optional "VOIPHA_TEST_DEB given: no source package built" test -n "$PKG_DSC"
	lintian_clean "$PKG_DSC"
}

@test "lintian: maintainer scripts and hooks pass shellcheck" {
	top=$BATS_TEST_DIRNAME/../..
	run shellcheck -s sh -e SC1091 "$top/debian/voip-ha-node.config" "$top/debian/voip-ha-node.postinst" \
		"$top/debian/voip-ha-node.postrm" "$top"/postinst-hooks/[0-1][0-9]-* "$top/postinst-hooks/lib/install-generated.sh" \
		"$top/debian/voip-ha-witness.config" "$top/debian/voip-ha-witness.postinst" "$top/debian/voip-ha-witness.postrm"
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
}
