/* Turning the local data directory into a standby: see standby-copy.h. */
#include "engine/standby-copy.h"
#include "engine/pg-session.h"
#include "engine/run-as.h"
#include "engine/standby-setup.h"
#include "cli/cli.h"
#include "engine/datadir.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int ensure_slot_on_peer(const struct node_ctx *ctx, char *err, size_t errlen)
{
	PGconn *repl = pg_connect_peer_repl(ctx, 5);
	int r;

	if (!repl || PQstatus(repl) != CONNECTION_OK) {
		snprintf(err, errlen, "%s (%s) is not reachable: %s", ctx->peer_name,
			 ctx->peer_addr, pg_errmsg(repl));
		PQfinish(repl);
		return -EHOSTUNREACH;
	}
	r = ensure_peer_slot(repl, ctx->local_slot, err, errlen);
	PQfinish(repl);
	return r;
}

int rewind_standby(const struct node_ctx *ctx, char *err, size_t errlen)
{
	char prog[300], source[512], conf[300];
	const char *envp[] = { "LC_ALL=C", NULL };
	int r;

	r = ensure_slot_on_peer(ctx, err, errlen);
	if (r < 0)
		return r;
	/* A normal connection as replicator to database postgres: provision
	 * grants it the file functions pg_rewind reads through. */
	snprintf(
		source, sizeof(source),
		"host=%s port=%s user=%s passfile=%s dbname=postgres connect_timeout=5 application_name=%s-rewind",
		ctx->peer_addr, VOIPHA_PG_PORT, VOIPHA_REPL_USER, VOIPHA_PASSFILE, ctx->local_name);
	/* pg_rewind takes the source's timeline from its last checkpoint; a
	 * peer promoted a moment ago has not written one on its new timeline
	 * yet, and pg_rewind would see no divergence where there is one. */
	{
		const char *keys[] = { "dbname", NULL };
		const char *vals[] = { source, NULL };
		PGconn *c = PQconnectdbParams(keys, vals, 1);

		if (!c || PQstatus(c) != CONNECTION_OK ||
		    pg_exec(c, "CHECKPOINT", err, errlen) < 0) {
			if (!err[0] || !c || PQstatus(c) != CONNECTION_OK)
				snprintf(err, errlen, "%s", pg_errmsg(c));
			PQfinish(c);
			return -EIO;
		}
		PQfinish(c);
	}
	snprintf(prog, sizeof(prog), "%s/pg_rewind", ctx->bindir);
	/* Debian keeps postgresql.conf out of the data directory: crash
	 * recovery run by pg_rewind needs to be told where it is. */
	snprintf(conf, sizeof(conf), "/etc/postgresql/%u/main/postgresql.conf", ctx->pg_major);
	{
		const char *argv[] = { prog,         "-D",
				       ctx->datadir, "--source-server",
				       source,       "--config-file",
				       conf,         "--progress",
				       NULL };

		cli_note("rebuild: pg_rewind from %s (%s)", ctx->peer_name, ctx->peer_addr);
		r = run_as(argv, ctx->pg_uid, ctx->pg_gid, envp, NULL, 0);
	}
	if (r != 0) {
		snprintf(err, errlen, "pg_rewind from %s failed (exit %d)", ctx->peer_addr, r);
		return r < 0 ? r : -EIO;
	}
	r = make_standby_config(ctx);
	if (r < 0)
		snprintf(err, errlen, "cannot write the standby settings into '%s': %s",
			 ctx->datadir, strerror(-r));
	return r;
}

int basebackup_standby(const struct node_ctx *ctx, char *err, size_t errlen)
{
	struct datadir_swap sw;
	char conninfo[512], prog[300], e2[512] = "";
	const char *envp[] = { "LC_ALL=C", NULL };
	int r;

	r = ensure_slot_on_peer(ctx, err, errlen);
	if (r < 0)
		return r;
	r = datadir_set_aside(ctx, &sw, err, errlen);
	if (r < 0)
		return r;
	if (sw.old[0])
		cli_note(
			"the old data directory is kept as '%s'%s", sw.old,
			sw.in_place ?
				" (the data directory is a mount point: kept on its own file system)" :
				"");
	r = standby_conninfo(ctx, conninfo, sizeof(conninfo));
	snprintf(prog, sizeof(prog), "%s/pg_basebackup", ctx->bindir);
	cli_note("pg_basebackup from %s (%s) through slot %s", ctx->peer_name, ctx->peer_addr,
		 ctx->local_slot);
	if (r == 0) {
		const char *argv[] = { prog,     "-D", sw.target,       "-d", conninfo, "-X",
				       "stream", "-S", ctx->local_slot, "-c", "fast",   "-w",
				       NULL };

		r = run_as(argv, ctx->pg_uid, ctx->pg_gid, envp, NULL, 0);
		if (r != 0)
			snprintf(err, errlen, "pg_basebackup from %s failed (exit %d)",
				 ctx->peer_addr, r);
	}
	if (r == 0 && (r = datadir_commit(&sw, err, errlen)) == 0) {
		r = make_standby_config(ctx);
		if (r < 0)
			snprintf(err, errlen, "cannot write the standby settings into '%s': %s",
				 ctx->datadir, strerror(-r));
	}
	if (r != 0) {
		if (datadir_restore(&sw, e2, sizeof(e2)) < 0)
			cli_error("%s", e2);
		else if (sw.old[0])
			cli_note("the old data directory is back in '%s'", ctx->datadir);
		return r < 0 ? r : -EIO;
	}
	return 0;
}
