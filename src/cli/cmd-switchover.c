/* voip-ha switchover: planned role swap for maintenance, run on the node
 * that holds the VIP (the primary). No acknowledged write is lost: the
 * local PostgreSQL stops with a fast shutdown, which sends every WAL
 * record to the connected standby before it completes, and the peer only
 * promotes once this node is no longer a primary.
 *
 *   1. refuse unless this node is the primary and holds the VIP, and the
 *      peer streams with at most --max-lag bytes not yet replayed;
 *   2. stop PostgreSQL (fenced: it may only come back as a standby), then
 *      keepalived: the VIP moves at once (priority 0 advert) and the
 *      peer's notify MASTER promotes it;
 *   3. wait until the peer is a primary and holds the VIP;
 *   4. rebuild this node as its standby (a clean shutdown needs no rewind
 *      of data, only the timeline switch) and start keepalived again.
 * Run it again on the other node to swap back. */
#include "cli/args.h"
#include "engine/pg-probe.h"
#include "engine/pg-session.h"
#include "engine/run-as.h"
#include "lib/sockaddr.h"
#include "cli/cli.h"
#include "engine/failover.h"
#include "engine/history.h"
#include "engine/pgctl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PROMOTE_WAIT 60

static const char usage_text[] =
	"usage: voip-ha switchover [--config FILE] [--max-lag BYTES]\n"
	"Planned swap: the standby becomes the primary and this node its standby, with no\n"
	"write lost. Run on the node that holds the VIP. Refused when the standby is not\n"
	"streaming or more than --max-lag bytes behind (default 16777216).\n";

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The peer's replication row on this primary: streaming, and how many
 * bytes it has not replayed. */
static int standby_lag(const struct node_ctx *ctx, long long *lag, char *why, size_t len)
{
	PGconn *c = pg_connect_local("postgres", 3);
	char v[64], err[256];
	int r;

	if (!c || PQstatus(c) != CONNECTION_OK) {
		snprintf(why, len, "the local PostgreSQL does not answer: %s", pg_errmsg(c));
		PQfinish(c);
		return -EIO;
	}
	r = pg_query_value(
		c,
		"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint::text "
		"FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'",
		ctx->peer_name, v, sizeof(v), err, sizeof(err));
	PQfinish(c);
	if (r == -ENOENT) {
		snprintf(why, len, "%s is not streaming from this node", ctx->peer_name);
		return r;
	}
	if (r < 0) {
		snprintf(why, len, "%s", err);
		return r;
	}
	*lag = strtoll(v, NULL, 10);
	return 0;
}

/* Tells the peer, through the data it replicates (synchronously: it is on
 * its disk before this returns), that what comes is a planned switchover:
 * the node it promotes records it as one (notify MASTER), not as a
 * failover. Only a record: a failure is noted and the switchover goes on. */
static void record_handover(const struct node_ctx *ctx)
{
	PGconn *c = pg_connect_local(VOIPHA_DB, 3);
	char err[256], v[8];

	if (!c || PQstatus(c) != CONNECTION_OK || pg_exec(c, "BEGIN", err, sizeof(err)) < 0 ||
	    pg_exec(c, "SET LOCAL synchronous_commit = on", err, sizeof(err)) < 0 ||
	    pg_query_value(c,
			   "INSERT INTO voip.ha_event (node, event) VALUES ($1, 'switchover') "
			   "RETURNING 'ok'",
			   ctx->local_name, v, sizeof(v), err, sizeof(err)) < 0 ||
	    pg_exec(c, "COMMIT", err, sizeof(err)) < 0)
		cli_note("switchover: the handover is not recorded for %s (%s): it will call "
			 "its promotion a failover",
			 ctx->peer_name, c && PQstatus(c) == CONNECTION_OK ? err : pg_errmsg(c));
	PQfinish(c);
}

int cmd_switchover(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG, *max_lag_arg = NULL;
	unsigned long long max_lag = 16ULL * 1024 * 1024;
	long long lag = 0;
	struct node_ctx ctx;
	struct pg_probe peer;
	char why[512];
	const char *rebuild_argv[] = { "/usr/sbin/voip-ha", "rebuild", "--config", NULL, NULL };
	const char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
	long t0, t_promoted;
	int r = EXIT_FAIL;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ "max-lag", 'l', &max_lag_arg, NULL },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (max_lag_arg && (r = cli_number_arg("max-lag", max_lag_arg, 0, LLONG_MAX,
					       "a number of bytes", &max_lag)) >= 0)
		return r;
	r = EXIT_FAIL;
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	openlog("voip-ha-switchover", LOG_PID, LOG_DAEMON);
	if (pg_local_role(3) != PG_PRIMARY) {
		cli_error(
			"switchover refused: this node's PostgreSQL is not the primary; run it on %s",
			ctx.peer_name);
		goto out;
	}
	if (!address_is_local(ctx.vip)) {
		cli_error("switchover refused: this node does not hold the VIP %s", ctx.vip);
		goto out;
	}
	if (pg_probe(&ctx, ctx.peer_addr, 3, &peer) != 0) {
		cli_error("switchover refused: %s (%s) is unreachable: %s", ctx.peer_name,
			  ctx.peer_addr, peer.error);
		goto out;
	}
	if (standby_lag(&ctx, &lag, why, sizeof(why)) < 0) {
		cli_error("switchover refused: %s", why);
		goto out;
	}
	if (lag > (long long)max_lag) {
		cli_error(
			"switchover refused: %s is %lld bytes behind (more than %lld); wait for it to catch up",
			ctx.peer_name, lag, (long long)max_lag);
		goto out;
	}
	cli_note("switchover: %s -> %s (standby %lld bytes behind)", ctx.local_name, ctx.peer_name,
		 lag);
	history_add("switchover", "started", "%s -> %s", ctx.local_name, ctx.peer_name);
	record_handover(&ctx);
	t0 = now_ms();
	/* Writes stop here; the fence marker keeps PostgreSQL from coming
	 * back as a primary. The rebuild unit is not wanted: this command
	 * rejoins the node itself. */
	if ((r = fence_mark("switchover")) < 0) {
		cli_error("switchover: cannot write '%s': %s", VOIPHA_FENCED, strerror(-r));
		r = EXIT_FAIL;
		goto out;
	}
	if (pg_local_stop(&ctx) != 0) {
		cli_error("switchover: cannot stop the local PostgreSQL; nothing else changed");
		unlink(VOIPHA_FENCED);
		pg_local_start(&ctx);
		goto out;
	}
	/* The peer's notify MASTER takes the leadership at once. */
	lease_give_back(&ctx);
	r = systemctl("stop", "keepalived.service", false);
	if (r != 0)
		cli_error("switchover: stopping keepalived failed (%d)", r);
	for (;;) {
		if (pg_probe(&ctx, ctx.peer_addr, 1, &peer) == 0 && peer.primary)
			break;
		if (now_ms() - t0 > PROMOTE_WAIT * 1000L) {
			cli_error("switchover: %s did not become the primary within %d s; "
				  "voip-ha-rebuild.service takes over from here",
				  ctx.peer_name, PROMOTE_WAIT);
			history_add("switchover", "failed", "%s not promoted", ctx.peer_name);
			systemctl("start", VOIPHA_REBUILD_UNIT, true);
			systemctl("start", "keepalived.service", true);
			r = EXIT_FAIL;
			goto out;
		}
		usleep(100 * 1000);
	}
	t_promoted = now_ms();
	cli_note("switchover: %s is the primary (writes were unavailable for %ld ms)",
		 ctx.peer_name, t_promoted - t0);
	rebuild_argv[3] = config;
	r = run_as(rebuild_argv, (uid_t)-1, (gid_t)-1, envp, NULL, 0);
	if (systemctl("start", "keepalived.service", false) != 0)
		cli_error("switchover: cannot start keepalived again");
	if (r != 0) {
		cli_error(
			"switchover: rebuilding this node as a standby failed; voip-ha-rebuild.service retries");
		history_add("switchover", "failed", "rejoin of %s failed", ctx.local_name);
		systemctl("start", VOIPHA_REBUILD_UNIT, true);
		r = EXIT_FAIL;
		goto out;
	}
	history_add("switchover", "ok", "%s -> %s, writes unavailable %ld ms", ctx.local_name,
		    ctx.peer_name, t_promoted - t0);
	cli_note("switchover: done; %s is the primary, %s its standby", ctx.peer_name,
		 ctx.local_name);
	r = EXIT_OK;
out:
	node_ctx_free(&ctx);
	return r;
}
