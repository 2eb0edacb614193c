/* PostgreSQL side of CDR ingestion; see cdr-store.h. */
#include "daemon/cdr/cdr-store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COLS                                                                           \
	"uuid, leg, direction, caller_id_number, caller_id_name, "                     \
	"destination_number, context, domain, start_time, answer_time, end_time, "     \
	"duration, billsec, hangup_cause, queue, agent, recording_path, sip_call_id, " \
	"other_leg_uuid, core_uuid, switchname, format, raw, received_at"

/* Text fields in COLS order after uuid/leg. */
static const enum cdr_field copy_fields_a[] = {
	CDR_F_DIRECTION,   CDR_F_CALLER_NUMBER, CDR_F_CALLER_NAME,
	CDR_F_DESTINATION, CDR_F_CONTEXT,       CDR_F_DOMAIN,
};
static const enum cdr_field copy_fields_b[] = {
	CDR_F_HANGUP_CAUSE, CDR_F_CC_QUEUE,  CDR_F_CC_AGENT,  CDR_F_RECORDING,
	CDR_F_SIP_CALL_ID,  CDR_F_OTHER_LEG, CDR_F_CORE_UUID, CDR_F_SWITCHNAME,
};

static const char stage_sql[] =
	"CREATE TEMP TABLE IF NOT EXISTS cdr_stage ("
	" uuid text, leg text, direction text, caller_id_number text, caller_id_name text,"
	" destination_number text, context text, domain text, start_time timestamptz,"
	" answer_time timestamptz, end_time timestamptz, duration integer, billsec integer,"
	" hangup_cause text, queue text, agent text, recording_path text, sip_call_id text,"
	" other_leg_uuid text, core_uuid text, switchname text, format text, raw text,"
	" received_at timestamptz) ON COMMIT DELETE ROWS";

/* Replace what PostgreSQL's text type refuses (NUL, invalid UTF-8). */
static void sanitise(char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			s[i] = ' ';
	}
	if (!cdr_utf8_valid(s, n))
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] >= 0x80)
				s[i] = '?';
}

static void set_reason(struct cdr_item *it, const char *why)
{
	it->dead = true;
	snprintf(it->reason, sizeof(it->reason), "%s", why);
	sanitise(it->reason);
}

void cdr_item_parse(struct cdr_item *it)
{
	char err[256];
	cdr_record_init(&it->rec);
	if (!cdr_utf8_valid(it->doc, it->len)) {
		set_reason(it, "document is not valid UTF-8 (or contains NUL)");
		return;
	}
	if (cdr_parse(it->fmt, it->doc, it->len, &it->rec, err, sizeof(err)) < 0) {
		set_reason(it, err);
		return;
	}
	it->dead = false;
}

void cdr_item_free(struct cdr_item *it)
{
	cdr_record_free(&it->rec);
}

uint64_t cdr_lsn_parse(const char *s)
{
	unsigned hi, lo;
	if (!s || sscanf(s, "%X/%X", &hi, &lo) != 2)
		return 0;
	return (uint64_t)hi << 32 | lo;
}

static void pgerr(PGconn *pg, PGresult *res, const char *what, char *err, size_t errlen)
{
	const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!m)
		m = PQerrorMessage(pg);
	snprintf(err, errlen, "%s: %s", what, m && *m ? m : "unknown error");
	err[strcspn(err, "\n")] = '\0';
}

/* RETRY when the connection (or the server) is the problem, DATA when the
 * server refused what we sent. */
static int classify(PGconn *pg, PGresult *res)
{
	if (PQstatus(pg) != CONNECTION_OK)
		return CDR_STORE_RETRY;
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (st &&
	    (strncmp(st, "22", 2) == 0 || strncmp(st, "23", 2) == 0 || strncmp(st, "54", 2) == 0))
		return CDR_STORE_DATA;
	return CDR_STORE_RETRY;
}

static int exec_ok(PGconn *pg, const char *sql, const char *what, char *err, size_t errlen)
{
	PGresult *res = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		PQclear(res);
		return CDR_STORE_OK;
	}
	pgerr(pg, res, what, err, errlen);
	int r = classify(pg, res);
	PQclear(res);
	return r;
}

int cdr_store_identity(PGconn *pg, uint64_t *ident, char *err, size_t errlen)
{
	PGresult *res = PQexec(
		pg,
		"SELECT system_identifier::text, substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"
		" FROM pg_control_system()");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		pgerr(pg, res, "reading the database identity", err, errlen);
		PQclear(res);
		return -1;
	}
	uint64_t sysid = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	uint64_t tli = strtoull(PQgetvalue(res, 0, 1), NULL, 16);
	PQclear(res);
	/* fold: a 64-bit mix of both, never 0 */
	uint64_t h = sysid ^ (tli * 0x9E3779B97F4A7C15ull);
	*ident = h ? h : 1;
	return exec_ok(pg, stage_sql, "creating the staging table", err, errlen) == 0 ? 0 : -1;
}

/* ---- COPY text format writer ---- */
struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void b_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void b_str(struct buf *b, const char *s)
{
	b_add(b, s, strlen(s));
}

/* A text value escaped for COPY text format; NULL as \N. */
static void b_val(struct buf *b, const char *s, size_t n)
{
	if (!s) {
		b_add(b, "\\N", 2);
		return;
	}
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *esc = NULL;
		switch (s[i]) {
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			continue;
		}
		b_add(b, s + run, i - run);
		b_add(b, esc, 2);
		run = i + 1;
	}
	b_add(b, s + run, n - run);
}

static void b_text(struct buf *b, const char *s)
{
	b_val(b, s, s ? strlen(s) : 0);
}

static void b_time(struct buf *b, int64_t us)
{
	if (us <= 0) {
		b_add(b, "\\N", 2);
		return;
	}
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	char s[64];
	gmtime_r(&t, &tm);
	size_t n = strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm);
	n += (size_t)snprintf(s + n, sizeof(s) - n, ".%06ld+00", (long)(us % 1000000));
	b_add(b, s, n);
}

static void b_int(struct buf *b, int64_t v)
{
	if (v < 0) {
		b_add(b, "\\N", 2);
		return;
	}
	char s[32];
	int n = snprintf(s, sizeof(s), "%" PRId64, v);
	b_add(b, s, (size_t)n);
}

static void copy_row(struct buf *b, const struct cdr_item *it)
{
	const struct cdr_record *r = &it->rec;
	b_text(b, r->f[CDR_F_UUID]);
	b_add(b, r->leg == 'b' ? "\tb" : "\ta", 2);
	for (size_t i = 0; i < sizeof(copy_fields_a) / sizeof(copy_fields_a[0]); i++) {
		b_add(b, "\t", 1);
		b_text(b, r->f[copy_fields_a[i]]);
	}
	b_add(b, "\t", 1);
	b_time(b, r->start_us);
	b_add(b, "\t", 1);
	b_time(b, r->answer_us);
	b_add(b, "\t", 1);
	b_time(b, r->end_us);
	b_add(b, "\t", 1);
	b_int(b, r->duration);
	b_add(b, "\t", 1);
	b_int(b, r->billsec);
	for (size_t i = 0; i < sizeof(copy_fields_b) / sizeof(copy_fields_b[0]); i++) {
		b_add(b, "\t", 1);
		b_text(b, r->f[copy_fields_b[i]]);
	}
	b_str(b, it->fmt == CDR_FMT_JSON ? "\tjson\t" : "\txml\t");
	if (it->store_raw)
		b_val(b, it->doc, it->len);
	else
		b_add(b, "\\N", 2);
	b_add(b, "\t", 1);
	b_time(b, it->recv_ns / 1000 > 0 ? it->recv_ns / 1000 : 1);
	b_add(b, "\n", 1);
}

static int copy_rows(PGconn *pg, const char *table, struct cdr_item *items, size_t n, char *err,
		     size_t errlen)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "COPY %s (" COLS ") FROM STDIN", table);
	PGresult *res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pgerr(pg, res, "starting COPY", err, errlen);
		int r = classify(pg, res);
		PQclear(res);
		return r;
	}
	PQclear(res);
	struct buf b = { 0 };
	int r = CDR_STORE_OK;
	for (size_t i = 0; i < n; i++) {
		if (items[i].dead)
			continue;
		copy_row(&b, &items[i]);
		if (b.oom)
			break;
		if (b.len >= (1u << 20) || i + 1 == n) {
			if (PQputCopyData(pg, b.p, (int)b.len) != 1) {
				r = CDR_STORE_RETRY;
				break;
			}
			b.len = 0;
		}
	}
	if (b.len && !b.oom && r == CDR_STORE_OK && PQputCopyData(pg, b.p, (int)b.len) != 1)
		r = CDR_STORE_RETRY;
	if (b.oom) {
		snprintf(err, errlen, "out of memory building COPY data");
		PQputCopyEnd(pg, "out of memory");
		r = CDR_STORE_RETRY;
	} else if (PQputCopyEnd(pg, NULL) != 1) {
		r = CDR_STORE_RETRY;
	}
	free(b.p);
	while ((res = PQgetResult(pg))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && r == CDR_STORE_OK) {
			const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			pgerr(pg, res, "COPY", err, errlen);
			r = st && strcmp(st, "23505") == 0 ? CDR_STORE_DUP : classify(pg, res);
		}
		PQclear(res);
	}
	if (r != CDR_STORE_OK && !*err)
		pgerr(pg, NULL, "COPY", err, errlen);
	return r;
}

static int insert_dead(PGconn *pg, const struct cdr_item *it, char *err, size_t errlen)
{
	char ts[32];
	snprintf(ts, sizeof(ts), "%.6f", (double)it->recv_ns / 1e9);
	const char *vals[4] = { it->reason, it->source ? it->source : "journal", it->doc, ts };
	int lens[4] = { 0, 0, (int)it->len, 0 };
	int fmts[4] = { 0, 0, 1, 0 };
	PGresult *res =
		PQexecParams(pg,
			     "INSERT INTO voip.cdr_dead_letter (reason, source, body, received_at)"
			     " VALUES ($1, $2, $3::bytea, to_timestamp($4::double precision))"
			     " ON CONFLICT (digest) DO NOTHING",
			     4, NULL, vals, lens, fmts, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pgerr(pg, res, "storing a dead letter", err, errlen);
		int r = classify(pg, res);
		PQclear(res);
		return r;
	}
	PQclear(res);
	return CDR_STORE_OK;
}

static void rollback(PGconn *pg)
{
	if (PQstatus(pg) == CONNECTION_OK && PQtransactionStatus(pg) != PQTRANS_IDLE)
		PQclear(PQexec(pg, "ROLLBACK"));
}

/* Everything but the rows: dead letters, the queue rows, COMMIT. */
static int finish_batch(PGconn *pg, struct cdr_item *items, size_t n, const char *queue_ids,
			struct cdr_store_result *res, char *err, size_t errlen)
{
	int r;
	PGresult *pr;

	for (size_t i = 0; i < n; i++) {
		if (!items[i].dead)
			continue;
		if ((r = insert_dead(pg, &items[i], err, errlen)) != 0)
			return r;
		res->dead++;
	}
	if (queue_ids) {
		const char *v[1] = { queue_ids };
		pr = PQexecParams(pg, "DELETE FROM voip.cdr_queue WHERE id = ANY($1::bigint[])", 1,
				  NULL, v, NULL, NULL, 0);
		if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
			pgerr(pg, pr, "deleting from voip.cdr_queue", err, errlen);
			r = classify(pg, pr);
			PQclear(pr);
			return r;
		}
		PQclear(pr);
	}
	/* One round trip: COMMIT, then an LSN at or after the commit record
	 * (an error in COMMIT skips the SELECT). */
	pr = PQexec(pg, "COMMIT; SELECT pg_current_wal_lsn()::text");
	if (PQresultStatus(pr) != PGRES_TUPLES_OK || PQntuples(pr) != 1) {
		pgerr(pg, pr, "COMMIT", err, errlen);
		PQclear(pr);
		/* Unknown outcome if the connection broke during COMMIT: the
		 * caller retries, which the uuid key makes harmless. */
		return CDR_STORE_RETRY;
	}
	res->commit_lsn = cdr_lsn_parse(PQgetvalue(pr, 0, 0));
	PQclear(pr);
	return CDR_STORE_OK;
}

static int begin(PGconn *pg, bool *own, char *err, size_t errlen)
{
	*own = PQtransactionStatus(pg) == PQTRANS_IDLE;
	return *own ? exec_ok(pg, "BEGIN", "BEGIN", err, errlen) : CDR_STORE_OK;
}

int cdr_store_batch(PGconn *pg, struct cdr_item *items, size_t n, const char *queue_ids,
		    struct cdr_store_result *res, char *err, size_t errlen)
{
	int r;
	size_t rows = 0;
	bool own;
	PGresult *pr;

	memset(res, 0, sizeof(*res));
	err[0] = '\0';
	for (size_t i = 0; i < n; i++)
		rows += !items[i].dead;
	/* Fast path: COPY straight into voip.cdr (as fast as PostgreSQL
	 * takes rows). Only when a uuid is already there (a re-delivery) does
	 * the batch go through the staging table and ON CONFLICT DO NOTHING.
	 * A batch inside a caller's transaction (queue rows) cannot retry, so
	 * it takes the staging path directly. */
	if ((r = begin(pg, &own, err, errlen)) != 0)
		return r;
	if (rows && own) {
		r = copy_rows(pg, "voip.cdr", items, n, err, errlen);
		if (r == CDR_STORE_OK) {
			res->inserted = rows;
			goto finish;
		}
		rollback(pg);
		if (r != CDR_STORE_DUP)
			return r;
		err[0] = '\0';
		if ((r = begin(pg, &own, err, errlen)) != 0)
			return r;
	}
	if (rows) {
		if ((r = copy_rows(pg, "cdr_stage", items, n, err, errlen)) != 0)
			goto fail;
		pr = PQexec(pg, "INSERT INTO voip.cdr (" COLS ") SELECT " COLS
				" FROM cdr_stage ON CONFLICT (uuid) DO NOTHING");
		if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
			pgerr(pg, pr, "inserting into voip.cdr", err, errlen);
			r = classify(pg, pr);
			PQclear(pr);
			goto fail;
		}
		res->inserted = strtoul(PQcmdTuples(pr), NULL, 10);
		res->duplicates = rows - res->inserted;
		PQclear(pr);
	}
finish:
	r = finish_batch(pg, items, n, queue_ids, res, err, errlen);
	if (r == CDR_STORE_OK)
		return r;
fail:
	rollback(pg);
	return r == CDR_STORE_DUP ? CDR_STORE_DATA : r;
}

int cdr_store_one(PGconn *pg, struct cdr_item *it, struct cdr_store_result *res, char *err,
		  size_t errlen)
{
	int r = cdr_store_batch(pg, it, 1, NULL, res, err, errlen);
	if (r != CDR_STORE_DATA)
		return r;
	char why[300];
	snprintf(why, sizeof(why), "database rejected it: %s", err);
	cdr_record_free(&it->rec);
	set_reason(it, why);
	return cdr_store_batch(pg, it, 1, NULL, res, err, errlen);
}

PGresult *cdr_store_claim_queue(PGconn *pg, int max, char *err, size_t errlen)
{
	if (exec_ok(pg, "BEGIN", "BEGIN", err, errlen) != 0)
		return NULL;
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", max);
	const char *v[1] = { lim };
	PGresult *res = PQexecParams(
		pg,
		"SELECT id::text, body, extract(epoch FROM enqueued_at)::text FROM voip.cdr_queue"
		" ORDER BY id LIMIT $1::integer FOR UPDATE SKIP LOCKED",
		1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pgerr(pg, res, "claiming voip.cdr_queue rows", err, errlen);
		PQclear(res);
		rollback(pg);
		return NULL;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		rollback(pg);
		return NULL;
	}
	return res;
}

int cdr_store_lsns(PGconn *pg, uint64_t *current, uint64_t *replica_flush, char *err, size_t errlen)
{
	/* flush_lsn is visible only with pg_read_all_stats (pg_monitor);
	 * without it no standby can confirm and retention applies. */
	PGresult *res =
		PQexec(pg, "SELECT pg_current_wal_lsn()::text, coalesce((SELECT max(flush_lsn)"
			   " FROM pg_stat_replication WHERE state = 'streaming'), '0/0')::text");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		pgerr(pg, res, "reading WAL positions", err, errlen);
		PQclear(res);
		return -1;
	}
	*current = cdr_lsn_parse(PQgetvalue(res, 0, 0));
	*replica_flush = cdr_lsn_parse(PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}
