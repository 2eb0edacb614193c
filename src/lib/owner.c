/* Name-to-id lookups (see owner.h). */
#include "lib/owner.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

static FILE *open_db(const char *root, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/etc/%s", root, file);
	return fopen(path, "re");
}

int lookup_user(const char *root, const char *name, uid_t *ret)
{
	struct passwd *pw;
	FILE *f;

	if (!root || !*root) {
		errno = 0;
		pw = getpwnam(name);
		if (!pw)
			return errno && errno != ENOENT && errno != ESRCH ? -errno : -ENOENT;
		*ret = pw->pw_uid;
		return 0;
	}
	f = open_db(root, "passwd");
	if (!f)
		return errno == ENOENT ? -ENOENT : -errno;
	while ((pw = fgetpwent(f)))
		if (strcmp(pw->pw_name, name) == 0) {
			*ret = pw->pw_uid;
			fclose(f);
			return 0;
		}
	fclose(f);
	return -ENOENT;
}

int lookup_group(const char *root, const char *name, gid_t *ret)
{
	struct group *gr;
	FILE *f;

	if (!root || !*root) {
		errno = 0;
		gr = getgrnam(name);
		if (!gr)
			return errno && errno != ENOENT && errno != ESRCH ? -errno : -ENOENT;
		*ret = gr->gr_gid;
		return 0;
	}
	f = open_db(root, "group");
	if (!f)
		return errno == ENOENT ? -ENOENT : -errno;
	while ((gr = fgetgrent(f)))
		if (strcmp(gr->gr_name, name) == 0) {
			*ret = gr->gr_gid;
			fclose(f);
			return 0;
		}
	fclose(f);
	return -ENOENT;
}
