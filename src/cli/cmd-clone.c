/* voip-ha clone: make this node a streaming standby of its peer, the first
 * time (node2's install) or whenever the clone is still pending.
 *
 * pg_basebackup runs as postgres with an argv array and reads the password
 * from the 0600 passfile; primary_conninfo is written by us with passfile=
 * and no password (pg_basebackup -R would copy a password into
 * postgresql.auto.conf if the connection had one). The peer's slot is created
 * over the replication protocol when it is missing. A data directory that
 * is already there (Debian's default cluster, say) is kept aside, even
 * when it is its own mount point (standby-copy.h, datadir.h).
 *
 * Exit codes: 0 cloned or already a standby; 75 (EX_TEMPFAIL) peer not
 * reachable yet, the clone stays pending (voip-ha-clone.service retries);
 * 1 anything else. */
#include "cli/args.h"
#include "engine/boot.h"
#include "engine/pg-session.h"
#include "engine/standby-setup.h"
#include "cli/cli.h"
#include "engine/datadir.h"
#include "engine/pgctl.h"
#include "engine/standby-copy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_TEMPFAIL 75

static const char usage_text[] =
	"usage: voip-ha clone [--config FILE] [--no-start]\n"
	"Clone this node's PostgreSQL from the peer with pg_basebackup and start it as a\n"
	"streaming standby. Acts only while the clone is pending (" VOIPHA_CLONE_PENDING ").\n";

static int do_clone(struct node_ctx *ctx, bool start)
{
	char err[512] = "";
	PGconn *repl;
	int r;

	repl = pg_connect_peer_repl(ctx, 5);
	if (!repl || PQstatus(repl) != CONNECTION_OK) {
		cli_error("clone pending: %s (%s) is not reachable yet: %s", ctx->peer_name,
			  ctx->peer_addr, pg_errmsg(repl));
		PQfinish(repl);
		return EXIT_TEMPFAIL;
	}
	PQfinish(repl);

	/* The local cluster must be down while its data directory is replaced. */
	r = pg_local_stop(ctx);
	if (r != 0 || pg_local_running(ctx)) {
		cli_error("cannot stop the local cluster %s (%d)", ctx->instance, r);
		return EXIT_FAIL;
	}
	r = basebackup_standby(ctx, err, sizeof(err));
	if (r == -EHOSTUNREACH || r == -EIO) {
		cli_error("clone pending: %s; the clone stays pending", err);
		return EXIT_TEMPFAIL;
	}
	if (r < 0) {
		cli_error("clone: %s", err);
		return EXIT_FAIL;
	}
	if ((r = datadir_prune(ctx, err, sizeof(err))) < 0)
		cli_error("%s (remove it by hand)", err);
	if (unlink(VOIPHA_CLONE_PENDING) < 0 && errno != ENOENT) {
		cli_error("cannot remove '%s': %s", VOIPHA_CLONE_PENDING, strerror(errno));
		return EXIT_FAIL;
	}
	cli_note("cloned from %s; this node is now a standby streaming from %s", ctx->peer_name,
		 ctx->peer_addr);
	if (start && systemd_running()) {
		r = pg_local_start(ctx);
		if (r != 0) {
			cli_error("cannot start the local cluster %s (%d)", ctx->instance, r);
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

int cmd_clone(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	struct node_ctx ctx;
	bool no_start = false;
	int r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ "no-start", 'n', NULL, &no_start },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	r = write_repl_passfile(&ctx, NULL);
	if (r < 0) {
		cli_error("cannot write '%s': %s", VOIPHA_PASSFILE, strerror(-r));
		r = EXIT_FAIL;
	} else if (access(VOIPHA_CLONE_PENDING, F_OK) == 0) {
		r = do_clone(&ctx, !no_start);
	} else if (pg_local_is_standby_dir(&ctx)) {
		cli_note("no clone pending: this node is already a standby of %s", ctx.peer_name);
		r = EXIT_OK;
	} else {
		/* Never overwrite a data directory that may hold the only copy
		 * of the data; rebuilding an old primary is `voip-ha rebuild`. */
		cli_error("no clone pending and '%s' is not a standby: refusing to overwrite it",
			  ctx.datadir);
		r = EXIT_FAIL;
	}
	node_ctx_free(&ctx);
	return r;
}
