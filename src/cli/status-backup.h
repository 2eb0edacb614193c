/* voip-ha status's backup section (doc/DESIGN.md, "Backups": what status
 * shows): the repository's view and the schedule from backup.state
 * (lib/backup-state.h, refreshed by voip-ha-backup-refresh.timer), this
 * node's archiving read live (engine/archive-view.h), and the warnings
 * both imply. With backup=none there is no section and no warning. */
#ifndef VOIPHA_CLI_STATUS_BACKUP_H
#define VOIPHA_CLI_STATUS_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/backup-state.h"

struct node_ctx;

struct status_backup {
	bool on;         /* backup is not none */
	bool have_state; /* backup.state was read */
	char where[64];  /* the repository: its host or path */
	struct backup_state st;
};

void status_backup_gather(const struct node_ctx *ctx, time_t now, struct status_backup *b);
/* Writes at most max warnings of len bytes into out; returns how many. */
int status_backup_warnings(const struct status_backup *b, time_t now, char *out, size_t len,
			   int max);
/* ,"backup":... (null when off) */
void status_backup_json(const struct status_backup *b);
void status_backup_text(const struct status_backup *b, time_t now);

#endif
