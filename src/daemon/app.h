/* The daemon's shared state, handed to every request handler. No globals:
 * main() owns one struct app. */
#ifndef VOIPADMIN_APP_H
#define VOIPADMIN_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon/backup-metrics.h"
#include "daemon/cluster-metrics.h"
#include "daemon/config.h"

struct db_pool;
struct metrics;
struct cdr_ingest;
struct dircache;
struct ratelimit;
struct health;

/* The settings a SIGHUP may change while running (copied out under a lock
 * per request: cheaper and simpler than reference-counting configs). */
struct settings {
	unsigned char admin_key_sha256[32];
	unsigned char freeswitch_key_sha256[32];
	size_t max_body_bytes;
	unsigned directory_cache_ms;
	size_t health_max_backlog;
};

struct app {
	const struct admin_config *cfg; /* as loaded at start; lives until exit */
	pthread_mutex_t settings_lock;
	struct settings settings;
	struct db_pool *db;
	struct metrics *metrics;
	struct cdr_ingest *cdr; /* CDR ingestion (src/daemon/cdr/) */
	struct dircache *dircache;
	struct ratelimit *ratelimit;
	struct health *health;
	struct cluster_metrics *cluster; /* voipadmin_cluster_* gauges */
	struct backup_metrics *backup;   /* voipadmin_backup_*, voipadmin_archive_* */
	atomic_bool stopping;
};

void app_settings_from_config(struct settings *s, const struct admin_config *cfg);
/* Snapshot of the current settings. */
void app_settings_get(struct app *app, struct settings *out);
void app_settings_set(struct app *app, const struct settings *in);

#endif
