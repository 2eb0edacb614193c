/* PostgreSQL side of CDR ingestion: batch storage into voip.cdr and
 * voip.cdr_dead_letter, draining voip.cdr_queue, and the facts the journal
 * needs to decide what is confirmed (database identity, LSNs).
 * All functions take a connected PGconn owned by the calling worker. */
#ifndef VOIPADMIN_CDR_STORE_H
#define VOIPADMIN_CDR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>

#include "daemon/cdr/cdr-record.h"

/* One document on its way into the database: a parsed row, or a dead
 * letter with its reason. */
struct cdr_item {
	bool dead;
	struct cdr_record rec; /* when !dead */
	enum cdr_format fmt;
	const char *doc; /* the document */
	size_t len;
	bool store_raw;     /* row: doc into voip.cdr.raw, else NULL
					 * (dead letters always keep it) */
	int64_t recv_ns;    /* acknowledgement time */
	const char *source; /* dead letters: "journal", "queue", "http" */
	char reason[256];
};

struct cdr_store_result {
	size_t inserted, duplicates, dead;
	uint64_t commit_lsn;
};

enum {
	CDR_STORE_OK = 0,
	CDR_STORE_RETRY = -1,
	CDR_STORE_DATA = -2,
	CDR_STORE_DUP = -3 /* internal: a uuid already stored */
};

/* Parses item->doc into item->rec, or turns the item into a dead letter
 * with the parser's reason (also for a document that is not UTF-8). */
void cdr_item_parse(struct cdr_item *it);
void cdr_item_free(struct cdr_item *it);

/* (system identifier, timeline) folded into one nonzero number; a change
 * means another database history: re-deliver what is unconfirmed. */
int cdr_store_identity(PGconn *pg, uint64_t *ident, char *err, size_t errlen);

/* Stores the items in one transaction (COPY into a temp staging table,
 * INSERT ... ON CONFLICT (uuid) DO NOTHING). If queue_ids is non-NULL
 * (a PostgreSQL bigint[] literal) those voip.cdr_queue rows are deleted in
 * the same transaction. CDR_STORE_OK, CDR_STORE_RETRY (connection or
 * server trouble: nothing committed, try later) or CDR_STORE_DATA (the
 * server rejected the data: nothing committed; store the items one by
 * one with cdr_store_one to isolate the culprit). */
int cdr_store_batch(PGconn *pg, struct cdr_item *items, size_t n, const char *queue_ids,
		    struct cdr_store_result *res, char *err, size_t errlen);

/* One item; a data error turns it into a dead letter with the server's
 * reason and stores that instead. */
int cdr_store_one(PGconn *pg, struct cdr_item *it, struct cdr_store_result *res, char *err,
		  size_t errlen);

/* Claims up to max rows of voip.cdr_queue (FOR UPDATE SKIP LOCKED) inside
 * an open transaction; the caller parses them and calls cdr_store_batch
 * with their ids. Returns the PGresult (id, body, enqueued_at epoch) or
 * NULL (no transaction left open then). */
PGresult *cdr_store_claim_queue(PGconn *pg, int max, char *err, size_t errlen);

/* pg_current_wal_lsn() and the highest flush_lsn of a streaming standby
 * (0 when none is visible). */
int cdr_store_lsns(PGconn *pg, uint64_t *current, uint64_t *replica_flush, char *err,
		   size_t errlen);

uint64_t cdr_lsn_parse(const char *s);

#endif
