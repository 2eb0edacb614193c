#!/bin/bash
# Builds voip-ha-node (and voip-ha-witness, left beside it) from a private
# copy of the work tree (what is on disk, committed or not) into OUT_DIR, so
# an e2e run never races another build in the shared tree (debian/build,
# ../*.deb) nor touches the developer's out/.
#   test/e2e/build-deb.sh OUT_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$1
SRC=${E2E_BUILD_DIR:-/var/tmp/voip-ha-e2e-build}/voip-ha-node
rm -rf "$(dirname "$SRC")"
mkdir -p "$SRC" "$OUT"
(cd "$ROOT" && tar --exclude=./build --exclude=./out --exclude=./debian/build \
	--exclude=./debian/voip-ha-node --exclude=./debian/voip-ha-witness --exclude=./debian/.debhelper --exclude=./.git -c .) |
	tar -C "$SRC" -x
cd "$SRC"
# Sanitizer or developer settings from the caller's make must not leak in.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE -u BUILD -u CFLAGS \
	dpkg-buildpackage -us -uc -b -j2 >"$OUT/build.log" 2>&1 ||
	{ tail -n 30 "$OUT/build.log" >&2; exit 1; }
rm -f "$OUT"/*.deb
mv ../voip-ha-node_*.deb ../voip-ha-witness_*.deb "$OUT/"
rm -rf "$(dirname "$SRC")"
ls "$OUT"/*.deb
