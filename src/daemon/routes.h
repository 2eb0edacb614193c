/* The route table: every URL voip-admind answers, one row each (listener,
 * method, path pattern, authentication, handler). The pattern is also the
 * request metrics' route label, so labels stay a fixed, bounded set. A path
 * that exists with other methods answers 405 with Allow; anything else 404. */
#ifndef VOIPADMIN_ROUTES_H
#define VOIPADMIN_ROUTES_H

#include "daemon/http.h"

/* Which listener a request came in on (a route lists the ones it serves). */
enum {
	LISTEN_MAIN = 1,    /* listen_address:http_port (API, FreeSWITCH) */
	LISTEN_METRICS = 2, /* metrics_address:metrics_port */
};

enum route_auth {
	AUTH_NONE,
	AUTH_FREESWITCH, /* HTTP Basic, freeswitch key */
	AUTH_ADMIN,      /* Bearer / X-API-Key, admin key or voip.api_keys */
};

struct route {
	unsigned listeners; /* LISTEN_* bits */
	const char *method;
	const char *pattern; /* "/api/v1/extensions/{id}": {..} matches one segment */
	enum route_auth auth;
	void (*handler)(struct http_req *req, struct http_reply *rep);
};

/* Finds the route for req (filling req->param[] with the {..} segments),
 * authenticates and runs its handler, or answers 404/405 itself. Returns the
 * metrics label: the route's pattern, or "other". */
const char *route_request(unsigned listener, struct http_req *req, struct http_reply *rep);

/* The table itself (tests walk it). */
extern const struct route routes[];
extern const size_t routes_count;

#endif
