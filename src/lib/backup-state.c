/* backup.state: one list of keys (backup-state.h), one writer, two readers,
 * and the warnings they imply. */
#include "lib/backup-state.h"

#include "lib/kvfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const backup_type_names[BACKUP_TYPES] = { "full", "diff", "incr" };

void backup_state_last(const struct backup_state *st, enum backup_type t, struct backup_last *out)
{
	switch (t) {
	case BACKUP_FULL:
		*out = (struct backup_last){ st->full_label, st->full_start, st->full_stop,
					     st->full_size, st->full_repo_size };
		break;
	case BACKUP_DIFF:
		*out = (struct backup_last){ st->diff_label, st->diff_start, st->diff_stop,
					     st->diff_size, st->diff_repo_size };
		break;
	case BACKUP_INCR:
		*out = (struct backup_last){ st->incr_label, st->incr_start, st->incr_stop,
					     st->incr_size, st->incr_repo_size };
		break;
	}
}

void backup_state_text(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	if (!n)
		return;
	for (; src && src[i] && i + 1 < n; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? ' ' : src[i];
	/* a cut inside a UTF-8 sequence: drop its lead and continuation bytes */
	if (src && src[i]) {
		size_t j = i;

		while (j > 0 && ((unsigned char)dst[j - 1] & 0xc0) == 0x80)
			j--;
		if (j > 0 && ((unsigned char)dst[j - 1] & 0xc0) == 0xc0)
			i = j - 1;
	}
	dst[i] = '\0';
}

int backup_state_format(const struct backup_state *st, struct strbuf *out)
{
	char text[256];
	int r = 0;

#define BS_OUT_INT(key, field) \
	if (r == 0)            \
		r = sb_addf(out, #key "=%lld\n", st->field);
#define BS_OUT_TEXT(key, field)                                        \
	if (r == 0) {                                                  \
		backup_state_text(text, sizeof(st->field), st->field); \
		r = sb_addf(out, #key "=%s\n", text);                  \
	}
#define BS_OUT(key, kind, field, size) BS_OUT_##kind(key, field)
	BACKUP_STATE_KEYS(BS_OUT)
#undef BS_OUT
#undef BS_OUT_INT
#undef BS_OUT_TEXT
	return r;
}

static const char *const known_keys[] = {
#define BS_NAME(key, kind, field, size) #key,
	BACKUP_STATE_KEYS(BS_NAME)
#undef BS_NAME
		NULL,
};

static int from_kv(const struct kv_file *kv, void *out, struct kv_error *err)
{
	struct backup_state *st = out;
	int r = 0;

#define BS_IN_INT(key, field) kv_get_ll(kv, #key, &st->field, err)
#define BS_IN_TEXT(key, field) kv_get_text(kv, #key, st->field, sizeof(st->field), err)
#define BS_IN(key, kind, field, size) \
	if (r == 0)                   \
		r = BS_IN_##kind(key, field);
	BACKUP_STATE_KEYS(BS_IN)
#undef BS_IN
#undef BS_IN_INT
#undef BS_IN_TEXT
	return r;
}

int backup_state_parse(const char *data, size_t len, struct backup_state *st, struct kv_error *err)
{
	memset(st, 0, sizeof(*st));
	return kv_parse_into(data, len, known_keys, from_kv, st, err);
}

int backup_state_load(const char *path, struct backup_state *st, struct kv_error *err)
{
	memset(st, 0, sizeof(*st));
	return kv_load_into(path, known_keys, from_kv, st, err);
}

static int hex8(const char *s, unsigned long long *out)
{
	unsigned long long v = 0;

	for (int i = 0; i < 8; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned)(c - '0');
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

long long wal_name_end(const char *name, long long seg_size)
{
	unsigned long long tli, log, seg, per_log;

	if (seg_size < (1LL << 20) || seg_size > (1LL << 30) || (seg_size & (seg_size - 1)))
		return -1;
	if (!name || strnlen(name, 25) < 24 || hex8(name, &tli) < 0 || hex8(name + 8, &log) < 0 ||
	    hex8(name + 16, &seg) < 0)
		return -1;
	if (name[24] != '\0' && name[24] != '.')
		return -1;
	per_log = 0x100000000ULL / (unsigned long long)seg_size;
	/* log < 2^31 keeps the end below 2^63 */
	if (seg >= per_log || log >= (1ULL << 31))
		return -1;
	(void)tli;
	return (long long)((log * per_log + seg + 1) * (unsigned long long)seg_size);
}

static void ago(char *buf, size_t n, long long s)
{
	/* PostgreSQL's clock (pg_stat_archiver) may be a little ahead of ours */
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, n, "%lld s", s);
	else if (s < 2 * 3600)
		snprintf(buf, n, "%lld min", s / 60);
	else if (s < 3 * 86400)
		snprintf(buf, n, "%lld h", s / 3600);
	else
		snprintf(buf, n, "%lld days", s / 86400);
}

/* pgBackRest 2.45's asynchronous push reports an error the repository
 * raised (a full disk: check-backup) as its worker's crash, "[102] local-1
 * process terminated unexpectedly on signal 11" (or 6), the repository's
 * reason lost; a push in the foreground shows it. */
#define LOST_HINT                                                                         \
	" (pgBackRest 2.45 loses the repository's own error this way, a full repository " \
	"disk for one; archive-push with --no-archive-async, as postgres, shows it)"

static bool spool_error_lost(const char *e)
{
	return strncmp(e, "[102] ", 6) == 0 && strstr(e, " process terminated unexpectedly");
}

#define WARN(...)                                                          \
	do {                                                               \
		if (n < max)                                               \
			snprintf(out + (size_t)n * len, len, __VA_ARGS__); \
		n++;                                                       \
	} while (0)

int backup_state_warnings(const struct backup_state *st, time_t now, char *out, size_t len, int max)
{
	long long newest = st->full_stop;
	char a[32], b[32];
	int n = 0;

	if (st->diff_stop > newest)
		newest = st->diff_stop;
	if (st->incr_stop > newest)
		newest = st->incr_stop;
	if (now - st->updated > BACKUP_STATE_STALE) {
		ago(a, sizeof(a), now - st->updated);
		WARN("the backup status is %s old: voip-ha-backup-refresh.timer does not refresh it",
		     a);
	}
	if (!st->repo_checked) {
		WARN("the backup repository has not been asked yet: voip-ha backup-refresh (its "
		     "timer, every minute) asks it");
	} else if (!st->repo_ok) {
		WARN("the backup repository does not answer: %s", st->repo_error);
	} else if (st->backups == 0) {
		WARN("no backup in the repository yet: nothing to restore from");
	} else {
		if (now - newest > st->max_age_any) {
			ago(a, sizeof(a), now - newest);
			ago(b, sizeof(b), st->max_age_any);
			WARN("the newest backup is %s old (daily backups: at most %s expected)", a,
			     b);
		}
		if (now - st->full_stop > st->max_age_full) {
			ago(a, sizeof(a), now - st->full_stop);
			ago(b, sizeof(b), st->max_age_full);
			WARN("the newest full backup is %s old (weekly: at most %s expected)", a,
			     b);
		}
	}
	if (strcmp(st->role, "primary") != 0)
		return n;
	if (st->failed_count > 0 && st->failed_time > st->archived_time) {
		ago(a, sizeof(a), now - st->failed_time);
		WARN("WAL archiving fails: %lld failures, the last %s ago (%s)%s%s%s",
		     st->failed_count, a, st->failed_wal, st->spool_error[0] ? ": " : "",
		     st->spool_error, spool_error_lost(st->spool_error) ? LOST_HINT : "");
	}
	if (st->lag_bytes > ARCHIVE_LAG_WARN_BYTES ||
	    (st->lag_bytes > st->wal_segment_size && st->lag_seconds > ARCHIVE_LAG_WARN_SECONDS)) {
		ago(a, sizeof(a), st->lag_seconds);
		WARN("%lld MiB of WAL not in the repository yet, none archived for %s: pg_wal grows "
		     "until the repository takes it",
		     st->lag_bytes / (1024 * 1024), a);
	}
	return n;
}
