/* voipadmin_backup_* and voipadmin_archive_* from backup.state; see
 * backup-metrics.h. As for the cluster gauges, the file is read once per
 * scrape (cached for half a second), so every series of a scrape comes
 * from the same refresh. A stale file (the refresh timer does not run)
 * still gives the backups' times (they are absolute) but the archive lag
 * reads -1 (unknown). */
#include "daemon/backup-metrics.h"

#include "lib/backup-state.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RELOAD_NS 500000000LL

enum bm_value {
	BM_AGE,
	BM_REPO_OK,
	BM_RUNNING,
	BM_BACKUPS,
	BM_RESTORABLE,
	BM_LAST_TIME,
	BM_LAST_SIZE,
	BM_LAST_DURATION,
	BM_MAX_AGE_ANY,
	BM_MAX_AGE_FULL,
	BM_LAG_BYTES,
	BM_LAG_SECONDS,
	BM_ARCHIVED,
	BM_FAILED,
	BM_ARCHIVED_TIME,
	BM_FAILED_TIME,
};

struct bm_series {
	struct backup_metrics *bm;
	enum bm_value what;
	enum backup_type type; /* BM_LAST_* */
};

struct backup_metrics {
	pthread_mutex_t lock;
	char *path;
	long long loaded_ns; /* monotonic; 0 never */
	bool ok;
	struct backup_state st;
	struct bm_series series[32];
	size_t nseries;
};

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void reload(struct backup_metrics *bm)
{
	struct kv_error err;
	long long t = mono_ns();

	if (bm->loaded_ns && t - bm->loaded_ns < RELOAD_NS)
		return;
	bm->loaded_ns = t;
	bm->ok = backup_state_load(bm->path, &bm->st, &err) == 0;
}

static double value(void *arg)
{
	const struct bm_series *s = arg;
	struct backup_metrics *bm = s->bm;
	const struct backup_state *st = &bm->st;
	struct backup_last l;
	long long age;
	double v = NAN;

	pthread_mutex_lock(&bm->lock);
	reload(bm);
	if (!bm->ok)
		goto out;
	age = (long long)time(NULL) - st->updated;
	backup_state_last(st, s->type, &l);
	switch (s->what) {
	case BM_AGE:
		v = (double)age;
		break;
	case BM_REPO_OK:
		v = st->repo_ok ? 1 : 0;
		break;
	case BM_RUNNING:
		v = st->backup_running ? 1 : 0;
		break;
	case BM_BACKUPS:
		v = (double)st->backups;
		break;
	case BM_RESTORABLE:
		v = (double)st->restorable_from;
		break;
	case BM_LAST_TIME:
		v = (double)l.stop;
		break;
	case BM_LAST_SIZE:
		v = (double)l.size;
		break;
	case BM_LAST_DURATION:
		v = l.stop ? (double)(l.stop - l.start) : 0;
		break;
	case BM_MAX_AGE_ANY:
		v = (double)st->max_age_any;
		break;
	case BM_MAX_AGE_FULL:
		v = (double)st->max_age_full;
		break;
	case BM_LAG_BYTES:
		v = age <= BACKUP_STATE_STALE ? (double)st->lag_bytes : -1;
		break;
	case BM_LAG_SECONDS:
		v = age <= BACKUP_STATE_STALE ? (double)st->lag_seconds : -1;
		break;
	case BM_ARCHIVED:
		v = (double)st->archived_count;
		break;
	case BM_FAILED:
		v = (double)st->failed_count;
		break;
	case BM_ARCHIVED_TIME:
		v = (double)st->archived_time;
		break;
	case BM_FAILED_TIME:
		v = (double)st->failed_time;
		break;
	}
out:
	pthread_mutex_unlock(&bm->lock);
	return v;
}

static int add(struct backup_metrics *bm, struct metrics *m, const char *name, const char *help,
	       const char *labels, enum bm_value what, enum backup_type type)
{
	size_t n = strlen(name);
	bool counter = n > 6 && strcmp(name + n - 6, "_total") == 0;
	struct bm_series *s;

	if (bm->nseries >= sizeof(bm->series) / sizeof(bm->series[0]))
		return -1;
	s = &bm->series[bm->nseries++];
	s->bm = bm;
	s->what = what;
	s->type = type;
	return (counter ? metrics_counter_fn : metrics_gauge_fn)(m, name, help, labels, value, s);
}

struct backup_metrics *backup_metrics_register(struct metrics *m, const char *state_path)
{
	static const char *const type_labels[BACKUP_TYPES] = { "type=\"full\"", "type=\"diff\"",
							       "type=\"incr\"" };
	struct backup_metrics *bm = calloc(1, sizeof(*bm));
	int r = 0;

	if (!bm)
		return NULL;
	pthread_mutex_init(&bm->lock, NULL);
	bm->path = strdup(state_path);
	if (!bm->path) {
		backup_metrics_free(bm);
		return NULL;
	}
	r |= add(bm, m, "voipadmin_backup_state_age_seconds",
		 "Age of the backup state (voip-ha backup-refresh, every minute)", "", BM_AGE,
		 BACKUP_FULL);
	r |= add(bm, m, "voipadmin_backup_repository_ok",
		 "1 when the backup repository answered the last time it was asked", "", BM_REPO_OK,
		 BACKUP_FULL);
	r |= add(bm, m, "voipadmin_backup_running", "1 while a backup runs", "", BM_RUNNING,
		 BACKUP_FULL);
	r |= add(bm, m, "voipadmin_backup_repository_backups", "Backups in the repository", "",
		 BM_BACKUPS, BACKUP_FULL);
	r |= add(bm, m, "voipadmin_backup_restorable_from_timestamp_seconds",
		 "The earliest point a restore reaches (end of the oldest backup; 0 none)", "",
		 BM_RESTORABLE, BACKUP_FULL);
	for (int t = 0; t < BACKUP_TYPES; t++) {
		r |= add(bm, m, "voipadmin_backup_last_success_timestamp_seconds",
			 "End of the newest backup of this type in the repository (0 none)",
			 type_labels[t], BM_LAST_TIME, (enum backup_type)t);
		r |= add(bm, m, "voipadmin_backup_last_size_bytes",
			 "Database size of the newest backup of this type (0 none)", type_labels[t],
			 BM_LAST_SIZE, (enum backup_type)t);
		r |= add(bm, m, "voipadmin_backup_last_duration_seconds",
			 "How long the newest backup of this type took (0 none)", type_labels[t],
			 BM_LAST_DURATION, (enum backup_type)t);
	}
	r |= add(bm, m, "voipadmin_backup_max_age_seconds",
		 "The schedule's limit on the age of the newest backup (any: daily, full: weekly)",
		 "type=\"any\"", BM_MAX_AGE_ANY, BACKUP_FULL);
	r |= add(bm, m, "voipadmin_backup_max_age_seconds",
		 "The schedule's limit on the age of the newest backup (any: daily, full: weekly)",
		 "type=\"full\"", BM_MAX_AGE_FULL, BACKUP_FULL);
	r |= add(bm, m, "voipadmin_archive_lag_bytes",
		 "Primary: WAL written but not in the repository yet (-1 unknown or a standby)", "",
		 BM_LAG_BYTES, BACKUP_FULL);
	r |= add(
		bm, m, "voipadmin_archive_lag_seconds",
		"Primary: while WAL waits, seconds since the repository last took some (-1 unknown)",
		"", BM_LAG_SECONDS, BACKUP_FULL);
	r |= add(bm, m, "voipadmin_archive_archived_total",
		 "WAL files this node archived (pg_stat_archiver)", "", BM_ARCHIVED, BACKUP_FULL);
	r |= add(bm, m, "voipadmin_archive_failures_total",
		 "Failed attempts to archive a WAL file (pg_stat_archiver)", "", BM_FAILED,
		 BACKUP_FULL);
	r |= add(bm, m, "voipadmin_archive_last_success_timestamp_seconds",
		 "When the repository last took a WAL file from this node (0 never)", "",
		 BM_ARCHIVED_TIME, BACKUP_FULL);
	r |= add(bm, m, "voipadmin_archive_last_failure_timestamp_seconds",
		 "When archiving a WAL file last failed on this node (0 never)", "", BM_FAILED_TIME,
		 BACKUP_FULL);
	if (r) {
		backup_metrics_free(bm);
		return NULL;
	}
	return bm;
}

void backup_metrics_free(struct backup_metrics *bm)
{
	if (!bm)
		return;
	pthread_mutex_destroy(&bm->lock);
	free(bm->path);
	free(bm);
}
