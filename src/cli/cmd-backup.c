/* voip-ha backup --list: what a restore can reach, from pgBackRest's own
 * view of the pair's repository (`pgbackrest info --output=json`, run as
 * postgres): each backup (label, type, start and stop, size, WAL range),
 * the earliest point a restore reaches (the end of the oldest backup) and
 * the newest WAL archived. Restoring is `voip-ha restore`; taking backups is
 * not built yet (doc/DESIGN.md, "Backups"). */
#include "cli/args.h"
#include "cli/backup-repo.h"
#include "cli/cli.h"
#include "lib/cluster-config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
	"usage: voip-ha backup --list [--config FILE]\n"
	"List the pair's backups in the pgBackRest repository (backup_* keys of\n"
	"cluster.conf): each backup, the earliest point a restore reaches and the\n"
	"newest WAL archived.\n";

static void print_time(const char *label, const cJSON *t)
{
	char buf[32];
	time_t s;
	struct tm tm;

	if (!cJSON_IsNumber(t)) {
		printf("%s-", label);
		return;
	}
	s = (time_t)t->valuedouble;
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", gmtime_r(&s, &tm));
	printf("%s%s", label, buf);
}

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : "-";
}

static const cJSON *obj(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* Prints the stanza of pgBackRest's JSON; 0, or EXIT_FAIL with a reason. */
static int print_info(const char *json, const char *stanza)
{
	cJSON *root = cJSON_Parse(json), *b;
	const cJSON *st, *status, *code, *backups, *archive, *a;
	int ret = EXIT_FAIL;

	st = cJSON_IsArray(root) ? cJSON_GetArrayItem(root, 0) : NULL;
	status = st ? obj(st, "status") : NULL;
	code = status ? obj(status, "code") : NULL;
	if (!cJSON_IsNumber(code)) {
		cli_error("pgBackRest's info is not what voip-ha reads (stanza '%s')", stanza);
		goto out;
	}
	/* 0 ok, 2 no valid backups; anything else is an error (repository
	 * unreachable, wrong key, missing stanza) */
	if (code->valueint != 0 && code->valueint != 2) {
		/* the repository's own status says why (TLS, key, missing path) */
		const cJSON *repo = cJSON_GetArrayItem(obj(st, "repo"), 0);
		const cJSON *rs = repo ? obj(repo, "status") : NULL;

		cli_error("stanza '%s': %s%s%s", stanza, str(status, "message"), rs ? ": " : "",
			  rs ? str(rs, "message") : "");
		goto out;
	}
	printf("stanza %s: %s, cipher %s\n", stanza, str(status, "message"), str(st, "cipher"));
	backups = obj(st, "backup");
	cJSON_ArrayForEach(b, backups)
	{
		const cJSON *ts = obj(b, "timestamp"), *info = obj(b, "info"),
			    *arch = obj(b, "archive");
		const cJSON *size = info ? obj(info, "size") : NULL;

		printf("backup %s %s", str(b, "label"), str(b, "type"));
		print_time(" start ", ts ? obj(ts, "start") : NULL);
		print_time(" stop ", ts ? obj(ts, "stop") : NULL);
		printf(" size %.0f wal %s..%s\n", cJSON_IsNumber(size) ? size->valuedouble : 0,
		       str(arch, "start"), str(arch, "stop"));
	}
	b = cJSON_GetArrayItem(backups, 0);
	if (b)
		print_time("restorable from ", obj(obj(b, "timestamp"), "stop"));
	else
		printf("restorable from -");
	printf(" UTC (the end of the oldest backup)\n");
	archive = obj(st, "archive");
	a = cJSON_GetArrayItem(archive, cJSON_GetArraySize(archive) - 1);
	printf("newest WAL archived: %s\n", a ? str(a, "max") : "-");
	ret = EXIT_OK;
out:
	cJSON_Delete(root);
	return ret;
}

int cmd_backup(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	bool list = false;
	struct cluster_config cfg;
	char *out = NULL;
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
	if (backup_repo_info(&cfg, &out) == 0)
		ret = print_info(out, cfg.backup_stanza);
done:
	free(out);
	cluster_config_free(&cfg);
	return ret;
}
