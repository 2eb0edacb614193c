/* voip-ha backup: the pair's pgBackRest backups (doc/DESIGN.md, "Backups").
 * --list: what a restore can reach, from pgBackRest's own view of the
 * repository (`pgbackrest info --output=json`, run as postgres with a short
 * io-timeout: cli/pgbr-run.h): each backup (label, type, start and stop,
 * size, WAL range), the earliest point a restore reaches (the end of the
 * oldest backup) and the newest WAL archived. --type full|diff|incr: take
 * one now; with backup=path on this node (pgBackRest reads the files from
 * the standby), with backup=repo-host it is refused, naming the command to
 * run on the repository host (where pgBackRest runs `backup` when the
 * repository is remote). --if-standby: the ExecCondition of the nodes'
 * backup timers (backup=path): exit 0 only on the node that is the standby
 * now, so one node takes the backup. Restoring is `voip-ha restore`. */
#include "cli/args.h"
#include "cli/backup-repo.h"
#include "cli/cli.h"
#include "cli/pgbr-run.h"
#include "engine/pg-local.h"
#include "engine/run-as.h"
#include "lib/cluster-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
	"usage: voip-ha backup --list [--config FILE]\n"
	"       voip-ha backup --type full|diff|incr [--config FILE]\n"
	"       voip-ha backup --if-standby [--config FILE]\n"
	"--list: the pair's backups in the pgBackRest repository (backup_* keys of\n"
	"cluster.conf), the earliest point a restore reaches, the newest WAL archived.\n"
	"--type: take a backup now (backup=path: here, read from the standby;\n"
	"backup=repo-host: refused, with the command to run on the repository host).\n"
	"--if-standby: exit 0 when backup=path and this node is the standby (the\n"
	"backup timers' condition), else 1.\n";

static const char *const envp_pg[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };

/* Is the local PostgreSQL a standby? 1, 0, or -1 when it does not answer. */
static int local_in_recovery(void)
{
	struct pgwire c;
	char err[256], v[8];
	int r = pg_wire_connect_local(&c, "postgres", 5000, err, sizeof(err));

	if (r == 0)
		r = pgwire_query_value(&c, "SELECT pg_is_in_recovery()", v, sizeof(v), err,
				       sizeof(err));
	pgwire_close(&c);
	if (r < 0) {
		cli_note("the local PostgreSQL does not answer: %s", err);
		return -1;
	}
	return strcmp(v, "t") == 0;
}

static int if_standby(const struct cluster_config *cfg, const char *path)
{
	int r;

	if (cfg->backup_kind != BACKUP_PATH) {
		cli_note("backup=%s in %s: the nodes take no scheduled backup", cfg->backup, path);
		return EXIT_FAIL;
	}
	r = local_in_recovery();
	if (r == 1)
		return EXIT_OK;
	if (r == 0)
		cli_note("this node is the primary: the standby takes the backup");
	return EXIT_FAIL;
}

static int take(const struct cluster_config *cfg, const char *path, const char *type)
{
	char stanza_opt[96], type_opt[32], why[160];
	uid_t uid;
	gid_t gid;
	int r;

	if (strcmp(type, "full") && strcmp(type, "diff") && strcmp(type, "incr")) {
		cli_error("--type must be full, diff or incr");
		return EXIT_USAGE;
	}
	if (cfg->backup_kind == BACKUP_REPO_HOST) {
		cli_error(
			"backup=repo-host: backups run on the repository host %s (its timers); to "
			"take one now, run there as root: runuser -u postgres -- pgbackrest "
			"--stanza=%s --type=%s backup (or: systemctl start voip-ha-backup-%s.service)",
			cfg->backup_host, cfg->backup_stanza, type,
			strcmp(type, "full") == 0 ? "full" : "diff");
		return EXIT_FAIL;
	}
	if (cfg->backup_kind != BACKUP_PATH) {
		cli_error("backups are off (backup=none in %s)", path);
		return EXIT_FAIL;
	}
	if (backup_postgres_ids(&uid, &gid, why, sizeof(why)) < 0) {
		cli_error("%s", why);
		return EXIT_FAIL;
	}
	snprintf(stanza_opt, sizeof(stanza_opt), "--stanza=%s", cfg->backup_stanza);
	snprintf(type_opt, sizeof(type_opt), "--type=%s", type);
	{
		const char *const argv[] = { PGBACKREST, stanza_opt,
					     type_opt,   "--log-level-console=info",
					     "backup",   NULL };

		r = run_as(argv, uid, gid, envp_pg, NULL, 0);
	}
	if (r < 0) {
		cli_error("cannot run " PGBACKREST ": %s (is pgbackrest installed?)", strerror(-r));
		return EXIT_FAIL;
	}
	if (r != 0) {
		cli_error(PGBACKREST " backup failed (exit %d, its reason is above)", r);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

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
	const char *path = DEFAULT_CONFIG, *type = NULL;
	bool list = false, standby = false;
	struct cluster_config cfg;
	struct pgbr_info info;
	char why[256];
	int r, ret = EXIT_FAIL;
	const struct cli_opt opts[] = {
		{ "config", 'c', &path, NULL }, { "list", 'l', NULL, &list },
		{ "type", 't', &type, NULL },   { "if-standby", 's', NULL, &standby },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (list + (type != NULL) + standby != 1) {
		cli_error("backup: give one of --list, --type or --if-standby");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (cli_load_config(path, &cfg) != 0)
		return EXIT_FAIL;
	if (type || standby) {
		ret = type ? take(&cfg, path, type) : if_standby(&cfg, path);
		goto done;
	}
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
