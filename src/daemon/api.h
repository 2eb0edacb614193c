/* Admin REST API under /api/v1/ (doc/DESIGN.md "HTTP surface"). The HTTP
 * layer has authenticated the caller; handlers validate input (400 with a
 * JSON reason), talk to the database (503 when it is unavailable) and flush
 * the directory cache after every write. */
#ifndef VOIPADMIN_API_H
#define VOIPADMIN_API_H

#include <stdbool.h>

#include "daemon/db.h"
#include "daemon/http.h"

/* Dispatches; returns the route label used in metrics. */
const char *handle_api(struct http_req *req, struct http_reply *rep);
/* The label alone (for requests refused before dispatch). */
const char *api_route_label(const struct http_req *req);

/* ---- shared by api-*.c ---- */

/* Parses the body as a JSON object (cJSON_ParseWithLength: the body is not
 * NUL-terminated for the parser's purposes). NULL with rep filled (400). */
cJSON *api_body_object(struct http_req *req, struct http_reply *rep);

/* Maps a failed db call to 503/409/400/500 with a message. */
void api_db_error(struct http_req *req, struct http_reply *rep, const struct db_err *err);

/* Optional non-negative integer query argument within [min,max]. false and
 * rep filled (400) when present but invalid. */
bool api_query_uint(struct http_req *req, struct http_reply *rep, const char *name,
		    unsigned long min, unsigned long max, unsigned long def,
		    unsigned long *out);

/* A string field of obj: NULL when absent; *bad set when present but not a
 * string. */
const char *api_json_string(const cJSON *obj, const char *name, bool *bad);

/* Validators (exposed for the unit tests). */
bool api_valid_extension(const char *s);
bool api_valid_password(const char *s, const char **why);
bool api_valid_display_name(const char *s);
bool api_valid_context(const char *s);
bool api_valid_cid_number(const char *s);

/* Handlers. `id` is the path segment after the collection, or NULL. */
void api_domains(struct http_req *req, struct http_reply *rep);
void api_extensions(struct http_req *req, struct http_reply *rep, const char *id,
		    const char *sub);
void api_cdr_list(struct http_req *req, struct http_reply *rep);
void api_cdr_get(struct http_req *req, struct http_reply *rep, const char *uuid);
void api_cdr_stats(struct http_req *req, struct http_reply *rep);

#endif
