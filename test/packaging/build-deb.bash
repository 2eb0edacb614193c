# Builds voip-ha-node_*.deb and voip-ha-witness_*.deb (and the source
# package) from a copy of the working tree, so a test run never touches
# build/, out/ or debian/ of the tree itself. Sourced by the install and
# lintian suites.
#
#   pkg_build DIR   -> sets PKG_DEB (voip-ha-node's .deb), PKG_WITNESS_DEB
#                      and PKG_DSC, in DIR/out
# VOIPHA_TEST_DEB=/path/to.deb skips the build (a package built already;
# VOIPHA_TEST_WITNESS_DEB names the witness's, if any).

PKG_TREE=${PKG_TREE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

pkg_build() {
	local dir=$1 src
	if [ -n "${VOIPHA_TEST_DEB:-}" ]; then
		PKG_DEB=$VOIPHA_TEST_DEB
		PKG_WITNESS_DEB=${VOIPHA_TEST_WITNESS_DEB:-}
		PKG_DSC=
		return 0
	fi
	src=$dir/src/voip-ha-node
	mkdir -p "$src"
	# The tree as it is (committed or not), without build products.
	tar -C "$PKG_TREE" --exclude=./.git --exclude=./build --exclude=./out \
		--exclude=./debian/build --exclude=./debian/voip-ha-node --exclude=./debian/voip-ha-witness \
		--exclude=./debian/.debhelper --exclude='./debian/*.debhelper*' \
		--exclude=./debian/files --exclude='./debian/*.substvars' \
		--exclude=./debian/debhelper-build-stamp -cf - . | tar -C "$src" -xf -
	(cd "$src" && dpkg-source -b . && mkdir -p "$dir/out" && mv ../voip-ha-node_*.dsc ../voip-ha-node_*.tar.* "$dir/out/" && make deb DEB_OUT="$dir/out") \
		>"$dir/build.log" 2>&1 || {
		tail -n 30 "$dir/build.log" >&2
		return 1
	}
	PKG_DEB=$(ls "$dir"/out/voip-ha-node_*_*.deb | grep -v dbgsym | head -n 1)
	PKG_WITNESS_DEB=$(ls "$dir"/out/voip-ha-witness_*_*.deb | grep -v dbgsym | head -n 1)
	PKG_DSC=$(ls "$dir"/out/voip-ha-node_*.dsc | head -n 1)
}
