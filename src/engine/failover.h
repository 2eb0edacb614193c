/* The failover rules shared by notify, fence, pg-guard, check, monitor and
 * rebuild (doc/DESIGN.md, "Failover"):
 *  - a node that can reach neither its peer nor the witness is cut off: it
 *    must not be writable, must not promote, must not degrade replication;
 *  - a primary that gives up the VIP stops being writable (fence) when
 *    someone can take over: the peer is a standby it can reach, or the
 *    peer is itself a primary (then this node is the stale one), or this
 *    node is cut off;
 *  - a fenced node becomes a standby of the primary peer (voip-ha rebuild,
 *    run by voip-ha-rebuild.service). */
#ifndef VOIPHA_CLI_FAILOVER_H
#define VOIPHA_CLI_FAILOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/maintenance.h"
#include "engine/reach.h"

struct node_ctx;

/* While it exists the local cluster may only start as a standby (pg-guard).
 * Holds the reason, one line. */
#define VOIPHA_FENCED "/var/lib/voip-ha/fenced"
#define VOIPHA_REBUILD_UNIT "voip-ha-rebuild.service"
/* While it exists `voip-ha restore` runs: pg-guard lets the local cluster
 * start for its point-in-time recovery (recovery.signal). Holds the target. */
#define VOIPHA_RESTORING "/var/lib/voip-ha/restoring"

/* Decides whether the local primary must stop being writable now that it
 * gives up (or never got) the VIP. left_master: it held the VIP (FAULT,
 * STOP, BACKUP after MASTER, keepalived stopped). why gets the reason
 * either way. */
bool should_fence(const struct node_ctx *ctx, bool left_master, char *why, size_t len);
/* The same gathering for rule_fence_monitor_gone(): the monitor ended
 * abnormally (its unit's ExecStopPost). */
bool should_fence_monitor_gone(const struct node_ctx *ctx, char *why, size_t len);

/* With an arbiter: gives the leadership this node holds back to the witness
 * at once (its term as the monitor published it), so the peer need not
 * wait for the lease to run out. Called once PostgreSQL has stopped. */
void lease_give_back(const struct node_ctx *ctx);

/* Writes the fence marker (atomically) with why as its one line. */
int fence_mark(const char *why);

/* Stops the local PostgreSQL, leaves the fence marker, records it and
 * starts voip-ha-rebuild.service (no wait). 0, or -errno / exit status. */
int fence_local(const struct node_ctx *ctx, const char *why);
/* The same with an immediate stop: the lease keeper, whose leadership ran
 * out. */
int fence_local_now(const struct node_ctx *ctx, const char *why);

/* Runs cluster.conf's alert_command (if any) with EVENT NODE DETAIL as
 * arguments, detached: never waits for it. */
void run_alert(const struct node_ctx *ctx, const char *event, const char *detail);

/* synchronous_standby_names on the local primary: the peer's name (every
 * commit waits until the peer has flushed it) or '' (degraded). Through
 * ALTER SYSTEM and a reload. */
int set_sync_standby(const struct node_ctx *ctx, bool sync, char *err, size_t errlen);

#endif
