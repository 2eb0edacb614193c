/* The arbiter client: this node's side of the leadership lease kept by the
 * witness machine's PostgreSQL (package voip-ha-witness, functions of
 * db/witness/lease.sql; doc/DESIGN.md, "The third voter").
 *
 * One libpq connection, opened on first use and kept: TLS required
 * (sslmode=require) and SCRAM with channel binding (channel_binding=require),
 * so neither the password nor the lease can be taken by someone in the
 * middle. The password comes from cluster.conf in memory (never argv,
 * environment or a file of ours). Every call is bounded by timeout_ms, the
 * connect included (non-blocking libpq and poll): a witness that hangs costs
 * the caller timeout_ms, not a TCP timeout. After a timeout or a broken
 * connection the connection is dropped and the next call connects again.
 *
 * Returns 0 with ans filled (granted or not), or a negative errno with a
 * one-line reason in why (never the password):
 *   -ETIMEDOUT     no answer within timeout_ms
 *   -ECONNREFUSED  the connection failed (unreachable, refused, TLS)
 *   -EACCES        authentication refused (password, pg_hba)
 *   -ENOENT        the witness arbitrates no cluster of that name
 *   -EIO           any other error from the witness */
#ifndef VOIPHA_ENGINE_ARBITER_H
#define VOIPHA_ENGINE_ARBITER_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/boot.h"

struct node_ctx;

struct arbiter_answer {
	bool granted;          /* the caller holds the lease now */
	char holder[8];        /* "" (nobody), node1, node2 */
	long long term;        /* grows each time the lease changes hands */
	long long remaining;   /* ms the holder's lease still runs (witness clock) */
	long long renewed_ago; /* ms since the holder last renewed, -1 never */
};

struct arbiter {
	void *conn; /* PGconn *, NULL while not connected */
	char host[16];
	char port[8];
	char cluster[64];
	char node[8];
	const char *password; /* borrowed from the node's cluster.conf */
};

/* Fills a from ctx (no connection yet). -EINVAL when ctx has no arbiter. */
int arbiter_init(struct arbiter *a, const struct node_ctx *ctx);
void arbiter_close(struct arbiter *a);

int arbiter_acquire(struct arbiter *a, int ttl_ms, int timeout_ms, struct arbiter_answer *ans,
		    char *why, size_t len);
int arbiter_renew(struct arbiter *a, long long term, int ttl_ms, int timeout_ms,
		  struct arbiter_answer *ans, char *why, size_t len);
int arbiter_release(struct arbiter *a, long long term, int timeout_ms, struct arbiter_answer *ans,
		    char *why, size_t len);
int arbiter_observe(struct arbiter *a, int timeout_ms, struct arbiter_answer *ans, char *why,
		    size_t len);

#endif
