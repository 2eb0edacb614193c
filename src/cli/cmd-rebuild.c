/* voip-ha rebuild: make this node a streaming standby of its peer, which
 * must be a live primary. pg_rewind first (only what diverged is copied),
 * a full pg_basebackup through the slot when the rewind fails (or with
 * --basebackup); the old data directory is kept aside until the new
 * standby streams (datadir.h). Services are stopped and started in order:
 * PostgreSQL stops first, starts again as a standby (pg-guard lets a
 * standby start), and a keepalived that failed to start meanwhile is
 * started again.
 *
 * Refuses (exit 1, nothing changed) to rebuild the only primary (the peer
 * is not a primary), from a peer that is unreachable, or on the node that
 * holds the VIP.
 *
 * --auto is what voip-ha-rebuild.service runs after a fence or a refused
 * start: it waits for the peer to become a primary (the peer's promotion
 * takes seconds) and rebuilds then. If instead the peer stays a standby of
 * this node's history for UNFENCE_AFTER seconds (nobody took over: its
 * keepalived is down, say) the fence is lifted and the local PostgreSQL
 * starts as the primary it was, so a pair is never left without one. */
#include "cli/args.h"
#include "engine/controldata.h"
#include "engine/pg-probe.h"
#include "engine/standby-setup.h"
#include "lib/sockaddr.h"
#include "cli/cli.h"
#include "engine/datadir.h"
#include "engine/failover.h"
#include "engine/history.h"
#include "engine/pgctl.h"
#include "engine/standby-copy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define EXIT_TEMPFAIL 75
#define UNFENCE_AFTER 60
#define STREAM_WAIT 45

static const char usage_text[] =
	"usage: voip-ha rebuild [--config FILE] [--basebackup] [--auto]\n"
	"Make this node a streaming standby of the peer, which must be the primary:\n"
	"pg_rewind, or pg_basebackup when the rewind fails (--basebackup: at once).\n"
	"--auto: wait for the peer to become the primary first (voip-ha-rebuild.service).\n";

/* The peer must be a live primary of the same database system. Returns 0,
 * or EXIT_TEMPFAIL (unreachable, or not a primary yet) / EXIT_FAIL with
 * the reason in why. */
static int peer_ready(const struct node_ctx *ctx, struct pg_probe *peer, char *why, size_t len)
{
	if (pg_probe(ctx, ctx->peer_addr, 3, peer) != 0) {
		snprintf(why, len, "%s (%s) is unreachable: %s", ctx->peer_name, ctx->peer_addr,
			 peer->error);
		return EXIT_TEMPFAIL;
	}
	if (!peer->primary) {
		snprintf(why, len, "%s is not a primary (it is a standby): nothing to rebuild from",
			 ctx->peer_name);
		return EXIT_TEMPFAIL;
	}
	return 0;
}

static int rebuild(const struct node_ctx *ctx, bool basebackup_only)
{
	struct pg_probe peer;
	char why[600], err[600] = "", sysid[32];
	unsigned tli;
	const char *how = "pg_rewind";
	int r;

	r = peer_ready(ctx, &peer, why, sizeof(why));
	if (r != 0 && peer.reachable && pg_local_role(2) == PG_PRIMARY) {
		cli_error("rebuild refused: this node is the only primary (%s is a standby); "
			  "rebuilding it would leave the pair without one",
			  ctx->peer_name);
		return r;
	}
	if (r != 0) {
		cli_error("rebuild refused: %s", why);
		return r;
	}
	if (address_is_local(ctx->vip)) {
		cli_error(
			"rebuild refused: this node holds the VIP %s; a rebuild would leave it without a "
			"primary (stop keepalived here first, or run voip-ha switchover)",
			ctx->vip);
		return EXIT_FAIL;
	}
	history_add("rebuild", "started", "from %s (timeline %u)", ctx->peer_name, peer.timeline);
	syslog(LOG_WARNING, "rebuild: making this node a standby of %s", ctx->peer_name);
	/* Whatever happens next, the local cluster must not come back as a
	 * primary on its own. */
	if (access(VOIPHA_FENCED, F_OK) < 0 && fence_mark("rebuild in progress") < 0) {
		cli_error("rebuild: cannot write '%s'; nothing changed", VOIPHA_FENCED);
		return EXIT_FAIL;
	}
	r = pg_local_stop(ctx);
	if (r != 0) {
		cli_error("rebuild: cannot stop the local cluster %s (%d)", ctx->instance, r);
		history_add("rebuild", "failed", "cannot stop the local PostgreSQL");
		return EXIT_FAIL;
	}
	if (local_control_data(ctx, &tli, sysid, sizeof(sysid)) == 0 &&
	    strcmp(sysid, peer.sysid) != 0) {
		cli_note("rebuild: %s holds another database system: a full copy is needed",
			 ctx->peer_name);
		basebackup_only = true;
	}
	/* pg_rewind first; the proof is a standby that streams. Anything
	 * less (the copy fails, the server does not start or stream: a
	 * history pg_rewind misjudged) falls back to a full copy. */
	for (int attempt = basebackup_only ? 1 : 0; attempt < 2; attempt++) {
		how = attempt == 0 ? "pg_rewind" : "pg_basebackup";
		r = attempt == 0 ? rewind_standby(ctx, err, sizeof(err)) :
				   basebackup_standby(ctx, err, sizeof(err));
		if (r != 0) {
			cli_error("rebuild: %s%s", err,
				  attempt == 0 ? "; falling back to pg_basebackup" : "");
			continue;
		}
		r = pg_local_start_nowait(ctx);
		if (r == 0 && pg_wait_streaming(STREAM_WAIT) == 0)
			break;
		cli_error("rebuild: after %s the standby does not stream from %s within %d s%s",
			  how, ctx->peer_name, STREAM_WAIT,
			  attempt == 0 ? "; falling back to pg_basebackup" : "");
		pg_local_stop(ctx);
		r = -ETIMEDOUT;
	}
	if (r != 0) {
		history_add("rebuild", "failed", "%s", err[0] ? err : "the standby did not stream");
		return EXIT_FAIL;
	}
	/* Proven good: older kept copies may go now (the newest stays). */
	if (datadir_prune(ctx, err, sizeof(err)) < 0)
		cli_error("rebuild: %s", err);
	if (unlink(VOIPHA_FENCED) < 0 && errno != ENOENT)
		cli_error("rebuild: cannot remove '%s': %s", VOIPHA_FENCED, strerror(errno));
	cli_note("rebuild: this node is a standby streaming from %s (%s)", ctx->peer_name, how);
	syslog(LOG_WARNING, "rebuild: done by %s; streaming from %s", how, ctx->peer_name);
	history_add("rebuild", "ok", "%s from %s", how, ctx->peer_name);
	restart_failed_units("rebuild");
	return EXIT_OK;
}

/* Nobody took over for UNFENCE_AFTER seconds: the peer is a standby that
 * has not gone past this node's data. Start the local cluster as the
 * primary it was. */
static bool lift_fence_if_nobody_took_over(const struct node_ctx *ctx, time_t *standby_since)
{
	struct pg_probe peer;
	unsigned tli;
	char sysid[32];

	if (pg_probe(ctx, ctx->peer_addr, 3, &peer) != 0 || peer.primary) {
		*standby_since = 0;
		return false;
	}
	if (local_control_data(ctx, &tli, sysid, sizeof(sysid)) < 0 ||
	    strcmp(sysid, peer.sysid) != 0 || peer.timeline > tli) {
		*standby_since = 0;
		return false;
	}
	if (*standby_since == 0)
		*standby_since = time(NULL);
	if (time(NULL) - *standby_since < UNFENCE_AFTER)
		return false;
	syslog(LOG_WARNING,
	       "rebuild: %s stayed a standby for %d s and nobody took over: lifting the fence",
	       ctx->peer_name, UNFENCE_AFTER);
	history_add("fence", "lifted", "%s did not take over in %d s", ctx->peer_name,
		    UNFENCE_AFTER);
	if (unlink(VOIPHA_FENCED) < 0 && errno != ENOENT)
		return false;
	if (pg_local_start(ctx) != 0)
		cli_error("rebuild: cannot start the local cluster again");
	restart_failed_units("rebuild");
	return true;
}

static int rebuild_auto(const struct node_ctx *ctx)
{
	struct pg_probe peer;
	time_t standby_since = 0;
	char why[600];
	int r;

	for (;;) {
		enum pg_role local = pg_local_role(2);

		if (local == PG_STANDBY && access(VOIPHA_FENCED, F_OK) < 0) {
			cli_note("rebuild: the local PostgreSQL is already a standby");
			return EXIT_OK;
		}
		if (peer_ready(ctx, &peer, why, sizeof(why)) == 0 && !address_is_local(ctx->vip))
			break;
		if (access(VOIPHA_FENCED, F_OK) == 0 &&
		    lift_fence_if_nobody_took_over(ctx, &standby_since))
			return EXIT_OK;
		sleep(2);
	}
	r = rebuild(ctx, false);
	return r;
}

int cmd_rebuild(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	bool basebackup = false, automatic = false;
	struct node_ctx ctx;
	int r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ "basebackup", 'b', NULL, &basebackup },
		{ "auto", 'a', NULL, &automatic },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	openlog("voip-ha-rebuild", LOG_PID, LOG_DAEMON);
	r = write_repl_passfile(&ctx, NULL);
	if (r < 0) {
		cli_error("cannot write '%s': %s", VOIPHA_PASSFILE, strerror(-r));
		r = EXIT_FAIL;
	} else if (automatic) {
		r = rebuild_auto(&ctx);
	} else {
		r = rebuild(&ctx, basebackup);
		if (r == EXIT_TEMPFAIL)
			r = EXIT_FAIL;
	}
	node_ctx_free(&ctx);
	return r;
}
