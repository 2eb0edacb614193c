/* The pair's failover state on /metrics: gauges read from the failover
 * monitor's state file (lib/monitor-state.h), so a Prometheus scraping
 * either node sees its role, whether it holds the VIP, replication
 * synchronous or degraded, lag, timeline and failovers, without a database
 * query. */
#ifndef VOIPHA_DAEMON_CLUSTER_METRICS_H
#define VOIPHA_DAEMON_CLUSTER_METRICS_H

#include "daemon/metrics.h"

struct cluster_metrics;

/* Registers the voipadmin_cluster_* gauges, reading state_path at most
 * twice a second. NULL when out of memory. */
struct cluster_metrics *cluster_metrics_register(struct metrics *m, const char *state_path);
void cluster_metrics_free(struct cluster_metrics *cm);

#endif
