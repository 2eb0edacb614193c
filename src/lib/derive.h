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

/* The 32-byte seed of the pair's pgBackRest CA key (an Ed25519 private key,
 * lib/tls-cert.h): HMAC-SHA256 with key replication_password over the ASCII
 * text "voip-ha pgbackrest tls ca". Both nodes hold the password, so both
 * derive the same CA without copying a key. Returns 0 or -EIO. */
int derive_backup_ca_seed(const struct cluster_config *cfg, unsigned char seed[32]);

#endif
