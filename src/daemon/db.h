/* PostgreSQL access for voip-admind: one connection per thread, prepared
 * statements, reconnect with backoff.
 *
 * Why per-thread: libpq connections are not thread-safe, and a pool with a
 * lock would serialise the libmicrohttpd threads. Each thread calls
 * db_conn_get() and gets its own connection, created on first use and closed
 * by db_pool_free() (after all threads have stopped).
 *
 * Why fail fast: the target is a VIP that moves during a failover. While the
 * database is unreachable, callers must answer 503 at once instead of piling
 * up threads in connect(); so after a failed connect a connection waits out a
 * backoff (DB_BACKOFF_MIN_MS doubling up to DB_BACKOFF_MAX_MS) before trying
 * again, and calls inside that window return DB_UNAVAILABLE immediately. */
#ifndef VOIPADMIN_DB_H
#define VOIPADMIN_DB_H

#include <stdbool.h>
#include <libpq-fe.h>

#include "daemon/config.h"

#define DB_BACKOFF_MIN_MS 100
#define DB_BACKOFF_MAX_MS 2000

struct metrics;
struct db_pool;
struct db_conn;

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE, /* no connection (down, backing off, broken mid-call) */
	DB_CONSTRAINT,  /* integrity violation (SQLSTATE class 23) */
	DB_INVALID,     /* bad input rejected by the server (class 22) */
	DB_ERROR,       /* anything else */
};

struct db_err {
	enum db_status status;
	char sqlstate[6]; /* "" when none */
	char msg[256];    /* server or libpq message; never contains parameters */
};

/* A statement prepared lazily on each connection under `name`. */
struct db_stmt {
	const char *name;
	const char *sql;
	int nparams;
	bool idempotent; /* safe to re-run after a broken connection */
};

/* Copies the connection settings it needs from cfg (password included). */
struct db_pool *db_pool_new(const struct admin_config *cfg, struct metrics *m);
void db_pool_free(struct db_pool *pool);

/* This thread's connection (not yet connected; that happens on first use).
 * NULL only on allocation failure. */
struct db_conn *db_conn_get(struct db_pool *pool);

/* Runs a prepared statement with text parameters (NULL entry = SQL NULL).
 * Returns a PGresult with PGRES_TUPLES_OK or PGRES_COMMAND_OK (caller
 * PQclear()s it) or NULL with *err filled in. */
PGresult *db_query(struct db_conn *c, const struct db_stmt *stmt, const char *const *params,
		   struct db_err *err);

/* A parameterless command (BEGIN, COMMIT, ROLLBACK, SELECT 1). 0 or -1 with
 * *err. Only BEGIN outside a transaction is retried (once) after a broken
 * connection: inside a transaction a reconnect loses the transaction, so
 * that is reported as DB_UNAVAILABLE. */
int db_exec(struct db_conn *c, const char *sql, struct db_err *err);

/* True while a transaction is open on this connection (PQtransactionStatus). */
bool db_in_transaction(struct db_conn *c);

/* Raw handle for the rare caller that needs libpq directly (COPY, escaping).
 * NULL when not connected. Do not PQfinish it. */
PGconn *db_pgconn(struct db_conn *c);

/* Connects now if needed (respecting the backoff). 0 or -1 with *err. */
int db_ensure(struct db_conn *c, struct db_err *err);

#endif
