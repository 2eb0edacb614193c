/* pgBackRest as voip-ha runs it: see backup-repo.h. */
#include "cli/backup-repo.h"

#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

int backup_postgres_ids(uid_t *uid, gid_t *gid, char *why, size_t whylen)
{
	struct passwd *pw;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (geteuid() != 0)
		return 0;
	pw = getpwnam("postgres");
	if (!pw) {
		snprintf(why, whylen, "no user postgres: PostgreSQL is not installed");
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}
