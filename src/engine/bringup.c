/* Shared code of the bring-up subcommands: see bringup.h. */
#include "engine/bringup.h"
#include "cli/cli.h"
#include "engine/pg-local.h"
#include "lib/atomic-write.h"
#include "lib/derive.h"
#include "lib/errlist.h"
#include "lib/escape.h"
#include "lib/owner.h"
#include "lib/strbuf.h"
#include "lib/validators.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int become_postgres(const struct node_ctx *ctx)
{
	if (geteuid() == ctx->pg_uid)
		return 0;
	if (setgroups(0, NULL) < 0 || setgid(ctx->pg_gid) < 0 || setuid(ctx->pg_uid) < 0)
		return -errno;
	return 0;
}

/* As postgres for the connect only: see pg_euid_enter. */
static PGconn *connect_as_postgres(const char *const *keys, const char *const *vals)
{
	bool sw = pg_euid_enter();
	PGconn *c = PQconnectdbParams(keys, vals, 0);

	pg_euid_leave(sw);
	return c;
}

PGconn *pg_connect_local(const char *dbname, int timeout_s)
{
	char timeout[16];
	const char *keys[] = {
		"host",    "port", "dbname", "user", "connect_timeout", "application_name",
		"options", NULL
	};
	const char *vals[8];

	snprintf(timeout, sizeof(timeout), "%d", timeout_s);
	vals[0] = VOIPHA_PG_SOCKDIR;
	vals[1] = VOIPHA_PG_PORT;
	vals[2] = dbname;
	vals[3] = "postgres";
	vals[4] = timeout;
	vals[5] = VOIPHA_PG_APPNAME;
	vals[6] = VOIPHA_PG_OPTIONS;
	vals[7] = NULL;
	return connect_as_postgres(keys, vals);
}

PGconn *pg_connect_peer_repl(const struct node_ctx *ctx, int timeout_s)
{
	return pg_connect_repl(ctx, ctx->peer_addr, timeout_s);
}

/* As replicator, the password from VOIPHA_PASSFILE: a replication
 * connection (replication=true, dbname ignored) or an ordinary one to
 * dbname, whose statements end within the connect timeout too. */
static PGconn *connect_replicator(const struct node_ctx *ctx, const char *host, bool replication,
				  const char *dbname, int timeout_s)
{
	char timeout[16], options[64];
	const char *keys[] = { "host",
			       "port",
			       "user",
			       "passfile",
			       "connect_timeout",
			       "application_name",
			       "dbname",
			       "replication",
			       "options",
			       NULL };
	const char *vals[10];

	snprintf(timeout, sizeof(timeout), "%d", timeout_s);
	snprintf(options, sizeof(options), "-c statement_timeout=%d", timeout_s * 1000);
	vals[0] = host;
	vals[1] = VOIPHA_PG_PORT;
	vals[2] = VOIPHA_REPL_USER;
	vals[3] = VOIPHA_PASSFILE;
	vals[4] = timeout;
	vals[5] = ctx->local_name;
	vals[6] = replication ? "replication" : dbname;
	vals[7] = replication ? "true" : NULL;
	vals[8] = replication ? NULL : options;
	vals[9] = NULL;
	return PQconnectdbParams(keys, vals, 0);
}

PGconn *pg_connect_repl(const struct node_ctx *ctx, const char *host, int timeout_s)
{
	return connect_replicator(ctx, host, true, NULL, timeout_s);
}

PGconn *pg_connect_peer_db(const struct node_ctx *ctx, const char *dbname, int timeout_s)
{
	return connect_replicator(ctx, ctx->peer_addr, false, dbname, timeout_s);
}

const char *pg_errmsg(const PGconn *conn)
{
	static char buf[512];
	const char *m = conn ? PQerrorMessage(conn) : "out of memory";
	size_t n;

	snprintf(buf, sizeof(buf), "%s", m);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

static void copy_result_error(const PGresult *res, const PGconn *conn, char *errbuf, size_t errlen)
{
	const char *m = res ? PQresultErrorMessage(res) : "";
	size_t n;

	if (!errbuf || errlen == 0)
		return;
	snprintf(errbuf, errlen, "%s", *m ? m : pg_errmsg(conn));
	n = strlen(errbuf);
	while (n > 0 && (errbuf[n - 1] == '\n' || errbuf[n - 1] == ' '))
		errbuf[--n] = '\0';
}

int pg_exec(PGconn *conn, const char *sql, char *errbuf, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	int r = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		copy_result_error(res, conn, errbuf, errlen);
		r = -EIO;
	}
	PQclear(res);
	return r;
}

int pg_query_value(PGconn *conn, const char *sql, const char *param, char *buf, size_t buflen,
		   char *errbuf, size_t errlen)
{
	const char *params[1] = { param };
	PGresult *res = PQexecParams(conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
	int r = 0;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		copy_result_error(res, conn, errbuf, errlen);
		r = -EIO;
	} else if (PQntuples(res) < 1) {
		r = -ENOENT;
	} else {
		snprintf(buf, buflen, "%s", PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	return r;
}

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

int run_as(const char *const argv[], uid_t uid, gid_t gid, const char *const envp[], char *out,
	   size_t outlen)
{
	int pipefd[2] = { -1, -1 };
	size_t got = 0;
	int status, devnull;
	pid_t pid;

	if (out && pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = errno;

		if (out) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return -e;
	}
	if (pid == 0) {
		devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (devnull >= 0)
			dup2(devnull, 0);
		if (out)
			dup2(pipefd[1], 1);
		if (uid != (uid_t)-1 &&
		    (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
			_exit(126);
		execve(argv[0], (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	if (out) {
		ssize_t n;

		close(pipefd[1]);
		while ((n = read(pipefd[0], out + got, outlen - 1 - got)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			got += (size_t)n;
			if (got == outlen - 1) {
				char sink[512];

				while (read(pipefd[0], sink, sizeof(sink)) > 0)
					;
				break;
			}
		}
		out[got] = '\0';
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

bool address_is_local(const char *addr)
{
	struct ifaddrs *ifa, *i;
	struct in_addr want;
	bool found = false;

	if (inet_pton(AF_INET, addr, &want) != 1 || getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == want.s_addr)
			found = true;
	freeifaddrs(ifa);
	return found;
}

int local_control_data(const struct node_ctx *ctx, unsigned *ret_tli, char *sysid, size_t sysidlen)
{
	static const char tli_key[] = "Latest checkpoint's TimeLineID:";
	static const char sys_key[] = "Database system identifier:";
	const char *envp[] = { "LC_ALL=C", NULL };
	char prog[300], out[8192], sid[32];
	const char *p;
	unsigned tli;
	int r;

	snprintf(prog, sizeof(prog), "%s/pg_controldata", ctx->bindir);
	{
		const char *argv[] = { prog, "-D", ctx->datadir, NULL };

		r = run_as(argv, ctx->pg_uid, ctx->pg_gid, envp, out, sizeof(out));
	}
	if (r < 0)
		return r;
	if (r != 0)
		return -EIO;
	p = strstr(out, tli_key);
	if (!p || sscanf(p + sizeof(tli_key) - 1, " %u", &tli) != 1)
		return -EIO;
	p = strstr(out, sys_key);
	if (!p || sscanf(p + sizeof(sys_key) - 1, " %31s", sid) != 1)
		return -EIO;
	snprintf(sysid, sysidlen, "%s", sid);
	*ret_tli = tli;
	return 0;
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
