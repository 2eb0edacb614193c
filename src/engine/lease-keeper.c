/* The lease keeper: see lease-keeper.h. */
#include "engine/lease-keeper.h"
#include "engine/failover.h"
#include "engine/history.h"
#include "engine/node-ctx.h"
#include "engine/pg-local.h"
#include "lib/atomic-write.h"
#include "lib/pgwire.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

/* Each call to the local PostgreSQL and to the witness gets part of the
 * renewal period: the profile's local_timeout_ms and witness_timeout_ms
 * (lib/profile.h). */
/* A standby only observes, once a second. */
#define OBSERVE_EVERY_MS 1000

enum lease_view lease_view_of(const struct arbiter_answer *a, const char *local_name)
{
	if (a->granted)
		return LEASE_MINE;
	if (a->holder[0] && strcmp(a->holder, local_name) != 0 && a->remaining > 0)
		return LEASE_PEERS;
	return LEASE_FREE;
}

int vrrp_hold(bool hold)
{
	int fd, r = 0;

	if (mkdir_parents(VRRP_HOLD_FILE, 0755) < 0)
		return -errno;
	/* Written in place, not renamed: keepalived reads the file when it
	 * is closed after writing. */
	fd = open(VRRP_HOLD_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, hold ? "1\n" : "0\n", 2) != 2)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

bool vrrp_held(void)
{
	char c = '0';
	int fd = open(VRRP_HOLD_FILE, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c != '0';
}

int vrrp_unheard_set(const char *why)
{
	size_t n = strlen(why);
	char line[600];

	if (mkdir_parents(VRRP_UNHEARD_FILE, 0755) < 0)
		return -errno;
	snprintf(line, sizeof(line), "%.*s\n", (int)(n > 590 ? 590 : n), why);
	return atomic_write(VRRP_UNHEARD_FILE, line, strlen(line), 0644, AW_KEEP_OWNER, (gid_t)-1,
			    NULL);
}

bool vrrp_unheard(char *why, size_t len)
{
	FILE *f = fopen(VRRP_UNHEARD_FILE, "re");

	if (!f)
		return false;
	if (len && !fgets(why, (int)len, f))
		why[0] = '\0';
	if (len)
		why[strcspn(why, "\n")] = '\0';
	fclose(f);
	return true;
}

void vrrp_unheard_clear(void)
{
	unlink(VRRP_UNHEARD_FILE);
}

/* The local server: is it a primary that answers, and does its peer's
 * standby stream synchronously with a reply in the last 1.5 s (the
 * failsafe's evidence; wal_receiver_status_interval is 1 s)? */
struct local_view {
	bool answers, primary, peer_streams_sync;
};

static void read_local(const struct node_ctx *ctx, struct local_view *v)
{
	char val[16], err[256], sql[400];
	struct pgwire c;

	memset(v, 0, sizeof(*v));
	if (pg_wire_connect_local(&c, "postgres",
				  failover_timing(ctx->cfg.profile)->local_timeout_ms, err,
				  sizeof(err)) < 0)
		goto out;
	if (pgwire_query_value(&c, "SELECT pg_is_in_recovery()::text", val, sizeof(val), err,
			       sizeof(err)) < 0)
		goto out;
	v->answers = true;
	v->primary = strcmp(val, "false") == 0;
	if (!v->primary)
		goto out;
	/* The peer's name is node1 or node2, a fixed word. */
	snprintf(sql, sizeof(sql),
		 "SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE application_name = '%s' "
		 "AND state = 'streaming' AND sync_state = 'sync' "
		 "AND reply_time > now() - interval '1500 ms')::text",
		 ctx->peer_name);
	if (pgwire_query_value(&c, sql, val, sizeof(val), err, sizeof(err)) == 0)
		v->peer_streams_sync = strcmp(val, "true") == 0;
out:
	pgwire_close(&c);
}

static void publish(struct lease_keeper *k)
{
	if (k->publish)
		k->publish(k->publish_arg);
}

static void lose_leadership(struct lease_keeper *k, const char *why)
{
	/* The VIP first (keepalived acts on the file at once), then the
	 * database: both before the witness's expiry. */
	if (vrrp_hold(true) < 0)
		syslog(LOG_ERR, "cannot write %s: %s", VRRP_HOLD_FILE, strerror(errno));
	syslog(LOG_WARNING, "leadership lost (%s): fencing the local primary now", why);
	fence_local_now(k->ctx, why);
}

/* One period on a primary. renew: ask the witness (KEEPER_RENEW), or let
 * the lease lapse (KEEPER_LAPSE: the local primary does not answer). */
static void step_primary(struct lease_keeper *k, const struct local_view *lv, bool renew)
{
	const struct failover_timing *t = failover_timing(k->ctx->cfg.profile);
	struct arbiter_answer ans;
	struct situation s;
	enum primary_action act;
	char why[256], err[256];
	long long sent = lease_clock_ms();
	bool held, peer_host, valid;
	long long term;
	int r = 0;

	pthread_mutex_lock(&k->mu);
	held = k->st.held;
	term = k->st.term;
	peer_host = k->peer_host;
	pthread_mutex_unlock(&k->mu);

	/* A primary that does not answer (hung, crashing) renews nothing,
	 * unless it is planned maintenance (rule_keeper_step). */
	if (renew)
		r = held ? arbiter_renew(&k->arb, term, t->lease_ttl_ms, t->witness_timeout_ms,
					 &ans, err, sizeof(err)) :
			   arbiter_acquire(&k->arb, t->lease_ttl_ms, t->witness_timeout_ms, &ans,
					   err, sizeof(err));
	pthread_mutex_lock(&k->mu);
	if (!renew) {
		k->st.view = LEASE_UNKNOWN;
	} else if (r == 0) {
		k->st.witness_answers = true;
		k->st.last = ans;
		k->st.view = lease_view_of(&ans, k->ctx->local_name);
		if (ans.granted) {
			if (!k->st.held)
				syslog(LOG_NOTICE, "leadership taken on the witness (term %lld)",
				       ans.term);
			k->st.held = true;
			k->st.term = ans.term;
			k->st.valid_until = sent + t->lease_ttl_ms - t->lease_safety_ms;
		} else {
			k->st.held = false;
		}
	} else {
		if (k->st.witness_answers)
			syslog(LOG_WARNING, "the witness does not answer: %s", err);
		k->st.witness_answers = false;
		k->st.view = LEASE_UNKNOWN;
	}
	valid = k->st.held && lease_clock_ms() < k->st.valid_until;
	memset(&s, 0, sizeof(s));
	s.local = PG_PRIMARY;
	s.peer_host = peer_host;
	s.lease = k->st.view;
	s.peer_renewed_ago = k->st.last.renewed_ago;
	s.peer_streams_sync = lv->answers && lv->peer_streams_sync;
	s.alive_ms = t->lease_alive_ms;
	act = rule_primary(&s, valid, why, sizeof(why));
	if (act == PRIMARY_FAILSAFE && !k->st.failsafe)
		syslog(LOG_WARNING, "%s", why);
	k->st.failsafe = act == PRIMARY_FAILSAFE;
	if (act == PRIMARY_FENCE) {
		k->st.held = false;
		k->st.valid_until = 0;
		k->st.failsafe = false;
	}
	pthread_mutex_unlock(&k->mu);
	if (act == PRIMARY_FENCE)
		lose_leadership(k, why);
}

/* One period on a standby (or a node whose PostgreSQL is down). */
static void step_other(struct lease_keeper *k)
{
	const struct failover_timing *t = failover_timing(k->ctx->cfg.profile);
	struct arbiter_answer ans;
	struct situation s;
	char err[256], why[256];
	bool hold_ok;
	int r;

	r = arbiter_observe(&k->arb, t->witness_timeout_ms, &ans, err, sizeof(err));
	pthread_mutex_lock(&k->mu);
	k->st.held = false;
	k->st.valid_until = 0;
	k->st.failsafe = false;
	k->st.witness_answers = r == 0;
	if (r == 0) {
		k->st.last = ans;
		k->st.view = lease_view_of(&ans, k->ctx->local_name);
		/* Observing never grants: a lease of ours is one we lost. */
		if (k->st.view == LEASE_MINE)
			k->st.view = LEASE_FREE;
	} else {
		k->st.view = LEASE_UNKNOWN;
	}
	memset(&s, 0, sizeof(s));
	s.local = PG_STANDBY;
	s.peer_host = k->peer_host;
	s.lease = k->st.view;
	s.peer_renewed_ago = k->st.last.renewed_ago;
	s.alive_ms = t->lease_alive_ms;
	pthread_mutex_unlock(&k->mu);
	/* A hold set by a refused promotion or a fence is lifted once this
	 * node may be a VIP candidate again (the peer is reachable, or its
	 * lease went stale). */
	hold_ok = rule_may_hold_vip(&s, false, false, why, sizeof(why));
	if (hold_ok && vrrp_held() && access(VOIPHA_FENCED, F_OK) != 0 &&
	    access(VRRP_UNHEARD_FILE, F_OK) != 0) {
		if (vrrp_hold(false) == 0)
			syslog(LOG_NOTICE, "VIP hold lifted: this node may take the VIP again");
	}
}

static void *keeper_main(void *arg)
{
	struct lease_keeper *k = arg;
	long long last_observe = 0;
	const long long renew_ms = failover_timing(k->ctx->cfg.profile)->lease_renew_ms;

	while (!k->stop) {
		long long t0 = lease_clock_ms(), spent;
		struct local_view lv;
		struct keeper_view kv;
		enum keeper_step step;
		char why[200];
		bool held, fenced;

		read_local(k->ctx, &lv);
		/* A fenced node (a fence, a switchover) is no primary of ours
		 * any more: whoever fenced it gives the lease back, and its
		 * PostgreSQL stopping is no reason to fence it again (which
		 * would stop the standby a rebuild is starting). */
		fenced = access(VOIPHA_FENCED, F_OK) == 0;
		pthread_mutex_lock(&k->mu);
		if (fenced && k->st.held) {
			k->st.held = false;
			k->st.valid_until = 0;
			k->st.failsafe = false;
		}
		held = k->st.held;
		pthread_mutex_unlock(&k->mu);
		kv = (struct keeper_view){ .fenced = fenced,
					   .answers = lv.answers,
					   .primary = lv.primary,
					   .held = held,
					   .maintenance = in_maintenance() };
		step = rule_keeper_step(&kv, why, sizeof(why));
		/* Said once when planned maintenance starts carrying the
		 * leadership of a primary that does not answer as one. */
		if ((step == KEEPER_RENEW && !(lv.answers && lv.primary)) != k->maintenance_renew) {
			k->maintenance_renew = !k->maintenance_renew;
			if (k->maintenance_renew)
				syslog(LOG_NOTICE, "%s", why);
		}
		if (step != KEEPER_OBSERVE) {
			step_primary(k, &lv, step == KEEPER_RENEW);
			publish(k);
		} else if (t0 - last_observe >= OBSERVE_EVERY_MS) {
			last_observe = t0;
			step_other(k);
			publish(k);
		}
		/* systemd's watchdog (voip-ha-monitor.service) is fed by the
		 * keeper only: a keeper that stops renewing gets the monitor
		 * killed, and its ExecStopPost fences the primary. */
		sd_notify(0, "WATCHDOG=1");
		spent = lease_clock_ms() - t0;
		if (spent < renew_ms && !k->stop)
			usleep((useconds_t)(renew_ms - spent) * 1000);
	}
	return NULL;
}

int lease_keeper_start(struct lease_keeper *k, const struct node_ctx *ctx,
		       void (*publish_fn)(void *), void *arg)
{
	int r;

	memset(k, 0, sizeof(*k));
	k->ctx = ctx;
	k->publish = publish_fn;
	k->publish_arg = arg;
	k->st.view = LEASE_OFF;
	k->st.last.renewed_ago = -1;
	pthread_mutex_init(&k->mu, NULL);
	if (arbiter_init(&k->arb, ctx) < 0)
		return 0; /* no arbiter: nothing to keep */
	k->st.arbiter_on = true;
	k->st.view = LEASE_UNKNOWN;
	k->peer_host = true;
	/* pg_euid_enter looks the postgres ids up once: before any thread. */
	pg_euid_leave(pg_euid_enter());
	r = pthread_create(&k->thread, NULL, keeper_main, k);
	if (r != 0)
		return -r;
	k->running = true;
	return 0;
}

void lease_keeper_stop(struct lease_keeper *k)
{
	if (k->running) {
		k->stop = 1;
		pthread_join(k->thread, NULL);
		k->running = false;
	}
	arbiter_close(&k->arb);
	pthread_mutex_destroy(&k->mu);
}

void lease_keeper_snapshot(struct lease_keeper *k, struct lease_snapshot *out)
{
	pthread_mutex_lock(&k->mu);
	*out = k->st;
	pthread_mutex_unlock(&k->mu);
}

void lease_keeper_set_peer_host(struct lease_keeper *k, bool up)
{
	pthread_mutex_lock(&k->mu);
	k->peer_host = up;
	pthread_mutex_unlock(&k->mu);
}
