/* Atomic file replacement: readers see the old file or the new one, never a
 * mix, and a secret never sits in a file with looser permissions than its
 * final ones (the temp file gets mode and owner before the first byte). */
#ifndef VOIPHA_ATOMIC_WRITE_H
#define VOIPHA_ATOMIC_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define AW_KEEP_OWNER ((uid_t)-1)

/* Does `path` differ from the wanted content, mode and owner? Returns 1 when
 * it would change (or does not exist), 0 when identical, -errno on error.
 * uid/gid AW_KEEP_OWNER / (gid_t)-1: owner not compared. */
int atomic_write_differs(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
			 gid_t gid);

/* Replaces `path` atomically: temp file in the same directory created with
 * `mode` (and uid/gid unless -1) before any byte is written, write, fsync,
 * rename, fsync the directory. Skips everything when the file is already
 * identical. *ret_changed (may be NULL) says whether it wrote. -errno on error;
 * the temp file is removed and the old file untouched on failure. */
int atomic_write(const char *path, const void *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
		 bool *ret_changed);

/* Writes all of p to fd, again after EINTR or a short write: 0 or -errno. */
int write_all(int fd, const char *p, size_t len);

/* mkdir -p of the directory part of `path`, new directories with `mode`. */
int mkdir_parents(const char *path, mode_t mode);
/* The same, each new directory given exactly `mode` (whatever the umask)
 * and uid/gid (unless AW_KEEP_OWNER / (gid_t)-1), and passed to
 * created(dir, arg) when created is not NULL. */
int mkdir_parents_owned(const char *path, mode_t mode, uid_t uid, gid_t gid,
			void (*created)(const char *dir, void *arg), void *arg);

#endif
