#!/bin/bash
# Build (once) and print the path of a cached Debian 12 root file system for the
# packaging and two-node tests. The mirror is read from this machine's own apt
# sources, so the tests use whatever archive the machine is set up for.
#
#   test/lib/rootfs.sh            -> prints the rootfs path (builds it if needed)
#
# The base carries systemd and the runtime dependencies of voip-ha-node, so an
# install test only has to add our .deb. Concurrent callers serialise on a lock.
set -euo pipefail

CACHE=${VOIPHA_TEST_CACHE:-/var/cache/voip-ha-test}
ROOTFS=$CACHE/rootfs-bookworm
STAMP=$ROOTFS/.voip-ha-rootfs-v1
# Packages preinstalled in the base (runtime dependencies of the stack).
EXTRA="postgresql-15 postgresql-common postgresql-contrib kamailio kamailio-postgres-modules \
keepalived lsyncd rsync ucf debconf-utils iproute2 iputils-ping procps sip-tester curl \
libpq5 libcjson1 libmicrohttpd12 libsystemd0 libexpat1 libssl3 ca-certificates less pgbackrest"
# Added to EXTRA after caches were built: a cache that lacks one gets it
# installed (under the lock), so no cache has to be rebuilt from scratch.
LATE="pgbackrest"

mirror() {
	local uri
	uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '/^deb / && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
	[ -n "$uri" ] || { echo "rootfs.sh: no Debian mirror found in this machine's apt sources" >&2; return 1; }
	echo "$uri"
}

nspawn_prepare() {
	# systemd-nspawn needs this on a host whose PID 1 is not systemd.
	mkdir -p /run/systemd/nspawn
	mountpoint -q /run/systemd/nspawn || mount -t tmpfs tmpfs /run/systemd/nspawn
}

build() {
	local m tmp
	m=$(mirror)
	tmp=$ROOTFS.tmp
	rm -rf "$tmp"
	debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iproute2 \
		bookworm "$tmp" "$m" >&2
	# Same apt sources as the host (security updates included).
	cp /etc/apt/sources.list.d/debian.sources "$tmp/etc/apt/sources.list.d/" 2>/dev/null || true
	rm -f "$tmp/etc/apt/sources.list"
	nspawn_prepare
	systemd-nspawn -q -D "$tmp" --register=no --keep-unit \
		/bin/sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $EXTRA && apt-get clean" >&2
	# The packages above create clusters and enable units for a generic host;
	# the base keeps them installed but with no PostgreSQL cluster, so each
	# test node starts from what a fresh `apt install` would see.
	systemd-nspawn -q -D "$tmp" --register=no --keep-unit \
		/bin/sh -c 'for c in $(pg_lsclusters -h | awk "{print \$1\"/\"\$2}"); do pg_dropcluster --stop ${c%/*} ${c#*/}; done' >&2 || true
	echo "voip-ha-test" > "$tmp/etc/hostname"
	touch "$tmp/.voip-ha-rootfs-v1"
	mv "$tmp" "$ROOTFS"
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ ! -e "$STAMP" ]; then
	rm -rf "$ROOTFS"
	build
fi
missing=
for p in $LATE; do
	[ -e "$ROOTFS/var/lib/dpkg/info/$p.list" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	nspawn_prepare
	systemd-nspawn -q -D "$ROOTFS" --register=no --keep-unit \
		/bin/sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing && apt-get clean" >&2
fi
echo "$ROOTFS"
