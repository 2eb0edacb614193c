/* The route table and its matcher; see routes.h. */
#include "daemon/routes.h"

#include <string.h>

#include "daemon/api.h"
#include "daemon/auth.h"
#include "daemon/cdr/fscdr.h"
#include "daemon/health.h"
#include "daemon/metrics.h"
#include "daemon/xmlcurl.h"

#define BOTH (LISTEN_MAIN | LISTEN_METRICS)

const struct route routes[] = {
	{ BOTH, "GET", "/live", AUTH_NONE, handle_live },
	{ BOTH, "HEAD", "/live", AUTH_NONE, handle_live },
	{ BOTH, "GET", "/health", AUTH_NONE, handle_health },
	{ BOTH, "HEAD", "/health", AUTH_NONE, handle_health },
	{ BOTH, "GET", "/metrics", AUTH_NONE, handle_metrics },

	{ LISTEN_MAIN, "POST", "/fs/xml", AUTH_FREESWITCH, handle_fs_xml },
	{ LISTEN_MAIN, "POST", "/fs/cdr", AUTH_FREESWITCH, handle_fs_cdr },
	{ LISTEN_MAIN, "POST", "/fs/cdr/json", AUTH_FREESWITCH, handle_fs_cdr },

	{ LISTEN_MAIN, "GET", "/api/v1/domains", AUTH_ADMIN, api_domain_list },
	{ LISTEN_MAIN, "POST", "/api/v1/domains", AUTH_ADMIN, api_domain_create },
	{ LISTEN_MAIN, "GET", "/api/v1/extensions", AUTH_ADMIN, api_ext_list },
	{ LISTEN_MAIN, "POST", "/api/v1/extensions", AUTH_ADMIN, api_ext_create },
	{ LISTEN_MAIN, "GET", "/api/v1/extensions/{id}", AUTH_ADMIN, api_ext_get },
	{ LISTEN_MAIN, "PATCH", "/api/v1/extensions/{id}", AUTH_ADMIN, api_ext_patch },
	{ LISTEN_MAIN, "DELETE", "/api/v1/extensions/{id}", AUTH_ADMIN, api_ext_delete },
	{ LISTEN_MAIN, "PUT", "/api/v1/extensions/{id}/password", AUTH_ADMIN, api_ext_password },
	{ LISTEN_MAIN, "GET", "/api/v1/cdr", AUTH_ADMIN, api_cdr_list },
	/* before {uuid}: the first matching row wins */
	{ LISTEN_MAIN, "GET", "/api/v1/cdr/stats", AUTH_ADMIN, api_cdr_stats },
	{ LISTEN_MAIN, "GET", "/api/v1/cdr/{uuid}", AUTH_ADMIN, api_cdr_get },
};
const size_t routes_count = sizeof(routes) / sizeof(routes[0]);

struct seg {
	const char *s;
	size_t len;
};

/* Does url match pattern? Each "{..}" matches one non-empty segment, noted
 * in param[] (*np of them). One trailing slash in the url is tolerated. */
static bool match(const char *pattern, const char *url, struct seg param[HTTP_MAX_PARAMS],
		  size_t *np)
{
	size_t n = strlen(url);
	const char *p = pattern, *u = url, *end;

	if (n > 1 && url[n - 1] == '/')
		n--;
	end = url + n;
	*np = 0;
	while (*p) {
		const char *pend, *uend;

		if (*p != '/' || u >= end || *u != '/')
			return false;
		p++, u++;
		pend = strchrnul(p, '/');
		uend = memchr(u, '/', (size_t)(end - u));
		if (!uend)
			uend = end;
		if (uend == u)
			return false; /* empty segment */
		if (*p == '{') {
			if (*np == HTTP_MAX_PARAMS)
				return false;
			param[*np].s = u;
			param[(*np)++].len = (size_t)(uend - u);
		} else if ((size_t)(pend - p) != (size_t)(uend - u) ||
			   memcmp(p, u, (size_t)(pend - p)) != 0) {
			return false;
		}
		p = pend;
		u = uend;
	}
	return u == end;
}

/* Copies the matched segments into req->param_buf as C strings. */
static bool set_params(struct http_req *req, const struct seg *param, size_t np)
{
	size_t off = 0;

	for (size_t i = 0; i < np; i++) {
		if (param[i].len + 1 > sizeof(req->param_buf) - off)
			return false;
		memcpy(req->param_buf + off, param[i].s, param[i].len);
		req->param_buf[off + param[i].len] = '\0';
		req->param[i] = req->param_buf + off;
		off += param[i].len + 1;
	}
	return true;
}

static bool authenticated(enum route_auth a, struct http_req *req, struct http_reply *rep)
{
	switch (a) {
	case AUTH_FREESWITCH:
		return auth_freeswitch(req, rep);
	case AUTH_ADMIN:
		return auth_admin(req, rep);
	case AUTH_NONE:
		break;
	}
	return true;
}

const char *route_request(unsigned listener, struct http_req *req, struct http_reply *rep)
{
	const struct route *path_match = NULL;
	size_t allow_len = 0;

	rep->allow[0] = '\0';
	for (size_t i = 0; i < routes_count; i++) {
		const struct route *r = &routes[i];
		struct seg param[HTTP_MAX_PARAMS];
		size_t np;

		if (!(r->listeners & listener) || !match(r->pattern, req->url, param, &np))
			continue;
		if (strcmp(r->method, req->method) == 0) {
			if (!set_params(req, param, np))
				reply_error(rep, 404, "not found");
			else if (authenticated(r->auth, req, rep))
				r->handler(req, rep);
			return r->pattern;
		}
		if (!path_match)
			path_match = r;
		/* Allow: every method of this path, once each */
		if (!strstr(rep->allow, r->method) &&
		    allow_len + strlen(r->method) + 3 < sizeof(rep->allow))
			allow_len += (size_t)snprintf(rep->allow + allow_len,
						      sizeof(rep->allow) - allow_len, "%s%s",
						      allow_len ? ", " : "", r->method);
	}
	if (path_match) {
		reply_error(rep, 405, "method not allowed");
		return path_match->pattern;
	}
	reply_error(rep, 404, "not found");
	return "other";
}
