/* The failover rules: see failover.h. */
#include "engine/failover.h"
#include "engine/arbiter.h"
#include "engine/pg-probe.h"
#include "engine/pg-session.h"
#include "engine/run-as.h"
#include "cli/cli.h"
#include "engine/history.h"
#include "engine/lease-keeper.h"
#include "engine/rules.h"
#include "engine/pgctl.h"
#include "engine/reach.h"
#include "lib/atomic-write.h"
#include "lib/monitor-state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <syslog.h>
#include <unistd.h>

/* The fence marker says "switchover" and is recent: voip-ha switchover is
 * at work (it stops, rejoins and restarts this node itself). An old one is
 * a switchover that died half way: the rules apply again. */
#define SWITCHOVER_MAX_S 300
static bool switchover_under_way(void)
{
	char line[32] = "";
	struct stat st;
	FILE *f = fopen(VOIPHA_FENCED, "re");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (fstat(fileno(f), &st) < 0)
		st.st_mtime = 0;
	fclose(f);
	return strncmp(line, "switchover", 10) == 0 && time(NULL) - st.st_mtime < SWITCHOVER_MAX_S;
}

typedef bool fence_rule_fn(const struct situation *s, char *why, size_t len);

/* Gathers what this node knows for a fencing rule (the cheap facts first,
 * so a standby is not slowed by probes it does not need) and applies it. */
static bool fence_by_rule(const struct node_ctx *ctx, bool left_master, fence_rule_fn *rule,
			  char *why, size_t len)
{
	struct situation s;
	struct pg_probe peer;
	struct reachability reach;
	struct arbiter_answer ans;
	struct arbiter a;
	char err[256];

	/* A switchover stops this node's PostgreSQL and keepalived itself and
	 * rejoins it: nothing to fence (and no fence to record). */
	if (switchover_under_way()) {
		snprintf(why, len, "a switchover is under way");
		return false;
	}
	memset(&s, 0, sizeof(s));
	s.local = pg_local_role(3);
	s.left_master = left_master;
	s.local_standby_dir = s.local == PG_DOWN && pg_local_is_standby_dir(ctx);
	s.lease = LEASE_OFF;
	if (s.local == PG_STANDBY || s.local_standby_dir || (s.local == PG_DOWN && !left_master))
		return rule(&s, why, len);
	if (pg_probe(ctx, ctx->peer_addr, 2, &peer) == 0)
		s.peer_pg = peer.primary ? PEER_PG_PRIMARY : PEER_PG_STANDBY;
	if (arbiter_init(&a, ctx) == 0) {
		s.lease = LEASE_UNKNOWN;
		if (arbiter_observe(&a, 1000, &ans, err, sizeof(err)) == 0) {
			s.lease = lease_view_of(&ans, ctx->local_name);
			s.peer_renewed_ago = ans.renewed_ago;
		}
		arbiter_close(&a);
	}
	if (s.peer_pg == PEER_PG_NO_ANSWER && left_master &&
	    probe_reachability(ctx, 3, &reach) == 0) {
		s.peer_host = reach.peer;
		s.witness_configured = reach.has_witness;
		s.witness_host = reach.witness;
	} else {
		s.peer_host = true;
	}
	return rule(&s, why, len);
}

bool should_fence(const struct node_ctx *ctx, bool left_master, char *why, size_t len)
{
	return fence_by_rule(ctx, left_master, rule_fence, why, len);
}

bool should_fence_monitor_gone(const struct node_ctx *ctx, char *why, size_t len)
{
	return fence_by_rule(ctx, true, rule_fence_monitor_gone, why, len);
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

/* Gives the leadership back at once after a fence, so the peer need not
 * wait for the lease to run out. The term is the one the monitor's lease
 * keeper published; a stale one is refused by the witness, harmlessly. */
void lease_give_back(const struct node_ctx *ctx)
{
	struct arbiter_answer ans;
	struct monitor_state st;
	struct kv_error kerr;
	struct arbiter a;
	char err[256];

	if (arbiter_init(&a, ctx) < 0)
		return;
	if (monitor_state_load(MONITOR_STATE_PATH, &st, &kerr) == 0 &&
	    strcmp(st.lease_holder, ctx->local_name) == 0) {
		if (arbiter_release(&a, st.lease_term, 1000, &ans, err, sizeof(err)) < 0)
			syslog(LOG_WARNING, "cannot give the leadership back: %s", err);
		else if (ans.granted)
			syslog(LOG_NOTICE, "leadership given back (term %lld)", st.lease_term);
	}
	arbiter_close(&a);
}

static int fence_with(const struct node_ctx *ctx, const char *why, bool now)
{
	int r;

	/* The marker first: whatever restarts PostgreSQL from now on (a
	 * person, systemd, a reboot) gets a standby or nothing. */
	r = fence_mark(why);
	if (r < 0) {
		syslog(LOG_ERR, "cannot write %s: %s", VOIPHA_FENCED, strerror(-r));
		return r;
	}
	r = now ? pg_local_stop_now(ctx) : pg_local_stop(ctx);
	if (r == 0)
		lease_give_back(ctx);
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

int fence_local(const struct node_ctx *ctx, const char *why)
{
	return fence_with(ctx, why, false);
}

int fence_local_now(const struct node_ctx *ctx, const char *why)
{
	return fence_with(ctx, why, true);
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
