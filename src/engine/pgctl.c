/* The local PostgreSQL cluster and systemd units: see pgctl.h. */
#include "engine/pgctl.h"
#include "engine/boot.h"
#include "engine/pg-session.h"
#include "engine/run-as.h"
#include "cli/cli.h"
#include "engine/unit-state.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const tool_env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };

const char *pg_role_name(enum pg_role role)
{
	switch (role) {
	case PG_PRIMARY:
		return "primary";
	case PG_STANDBY:
		return "standby";
	case PG_DOWN:
		break;
	}
	return "down";
}

enum pg_role pg_local_role(int timeout_s)
{
	PGconn *c = pg_connect_local("postgres", timeout_s);
	enum pg_role role = PG_DOWN;
	char v[16], err[256];

	if (c && PQstatus(c) == CONNECTION_OK &&
	    pg_query_value(c, "SELECT pg_is_in_recovery()::text", NULL, v, sizeof(v), err,
			   sizeof(err)) == 0)
		role = strcmp(v, "true") == 0 ? PG_STANDBY : PG_PRIMARY;
	PQfinish(c);
	return role;
}

int systemctl(const char *verb, const char *unit, bool no_block)
{
	const char *argv[] = { "/bin/systemctl", verb, unit, no_block ? "--no-block" : NULL, NULL };
	char out[256];

	if (!systemd_running())
		return -ENOSYS;
	return run_as(argv, (uid_t)-1, (gid_t)-1, tool_env, out, sizeof(out));
}

bool unit_is_failed(const char *unit)
{
	char state[200];

	return systemd_running() && unit_active_state(unit, state, sizeof(state)) == 0 &&
	       strcmp(state, "failed") == 0;
}

bool unit_is_running(const char *unit)
{
	char out[200];

	if (!systemd_running() || unit_active_state(unit, out, sizeof(out)) < 0)
		return false;
	return strcmp(out, "active") == 0 || strcmp(out, "activating") == 0 ||
	       strcmp(out, "reloading") == 0 || strcmp(out, "deactivating") == 0;
}

int unit_start_again(const char *unit)
{
	int r = systemctl("reset-failed", unit, false);

	return r != 0 ? r : systemctl("restart", unit, true);
}

void restart_failed_units(const char *who)
{
	static const char *const units[] = { "voip-admin.service", "kamailio.service",
					     "freeswitch.service", "keepalived.service", NULL };
	size_t i;

	for (i = 0; units[i]; i++) {
		if (!unit_is_failed(units[i]))
			continue;
		cli_note("%s: starting %s again (it failed while PostgreSQL was down)", who,
			 units[i]);
		if (unit_start_again(units[i]) != 0)
			cli_error("%s: cannot start %s again (see systemctl status %s)", who,
				  units[i], units[i]);
	}
}

void pg_unit_name(const struct node_ctx *ctx, char *buf, size_t len)
{
	snprintf(buf, len, "postgresql@%s.service", ctx->instance);
}

static int pg_ctlcluster(const struct node_ctx *ctx, const char *action)
{
	char ver[16], out[512];
	/* pg_ctl's own wait bounded like the systemd case (pg_local_stop). */
	const char *stop[] = {
		"/usr/bin/pg_ctlcluster", ver, "main", "stop", "-m", "fast", "--", "-t", "10", NULL
	};
	const char *start[] = { "/usr/bin/pg_ctlcluster", ver, "main", "start", NULL };

	snprintf(ver, sizeof(ver), "%u", ctx->pg_major);
	/* stdout ("Cluster is not running.") is noise; errors reach stderr. */
	return run_as(strcmp(action, "stop") == 0 ? stop : start, (uid_t)-1, (gid_t)-1, tool_env,
		      out, sizeof(out));
}

/* The postmaster's pid from postmaster.pid, 0 when there is none. */
static pid_t postmaster_pid(const struct node_ctx *ctx)
{
	char path[300], line[32];
	FILE *f;
	long pid = 0;

	snprintf(path, sizeof(path), "%s/postmaster.pid", ctx->datadir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f))
		pid = strtol(line, NULL, 10);
	fclose(f);
	return pid > 0 ? (pid_t)pid : 0;
}

/* Waits up to ms for the server to be gone. true when it is. */
static bool wait_stopped(const struct node_ctx *ctx, long ms)
{
	for (; ms > 0; ms -= 100) {
		if (!pg_local_running(ctx))
			return true;
		usleep(100 * 1000);
	}
	return !pg_local_running(ctx);
}

/* A fast shutdown waits for every session to end, and a session whose
 * commit waits for a synchronous standby that is gone (this node is cut
 * off) may never end. Past this bound the server is stopped immediately:
 * the waiting commits were never acknowledged, and crash recovery (or
 * pg_rewind) replays what is on disk. */
#define FAST_STOP_MS 10000
#define IMMEDIATE_STOP_MS 10000

int pg_local_stop(const struct node_ctx *ctx)
{
	char unit[64] = "";
	pid_t pid;

	if (systemd_running()) {
		/* The unit's ExecStop is pg_ctlcluster -m fast: open sessions
		 * are ended and every WAL record reaches a connected standby
		 * before the shutdown checkpoint completes. Queued, so that
		 * this command can step in when it does not finish. */
		pg_unit_name(ctx, unit, sizeof(unit));
		systemctl("stop", unit, true);
	} else {
		pg_ctlcluster(ctx, "stop");
	}
	if (!wait_stopped(ctx, FAST_STOP_MS) && (pid = postmaster_pid(ctx)) > 0) {
		cli_note(
			"PostgreSQL did not stop within %d s (sessions waiting for a standby that is gone?): "
			"immediate shutdown",
			FAST_STOP_MS / 1000);
		if (kill(pid, SIGQUIT) < 0 && errno != ESRCH)
			cli_error("cannot stop PostgreSQL (pid %ld): %s", (long)pid,
				  strerror(errno));
		else if (!wait_stopped(ctx, IMMEDIATE_STOP_MS) && kill(pid, SIGKILL) == 0)
			wait_stopped(ctx, IMMEDIATE_STOP_MS);
	}
	/* Let systemd's stop job finish, so the unit's state is true (its
	 * ExecStop may report a forced stop as a failure: what counts is
	 * that the server is gone). */
	if (systemd_running())
		systemctl("stop", unit, false);
	return pg_local_running(ctx) ? -EBUSY : 0;
}

int pg_local_stop_now(const struct node_ctx *ctx)
{
	pid_t pid = postmaster_pid(ctx);

	/* SIGQUIT: the immediate shutdown, every backend gone within
	 * milliseconds (a stopped process gets it when it is thawed). The
	 * orderly stop after it only tidies up. */
	if (pid > 0 && kill(pid, SIGQUIT) < 0 && errno != ESRCH)
		return -errno;
	return pg_local_stop(ctx);
}

int pg_local_start(const struct node_ctx *ctx)
{
	char unit[64];

	if (systemd_running()) {
		pg_unit_name(ctx, unit, sizeof(unit));
		return systemctl("start", unit, false);
	}
	return pg_ctlcluster(ctx, "start");
}

int pg_local_start_nowait(const struct node_ctx *ctx)
{
	char unit[64];

	if (systemd_running()) {
		/* A server that cannot start leaves its start job waiting for a
		 * pid file: the caller judges by what the server answers. */
		pg_unit_name(ctx, unit, sizeof(unit));
		systemctl("reset-failed", unit, false);
		return systemctl("start", unit, true);
	}
	return pg_ctlcluster(ctx, "start");
}

bool pg_local_is_recovery_dir(const struct node_ctx *ctx)
{
	char path[sizeof(ctx->datadir) + 32];

	snprintf(path, sizeof(path), "%s/recovery.signal", ctx->datadir);
	return access(path, F_OK) == 0;
}

bool pg_local_is_standby_dir(const struct node_ctx *ctx)
{
	char path[sizeof(ctx->datadir) + 32];

	snprintf(path, sizeof(path), "%s/standby.signal", ctx->datadir);
	return access(path, F_OK) == 0;
}

bool pg_local_running(const struct node_ctx *ctx)
{
	pid_t pid = postmaster_pid(ctx);

	/* A stale file after a crash names a dead (or reused, then
	 * conservatively "running") pid. */
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

int pg_wait_streaming(int timeout_s)
{
	struct timespec now;
	time_t deadline;
	char v[32], err[256];

	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec + timeout_s;
	for (;;) {
		PGconn *c = pg_connect_local("postgres", 2);
		int r = -1;

		if (c && PQstatus(c) == CONNECTION_OK)
			r = pg_query_value(c, "SELECT status FROM pg_stat_wal_receiver", NULL, v,
					   sizeof(v), err, sizeof(err));
		PQfinish(c);
		if (r == 0 && strcmp(v, "streaming") == 0)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= deadline)
			return -ETIMEDOUT;
		usleep(250 * 1000);
	}
}
