/* voip-ha pg-guard INSTANCE: ExecStartPre of postgresql@.service (drop-in
 * postgresql@.service.d/voip-ha.conf). Makes sure a node never comes up as a
 * second writable primary on its own, whatever the boot order:
 *
 *  - clone still pending (fresh cluster from pg_createcluster, never cloned):
 *    refuse to start; voip-ha-clone.service clones and starts it;
 *  - standby.signal present (the node was a standby): start, as a standby;
 *  - `voip-ha restore` runs (its marker) and the data directory waits for
 *    its point-in-time recovery (recovery.signal): start; it promotes on a
 *    timeline newer than the peer's, which then rebuilds from it;
 *  - fenced (voip-ha notify/fence stopped it as a primary that gave up the
 *    VIP): refuse; voip-ha-rebuild.service makes it a standby first;
 *  - the node was a primary, and the peer answers with the same system id
 *    as a live primary or on a NEWER timeline (it was promoted meanwhile):
 *    refuse and start voip-ha-rebuild.service, which rewinds this node
 *    (its last writes may have diverged) and starts it as a standby;
 *  - peer unreachable, or a standby not newer: start as the primary it was.
 *
 * Only the configured cluster is guarded; other clusters and a node without
 * a (valid) cluster.conf are left alone (exit 0). */
#include "engine/controldata.h"
#include "engine/pg-probe.h"
#include "engine/pg-session.h"
#include "cli/cli.h"
#include "engine/failover.h"
#include "engine/pgctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: voip-ha pg-guard [--config FILE] INSTANCE\n"
	"Run before PostgreSQL starts (e.g. INSTANCE 15-main): never start as a second primary.\n";

/* Asks the peer for its system id and timeline. */
static int peer_timeline(const struct node_ctx *ctx, unsigned *ret_tli, char *sysid, size_t len)
{
	PGconn *c = pg_connect_peer_repl(ctx, 3);
	PGresult *res;
	int r = -EHOSTUNREACH;

	if (!c || PQstatus(c) != CONNECTION_OK)
		goto out;
	res = PQexec(c, "IDENTIFY_SYSTEM");
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    PQnfields(res) >= 2) {
		snprintf(sysid, len, "%s", PQgetvalue(res, 0, 0));
		*ret_tli = (unsigned)strtoul(PQgetvalue(res, 0, 1), NULL, 10);
		r = 0;
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
	char sysid[32], peer_sysid[32];
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
		cli_error(
			"pg-guard: %s has not been cloned from %s yet; not starting a fresh cluster "
			"(voip-ha-clone.service clones and starts it)",
			instance, ctx.peer_name);
		r = EXIT_FAIL;
		goto out;
	}
	if (pg_local_is_standby_dir(&ctx))
		goto out;
	if (access(VOIPHA_RESTORING, F_OK) == 0 && pg_local_is_recovery_dir(&ctx)) {
		cli_note("pg-guard: %s starts for the point-in-time recovery of voip-ha restore "
			 "(%s)",
			 instance, VOIPHA_RESTORING);
		goto out;
	}
	if (access(VOIPHA_FENCED, F_OK) == 0) {
		cli_error("pg-guard: %s is fenced (%s): it starts again only as a standby, "
			  "once voip-ha-rebuild.service has made it one",
			  instance, VOIPHA_FENCED);
		systemctl("start", VOIPHA_REBUILD_UNIT, true);
		r = EXIT_FAIL;
		goto out;
	}
	if (local_control_data(&ctx, &tli, sysid, sizeof(sysid)) < 0) {
		cli_note("pg-guard: cannot read the control data of %s; starting it unchanged",
			 ctx.datadir);
		goto out;
	}
	if (peer_timeline(&ctx, &peer_tli, peer_sysid, sizeof(peer_sysid)) < 0) {
		cli_note(
			"pg-guard: %s not reachable; %s starts as the primary it was (timeline %u)",
			ctx.peer_name, instance, tli);
		goto out;
	}
	if (strcmp(sysid, peer_sysid) != 0) {
		cli_note("pg-guard: %s holds a different database system; not changing %s",
			 ctx.peer_name, instance);
		goto out;
	}
	if (peer_tli > tli || peer_is_live_primary(&ctx)) {
		char why[200];

		snprintf(why, sizeof(why), "%s is the primary now (timeline %u, this node %u)",
			 ctx.peer_name, peer_tli, tli);
		if (fence_mark(why) < 0) {
			cli_error(
				"pg-guard: cannot write %s; refusing to start %s as a second primary",
				VOIPHA_FENCED, instance);
		} else {
			cli_error("pg-guard: %s: %s rejoins it as a standby through %s (pg_rewind)",
				  why, instance, VOIPHA_REBUILD_UNIT);
			systemctl("start", VOIPHA_REBUILD_UNIT, true);
		}
		r = EXIT_FAIL;
	}
out:
	node_ctx_free(&ctx);
	return r;
}
