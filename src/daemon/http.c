/* libmicrohttpd glue: listeners, body collection, replies, parked
 * (deferred) replies, request metrics. See http.h; routing is routes.c. */
#include "daemon/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/metrics.h"
#include "daemon/routes.h"
#include "lib/sockaddr.h"

/* Per-connection timeout: FreeSWITCH keeps connections alive between
 * lookups; an idle or stalled client is dropped after this. */
#define CONNECTION_TIMEOUT_S 15

struct listener {
	struct http_server *srv;
	unsigned kind; /* LISTEN_MAIN or LISTEN_METRICS */
	struct MHD_Daemon *d;
};

struct http_server {
	struct app *app;
	struct listener main, metrics;
};

struct req_ctx {
	struct strbuf body;
	size_t limit;
	bool too_large;
	struct timespec t0;
	/* a reply parked until its handler's deferral is ready */
	const struct http_deferral *parked;
	uint64_t token;
	const char *route;
	char client_ip[64];
};

const char *http_query(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

void reply_text(struct http_reply *rep, unsigned status, const char *ctype, const char *text)
{
	sb_release(&rep->body);
	rep->status = status;
	rep->content_type = ctype;
	if (sb_adds(&rep->body, text) < 0)
		rep->status = 500;
}

void reply_json(struct http_reply *rep, unsigned status, cJSON *json)
{
	char *s = json ? cJSON_PrintUnformatted(json) : NULL;

	cJSON_Delete(json);
	if (!s) {
		reply_text(rep, 500, "application/json", "{\"error\":\"out of memory\"}\n");
		return;
	}
	reply_text(rep, status, "application/json", s);
	sb_addc(&rep->body, '\n');
	cJSON_free(s);
}

void reply_error(struct http_reply *rep, unsigned status, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	if (o && !cJSON_AddStringToObject(o, "error", msg)) {
		cJSON_Delete(o);
		o = NULL;
	}
	reply_json(rep, status, o);
	if (o)
		rep->status = status;
}

static double elapsed_s(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void record(struct app *app, const char *route, unsigned status, double secs)
{
	char labels[160];

	snprintf(labels, sizeof(labels), "route=\"%s\",code=\"%u\"", route, status);
	metric_counter_add(metrics_counter(app->metrics, "voipadmin_http_requests_total",
					   "HTTP requests by route and status", labels),
			   1);
	snprintf(labels, sizeof(labels), "route=\"%s\"", route);
	metric_histogram_observe(metrics_histogram(app->metrics,
						   "voipadmin_http_request_duration_seconds",
						   "Time to produce a response, by route", labels,
						   metrics_latency_buckets,
						   metrics_latency_nbuckets),
				 secs);
}

static enum MHD_Result send_reply(struct app *app, struct MHD_Connection *conn,
				  struct http_reply *rep)
{
	struct MHD_Response *r;
	size_t len = rep->body.len;
	char *body = sb_detach(&rep->body);
	enum MHD_Result ret;
	char num[16];

	r = MHD_create_response_from_buffer(len, body ? body : (char *)"",
					    body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	if (rep->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rep->content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (rep->www_authenticate)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, rep->www_authenticate);
	if (rep->allow[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rep->allow);
	if (rep->retry_after) {
		snprintf(num, sizeof(num), "%u", rep->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, num);
	}
	/* while draining, tell keep-alive clients to go away */
	if (atomic_load(&app->stopping))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(conn, rep->status, r);
	MHD_destroy_response(r);
	return ret;
}

static const struct sockaddr *client_addr(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return ci ? ci->client_addr : NULL;
}

static void client_ip(struct MHD_Connection *conn, char *buf, size_t len)
{
	const struct sockaddr *sa = client_addr(conn);

	snprintf(buf, len, "unknown");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
			  (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  (socklen_t)len);
}

static void suspend_conn(void *conn)
{
	MHD_suspend_connection(conn);
}

static void resume_conn(void *conn)
{
	MHD_resume_connection(conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct listener *l = cls;
	struct app *app = l->srv->app;
	struct req_ctx *ctx = *con_cls;
	struct http_reply rep = { .status = 500, .body = STRBUF_INIT };
	struct http_req req;
	enum MHD_Result ret;
	const char *route;

	(void)version;
	if (!ctx) {
		struct settings st;
		const char *cl;

		ctx = calloc(1, sizeof(*ctx));
		if (!ctx)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &ctx->t0);
		app_settings_get(app, &st);
		ctx->limit = st.max_body_bytes;
		*con_cls = ctx;
		/* refuse an announced oversized body before reading any of it */
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > ctx->limit)
			ctx->too_large = true;
		else
			return MHD_YES;
	}
	if (*upload_data_size) {
		if (!ctx->too_large) {
			if (*upload_data_size > ctx->limit - ctx->body.len) {
				ctx->too_large = true;
				sb_release(&ctx->body);
			} else if (sb_add(&ctx->body, upload_data, *upload_data_size) < 0) {
				return MHD_NO;
			}
		}
		/* an oversized body is read and dropped to its end, then
		 * answered 413 (a response queued mid-upload is refused) */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (ctx->too_large) {
		reply_error(&rep, 413, "request body too large");
		record(app, "other", 413, elapsed_s(&ctx->t0));
		ret = send_reply(app, conn, &rep);
		sb_release(&rep.body);
		return ret;
	}

	if (ctx->parked) { /* resumed: ready (or shutting down) */
		ctx->parked->answer(app, ctx->client_ip, ctx->token, false, &rep);
		record(app, ctx->route, rep.status, elapsed_s(&ctx->t0));
		ret = send_reply(app, conn, &rep);
		sb_release(&rep.body);
		return ret;
	}

	memset(&req, 0, sizeof(req));
	req.app = app;
	req.conn = conn;
	req.method = method;
	req.url = url;
	req.body = sb_str(&ctx->body);
	req.body_len = ctx->body.len;
	req.content_type =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!req.content_type)
		req.content_type = "";
	client_ip(conn, req.client_ip, sizeof(req.client_ip));

	/* The metrics listener may sit on the node's own address: only the node
	 * itself and the metrics_allow scrapers get an answer. */
	if (l->kind == LISTEN_METRICS &&
	    !config_metrics_client_allowed(app->cfg, client_addr(conn))) {
		reply_error(&rep, 403, "forbidden: this address is not in metrics_allow");
		route = "other";
	} else {
		route = route_request(l->kind, &req, &rep);
	}
	if (rep.defer) {
		const struct http_deferral *d = rep.defer;
		int parked;

		ctx->token = rep.defer_token;
		ctx->route = route;
		snprintf(ctx->client_ip, sizeof(ctx->client_ip), "%s", req.client_ip);
		ctx->parked = d;
		parked = d->park(app, ctx->token, suspend_conn, resume_conn, conn);
		if (parked == 0)
			return MHD_YES;
		/* ready already, or no memory to park it: answer now */
		ctx->parked = NULL;
		rep.defer = NULL;
		d->answer(app, req.client_ip, ctx->token, parked < 0, &rep);
	}
	record(app, route, rep.status, elapsed_s(&ctx->t0));
	ret = send_reply(app, conn, &rep);
	sb_release(&rep.body);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req_ctx *ctx = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!ctx)
		return;
	sb_release(&ctx->body);
	free(ctx);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strcspn(buf, "\n");
	buf[n] = '\0';
	log_warn("http: %s", buf);
}

static struct MHD_Daemon *start_one(struct listener *l, const char *ip, uint16_t port,
				    unsigned threads, unsigned conn_limit)
{
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;

	if (sockaddr_from_ip(ip, port, &ss, NULL) < 0)
		return NULL;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, port, NULL, NULL, on_request, l, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
				MHD_OPTION_CONNECTION_LIMIT, conn_limit,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
				MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED,
				on_completed, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_END);
}

struct http_server *http_start(struct app *app, char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof(*s));
	const struct admin_config *c = app->cfg;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->app = app;
	s->main.srv = s;
	s->main.kind = LISTEN_MAIN;
	s->metrics.srv = s;
	s->metrics.kind = LISTEN_METRICS;
	s->main.d = start_one(&s->main, c->listen_address, c->http_port, c->http_threads,
			      c->max_connections);
	if (!s->main.d) {
		snprintf(err, errlen, "cannot listen on %s port %u: %s", c->listen_address,
			 c->http_port, strerror(errno));
		free(s);
		return NULL;
	}
	s->metrics.d = start_one(&s->metrics, c->metrics_address, c->metrics_port, 1, 64);
	if (!s->metrics.d) {
		snprintf(err, errlen, "cannot listen on %s port %u: %s", c->metrics_address,
			 c->metrics_port, strerror(errno));
		MHD_stop_daemon(s->main.d);
		free(s);
		return NULL;
	}
	return s;
}

void http_quiesce(struct http_server *s)
{
	MHD_socket fd = MHD_quiesce_daemon(s->main.d);

	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

void http_drain(struct http_server *s, unsigned timeout_ms)
{
	for (unsigned waited = 0; waited < timeout_ms; waited += 50) {
		const union MHD_DaemonInfo *di =
			MHD_get_daemon_info(s->main.d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (!di || di->num_connections == 0)
			return;
		usleep(50 * 1000);
	}
}

void http_stop(struct http_server *s)
{
	if (!s)
		return;
#ifdef HAVE_CDR_INGEST
	/* libmicrohttpd cannot stop with suspended connections */
	cdr_ingest_release_waiters(s->app->cdr);
#endif
	MHD_stop_daemon(s->main.d);
	MHD_stop_daemon(s->metrics.d);
	free(s);
}
