/* voip-ha notify TYPE NAME STATE [PRIORITY]: keepalived's notify script.
 *
 * Every transition is logged (syslog, so the journal has it, and stderr),
 * recorded in /var/lib/voip-ha/state and in the failover history. The
 * actions run one at a time (a lock) and only for the newest transition: a
 * handler that waited behind an older one and finds a newer state recorded
 * does nothing. Actions per state (doc/DESIGN.md, "Failover"):
 *   MASTER   refuse when this node is cut off (witness configured, neither
 *            it nor the peer answers); wait (bounded) while the peer's
 *            PostgreSQL is still a primary that is fencing itself; promote
 *            the local standby (confirmed: pg_promote waits); replication
 *            becomes asynchronous until the peer streams again (the
 *            monitor restores synchronous mode); ensure the peer's slot.
 *            A refused promotion is recorded (action=) and `voip-ha check`
 *            then fails, so keepalived gives the VIP back;
 *   BACKUP, FAULT, STOP
 *            the local primary is fenced (stopped, marker, rebuild started)
 *            when should_fence() says so; FAULT also logs diagnostics.
 * Exit 0 unless an action failed; 2 for unexpected arguments. */
#include "engine/boot.h"
#include "engine/pg-probe.h"
#include "engine/pg-session.h"
#include "cli/cli.h"
#include "engine/failover.h"
#include "engine/history.h"
#include "engine/lease-keeper.h"
#include "engine/rules.h"
#include "engine/pgctl.h"
#include "engine/unit-state.h"
#include "lib/atomic-write.h"
#include "lib/profile.h"
#include "lib/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define STATE_FILE VOIPHA_STATE_DIR "/state"
#define LOCK_FILE VOIPHA_STATE_DIR "/notify.lock"
/* How long MASTER waits for a peer that is still a primary to fence
 * itself (its check fails within ~2 s; stopping PostgreSQL takes ~1 s):
 * the profile's peer_fence_wait_ms (20 s standard, 4 s fast). */

static const char usage_text[] =
	"usage: voip-ha notify [--config FILE] INSTANCE|GROUP NAME MASTER|BACKUP|FAULT|STOP [PRIORITY]\n"
	"Called by keepalived on every VRRP state change.\n";

static void logmsg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logmsg(int prio, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	syslog(prio, "%s", buf);
	fprintf(stderr, "voip-ha: notify: %s\n", buf);
}

/* keepalived passes names it read from its own config; still, nothing
 * unexpected goes into our log or state file. */
static bool token_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(ch >= '0' && ch <= '9') && !(ch >= 'A' && ch <= 'Z') &&
		    !(ch >= 'a' && ch <= 'z') && ch != '_' && ch != '-' && ch != '.')
			return false;
	}
	return true;
}

static bool state_known(const char *s)
{
	return strcmp(s, "MASTER") == 0 || strcmp(s, "BACKUP") == 0 || strcmp(s, "FAULT") == 0 ||
	       strcmp(s, "STOP") == 0;
}

struct transition {
	const char *type, *name, *state, *prio;
	char prev[16]; /* the state recorded before this one */
	long long seq; /* nanosecond stamp: which transition is newer */
};

/* leader_until: with an arbiter, after a promotion, until when (on
 * lease_clock_ms()) the leadership notify took is valid: the health check
 * accepts it until the monitor's lease keeper publishes its own (0: none). */
static int write_state_lease(const struct transition *t, const char *action, long long leader_until)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	r = sb_addf(
		&sb,
		"type=%s\nname=%s\nstate=%s\npriority=%s\nsince=%lld\nseq=%lld\nprevious=%s\naction=%s\n",
		t->type, t->name, t->state, t->prio, (long long)time(NULL), t->seq, t->prev,
		action);
	if (r == 0 && leader_until > 0)
		r = sb_addf(&sb, "leader_until=%lld\n", leader_until);
	if (r == 0)
		r = mkdir_parents(STATE_FILE, 0755);
	if (r == 0)
		r = atomic_write(STATE_FILE, sb_str(&sb), sb.len, 0644, AW_KEEP_OWNER, (gid_t)-1,
				 NULL);
	sb_release(&sb);
	return r;
}

static int write_state(const struct transition *t, const char *action)
{
	return write_state_lease(t, action, 0);
}

/* state= and seq= of the state file ("" / 0 when absent or recorded
 * before this boot). */
static void read_state(char *state, size_t len, long long *seq)
{
	char line[128];
	FILE *f = fopen(STATE_FILE, "re");
	long long since = 0;

	state[0] = '\0';
	*seq = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "state=", 6) == 0)
			snprintf(state, len, "%.15s", line + 6);
		else if (strncmp(line, "seq=", 4) == 0)
			*seq = strtoll(line + 4, NULL, 10);
		else if (strncmp(line, "since=", 6) == 0)
			since = strtoll(line + 6, NULL, 10);
	}
	fclose(f);
	if (since < boot_time())
		state[0] = '\0';
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Waits while the peer answers as a primary; true when it stopped being one. */
static bool wait_peer_not_primary(const struct node_ctx *ctx)
{
	const int poll_ms = failover_timing(ctx->cfg.profile)->peer_poll_ms;
	struct timespec t0, now;
	struct pg_probe peer;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (pg_probe(ctx, ctx->peer_addr, 1, &peer) != 0 || !peer.primary)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 >
		    failover_timing(ctx->cfg.profile)->peer_fence_wait_ms)
			return false;
		usleep((useconds_t)poll_ms * 1000);
	}
}

static int ensure_local_slot(PGconn *c, const struct node_ctx *ctx)
{
	char v[16], err[512];
	int r;

	r = pg_query_value(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1",
			   ctx->slot_for_peer, v, sizeof(v), err, sizeof(err));
	if (r == -ENOENT) {
		r = pg_query_value(c, "SELECT 1 FROM pg_create_physical_replication_slot($1, true)",
				   ctx->slot_for_peer, v, sizeof(v), err, sizeof(err));
		if (r == 0)
			logmsg(LOG_INFO, "created replication slot %s for %s", ctx->slot_for_peer,
			       ctx->peer_name);
	}
	if (r < 0)
		logmsg(LOG_ERR, "cannot ensure replication slot %s: %s", ctx->slot_for_peer, err);
	return r;
}

/* With an arbiter, promotion needs the leadership: take it on the witness,
 * waiting while a dead holder's lease runs out, and ask rule_promote()
 * about every answer. Without one, PROMOTE (the two-node rules below). */
static enum promote_action take_leadership(const struct node_ctx *ctx,
					   const struct reachability *reach, long long *valid_until,
					   char *why, size_t len)
{
	const struct failover_timing *tm = failover_timing(ctx->cfg.profile);
	long long deadline = lease_clock_ms() + tm->lease_ttl_ms + 1500;
	struct arbiter_answer ans;
	enum promote_action act;
	struct situation s;
	struct arbiter a;
	char err[256];
	int r;

	if (arbiter_init(&a, ctx) < 0)
		return PROMOTE;
	for (;;) {
		long long pause = tm->lease_renew_ms / 4, sent = lease_clock_ms();

		r = arbiter_acquire(&a, tm->lease_ttl_ms, 500, &ans, err, sizeof(err));
		if (r == 0 && ans.granted)
			*valid_until = sent + tm->lease_ttl_ms - tm->lease_safety_ms;
		memset(&s, 0, sizeof(s));
		s.local = PG_STANDBY;
		s.peer_host = reach->peer;
		s.witness_configured = reach->has_witness;
		s.witness_host = reach->witness;
		s.lease = r < 0 ? LEASE_UNKNOWN : lease_view_of(&ans, ctx->local_name);
		s.peer_renewed_ago = r < 0 ? -1 : ans.renewed_ago;
		s.alive_ms = tm->lease_alive_ms;
		act = rule_promote(&s, why, len);
		if (r < 0)
			snprintf(why, len, "the witness does not answer: %.200s", err);
		/* A witness that did not answer gets until the deadline too. */
		if (act == PROMOTE || (act == PROMOTE_REFUSE && r == 0) ||
		    lease_clock_ms() >= deadline)
			break;
		if (r == 0 && ans.remaining > 0)
			pause = ans.remaining < 2 * pause ? ans.remaining + 20 : 2 * pause;
		usleep((useconds_t)pause * 1000);
	}
	arbiter_close(&a);
	if (act == PROMOTE)
		logmsg(LOG_WARNING, "MASTER: leadership taken on the witness (term %lld)",
		       ans.term);
	return act == PROMOTE ? PROMOTE : PROMOTE_REFUSE;
}

/* The peer handed over on purpose (voip-ha switchover recorded it in the
 * data this node replayed, within the last two minutes). */
static bool planned_handover(const struct node_ctx *ctx)
{
	PGconn *c = pg_connect_local(VOIPHA_DB, 3);
	char v[8] = "", err[256];
	bool planned;

	planned = c && PQstatus(c) == CONNECTION_OK &&
		  pg_query_value(c,
				 "SELECT 'yes' FROM voip.ha_event WHERE event = 'switchover' "
				 "AND node = $1 AND at > now() - interval '2 minutes' LIMIT 1",
				 ctx->peer_name, v, sizeof(v), err, sizeof(err)) == 0 &&
		  strcmp(v, "yes") == 0;
	PQfinish(c);
	return planned;
}

/* The fast profile: a MASTER refused while the peer is a live primary it
 * reaches would take the VIP again within a second (0.2 s adverts it does
 * not hear): the VIP stays held, with the reason, until the monitor hears
 * the peer's VRRP again or sees it stop being a primary. */
static void hold_unheard(const struct node_ctx *ctx)
{
	char why[512];

	if (!failover_timing(ctx->cfg.profile)->hold_when_unheard)
		return;
	snprintf(why, sizeof(why),
		 "VRRP MASTER while %s (%s) is a live primary this node reaches: %s's VRRP "
		 "adverts do not arrive here (a firewall dropping VRRP, IP protocol 112, from "
		 "%s? a different failover_profile, VRRP version or router id on %s?); the VIP "
		 "is held back until they arrive or %s stops being a primary",
		 ctx->peer_name, ctx->peer_addr, ctx->peer_name, ctx->peer_addr, ctx->peer_name,
		 ctx->peer_name);
	if (vrrp_unheard_set(why) < 0 || vrrp_hold(true) < 0)
		logmsg(LOG_ERR, "cannot write %s or %s", VRRP_UNHEARD_FILE, VRRP_HOLD_FILE);
	else
		logmsg(LOG_ERR, "%s", why);
}

/* pg_promote without its wait, then pg_is_in_recovery() every 10 ms:
 * pg_promote(true) looks every 100 ms. 0 once promoted. */
static int promote_polled(PGconn *c, char *err, size_t len)
{
	char v[16];
	int i;

	if (pg_query_value(c, "SELECT pg_promote(false)::text", NULL, v, sizeof(v), err, len) < 0)
		return -1;
	if (strcmp(v, "true") != 0) {
		snprintf(err, len, "pg_promote returned %s", v);
		return -1;
	}
	for (i = 0; i < 6000; i++) {
		if (pg_query_value(c, "SELECT pg_is_in_recovery()::text", NULL, v, sizeof(v), err,
				   len) < 0)
			return -1;
		if (strcmp(v, "false") == 0)
			return 0;
		usleep(10 * 1000);
	}
	snprintf(err, len, "still in recovery 60 s after pg_promote");
	return -1;
}

/* Promotes the local standby; the fast profile first makes replication
 * asynchronous on it (ALTER SYSTEM works on a standby; the reload follows
 * the promotion on the same connection), so the new primary's first
 * commits do not wait for the peer that is gone. */
static int promote(const struct node_ctx *ctx, PGconn *c, bool *async, char *err, size_t len)
{
	char v[16];

	err[0] = '\0';
	*async = false;
	if (!failover_timing(ctx->cfg.profile)->async_before_promote) {
		if (pg_query_value(c, "SELECT pg_promote(true, 60)::text", NULL, v, sizeof(v), err,
				   len) < 0)
			return -1;
		if (strcmp(v, "true") != 0) {
			snprintf(err, len, "pg_promote returned false");
			return -1;
		}
		return 0;
	}
	/* Written now, read by the reload after the promotion: a reload
	 * signalled together with the promotion was seen to delay it. */
	if (pg_exec(c, "ALTER SYSTEM SET synchronous_standby_names = ''", err, len) < 0)
		logmsg(LOG_ERR, "cannot make replication asynchronous before promoting: %s", err);
	else
		*async = true;
	if (promote_polled(c, err, len) < 0)
		return -1;
	if (*async && pg_exec(c, "SELECT pg_reload_conf()", err, len) < 0) {
		logmsg(LOG_ERR, "cannot reload after promoting: %s", err);
		*async = false;
	}
	return 0;
}

static int on_master(const struct node_ctx *ctx, const struct transition *t)
{
	const struct failover_timing *tm = failover_timing(ctx->cfg.profile);
	char v[16], err[512];
	struct reachability reach;
	PGconn *c;
	int r = EXIT_FAIL;

	/* A cut-off node must not become a second primary: its peer, which
	 * still reaches the witness, is the one to take over. */
	if (probe_reachability_every(ctx, tm->reach_tries, tm->reach_interval_ms, &reach) < 0)
		reach.peer = true; /* cannot tell: wait for its PostgreSQL below */
	else if (reach_isolated(&reach)) {
		logmsg(LOG_ERR,
		       "MASTER, but neither %s nor the witness %s answers: this node is cut off, "
		       "not promoting",
		       ctx->peer_name, ctx->witness);
		write_state(t, "promotion-refused");
		history_add("failover", "refused", "cut off from %s and the witness",
			    ctx->peer_name);
		return EXIT_FAIL;
	}
	c = pg_connect_local("postgres", 5);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		logmsg(LOG_ERR, "MASTER but the local PostgreSQL is not reachable: %s",
		       pg_errmsg(c));
		history_add("failover", "failed", "local PostgreSQL not reachable");
		goto out;
	}
	if (pg_query_value(c, "SELECT pg_is_in_recovery()::text", NULL, v, sizeof(v), err,
			   sizeof(err)) < 0) {
		logmsg(LOG_ERR, "cannot ask PostgreSQL for its role: %s", err);
		goto out;
	}
	if (strcmp(v, "true") == 0) {
		struct timespec t0, t1;
		long long leader_until = 0;
		bool async = false;
		char why[256];
		bool arbiter = ctx->cfg.arbiter_kind == ARBITER_POSTGRESQL;

		if (arbiter &&
		    take_leadership(ctx, &reach, &leader_until, why, sizeof(why)) != PROMOTE) {
			logmsg(LOG_ERR,
			       "MASTER, but no leadership: %s; not promoting, the VIP goes back",
			       why);
			write_state(t, "promotion-refused");
			if (vrrp_hold(true) < 0)
				logmsg(LOG_ERR, "cannot write %s", VRRP_HOLD_FILE);
			if (reach.peer && peer_is_live_primary(ctx) == 1)
				hold_unheard(ctx);
			history_add("failover", "refused", "%s", why);
			goto out;
		}
		/* A peer host that does not answer has no primary to wait for:
		 * no need to spend a connect timeout on it. With the
		 * leadership taken, the old holder stopped being writable on
		 * its own clock before its lease ran out. */
		if (!arbiter && reach.peer && !wait_peer_not_primary(ctx)) {
			logmsg(LOG_ERR,
			       "MASTER, but %s (%s) is still a live primary after %d s: not promoting "
			       "(no second primary); the health check now fails so keepalived gives the VIP back",
			       ctx->peer_name, ctx->peer_addr, tm->peer_fence_wait_ms / 1000);
			write_state(t, "promotion-refused");
			hold_unheard(ctx);
			history_add("failover", "refused", "%s is still a primary", ctx->peer_name);
			goto out;
		}
		logmsg(LOG_WARNING, "MASTER: promoting the local PostgreSQL standby");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (promote(ctx, c, &async, err, sizeof(err)) < 0) {
			logmsg(LOG_ERR, "promotion failed: %s", err);
			history_add("failover", "failed", "pg_promote: %s", err);
			goto out;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* For the health check: a primary now, with the leadership this
		 * handler took until the lease keeper publishes its own. */
		if (write_state_lease(t, "promoted", leader_until) < 0)
			logmsg(LOG_ERR, "cannot write %s", STATE_FILE);
		/* The peer is gone (that is why this node is MASTER) and this
		 * node is not cut off: commits must not wait for it (the fast
		 * profile did this before promoting). */
		PQfinish(c);
		c = NULL;
		if (!async && set_sync_standby(ctx, false, err, sizeof(err)) < 0)
			logmsg(LOG_ERR, "cannot make replication asynchronous: %s", err);
		logmsg(LOG_WARNING, "PostgreSQL promoted in %ld ms: this node is the primary",
		       (long)((t1.tv_sec - t0.tv_sec) * 1000 +
			      (t1.tv_nsec - t0.tv_nsec) / 1000000));
		if (planned_handover(ctx)) {
			history_add("switchover", "ok", "%s promoted: planned switchover from %s",
				    ctx->local_name, ctx->peer_name);
		} else {
			history_add("failover", "ok", "%s promoted (%s was %s)", ctx->local_name,
				    ctx->peer_name, reach.peer ? "reachable" : "unreachable");
			run_alert(ctx, "failover", "promoted");
		}
		c = pg_connect_local("postgres", 5);
		if (!c || PQstatus(c) != CONNECTION_OK) {
			logmsg(LOG_ERR, "cannot reconnect after promotion: %s", pg_errmsg(c));
			goto out;
		}
	}
	r = ensure_local_slot(c, ctx) < 0 ? EXIT_FAIL : EXIT_OK;
out:
	PQfinish(c);
	return r;
}

/* What a FAULT leaves in the journal for whoever looks later. */
static void log_diagnostics(const struct node_ctx *ctx)
{
	static const char *const units[] = { "postgresql.service", "kamailio.service",
					     "voip-admin.service", "keepalived.service", NULL };
	char why[256] = "every unit active", unit[64], err[256], v[256];
	const char *list[3] = { unit, NULL, NULL };
	struct statvfs sv;
	PGconn *c;

	pg_unit_name(ctx, unit, sizeof(unit));
	if (units_all_active(list, why, sizeof(why)) == 0)
		snprintf(why, sizeof(why), "%s active", unit);
	logmsg(LOG_WARNING, "FAULT diagnostics: %s", why);
	why[0] = '\0';
	if (units_all_active(units + 1, why, sizeof(why)) == 0)
		snprintf(why, sizeof(why), "kamailio, voip-admin, keepalived active");
	logmsg(LOG_WARNING, "FAULT diagnostics: %s", why);
	c = pg_connect_local("postgres", 2);
	if (c && PQstatus(c) == CONNECTION_OK &&
	    pg_query_value(
		    c,
		    "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END "
		    "|| ', timeline ' || " PG_TIMELINE_SQL " "
		    "|| ', lag ' || coalesce((SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))::text "
		    "FROM pg_stat_replication WHERE NOT pg_is_in_recovery()), "
		    "extract(epoch FROM now() - pg_last_xact_replay_timestamp())::int::text || ' s', 'unknown')",
		    NULL, v, sizeof(v), err, sizeof(err)) == 0)
		logmsg(LOG_WARNING, "FAULT diagnostics: PostgreSQL %s", v);
	else
		logmsg(LOG_WARNING, "FAULT diagnostics: PostgreSQL not reachable: %s",
		       pg_errmsg(c));
	PQfinish(c);
	if (statvfs(ctx->datadir, &sv) == 0)
		logmsg(LOG_WARNING, "FAULT diagnostics: %s: %.1f GiB free of %.1f GiB",
		       ctx->datadir, (double)sv.f_bavail * sv.f_frsize / 1073741824.0,
		       (double)sv.f_blocks * sv.f_frsize / 1073741824.0);
}

static int on_leaving(const struct node_ctx *ctx, const struct transition *t)
{
	bool left_master = strcmp(t->prev, "MASTER") == 0 || strcmp(t->state, "STOP") == 0;
	char why[512];

	if (strcmp(t->state, "FAULT") == 0) {
		log_diagnostics(ctx);
		/* A FAULT straight after start (never MASTER) still means this
		 * node must not serve: treat a primary here as leaving too. */
		left_master = true;
		run_alert(ctx, "fault", t->prev[0] ? t->prev : "start");
	}
	if (!should_fence(ctx, left_master, why, sizeof(why))) {
		logmsg(LOG_INFO, "%s: not fencing: %s", t->state, why);
		return EXIT_OK;
	}
	logmsg(LOG_WARNING, "%s: fencing the local primary: %s", t->state, why);
	write_state(t, "fenced");
	return fence_local(ctx, why) == 0 ? EXIT_OK : EXIT_FAIL;
}

int cmd_notify(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	struct transition t;
	struct node_ctx ctx;
	char latest[16];
	long long latest_seq;
	int i = 1, r, lock;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (argc >= 3 && strcmp(argv[1], "--config") == 0) {
		config = argv[2];
		i = 3;
	}
	if (argc - i < 3 || argc - i > 4) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	memset(&t, 0, sizeof(t));
	t.type = argv[i];
	t.name = argv[i + 1];
	t.state = argv[i + 2];
	t.prio = argc - i == 4 ? argv[i + 3] : "";
	openlog("voip-ha-notify", LOG_PID, LOG_DAEMON);
	if (!token_ok(t.type, 16) || !token_ok(t.name, 64) || !state_known(t.state) ||
	    (t.prio[0] && !token_ok(t.prio, 8))) {
		logmsg(LOG_ERR, "ignoring a notification with unexpected arguments");
		return EXIT_USAGE;
	}
	logmsg(LOG_NOTICE, "%s %s %s priority %s", t.type, t.name, t.state,
	       t.prio[0] ? t.prio : "-");
	read_state(t.prev, sizeof(t.prev), &latest_seq);
	t.seq = now_ns();
	r = write_state(&t, "none");
	if (r < 0)
		logmsg(LOG_ERR, "cannot write %s: %s", STATE_FILE, strerror(-r));
	history_add("transition", "ok", "%s -> %s", t.prev[0] ? t.prev : "start", t.state);

	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	/* One handler at a time; the lock is released when we exit. */
	lock = open(LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		logmsg(LOG_ERR, "cannot lock %s: %s", LOCK_FILE, strerror(errno));
		node_ctx_free(&ctx);
		return EXIT_FAIL;
	}
	read_state(latest, sizeof(latest), &latest_seq);
	if (latest_seq != t.seq) {
		logmsg(LOG_INFO, "%s superseded by a newer transition (%s): nothing to do", t.state,
		       latest);
		r = EXIT_OK;
	} else if (strcmp(t.state, "MASTER") == 0) {
		r = on_master(&ctx, &t);
	} else {
		r = on_leaving(&ctx, &t);
	}
	close(lock);
	node_ctx_free(&ctx);
	return r;
}
