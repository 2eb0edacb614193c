/* What every voip-ha command that runs pgBackRest shares: where it is and
 * the ids it runs with. Asking the repository (`pgbackrest info`, bounded)
 * is cli/pgbr-run.h. */
#ifndef VOIPHA_CLI_BACKUP_REPO_H
#define VOIPHA_CLI_BACKUP_REPO_H

#include <stddef.h>
#include <sys/types.h>

#define PGBACKREST "/usr/bin/pgbackrest"

/* The ids to run pgBackRest with: postgres's when root, (uid_t)-1 and
 * (gid_t)-1 (unchanged) otherwise. 0, or -1 with why. */
int backup_postgres_ids(uid_t *uid, gid_t *gid, char *why, size_t whylen);

#endif
