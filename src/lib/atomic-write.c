/* Atomic writer (see atomic-write.h). */
#include "lib/atomic-write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* Compares the open file's bytes with data, without reading it whole. */
static int same_content(int fd, const void *data, size_t len)
{
	char buf[8192];
	size_t off = 0;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return off == len;
		if ((size_t)n > len - off || memcmp(buf, (const char *)data + off, (size_t)n)) {
			explicit_bzero(buf, sizeof(buf));
			return 0;
		}
		off += (size_t)n;
	}
}

int atomic_write_differs(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
			 gid_t gid)
{
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 1 : -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != mode ||
	    (uid != AW_KEEP_OWNER && st.st_uid != uid) || (gid != (gid_t)-1 && st.st_gid != gid) ||
	    (size_t)st.st_size != len) {
		close(fd);
		return 1;
	}
	r = same_content(fd, data, len);
	close(fd);
	return r < 0 ? r : !r;
}

int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Creates a hidden temp file next to the target, exclusively, mode 0 so
 * nobody can open it before its final mode and owner are set. */
static int create_temp(int dirfd, const char *base, char *name, size_t namesz)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		unsigned long long rnd;
		int fd;

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -EIO;
		snprintf(name, namesz, ".%.200s.%llx.tmp", base, rnd);
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

int atomic_write(const char *path, const void *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
		 bool *ret_changed)
{
	char *dir = NULL, tmp[256];
	const char *slash = strrchr(path, '/'), *base;
	int dirfd = -1, fd = -1, r;

	if (ret_changed)
		*ret_changed = false;
	r = atomic_write_differs(path, data, len, mode, uid, gid);
	if (r <= 0)
		return r;
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	base = slash ? slash + 1 : path;
	if (!dir)
		return -ENOMEM;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (dirfd < 0)
		return -errno;
	fd = create_temp(dirfd, base, tmp, sizeof(tmp));
	if (fd < 0) {
		close(dirfd);
		return fd;
	}
	/* Owner first (chown may clear set-id bits), then mode, then data. */
	if ((uid != AW_KEEP_OWNER || gid != (gid_t)-1) && fchown(fd, uid, gid) < 0)
		goto fail;
	if (fchmod(fd, mode) < 0)
		goto fail;
	if ((r = write_all(fd, data, len)) < 0) {
		errno = -r;
		goto fail;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, base) < 0)
		goto fail;
	if (fsync(dirfd) < 0) {
		r = -errno;
		close(dirfd);
		return r; /* renamed already: nothing to undo */
	}
	close(dirfd);
	if (ret_changed)
		*ret_changed = true;
	return 0;
fail:
	r = -errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	close(dirfd);
	return r;
}

int mkdir_parents_owned(const char *path, mode_t mode, uid_t uid, gid_t gid,
			void (*created)(const char *dir, void *arg), void *arg)
{
	char *p = strdup(path), *s;
	int r = 0;

	if (!p)
		return -ENOMEM;
	s = strrchr(p, '/');
	if (!s || s == p) {
		free(p);
		return 0;
	}
	*s = '\0';
	for (s = p + 1; r == 0; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) == 0) {
			/* Owner first (chown may clear set-id bits), then the mode. */
			if ((uid != AW_KEEP_OWNER || gid != (gid_t)-1) && chown(p, uid, gid) < 0)
				r = -errno;
			else if (chmod(p, mode) < 0)
				r = -errno;
			if (created)
				created(p, arg);
		} else if (errno != EEXIST) {
			r = -errno;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return r;
}

int mkdir_parents(const char *path, mode_t mode)
{
	return mkdir_parents_owned(path, mode, AW_KEEP_OWNER, (gid_t)-1, NULL, NULL);
}
