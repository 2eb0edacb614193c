/* Asking pgBackRest about the pair's repository, bounded: `pgbackrest
 * info --output=json` as postgres with a short --io-timeout (pgBackRest's
 * own default waits about two minutes for a repository host that does not
 * answer), under a wall-clock limit as well (timeout(1)), read with
 * lib/pgbr-info. Used by `backup --list` and `backup-refresh`. */
#ifndef VOIPHA_CLI_PGBR_RUN_H
#define VOIPHA_CLI_PGBR_RUN_H

#include <stddef.h>

#include "lib/cluster-config.h"
#include "lib/pgbr-info.h"

/* pgBackRest's io-timeout (seconds) for info (a repository host that does
 * not answer: about twice that, 10 s); the whole run is killed after
 * PGBR_WALL_TIMEOUT. Plain numbers: they are also argv strings. */
#define PGBR_IO_TIMEOUT 5
#define PGBR_WALL_TIMEOUT 20

/* Runs info for cfg's stanza. 0 with *info filled (its code may still say
 * the stanza is not usable: pgbr_info_ok), or -1 with why (no answer in
 * time, pgbackrest missing or failing, output not understood). Free info
 * with pgbr_info_free either way. */
int pgbr_info_fetch(const struct cluster_config *cfg, struct pgbr_info *info, char *why,
		    size_t whylen);

#endif
