/* voip-ha backup --list: what a restore can reach, from pgBackRest's own
 * view of the pair's repository (`pgbackrest info --output=json`, run as
 * postgres): each backup (label, type, start and stop, size, WAL range),
 * the earliest point a restore reaches (the end of the oldest backup) and
 * the newest WAL archived. pgBackRest is asked with a short io-timeout
 * (cli/pgbr-run.h): a repository host that does not answer is an error
 * within seconds, not minutes. Taking backups and restoring are not built yet
 * (doc/DESIGN.md, "Backups"). */
#include "cli/args.h"
#include "cli/cli.h"
#include "cli/pgbr-run.h"
#include "lib/cluster-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
	"usage: voip-ha backup --list [--config FILE]\n"
	"List the pair's backups in the pgBackRest repository (backup_* keys of\n"
	"cluster.conf): each backup, the earliest point a restore reaches and the\n"
	"newest WAL archived.\n";

static void print_time(const char *label, long long t)
{
	char buf[32];
	time_t s = (time_t)t;
	struct tm tm;

	if (!t) {
		printf("%s-", label);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", gmtime_r(&s, &tm));
	printf("%s%s", label, buf);
}

static const char *or_dash(const char *s)
{
	return s[0] ? s : "-";
}

/* Prints the stanza's backups; 0, or EXIT_FAIL with a reason. */
static int print_info(const struct pgbr_info *info, const char *stanza)
{
	/* 0 ok, 2 no valid backups; anything else is an error (repository
	 * unreachable, wrong key, missing stanza), which the repository's own
	 * status explains (TLS, key, missing path) */
	if (!pgbr_info_ok(info)) {
		cli_error("stanza '%s': %s", stanza, info->message);
		return EXIT_FAIL;
	}
	printf("stanza %s: %s, cipher %s\n", stanza, info->message, or_dash(info->cipher));
	for (size_t i = 0; i < info->nbackups; i++) {
		const struct pgbr_backup *b = &info->backups[i];

		printf("backup %s %s", b->label, b->type);
		print_time(" start ", b->start);
		print_time(" stop ", b->stop);
		printf(" size %lld wal %s..%s\n", b->size, or_dash(b->wal_start),
		       or_dash(b->wal_stop));
	}
	print_time("restorable from ", info->nbackups ? info->backups[0].stop : 0);
	printf(" UTC (the end of the oldest backup)\n");
	printf("newest WAL archived: %s\n", or_dash(info->wal_max));
	return EXIT_OK;
}

int cmd_backup(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	bool list = false;
	struct cluster_config cfg;
	struct pgbr_info info;
	char why[200];
	int r, ret = EXIT_FAIL;
	const struct cli_opt opts[] = {
		{ "config", 'c', &path, NULL },
		{ "list", 'l', NULL, &list },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (!list) {
		fputs("voip-ha: backup: only --list exists yet (taking a backup is pgBackRest's "
		      "`backup` on the repository host)\n",
		      stderr);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (cli_load_config(path, &cfg) != 0)
		return EXIT_FAIL;
	if (cfg.backup_kind == BACKUP_NONE) {
		cli_error("backups are off (backup=none in %s)", path);
		goto done;
	}
	if (pgbr_info_fetch(&cfg, &info, why, sizeof(why)) < 0)
		cli_error("the backup repository of stanza '%s' does not answer: %s",
			  cfg.backup_stanza, why);
	else
		ret = print_info(&info, cfg.backup_stanza);
	pgbr_info_free(&info);
done:
	cluster_config_free(&cfg);
	return ret;
}
