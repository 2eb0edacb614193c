/* pg_controldata of the local data directory, read as postgres. */
#ifndef VOIPHA_ENGINE_CONTROLDATA_H
#define VOIPHA_ENGINE_CONTROLDATA_H

#include <stddef.h>

#include "engine/node-ctx.h"

/* pg_controldata's "Latest checkpoint's TimeLineID" and "Database system
 * identifier" of the local data directory. -errno / -EIO. */
int local_control_data(const struct node_ctx *ctx, unsigned *ret_tli, char *sysid, size_t sysidlen);

#endif
