#!/bin/bash
# Builds voip-ha-node (and voip-ha-witness, left beside it) from a private
# copy of the work tree (what is on disk, committed or not) into OUT_DIR, so
# an e2e run never races another build in the shared tree (debian/build,
# ../*.deb) nor touches the developer's out/.
#   test/e2e/build-deb.sh OUT_DIR
# For the upgrade suite (test/e2e/upgrade.sh), three knobs:
#   BUILD_DEB_FROM=REF      build `git archive REF` instead of the work tree
#   BUILD_DEB_VERSION=V     a changelog entry for version V on top (the copy's)
#   BUILD_DEB_EDIT=FILE     a shell script run in the copy before the build
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$1
SRC=${E2E_BUILD_DIR:-/var/tmp/voip-ha-e2e-build}/voip-ha-node
rm -rf "$(dirname "$SRC")"
mkdir -p "$SRC" "$OUT"
if [ -n "${BUILD_DEB_FROM:-}" ]; then
	git -C "$ROOT" archive --format=tar "$BUILD_DEB_FROM" | tar -C "$SRC" -x
else
	(cd "$ROOT" && tar --exclude=./build --exclude=./out --exclude=./debian/build \
		--exclude=./debian/voip-ha-node --exclude=./debian/voip-ha-witness --exclude=./debian/.debhelper --exclude=./.git -c .) |
		tar -C "$SRC" -x
fi
cd "$SRC"
if [ -n "${BUILD_DEB_EDIT:-}" ]; then
	bash "$BUILD_DEB_EDIT"
fi
if [ -n "${BUILD_DEB_VERSION:-}" ]; then
	{
		printf 'voip-ha-node (%s) unstable; urgency=medium\n\n' "$BUILD_DEB_VERSION"
		printf '  * Test build for the upgrade suite (test/e2e/build-deb.sh).\n\n'
		printf ' -- voip-ha maintainers <voip-ha@example.org>  %s\n\n' "$(date -R)"
		cat debian/changelog
	} >debian/changelog.new
	mv debian/changelog.new debian/changelog
fi
# Sanitizer or developer settings from the caller's make must not leak in.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE -u BUILD -u CFLAGS \
	dpkg-buildpackage -us -uc -b -j2 >"$OUT/build.log" 2>&1 ||
	{ tail -n 30 "$OUT/build.log" >&2; exit 1; }
rm -f "$OUT"/*.deb
mv ../voip-ha-node_*.deb ../voip-ha-witness_*.deb "$OUT/"
rm -rf "$(dirname "$SRC")"
ls "$OUT"/*.deb
