/* Health endpoint; see health.h. */
#include "daemon/health.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/cdr/cdr-ingest.h"
#include "daemon/db.h"
#include "daemon/metrics.h"

struct health {
	pthread_mutex_t lock;    /* protects the cached result */
	pthread_mutex_t refresh; /* held by the thread refreshing it */
	long long checked_ms;
	bool db_ok;
	char db_reason[256];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct health *health_new(void)
{
	struct health *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->refresh, NULL);
	h->checked_ms = -HEALTH_CACHE_MS - 1;
	snprintf(h->db_reason, sizeof(h->db_reason), "not checked yet");
	return h;
}

void health_free(struct health *h)
{
	if (!h)
		return;
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->refresh);
	free(h);
}

/* txid_current() assigns a transaction id, which only a writable primary
 * can do: one round trip proves "reachable and writable". */
static const struct db_stmt stmt_health = {
	"health_write_check",
	"SELECT txid_current()",
	0,
	true,
};

static void refresh(struct app *app, struct health *h)
{
	struct db_conn *c = db_conn_get(app->db);
	struct db_err err = { DB_ERROR, "", "out of memory" };
	PGresult *res = c ? db_query(c, &stmt_health, NULL, &err) : NULL;

	pthread_mutex_lock(&h->lock);
	h->db_ok = res != NULL;
	if (res)
		h->db_reason[0] = '\0';
	else
		snprintf(h->db_reason, sizeof(h->db_reason), "%s", err.msg[0] ? err.msg : "error");
	h->checked_ms = now_ms();
	pthread_mutex_unlock(&h->lock);
	PQclear(res);
}

void handle_live(struct http_req *req, struct http_reply *rep)
{
	(void)req;
	reply_text(rep, 200, "text/plain", "ok\n");
}

void handle_health(struct http_req *req, struct http_reply *rep)
{
	struct app *app = req->app;
	struct health *h = app->health;
	cJSON *o = cJSON_CreateObject(), *db, *cdr, *reasons;
	struct settings st;
	bool ok, stale, db_ok;
	char reason[256];

	pthread_mutex_lock(&h->lock);
	stale = now_ms() - h->checked_ms >= HEALTH_CACHE_MS;
	pthread_mutex_unlock(&h->lock);
	if (stale && pthread_mutex_trylock(&h->refresh) == 0) {
		refresh(app, h);
		pthread_mutex_unlock(&h->refresh);
	}
	pthread_mutex_lock(&h->lock);
	db_ok = h->db_ok;
	snprintf(reason, sizeof(reason), "%s", h->db_reason);
	pthread_mutex_unlock(&h->lock);

	app_settings_get(app, &st);
	ok = db_ok && !atomic_load(&app->stopping);
	if (!o) {
		reply_error(rep, 500, "out of memory");
		return;
	}
	reasons = cJSON_AddArrayToObject(o, "reasons");
	db = cJSON_AddObjectToObject(o, "database");
	cJSON_AddBoolToObject(db, "ok", db_ok);
	if (!db_ok) {
		cJSON_AddStringToObject(db, "error", reason);
		cJSON_AddItemToArray(reasons,
				     cJSON_CreateString("database not reachable or not writable"));
	}
	cdr = cJSON_AddObjectToObject(o, "cdr");
	if (app->cdr) {
		size_t backlog = cdr_ingest_backlog(app->cdr);

		cJSON_AddNumberToObject(cdr, "backlog", (double)backlog);
		cJSON_AddNumberToObject(cdr, "oldest_age_seconds", cdr_ingest_oldest_age(app->cdr));
		cJSON_AddNumberToObject(cdr, "max_backlog", (double)st.health_max_backlog);
		if (backlog > st.health_max_backlog) {
			ok = false;
			cJSON_AddItemToArray(reasons,
					     cJSON_CreateString("CDR backlog above threshold"));
		}
	} else {
		cJSON_AddBoolToObject(cdr, "running", 0);
		ok = false;
		cJSON_AddItemToArray(reasons, cJSON_CreateString("CDR ingestion not running"));
	}
	if (atomic_load(&app->stopping))
		cJSON_AddItemToArray(reasons, cJSON_CreateString("shutting down"));
	cJSON_AddStringToObject(o, "status", ok ? "ok" : "unavailable");
	reply_json(rep, ok ? 200 : 503, o);
}

void handle_metrics(struct http_req *req, struct http_reply *rep)
{
	sb_release(&rep->body);
	if (metrics_render(req->app->metrics, &rep->body) < 0) {
		reply_error(rep, 500, "out of memory");
		return;
	}
	rep->status = 200;
	rep->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
