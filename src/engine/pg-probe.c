/* What a server says about itself: see pg-probe.h. */
#include "engine/pg-probe.h"
#include "engine/pg-session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int pg_probe(const struct node_ctx *ctx, const char *host, int timeout_s, struct pg_probe *out)
{
	PGconn *c = pg_connect_repl(ctx, host, timeout_s);
	PGresult *res;
	int r = -EHOSTUNREACH;

	memset(out, 0, sizeof(*out));
	if (!c || PQstatus(c) != CONNECTION_OK) {
		snprintf(out->error, sizeof(out->error), "%s", pg_errmsg(c));
		goto out;
	}
	out->reachable = true;
	r = -EIO;
	res = PQexec(c, "IDENTIFY_SYSTEM");
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    PQnfields(res) >= 3) {
		snprintf(out->sysid, sizeof(out->sysid), "%s", PQgetvalue(res, 0, 0));
		out->timeline = (unsigned)strtoul(PQgetvalue(res, 0, 1), NULL, 10);
		snprintf(out->lsn, sizeof(out->lsn), "%s", PQgetvalue(res, 0, 2));
		r = 0;
	}
	PQclear(res);
	/* in_hot_standby (PG 14+) is "off" only on a server not in recovery;
	 * cluster_name says which node answers (through the VIP). */
	res = PQexec(c, "SHOW in_hot_standby");
	if (r == 0 && res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		out->primary = strcmp(PQgetvalue(res, 0, 0), "off") == 0;
	else
		r = -EIO;
	PQclear(res);
	res = PQexec(c, "SHOW cluster_name");
	if (r == 0 && res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		snprintf(out->cluster_name, sizeof(out->cluster_name), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (r < 0)
		snprintf(out->error, sizeof(out->error), "%s", pg_errmsg(c));
out:
	PQfinish(c);
	return r;
}

bool probe_is_node(const struct pg_probe *p, const char *node)
{
	return strncmp(p->cluster_name, "voip-ha-", 8) == 0 &&
	       strcmp(p->cluster_name + 8, node) == 0;
}

int peer_is_live_primary(const struct node_ctx *ctx)
{
	PGconn *c = pg_connect_peer_repl(ctx, 3);
	PGresult *res;
	int r = 0;

	if (!c || PQstatus(c) != CONNECTION_OK)
		goto out;
	/* SHOW works on a replication connection; in_hot_standby (PG 14+)
	 * is "off" only on a server that is not in recovery. */
	res = PQexec(c, "SHOW in_hot_standby");
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		r = strcmp(PQgetvalue(res, 0, 0), "off") == 0;
	PQclear(res);
out:
	PQfinish(c);
	return r;
}
