/* What a server says about itself over one replication connection: reachable,
 * primary or in recovery, timeline, system identifier, WAL position and which
 * node it is (cluster_name). The facts the failover decisions start from. */
#ifndef VOIPHA_ENGINE_PG_PROBE_H
#define VOIPHA_ENGINE_PG_PROBE_H

#include <stdbool.h>

#include "engine/node-ctx.h"

/* What one replication connection tells about a server. */
struct pg_probe {
	bool reachable; /* connected and authenticated */
	bool primary;   /* not in recovery */
	unsigned timeline;
	char sysid[32];
	char lsn[32];          /* its current WAL position (IDENTIFY_SYSTEM) */
	char cluster_name[64]; /* "voip-ha-node1": who answers through the VIP */
	char error[256];
};
/* 0 with *out filled; -EHOSTUNREACH when it does not answer, -EIO when
 * it answers wrongly (out->error says why). */
int pg_probe(const struct node_ctx *ctx, const char *host, int timeout_s, struct pg_probe *out);

/* Did node ("node1") answer the probe? (its cluster_name, set by our
 * generated postgresql.conf, is "voip-ha-<node>") */
bool probe_is_node(const struct pg_probe *p, const char *node);

/* 1 when the peer answers (3 s connect timeout) and its PostgreSQL is not
 * in recovery, i.e. a live primary; 0 when not, or unreachable. */
int peer_is_live_primary(const struct node_ctx *ctx);

#endif
