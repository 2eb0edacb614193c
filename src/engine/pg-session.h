/* libpq sessions of the engine: the local cluster over its Unix socket as
 * postgres, replication connections to the peer or the VIP, and running a
 * statement or reading one value with the server's message on failure. */
#ifndef VOIPHA_ENGINE_PG_SESSION_H
#define VOIPHA_ENGINE_PG_SESSION_H

#include <libpq-fe.h>
#include <stddef.h>

#include "engine/node-ctx.h"

/* Local cluster over the Unix socket as postgres. NULL only on OOM; check
 * PQstatus. timeout_s is libpq's connect_timeout. */
PGconn *pg_connect_local(const char *dbname, int timeout_s);
/* Replication connection (replication=true) to the peer as replicator, the
 * password from VOIPHA_PASSFILE. */
PGconn *pg_connect_peer_repl(const struct node_ctx *ctx, int timeout_s);

/* Replication connection to host (the peer, or the VIP). */
PGconn *pg_connect_repl(const struct node_ctx *ctx, const char *host, int timeout_s);
/* Ordinary connection to the peer's dbname as replicator (pg_hba lets it
 * into database postgres: pg_rewind, the peer's history), each statement
 * bounded by timeout_s too. */
PGconn *pg_connect_peer_db(const struct node_ctx *ctx, const char *dbname, int timeout_s);

/* One-line libpq error message without the trailing newline. */
const char *pg_errmsg(const PGconn *conn);

/* Runs a statement whose rows (if any) are ignored. 0, or -EIO with the
 * server's message copied into errbuf. */
int pg_exec(PGconn *conn, const char *sql, char *errbuf, size_t errlen);
/* First column of the first row into buf ("" for NULL). -ENOENT without rows. */
int pg_query_value(PGconn *conn, const char *sql, const char *param, char *buf, size_t buflen,
		   char *errbuf, size_t errlen);

#endif
