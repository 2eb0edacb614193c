/* Facts the generator derives rather than asks: which node this machine is,
 * which PostgreSQL major is installed (lib/detect.h, kept apart so the lean
 * health check links without libcrypto), and the template variables built
 * from a validated cluster config (doc/DESIGN.md, "Variables available"). */
#ifndef VOIPHA_DERIVE_H
#define VOIPHA_DERIVE_H

#include <stdbool.h>

#include "lib/cluster-config.h"
#include "lib/detect.h"
#include "lib/vars.h"

/* Fills vars with every cluster.conf key and the derived variables. With
 * node NODE_AUTO only the node-independent ones are set (for deploy-scope
 * templates). cfg must have passed cluster_config_validate(). */
int derive_vars(const struct cluster_config *cfg, enum cluster_node node, unsigned pg_major,
		struct vars *vars);

#endif
