/* voip-ha backup-refresh: writes /run/voip-ha/backup.state, what `voip-ha
 * status` and voip-admind's /metrics show about backups
 * (lib/backup-state.h): the repository's view from `pgbackrest info`
 * (bounded, cli/pgbr-run.h; asked again only when the last answer is older
 * than BACKUP_REPO_REFRESH, or failed, or --repo is given) and this node's
 * archiver (engine/archive-view.h, every time). Run every minute by
 * voip-ha-backup-refresh.timer. With backup=none it removes the file. */
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/pgbr-run.h"
#include "engine/archive-view.h"
#include "lib/atomic-write.h"
#include "lib/backup-state.h"
#include "lib/cluster-config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: voip-ha backup-refresh [--config FILE] [--repo]\n"
	"Refresh " BACKUP_STATE_PATH " (backups and WAL archiving, for status and\n"
	"/metrics); --repo asks the repository even when its last answer is recent.\n";

/* The repository part of st from pgBackRest's answer. */
static void fill_repo(struct backup_state *st, const struct pgbr_info *info)
{
	st->repo_ok = 1;
	st->backup_running = info->backup_running;
	st->backups = (long long)info->nbackups;
	st->restorable_from = info->nbackups ? info->backups[0].stop : 0;
	backup_state_text(st->repo_wal_max, sizeof(st->repo_wal_max), info->wal_max);
	for (size_t i = 0; i < info->nbackups; i++) {
		const struct pgbr_backup *b = &info->backups[i];
		char *label;
		long long *start, *stop, *size, *repo_size;
		size_t label_len;

		if (strcmp(b->type, "full") == 0) {
			label = st->full_label, label_len = sizeof(st->full_label);
			start = &st->full_start, stop = &st->full_stop;
			size = &st->full_size, repo_size = &st->full_repo_size;
		} else if (strcmp(b->type, "diff") == 0) {
			label = st->diff_label, label_len = sizeof(st->diff_label);
			start = &st->diff_start, stop = &st->diff_stop;
			size = &st->diff_size, repo_size = &st->diff_repo_size;
		} else {
			label = st->incr_label, label_len = sizeof(st->incr_label);
			start = &st->incr_start, stop = &st->incr_stop;
			size = &st->incr_size, repo_size = &st->incr_repo_size;
		}
		if (b->stop < *stop)
			continue;
		backup_state_text(label, label_len, b->label);
		*start = b->start;
		*stop = b->stop;
		*size = b->size;
		*repo_size = b->repo_size;
	}
}

/* The repository part of st, before a fresh answer fills it. */
static void clear_repo(struct backup_state *st)
{
	st->repo_ok = st->backup_running = st->backups = st->restorable_from = 0;
	st->repo_error[0] = st->repo_wal_max[0] = '\0';
	st->full_label[0] = st->diff_label[0] = st->incr_label[0] = '\0';
	st->full_start = st->full_stop = st->full_size = st->full_repo_size = 0;
	st->diff_start = st->diff_stop = st->diff_size = st->diff_repo_size = 0;
	st->incr_start = st->incr_stop = st->incr_size = st->incr_repo_size = 0;
}

/* Asks the repository again: its last answer is old or was no answer, or
 * the caller insists. A failure keeps what the last answer said (the
 * backups were there) and records why. */
static void refresh_repo(struct backup_state *st, const struct cluster_config *cfg, time_t now)
{
	struct pgbr_info info;
	char why[256];

	st->repo_checked = now;
	if (pgbr_info_fetch(cfg, &info, why, sizeof(why)) == 0 && pgbr_info_ok(&info)) {
		clear_repo(st);
		fill_repo(st, &info);
	} else {
		st->repo_ok = 0;
		backup_state_text(st->repo_error, sizeof(st->repo_error),
				  info.message[0] ? info.message : why);
		cli_note("the backup repository does not answer: %s", st->repo_error);
	}
	pgbr_info_free(&info);
}

int cmd_backup_refresh(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	bool force = false;
	struct cluster_config cfg;
	struct backup_state st, prev;
	struct strbuf sb = STRBUF_INIT;
	struct kv_error kerr;
	time_t now = time(NULL);
	int r, ret = EXIT_FAIL;
	const struct cli_opt opts[] = {
		{ "config", 'c', &path, NULL },
		{ "repo", 'r', NULL, &force },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (cli_load_config(path, &cfg) != 0)
		return EXIT_FAIL;
	if (cfg.backup_kind == BACKUP_NONE) {
		/* backups off: nothing to show, no warning */
		if (unlink(BACKUP_STATE_PATH) < 0 && errno != ENOENT) {
			cli_error("cannot remove %s: %s", BACKUP_STATE_PATH, strerror(errno));
			goto done;
		}
		ret = EXIT_OK;
		goto done;
	}
	memset(&st, 0, sizeof(st));
	if (backup_state_load(BACKUP_STATE_PATH, &prev, &kerr) == 0 &&
	    strcmp(prev.stanza, cfg.backup_stanza) == 0)
		st = prev;
	backup_state_text(st.stanza, sizeof(st.stanza), cfg.backup_stanza);
	if (force || !st.repo_ok || st.repo_checked > now ||
	    now - st.repo_checked >= BACKUP_REPO_REFRESH)
		refresh_repo(&st, &cfg, now);
	st.updated = now;
	backup_state_text(st.kind, sizeof(st.kind),
			  cfg.backup_kind == BACKUP_REPO_HOST ? "repo-host" : "path");
	st.max_age_any = BACKUP_MAX_AGE_ANY;
	st.max_age_full = BACKUP_MAX_AGE_FULL;
	archive_view_read(cfg.backup_stanza, now, &st);
	r = backup_state_format(&st, &sb);
	if (r == 0)
		r = mkdir_parents(BACKUP_STATE_PATH, 0755);
	if (r == 0)
		r = atomic_write(BACKUP_STATE_PATH, sb_str(&sb), sb.len, 0644, AW_KEEP_OWNER,
				 (gid_t)-1, NULL);
	if (r < 0)
		cli_error("cannot write %s: %s", BACKUP_STATE_PATH, strerror(-r));
	else
		ret = EXIT_OK;
done:
	sb_release(&sb);
	cluster_config_free(&cfg);
	return ret;
}
