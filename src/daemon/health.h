/* GET /health and GET /metrics. /health: can this daemon serve? Database
 * reachable and writable (a primary, not read-only), CDR backlog below
 * health_max_backlog. Cheap: the
 * answer is cached for HEALTH_CACHE_MS, and while one thread refreshes it,
 * others answer from the cached result instead of queueing on the database. */
#ifndef VOIPADMIN_HEALTH_H
#define VOIPADMIN_HEALTH_H

#include "daemon/http.h"

#define HEALTH_CACHE_MS 500

struct health;

struct health *health_new(void);
void health_free(struct health *h);
void handle_health(struct http_req *req, struct http_reply *rep);
/* GET /live: 200 whenever the HTTP server answers, whatever the database
 * does (the watchdog's self-probe: a database that hangs during a failover
 * must not get the daemon killed). */
void handle_live(struct http_req *req, struct http_reply *rep);
/* GET /metrics: the Prometheus text exposition of every registered metric. */
void handle_metrics(struct http_req *req, struct http_reply *rep);

#endif
