/* The failover rules: see failover.h. */
#include "engine/failover.h"
#include "engine/bringup.h"
#include "cli/cli.h"
#include "engine/history.h"
#include "engine/pgctl.h"
#include "engine/reach.h"
#include "lib/atomic-write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>

bool should_fence(const struct node_ctx *ctx, bool left_master, char *why, size_t len)
{
	struct pg_probe peer;
	struct reachability reach;

	enum pg_role role = pg_local_role(3);

	if (role == PG_STANDBY || (role == PG_DOWN && pg_local_is_standby_dir(ctx))) {
		snprintf(why, len, "the local PostgreSQL is a standby");
		return false;
	}
	if (role == PG_DOWN && !left_master) {
		snprintf(why, len, "the local PostgreSQL is down");
		return false;
	}
	/* A primary that crashed or hangs counts as one: it must not come
	 * back as a primary behind the peer's back, and it must rejoin. */
	if (pg_probe(ctx, ctx->peer_addr, 2, &peer) == 0) {
		if (peer.primary) {
			snprintf(why, len,
				 "%s is a primary too (timeline %u): this node is the stale one",
				 ctx->peer_name, peer.timeline);
			return true;
		}
		if (left_master) {
			snprintf(why, len, "the VIP left this node and %s's standby can take over",
				 ctx->peer_name);
			return true;
		}
		snprintf(why, len, "%s is a standby and this node did not hold the VIP",
			 ctx->peer_name);
		return false;
	}
	if (!left_master) {
		snprintf(why, len, "%s's PostgreSQL does not answer", ctx->peer_name);
		return false;
	}
	if (probe_reachability(ctx, 3, &reach) == 0 && reach_isolated(&reach)) {
		snprintf(why, len, "cut off: neither %s (%s) nor the witness (%s) answers",
			 ctx->peer_name, ctx->peer_addr, ctx->witness);
		return true;
	}
	/* The peer is down and this node is not cut off: nobody could take
	 * over, so stopping the last primary would only stop the service. */
	snprintf(why, len,
		 "%s's PostgreSQL does not answer and this node is not cut off: "
		 "keeping the last primary",
		 ctx->peer_name);
	return false;
}

int fence_mark(const char *why)
{
	char line[600];
	int r;

	snprintf(line, sizeof(line), "%s\n", why);
	r = mkdir_parents(VOIPHA_FENCED, 0755);
	if (r == 0)
		r = atomic_write(VOIPHA_FENCED, line, strlen(line), 0644, AW_KEEP_OWNER, (gid_t)-1,
				 NULL);
	return r;
}

int fence_local(const struct node_ctx *ctx, const char *why)
{
	int r;

	/* The marker first: whatever restarts PostgreSQL from now on (a
	 * person, systemd, a reboot) gets a standby or nothing. */
	r = fence_mark(why);
	if (r < 0) {
		syslog(LOG_ERR, "cannot write %s: %s", VOIPHA_FENCED, strerror(-r));
		return r;
	}
	r = pg_local_stop(ctx);
	if (r != 0) {
		syslog(LOG_ERR, "fence: stopping PostgreSQL failed (%d)", r);
		history_add("fence", "failed", "%s; stopping PostgreSQL failed (%d)", why, r);
		return r < 0 ? r : -EIO;
	}
	syslog(LOG_WARNING, "fenced: PostgreSQL stopped (%s); %s rejoins it as a standby", why,
	       VOIPHA_REBUILD_UNIT);
	history_add("fence", "ok", "%s", why);
	run_alert(ctx, "fence", why);
	r = systemctl("start", VOIPHA_REBUILD_UNIT, true);
	if (r != 0 && r != -ENOSYS)
		syslog(LOG_ERR, "cannot start %s (%d)", VOIPHA_REBUILD_UNIT, r);
	return 0;
}

void run_alert(const struct node_ctx *ctx, const char *event, const char *detail)
{
	const char *cmd = ctx->cfg.alert_command;
	const char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
	pid_t pid;

	if (!cmd || !cmd[0])
		return;
	/* Detached (double fork): a slow alert never delays a failover. */
	pid = fork();
	if (pid < 0) {
		syslog(LOG_ERR, "cannot run the alert command: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		const char *argv[] = { cmd, event, ctx->local_name, detail, NULL };

		setsid();
		if (fork() == 0) {
			int r = run_as(argv, (uid_t)-1, (gid_t)-1, envp, NULL, 0);

			if (r != 0)
				syslog(LOG_WARNING, "alert command %s exited with %d", cmd, r);
		}
		_exit(0);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int set_sync_standby(const struct node_ctx *ctx, bool sync, char *err, size_t errlen)
{
	PGconn *c = pg_connect_local("postgres", 3);
	char sql[160];
	int r = -EIO;

	if (!c || PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", pg_errmsg(c));
		goto out;
	}
	/* The peer's name is a fixed word (node1/node2), quoted as an
	 * identifier inside the literal. */
	snprintf(sql, sizeof(sql), "ALTER SYSTEM SET synchronous_standby_names = '%s%s%s'",
		 sync ? "\"" : "", sync ? ctx->peer_name : "", sync ? "\"" : "");
	r = pg_exec(c, sql, err, errlen);
	if (r == 0)
		r = pg_exec(c, "SELECT pg_reload_conf()", err, errlen);
out:
	PQfinish(c);
	return r;
}
