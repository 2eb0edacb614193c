/* LISTEN/NOTIFY directory cache invalidation; see dirnotify.h. */
#include "daemon/dirnotify.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "daemon/db.h"
#include "daemon/dircache.h"
#include "daemon/log.h"
#include "daemon/metrics.h"

struct dirnotify {
	struct app *app;
	pthread_t thread;
	atomic_bool stop;
	struct metric_counter *flushes;
};

/* Waits up to 1 s for notifications on a listening connection. Returns
 * false when the connection is broken. */
static bool wait_notifications(struct dirnotify *dn, PGconn *pg)
{
	struct pollfd p = { .fd = PQsocket(pg), .events = POLLIN };
	PGnotify *n;
	bool got = false;

	if (p.fd < 0)
		return false;
	if (poll(&p, 1, 1000) < 0)
		return true; /* EINTR: just try again */
	if (PQconsumeInput(pg) == 0)
		return false;
	while ((n = PQnotifies(pg)) != NULL) {
		got = true;
		PQfreemem(n);
	}
	if (got) {
		dircache_flush(dn->app->dircache);
		metric_counter_add(dn->flushes, 1);
	}
	return PQstatus(pg) == CONNECTION_OK;
}

static void *run(void *arg)
{
	struct dirnotify *dn = arg;
	struct db_conn *c = db_conn_get(dn->app->db);
	bool listening = false;
	struct db_err err;

	while (!atomic_load(&dn->stop)) {
		if (!c) {
			c = db_conn_get(dn->app->db);
			if (!c) {
				poll(NULL, 0, 1000);
				continue;
			}
		}
		if (!listening) {
			/* db_exec fails fast while backing off, so this loop polls
			 * at the reconnect pace without spinning */
			if (db_exec(c, "LISTEN " DIRNOTIFY_CHANNEL, &err) < 0) {
				poll(NULL, 0, 200);
				continue;
			}
			listening = true;
			/* anything may have changed while we were not listening */
			dircache_flush(dn->app->dircache);
		}
		if (!wait_notifications(dn, db_pgconn(c))) {
			/* Keep serving cached answers while the database is away
			 * (FreeSWITCH keeps registering phones through a failover);
			 * nothing can change meanwhile that we would not hear of,
			 * except during the gap itself, and the flush after the
			 * next successful LISTEN covers that. The next db_exec
			 * reconnects (db_ensure sees the bad status). */
			log_warn("directory change listener lost its database connection");
			listening = false;
		}
	}
	return NULL;
}

struct dirnotify *dirnotify_start(struct app *app)
{
	struct dirnotify *dn = calloc(1, sizeof(*dn));

	if (!dn)
		return NULL;
	dn->app = app;
	atomic_init(&dn->stop, false);
	dn->flushes =
		metrics_counter(app->metrics, "voipadmin_directory_cache_remote_flushes_total",
				"Directory cache flushes triggered by NOTIFY " DIRNOTIFY_CHANNEL,
				"");
	if (pthread_create(&dn->thread, NULL, run, dn) != 0) {
		free(dn);
		return NULL;
	}
	return dn;
}

void dirnotify_stop(struct dirnotify *dn)
{
	if (!dn)
		return;
	atomic_store(&dn->stop, true);
	pthread_join(dn->thread, NULL);
	free(dn);
}
