/* The pending restarts directory (see restart-pending.h). */
#include "lib/restart-pending.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool restart_pending_name_ok(const char *name)
{
	size_t n = strlen(name);
	const char *s;

	if (n == 0 || n >= RESTART_PENDING_UNIT_LEN || name[0] == '.')
		return false;
	if (n >= 4 && strcmp(name + n - 4, ".new") == 0)
		return false;
	for (s = name; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("@._-", *s))
			return false;
	return true;
}

/* The first line of the regular file NAME in directory DIRFD into why;
 * false when it is not a regular file or cannot be read. */
static bool read_reason(int dirfd, const char *name, char *why, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	FILE *f;
	char *s;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
		close(fd);
		return false;
	}
	if (!fgets(why, (int)len, f))
		why[0] = '\0';
	fclose(f);
	why[strcspn(why, "\n")] = '\0';
	for (s = why; *s; s++)
		if (iscntrl((unsigned char)*s))
			*s = '?';
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int restart_pending_read(const char *dir, struct restart_pending *p)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t count = 0, cap = 0, i;
	int r = 0;

	memset(p, 0, sizeof(*p));
	if (!(d = opendir(dir)))
		return errno == ENOENT ? 0 : -errno;
	/* All candidate names first: readdir's order is the file system's. */
	while ((errno = 0, e = readdir(d))) {
		char *copy;

		if (!restart_pending_name_ok(e->d_name))
			continue;
		if (count == cap) {
			char **more = realloc(names, (cap ? cap * 2 : 8) * sizeof(*names));

			if (!more) {
				r = -ENOMEM;
				break;
			}
			names = more;
			cap = cap ? cap * 2 : 8;
		}
		if (!(copy = strdup(e->d_name))) {
			r = -ENOMEM;
			break;
		}
		names[count++] = copy;
	}
	if (r == 0 && errno)
		r = -errno;
	if (r == 0 && count)
		qsort(names, count, sizeof(*names), by_name);
	for (i = 0; r == 0 && i < count && p->n < RESTART_PENDING_MAX; i++) {
		if (!read_reason(dirfd(d), names[i], p->why[p->n], sizeof(p->why[0])))
			continue;
		snprintf(p->unit[p->n], sizeof(p->unit[0]), "%s", names[i]);
		p->n++;
	}
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	closedir(d);
	if (r < 0)
		memset(p, 0, sizeof(*p));
	return r;
}
