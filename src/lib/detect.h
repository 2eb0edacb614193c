/* Which node this machine is and which PostgreSQL major is installed: the
 * facts the generator and the bring-up commands detect rather than ask.
 * No digest or crypto here: the health check links this without libcrypto. */
#ifndef VOIPHA_DETECT_H
#define VOIPHA_DETECT_H

#include <stdbool.h>

#include "lib/cluster-config.h"

#define PG_MAJOR_MIN 15
#define PG_MAJOR_FALLBACK 18

/* this_node when set; otherwise the node whose address is on one of this
 * machine's interfaces (getifaddrs). -ENXIO when neither matches, -EEXIST
 * when both do. */
int detect_local_node(const struct cluster_config *cfg, enum cluster_node *ret);

/* The configured major, else the highest <root>/usr/lib/postgresql/N/bin/postgres
 * with N >= 15, else PG_MAJOR_FALLBACK with *ret_fallback set. root may be
 * NULL or "" for "/". Returns 0 or -ENOMEM. */
int detect_pg_major(const struct cluster_config *cfg, const char *root, unsigned *ret,
		    bool *ret_fallback);

#endif
