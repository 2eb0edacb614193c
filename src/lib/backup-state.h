/* /run/voip-ha/backup.state: what the pair's backups look like from this
 * node, written (atomically) by `voip-ha backup-refresh`
 * (voip-ha-backup-refresh.timer, every minute) and read by `voip-ha
 * status` and voip-admind's /metrics (doc/DESIGN.md, "Backups": where the
 * numbers come from). Two parts: the repository's view (pgBackRest's
 * `info`, asked at most every BACKUP_REPO_REFRESH seconds, bounded by its
 * io-timeout) and this node's archiver (pg_stat_archiver, the WAL position,
 * the asynchronous spool), read at every refresh. No file: backup=none (or
 * not refreshed yet). One key=value per line (kvfile syntax); the keys are
 * documented in voip-ha(8) and defined once, in BACKUP_STATE_KEYS. */
#ifndef VOIPHA_BACKUP_STATE_H
#define VOIPHA_BACKUP_STATE_H

#include <stdbool.h>
#include <time.h>

#include "lib/kvfile.h"
#include "lib/strbuf.h"

#define BACKUP_STATE_PATH "/run/voip-ha/backup.state"
/* How often the repository is asked (seconds); a failed answer is retried
 * at the next refresh. */
#define BACKUP_REPO_REFRESH 300
/* Older than this, the state is stale (the timer does not run). */
#define BACKUP_STATE_STALE 600
/* The schedule (full weekly, differential daily) plus a margin for the
 * backup's own duration: the newest backup of any type must be younger
 * than BACKUP_MAX_AGE_ANY, the newest full one than BACKUP_MAX_AGE_FULL. */
#define BACKUP_AGE_MARGIN (3 * 3600)
#define BACKUP_MAX_AGE_ANY (24 * 3600 + BACKUP_AGE_MARGIN)
#define BACKUP_MAX_AGE_FULL (7 * 24 * 3600 + BACKUP_AGE_MARGIN)
/* Archiving is behind when more than one segment waits and nothing was
 * archived for this long, or when this much WAL waits in pg_wal. */
#define ARCHIVE_LAG_WARN_SECONDS 300
#define ARCHIVE_LAG_WARN_BYTES (1024LL * 1024 * 1024)

/* X(key, kind, field, size): kind INT (long long) or TEXT (char[size]). */
#define BACKUP_STATE_KEYS(X)                                                                    \
	X(updated, INT, updated, 0) /* unix time of the refresh */                              \
	X(kind, TEXT, kind, 16)     /* repo-host | path */                                      \
	X(stanza, TEXT, stanza, 64)                                                             \
	X(repo_checked, INT, repo_checked, 0) /* unix time pgBackRest was last asked */         \
	X(repo_ok, INT, repo_ok, 0)           /* 1: it answered for the stanza */               \
	X(repo_error, TEXT, repo_error, 240)  /* why not ("" when it did) */                    \
	X(backup_running, INT, backup_running, 0)                                               \
	X(backups, INT, backups, 0)                 /* backups in the repository */             \
	X(restorable_from, INT, restorable_from, 0) /* end of the oldest backup, 0 none */      \
	X(repo_wal_max, TEXT, repo_wal_max, 32)     /* newest WAL in the repository */          \
	X(full_label, TEXT, full_label, 48)         /* the newest backup of each type */        \
	X(full_start, INT, full_start, 0)                                                       \
	X(full_stop, INT, full_stop, 0)           /* 0: none */                                 \
	X(full_size, INT, full_size, 0)           /* database bytes */                          \
	X(full_repo_size, INT, full_repo_size, 0) /* bytes stored (compressed) */               \
	X(diff_label, TEXT, diff_label, 48)                                                     \
	X(diff_start, INT, diff_start, 0)                                                       \
	X(diff_stop, INT, diff_stop, 0)                                                         \
	X(diff_size, INT, diff_size, 0)                                                         \
	X(diff_repo_size, INT, diff_repo_size, 0)                                               \
	X(incr_label, TEXT, incr_label, 48)                                                     \
	X(incr_start, INT, incr_start, 0)                                                       \
	X(incr_stop, INT, incr_stop, 0)                                                         \
	X(incr_size, INT, incr_size, 0)                                                         \
	X(incr_repo_size, INT, incr_repo_size, 0)                                               \
	X(max_age_any, INT, max_age_any, 0) /* the schedule's limits (seconds) */               \
	X(max_age_full, INT, max_age_full, 0)                                                   \
	X(role, TEXT, role, 16) /* primary | standby | down: only a primary archives */         \
	X(archived_count, INT, archived_count, 0)                                               \
	X(archived_wal, TEXT, archived_wal, 48) /* newest in the repository, by this node */    \
	X(archived_time, INT, archived_time, 0)                                                 \
	X(failed_count, INT, failed_count, 0)                                                   \
	X(failed_wal, TEXT, failed_wal, 48)                                                     \
	X(failed_time, INT, failed_time, 0)                                                     \
	X(wal_segment_size, INT, wal_segment_size, 0)                                           \
	X(lag_bytes, INT, lag_bytes, 0)        /* WAL not in the repository, -1 unknown */      \
	X(lag_seconds, INT, lag_seconds, 0)    /* since it last took WAL while WAL waits, -1 */ \
	X(spool_error, TEXT, spool_error, 240) /* pgBackRest's asynchronous push error */

struct backup_state {
#define BS_FIELD_INT(f, n) long long f;
#define BS_FIELD_TEXT(f, n) char f[n];
#define BS_FIELD(key, kind, field, size) BS_FIELD_##kind(field, size)
	BACKUP_STATE_KEYS(BS_FIELD)
#undef BS_FIELD
#undef BS_FIELD_INT
#undef BS_FIELD_TEXT
};

enum backup_type { BACKUP_FULL, BACKUP_DIFF, BACKUP_INCR };
#define BACKUP_TYPES 3
extern const char *const backup_type_names[BACKUP_TYPES]; /* "full", "diff", "incr" */

/* The newest backup of a type, as pointers into st. */
struct backup_last {
	const char *label;
	long long start, stop, size, repo_size; /* stop 0: none */
};
void backup_state_last(const struct backup_state *st, enum backup_type t, struct backup_last *out);

/* Appends the state as the file's text. Text values have their control
 * characters replaced by spaces (one line each). 0 or -ENOMEM. */
int backup_state_format(const struct backup_state *st, struct strbuf *out);

/* Parses the file's text: every key present, numbers valid, text short
 * enough. 0, or -EINVAL with err saying which key and why. */
int backup_state_parse(const char *data, size_t len, struct backup_state *st, struct kv_error *err);

/* Reads and parses path (at most 8 KiB). -errno from reading, or -EINVAL. */
int backup_state_load(const char *path, struct backup_state *st, struct kv_error *err);

/* Copies src into a text field of size n: cut to fit (on a UTF-8
 * character boundary), control characters as spaces. */
void backup_state_text(char *dst, size_t n, const char *src);

/* The end of a WAL file name's segment in bytes of WAL (what a restore
 * reaches once it is in the repository): "TTTTTTTTLLLLLLLLSSSSSSSS" with an
 * optional suffix (".partial", ".00000028.backup"); a .history file or
 * anything else is -1. seg_size: the server's wal_segment_size (a power of
 * two from 1 MiB to 1 GiB; else -1). */
long long wal_name_end(const char *name, long long seg_size);

/* The warnings the state carries at time now (status prints them; the
 * alert rules say the same from /metrics): the state stale, the repository
 * not answering, no backup, the newest backup older than the schedule
 * allows, archiving failing, WAL piling up. Writes at most max texts of
 * len bytes; returns how many. */
int backup_state_warnings(const struct backup_state *st, time_t now, char *out, size_t len,
			  int max);

#endif
