/* pgBackRest's info JSON: see pgbr-info.h. */
#include "lib/pgbr-info.h"

#include "lib/backup-state.h"
#include "lib/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h> /* isfinite */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *item(const cJSON *o, const char *name)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
}

/* A number that is a whole, non-negative count below 2^53; absent: 0. */
static int count(const cJSON *v, long long *out)
{
	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > 9007199254740992.0 ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return -1;
	*out = (long long)v->valuedouble;
	return 0;
}

/* A string of [A-Za-z0-9_-] (labels, types, WAL names) that fits; absent
 * or null: "". */
static int word(const cJSON *v, char *out, size_t n)
{
	size_t len;

	out[0] = '\0';
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || (len = strlen(v->valuestring)) >= n)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = v->valuestring[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '_' || c == '-'))
			return -1;
	}
	memcpy(out, v->valuestring, len + 1);
	return 0;
}

static bool wal_name(const char *s)
{
	if (!*s)
		return true;
	if (strlen(s) != 24)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'F')))
			return false;
	return true;
}

static const char *text(const cJSON *v)
{
	return cJSON_IsString(v) ? v->valuestring : "";
}

static int fail(char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "%s", what);
	return -EINVAL;
}

static int backup(const cJSON *b, struct pgbr_backup *out, char *why, size_t whylen)
{
	const cJSON *ts = item(b, "timestamp"), *info = item(b, "info"), *arch = item(b, "archive");

	memset(out, 0, sizeof(*out));
	if (word(item(b, "label"), out->label, sizeof(out->label)) < 0 || !out->label[0])
		return fail(why, whylen, "a backup without a valid label");
	if (word(item(b, "type"), out->type, sizeof(out->type)) < 0 ||
	    (strcmp(out->type, "full") && strcmp(out->type, "diff") && strcmp(out->type, "incr")))
		return fail(why, whylen, "a backup of an unknown type");
	if (count(item(ts, "start"), &out->start) < 0 || count(item(ts, "stop"), &out->stop) < 0 ||
	    !out->stop || out->stop < out->start)
		return fail(why, whylen, "a backup without valid start and stop times");
	if (count(item(info, "size"), &out->size) < 0 ||
	    count(item(item(info, "repository"), "delta"), &out->repo_size) < 0)
		return fail(why, whylen, "a backup with an invalid size");
	if (word(item(arch, "start"), out->wal_start, sizeof(out->wal_start)) < 0 ||
	    word(item(arch, "stop"), out->wal_stop, sizeof(out->wal_stop)) < 0 ||
	    !wal_name(out->wal_start) || !wal_name(out->wal_stop))
		return fail(why, whylen, "a backup with an invalid WAL range");
	return 0;
}

/* pgBackRest 2.45 opens an encrypted repository with another key without
 * saying so: the info file decrypts to bytes that are no text ("unable to
 * load info file ... FormatError: key/value found outside of section at
 * line 1: <those bytes>", and a hint to run stanza-create). check-backup:
 * the repository host's key changed. Not decided by the answer's cipher: a
 * node (no key, no cipher in its file) reports "none" when it cannot read
 * the repository host's files. */
static bool wrong_key(const char *rm)
{
	return strstr(rm, "unable to load info file") &&
	       (strstr(rm, "key/value found outside of section") || strstr(rm, "CryptoError"));
}

#define WRONG_KEY                                                                       \
	"the repository's files do not open with the key given: backup_cipher_pass "    \
	"(repo1-cipher-pass on the repository host) is not the key the repository was " \
	"made with, or its info files are damaged"

int pgbr_info_parse(const char *json, size_t len, const char *stanza, struct pgbr_info *out,
		    char *why, size_t whylen)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *st = NULL, *s, *status, *b, *archive, *a;
	long long code;
	int r = -EINVAL, n;

	memset(out, 0, sizeof(*out));
	if (!root) {
		fail(why, whylen, "not JSON");
		goto out;
	}
	if (!cJSON_IsArray(root)) {
		fail(why, whylen, "not a list of stanzas");
		goto out;
	}
	cJSON_ArrayForEach(s, root)
	{
		if (cJSON_IsString(item(s, "name")) &&
		    strcmp(item(s, "name")->valuestring, stanza) == 0)
			st = s;
	}
	if (!st) {
		fail(why, whylen, "no such stanza in the answer");
		goto out;
	}
	status = item(st, "status");
	if (!cJSON_IsNumber(item(status, "code")) || count(item(status, "code"), &code) < 0 ||
	    code > 1000) {
		fail(why, whylen, "the stanza has no status code");
		goto out;
	}
	out->code = (int)code;
	{
		/* the repository's own status says why (TLS, key, missing path) */
		const cJSON *repo = cJSON_GetArrayItem(item(st, "repo"), 0);
		const char *rm = text(item(item(repo, "status"), "message"));
		char msg[512];
		size_t ok;

		if (wrong_key(rm))
			rm = WRONG_KEY;
		snprintf(msg, sizeof(msg), "%s%s%s", text(item(status, "message")),
			 rm[0] && strcmp(rm, text(item(status, "message"))) ? ": " : "",
			 rm[0] && strcmp(rm, text(item(status, "message"))) ? rm : "");
		if ((ok = utf8_valid_prefix(msg, strlen(msg))) < strlen(msg))
			snprintf(msg + ok, sizeof(msg) - ok, "%s", "[bytes that are no text]");
		backup_state_text(out->message, sizeof(out->message), msg);
	}
	out->backup_running = cJSON_IsTrue(item(item(item(status, "lock"), "backup"), "held"));
	if (word(item(st, "cipher"), out->cipher, sizeof(out->cipher)) < 0) {
		fail(why, whylen, "an invalid cipher name");
		goto out;
	}
	b = item(st, "backup");
	if (b && !cJSON_IsNull(b) && !cJSON_IsArray(b)) {
		fail(why, whylen, "the backups are not a list");
		goto out;
	}
	n = b ? cJSON_GetArraySize(b) : 0;
	if (n > PGBR_INFO_MAX_BACKUPS) {
		fail(why, whylen, "more backups than voip-ha reads");
		goto out;
	}
	if (n > 0 && !(out->backups = calloc((size_t)n, sizeof(*out->backups)))) {
		r = -ENOMEM;
		fail(why, whylen, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(s, b) /* a list, or null (no child) */
	{
		if (backup(s, &out->backups[out->nbackups], why, whylen) < 0)
			goto out;
		out->nbackups++;
	}
	archive = item(st, "archive");
	a = cJSON_IsArray(archive) ? cJSON_GetArrayItem(archive, cJSON_GetArraySize(archive) - 1) :
				     NULL;
	if (a && (word(item(a, "min"), out->wal_min, sizeof(out->wal_min)) < 0 ||
		  word(item(a, "max"), out->wal_max, sizeof(out->wal_max)) < 0 ||
		  !wal_name(out->wal_min) || !wal_name(out->wal_max))) {
		fail(why, whylen, "an invalid archive WAL range");
		goto out;
	}
	r = 0;
out:
	cJSON_Delete(root);
	return r;
}

bool pgbr_info_ok(const struct pgbr_info *info)
{
	return info->code == 0 || info->code == 2;
}

void pgbr_info_free(struct pgbr_info *info)
{
	free(info->backups);
	info->backups = NULL;
	info->nbackups = 0;
}
