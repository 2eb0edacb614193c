/* Helpers shared by the /api/v1 handlers (input, database errors, the
 * directory write commit); see api.h. */
#include "daemon/api.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dircache.h"
#include "daemon/dirnotify.h"
#include "daemon/log.h"
#include "lib/utf8.h"
#include "lib/validators.h"

/* Tells every daemon (both nodes) to drop its directory cache; inside a
 * transaction the notification is delivered at COMMIT (dirnotify.h). */
static const struct db_stmt st_notify = {
	"api_notify",
	"SELECT pg_notify('" DIRNOTIFY_CHANNEL "', '')",
	0,
	false,
};

struct db_conn *api_conn(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = db_conn_get(req->app->db);

	if (!c)
		reply_error(rep, 500, "out of memory");
	return c;
}

void api_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

void api_rollback(struct db_conn *c)
{
	struct db_err ignored;

	if (db_in_transaction(c))
		db_exec(c, "ROLLBACK", &ignored);
}

void api_write_failed(struct http_req *req, struct http_reply *rep, struct db_conn *c,
		      const struct db_err *err)
{
	api_rollback(c);
	api_db_error(req, rep, err);
}

bool api_write_commit(struct http_req *req, struct http_reply *rep, struct db_conn *c)
{
	struct db_err err;
	PGresult *res = db_query(c, &st_notify, NULL, &err);

	if (!res || (PQclear(res), db_exec(c, "COMMIT", &err) < 0)) {
		api_write_failed(req, rep, c, &err);
		return false;
	}
	dircache_flush(req->app->dircache);
	return true;
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
		reply_error(rep, 409,
			    strcmp(err->sqlstate, "23505") == 0 ? "already exists" :
								  "conflicts with existing data");
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

bool api_page_get(struct http_req *req, struct http_reply *rep, struct api_page *pg)
{
	if (!api_query_uint(req, rep, "limit", 1, 1000, 100, &pg->limit) ||
	    !api_query_uint(req, rep, "offset", 0, 100000000, 0, &pg->offset))
		return false;
	snprintf(pg->limit_s, sizeof(pg->limit_s), "%lu", pg->limit);
	snprintf(pg->offset_s, sizeof(pg->offset_s), "%lu", pg->offset);
	return true;
}

bool api_query_uint(struct http_req *req, struct http_reply *rep, const char *name,
		    unsigned long min, unsigned long max, unsigned long def, unsigned long *out)
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
