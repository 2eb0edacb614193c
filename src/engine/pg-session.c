/* libpq sessions of the engine: see pg-session.h. */
#include "engine/pg-session.h"
#include "engine/pg-local.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* As postgres for the connect only: see pg_euid_enter. */
static PGconn *connect_as_postgres(const char *const *keys, const char *const *vals)
{
	bool sw = pg_euid_enter();
	PGconn *c = PQconnectdbParams(keys, vals, 0);

	pg_euid_leave(sw);
	return c;
}

PGconn *pg_connect_local(const char *dbname, int timeout_s)
{
	char timeout[16];
	const char *keys[] = {
		"host",    "port", "dbname", "user", "connect_timeout", "application_name",
		"options", NULL
	};
	const char *vals[8];

	snprintf(timeout, sizeof(timeout), "%d", timeout_s);
	vals[0] = VOIPHA_PG_SOCKDIR;
	vals[1] = VOIPHA_PG_PORT;
	vals[2] = dbname;
	vals[3] = "postgres";
	vals[4] = timeout;
	vals[5] = VOIPHA_PG_APPNAME;
	vals[6] = VOIPHA_PG_OPTIONS;
	vals[7] = NULL;
	return connect_as_postgres(keys, vals);
}

PGconn *pg_connect_peer_repl(const struct node_ctx *ctx, int timeout_s)
{
	return pg_connect_repl(ctx, ctx->peer_addr, timeout_s);
}

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libpq's connect_timeout counts whole seconds and never less than 2: a
 * peer whose PostgreSQL hangs (every process stopped) would hold `notify
 * MASTER` 2 s before it may promote where 1 s was asked. The non-blocking
 * connect with a deadline of our own instead; a connection that is not
 * done by then is returned unfinished (PQstatus not CONNECTION_OK,
 * pg_errmsg says "timeout expired"). */
static PGconn *connect_by_deadline(const char *const *keys, const char *const *vals, int timeout_ms)
{
	PGconn *c = PQconnectStartParams(keys, vals, 0);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	long long deadline = monotonic_ms() + timeout_ms;

	if (!c || PQstatus(c) == CONNECTION_BAD)
		return c;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		struct pollfd p = { .fd = PQsocket(c),
				    .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT };
		long long left = deadline - monotonic_ms();
		int r;

		if (left <= 0)
			break;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		st = PQconnectPoll(c);
	}
	return c;
}

/* As replicator, the password from VOIPHA_PASSFILE: a replication
 * connection (replication=true, dbname ignored) or an ordinary one to
 * dbname, whose statements end within the connect timeout too. */
static PGconn *connect_replicator(const struct node_ctx *ctx, const char *host, bool replication,
				  const char *dbname, int timeout_s)
{
	char timeout[16], options[64];
	const char *keys[] = { "host",
			       "port",
			       "user",
			       "passfile",
			       "connect_timeout",
			       "application_name",
			       "dbname",
			       "replication",
			       "options",
			       NULL };
	const char *vals[10];

	snprintf(timeout, sizeof(timeout), "%d", timeout_s);
	snprintf(options, sizeof(options), "-c statement_timeout=%d", timeout_s * 1000);
	vals[0] = host;
	vals[1] = VOIPHA_PG_PORT;
	vals[2] = VOIPHA_REPL_USER;
	vals[3] = VOIPHA_PASSFILE;
	vals[4] = timeout;
	vals[5] = ctx->local_name;
	vals[6] = replication ? "replication" : dbname;
	vals[7] = replication ? "true" : NULL;
	vals[8] = replication ? NULL : options;
	vals[9] = NULL;
	return connect_by_deadline(keys, vals, timeout_s * 1000);
}

PGconn *pg_connect_repl(const struct node_ctx *ctx, const char *host, int timeout_s)
{
	return connect_replicator(ctx, host, true, NULL, timeout_s);
}

PGconn *pg_connect_peer_db(const struct node_ctx *ctx, const char *dbname, int timeout_s)
{
	return connect_replicator(ctx, ctx->peer_addr, false, dbname, timeout_s);
}

const char *pg_errmsg(const PGconn *conn)
{
	static char buf[512];
	const char *m = conn ? PQerrorMessage(conn) : "out of memory";
	size_t n;

	/* Left unfinished by connect_by_deadline. */
	if (conn && PQstatus(conn) != CONNECTION_OK && PQstatus(conn) != CONNECTION_BAD)
		m = "timeout expired";

	snprintf(buf, sizeof(buf), "%s", m);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

static void copy_result_error(const PGresult *res, const PGconn *conn, char *errbuf, size_t errlen)
{
	const char *m = res ? PQresultErrorMessage(res) : "";
	size_t n;

	if (!errbuf || errlen == 0)
		return;
	snprintf(errbuf, errlen, "%s", *m ? m : pg_errmsg(conn));
	n = strlen(errbuf);
	while (n > 0 && (errbuf[n - 1] == '\n' || errbuf[n - 1] == ' '))
		errbuf[--n] = '\0';
}

int pg_exec(PGconn *conn, const char *sql, char *errbuf, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int r = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		copy_result_error(res, conn, errbuf, errlen);
		r = -EIO;
	}
	PQclear(res);
	return r;
}

int pg_query_value(PGconn *conn, const char *sql, const char *param, char *buf, size_t buflen,
		   char *errbuf, size_t errlen)
{
	const char *params[1] = { param };
	PGresult *res = PQexecParams(conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
	int r = 0;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		copy_result_error(res, conn, errbuf, errlen);
		r = -EIO;
	} else if (PQntuples(res) < 1) {
		r = -ENOENT;
	} else {
		snprintf(buf, buflen, "%s", PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	return r;
}
