/* voip-ha-witness status: each lease as the witness sees it (holder, term,
 * remaining time, last renewal, in the witness's clock) and the node
 * addresses pg_hba.conf lets in. Read-only. */
#include "witness/pgtext.h"
#include "witness/witness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool configured(const struct witness_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->npairs; i++)
		if (strcmp(cfg->pairs[i].name, name) == 0)
			return true;
	return false;
}

int witness_status(const char *config)
{
	struct witness_config cfg;
	struct pg_cluster pc;
	PGconn *c = NULL;
	PGresult *res = NULL;
	int ret = W_EXIT_FAIL, i;
	size_t k;

	if (wconfig_load_report(config, &cfg) != 0)
		return W_EXIT_FAIL;
	if (find_pg_cluster(&cfg, &pc) != 0)
		goto out;
	c = connect_local(&pc, WITNESS_DB);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		werr("cannot connect to database %s of PostgreSQL %s/%s: %s(has setup run?)",
		     WITNESS_DB, pc.version, pc.name, c ? PQerrorMessage(c) : "out of memory ");
		goto out;
	}
	printf("witness: PostgreSQL %s/%s, port %s\n", pc.version, pc.name, pc.port);
	res = PQexec(c, "SELECT l.cluster, a.holder, a.term, a.remaining_ms, a.renewed_ago_ms "
			"FROM voip_ha.lease l, voip_ha.lease_observe(l.cluster) a "
			"ORDER BY l.cluster");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		werr("cannot read the leases: %s", PQerrorMessage(c));
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0), *holder = PQgetvalue(res, i, 1);
		long long rem = atoll(PQgetvalue(res, i, 3)), ago = atoll(PQgetvalue(res, i, 4));

		printf("cluster %s: ", name);
		if (!*holder)
			printf("no holder");
		else if (rem > 0)
			printf("held by %s, %lld ms left", holder, rem);
		else
			printf("%s's lease expired %lld ms ago", holder, -rem);
		printf(", term %s", PQgetvalue(res, i, 2));
		if (ago >= 0)
			printf(", last renewal %lld ms ago", ago);
		else
			printf(", never renewed");
		printf("%s\n", configured(&cfg, name) ? "" : " (not in witness.conf: kept)");
	}
	for (k = 0; k < cfg.npairs; k++) {
		for (i = 0; i < PQntuples(res) && strcmp(PQgetvalue(res, i, 0), cfg.pairs[k].name);
		     i++)
			;
		if (i == PQntuples(res))
			printf("cluster %s: no lease row yet (run setup)\n", cfg.pairs[k].name);
	}
	PQclear(res);
	res = PQexec(c, "SELECT coalesce(string_agg(host(address::inet), ' ' ORDER BY "
			"line_number), '') FROM pg_hba_file_rules WHERE type = 'hostssl' AND "
			"database = '{" WITNESS_DB "}' AND user_name = '{" WITNESS_ROLE "}' AND "
			"auth_method = 'scram-sha-256' AND error IS NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		werr("cannot read pg_hba_file_rules: %s", PQerrorMessage(c));
		goto out;
	}
	printf("nodes let in (pg_hba.conf, hostssl, scram-sha-256): %s\n",
	       *PQgetvalue(res, 0, 0) ? PQgetvalue(res, 0, 0) : "none");
	ret = W_EXIT_OK;
out:
	PQclear(res);
	if (c)
		PQfinish(c);
	wconfig_free(&cfg);
	return ret;
}
