/* A strict subset of POSIX ustar: regular files only, written with fixed
 * metadata (mode 0600, owner root, time 0) and read back with every header
 * checked. For bundles of a few small files (voip-ha backup-host), which
 * `tar tf` can still list. Library code: returns -errno, never prints. */
#ifndef VOIPHA_TAR_H
#define VOIPHA_TAR_H

#include <stddef.h>

#include "lib/strbuf.h"

#define TAR_NAME_MAX 99

struct tar_member {
	const char *name; /* relative, at most TAR_NAME_MAX bytes */
	const char *data;
	size_t len;
};

/* Appends an archive of the n members (and the end-of-archive blocks) to
 * out. -EINVAL for a name that is empty, too long or absolute. */
int tar_write(const struct tar_member *m, size_t n, struct strbuf *out);

/* Reads an archive into m[0..max): names and data point into `data`
 * (names NUL-terminated inside their header). Refuses anything but regular
 * files, a bad checksum, a size past the end, a missing end-of-archive,
 * anything but zeros after it, more than max members, names that are
 * absolute or have a ".." component: -EINVAL with the reason in why. */
int tar_read(const char *data, size_t len, struct tar_member *m, size_t max, size_t *n, char *why,
	     size_t why_len);

#endif
