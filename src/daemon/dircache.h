/* In-process cache of rendered directory answers, keyed by (domain, user).
 *
 * Why: a REGISTER storm (every phone re-registering after a failover) must
 * not turn into one database round trip per REGISTER. Entries live for a
 * short TTL; any admin API write flushes the whole cache at once (a
 * generation counter, O(1)), on both nodes: the write's transaction sends a
 * NOTIFY (api_write_commit), and each daemon's listener (dirnotify.h)
 * flushes its own cache when it arrives. */
#ifndef VOIPADMIN_DIRCACHE_H
#define VOIPADMIN_DIRCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dircache;

struct dircache *dircache_new(size_t max_entries);
void dircache_free(struct dircache *dc);

/* A malloc'd copy of the cached document for key, or NULL (miss/expired). */
char *dircache_get(struct dircache *dc, const char *key, size_t *len);

/* The current generation: read it BEFORE querying the database and pass it
 * to dircache_put, so an answer computed from data older than a flush that
 * happened meanwhile is never cached. */
uint64_t dircache_generation(struct dircache *dc);

/* Stores a copy of doc for ttl_ms (0: does nothing) unless the cache was
 * flushed since `gen` was read. */
void dircache_put(struct dircache *dc, const char *key, const char *doc, size_t len,
		  unsigned ttl_ms, uint64_t gen);

/* Forgets everything (admin API writes). */
void dircache_flush(struct dircache *dc);

#endif
