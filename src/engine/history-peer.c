/* The peer's failover history: see history-peer.h. */
#include "engine/history-peer.h"
#include "engine/pg-session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int history_fetch_peer(const struct node_ctx *ctx, int timeout_s, char **buf, size_t *len,
		       bool *from_middle, char *why, size_t whylen)
{
	PGconn *c;
	PGresult *res = NULL;
	long long size;
	size_t n;
	int r = -EIO;

	*buf = NULL;
	*len = 0;
	*from_middle = false;
	why[0] = '\0';
	c = pg_connect_peer_db(ctx, "postgres", timeout_s);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		snprintf(why, whylen, "%s", pg_errmsg(c));
		r = -EHOSTUNREACH;
		goto out;
	}
	/* Binary results: the tail's bytes as they are, the size as text. */
	res = PQexecParams(c,
			   "SELECT coalesce(file_size, 0)::text, tail FROM " HISTORY_PEER_SCHEMA
			   ".history_tail()",
			   0, NULL, NULL, NULL, NULL, 1);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 ||
	    PQnfields(res) != 2) {
		const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

		/* "function voip_ha.history_tail() does not exist": a peer
		 * that runs an older voip-ha. */
		snprintf(why, whylen, "%s", m ? m : res ? "unexpected answer" : pg_errmsg(c));
		why[strcspn(why, "\n")] = '\0';
		goto out;
	}
	n = PQgetisnull(res, 0, 1) ? 0 : (size_t)PQgetlength(res, 0, 1);
	*buf = malloc(n + 1);
	if (!*buf) {
		snprintf(why, whylen, "out of memory");
		r = -ENOMEM;
		goto out;
	}
	if (n)
		memcpy(*buf, PQgetvalue(res, 0, 1), n);
	(*buf)[n] = '\0';
	*len = n;
	size = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*from_middle = size > HISTORY_TAIL_BYTES;
	r = 0;
out:
	PQclear(res);
	PQfinish(c);
	return r;
}
