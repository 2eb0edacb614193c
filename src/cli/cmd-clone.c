/* voip-ha clone: make this node a streaming standby of its peer, the first
 * time (node2's install) or whenever the clone is still pending.
 *
 * pg_basebackup runs as postgres with an argv array and reads the password
 * from the 0600 passfile; primary_conninfo is written by us with passfile=
 * and no password (pg_basebackup -R would copy a password into
 * postgresql.auto.conf if the connection had one). The peer's slot is created
 * over the replication protocol when it is missing.
 *
 * Exit codes: 0 cloned or already a standby; 75 (EX_TEMPFAIL) peer not
 * reachable yet, the clone stays pending (voip-ha-clone.service retries);
 * 1 anything else. */
#include "cli/bringup.h"
#include "cli/cli.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_TEMPFAIL 75

static const char usage_text[] =
	"usage: voip-ha clone [--config FILE] [--no-start]\n"
	"Clone this node's PostgreSQL from the peer with pg_basebackup and start it as a\n"
	"streaming standby. Acts only while the clone is pending (" VOIPHA_CLONE_PENDING ").\n";

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

static int rm_rf(const char *path)
{
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : -errno;
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -errno : 0;
}

static bool path_exists(const char *dir, const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static int pg_ctlcluster(const struct node_ctx *ctx, const char *action)
{
	char ver[16];
	const char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };

	snprintf(ver, sizeof(ver), "%u", ctx->pg_major);
	{
		const char *argv[] = { "/usr/bin/pg_ctlcluster", ver, "main", action, "-m", "fast", NULL };
		const char *argv_start[] = { "/usr/bin/pg_ctlcluster", ver, "main", action, NULL };

		char out[512];

		/* stdout ("Cluster is not running.") is noise here; errors
		 * still reach stderr. */
		return run_as(strcmp(action, "stop") == 0 ? argv : argv_start, (uid_t)-1, (gid_t)-1,
			      envp, out, sizeof(out));
	}
}

static int do_clone(struct node_ctx *ctx, bool start)
{
	char conninfo[512], prog[300], old[300], err[512] = "";
	const char *envp[] = { "LC_ALL=C", NULL };
	PGconn *repl;
	int r;

	repl = pg_connect_peer_repl(ctx, 5);
	if (!repl || PQstatus(repl) != CONNECTION_OK) {
		cli_error("clone pending: %s (%s) is not reachable yet: %s", ctx->peer_name,
			  ctx->peer_addr, pg_errmsg(repl));
		PQfinish(repl);
		return EXIT_TEMPFAIL;
	}
	r = ensure_peer_slot(repl, ctx->local_slot, err, sizeof(err));
	PQfinish(repl);
	if (r < 0) {
		cli_error("clone pending: %s", err);
		return EXIT_TEMPFAIL;
	}

	/* The local cluster must be down while its data directory is replaced
	 * (exit 2: it was not running). */
	r = pg_ctlcluster(ctx, "stop");
	if (r != 0 && r != 2) {
		cli_error("cannot stop the local cluster %s (pg_ctlcluster exit %d)", ctx->instance, r);
		return EXIT_FAIL;
	}
	if (path_exists(ctx->datadir, "postmaster.pid")) {
		cli_error("the local cluster %s still runs (%s/postmaster.pid exists)", ctx->instance, ctx->datadir);
		return EXIT_FAIL;
	}
	snprintf(old, sizeof(old), "%s.voip-ha-old", ctx->datadir);
	if ((r = rm_rf(old)) < 0 || (access(ctx->datadir, F_OK) == 0 && rename(ctx->datadir, old) < 0)) {
		cli_error("cannot move '%s' aside: %s", ctx->datadir, strerror(r < 0 ? -r : errno));
		return EXIT_FAIL;
	}
	r = standby_conninfo(ctx, conninfo, sizeof(conninfo));
	snprintf(prog, sizeof(prog), "%s/pg_basebackup", ctx->bindir);
	cli_note("cloning from %s (%s) with pg_basebackup through slot %s", ctx->peer_name, ctx->peer_addr,
		 ctx->local_slot);
	if (r == 0) {
		const char *argv[] = { prog, "-D", ctx->datadir, "-d", conninfo, "-X", "stream",
				       "-S", ctx->local_slot, "-c", "fast", "-w", NULL };

		r = run_as(argv, ctx->pg_uid, ctx->pg_gid, envp, NULL, 0);
	}
	if (r != 0) {
		cli_error("pg_basebackup from %s failed (exit %d); the clone stays pending", ctx->peer_addr, r);
		rm_rf(ctx->datadir);
		if (access(old, F_OK) == 0 && rename(old, ctx->datadir) < 0)
			cli_error("cannot move '%s' back: %s", old, strerror(errno));
		return EXIT_TEMPFAIL;
	}
	r = make_standby_config(ctx);
	if (r < 0) {
		cli_error("cannot write the standby settings into '%s': %s", ctx->datadir, strerror(-r));
		return EXIT_FAIL;
	}
	if ((r = rm_rf(old)) < 0)
		cli_error("cannot remove '%s': %s (remove it by hand)", old, strerror(-r));
	if (unlink(VOIPHA_CLONE_PENDING) < 0 && errno != ENOENT) {
		cli_error("cannot remove '%s': %s", VOIPHA_CLONE_PENDING, strerror(errno));
		return EXIT_FAIL;
	}
	cli_note("cloned from %s; this node is now a standby streaming from %s", ctx->peer_name, ctx->peer_addr);
	if (start && systemd_running()) {
		r = pg_ctlcluster(ctx, "start");
		if (r != 0) {
			cli_error("cannot start the local cluster %s (pg_ctlcluster exit %d)", ctx->instance, r);
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

int cmd_clone(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "no-start", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG;
	struct node_ctx ctx;
	bool start = true;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:nh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'n': start = false; break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	r = write_repl_passfile(&ctx, NULL);
	if (r < 0) {
		cli_error("cannot write '%s': %s", VOIPHA_PASSFILE, strerror(-r));
		r = EXIT_FAIL;
	} else if (access(VOIPHA_CLONE_PENDING, F_OK) == 0) {
		r = do_clone(&ctx, start);
	} else if (path_exists(ctx.datadir, "standby.signal")) {
		cli_note("no clone pending: this node is already a standby of %s", ctx.peer_name);
		r = EXIT_OK;
	} else {
		/* Never overwrite a data directory that may hold the only copy
		 * of the data; rebuilding an old primary is `voip-ha rebuild`. */
		cli_error("no clone pending and '%s' is not a standby: refusing to overwrite it", ctx.datadir);
		r = EXIT_FAIL;
	}
	node_ctx_free(&ctx);
	return r;
}
