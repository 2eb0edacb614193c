/* voipadmin_cluster_* gauges from /run/voip-ha/monitor.state; see
 * cluster-metrics.h. A scrape renders every gauge one after the other, so
 * the file is read once per scrape (cached for half a second) and every
 * gauge of a scrape comes from the same round of the monitor. A missing,
 * unreadable or stale file (the monitor is not running) reads as
 * voipadmin_cluster_state_ok 0 with every role and state gauge 0. */
#include "daemon/cluster-metrics.h"

#include "lib/monitor-state.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RELOAD_NS 500000000LL
#define STALE_AFTER_S 10 /* the monitor writes once a second */

enum cm_value {
	CM_OK,
	CM_AGE,
	CM_VIP_HELD,
	CM_PEER,
	CM_WITNESS,
	CM_FENCED,
	CM_LAG_BYTES,
	CM_LAG_SECONDS,
	CM_TIMELINE,
	CM_FAILOVERS,
	CM_ROLE,
	CM_SYNC,
};

struct cm_series {
	struct cluster_metrics *cm;
	enum cm_value what;
	const char *match; /* CM_ROLE / CM_SYNC: the state this series is 1 for */
};

struct cluster_metrics {
	pthread_mutex_t lock;
	char *path;
	long long loaded_ns; /* monotonic; 0 never */
	bool ok;
	struct monitor_state st;
	struct cm_series series[32];
	size_t nseries;
};

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void reload(struct cluster_metrics *cm)
{
	struct kv_error err;
	long long t = now_ns(CLOCK_MONOTONIC);

	if (cm->loaded_ns && t - cm->loaded_ns < RELOAD_NS)
		return;
	cm->loaded_ns = t;
	cm->ok = monitor_state_load(cm->path, &cm->st, &err) == 0;
	if (!cm->ok)
		memset(&cm->st, 0, sizeof(cm->st));
}

static double age_seconds(const struct monitor_state *st)
{
	return (double)(now_ns(CLOCK_REALTIME) / 1000000000LL - st->updated);
}

static double value(void *arg)
{
	const struct cm_series *s = arg;
	struct cluster_metrics *cm = s->cm;
	const struct monitor_state *st = &cm->st;
	bool fresh;
	double v = 0;

	pthread_mutex_lock(&cm->lock);
	reload(cm);
	fresh = cm->ok && age_seconds(st) <= STALE_AFTER_S;
	switch (s->what) {
	case CM_OK:
		v = fresh;
		break;
	case CM_AGE:
		v = cm->ok ? age_seconds(st) : -1;
		break;
	case CM_VIP_HELD:
		v = fresh && st->vip_held;
		break;
	case CM_PEER:
		v = fresh && st->peer_reachable;
		break;
	case CM_WITNESS:
		v = fresh && st->witness_reachable;
		break;
	case CM_FENCED:
		v = fresh && st->fenced;
		break;
	case CM_LAG_BYTES:
		v = fresh ? (double)st->lag_bytes : -1;
		break;
	case CM_LAG_SECONDS:
		v = fresh && st->lag_bytes >= 0 ? st->lag_seconds : -1;
		break;
	case CM_TIMELINE:
		v = fresh ? (double)st->timeline : 0;
		break;
	case CM_FAILOVERS:
		v = cm->ok ? (double)st->failovers_total : 0;
		break;
	case CM_ROLE:
		v = fresh && strcmp(st->role, s->match) == 0;
		break;
	case CM_SYNC:
		v = fresh && strcmp(st->sync_state, s->match) == 0;
		break;
	}
	pthread_mutex_unlock(&cm->lock);
	return v;
}

static int add(struct cluster_metrics *cm, struct metrics *m, const char *name, const char *help,
	       const char *labels, enum cm_value what, const char *match)
{
	size_t n = strlen(name);
	bool counter = n > 6 && strcmp(name + n - 6, "_total") == 0;
	struct cm_series *s;

	if (cm->nseries >= sizeof(cm->series) / sizeof(cm->series[0]))
		return -1;
	s = &cm->series[cm->nseries++];
	s->cm = cm;
	s->what = what;
	s->match = match;
	return (counter ? metrics_counter_fn : metrics_gauge_fn)(m, name, help, labels, value, s);
}

struct cluster_metrics *cluster_metrics_register(struct metrics *m, const char *state_path)
{
	static const char *const roles[] = { "primary", "standby", "down" };
	static const char *const syncs[] = { "sync", "degraded", "standby", "down" };
	static const char *const role_labels[] = { "role=\"primary\"", "role=\"standby\"",
						   "role=\"down\"" };
	static const char *const sync_labels[] = { "state=\"sync\"", "state=\"degraded\"",
						   "state=\"standby\"", "state=\"down\"" };
	struct cluster_metrics *cm = calloc(1, sizeof(*cm));
	int r = 0;
	size_t i;

	if (!cm)
		return NULL;
	pthread_mutex_init(&cm->lock, NULL);
	cm->path = strdup(state_path);
	if (!cm->path) {
		cluster_metrics_free(cm);
		return NULL;
	}
	r |= add(cm, m, "voipadmin_cluster_state_ok",
		 "1 when the failover monitor's state is fresh (voip-ha-monitor runs)", "", CM_OK,
		 NULL);
	r |= add(cm, m, "voipadmin_cluster_state_age_seconds",
		 "Age of the failover monitor's state (-1: no state)", "", CM_AGE, NULL);
	for (i = 0; i < 3; i++)
		r |= add(cm, m, "voipadmin_cluster_role",
			 "This node's PostgreSQL role (1 for the current one)", role_labels[i],
			 CM_ROLE, roles[i]);
	r |= add(cm, m, "voipadmin_cluster_vip_held", "1 when this node holds the virtual IP", "",
		 CM_VIP_HELD, NULL);
	for (i = 0; i < 4; i++)
		r |= add(
			cm, m, "voipadmin_cluster_replication_state",
			"Replication as this node sees it (1 for the current state; degraded: asynchronous, "
			"a failover may lose recent commits)",
			sync_labels[i], CM_SYNC, syncs[i]);
	r |= add(cm, m, "voipadmin_cluster_replication_lag_bytes",
		 "Primary: WAL the peer has not replayed yet (-1 unknown)", "", CM_LAG_BYTES, NULL);
	r |= add(cm, m, "voipadmin_cluster_replication_lag_seconds",
		 "Primary: the peer's replay lag (-1 unknown)", "", CM_LAG_SECONDS, NULL);
	r |= add(cm, m, "voipadmin_cluster_timeline",
		 "PostgreSQL timeline of this node's last checkpoint", "", CM_TIMELINE, NULL);
	r |= add(cm, m, "voipadmin_cluster_failovers_total",
		 "Failovers this node recorded (promotions, /var/lib/voip-ha/history)", "",
		 CM_FAILOVERS, NULL);
	r |= add(cm, m, "voipadmin_cluster_peer_reachable", "1 when the peer node answers ICMP", "",
		 CM_PEER, NULL);
	r |= add(cm, m, "voipadmin_cluster_witness_reachable", "1 when the witness answers ICMP",
		 "", CM_WITNESS, NULL);
	r |= add(cm, m, "voipadmin_cluster_fenced",
		 "1 when this node is fenced (waiting for a rebuild)", "", CM_FENCED, NULL);
	if (r) {
		cluster_metrics_free(cm);
		return NULL;
	}
	return cm;
}

void cluster_metrics_free(struct cluster_metrics *cm)
{
	if (!cm)
		return;
	pthread_mutex_destroy(&cm->lock);
	free(cm->path);
	free(cm);
}
