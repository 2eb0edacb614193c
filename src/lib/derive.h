/* Facts the generator derives rather than asks: which node this machine is,
 * which PostgreSQL major is installed, and the template variables built from
 * a validated cluster config (doc/DESIGN.md, "Variables available"). */
#ifndef VOIPHA_DERIVE_H
#define VOIPHA_DERIVE_H

#include <stdbool.h>

#include "lib/cluster-config.h"
#include "lib/vars.h"

#define PG_MAJOR_MIN      15
#define PG_MAJOR_FALLBACK 18

/* this_node when set; otherwise the node whose address is on one of this
 * machine's interfaces (getifaddrs). -ENXIO when neither matches, -EEXIST
 * when both do. */
int detect_local_node(const struct cluster_config *cfg, enum cluster_node *ret);

/* The configured major, else the highest <root>/usr/lib/postgresql/N/bin/postgres
 * with N >= 15, else PG_MAJOR_FALLBACK with *ret_fallback set. root may be
 * NULL or "" for "/". Returns 0 or -ENOMEM. */
int detect_pg_major(const struct cluster_config *cfg, const char *root,
		    unsigned *ret, bool *ret_fallback);

/* Fills vars with every cluster.conf key and the derived variables. With
 * node NODE_AUTO only the node-independent ones are set (for deploy-scope
 * templates). cfg must have passed cluster_config_validate(). */
int derive_vars(const struct cluster_config *cfg, enum cluster_node node,
		unsigned pg_major, struct vars *vars);

#endif
