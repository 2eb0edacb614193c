/* The arbiter client: see arbiter.h. */
#include "engine/arbiter.h"
#include "engine/boot.h"
#include "engine/node-ctx.h"
#include "lib/validators.h"

#include <libpq-fe.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARBITER_DB "voip_ha_witness"
#define ARBITER_USER "voip_ha_arbiter"

int arbiter_init(struct arbiter *a, const struct node_ctx *ctx)
{
	memset(a, 0, sizeof(*a));
	if (ctx->cfg.arbiter_kind != ARBITER_POSTGRESQL || !ctx->cfg.arbiter_ip)
		return -EINVAL;
	ipv4_format(ctx->cfg.arbiter_ip, a->host);
	snprintf(a->port, sizeof(a->port), "%u", ctx->cfg.arbiter_port_num);
	snprintf(a->cluster, sizeof(a->cluster), "%s", ctx->cfg.arbiter_cluster);
	snprintf(a->node, sizeof(a->node), "%s", ctx->local_name);
	a->password = ctx->cfg.arbiter_password;
	return 0;
}

void arbiter_close(struct arbiter *a)
{
	if (a->conn)
		PQfinish(a->conn);
	a->conn = NULL;
}

/* Waits until the socket is ready for `events` or the deadline passes. */
static int wait_socket(PGconn *c, short events, long long deadline)
{
	struct pollfd p = { .fd = PQsocket(c), .events = events };
	long long left = deadline - lease_clock_ms();
	int r;

	if (p.fd < 0)
		return -ECONNREFUSED;
	if (left <= 0)
		return -ETIMEDOUT;
	do
		r = poll(&p, 1, (int)left);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	return r < 0 ? -errno : 0;
}

/* One line of a libpq message, without its final newline. */
static void copy_msg(const char *msg, char *why, size_t len)
{
	snprintf(why, len, "%s", msg && msg[0] ? msg : "no message");
	why[strcspn(why, "\n")] = '\0';
}

/* A refused authentication reads differently from an unreachable host:
 * the server answered (SQLSTATE 28000/28P01 in the message text only, as
 * libpq has no state for connection failures). */
static int classify_connect_error(const char *msg)
{
	if (msg &&
	    (strstr(msg, "password authentication failed") || strstr(msg, "no pg_hba.conf entry") ||
	     strstr(msg, "channel binding") || strstr(msg, "SCRAM")))
		return -EACCES;
	return -ECONNREFUSED;
}

static int connect_bounded(struct arbiter *a, long long deadline, char *why, size_t len)
{
	/* No connect_timeout: the deadline below bounds the whole handshake. */
	const char *const keys[] = { "hostaddr",
				     "port",
				     "dbname",
				     "user",
				     "password",
				     "sslmode",
				     "channel_binding",
				     "application_name",
				     "keepalives_idle",
				     "keepalives_interval",
				     "keepalives_count",
				     "tcp_user_timeout",
				     NULL };
	char app[32];
	const char *vals[13];
	PostgresPollingStatusType st;
	PGconn *c;
	int r;

	snprintf(app, sizeof(app), "voip-ha %s", a->node);
	vals[0] = a->host;
	vals[1] = a->port;
	vals[2] = ARBITER_DB;
	vals[3] = ARBITER_USER;
	vals[4] = a->password;
	vals[5] = "require";
	vals[6] = "require";
	vals[7] = app;
	vals[8] = "1";
	vals[9] = "1";
	vals[10] = "2";
	vals[11] = "2000";
	vals[12] = NULL;
	c = PQconnectStartParams(keys, vals, 0);
	if (!c) {
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	if (PQstatus(c) == CONNECTION_BAD) {
		copy_msg(PQerrorMessage(c), why, len);
		PQfinish(c);
		return -ECONNREFUSED;
	}
	for (st = PGRES_POLLING_WRITING;;) {
		if (st == PGRES_POLLING_OK)
			break;
		if (st == PGRES_POLLING_FAILED) {
			r = classify_connect_error(PQerrorMessage(c));
			copy_msg(PQerrorMessage(c), why, len);
			PQfinish(c);
			return r;
		}
		r = wait_socket(c, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline);
		if (r < 0) {
			snprintf(why, len, "%s",
				 r == -ETIMEDOUT ? "no answer (connect timed out)" : strerror(-r));
			PQfinish(c);
			return r == -ETIMEDOUT ? r : -ECONNREFUSED;
		}
		st = PQconnectPoll(c);
	}
	if (PQsetnonblocking(c, 1) != 0) {
		copy_msg(PQerrorMessage(c), why, len);
		PQfinish(c);
		return -EIO;
	}
	a->conn = c;
	return 0;
}

static void parse_answer(PGresult *res, struct arbiter_answer *ans)
{
	memset(ans, 0, sizeof(*ans));
	ans->granted = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	snprintf(ans->holder, sizeof(ans->holder), "%s", PQgetvalue(res, 0, 1));
	ans->term = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	ans->remaining = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	ans->renewed_ago = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
}

/* Runs one lease function (sql, its parameters) within timeout_ms. */
static int call(struct arbiter *a, const char *sql, const char *const params[], int nparams,
		int timeout_ms, struct arbiter_answer *ans, char *why, size_t len)
{
	long long deadline = lease_clock_ms() + timeout_ms;
	PGresult *res, *last = NULL;
	int r = 0, flushed;
	bool fresh = false;

	why[0] = '\0';
	if (!a->conn) {
		r = connect_bounded(a, deadline, why, len);
		if (r < 0)
			return r;
		fresh = true;
	}
	if (!PQsendQueryParams(a->conn, sql, nparams, NULL, params, NULL, NULL, 0)) {
		copy_msg(PQerrorMessage(a->conn), why, len);
		arbiter_close(a);
		/* A kept connection the witness closed meanwhile: once more on a
		 * fresh one, within the same deadline. */
		if (!fresh && lease_clock_ms() < deadline)
			return call(a, sql, params, nparams, (int)(deadline - lease_clock_ms()),
				    ans, why, len);
		return -ECONNREFUSED;
	}
	while ((flushed = PQflush(a->conn)) == 1)
		if ((r = wait_socket(a->conn, POLLOUT, deadline)) < 0)
			goto broken;
	if (flushed < 0) {
		r = -ECONNREFUSED;
		goto broken;
	}
	for (;;) {
		if (!PQconsumeInput(a->conn)) {
			r = -ECONNREFUSED;
			goto broken;
		}
		while (!PQisBusy(a->conn)) {
			res = PQgetResult(a->conn);
			if (!res)
				goto done;
			PQclear(last);
			last = res;
		}
		if ((r = wait_socket(a->conn, POLLIN, deadline)) < 0)
			goto broken;
	}
done:
	if (last && PQresultStatus(last) == PGRES_TUPLES_OK && PQntuples(last) == 1 &&
	    PQnfields(last) == 5) {
		parse_answer(last, ans);
		PQclear(last);
		return 0;
	}
	if (last && PQresultStatus(last) == PGRES_FATAL_ERROR) {
		const char *state = PQresultErrorField(last, PG_DIAG_SQLSTATE);

		copy_msg(PQresultErrorField(last, PG_DIAG_MESSAGE_PRIMARY), why, len);
		r = state && strcmp(state, "P0002") == 0  ? -ENOENT :
		    state && strncmp(state, "42", 2) == 0 ? -EACCES :
							    -EIO;
	} else {
		snprintf(why, len, "unexpected answer from the witness");
		r = -EIO;
	}
	PQclear(last);
	return r;
broken:
	PQclear(last);
	if (r == -ETIMEDOUT)
		snprintf(why, len, "no answer within %d ms", timeout_ms);
	else if (!why[0])
		copy_msg(PQerrorMessage(a->conn), why, len);
	arbiter_close(a);
	return r == -ETIMEDOUT ? r : -ECONNREFUSED;
}

#define ANSWER_COLUMNS "granted, holder, term, remaining_ms, renewed_ago_ms"

int arbiter_acquire(struct arbiter *a, int ttl_ms, int timeout_ms, struct arbiter_answer *ans,
		    char *why, size_t len)
{
	char ttl[16];
	const char *params[3] = { a->cluster, a->node, ttl };

	snprintf(ttl, sizeof(ttl), "%d", ttl_ms);
	return call(a, "SELECT " ANSWER_COLUMNS " FROM voip_ha.lease_acquire($1, $2, $3)", params,
		    3, timeout_ms, ans, why, len);
}

int arbiter_renew(struct arbiter *a, long long term, int ttl_ms, int timeout_ms,
		  struct arbiter_answer *ans, char *why, size_t len)
{
	char ttl[16], t[24];
	const char *params[4] = { a->cluster, a->node, t, ttl };

	snprintf(ttl, sizeof(ttl), "%d", ttl_ms);
	snprintf(t, sizeof(t), "%lld", term);
	return call(a, "SELECT " ANSWER_COLUMNS " FROM voip_ha.lease_renew($1, $2, $3, $4)", params,
		    4, timeout_ms, ans, why, len);
}

int arbiter_release(struct arbiter *a, long long term, int timeout_ms, struct arbiter_answer *ans,
		    char *why, size_t len)
{
	char t[24];
	const char *params[3] = { a->cluster, a->node, t };

	snprintf(t, sizeof(t), "%lld", term);
	return call(a, "SELECT " ANSWER_COLUMNS " FROM voip_ha.lease_release($1, $2, $3)", params,
		    3, timeout_ms, ans, why, len);
}

int arbiter_observe(struct arbiter *a, int timeout_ms, struct arbiter_answer *ans, char *why,
		    size_t len)
{
	const char *params[1] = { a->cluster };

	return call(a, "SELECT " ANSWER_COLUMNS " FROM voip_ha.lease_observe($1)", params, 1,
		    timeout_ms, ans, why, len);
}
