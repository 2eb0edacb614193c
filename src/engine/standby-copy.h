/* Turning the local data directory into a standby of the peer, for clone
 * (first setup) and rebuild (an old primary rejoining). The local cluster
 * must be stopped. Both write primary_conninfo with passfile= and the slot
 * (make_standby_config) and create the slot on the peer. */
#ifndef VOIPHA_CLI_STANDBY_COPY_H
#define VOIPHA_CLI_STANDBY_COPY_H

#include <stddef.h>

struct node_ctx;

/* pg_rewind from the peer: fast, and only what diverged is copied. Runs
 * crash recovery first when the cluster was not shut down cleanly. 0, or
 * the tool's exit status / -errno with a message in err. */
int rewind_standby(const struct node_ctx *ctx, char *err, size_t errlen);

/* A full pg_basebackup through the slot. The old data directory is kept
 * aside (datadir.h) and put back when the copy fails; the caller prunes
 * older kept copies once the new standby streams. */
int basebackup_standby(const struct node_ctx *ctx, char *err, size_t errlen);

#endif
