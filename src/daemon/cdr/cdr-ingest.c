/* CDR ingestion: acknowledgement through the local journal, worker threads
 * moving journal records (and voip.cdr_queue rows) into PostgreSQL. The
 * design and its guarantee are described in cdr-ingest.h and
 * cdr-journal.h. */
#include "daemon/cdr/cdr-ingest.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/cdr/cdr-envelope.h"
#include "daemon/cdr/cdr-journal.h"
#include "daemon/cdr/cdr-store.h"
#include "daemon/cdr/cdr-waiters.h"
#include "daemon/db.h"
#include "daemon/metrics.h"

#define LOG_ERR "<3>"
#define LOG_WARN "<4>"
#define LOG_INFO "<6>"

#define BATCH_MAX 512
#define BATCH_BYTES (8u << 20)
#define QUEUE_CLAIM 200
#define HOUSEKEEP_MS 500
#define QUEUE_POLL_MS 1000
#define MAX_WORKERS 64

struct worker {
	struct cdr_ingest *ci;
	int idx;
	pthread_t th;
	bool started;
	uint64_t ident; /* of this worker's current connection */
	PGconn *seen_pg;
	int seen_pid;
	bool failing; /* for logging state changes only */
	long long last_housekeep, last_queue;
};

struct cdr_ingest {
	struct cdr_journal *j;
	struct db_pool *db;
	struct worker w[MAX_WORKERS];
	unsigned nworkers;
	atomic_bool stopping;
	long long drain_deadline;
	pthread_mutex_t mu; /* ident, sleep */
	pthread_cond_t wake;
	uint64_t ident; /* last database identity seen */
	bool store_raw; /* cdr_store_raw (read at start) */
	struct metric_counter *received, *rejected, *processed, *duplicates, *dead, *failed,
		*redelivered, *dropped_unconfirmed, *queue_rows, *parked_total;
	/* deferred acknowledgements: the flusher makes written records
	 * durable and resumes the requests waiting for them */
	struct cdr_waiters waiters;
	pthread_t flusher;
	bool flusher_started;
};

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap(struct cdr_ingest *ci, unsigned ms)
{
	struct timespec dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_nsec += (long)ms * 1000000;
	dl.tv_sec += dl.tv_nsec / 1000000000;
	dl.tv_nsec %= 1000000000;
	pthread_mutex_lock(&ci->mu);
	if (!atomic_load(&ci->stopping))
		pthread_cond_timedwait(&ci->wake, &ci->mu, &dl);
	pthread_mutex_unlock(&ci->mu);
}

/* A new connection: learn which database history it belongs to. A change
 * (failover to the standby, a restore) re-delivers everything the journal
 * still holds, since the old primary may not have shipped it. */
static int note_connection(struct worker *w, PGconn *pg)
{
	struct cdr_ingest *ci = w->ci;
	char err[300];
	uint64_t ident;

	if (cdr_store_identity(pg, &ident, err, sizeof(err)) < 0) {
		fprintf(stderr, LOG_WARN "cdr worker %d: %s\n", w->idx, err);
		return -1;
	}
	uint64_t before = w->ident;
	w->ident = ident;
	w->seen_pg = pg;
	w->seen_pid = PQbackendPID(pg);
	pthread_mutex_lock(&ci->mu);
	/* Also when only this worker moved: during a split brain it may have
	 * stored batches on the old primary after another worker had already
	 * switched to the new one. */
	if ((ci->ident && ci->ident != ident) || (before && before != ident)) {
		size_t n = cdr_journal_rewind(ci->j);
		metric_counter_add(ci->redelivered, n);
		fprintf(stderr,
			LOG_WARN "cdr: database identity changed (failover or restore):"
				 " re-delivering %zu journaled CDRs\n",
			n);
	}
	ci->ident = ident;
	pthread_mutex_unlock(&ci->mu);
	return 0;
}

static void set_failing(struct worker *w, bool failing, const char *err)
{
	if (failing && !w->failing)
		fprintf(stderr, LOG_WARN "cdr worker %d: storing CDRs failed, will retry: %s\n",
			w->idx, err);
	else if (!failing && w->failing)
		fprintf(stderr, LOG_INFO "cdr worker %d: storing CDRs again\n", w->idx);
	w->failing = failing;
}

static void count(struct cdr_ingest *ci, const struct cdr_store_result *r)
{
	metric_counter_add(ci->processed, r->inserted);
	metric_counter_add(ci->duplicates, r->duplicates);
	metric_counter_add(ci->dead, r->dead);
}

/* Stores items; a batch the server refuses is retried one by one so that
 * only the culprit is dead-lettered. Returns 0 or CDR_STORE_RETRY. */
static int store_items(struct worker *w, PGconn *pg, struct cdr_item *items, size_t n,
		       uint64_t *lsn)
{
	struct cdr_store_result res;
	char err[300];
	int r = cdr_store_batch(pg, items, n, NULL, &res, err, sizeof(err));
	*lsn = 0;
	if (r == CDR_STORE_OK) {
		count(w->ci, &res);
		*lsn = res.commit_lsn;
		return 0;
	}
	if (r == CDR_STORE_DATA) {
		fprintf(stderr, LOG_WARN "cdr worker %d: batch refused (%s); storing one by one\n",
			w->idx, err);
		for (size_t i = 0; i < n; i++) {
			r = cdr_store_one(pg, &items[i], &res, err, sizeof(err));
			if (r != CDR_STORE_OK)
				break;
			count(w->ci, &res);
			if (res.commit_lsn > *lsn)
				*lsn = res.commit_lsn;
		}
		if (r == CDR_STORE_OK)
			return 0;
	}
	set_failing(w, true, err);
	return CDR_STORE_RETRY;
}

static void process_batch(struct worker *w, PGconn *pg, struct cdr_jbatch *b)
{
	struct cdr_ingest *ci = w->ci;
	struct cdr_item *items = calloc(b->n, sizeof(*items));
	uint64_t lsn = 0;
	bool ok = false;

	if (items) {
		for (size_t i = 0; i < b->n; i++) {
			items[i].fmt = b->recs[i].fmt == CDR_FMT_JSON ? CDR_FMT_JSON : CDR_FMT_XML;
			items[i].doc = b->recs[i].data;
			items[i].len = b->recs[i].len;
			items[i].recv_ns = b->recs[i].ack_ns;
			items[i].source = "journal";
			items[i].store_raw = ci->store_raw;
			cdr_item_parse(&items[i]);
		}
		ok = store_items(w, pg, items, b->n, &lsn) == 0;
		for (size_t i = 0; i < b->n; i++)
			cdr_item_free(&items[i]);
		free(items);
	}
	if (ok)
		set_failing(w, false, NULL);
	else
		metric_counter_add(ci->failed, 1);
	/* Stored on a database that is no longer the one the others use (a
	 * split brain): not confirmed anywhere that counts, deliver again. */
	pthread_mutex_lock(&ci->mu);
	if (ok && ci->ident != w->ident)
		ok = false;
	pthread_mutex_unlock(&ci->mu);
	cdr_journal_done(ci->j, b, ok, lsn, w->ident);
}

/* voip.cdr_queue rows: claimed with SKIP LOCKED so workers (and the peer
 * node's daemon) never wait on each other; stored and deleted in one
 * transaction. With one_by_one a refused row becomes a dead letter. */
static void drain_queue(struct worker *w, PGconn *pg, int max, bool one_by_one)
{
	struct cdr_ingest *ci = w->ci;
	char err[300];
	PGresult *q = cdr_store_claim_queue(pg, max, err, sizeof(err));
	if (!q)
		return;
	int n = PQntuples(q);
	struct cdr_item *items = calloc((size_t)n, sizeof(*items));
	char **docs = calloc((size_t)n, sizeof(*docs));
	size_t idlen = 3;
	for (int i = 0; i < n; i++)
		idlen += strlen(PQgetvalue(q, i, 0)) + 1;
	char *ids = malloc(idlen);
	if (!items || !docs || !ids) {
		PQclear(PQexec(pg, "ROLLBACK"));
		goto out;
	}
	char *p = ids;
	*p++ = '{';
	for (int i = 0; i < n; i++) {
		p += sprintf(p, "%s%s", i ? "," : "", PQgetvalue(q, i, 0));
		struct cdr_item *it = &items[i];
		const char *body = PQgetvalue(q, i, 1);
		size_t blen = (size_t)PQgetlength(q, i, 1);
		it->recv_ns = (int64_t)(strtod(PQgetvalue(q, i, 2), NULL) * 1e9);
		it->source = "queue";
		it->store_raw = ci->store_raw;
		enum cdr_format fmt;
		size_t dlen;
		if (cdr_envelope_decode(body, blen, &fmt, &docs[i], &dlen, it->reason,
					sizeof(it->reason)) == 0) {
			it->fmt = fmt;
			it->doc = docs[i];
			it->len = dlen;
			cdr_item_parse(it);
		} else {
			cdr_record_init(&it->rec);
			it->dead = true;
			it->doc = body;
			it->len = blen;
		}
	}
	*p++ = '}';
	*p = '\0';
	struct cdr_store_result res;
	int r = cdr_store_batch(pg, items, (size_t)n, ids, &res, err, sizeof(err));
	if (r == CDR_STORE_OK) {
		count(ci, &res);
		metric_counter_add(ci->queue_rows, (uint64_t)n);
	} else if (r == CDR_STORE_DATA && one_by_one && n == 1) {
		/* the claim was rolled back: take the row again, as a dead letter */
		char why[300];
		snprintf(why, sizeof(why), "database rejected it: %.200s", err);
		PGresult *q2 = cdr_store_claim_queue(pg, 1, err, sizeof(err));
		if (q2 && strcmp(PQgetvalue(q2, 0, 0), PQgetvalue(q, 0, 0)) == 0) {
			cdr_record_free(&items[0].rec);
			items[0].dead = true;
			snprintf(items[0].reason, sizeof(items[0].reason), "%.250s", why);
			if (cdr_store_batch(pg, items, 1, ids, &res, err, sizeof(err)) ==
			    CDR_STORE_OK)
				count(ci, &res);
		} else if (q2) {
			PQclear(PQexec(pg, "ROLLBACK"));
		}
		PQclear(q2);
	} else if (r == CDR_STORE_DATA) {
		for (int i = 0; i < n; i++)
			drain_queue(w, pg, 1, true);
	} else {
		metric_counter_add(ci->failed, 1);
		set_failing(w, true, err);
	}
out:
	for (int i = 0; items && i < n; i++)
		cdr_item_free(&items[i]);
	for (int i = 0; docs && i < n; i++)
		free(docs[i]);
	free(items);
	free(docs);
	free(ids);
	PQclear(q);
}

static void housekeep(struct worker *w, PGconn *pg)
{
	struct cdr_ingest *ci = w->ci;
	uint64_t cur, flush;
	unsigned dropped;
	char err[300];

	if (cdr_store_lsns(pg, &cur, &flush, err, sizeof(err)) < 0)
		return;
	cdr_journal_confirm(ci->j, w->ident, flush, &dropped);
	if (dropped) {
		metric_counter_add(ci->dropped_unconfirmed, dropped);
		fprintf(stderr,
			LOG_WARN
			"cdr: %u journal segment(s) deleted after the retention"
			" period without a standby confirming them (is a standby streaming, and"
			" does voip_admin have pg_monitor?)\n",
			dropped);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct cdr_ingest *ci = w->ci;
	struct db_conn *c = db_conn_get(ci->db);
	struct cdr_jbatch b;

	memset(&b, 0, sizeof(b));
	if (!c) {
		fprintf(stderr, LOG_ERR "cdr worker %d: out of memory\n", w->idx);
		return NULL;
	}
	for (;;) {
		bool stopping = atomic_load(&ci->stopping);
		if (stopping && (cdr_journal_idle(ci->j) || mono_ms() >= ci->drain_deadline))
			break;
		struct db_err e;
		if (db_ensure(c, &e) < 0) {
			if (stopping)
				break; /* nothing can drain; the journal keeps it */
			set_failing(w, true, e.msg);
			nap(ci, 200);
			continue;
		}
		PGconn *pg = db_pgconn(c);
		if ((pg != w->seen_pg || PQbackendPID(pg) != w->seen_pid) &&
		    note_connection(w, pg) < 0) {
			nap(ci, 500);
			continue;
		}
		size_t n = cdr_journal_take(ci->j, &b, BATCH_MAX, BATCH_BYTES, stopping ? 50 : 200);
		if (n)
			process_batch(w, pg, &b);
		long long now = mono_ms();
		if (PQstatus(pg) != CONNECTION_OK)
			continue;
		if (!n && !stopping && now - w->last_queue >= QUEUE_POLL_MS) {
			w->last_queue = now;
			drain_queue(w, pg, QUEUE_CLAIM, false);
		}
		if (w->idx == 0 && now - w->last_housekeep >= HOUSEKEEP_MS) {
			w->last_housekeep = now;
			housekeep(w, pg);
		}
	}
	cdr_jbatch_free(&b);
	return NULL;
}

static double gauge_backlog(void *arg)
{
	return (double)cdr_ingest_backlog(arg);
}

static double gauge_oldest(void *arg)
{
	return cdr_ingest_oldest_age(arg);
}

static double gauge_bytes(void *arg)
{
	return (double)cdr_journal_bytes(((struct cdr_ingest *)arg)->j);
}

static double gauge_segments(void *arg)
{
	return (double)cdr_journal_segments(((struct cdr_ingest *)arg)->j);
}

static double gauge_parked(void *arg)
{
	return (double)cdr_waiters_count(&((struct cdr_ingest *)arg)->waiters);
}

static void register_metrics(struct cdr_ingest *ci, struct metrics *m)
{
#define C(field, name, help) ci->field = metrics_counter(m, "voipadmin_cdr_" name, help, "")
	C(received, "received_total", "CDRs acknowledged (fsynced in the local journal)");
	C(rejected, "rejected_total", "CDR posts refused: no CDR document in the body (HTTP 400)");
	C(processed, "processed_total", "CDRs stored in voip.cdr");
	C(duplicates, "duplicates_total", "Re-delivered CDRs already in voip.cdr (ignored)");
	C(dead, "dead_lettered_total", "Malformed CDRs stored in voip.cdr_dead_letter");
	C(failed, "failed_total", "Batches that could not be stored (retried)");
	C(redelivered, "redelivered_total", "CDRs re-delivered after a database identity change");
	C(dropped_unconfirmed, "journal_unconfirmed_dropped_total",
	  "Journal segments deleted by retention without standby confirmation");
	C(queue_rows, "queue_rows_total", "voip.cdr_queue rows moved");
	C(parked_total, "parked_total",
	  "CDR posts answered after their journal flush without holding a thread");
#undef C
	metrics_gauge_fn(m, "voipadmin_cdr_parked_posts",
			 "CDR posts waiting for their journal flush", "", gauge_parked, ci);
	metrics_gauge_fn(m, "voipadmin_cdr_queue_depth", "CDRs acknowledged, not yet in voip.cdr",
			 "", gauge_backlog, ci);
	metrics_gauge_fn(m, "voipadmin_cdr_oldest_age_seconds",
			 "Age of the oldest CDR not yet in voip.cdr", "", gauge_oldest, ci);
	metrics_gauge_fn(m, "voipadmin_cdr_journal_bytes", "Size of the local CDR journal", "",
			 gauge_bytes, ci);
	metrics_gauge_fn(m, "voipadmin_cdr_journal_segments", "Local CDR journal segment files", "",
			 gauge_segments, ci);
}

/* Makes every written record durable, one fdatasync per group, so that
 * no HTTP thread has to wait on the disk (cdr-waiters.h). */
static void *flusher_main(void *arg)
{
	struct cdr_ingest *ci = arg;
	while (!atomic_load(&ci->stopping))
		cdr_journal_sync_pending(ci->j, 200);
	return NULL;
}

struct cdr_ingest *cdr_ingest_start(const struct admin_config *cfg, struct db_pool *db,
				    struct metrics *m)
{
	struct cdr_ingest *ci = calloc(1, sizeof(*ci));
	char err[512];
	const struct cdr_journal_opts jo = {
		.segment_bytes = 32u << 20,
		.segment_ms = 2000,
		.retain_unconfirmed_s = 3600,
		.retain_unconfirmed_bytes = 256u << 20,
	};

	if (!ci) {
		fprintf(stderr, LOG_ERR "cdr: out of memory\n");
		return NULL;
	}
	pthread_mutex_init(&ci->mu, NULL);
	pthread_cond_init(&ci->wake, NULL);
	ci->db = db;
	ci->store_raw = cfg->cdr_store_raw;
	if (cdr_journal_open(cfg->spool_dir, &jo, &ci->j, err, sizeof(err)) < 0) {
		fprintf(stderr, LOG_ERR "cdr: %s\n", err);
		free(ci);
		return NULL;
	}
	size_t pending = cdr_journal_backlog(ci->j);
	if (pending)
		fprintf(stderr,
			LOG_INFO "cdr: %zu journaled CDRs from the previous run will be"
				 " (re)delivered\n",
			pending);
	register_metrics(ci, m);
	if (cdr_waiters_init(&ci->waiters, ci->j) < 0) {
		fprintf(stderr, LOG_ERR "cdr: out of memory\n");
		cdr_journal_close(ci->j);
		free(ci);
		return NULL;
	}
	cdr_journal_on_settled(ci->j, cdr_waiters_on_settled, &ci->waiters);
	if (pthread_create(&ci->flusher, NULL, flusher_main, ci) != 0) {
		fprintf(stderr, LOG_ERR "cdr: cannot start the journal flusher thread\n");
		cdr_ingest_stop(ci);
		return NULL;
	}
	ci->flusher_started = true;
	ci->nworkers = cfg->workers ? cfg->workers : 1;
	if (ci->nworkers > MAX_WORKERS)
		ci->nworkers = MAX_WORKERS;
	for (unsigned i = 0; i < ci->nworkers; i++) {
		ci->w[i].ci = ci;
		ci->w[i].idx = (int)i;
		if (pthread_create(&ci->w[i].th, NULL, worker_main, &ci->w[i]) != 0) {
			fprintf(stderr, LOG_ERR "cdr: cannot start worker thread\n");
			cdr_ingest_stop(ci);
			return NULL;
		}
		ci->w[i].started = true;
	}
	return ci;
}

int cdr_ingest_submit(struct cdr_ingest *ci, const char *body, size_t len, const char *content_type,
		      uint64_t *seq, char *errbuf, size_t errlen)
{
	enum cdr_format fmt;
	char *doc;
	size_t dlen;
	char why[256];
	int r;

	if (atomic_load(&ci->stopping)) {
		snprintf(errbuf, errlen, "shutting down");
		return -ESHUTDOWN;
	}
	r = cdr_envelope_decode(body, len, &fmt, &doc, &dlen, why, sizeof(why));
	if (r < 0) {
		if (r == -EINVAL) {
			metric_counter_add(ci->rejected, 1);
			snprintf(errbuf, errlen, "%s (Content-Type %s)", why,
				 content_type ? content_type : "none");
		} else {
			snprintf(errbuf, errlen, "%s", strerror(-r));
		}
		return r;
	}
	r = cdr_journal_write(ci->j, (uint8_t)fmt, doc, dlen, seq);
	free(doc);
	if (r < 0) {
		snprintf(errbuf, errlen, "cannot write the CDR to the journal: %s", strerror(-r));
		return r;
	}
	return 0;
}

int cdr_ingest_defer(struct cdr_ingest *ci, uint64_t seq, void (*suspend)(void *arg),
		     void (*resume)(void *arg), void *arg)
{
	int r = cdr_waiters_defer(&ci->waiters, seq, suspend, resume, arg);
	if (r == 0)
		metric_counter_add(ci->parked_total, 1);
	return r;
}

int cdr_ingest_outcome(struct cdr_ingest *ci, uint64_t seq, bool wait, char *errbuf, size_t errlen)
{
	int r = wait ? cdr_journal_wait(ci->j, seq) : cdr_journal_settled(ci->j, seq);
	if (r == 1 || (wait && r == 0)) {
		metric_counter_add(ci->received, 1);
		return 0;
	}
	if (r == 0) {
		snprintf(errbuf, errlen, "shutting down before the CDR was durable");
		return -EAGAIN;
	}
	snprintf(errbuf, errlen, "cannot make the CDR durable in the journal: %s", strerror(-r));
	return r;
}

void cdr_ingest_release_waiters(struct cdr_ingest *ci)
{
	if (ci)
		cdr_waiters_release_all(&ci->waiters);
}

size_t cdr_ingest_backlog(struct cdr_ingest *ci)
{
	return cdr_journal_backlog(ci->j);
}

double cdr_ingest_oldest_age(struct cdr_ingest *ci)
{
	return cdr_journal_oldest_age(ci->j);
}

void cdr_ingest_stop(struct cdr_ingest *ci)
{
	if (!ci)
		return;
	ci->drain_deadline = mono_ms() + CDR_DRAIN_MS;
	atomic_store(&ci->stopping, true);
	cdr_journal_shutdown(ci->j);
	pthread_mutex_lock(&ci->mu);
	pthread_cond_broadcast(&ci->wake);
	pthread_mutex_unlock(&ci->mu);
	if (ci->flusher_started)
		pthread_join(ci->flusher, NULL);
	cdr_waiters_release_all(&ci->waiters);
	for (unsigned i = 0; i < ci->nworkers; i++)
		if (ci->w[i].started)
			pthread_join(ci->w[i].th, NULL);
	size_t left = cdr_journal_backlog(ci->j);
	if (left)
		fprintf(stderr, LOG_INFO "cdr: %zu CDRs stay in the journal for the next start\n",
			left);
	cdr_journal_close(ci->j);
	cdr_waiters_destroy(&ci->waiters);
	pthread_cond_destroy(&ci->wake);
	pthread_mutex_destroy(&ci->mu);
	free(ci);
}
