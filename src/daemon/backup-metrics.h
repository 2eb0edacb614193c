/* Backups and WAL archiving on /metrics: the voipadmin_backup_* and
 * voipadmin_archive_* series, read from `voip-ha backup-refresh`'s state
 * file (lib/backup-state.h). No file (backup=none, or not refreshed yet):
 * none of these series appears. */
#ifndef VOIPHA_DAEMON_BACKUP_METRICS_H
#define VOIPHA_DAEMON_BACKUP_METRICS_H

#include "daemon/metrics.h"

struct backup_metrics;

/* Registers the series, reading state_path at most twice a second. NULL
 * when out of memory. */
struct backup_metrics *backup_metrics_register(struct metrics *m, const char *state_path);
void backup_metrics_free(struct backup_metrics *bm);

#endif
