/* Replacing the local data directory safely: see datadir.h. */
#include "engine/datadir.h"
#include "engine/node-ctx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define OLD_SUFFIX ".voip-ha-old-"
#define INPLACE_OLD "pgsql_tmp.voip-ha-old-"
#define INPLACE_NEW "pgsql_tmp.voip-ha-new"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

int rm_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -errno : 0;
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

static void stamp(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
}

/* Entries that never move with the data: kept copies, and the lost+found
 * of a data directory that is the root of its own ext file system (fsck
 * wants it there; it is not PostgreSQL's). */
static bool stays_in_place(const char *name)
{
	return strncmp(name, INPLACE_OLD, strlen(INPLACE_OLD)) == 0 ||
	       strcmp(name, "lost+found") == 0;
}

/* Moves every entry of from (but skip, and those that stay in place) into to; both on
 * one file system, so each move is a rename. */
static int move_entries(const char *from, const char *to, const char *skip, char *err,
			size_t errlen)
{
	DIR *d = opendir(from);
	struct dirent *de;
	char a[600], b[600];
	int r = 0;

	if (!d) {
		snprintf(err, errlen, "cannot open '%s': %s", from, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    (skip && strcmp(de->d_name, skip) == 0) || stays_in_place(de->d_name))
			continue;
		snprintf(a, sizeof(a), "%s/%s", from, de->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, de->d_name);
		if (rename(a, b) < 0) {
			r = -errno;
			snprintf(err, errlen, "cannot move '%s' to '%s': %s", a, b,
				 strerror(errno));
			break;
		}
	}
	closedir(d);
	if (r == 0)
		r = fsync_dir(from);
	if (r == 0)
		r = fsync_dir(to);
	return r;
}

enum dir_contents { DIR_EMPTY, DIR_NO_DATA, DIR_HAS_DATA };

/* DIR_NO_DATA: only entries that stay in place (kept copies, lost+found). */
static enum dir_contents dir_contents(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	enum dir_contents c = DIR_EMPTY;

	if (!d)
		return errno == ENOENT ? DIR_EMPTY : DIR_HAS_DATA;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!stays_in_place(de->d_name)) {
			c = DIR_HAS_DATA;
			break;
		}
		c = DIR_NO_DATA;
	}
	closedir(d);
	return c;
}

static int parent_of(const char *path, char *buf, size_t len)
{
	char *slash;

	snprintf(buf, len, "%s", path);
	slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return -EINVAL;
	*slash = '\0';
	return 0;
}

int datadir_set_aside(const struct node_ctx *ctx, struct datadir_swap *sw, char *err, size_t errlen)
{
	char ts[32], parent[256];
	enum dir_contents contents;
	struct stat st;
	int r;

	memset(sw, 0, sizeof(*sw));
	snprintf(sw->datadir, sizeof(sw->datadir), "%s", ctx->datadir);
	snprintf(sw->target, sizeof(sw->target), "%s", ctx->datadir);
	stamp(ts, sizeof(ts));
	if (lstat(sw->datadir, &st) < 0) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "cannot examine '%s': %s", sw->datadir,
				 strerror(errno));
			return -errno;
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a directory", sw->datadir);
		return -ENOTDIR;
	}
	contents = dir_contents(sw->datadir);
	if (contents == DIR_EMPTY) {
		/* Nothing to keep; a mount point stays, the copy goes in it. */
		return 0;
	}
	if (contents == DIR_HAS_DATA) {
		snprintf(sw->old, sizeof(sw->old), "%s%s%s", sw->datadir, OLD_SUFFIX, ts);
		if (rename(sw->datadir, sw->old) == 0) {
			if (parent_of(sw->datadir, parent, sizeof(parent)) == 0)
				fsync_dir(parent);
			return 0;
		}
		if (errno != EBUSY && errno != EXDEV) {
			r = -errno;
			snprintf(err, errlen, "cannot move '%s' aside: %s", sw->datadir,
				 strerror(errno));
			sw->old[0] = '\0';
			return r;
		}
		sw->old[0] = '\0';
	}
	/* Its own mount point (or another file system), or only entries that
	 * stay (the copy needs an empty directory): the copy is written inside
	 * the data directory and moves up on commit; the old data, if any, is
	 * kept on that file system, inside it. */
	sw->in_place = true;
	snprintf(sw->target, sizeof(sw->target), "%s/%s", sw->datadir, INPLACE_NEW);
	if ((r = rm_tree(sw->target)) < 0) {
		snprintf(err, errlen, "cannot clear '%s': %s", sw->target, strerror(-r));
		return r;
	}
	if (contents == DIR_NO_DATA)
		return 0;
	snprintf(sw->old, sizeof(sw->old), "%s/%s%s", sw->datadir, INPLACE_OLD, ts);
	if (mkdir(sw->old, 0700) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot create '%s': %s", sw->old, strerror(errno));
		return r;
	}
	if (chown(sw->old, ctx->pg_uid, ctx->pg_gid) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot chown '%s': %s", sw->old, strerror(errno));
		return r;
	}
	r = move_entries(sw->datadir, sw->old, NULL, err, errlen);
	if (r < 0) {
		char e2[256];

		/* Put back what moved; the data directory stays as it was. */
		move_entries(sw->old, sw->datadir, NULL, e2, sizeof(e2));
		rmdir(sw->old);
	}
	return r;
}

int datadir_commit(struct datadir_swap *sw, char *err, size_t errlen)
{
	int r;

	if (!sw->in_place)
		return 0;
	r = move_entries(sw->target, sw->datadir, NULL, err, errlen);
	if (r == 0 && rmdir(sw->target) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot remove '%s': %s", sw->target, strerror(errno));
	}
	return r;
}

int datadir_restore(struct datadir_swap *sw, char *err, size_t errlen)
{
	char parent[256];
	int r;

	if (sw->in_place) {
		/* The new copy may already have moved up: clear the data
		 * directory's own entries, then bring the old ones back. */
		r = rm_tree(sw->target);
		if (r == 0 && sw->old[0]) {
			DIR *d = opendir(sw->datadir);
			struct dirent *de;
			char p[600];

			while (d && (de = readdir(d)) != NULL) {
				if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
				    stays_in_place(de->d_name))
					continue;
				snprintf(p, sizeof(p), "%s/%s", sw->datadir, de->d_name);
				if ((r = rm_tree(p)) < 0)
					break;
			}
			if (d)
				closedir(d);
			if (r == 0)
				r = move_entries(sw->old, sw->datadir, NULL, err, errlen);
			if (r == 0 && rmdir(sw->old) < 0)
				r = -errno;
		}
		if (r < 0 && !err[0])
			snprintf(err, errlen, "cannot restore '%s' from '%s': %s", sw->datadir,
				 sw->old, strerror(-r));
		return r;
	}
	r = rm_tree(sw->datadir);
	if (r < 0) {
		snprintf(err, errlen, "cannot remove the failed copy '%s': %s", sw->datadir,
			 strerror(-r));
		return r;
	}
	if (sw->old[0] && rename(sw->old, sw->datadir) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot move '%s' back to '%s': %s", sw->old, sw->datadir,
			 strerror(errno));
		return r;
	}
	if (parent_of(sw->datadir, parent, sizeof(parent)) == 0)
		fsync_dir(parent);
	return 0;
}

/* Names sort by their UTC stamp, so the newest is the largest. */
static int prune_in(const char *dir, const char *prefix, char *err, size_t errlen)
{
	struct dirent **list = NULL;
	char p[600];
	int n, i, removed = 0, matched = 0, r = 0;
	size_t plen = strlen(prefix);

	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < n; i++)
		if (strncmp(list[i]->d_name, prefix, plen) == 0)
			matched++;
	for (i = 0; i < n; i++) {
		if (strncmp(list[i]->d_name, prefix, plen) == 0 && matched-- > 1 && r == 0) {
			snprintf(p, sizeof(p), "%s/%s", dir, list[i]->d_name);
			r = rm_tree(p);
			if (r < 0)
				snprintf(err, errlen, "cannot remove '%s': %s", p, strerror(-r));
			else
				removed++;
		}
		free(list[i]);
	}
	free(list);
	return r < 0 ? r : removed;
}

int datadir_prune(const struct node_ctx *ctx, char *err, size_t errlen)
{
	char parent[256], prefix[128];
	const char *base;
	int a, b;

	if (parent_of(ctx->datadir, parent, sizeof(parent)) < 0)
		return -EINVAL;
	base = strrchr(ctx->datadir, '/') + 1;
	snprintf(prefix, sizeof(prefix), "%s%s", base, OLD_SUFFIX);
	a = prune_in(parent, prefix, err, errlen);
	if (a < 0)
		return a;
	b = prune_in(ctx->datadir, INPLACE_OLD, err, errlen);
	if (b < 0)
		return b;
	return a + b;
}
