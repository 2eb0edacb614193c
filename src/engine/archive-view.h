/* This node's WAL archiving as pgBackRest and PostgreSQL see it, cheaply
 * (one query to the local PostgreSQL, one directory listing): what
 * pg_stat_archiver says was archived and failed, the asynchronous spool's
 * segments already pushed and its error, and how much WAL the primary has
 * written that the repository does not hold yet. Used by `voip-ha status`
 * (live) and `voip-ha backup-refresh` (backup.state, for /metrics). */
#ifndef VOIPHA_ENGINE_ARCHIVE_VIEW_H
#define VOIPHA_ENGINE_ARCHIVE_VIEW_H

#include "lib/backup-state.h"

/* pgBackRest's spool (spool-path of the generated pgbackrest file). */
#define PGBR_SPOOL_DIR "/var/spool/pgbackrest"

/* Fills the archive fields of st (role, archived_*, failed_*,
 * wal_segment_size, lag_*, spool_error) for stanza at time now. A
 * PostgreSQL that does not answer is role "down", lag -1; a standby
 * archives nothing (lag -1). */
void archive_view_read(const char *stanza, time_t now, struct backup_state *st);

#endif
