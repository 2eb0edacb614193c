/* The HTTP layer: libmicrohttpd daemons, body collection with a size limit,
 * authentication, routing, replies and request metrics. Handlers see a
 * complete request and fill a reply; they never touch libmicrohttpd. */
#ifndef VOIPADMIN_HTTP_H
#define VOIPADMIN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "daemon/app.h"
#include "lib/strbuf.h"

struct MHD_Connection;

struct http_req {
	struct app *app;
	struct MHD_Connection *conn;
	const char *method;
	const char *url;        /* path only */
	const char *body;       /* NUL-terminated copy; may contain NULs before body_len */
	size_t body_len;
	const char *content_type;       /* or "" */
	char client_ip[64];
};

struct http_reply {
	unsigned status;
	const char *content_type;
	struct strbuf body;
	const char *www_authenticate;   /* static string or NULL */
	unsigned retry_after;           /* seconds, 0 = none */
	const char *location;           /* static or owned by body's lifetime: NULL */
	bool cdr_deferred;              /* answer once journal record cdr_seq settled */
	uint64_t cdr_seq;
};

/* Query-string argument (decoded by libmicrohttpd) or NULL. */
const char *http_query(const struct http_req *req, const char *name);
/* Request header or NULL. */
const char *http_header(const struct http_req *req, const char *name);

/* {"error": msg} with the given status. */
void reply_error(struct http_reply *rep, unsigned status, const char *msg);
/* Prints and deletes json (ownership taken) as the body. */
void reply_json(struct http_reply *rep, unsigned status, cJSON *json);
void reply_text(struct http_reply *rep, unsigned status, const char *ctype, const char *text);

struct http_server;

/* Starts both listeners. NULL with a message in err on failure. */
struct http_server *http_start(struct app *app, char *err, size_t errlen);
/* Stops accepting new connections (SIGTERM, step one). */
void http_quiesce(struct http_server *s);
/* Waits up to timeout_ms for in-flight requests to finish. */
void http_drain(struct http_server *s, unsigned timeout_ms);
void http_stop(struct http_server *s);

#endif
