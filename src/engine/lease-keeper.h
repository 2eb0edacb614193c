/* The lease keeper: the thread of `voip-ha monitor` that holds this node's
 * leadership on the witness while it is the primary (doc/DESIGN.md, "The
 * third voter"). Every LEASE_RENEW_MS it asks the local PostgreSQL whether
 * it is a healthy primary (a hung one answers nothing, so its lease is not
 * renewed), renews or takes the lease, and applies rule_primary(): a
 * primary that can no longer show the leadership (or the failsafe) is
 * fenced on its own clock before the witness's expiry, and the VIP is
 * released at once through keepalived's track file. On a standby it only
 * observes the lease, for status, /metrics and rule_may_hold_vip().
 *
 * The VIP hold file (/run/voip-ha/vrrp-hold, keepalived's track_file with
 * weight 0): "1" puts keepalived in FAULT at once, "0" lets it be. */
#ifndef VOIPHA_ENGINE_LEASE_KEEPER_H
#define VOIPHA_ENGINE_LEASE_KEEPER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/arbiter.h"
#include "engine/rules.h"

#define VRRP_HOLD_FILE "/run/voip-ha/vrrp-hold"
/* Why the hold is on while the peer is a live primary this node reaches
 * but whose VRRP adverts do not arrive (the fast profile, see
 * lib/profile.h): one line, for the health check and `voip-ha status`.
 * The monitor removes it, and lifts the hold, once the peer is no longer a
 * primary. */
#define VRRP_UNHEARD_FILE "/run/voip-ha/vrrp-unheard"

/* What the keeper knows, copied out under its lock. */
struct lease_snapshot {
	bool arbiter_on;
	enum lease_view view;
	bool held;            /* this node holds it */
	bool failsafe;        /* primary without it: witness away, standby follows */
	bool witness_answers; /* the last call got an answer */
	long long term;
	long long valid_until;      /* lease_clock_ms(); 0 when not held */
	struct arbiter_answer last; /* the witness's last answer */
};

struct lease_keeper {
	const struct node_ctx *ctx;
	struct arbiter arb;
	pthread_mutex_t mu;
	pthread_t thread;
	bool running;
	atomic_int stop;        /* set by lease_keeper_stop, read by the thread */
	bool peer_host;         /* from the monitor's probes, under mu */
	bool maintenance_renew; /* renewing for a primary under planned
				 * maintenance (the keeper's thread only) */
	struct lease_snapshot st;
	void (*publish)(void *arg); /* called after every change, outside mu */
	void *publish_arg;
};

/* Starts the keeper when ctx has an arbiter (else does nothing and returns
 * 0). publish is called from the keeper's thread. */
int lease_keeper_start(struct lease_keeper *k, const struct node_ctx *ctx, void (*publish)(void *),
		       void *arg);
void lease_keeper_stop(struct lease_keeper *k);
void lease_keeper_snapshot(struct lease_keeper *k, struct lease_snapshot *out);
void lease_keeper_set_peer_host(struct lease_keeper *k, bool up);

/* Writes the VIP hold file ("1": keepalived must not hold the VIP). */
int vrrp_hold(bool hold);
bool vrrp_held(void);

/* The peer's VRRP is not heard: the reason written (0 or -errno), read
 * (true when present), removed. */
int vrrp_unheard_set(const char *why);
bool vrrp_unheard(char *why, size_t len);
void vrrp_unheard_clear(void);

/* The view of an answer for this node (granted: LEASE_MINE). */
enum lease_view lease_view_of(const struct arbiter_answer *a, const char *local_name);

#endif
