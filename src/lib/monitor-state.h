/* /run/voip-ha/monitor.state: the failover monitor's view of its node,
 * rewritten (atomically) once a second by `voip-ha monitor` and read by
 * `voip-ha status`, voip-admind's /metrics and operators' scripts. One
 * key=value per line (kvfile syntax); the keys are documented in voip-ha(8)
 * and defined once, in MONITOR_STATE_KEYS below. */
#ifndef VOIPHA_MONITOR_STATE_H
#define VOIPHA_MONITOR_STATE_H

#include <stdbool.h>

#include "lib/kvfile.h"
#include "lib/strbuf.h"

#define MONITOR_STATE_PATH "/run/voip-ha/monitor.state"

/* X(key, kind, field): kind is INT (long long), REAL (double) or TEXT. */
#define MONITOR_STATE_KEYS(X)                                                       \
	X(updated, INT, updated) /* unix time of the round */                       \
	X(node, TEXT, node)                                                         \
	X(role, TEXT, role) /* primary | standby | down */                          \
	X(vip_held, INT, vip_held)                                                  \
	X(sync_state, TEXT, sync_state) /* sync | degraded | standby | down */      \
	X(peer_reachable, INT, peer_reachable)                                      \
	X(witness_configured, INT, witness_configured)                              \
	X(witness_reachable, INT, witness_reachable)                                \
	X(lag_bytes, INT, lag_bytes) /* -1 unknown */                               \
	X(lag_seconds, REAL, lag_seconds)                                           \
	X(timeline, INT, timeline)                                                  \
	X(failovers_total, INT, failovers_total)                                    \
	X(fenced, INT, fenced)                                                      \
	X(arbiter, TEXT, arbiter) /* none | postgresql */                           \
	X(arbiter_reachable, INT, arbiter_reachable)                                \
	X(lease_holder, TEXT, lease_holder) /* "" | node1 | node2 */                \
	X(lease_term, INT, lease_term)                                              \
	X(lease_remaining_ms, INT, lease_remaining_ms) /* witness's view */         \
	X(lease_renewed_ago_ms, INT, lease_renewed_ago_ms)                          \
	X(lease_held, INT, lease_held)                     /* this node holds it */ \
	X(lease_valid_until_ms, INT, lease_valid_until_ms) /* CLOCK_BOOTTIME */     \
	X(lease_failsafe, INT, lease_failsafe)

struct monitor_state {
#define MS_FIELD_INT(f) long long f;
#define MS_FIELD_REAL(f) double f;
#define MS_FIELD_TEXT(f) char f[32];
#define MS_FIELD(key, kind, field) MS_FIELD_##kind(field)
	MONITOR_STATE_KEYS(MS_FIELD)
#undef MS_FIELD
#undef MS_FIELD_INT
#undef MS_FIELD_REAL
#undef MS_FIELD_TEXT
};

/* Appends the state as the file's text. 0 or -ENOMEM. */
int monitor_state_format(const struct monitor_state *st, struct strbuf *out);

/* Parses the file's text: every key present, numbers in range, text short
 * enough. 0, or -EINVAL with err saying which line and why. */
int monitor_state_parse(const char *data, size_t len, struct monitor_state *st,
			struct kv_error *err);

/* Reads and parses path (at most 4 KiB). -errno from reading, or -EINVAL. */
int monitor_state_load(const char *path, struct monitor_state *st, struct kv_error *err);

/* The lease keeper published that this node holds the leadership and its
 * lease is still valid at now_ms (lease_clock_ms(), CLOCK_BOOTTIME). */
bool monitor_state_holds_lease(const struct monitor_state *st, long long now_ms);

#endif
