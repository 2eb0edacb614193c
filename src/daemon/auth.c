/* Request authentication and failure rate limiting; see auth.h. */
#include "daemon/auth.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "daemon/db.h"
#include "daemon/hash.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "lib/hex.h"

/* A fixed table: an attacker rotating source addresses can only evict
 * other entries (making the limit weaker for them), never grow memory. */
#define RL_SLOTS 1024

struct rl_slot {
	char ip[64];
	time_t window_start;
	unsigned failures;
};

struct ratelimit {
	pthread_mutex_t lock;
	struct rl_slot slots[RL_SLOTS];
};

static size_t slot_of(const char *ip)
{
	uint32_t h = 2166136261u;

	for (; *ip; ip++)
		h = (h ^ (unsigned char)*ip) * 16777619u;
	return h % RL_SLOTS;
}

static time_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct ratelimit *ratelimit_new(void)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));

	if (rl)
		pthread_mutex_init(&rl->lock, NULL);
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

bool ratelimit_blocked(struct ratelimit *rl, const char *ip, unsigned *retry_after)
{
	struct rl_slot *s = &rl->slots[slot_of(ip)];
	time_t now = mono_s();
	bool blocked = false;

	pthread_mutex_lock(&rl->lock);
	if (strcmp(s->ip, ip) == 0 && now - s->window_start < AUTH_WINDOW_S &&
	    s->failures >= AUTH_MAX_FAILURES) {
		blocked = true;
		*retry_after = (unsigned)(AUTH_WINDOW_S - (now - s->window_start));
	}
	pthread_mutex_unlock(&rl->lock);
	return blocked;
}

void ratelimit_failure(struct ratelimit *rl, const char *ip)
{
	struct rl_slot *s = &rl->slots[slot_of(ip)];
	time_t now = mono_s();

	pthread_mutex_lock(&rl->lock);
	if (strcmp(s->ip, ip) != 0 || now - s->window_start >= AUTH_WINDOW_S) {
		snprintf(s->ip, sizeof(s->ip), "%s", ip);
		s->window_start = now;
		s->failures = 0;
	}
	s->failures++;
	pthread_mutex_unlock(&rl->lock);
}

static bool limited(struct http_req *req, struct http_reply *rep)
{
	unsigned retry = 0;

	if (!ratelimit_blocked(req->app->ratelimit, req->client_ip, &retry))
		return false;
	rep->retry_after = retry ? retry : 1;
	reply_error(rep, 429, "too many failed authentication attempts");
	return true;
}

static void failed(struct http_req *req, struct http_reply *rep, const char *why,
		   const char *scheme)
{
	ratelimit_failure(req->app->ratelimit, req->client_ip);
	metric_counter_add(metrics_counter(req->app->metrics, "voipadmin_auth_failures_total",
					   "Rejected authentication attempts", ""),
			   1);
	/* the client IP and route only: the presented key is never logged */
	log_warn("authentication failed (%s) from %s for %s %s", why, req->client_ip, req->method,
		 req->url);
	rep->www_authenticate = scheme;
	reply_error(rep, 401, "authentication required");
}

bool auth_freeswitch(struct http_req *req, struct http_reply *rep)
{
	struct settings st;
	unsigned char digest[32];
	char *pass = NULL;
	char *user;
	bool ok;

	if (limited(req, rep))
		return false;
	app_settings_get(req->app, &st);
	user = MHD_basic_auth_get_username_password(req->conn, &pass);
	if (!user || !pass) {
		MHD_free(user);
		MHD_free(pass);
		failed(req, rep, "no credentials", "Basic realm=\"voip-admin\"");
		return false;
	}
	ok = hash_sha256(pass, strlen(pass), digest) == 0 &&
	     hash_equal32(digest, st.freeswitch_key_sha256) && strcmp(user, "freeswitch") == 0;
	explicit_bzero(pass, strlen(pass));
	MHD_free(user);
	MHD_free(pass);
	if (!ok) {
		failed(req, rep, "bad credentials", "Basic realm=\"voip-admin\"");
		return false;
	}
	return true;
}

static const struct db_stmt stmt_api_key = {
	"auth_api_key", "SELECT id FROM voip.api_keys WHERE key_sha256 = $1 AND revoked_at IS NULL",
	1, true
};

/* Looks a key digest up among voip.api_keys. 1 found, 0 not, -1 db down. */
static int db_key_known(struct app *app, const unsigned char digest[32])
{
	char hexd[65];
	const char *params[1] = { hexd };
	struct db_conn *c = db_conn_get(app->db);
	struct db_err err;
	PGresult *res;
	int found;

	hex_encode(digest, 32, hexd);
	if (!c)
		return -1;
	res = db_query(c, &stmt_api_key, params, &err);
	if (!res)
		return err.status == DB_UNAVAILABLE ? -1 : 0;
	found = PQntuples(res) > 0;
	PQclear(res);
	return found;
}

bool auth_admin(struct http_req *req, struct http_reply *rep)
{
	const char *authz = http_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *xkey = http_header(req, "X-API-Key");
	const char *key = NULL;
	unsigned char digest[32];
	struct settings st;
	int known;

	if (limited(req, rep))
		return false;
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0)
		key = authz + 7;
	else if (xkey)
		key = xkey;
	if (!key || !*key) {
		failed(req, rep, "no credentials", "Bearer realm=\"voip-admin\"");
		return false;
	}
	app_settings_get(req->app, &st);
	if (strlen(key) > 1024 || hash_sha256(key, strlen(key), digest) < 0) {
		failed(req, rep, "bad credentials", "Bearer realm=\"voip-admin\"");
		return false;
	}
	if (hash_equal32(digest, st.admin_key_sha256))
		return true;
	known = db_key_known(req->app, digest);
	if (known < 0) {
		reply_error(rep, 503, "database unavailable");
		return false;
	}
	if (!known) {
		failed(req, rep, "bad credentials", "Bearer realm=\"voip-admin\"");
		return false;
	}
	return true;
}
