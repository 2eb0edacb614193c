/* The local PostgreSQL cluster and systemd units, as the failover commands
 * (notify, fence, rebuild, switchover, monitor) need them. */
#ifndef VOIPHA_CLI_PGCTL_H
#define VOIPHA_CLI_PGCTL_H

#include <stdbool.h>
#include <stddef.h>

struct node_ctx;

enum pg_role { PG_DOWN, PG_PRIMARY, PG_STANDBY };

/* SQL expression: the server's current timeline. The last checkpoint's
 * (pg_control_checkpoint) lags behind: on a primary until the first
 * checkpoint after its promotion, on a standby until a restartpoint. So a
 * primary reads it from its current WAL file's name, a standby from its WAL
 * receiver (the checkpoint's when it does not stream). */
#define PG_TIMELINE_SQL                                                                                  \
	"(CASE WHEN pg_is_in_recovery() THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver), " \
	"(SELECT timeline_id FROM pg_control_checkpoint())) "                                            \
	"ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END)"

/* "primary", "standby", "down". */
const char *pg_role_name(enum pg_role role);

/* The local server's role over its Unix socket (as postgres: the caller
 * must be root or postgres). PG_DOWN when it does not answer in timeout_s. */
enum pg_role pg_local_role(int timeout_s);

/* systemctl VERB UNIT (--no-block when asked). The exit status of
 * systemctl, or -errno when it could not run. Falls back to nothing when
 * systemd is not PID 1: returns -ENOSYS. */
int systemctl(const char *verb, const char *unit, bool no_block);

/* true when systemd has the unit in the failed state (a crash or a failed
 * start; a unit an operator stopped is inactive, not failed). */
bool unit_is_failed(const char *unit);
/* true while systemd runs the unit or a job of it: active, activating (a
 * oneshot unit such as voip-ha-rebuild.service while it works), reloading
 * or deactivating. */
bool unit_is_running(const char *unit);
/* Starts a failed unit again, queued: reset-failed first (a unit that hit
 * its start limit refuses even a manual start). 0, or an exit status /
 * -errno. */
int unit_start_again(const char *unit);
/* Units of the stack that failed while PostgreSQL was away (Kamailio
 * cannot start without its database; keepalived's ExecStartPre check
 * times out) start again, each noted with who ("rebuild"). One an operator
 * stopped (inactive) stays so. */
void restart_failed_units(const char *who);

/* Stops / starts the local cluster: through systemd when it runs (so the
 * unit's state stays true and pg-guard runs before a start), else with
 * pg_ctlcluster. A fast shutdown that does not end within 10 s (sessions
 * waiting for a synchronous standby that is gone) becomes an immediate one.
 * 0 once the server is gone (also when it was not running), -EBUSY when it
 * still runs. */
int pg_local_stop(const struct node_ctx *ctx);
/* The same, but immediate from the start (SIGQUIT to the postmaster): a
 * primary whose leadership ran out must stop being writable before the
 * witness lets the peer take it, not after a fast shutdown's 10 s. */
int pg_local_stop_now(const struct node_ctx *ctx);
int pg_local_start(const struct node_ctx *ctx);

/* Queues the start and returns (systemd), or starts (no systemd). */
int pg_local_start_nowait(const struct node_ctx *ctx);

/* true when the data directory is a standby's (standby.signal), whether
 * the server runs or not. */
bool pg_local_is_standby_dir(const struct node_ctx *ctx);
/* true when the data directory is set up for a point-in-time recovery
 * (recovery.signal: pgBackRest's restore wrote it). */
bool pg_local_is_recovery_dir(const struct node_ctx *ctx);

/* true while the data directory has a live postmaster.pid. */
bool pg_local_running(const struct node_ctx *ctx);

/* Waits up to timeout_s for the local standby's WAL receiver to stream from
 * the peer. 0, or -ETIMEDOUT. */
int pg_wait_streaming(int timeout_s);

/* Unit name of the local cluster, e.g. "postgresql@15-main.service". */
void pg_unit_name(const struct node_ctx *ctx, char *buf, size_t len);

#endif
