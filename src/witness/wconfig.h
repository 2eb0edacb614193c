/* /etc/voip-ha/witness.conf (root:root 0600): what the witness arbitrates.
 * The same strict key=value format as cluster.conf (lib/kvfile.h); keys:
 *
 *   witness_address     IPv4 the witness's PostgreSQL listens on for the nodes
 *   clusters            one or more pair names separated by spaces, each
 *                       NAME (the pair node1_address/node2_address) or
 *                       NAME@NODE1,NODE2 (a pair of its own); NAME matches
 *                       ^[a-z0-9][a-z0-9_-]{0,62}$ (the lease table's rule)
 *   node1_address node2_address   the nodes of the bare names
 *   arbiter_password    the password of role voip_ha_arbiter
 *   postgresql_cluster  auto (the default cluster) or VERSION/NAME
 *
 * Library-style: returns errors, prints nothing; messages name the key and
 * the rule, never a value (the password is one). */
#ifndef VOIPHA_WITNESS_WCONFIG_H
#define VOIPHA_WITNESS_WCONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/errlist.h"
#include "lib/kvfile.h"

#define WITNESS_DEFAULT_CONFIG "/etc/voip-ha/witness.conf"
#define WITNESS_NAME_MAX 63
#define WITNESS_PAIRS_MAX 64

struct witness_pair {
	char name[WITNESS_NAME_MAX + 1];
	uint32_t node[2]; /* host order */
};

struct witness_config {
	uint32_t address; /* host order */
	struct witness_pair pairs[WITNESS_PAIRS_MAX];
	size_t npairs;
	const char *password; /* points into kv */
	char pg_version[8];   /* "" for auto */
	char pg_name[64];
	struct kv_file kv;
};

/* Parses text (len bytes) as witness.conf. 0, or -EINVAL with *err set
 * (the first syntax problem, with its line), or -ENOMEM. */
int wconfig_parse(const char *text, size_t len, struct witness_config *cfg, struct kv_error *err);
/* Checks every rule; one "key: rule" per problem into el. 0 or -EINVAL. */
int wconfig_validate(struct witness_config *cfg, struct errlist *el);
void wconfig_free(struct witness_config *cfg);

/* Is name a valid cluster (pair) name? */
int wconfig_name_valid(const char *name);

#endif
