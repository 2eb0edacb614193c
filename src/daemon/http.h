/* The HTTP layer: libmicrohttpd daemons, body collection with a size limit,
 * replies and request metrics. Which handler answers is the route table's
 * business (routes.h). Handlers see a complete request and fill a reply;
 * they never touch libmicrohttpd. A handler that cannot answer at once
 * (a CDR waits for its journal record to be durable) defers the reply:
 * the connection is parked without holding an HTTP thread. */
#ifndef VOIPADMIN_HTTP_H
#define VOIPADMIN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "daemon/app.h"
#include "lib/strbuf.h"

#define HTTP_MAX_PARAMS 2

struct MHD_Connection;

struct http_req {
	struct app *app;
	struct MHD_Connection *conn;
	const char *method;
	const char *url;  /* path only */
	const char *body; /* NUL-terminated copy; may contain NULs before body_len */
	size_t body_len;
	const char *content_type; /* or "" */
	char client_ip[64];
	const char *param[HTTP_MAX_PARAMS]; /* the route pattern's {..} segments */
	char param_buf[512];
};

struct http_reply;

/* How a deferred reply is parked and answered (e.g. fscdr.c's). */
struct http_deferral {
	/* Registers the wake-up for token: 0 = parked, suspend(conn) was called
	 * and resume(conn) will be; 1 = ready already; <0 = cannot park (the
	 * reply is then produced with answer(wait = true)). */
	int (*park)(struct app *app, uint64_t token, void (*suspend)(void *conn),
		    void (*resume)(void *conn), void *conn);
	/* Fills the reply once ready; with wait, blocks until it is. */
	void (*answer)(struct app *app, const char *client_ip, uint64_t token, bool wait,
		       struct http_reply *rep);
};

struct http_reply {
	unsigned status;
	const char *content_type;
	struct strbuf body;
	const char *www_authenticate;      /* static string or NULL */
	unsigned retry_after;              /* seconds, 0 = none */
	char allow[64];                    /* Allow header of a 405, or "" */
	const struct http_deferral *defer; /* set: answer later (defer_token) */
	uint64_t defer_token;
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
