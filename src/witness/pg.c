/* The local PostgreSQL cluster of the witness: which one (pg_lsclusters),
 * and libpq connections to it as postgres over the Unix socket. */
#include "witness/witness.h"
#include "engine/pg-local.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Runs argv (absolute argv[0]) with stdin from /dev/null, its stdout into
 * out (NUL-terminated, truncated to outlen-1). The exit status, 128+signal,
 * or -errno. posix_spawn with an argv array: no shell. */
int run_capture(const char *const argv[], char *out, size_t outlen)
{
	posix_spawn_file_actions_t fa;
	int pfd[2], st, r;
	size_t got = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	r = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (r != 0) {
		close(pfd[0]);
		return -r;
	}
	for (;;) {
		char drain[512];
		ssize_t n;

		if (got + 1 < outlen)
			n = read(pfd[0], out + got, outlen - 1 - got);
		else
			n = read(pfd[0], drain, sizeof(drain));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got + 1 < outlen)
			got += (size_t)n;
	}
	close(pfd[0]);
	if (outlen)
		out[got] = '\0';
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int parse_line(char *line, struct pg_cluster *c)
{
	char *f[7], *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(line, " \t", &save); t && n < 7; t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	if (n < 6)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	if (strlen(f[0]) >= sizeof(c->version) || strlen(f[1]) >= sizeof(c->name) ||
	    strlen(f[2]) >= sizeof(c->port) || strlen(f[3]) >= sizeof(c->status) ||
	    strlen(f[4]) >= sizeof(c->owner) || strlen(f[5]) >= sizeof(c->datadir))
		return -EINVAL;
	strcpy(c->version, f[0]);
	strcpy(c->name, f[1]);
	strcpy(c->port, f[2]);
	strcpy(c->status, f[3]);
	strcpy(c->owner, f[4]);
	strcpy(c->datadir, f[5]);
	return 0;
}

int find_pg_cluster(const struct witness_config *cfg, struct pg_cluster *out)
{
	static const char *const argv[] = { "/usr/bin/pg_lsclusters", "--no-header", NULL };
	char text[8192], *line, *save = NULL;
	struct pg_cluster c, found;
	int r, n5432 = 0, nall = 0, nmatch = 0;
	struct pg_cluster only;

	r = run_capture(argv, text, sizeof(text));
	if (r != 0) {
		werr("cannot list the PostgreSQL clusters (pg_lsclusters: %s)",
		     r < 0 ? strerror(-r) : "failed");
		return W_EXIT_FAIL;
	}
	memset(&found, 0, sizeof(found));
	memset(&only, 0, sizeof(only));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (parse_line(line, &c) < 0)
			continue;
		nall++;
		only = c;
		if (cfg->pg_version[0]) {
			if (strcmp(c.version, cfg->pg_version) == 0 &&
			    strcmp(c.name, cfg->pg_name) == 0) {
				found = c;
				nmatch++;
			}
		} else if (strcmp(c.port, "5432") == 0) {
			found = c;
			n5432++;
		}
	}
	if (cfg->pg_version[0] && !nmatch) {
		werr("there is no PostgreSQL cluster %s/%s (postgresql_cluster; see pg_lsclusters)",
		     cfg->pg_version, cfg->pg_name);
		return W_EXIT_FAIL;
	}
	if (!cfg->pg_version[0] && !n5432) {
		if (nall != 1) {
			werr("%s: set postgresql_cluster to VERSION/NAME (see pg_lsclusters)",
			     nall ? "no PostgreSQL cluster uses the default port 5432 and there "
				    "are several" :
				    "there is no PostgreSQL cluster; create one with "
				    "pg_createcluster, or");
			return W_EXIT_FAIL;
		}
		found = only;
	}
	if (strncmp(found.status, "online", 6) != 0) {
		werr("PostgreSQL cluster %s/%s is %s: start it first (pg_ctlcluster %s %s start)",
		     found.version, found.name, found.status, found.version, found.name);
		return W_EXIT_FAIL;
	}
	if (strstr(found.status, "recovery")) {
		werr("PostgreSQL cluster %s/%s is a standby (in recovery): the witness needs a "
		     "writable cluster",
		     found.version, found.name);
		return W_EXIT_FAIL;
	}
	*out = found;
	return 0;
}

PGconn *connect_local(const struct pg_cluster *pc, const char *dbname)
{
	const char *keys[] = {
		"host",    "port", "dbname", "user", "connect_timeout", "application_name",
		"options", NULL
	};
	const char *vals[] = { WITNESS_PG_SOCKDIR,
			       pc->port,
			       dbname,
			       "postgres",
			       "10",
			       "voip-ha-witness",
			       "-c statement_timeout=30000 -c lock_timeout=10000 "
			       "-c client_min_messages=warning",
			       NULL };
	bool sw = pg_euid_enter();
	PGconn *c = PQconnectdbParams(keys, vals, 0);

	pg_euid_leave(sw);
	return c;
}

static void copy_err(PGconn *c, char *err, size_t errlen)
{
	size_t n;

	snprintf(err, errlen, "%s", PQerrorMessage(c));
	n = strlen(err);
	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
}

int query_value(PGconn *c, const char *sql, const char *param, char *buf, size_t len, char *err,
		size_t errlen)
{
	const char *params[1] = { param };
	PGresult *res = PQexecParams(c, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
	int r = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		copy_err(c, err, errlen);
		r = -EIO;
	} else if (PQntuples(res) < 1) {
		r = -ENOENT;
	} else {
		snprintf(buf, len, "%s", PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	return r;
}

int exec_sql(PGconn *c, const char *sql, char *err, size_t errlen)
{
	PGresult *res = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(res);
	int r = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		copy_err(c, err, errlen);
		r = -EIO;
	}
	PQclear(res);
	return r;
}
