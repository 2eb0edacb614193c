/* User and group names to ids, either from the running system (NSS) or from
 * a sysroot's own etc/passwd and etc/group (like dpkg's DPKG_ROOT), so that
 * `--root DIR` never takes ids from the wrong system. */
#ifndef VOIPHA_OWNER_H
#define VOIPHA_OWNER_H

#include <sys/types.h>

/* root NULL or "": the running system. Returns 0, -ENOENT when the name does
 * not exist, other -errno on error. */
int lookup_user(const char *root, const char *name, uid_t *ret);
int lookup_group(const char *root, const char *name, gid_t *ret);

#endif
