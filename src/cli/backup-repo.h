/* The pair's pgBackRest repository as voip-ha asks it: `pgbackrest info`
 * run as postgres with a bounded wait, and what a restore can reach. Used
 * by `voip-ha backup --list` and `voip-ha restore`. */
#ifndef VOIPHA_CLI_BACKUP_REPO_H
#define VOIPHA_CLI_BACKUP_REPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/cluster-config.h"

#define PGBACKREST "/usr/bin/pgbackrest"
/* pgBackRest's --io-timeout for asking the repository: a host that does
 * not answer costs about twice this (pgBackRest tries twice), not the two
 * minutes of its default. */
#define BACKUP_IO_TIMEOUT "5"

/* The ids to run pgBackRest with: postgres's when root, (uid_t)-1 and
 * (gid_t)-1 (unchanged) otherwise. 0, or EXIT_FAIL with the reason printed. */
int backup_postgres_ids(uid_t *uid, gid_t *gid);

/* `pgbackrest --stanza=... info --output=json` as postgres (when root),
 * into *json (malloc'ed, free it). 0, or EXIT_FAIL with the reason printed. */
int backup_repo_info(const struct cluster_config *cfg, char **json);

struct backup_range {
	int64_t oldest_stop; /* the end of the oldest backup: a restore reaches no earlier */
	int64_t newest_stop; /* the end of the newest backup */
	unsigned backups;
	char newest_wal[64]; /* the newest WAL segment archived, "" when none */
};

/* Reads the stanza's range from pgBackRest's JSON. 0, or -EIO with
 * pgBackRest's own reason in err (repository unreachable, wrong key,
 * missing stanza), -ENOENT when it holds no backup yet. */
int backup_repo_range(const char *json, const char *stanza, struct backup_range *out, char *err,
		      size_t errlen);

#endif
