/* /api/v1 routing, input helpers and validators; see api.h. */
#include "daemon/api.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "lib/utf8.h"
#include "lib/validators.h"

/* Splits "/api/v1/a/b/c" into up to 3 segments in buf. Returns the count,
 * or -1 for more segments, empty segments or overlong paths. */
static int split(const char *url, char *buf, size_t buflen, const char *seg[3])
{
	size_t n = strlen(url + 8);
	int count = 0;
	char *p;

	if (n == 0 || n >= buflen)
		return -1;
	memcpy(buf, url + 8, n + 1);
	if (buf[n - 1] == '/')
		buf[--n] = '\0';        /* tolerate one trailing slash */
	for (p = buf; p;) {
		char *slash = strchr(p, '/');

		if (slash)
			*slash = '\0';
		if (!*p || count == 3)
			return -1;
		seg[count++] = p;
		p = slash ? slash + 1 : NULL;
	}
	return count;
}

static const char *label_for(int n, const char *seg[3])
{
	if (n >= 1 && strcmp(seg[0], "domains") == 0)
		return "/api/v1/domains";
	if (n >= 1 && strcmp(seg[0], "extensions") == 0)
		return n == 1 ? "/api/v1/extensions" :
		       n == 2 ? "/api/v1/extensions/{id}" : "/api/v1/extensions/{id}/password";
	if (n >= 1 && strcmp(seg[0], "cdr") == 0)
		return n == 1 ? "/api/v1/cdr" :
		       strcmp(seg[1], "stats") == 0 ? "/api/v1/cdr/stats" : "/api/v1/cdr/{uuid}";
	return "/api/v1/other";
}

const char *api_route_label(const struct http_req *req)
{
	char buf[512];
	const char *seg[3];
	int n = split(req->url, buf, sizeof(buf), seg);

	return n < 0 ? "/api/v1/other" : label_for(n, seg);
}

const char *handle_api(struct http_req *req, struct http_reply *rep)
{
	char buf[512];
	const char *seg[3];
	int n = split(req->url, buf, sizeof(buf), seg);
	const char *label;

	if (n < 0) {
		reply_error(rep, 404, "not found");
		return "/api/v1/other";
	}
	label = label_for(n, seg);
	if (strcmp(seg[0], "domains") == 0 && n == 1)
		api_domains(req, rep);
	else if (strcmp(seg[0], "extensions") == 0 &&
		 (n < 3 || strcmp(seg[2], "password") == 0))
		api_extensions(req, rep, n >= 2 ? seg[1] : NULL, n == 3 ? seg[2] : NULL);
	else if (strcmp(seg[0], "cdr") == 0 && n <= 2) {
		if (strcmp(req->method, "GET") != 0)
			reply_error(rep, 405, "method not allowed");
		else if (n == 1)
			api_cdr_list(req, rep);
		else if (strcmp(seg[1], "stats") == 0)
			api_cdr_stats(req, rep);
		else
			api_cdr_get(req, rep, seg[1]);
	} else
		reply_error(rep, 404, "not found");
	return label;
}

cJSON *api_body_object(struct http_req *req, struct http_reply *rep)
{
	cJSON *o;

	if (req->body_len == 0) {
		reply_error(rep, 400, "a JSON object body is required");
		return NULL;
	}
	if (!utf8_valid(req->body, req->body_len)) {
		reply_error(rep, 400, "body is not valid UTF-8");
		return NULL;
	}
	o = cJSON_ParseWithLength(req->body, req->body_len);
	if (!o) {
		reply_error(rep, 400, "body is not valid JSON");
		return NULL;
	}
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		reply_error(rep, 400, "body must be a JSON object");
		return NULL;
	}
	return o;
}

void api_db_error(struct http_req *req, struct http_reply *rep, const struct db_err *err)
{
	switch (err->status) {
	case DB_UNAVAILABLE:
		log_warn("%s %s: database unavailable: %s", req->method, req->url, err->msg);
		rep->retry_after = 1;
		reply_error(rep, 503, "database unavailable");
		break;
	case DB_CONSTRAINT:
		reply_error(rep, 409, strcmp(err->sqlstate, "23505") == 0 ?
			    "already exists" : "conflicts with existing data");
		break;
	case DB_INVALID:
		reply_error(rep, 400, "invalid value");
		break;
	default:
		log_err("%s %s: database error %s: %s", req->method, req->url, err->sqlstate,
			err->msg);
		reply_error(rep, 500, "database error");
	}
}

bool api_query_uint(struct http_req *req, struct http_reply *rep, const char *name,
		    unsigned long min, unsigned long max, unsigned long def,
		    unsigned long *out)
{
	const char *v = http_query(req, name);
	unsigned long long x = 0;
	char msg[128];

	*out = def;
	if (!v)
		return true;
	if (ullong_parse(v, min, max, &x) < 0)
		goto bad;
	*out = (unsigned long)x;
	return true;
bad:
	snprintf(msg, sizeof(msg), "%s: must be an integer in %lu..%lu", name, min, max);
	reply_error(rep, 400, msg);
	return false;
}
