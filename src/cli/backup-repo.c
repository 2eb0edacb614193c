/* The pair's pgBackRest repository: see backup-repo.h. */
#include "cli/backup-repo.h"
#include "cli/cli.h"
#include "engine/run-as.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INFO_MAX (1024 * 1024)

int backup_postgres_ids(uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (geteuid() != 0)
		return 0;
	pw = getpwnam("postgres");
	if (!pw) {
		cli_error("no user postgres: PostgreSQL is not installed");
		return EXIT_FAIL;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int backup_repo_info(const struct cluster_config *cfg, char **json)
{
	static const char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char stanza_opt[96];
	uid_t uid;
	gid_t gid;
	char *out;
	int r;

	*json = NULL;
	snprintf(stanza_opt, sizeof(stanza_opt), "--stanza=%s", cfg->backup_stanza);
	if (backup_postgres_ids(&uid, &gid) != 0)
		return EXIT_FAIL;
	if (!(out = malloc(INFO_MAX))) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	{
		const char *const argv_info[] = {
			PGBACKREST,      stanza_opt, "--io-timeout=" BACKUP_IO_TIMEOUT,
			"--output=json", "info",     NULL
		};

		r = run_as(argv_info, uid, gid, envp, out, INFO_MAX);
	}
	if (r < 0)
		cli_error("cannot run " PGBACKREST ": %s (is pgbackrest installed?)", strerror(-r));
	else if (r != 0)
		cli_error(PGBACKREST " info failed (exit %d)", r);
	if (r != 0) {
		free(out);
		return EXIT_FAIL;
	}
	*json = out;
	return 0;
}

static const cJSON *obj(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *str(const cJSON *o, const char *name)
{
	const cJSON *v = obj(o, name);

	return cJSON_IsString(v) ? v->valuestring : "-";
}

int backup_repo_range(const char *json, const char *stanza, struct backup_range *out, char *err,
		      size_t errlen)
{
	cJSON *root = cJSON_Parse(json);
	const cJSON *st, *status, *code, *b, *archive, *a, *t;
	int r = -EIO;

	memset(out, 0, sizeof(*out));
	st = cJSON_IsArray(root) ? cJSON_GetArrayItem(root, 0) : NULL;
	status = st ? obj(st, "status") : NULL;
	code = status ? obj(status, "code") : NULL;
	if (!cJSON_IsNumber(code)) {
		snprintf(err, errlen, "pgBackRest's info is not what voip-ha reads (stanza '%s')",
			 stanza);
		goto out;
	}
	if (code->valueint != 0 && code->valueint != 2) {
		const cJSON *repo = cJSON_GetArrayItem(obj(st, "repo"), 0);
		const cJSON *rs = repo ? obj(repo, "status") : NULL;

		snprintf(err, errlen, "stanza '%s': %s%s%s", stanza, str(status, "message"),
			 rs ? ": " : "", rs ? str(rs, "message") : "");
		goto out;
	}
	cJSON_ArrayForEach(b, obj(st, "backup"))
	{
		t = obj(obj(b, "timestamp"), "stop");
		if (!cJSON_IsNumber(t))
			continue;
		if (out->backups == 0 || (int64_t)t->valuedouble < out->oldest_stop)
			out->oldest_stop = (int64_t)t->valuedouble;
		if ((int64_t)t->valuedouble > out->newest_stop)
			out->newest_stop = (int64_t)t->valuedouble;
		out->backups++;
	}
	archive = obj(st, "archive");
	a = cJSON_GetArrayItem(archive, cJSON_GetArraySize(archive) - 1);
	if (a && cJSON_IsString(obj(a, "max")))
		snprintf(out->newest_wal, sizeof(out->newest_wal), "%s", str(a, "max"));
	if (out->backups == 0) {
		snprintf(err, errlen, "stanza '%s' holds no backup yet", stanza);
		r = -ENOENT;
		goto out;
	}
	r = 0;
out:
	cJSON_Delete(root);
	return r;
}
