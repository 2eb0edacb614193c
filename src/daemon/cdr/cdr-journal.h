/* The local CDR journal: what "acknowledged" means for a CDR.
 *
 * Append-only segment files spool_dir/cdr-<16 hex>.seg; each record is
 *   magic "CDR1" | u32 payload length | u32 CRC-32 of payload | u8 format |
 *   3 bytes zero | i64 acknowledgement time (ns, CLOCK_REALTIME) | payload
 * (little endian). cdr_journal_append() returns only after fdatasync() has
 * covered the record; concurrent appenders share one fdatasync (the first
 * waiter flushes for everyone who wrote before it: group commit). A new
 * segment file is fsynced into its directory before its first record can
 * be acknowledged.
 *
 * Workers take batches of durable records, store them, and report back
 * with the LSN of their commit and the identity (system identifier +
 * timeline) of the database that committed it. A segment file is deleted
 * only when it is sealed (the writer moved on), every record in it was
 * committed, and the commit is confirmed: a streaming standby of that same
 * database reported flush_lsn >= the segment's last commit LSN; or, with no
 * standby to confirm, the segment has been kept for the retention period.
 * cdr_journal_rewind() (the database identity changed: a failover, or a
 * restore) makes every remaining record pending again, so anything the old
 * primary had not shipped is re-delivered to the new one. */
#ifndef VOIPADMIN_CDR_JOURNAL_H
#define VOIPADMIN_CDR_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cdr_journal;

struct cdr_jrec {
	uint8_t fmt;
	int64_t ack_ns;
	const char *data; /* points into the batch buffer */
	uint32_t len;
};

struct cdr_jbatch {
	void *seg; /* opaque */
	uint64_t seg_gen;
	uint64_t span; /* the batch's number in its segment */
	struct cdr_jrec *recs;
	size_t n, cap;
	char *buf;
	size_t buflen, bufcap;
	int slot; /* in-flight slot (oldest-age tracking) */
};

struct cdr_journal_opts {
	uint64_t segment_bytes;        /* rotate after this many bytes */
	unsigned segment_ms;           /* ... or this age (so segments get deleted) */
	unsigned retain_unconfirmed_s; /* keep committed segments no standby confirmed */
	uint64_t retain_unconfirmed_bytes;
};

/* Opens dir (creates it 0700), validates existing segments (a torn tail
 * from a crash, never acknowledged, is cut off; a corrupt middle is copied
 * to dir/dead/ with a .reason file), and makes their records pending. */
int cdr_journal_open(const char *dir, const struct cdr_journal_opts *opts, struct cdr_journal **out,
		     char *err, size_t errlen);
void cdr_journal_close(struct cdr_journal *j);

/* Durable append. 0, -ESHUTDOWN after cdr_journal_shutdown(), -E2BIG, or
 * -errno of a failed write/fsync (the record is then not acknowledged).
 * The same as cdr_journal_write() then cdr_journal_wait(). */
int cdr_journal_append(struct cdr_journal *j, uint8_t fmt, const char *data, size_t len);

/* The two halves of an append, for callers that do not want to block a
 * thread on the disk: write (not yet durable; *seq names the record), then
 * either wait (becoming the group's flusher if nobody is), or let a
 * flusher thread (cdr_journal_sync_pending) cover it and learn the outcome
 * from cdr_journal_settled(): 1 durable, 0 not yet, -EIO its fdatasync
 * failed (never acknowledge it). The outcome of the last FAIL_RING (16)
 * failed flushes is remembered. */
int cdr_journal_write(struct cdr_journal *j, uint8_t fmt, const char *data, size_t len,
		      uint64_t *seq);
int cdr_journal_wait(struct cdr_journal *j, uint64_t seq);
int cdr_journal_settled(struct cdr_journal *j, uint64_t seq);

/* Flusher thread: waits up to timeout_ms for records written and not yet
 * durable, then makes them durable with one fdatasync. True if it flushed
 * (whatever the outcome). */
bool cdr_journal_sync_pending(struct cdr_journal *j, unsigned timeout_ms);

/* fn(arg) is called, without the journal's lock, after every flush and
 * every segment seal (records may have settled, durable or failed). */
void cdr_journal_on_settled(struct cdr_journal *j, void (*fn)(void *arg), void *arg);

/* Stop accepting appends; flush what was written. */
void cdr_journal_shutdown(struct cdr_journal *j);

/* Take up to max_n records / about max_bytes of pending durable records
 * (one segment at a time). Waits up to timeout_ms for some. Returns the
 * number taken (0: none). */
size_t cdr_journal_take(struct cdr_journal *j, struct cdr_jbatch *b, size_t max_n, size_t max_bytes,
			unsigned timeout_ms);

/* The batch is committed (ok, with its commit LSN and database identity)
 * or not: the segment's records after its committed prefix (the leading
 * batches all committed) become pending again; what was stored before a
 * failure is neither re-sent nor counted in the backlog. */
void cdr_journal_done(struct cdr_journal *j, struct cdr_jbatch *b, bool ok, uint64_t commit_lsn,
		      uint64_t ident);
void cdr_jbatch_free(struct cdr_jbatch *b);

/* Deletes segments confirmed for database `ident`: replica_flush is the
 * highest flush LSN a standby of it reported (0: none streaming). Also
 * enforces the retention bound. Returns the number of segments deleted;
 * *dropped_unconfirmed counts those deleted by retention alone. */
int cdr_journal_confirm(struct cdr_journal *j, uint64_t ident, uint64_t replica_flush,
			unsigned *dropped_unconfirmed);

/* The database identity changed: every record not yet deleted is pending
 * again. Returns how many records will be re-delivered. */
size_t cdr_journal_rewind(struct cdr_journal *j);

size_t cdr_journal_backlog(struct cdr_journal *j);    /* pending + in flight */
double cdr_journal_oldest_age(struct cdr_journal *j); /* seconds */
uint64_t cdr_journal_bytes(struct cdr_journal *j);    /* on disk */
size_t cdr_journal_segments(struct cdr_journal *j);

/* 0 when there is nothing pending and nothing in flight. */
bool cdr_journal_idle(struct cdr_journal *j);

#endif
