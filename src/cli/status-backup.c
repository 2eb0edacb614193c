/* voip-ha status's backup section: see status-backup.h. */
#include "cli/status-backup.h"

#include "cli/status-history.h"
#include "engine/archive-view.h"
#include "engine/node-ctx.h"

#include <stdio.h>
#include <string.h>

void status_backup_gather(const struct node_ctx *ctx, time_t now, struct status_backup *b)
{
	struct kv_error err;

	memset(b, 0, sizeof(*b));
	b->on = ctx->cfg.backup_kind != BACKUP_NONE;
	if (!b->on)
		return;
	if (ctx->cfg.backup_kind == BACKUP_REPO_HOST)
		snprintf(b->where, sizeof(b->where), "%s:%s", ctx->cfg.backup_host,
			 ctx->cfg.backup_port);
	else
		backup_state_text(b->where, sizeof(b->where), ctx->cfg.backup_path);
	b->have_state = backup_state_load(BACKUP_STATE_PATH, &b->st, &err) == 0;
	if (!b->have_state) {
		memset(&b->st, 0, sizeof(b->st));
		b->st.updated = now; /* nothing stale: the repository was never asked */
		b->st.max_age_any = BACKUP_MAX_AGE_ANY;
		b->st.max_age_full = BACKUP_MAX_AGE_FULL;
	}
	backup_state_text(b->st.stanza, sizeof(b->st.stanza), ctx->cfg.backup_stanza);
	backup_state_text(b->st.kind, sizeof(b->st.kind),
			  ctx->cfg.backup_kind == BACKUP_REPO_HOST ? "repo-host" : "path");
	/* the archiver live: cheap, and fresher than the file */
	archive_view_read(ctx->cfg.backup_stanza, now, &b->st);
}

int status_backup_warnings(const struct status_backup *b, time_t now, char *out, size_t len,
			   int max)
{
	return b->on ? backup_state_warnings(&b->st, now, out, len, max) : 0;
}

/* ISO 8601 (JSON) or "YYYY-MM-DD HH:MM:SS" (text), UTC */
static void fmt_time(char *buf, size_t n, long long t, bool iso)
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	if (iso)
		strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void json_time(long long t)
{
	char buf[32];

	if (!t) {
		printf("null");
		return;
	}
	fmt_time(buf, sizeof(buf), t, true);
	json_str(buf);
}

void status_backup_json(const struct status_backup *b)
{
	const struct backup_state *st = &b->st;

	printf(",\"backup\":");
	if (!b->on) {
		printf("null");
		return;
	}
	printf("{\"kind\":");
	json_str(st->kind);
	printf(",\"repository\":");
	json_str(b->where);
	printf(",\"stanza\":");
	json_str(st->stanza);
	printf(",\"state_updated\":");
	json_time(b->have_state ? st->updated : 0);
	printf(",\"repository_checked\":");
	json_time(st->repo_checked);
	printf(",\"repository_ok\":%s,\"repository_error\":", st->repo_ok ? "true" : "false");
	json_str(st->repo_error);
	printf(",\"backup_running\":%s,\"backups\":%lld,\"restorable_from\":",
	       st->backup_running ? "true" : "false", st->backups);
	json_time(st->restorable_from);
	printf(",\"repository_newest_wal\":");
	json_str(st->repo_wal_max);
	printf(",\"last\":{");
	for (int t = 0; t < BACKUP_TYPES; t++) {
		struct backup_last l;

		backup_state_last(st, (enum backup_type)t, &l);
		printf("%s\"%s\":", t ? "," : "", backup_type_names[t]);
		if (!l.stop) {
			printf("null");
			continue;
		}
		printf("{\"label\":");
		json_str(l.label);
		printf(",\"start\":");
		json_time(l.start);
		printf(",\"stop\":");
		json_time(l.stop);
		printf(",\"duration_seconds\":%lld,\"size_bytes\":%lld,\"repository_bytes\":%lld}",
		       l.stop - l.start, l.size, l.repo_size);
	}
	printf("},\"max_age_seconds\":{\"any\":%lld,\"full\":%lld}", st->max_age_any,
	       st->max_age_full);
	printf(",\"archive\":{\"role\":");
	json_str(st->role);
	printf(",\"archived_count\":%lld,\"last_archived_wal\":", st->archived_count);
	json_str(st->archived_wal);
	printf(",\"last_archived_time\":");
	json_time(st->archived_time);
	printf(",\"failed_count\":%lld,\"last_failed_wal\":", st->failed_count);
	json_str(st->failed_wal);
	printf(",\"last_failed_time\":");
	json_time(st->failed_time);
	printf(",\"lag_bytes\":%lld,\"lag_seconds\":%lld,\"spool_error\":", st->lag_bytes,
	       st->lag_seconds);
	json_str(st->spool_error);
	printf("}}");
}

/* 1536 -> "1.5 KiB" */
static void human(char *buf, size_t n, long long v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%lld B", v);
	else
		snprintf(buf, n, "%.1f %s", d, unit[u]);
}

static void duration(char *buf, size_t n, long long s)
{
	if (s < 60)
		snprintf(buf, n, "%lld s", s);
	else if (s < 3600)
		snprintf(buf, n, "%lld min %lld s", s / 60, s % 60);
	else
		snprintf(buf, n, "%lld h %lld min", s / 3600, s % 3600 / 60);
}

void status_backup_text(const struct status_backup *b, time_t now)
{
	const struct backup_state *st = &b->st;
	char t1[32], s1[32], s2[32], d[32];

	if (!b->on)
		return;
	printf("  backups: %s %s, stanza %s, ", st->kind, b->where, st->stanza);
	if (!st->repo_checked) {
		printf("repository not asked yet\n");
	} else {
		duration(d, sizeof(d), now > st->repo_checked ? now - st->repo_checked : 0);
		printf("repository asked %s ago: %s%s\n", d, st->repo_ok ? "answers" : "no answer",
		       st->backup_running ? ", a backup is running" : "");
	}
	if (st->repo_ok || st->backups > 0) { /* else: as the last answer said */
		for (int t = 0; t < BACKUP_TYPES; t++) {
			struct backup_last l;

			backup_state_last(st, (enum backup_type)t, &l);
			if (!l.stop) {
				printf("    last %s: none\n", backup_type_names[t]);
				continue;
			}
			fmt_time(t1, sizeof(t1), l.stop, false);
			human(s1, sizeof(s1), l.size);
			human(s2, sizeof(s2), l.repo_size);
			duration(d, sizeof(d), l.stop - l.start);
			printf("    last %s: %s UTC, %s (%s stored), took %s\n",
			       backup_type_names[t], t1, s1, s2, d);
		}
		if (st->restorable_from)
			fmt_time(t1, sizeof(t1), st->restorable_from, false);
		printf("    restorable from %s%s, newest WAL in the repository %s\n",
		       st->restorable_from ? t1 : "-", st->restorable_from ? " UTC" : "",
		       st->repo_wal_max[0] ? st->repo_wal_max : "-");
	}
	if (strcmp(st->role, "primary") != 0) {
		printf("    archiving: none here (%s: the primary archives)\n", st->role);
		return;
	}
	if (st->archived_time)
		fmt_time(t1, sizeof(t1), st->archived_time, false);
	printf("    archiving: last %s at %s%s, ", st->archived_wal[0] ? st->archived_wal : "-",
	       st->archived_time ? t1 : "-", st->archived_time ? " UTC" : "");
	if (st->lag_bytes < 0) {
		printf("not yet archived: unknown");
	} else {
		human(s1, sizeof(s1), st->lag_bytes);
		printf("not yet archived %s / %lld s", s1, st->lag_seconds);
	}
	printf(", %lld failures", st->failed_count);
	if (st->failed_time) {
		fmt_time(t1, sizeof(t1), st->failed_time, false);
		printf(" (the last %s UTC, %s)", t1, st->failed_wal);
	}
	printf("\n");
}
