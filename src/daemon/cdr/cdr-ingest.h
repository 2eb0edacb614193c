/* CDR ingestion: the interface the HTTP layer calls for POST /fs/cdr and
 * /fs/cdr/json (doc/DESIGN.md, "CDR ingestion contract").
 *
 * Design ("local journal first, then DB"): cdr_ingest_submit() decodes the
 * body envelope (form cdr=, raw XML, base64, JSON; by content, never by
 * Content-Type) and appends the document to an append-only journal segment
 * in spool_dir; the request is answered only after fdatasync() covered it.
 * Concurrent requests share one fdatasync (group commit). Worker threads (`workers`)
 * parse journal records and move them into voip.cdr in batches (COPY into a
 * staging table, INSERT ... ON CONFLICT (uuid) DO NOTHING), malformed ones
 * into voip.cdr_dead_letter, in one transaction per batch. A segment file is
 * deleted only once every record in it is committed AND confirmed: by a
 * standby whose flush LSN passed the commit (cdr-confirm replica mode), see
 * cdr-journal.h for the exact rule. After reconnecting to a database with a
 * different identity (system identifier or timeline: a failover), every
 * unconfirmed record is re-delivered; the uuid key makes that idempotent.
 * Rows an operator puts into voip.cdr_queue are drained by the same workers
 * (FOR UPDATE SKIP LOCKED). */
#ifndef VOIPADMIN_CDR_INGEST_H
#define VOIPADMIN_CDR_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/config.h"

struct cdr_ingest;
struct db_pool;
struct metrics;

/* Opens (creating if needed, mode 0700) spool_dir, replays the journal left
 * by a previous run, starts cfg->workers worker threads, registers the cdr_*
 * metrics. NULL on failure, after logging why to stderr (never a secret). */
struct cdr_ingest *cdr_ingest_start(const struct admin_config *cfg, struct db_pool *db,
				    struct metrics *m);

/* Answering a posted CDR without blocking an HTTP thread on the disk:
 *
 * submit decodes the body (need not be NUL-terminated; content_type may be
 * NULL, only used in messages) and writes the document to the journal:
 * 0 with *seq, -EINVAL if the body holds no CDR document at all (answer
 * 400; errbuf says why), -E2BIG if the decoded document exceeds the limit
 * (413), or another -errno (503; FreeSWITCH retries). A document that is
 * recognisably XML/JSON but malformed is accepted and dead-lettered by the
 * workers with the parser's reason, so it is kept, never re-posted.
 *
 * defer parks the request until the record settled (cdr-waiters.h: 1 =
 * settled already, answer now; 0 = suspend(arg) was called and resume(arg)
 * will be; -ENOMEM: answer with outcome(wait)).
 *
 * outcome gives the answer: 0 durable (200), -EAGAIN not settled
 * (shutdown; 503), or the -errno of the failed fdatasync (503). With wait,
 * it blocks until the record settled. */
int cdr_ingest_submit(struct cdr_ingest *ci, const char *body, size_t len, const char *content_type,
		      uint64_t *seq, char *errbuf, size_t errlen);
int cdr_ingest_defer(struct cdr_ingest *ci, uint64_t seq, void (*suspend)(void *arg),
		     void (*resume)(void *arg), void *arg);
int cdr_ingest_outcome(struct cdr_ingest *ci, uint64_t seq, bool wait, char *errbuf, size_t errlen);
/* Resumes every parked request now (before the HTTP server stops). */
void cdr_ingest_release_waiters(struct cdr_ingest *ci);

/* Records acknowledged but not yet committed into voip.cdr / dead letter. */
size_t cdr_ingest_backlog(struct cdr_ingest *ci);
/* Age in seconds of the oldest such record; 0 when there is none. */
double cdr_ingest_oldest_age(struct cdr_ingest *ci);

/* Stops accepting (accept then returns -ESHUTDOWN), flushes the journal,
 * lets the workers drain for at most CDR_DRAIN_MS, joins them and frees.
 * What is not drained stays in the journal for the next start. NULL is a
 * no-op. Call before db_pool_free(). */
#define CDR_DRAIN_MS 5000
void cdr_ingest_stop(struct cdr_ingest *ci);

#endif
