/* voip-ha pg-guard INSTANCE: ExecStartPre of postgresql@.service (drop-in
 * postgresql@.service.d/voip-ha.conf). Makes sure a node never comes up as a
 * second writable primary on its own, whatever the boot order:
 *
 *  - clone still pending (fresh cluster from pg_createcluster, never cloned):
 *    refuse to start; voip-ha-clone.service clones and starts it;
 *  - standby.signal present (the node was a standby): start, as a standby;
 *  - the node was a primary, and the peer answers with the same system id
 *    and a NEWER timeline (it was promoted meanwhile): write the standby
 *    settings, so it starts as a standby of the peer;
 *  - peer unreachable, or not newer: start as the primary it was.
 *
 * Only the configured cluster is guarded; other clusters and a node without
 * a (valid) cluster.conf are left alone (exit 0). */
#include "cli/bringup.h"
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: voip-ha pg-guard [--config FILE] INSTANCE\n"
	"Run before PostgreSQL starts (e.g. INSTANCE 15-main): never start as a second primary.\n";

/* Asks the peer for its system id and timeline; with want_slot, also makes
 * sure the slot this node would stream from exists there. */
static int peer_timeline(const struct node_ctx *ctx, unsigned *ret_tli, char *sysid, size_t len,
			 bool want_slot)
{
	PGconn *c = pg_connect_peer_repl(ctx, 3);
	char err[512];
	PGresult *res;
	int r = -EHOSTUNREACH;

	if (!c || PQstatus(c) != CONNECTION_OK)
		goto out;
	res = PQexec(c, "IDENTIFY_SYSTEM");
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && PQnfields(res) >= 2) {
		snprintf(sysid, len, "%s", PQgetvalue(res, 0, 0));
		*ret_tli = (unsigned)strtoul(PQgetvalue(res, 0, 1), NULL, 10);
		r = 0;
		if (want_slot && ensure_peer_slot(c, ctx->local_slot, err, sizeof(err)) < 0)
			cli_note("pg-guard: %s", err);
	} else {
		r = -EIO;
	}
	PQclear(res);
out:
	PQfinish(c);
	return r;
}

int cmd_pg_guard(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG, *instance;
	char sysid[32], peer_sysid[32], sig[512];
	unsigned tli, peer_tli;
	struct node_ctx ctx;
	int i = 1, r;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (argc >= 3 && strcmp(argv[1], "--config") == 0) {
		config = argv[2];
		i = 3;
	}
	if (argc != i + 1) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	instance = argv[i];
	if (access(config, F_OK) < 0)
		return EXIT_OK;
	if (node_ctx_load(config, &ctx) != 0) {
		cli_note("pg-guard: no usable cluster config; not guarding %s", instance);
		return EXIT_OK;
	}
	r = EXIT_OK;
	if (strcmp(instance, ctx.instance) != 0)
		goto out;
	if (access(VOIPHA_CLONE_PENDING, F_OK) == 0) {
		cli_error("pg-guard: %s has not been cloned from %s yet; not starting a fresh cluster "
			  "(voip-ha-clone.service clones and starts it)", instance, ctx.peer_name);
		r = EXIT_FAIL;
		goto out;
	}
	snprintf(sig, sizeof(sig), "%s/standby.signal", ctx.datadir);
	if (access(sig, F_OK) == 0)
		goto out;
	if (local_control_data(&ctx, &tli, sysid, sizeof(sysid)) < 0) {
		cli_note("pg-guard: cannot read the control data of %s; starting it unchanged", ctx.datadir);
		goto out;
	}
	if (peer_timeline(&ctx, &peer_tli, peer_sysid, sizeof(peer_sysid), false) < 0) {
		cli_note("pg-guard: %s not reachable; %s starts as the primary it was (timeline %u)",
			 ctx.peer_name, instance, tli);
		goto out;
	}
	if (strcmp(sysid, peer_sysid) != 0) {
		cli_note("pg-guard: %s holds a different database system; not changing %s", ctx.peer_name, instance);
		goto out;
	}
	if (peer_tli > tli) {
		/* Second round trip only on this rare path: the slot to stream from. */
		peer_timeline(&ctx, &peer_tli, peer_sysid, sizeof(peer_sysid), true);
		if (make_standby_config(&ctx) < 0) {
			cli_error("pg-guard: cannot write standby settings; refusing to start %s as a second primary",
				  instance);
			r = EXIT_FAIL;
			goto out;
		}
		cli_error("pg-guard: %s is on a newer timeline (%u > %u): %s starts as its standby "
			  "(if the histories diverged, `voip-ha rebuild` is needed)",
			  ctx.peer_name, peer_tli, tli, instance);
	}
out:
	node_ctx_free(&ctx);
	return r;
}
