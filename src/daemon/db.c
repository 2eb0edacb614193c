/* PostgreSQL connections for voip-admind; see db.h for the why. */
#include "daemon/db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/metrics.h"

#define MAX_PREPARED 256

struct db_conn {
	struct db_conn *next, *prev;
	struct db_pool *pool;
	PGconn *pg;
	bool ever_connected;
	unsigned backoff_ms;
	long long next_attempt_ms;          /* monotonic; 0 = try now */
	const char *prepared[MAX_PREPARED]; /* statement names prepared on pg */
	size_t nprepared;
};

struct db_pool {
	pthread_key_t key;
	pthread_mutex_t lock;
	struct db_conn *conns;
	const char *keywords[16];
	const char *values[16];
	char port[8], timeout[8], options[64];
	char *host, *dbname, *user, *password;
	struct metric_counter *reconnects, *connect_failures;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_err(struct db_err *err, enum db_status st, const char *sqlstate, const char *msg)
{
	size_t n;

	if (!err)
		return;
	err->status = st;
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", sqlstate ? sqlstate : "");
	snprintf(err->msg, sizeof(err->msg), "%s", msg ? msg : "");
	/* libpq messages end in a newline and may span lines; keep one line */
	n = strcspn(err->msg, "\n");
	err->msg[n] = '\0';
}

static void conn_close(struct db_conn *c)
{
	if (c->pg)
		PQfinish(c->pg);
	c->pg = NULL;
	c->nprepared = 0;
}

/* Called when a thread exits: its connection goes with it. */
static void thread_exit(void *p)
{
	struct db_conn *c = p;
	struct db_pool *pool = c->pool;

	pthread_mutex_lock(&pool->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		pool->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&pool->lock);
	conn_close(c);
	free(c);
}

struct db_pool *db_pool_new(const struct admin_config *cfg, struct metrics *m)
{
	struct db_pool *p = calloc(1, sizeof(*p));
	size_t i = 0;

	if (!p)
		return NULL;
	p->host = strdup(cfg->db_host);
	p->dbname = strdup(cfg->db_name);
	p->user = strdup(cfg->db_user);
	p->password = strdup(cfg->db_password ? cfg->db_password : "");
	if (!p->host || !p->dbname || !p->user || !p->password ||
	    pthread_key_create(&p->key, thread_exit) != 0) {
		free(p->host);
		free(p->dbname);
		free(p->user);
		free(p->password);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	snprintf(p->port, sizeof(p->port), "%u", cfg->db_port);
	snprintf(p->timeout, sizeof(p->timeout), "%u", cfg->db_connect_timeout);
	snprintf(p->options, sizeof(p->options), "-c statement_timeout=%u",
		 cfg->db_statement_timeout_ms);
#define KW(k, v) (p->keywords[i] = (k), p->values[i] = (v), i++)
	KW("host", p->host);
	KW("port", p->port);
	KW("dbname", p->dbname);
	KW("user", p->user);
	KW("password", p->password);
	KW("connect_timeout", p->timeout);
	KW("application_name", "voip-admind");
	KW("client_encoding", "UTF8");
	KW("options", p->options);
	/* A dead peer (VIP moved, host powered off) must not hang a thread:
	 * keepalives and tcp_user_timeout turn it into an error in ~10 s. */
	KW("keepalives", "1");
	KW("keepalives_idle", "5");
	KW("keepalives_interval", "2");
	KW("keepalives_count", "3");
	KW("tcp_user_timeout", "10000");
	/* never write to a standby that still answers on the old address */
	KW("target_session_attrs", "read-write");
#undef KW
	p->keywords[i] = NULL;
	p->values[i] = NULL;
	p->reconnects = metrics_counter(m, "voipadmin_db_reconnects_total",
					"Database connections re-established after a loss", "");
	p->connect_failures = metrics_counter(m, "voipadmin_db_connect_failures_total",
					      "Failed database connection attempts", "");
	return p;
}

void db_pool_free(struct db_pool *p)
{
	if (!p)
		return;
	pthread_key_delete(p->key);
	for (struct db_conn *c = p->conns, *n; c; c = n) {
		n = c->next;
		conn_close(c);
		free(c);
	}
	pthread_mutex_destroy(&p->lock);
	explicit_bzero(p->password, strlen(p->password));
	free(p->password);
	free(p->host);
	free(p->dbname);
	free(p->user);
	free(p);
}

struct db_conn *db_conn_get(struct db_pool *pool)
{
	struct db_conn *c = pthread_getspecific(pool->key);

	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->pool = pool;
	c->backoff_ms = DB_BACKOFF_MIN_MS;
	if (pthread_setspecific(pool->key, c) != 0) {
		free(c);
		return NULL;
	}
	pthread_mutex_lock(&pool->lock);
	c->next = pool->conns;
	if (c->next)
		c->next->prev = c;
	pool->conns = c;
	pthread_mutex_unlock(&pool->lock);
	return c;
}

int db_ensure(struct db_conn *c, struct db_err *err)
{
	struct db_pool *p = c->pool;
	long long now;

	if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
		return 0;
	conn_close(c);
	now = now_ms();
	if (now < c->next_attempt_ms) {
		set_err(err, DB_UNAVAILABLE, "", "database unavailable (reconnect backing off)");
		return -1;
	}
	c->pg = PQconnectdbParams(p->keywords, p->values, 0);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		set_err(err, DB_UNAVAILABLE, "", c->pg ? PQerrorMessage(c->pg) : "out of memory");
		conn_close(c);
		metric_counter_add(p->connect_failures, 1);
		c->next_attempt_ms = now_ms() + c->backoff_ms;
		c->backoff_ms = c->backoff_ms * 2 > DB_BACKOFF_MAX_MS ? DB_BACKOFF_MAX_MS :
									c->backoff_ms * 2;
		return -1;
	}
	if (c->ever_connected)
		metric_counter_add(p->reconnects, 1);
	c->ever_connected = true;
	c->backoff_ms = DB_BACKOFF_MIN_MS;
	c->next_attempt_ms = 0;
	return 0;
}

bool db_in_transaction(struct db_conn *c)
{
	PGTransactionStatusType t;

	if (!c->pg)
		return false;
	t = PQtransactionStatus(c->pg);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

PGconn *db_pgconn(struct db_conn *c)
{
	return c->pg;
}

static enum db_status classify(const char *sqlstate)
{
	if (!sqlstate || !*sqlstate)
		return DB_ERROR;
	if (strncmp(sqlstate, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strncmp(sqlstate, "22", 2) == 0)
		return DB_INVALID;
	/* connection exceptions, admin shutdown, crash, read-only (a node that
	 * became a standby): all mean "try again later on a new connection" */
	if (strncmp(sqlstate, "08", 2) == 0 || strncmp(sqlstate, "57P", 3) == 0 ||
	    strcmp(sqlstate, "25006") == 0)
		return DB_UNAVAILABLE;
	return DB_ERROR;
}

/* Inspects a result; returns true when it is a success. On failure fills
 * *err and closes a broken connection (the next call reconnects at once). */
static bool check_result(struct db_conn *c, PGresult *res, struct db_err *err)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	const char *sqlstate, *msg;

	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return true;
	sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg)
		msg = PQerrorMessage(c->pg);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		set_err(err, DB_UNAVAILABLE, sqlstate, msg);
		conn_close(c);
	} else {
		set_err(err, classify(sqlstate), sqlstate, msg);
		if (err && err->status == DB_UNAVAILABLE)
			conn_close(c);
	}
	return false;
}

static bool is_prepared(const struct db_conn *c, const char *name)
{
	for (size_t i = 0; i < c->nprepared; i++)
		if (c->prepared[i] == name || strcmp(c->prepared[i], name) == 0)
			return true;
	return false;
}

PGresult *db_query(struct db_conn *c, const struct db_stmt *stmt, const char *const *params,
		   struct db_err *err)
{
	bool may_retry = stmt->idempotent;

	for (;;) {
		PGresult *res;
		bool in_txn;

		if (db_ensure(c, err) < 0)
			return NULL;
		in_txn = db_in_transaction(c);
		if (!is_prepared(c, stmt->name)) {
			res = PQprepare(c->pg, stmt->name, stmt->sql, stmt->nparams, NULL);
			/* 42P05: already prepared on this session (our list was
			 * full): just use it */
			if (res && PQresultStatus(res) == PGRES_FATAL_ERROR &&
			    strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE) ?
					   PQresultErrorField(res, PG_DIAG_SQLSTATE) :
					   "",
				   "42P05") == 0) {
				PQclear(res);
				res = PQmakeEmptyPGresult(c->pg, PGRES_COMMAND_OK);
			}
			if (!check_result(c, res, err)) {
				PQclear(res);
				if (err && err->status == DB_UNAVAILABLE && may_retry && !in_txn) {
					may_retry = false;
					continue;
				}
				return NULL;
			}
			PQclear(res);
			if (c->nprepared < MAX_PREPARED)
				c->prepared[c->nprepared++] = stmt->name;
		}
		res = PQexecPrepared(c->pg, stmt->name, stmt->nparams, params, NULL, NULL, 0);
		if (check_result(c, res, err)) {
			if (err)
				set_err(err, DB_OK, "", "");
			return res;
		}
		PQclear(res);
		if (err && err->status == DB_UNAVAILABLE && may_retry && !in_txn) {
			may_retry = false; /* once: a second failure is real */
			continue;
		}
		return NULL;
	}
}

int db_exec(struct db_conn *c, const char *sql, struct db_err *err)
{
	/* A BEGIN outside a transaction has done nothing yet when it fails on
	 * a connection that broke while idle (the server restarted, the VIP
	 * moved): retrying it once on a fresh connection is safe, and spares
	 * the first write after a failover a 503. */
	bool may_retry = strcmp(sql, "BEGIN") == 0;

	for (;;) {
		PGresult *res;
		bool ok, in_txn;

		if (db_ensure(c, err) < 0)
			return -1;
		in_txn = db_in_transaction(c);
		res = PQexec(c->pg, sql);
		ok = check_result(c, res, err);
		PQclear(res);
		if (ok)
			return 0;
		if (may_retry && !in_txn && err && err->status == DB_UNAVAILABLE) {
			may_retry = false;
			continue;
		}
		return -1;
	}
}
