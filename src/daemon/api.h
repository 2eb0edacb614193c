/* Admin REST API under /api/v1/ (doc/DESIGN.md "HTTP surface"). The HTTP
 * route table (routes.c) has authenticated the caller; handlers validate
 * input (400 with a JSON reason), talk to the database (503 when it is
 * unavailable) and end every write with api_write_commit. */
#ifndef VOIPADMIN_API_H
#define VOIPADMIN_API_H

#include <stdbool.h>

#include "daemon/db.h"
#include "daemon/http.h"

/* ---- shared by api-*.c ---- */

/* The thread's database connection; NULL with rep filled (500). */
struct db_conn *api_conn(struct http_req *req, struct http_reply *rep);
/* Lower-cases an ASCII string in place (domains are stored lower case). */
void api_lower(char *s);

/* Every write to the directory (domains, extensions) runs in one
 * transaction begun with db_exec(c, "BEGIN") and ends through one of:
 * api_write_commit: NOTIFY every daemon's directory cache (delivered at
 * COMMIT, so the peer node flushes too), COMMIT, flush ours; false with rep
 * filled (rolled back) on error. api_write_failed: roll back and answer the
 * database error. api_rollback: roll back only (the caller answers). */
bool api_write_commit(struct http_req *req, struct http_reply *rep, struct db_conn *c);
void api_write_failed(struct http_req *req, struct http_reply *rep, struct db_conn *c,
		      const struct db_err *err);
void api_rollback(struct db_conn *c);

/* Parses the body as a JSON object (cJSON_ParseWithLength: the body is not
 * NUL-terminated for the parser's purposes). NULL with rep filled (400). */
cJSON *api_body_object(struct http_req *req, struct http_reply *rep);

/* Maps a failed db call to 503/409/400/500 with a message. */
void api_db_error(struct http_req *req, struct http_reply *rep, const struct db_err *err);

/* Optional non-negative integer query argument within [min,max]. false and
 * rep filled (400) when present but invalid. */
bool api_query_uint(struct http_req *req, struct http_reply *rep, const char *name,
		    unsigned long min, unsigned long max, unsigned long def, unsigned long *out);

/* ?limit= (1..1000, default 100) and ?offset= (0..100000000, default 0) of
 * a list, also as text for a query parameter. false with rep filled (400). */
struct api_page {
	unsigned long limit, offset;
	char limit_s[16], offset_s[16];
};
bool api_page_get(struct http_req *req, struct http_reply *rep, struct api_page *pg);

/* A string field of obj: NULL when absent; *bad set when present but not a
 * string. */
const char *api_json_string(const cJSON *obj, const char *name, bool *bad);

/* Validators (exposed for the unit tests). */
bool api_valid_extension(const char *s);
bool api_valid_password(const char *s, const char **why);
bool api_valid_display_name(const char *s);
bool api_valid_context(const char *s);
bool api_valid_cid_number(const char *s);

/* Handlers (routes.c): path parameters are in req->param[]. */
void api_domain_list(struct http_req *req, struct http_reply *rep); /* api-domains.c */
void api_domain_create(struct http_req *req, struct http_reply *rep);
void api_ext_list(struct http_req *req, struct http_reply *rep); /* api-extensions.c */
void api_ext_create(struct http_req *req, struct http_reply *rep);
void api_ext_get(struct http_req *req, struct http_reply *rep); /* param[0]: id */
void api_ext_patch(struct http_req *req, struct http_reply *rep);
void api_ext_delete(struct http_req *req, struct http_reply *rep);
void api_ext_password(struct http_req *req, struct http_reply *rep);
void api_cdr_list(struct http_req *req, struct http_reply *rep); /* api-cdr.c */
void api_cdr_get(struct http_req *req, struct http_reply *rep);  /* param[0]: uuid */
void api_cdr_stats(struct http_req *req, struct http_reply *rep);

#endif
