/* voip-ha monitor: the node's failover daemon (voip-ha-monitor.service).
 * Once a second:
 *   - probes the peer and the witness (ICMP);
 *   - on a primary, keeps replication synchronous while the peer's standby
 *     streams (every commit then waits until the peer has flushed it), and
 *     degrades it to asynchronous when the standby is really gone: no
 *     streaming standby for DEGRADE_AFTER seconds, or the peer host not
 *     answering for two probes. Degrading is refused while this node is
 *     cut off (witness configured, neither it nor the peer answers): a
 *     cut-off primary's commits then wait, unacknowledged, until it is
 *     fenced, and nothing it acknowledged can be lost;
 *   - writes the node's state to /run/voip-ha/monitor.state (key=value),
 *     which `voip-ha status` and voip-admind's /metrics read.
 * --once runs one round (tests). */
#include "cli/args.h"
#include "engine/pg-probe.h"
#include "engine/pg-session.h"
#include "lib/sockaddr.h"
#include "cli/cli.h"
#include "engine/failover.h"
#include "engine/history.h"
#include "engine/lease-keeper.h"
#include "engine/rules.h"
#include "engine/reach.h"
#include "engine/pgctl.h"
#include "lib/atomic-write.h"
#include "lib/monitor-state.h"
#include "lib/strbuf.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEGRADE_AFTER 3

static const char usage_text[] =
	"usage: voip-ha monitor [--config FILE] [--once]\n"
	"Failover daemon: reachability of the peer and the witness, synchronous or degraded\n"
	"replication on the primary, state for voip-ha status and /metrics.\n";

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

struct primary_view {
	bool ok;
	bool peer_streaming; /* the peer's walsender is streaming */
	bool sync_on;        /* synchronous_standby_names is set */
	long long lag_bytes; /* peer's replay lag, -1 unknown */
	double lag_seconds;
	unsigned timeline;
};

static void read_primary(const struct node_ctx *ctx, struct primary_view *v)
{
	PGconn *c = pg_connect_local("postgres", 2);
	const char *params[1] = { ctx->peer_name };
	PGresult *res;

	memset(v, 0, sizeof(*v));
	v->lag_bytes = -1;
	if (!c || PQstatus(c) != CONNECTION_OK)
		goto out;
	res = PQexecParams(
		c,
		"SELECT current_setting('synchronous_standby_names') <> '', " PG_TIMELINE_SQL ", "
		"(SELECT state = 'streaming' FROM pg_stat_replication WHERE application_name = $1 "
		" ORDER BY backend_start DESC LIMIT 1), "
		"(SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint FROM pg_stat_replication "
		" WHERE application_name = $1 ORDER BY backend_start DESC LIMIT 1), "
		"(SELECT extract(epoch FROM replay_lag) FROM pg_stat_replication "
		" WHERE application_name = $1 ORDER BY backend_start DESC LIMIT 1)",
		1, NULL, params, NULL, NULL, 0);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		v->ok = true;
		v->sync_on = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		v->timeline = (unsigned)strtoul(PQgetvalue(res, 0, 1), NULL, 10);
		v->peer_streaming = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
		if (!PQgetisnull(res, 0, 3))
			v->lag_bytes = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
		v->lag_seconds = PQgetisnull(res, 0, 4) ? 0 : strtod(PQgetvalue(res, 0, 4), NULL);
	}
	PQclear(res);
out:
	PQfinish(c);
}

struct monitor {
	const struct node_ctx *ctx;
	int peer_misses; /* consecutive probes the peer missed */
	time_t not_streaming_since;
	time_t down_since;          /* the local PostgreSQL does not answer */
	time_t last_restart;        /* the last time a crashed standby was started */
	time_t not_following_since; /* a standby not following a newer primary peer */
	const char *sync_state;     /* sync | degraded | standby | down */
	struct lease_keeper keeper;
	/* The last round's view, which the lease keeper's thread republishes
	 * with its own fresher lease fields (one writer at a time). */
	pthread_mutex_t publish_mu;
	struct monitor_state st;
};

/* Writes m->st with the lease keeper's latest view; called by both
 * threads, one at a time. */
static void publish_state(void *arg)
{
	static bool write_failed;
	struct monitor *m = arg;
	struct strbuf sb = STRBUF_INIT;
	struct lease_snapshot ls;
	int r;

	lease_keeper_snapshot(&m->keeper, &ls);
	pthread_mutex_lock(&m->publish_mu);
	snprintf(m->st.arbiter, sizeof(m->st.arbiter), "%s", ls.arbiter_on ? "postgresql" : "none");
	m->st.arbiter_reachable = ls.witness_answers;
	snprintf(m->st.lease_holder, sizeof(m->st.lease_holder), "%s", ls.last.holder);
	m->st.lease_term = ls.held ? ls.term : ls.last.term;
	m->st.lease_remaining_ms = ls.last.remaining;
	m->st.lease_renewed_ago_ms = ls.arbiter_on ? ls.last.renewed_ago : -1;
	m->st.lease_held = ls.held;
	m->st.lease_valid_until_ms = ls.held ? ls.valid_until : 0;
	m->st.lease_failsafe = ls.failsafe;
	r = monitor_state_format(&m->st, &sb);
	if (r == 0)
		r = mkdir_parents(MONITOR_STATE_PATH, 0755);
	if (r == 0)
		r = atomic_write(MONITOR_STATE_PATH, sb_str(&sb), sb.len, 0644, AW_KEEP_OWNER,
				 (gid_t)-1, NULL);
	/* Said once when it starts failing and once when it works again, not
	 * every second. */
	if ((r < 0) != write_failed)
		syslog(r < 0 ? LOG_ERR : LOG_NOTICE, "%s %s%s%s", MONITOR_STATE_PATH,
		       r < 0 ? "cannot be written: " : "written again", r < 0 ? strerror(-r) : "",
		       r < 0 ? " (status and /metrics see stale state)" : "");
	write_failed = r < 0;
	pthread_mutex_unlock(&m->publish_mu);
	sb_release(&sb);
}

static void write_state(struct monitor *m, enum pg_role role, const struct reachability *reach,
			const struct primary_view *pv)
{
	static off_t history_size = -1;
	static unsigned long failovers;
	struct history_entry last;
	struct monitor_state *st = &m->st;
	struct stat sbuf;

	/* The history only grows: read it again only when it did. */
	if (stat(VOIPHA_HISTORY, &sbuf) == 0 && sbuf.st_size != history_size) {
		history_size = sbuf.st_size;
		history_last(VOIPHA_HISTORY, "failover", &last, &failovers);
	}
	pthread_mutex_lock(&m->publish_mu);
	st->updated = (long long)time(NULL);
	snprintf(st->node, sizeof(st->node), "%s", m->ctx->local_name);
	snprintf(st->role, sizeof(st->role), "%s", pg_role_name(role));
	st->vip_held = address_is_local(m->ctx->vip);
	snprintf(st->sync_state, sizeof(st->sync_state), "%s", m->sync_state);
	st->peer_reachable = reach->peer;
	st->witness_configured = reach->has_witness;
	st->witness_reachable = reach->witness;
	st->lag_bytes = pv->lag_bytes;
	st->lag_seconds = pv->lag_seconds;
	st->timeline = pv->timeline;
	st->failovers_total = (long long)failovers;
	st->fenced = access(VOIPHA_FENCED, F_OK) == 0;
	pthread_mutex_unlock(&m->publish_mu);
	publish_state(m);
}

/* A standby whose PostgreSQL crashed stays down: nothing in the failover
 * path starts it (a crashed primary is fenced and rebuilt instead), and the
 * pair would stay without a copy. Started again once it has been down
 * RESTART_AFTER seconds, at most every RESTART_EVERY seconds, and only when
 * systemd has its unit as failed (a crash; an operator's stop is inactive),
 * it is not fenced, no rebuild or clone runs and no package is being
 * configured. pg-guard still decides at that start. */
#define RESTART_AFTER 5
#define RESTART_EVERY 60

static void restart_crashed_standby(struct monitor *m)
{
	const struct node_ctx *ctx = m->ctx;
	char unit[64];
	time_t now = time(NULL);

	if (m->down_since == 0)
		m->down_since = now;
	pg_unit_name(ctx, unit, sizeof(unit));
	if (now - m->down_since < RESTART_AFTER || now - m->last_restart < RESTART_EVERY ||
	    !pg_local_is_standby_dir(ctx) || access(VOIPHA_FENCED, F_OK) == 0 || in_maintenance() ||
	    !unit_is_failed(unit) || unit_is_running(VOIPHA_REBUILD_UNIT) ||
	    unit_is_running("voip-ha-clone.service"))
		return;
	m->last_restart = now;
	if (unit_start_again(unit) == 0) {
		syslog(LOG_WARNING, "the standby's %s failed %lld s ago: started again", unit,
		       (long long)(now - m->down_since));
		history_add("restart", "ok", "the standby's %s had failed: started again", unit);
	} else {
		syslog(LOG_ERR, "the standby's %s failed and cannot be started again", unit);
		history_add("restart", "failed",
			    "the standby's %s had failed; starting it again failed", unit);
	}
}

/* A standby that does not stream while its peer is a primary on a newer
 * timeline (the peer was brought back to a point in time by voip-ha
 * restore, a timeline that forked off before this standby's position)
 * never follows it: it is fenced and rebuilt from the peer
 * (rule_follow_rebuild). Asks the peer only while not streaming. */
static void follow_primary_peer(struct monitor *m)
{
	const struct node_ctx *ctx = m->ctx;
	struct follow_view f = { 0 };
	struct pg_probe peer;
	PGconn *c;
	char v[96] = "", err[256], why[300], sysid[32] = "";

	f.busy = access(VOIPHA_FENCED, F_OK) == 0 || access(VOIPHA_RESTORING, F_OK) == 0 ||
		 in_maintenance() || unit_is_running(VOIPHA_REBUILD_UNIT) ||
		 unit_is_running("voip-ha-clone.service");
	c = pg_connect_local("postgres", 2);
	if (!f.busy && c && PQstatus(c) == CONNECTION_OK &&
	    pg_query_value(
		    c,
		    "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'none') || ' ' || "
		    "(" PG_TIMELINE_SQL ")::text || ' ' || "
		    "(SELECT system_identifier FROM pg_control_system())::text",
		    NULL, v, sizeof(v), err, sizeof(err)) == 0) {
		unsigned tli = 0;
		char status[32] = "";

		if (sscanf(v, "%31s %u %31s", status, &tli, sysid) == 3) {
			f.streaming = strcmp(status, "streaming") == 0;
			f.local_tli = tli;
		} else {
			f.streaming = true; /* unreadable: do nothing */
		}
	} else {
		f.streaming = true;
	}
	PQfinish(c);
	if (f.streaming || f.busy) {
		m->not_following_since = 0;
		return;
	}
	f.vip_here = address_is_local(ctx->vip);
	if (pg_probe(ctx, ctx->peer_addr, 2, &peer) == 0) {
		f.peer_primary = peer.primary;
		f.peer_tli = peer.timeline;
		f.same_system = strcmp(peer.sysid, sysid) == 0;
	}
	if (!f.peer_primary || !f.same_system || f.peer_tli <= f.local_tli || f.vip_here) {
		m->not_following_since = 0;
		return;
	}
	if (m->not_following_since == 0)
		m->not_following_since = time(NULL);
	f.not_following_s = time(NULL) - m->not_following_since;
	if (!rule_follow_rebuild(&f, why, sizeof(why)))
		return;
	m->not_following_since = 0;
	syslog(LOG_WARNING, "%s", why);
	if (fence_mark(why) < 0) {
		syslog(LOG_ERR, "cannot write %s: not rebuilding", VOIPHA_FENCED);
		return;
	}
	history_add("follow", "ok", "%s", why);
	systemctl("start", VOIPHA_REBUILD_UNIT, true);
}

/* The VIP hold notify set because the peer, a live primary, was not heard
 * over VRRP (VRRP_UNHEARD_FILE): lifted once the peer's VRRPv3 adverts
 * (IP protocol 112; the fast profile) arrive again, or the peer is no
 * longer a primary (stopped, fenced, gone), so this node may take over
 * again. Listens for up to 0.6 s (three adverts), only while held. */
static void lift_unheard_hold(const struct node_ctx *ctx)
{
	const char *because;
	char why[600];

	if (!vrrp_unheard(why, sizeof(why)))
		return;
	if (ip_packet_seen(ctx->peer_addr, 112, 600) == 1)
		because = "its VRRP adverts arrive again";
	else if (peer_is_live_primary(ctx) != 1)
		because = "it is no longer a live primary";
	else
		return;
	vrrp_unheard_clear();
	if (access(VOIPHA_FENCED, F_OK) != 0 && vrrp_hold(false) == 0) {
		syslog(LOG_NOTICE, "%s: %s: VIP hold lifted", ctx->peer_name, because);
		history_add("hold", "lifted", "%s: %s", ctx->peer_name, because);
	}
}

static void round_once(struct monitor *m)
{
	const struct node_ctx *ctx = m->ctx;
	struct reachability reach;
	struct primary_view pv;
	enum pg_role role;
	char err[512];

	memset(&pv, 0, sizeof(pv));
	pv.lag_bytes = -1;
	if (probe_reachability(ctx, 3, &reach) < 0)
		memset(&reach, 0, sizeof(reach));
	m->peer_misses = reach.peer ? 0 : m->peer_misses + 1;
	lease_keeper_set_peer_host(&m->keeper, reach.peer);
	role = pg_local_role(2);
	if (role == PG_DOWN)
		restart_crashed_standby(m);
	else
		m->down_since = 0;
	if (role == PG_STANDBY)
		follow_primary_peer(m);
	else
		m->not_following_since = 0;
	if (role != PG_PRIMARY) {
		lift_unheard_hold(ctx);
		m->sync_state = role == PG_STANDBY ? "standby" : "down";
		m->not_streaming_since = 0;
		write_state(m, role, &reach, &pv);
		return;
	}
	read_primary(ctx, &pv);
	if (!pv.ok) {
		write_state(m, role, &reach, &pv);
		return;
	}
	if (pv.peer_streaming)
		m->not_streaming_since = 0;
	else if (m->not_streaming_since == 0)
		m->not_streaming_since = time(NULL);
	if (pv.peer_streaming && m->peer_misses == 0 && !pv.sync_on) {
		if (set_sync_standby(ctx, true, err, sizeof(err)) == 0) {
			syslog(LOG_NOTICE, "%s streams again: replication is synchronous",
			       ctx->peer_name);
			history_add("replication", "ok", "synchronous: %s streams", ctx->peer_name);
			pv.sync_on = true;
		} else {
			syslog(LOG_ERR, "cannot make replication synchronous: %s", err);
		}
	} else if (pv.sync_on && (m->peer_misses >= 2 ||
				  (m->not_streaming_since &&
				   time(NULL) - m->not_streaming_since >= DEGRADE_AFTER))) {
		struct lease_snapshot ls;
		struct situation sit;
		char why[256];

		lease_keeper_snapshot(&m->keeper, &ls);
		memset(&sit, 0, sizeof(sit));
		sit.local = PG_PRIMARY;
		sit.peer_host = reach.peer;
		sit.witness_configured = reach.has_witness;
		sit.witness_host = reach.witness;
		sit.lease = !ls.arbiter_on ? LEASE_OFF : ls.held ? LEASE_MINE : ls.view;
		if (!rule_may_degrade(&sit, why, sizeof(why))) {
			/* Never from a node that is cut off or without the
			 * leadership: its commits wait, unacknowledged. */
			syslog(LOG_WARNING, "%s is gone but %s: replication stays synchronous",
			       ctx->peer_name, why);
		} else if (set_sync_standby(ctx, false, err, sizeof(err)) == 0) {
			syslog(LOG_WARNING, "%s is gone: replication degraded to asynchronous",
			       ctx->peer_name);
			history_add("replication", "degraded", "%s gone (%s)", ctx->peer_name,
				    m->peer_misses >= 2 ? "host not answering" : "not streaming");
			pv.sync_on = false;
		} else {
			syslog(LOG_ERR, "cannot degrade replication: %s", err);
		}
	}
	m->sync_state = pv.sync_on ? "sync" : "degraded";
	write_state(m, role, &reach, &pv);
}

int cmd_monitor(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	struct node_ctx ctx;
	struct monitor m;
	bool once = false;
	int r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ "once", 'o', NULL, &once },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	openlog("voip-ha-monitor", LOG_PID, LOG_DAEMON);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	memset(&m, 0, sizeof(m));
	m.ctx = &ctx;
	m.sync_state = "down";
	pthread_mutex_init(&m.publish_mu, NULL);
	if (!once && (r = lease_keeper_start(&m.keeper, &ctx, publish_state, &m)) < 0) {
		syslog(LOG_ERR, "cannot start the lease keeper: %s", strerror(-r));
		node_ctx_free(&ctx);
		return EXIT_FAIL;
	}
	/* Without an arbiter nothing depends on a quick end of a hung monitor:
	 * the main loop feeds the watchdog, whose period is stretched past
	 * its slowest round (probes with 3 s timeouts). */
	if (!once && !m.keeper.running)
		sd_notify(0, "WATCHDOG_USEC=30000000");
	if (!ctx.witness[0])
		syslog(LOG_WARNING,
		       "no witness configured: a cut between the nodes cannot be told from a "
		       "dead peer (split brain possible)");
	do {
		struct timespec t0, t1;
		long spent;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		round_once(&m);
		if (!once && !m.keeper.running)
			sd_notify(0, "WATCHDOG=1");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		spent = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (!once && !stopping && spent < 1000)
			usleep((useconds_t)(1000 - spent) * 1000);
	} while (!once && !stopping);
	lease_keeper_stop(&m.keeper);
	pthread_mutex_destroy(&m.publish_mu);
	node_ctx_free(&ctx);
	return EXIT_OK;
}
