/* What makes a data directory stream from the peer: see standby-setup.h. */
#include "engine/standby-setup.h"
#include "cli/cli.h"
#include "lib/atomic-write.h"
#include "lib/escape.h"
#include "lib/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int write_repl_passfile(const struct node_ctx *ctx, bool *ret_changed)
{
	struct strbuf sb = STRBUF_INIT, pw = STRBUF_INIT;
	const char *why = NULL;
	const char *hosts[3] = { ctx->local_addr, ctx->peer_addr, ctx->vip };
	int r, i;

	r = escape_pgpass(&pw, ctx->cfg.replication_password, &why);
	if (r < 0)
		goto out;
	for (i = 0; i < 3 && r == 0; i++)
		/* Database "*": replication connections, and pg_rewind's
		 * connection to database postgres. */
		r = sb_addf(&sb, "%s:%s:*:%s:%s\n", hosts[i], VOIPHA_PG_PORT, VOIPHA_REPL_USER,
			    sb_str(&pw));
	if (r == 0)
		r = atomic_write(VOIPHA_PASSFILE, sb_str(&sb), sb.len, 0600, ctx->pg_uid,
				 ctx->pg_gid, ret_changed);
out:
	sb_release(&sb);
	sb_release(&pw);
	return r;
}

int standby_conninfo(const struct node_ctx *ctx, char *buf, size_t len)
{
	int n = snprintf(
		buf, len,
		"host=%s port=%s user=%s passfile=%s application_name=%s "
		"connect_timeout=5 keepalives_idle=10 keepalives_interval=5 keepalives_count=3",
		ctx->peer_addr, VOIPHA_PG_PORT, VOIPHA_REPL_USER, VOIPHA_PASSFILE, ctx->local_name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Keeps every line of postgresql.auto.conf except our two settings, then
 * appends them: the same edit `pg_basebackup -R` makes, minus the password. */
int make_standby_config(const struct node_ctx *ctx)
{
	char path[512], conninfo[512], line[4096];
	struct strbuf sb = STRBUF_INIT;
	FILE *f;
	int r;

	r = standby_conninfo(ctx, conninfo, sizeof(conninfo));
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/postgresql.auto.conf", ctx->datadir);
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			const char *p = line + strspn(line, " \t");

			if (strncmp(p, "primary_conninfo", 16) == 0 ||
			    strncmp(p, "primary_slot_name", 17) == 0)
				continue;
			if ((r = sb_adds(&sb, line)) < 0)
				break;
		}
		fclose(f);
		if (r < 0)
			goto out;
	} else if (errno != ENOENT) {
		return -errno;
	}
	/* conninfo and slot name come from validated addresses and fixed
	 * words: nothing in them needs quoting inside '...'. */
	r = sb_addf(&sb, "primary_conninfo = '%s'\nprimary_slot_name = '%s'\n", conninfo,
		    ctx->local_slot);
	if (r == 0)
		r = atomic_write(path, sb_str(&sb), sb.len, 0600, ctx->pg_uid, ctx->pg_gid, NULL);
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/standby.signal", ctx->datadir);
		r = atomic_write(path, "", 0, 0600, ctx->pg_uid, ctx->pg_gid, NULL);
	}
out:
	sb_release(&sb);
	return r;
}

/* The slot the standby streams from must exist on the peer before
 * pg_basebackup -S uses it; replicator may create it (REPLICATION). */
int ensure_peer_slot(PGconn *repl, const char *slot, char *err, size_t errlen)
{
	char sql[128];
	PGresult *res;
	bool exists;

	snprintf(sql, sizeof(sql), "READ_REPLICATION_SLOT %s", slot);
	res = PQexec(repl, sql);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		snprintf(err, errlen, "READ_REPLICATION_SLOT: %s",
			 res ? PQresultErrorMessage(res) : "out of memory");
		PQclear(res);
		return -EIO;
	}
	exists = !PQgetisnull(res, 0, 0);
	PQclear(res);
	if (exists)
		return 0;
	snprintf(sql, sizeof(sql), "CREATE_REPLICATION_SLOT %s PHYSICAL RESERVE_WAL", slot);
	res = PQexec(repl, sql);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errlen, "CREATE_REPLICATION_SLOT: %s",
			 res ? PQresultErrorMessage(res) : "out of memory");
		PQclear(res);
		return -EIO;
	}
	PQclear(res);
	cli_note("created replication slot %s on the peer", slot);
	return 0;
}
