/* pgbackrest info, bounded: see pgbr-run.h. */
#include "cli/pgbr-run.h"

#include "cli/backup-repo.h"
#include "engine/run-as.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TIMEOUT "/usr/bin/timeout"
#define INFO_MAX (1024 * 1024)
#define STR2(x) #x
#define STR(x) STR2(x)

int pgbr_info_fetch(const struct cluster_config *cfg, struct pgbr_info *info, char *why,
		    size_t whylen)
{
	static const char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char stanza_opt[96], perr[160], *out;
	uid_t uid;
	gid_t gid;
	int r;

	memset(info, 0, sizeof(*info));
	snprintf(stanza_opt, sizeof(stanza_opt), "--stanza=%s", cfg->backup_stanza);
	if (backup_postgres_ids(&uid, &gid, why, whylen) < 0)
		return -1;
	if (access(PGBACKREST, X_OK) < 0) {
		snprintf(why, whylen, "cannot run " PGBACKREST ": %s (is pgbackrest installed?)",
			 strerror(errno));
		return -1;
	}
	if (!(out = malloc(INFO_MAX))) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	{
		const char *const argv[] = { TIMEOUT,
					     "-k",
					     "2",
					     STR(PGBR_WALL_TIMEOUT),
					     PGBACKREST,
					     stanza_opt,
					     "--output=json",
					     "--io-timeout=" STR(PGBR_IO_TIMEOUT),
					     "--log-level-console=off",
					     "--log-level-stderr=error",
					     "--log-level-file=off",
					     "info",
					     NULL };

		r = run_as(argv, uid, gid, envp, out, INFO_MAX);
	}
	if (r < 0)
		snprintf(why, whylen, "cannot run " TIMEOUT ": %s", strerror(-r));
	else if (r == 124 || r == 128 + 9)
		snprintf(why, whylen,
			 "pgbackrest info gave no answer within " STR(PGBR_WALL_TIMEOUT) " s");
	else if (r > 128 && r < 128 + 65)
		/* check-backup: a node whose repository host has another key */
		snprintf(why, whylen,
			 "pgbackrest info crashed (signal %d), as pgBackRest 2.45 does on some "
			 "repository errors (backup_cipher_pass not the repository's key among "
			 "them): voip-ha backup --list on the repository host says which",
			 r - 128);
	else if (r != 0)
		snprintf(why, whylen, "pgbackrest info failed (exit %d)", r);
	else if ((r = pgbr_info_parse(out, strlen(out), cfg->backup_stanza, info, perr,
				      sizeof(perr))) < 0)
		snprintf(why, whylen, "pgbackrest info: %s", perr);
	free(out);
	return r == 0 ? 0 : -1;
}
