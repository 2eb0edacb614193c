# Throwaway Debian 12 roots for installing the package: each test gets its own
# writable overlay over the cached base of test/lib/rootfs.sh, entered with
# systemd-nspawn without --boot (no systemd as PID 1: the postinst hooks skip
# service actions, as in a chroot) and with no network at all.

ROOTFS_SH=${ROOTFS_SH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/rootfs.sh}

rootfs_prepare() {
	ROOTFS=$("$ROOTFS_SH") || return 1
	mkdir -p /run/systemd/nspawn
	mountpoint -q /run/systemd/nspawn || mount -t tmpfs tmpfs /run/systemd/nspawn
}

# in_root UPPER SHARE COMMAND: run COMMAND (sh -c) in the root made of the base
# plus the overlay UPPER; SHARE is bound at /mnt/share. nspawn stays in the
# foreground and unmounts everything when COMMAND ends, even on failure.
in_root() {
	mkdir -p "$1"
	systemd-nspawn -q -D "$ROOTFS" --overlay="$ROOTFS:$1:/" --register=no --keep-unit \
		--private-network --console=pipe --bind="$2:/mnt/share" --setenv=LC_ALL=C.UTF-8 \
		/bin/sh -c "$3" </dev/null
}
