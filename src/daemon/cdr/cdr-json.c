/* mod_json_cdr document parser (cJSON). Same fields as the XML parser; see
 * CDR-PROTOCOL §6. Tolerant of what differs between FreeSWITCH versions:
 * callflow as an array (current) or a single object (old builds), missing
 * direction, variables URL-encoded (encode-values=true, the default) or not. */
#include "daemon/cdr/cdr-record.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* Depth of a cJSON tree, bounded: cJSON itself allows 1000 levels. */
static int depth_of(const cJSON *n, int d)
{
	int max = d;
	if (d > CDR_DEPTH_MAX)
		return d;
	for (const cJSON *c = n->child; c; c = c->next) {
		int k = depth_of(c, d + 1);
		if (k > max)
			max = k;
		if (max > CDR_DEPTH_MAX)
			break;
	}
	return max;
}

/* Text of a scalar: strings as they are, numbers printed (some producers
 * post numbers unquoted). Returns NULL for anything else. */
static const char *scalar(const cJSON *v, char *tmp, size_t tmplen)
{
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		snprintf(tmp, tmplen, "%.0f", v->valuedouble);
		return tmp;
	}
	return NULL;
}

static int set_from(char **dst, const cJSON *v, enum cdr_src src, bool decode, const char *what,
		    char *errbuf, size_t errlen)
{
	char tmp[64];
	const char *s = v ? scalar(v, tmp, sizeof(tmp)) : NULL;
	if (!s)
		return 0;
	return cdr_extract_set(dst, s, strlen(s), src, decode, what, errbuf, errlen);
}

int cdr_parse_json(const char *doc, size_t len, struct cdr_record *out, char *errbuf, size_t errlen)
{
	struct cdr_extract x;
	int ret = -1;

	memset(&x, 0, sizeof(x));
	if (errlen)
		errbuf[0] = '\0';
	cJSON *root = cJSON_ParseWithLength(doc, len);
	if (!root) {
		/* cJSON_GetErrorPtr() is a process global: racy across workers. */
		snprintf(errbuf, errlen, "JSON syntax error (or nesting deeper than cJSON allows)");
		return -1;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(errbuf, errlen, "JSON CDR is not an object");
		goto out;
	}
	if (depth_of(root, 1) > CDR_DEPTH_MAX) {
		snprintf(errbuf, errlen, "document nests deeper than the limit");
		goto out;
	}

	const cJSON *vars = cJSON_GetObjectItemCaseSensitive(root, "variables");
	if (vars && !cJSON_IsObject(vars)) {
		snprintf(errbuf, errlen, "\"variables\" is not an object");
		goto out;
	}
	/* encode-values=true encodes every value; one value with a byte the
	 * encoder escapes proves the document was posted with it off. */
	bool encoded = true;
	for (const cJSON *v = vars ? vars->child : NULL; v; v = v->next)
		if (cJSON_IsString(v) &&
		    !cdr_value_looks_encoded(v->valuestring, strlen(v->valuestring))) {
			encoded = false;
			break;
		}
	x.vars_encoded = encoded;
	for (const cJSON *v = vars ? vars->child : NULL; v; v = v->next) {
		if (!v->string)
			continue;
		int slot = cdr_var_slot_of(v->string, strlen(v->string));
		if (slot >= 0 &&
		    set_from(&x.var[slot], v, CDR_SRC_VAR, encoded, v->string, errbuf, errlen) < 0)
			goto out;
	}

	if (set_from(&x.core_uuid, cJSON_GetObjectItemCaseSensitive(root, "core-uuid"),
		     CDR_SRC_TEXT, false, "core-uuid", errbuf, errlen) < 0 ||
	    set_from(&x.switchname, cJSON_GetObjectItemCaseSensitive(root, "switchname"),
		     CDR_SRC_TEXT, false, "switchname", errbuf, errlen) < 0)
		goto out;
	const cJSON *chan = cJSON_GetObjectItemCaseSensitive(root, "channel_data");
	if (cJSON_IsObject(chan) &&
	    set_from(&x.chan_direction, cJSON_GetObjectItemCaseSensitive(chan, "direction"),
		     CDR_SRC_TEXT, false, "direction", errbuf, errlen) < 0)
		goto out;

	/* The newest caller profile is the first callflow entry. */
	const cJSON *cf = cJSON_GetObjectItemCaseSensitive(root, "callflow");
	if (cJSON_IsArray(cf))
		cf = cf->child;
	if (cJSON_IsObject(cf)) {
		const cJSON *prof = cJSON_GetObjectItemCaseSensitive(cf, "caller_profile");
		if (cJSON_IsObject(prof)) {
			for (const cJSON *v = prof->child; v; v = v->next) {
				if (!v->string)
					continue;
				if (strcmp(v->string, "originator") == 0) {
					x.has_originator = true;
					continue;
				}
				int slot = cdr_prof_slot_of(v->string, strlen(v->string));
				if (slot >= 0 && set_from(&x.prof[slot], v, CDR_SRC_TEXT, false,
							  v->string, errbuf, errlen) < 0)
					goto out;
			}
		}
		const cJSON *times = cJSON_GetObjectItemCaseSensitive(cf, "times");
		if (cJSON_IsObject(times)) {
			for (const cJSON *v = times->child; v; v = v->next) {
				if (!v->string)
					continue;
				int slot = cdr_time_slot_of(v->string, strlen(v->string));
				if (slot >= 0 && set_from(&x.times[slot], v, CDR_SRC_TEXT, false,
							  v->string, errbuf, errlen) < 0)
					goto out;
			}
		}
	}
	ret = cdr_extract_finish(&x, out, errbuf, errlen);
out:
	cdr_extract_free(&x);
	cJSON_Delete(root);
	return ret;
}
