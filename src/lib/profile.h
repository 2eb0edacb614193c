/* The failover profiles (cluster.conf failover_profile; doc/DESIGN.md,
 * "The fast profile"): every number that decides how fast the pair fails
 * over, in one place, for the templates (lib/derive.c: keepalived.conf)
 * and the engine (notify's promotion path, the lease keeper, the rules).
 * The numbers hang together: a standby's keepalived declares a dead master
 * after three missed adverts plus its skew, and with an arbiter the dead
 * holder's lease must be out by then or soon after (see each profile). */
#ifndef VOIPHA_PROFILE_H
#define VOIPHA_PROFILE_H

#include <stdbool.h>

#include "lib/cluster-config.h"

/* The standard profile's lease (issue 18): it runs LEASE_TTL_MS, renewed
 * every LEASE_RENEW_MS; the holder stops being writable on its own clock
 * LEASE_SAFETY_MS before the witness's expiry. Chosen so that the lease
 * has expired before keepalived on the peer declares this node dead (3
 * missed adverts and the skew: >= 3.4 s after the last advert, at most 1 s
 * before the death): TTL - 1 s <= 3.4 s - 1 s. A peer that renewed within
 * LEASE_ALIVE_MS is alive, whatever ICMP says. */
#define LEASE_TTL_MS 2400
#define LEASE_RENEW_MS 400
#define LEASE_SAFETY_MS 800
#define LEASE_ALIVE_MS (2 * LEASE_RENEW_MS + 200)

struct failover_timing {
	const char *name;               /* "standard" | "fast" */
	unsigned vrrp_version;          /* keepalived's `version` */
	const char *advert_int;         /* keepalived's `advert_int`, in seconds */
	const char *wal_retrieve_retry; /* the standby's wal_retrieve_retry_interval */
	unsigned check_fall;            /* vrrp_script failures before FAULT */
	int lease_ttl_ms;               /* the lease, as above */
	int lease_renew_ms;
	int lease_safety_ms;
	int lease_alive_ms;
	int local_timeout_ms;      /* the lease keeper's local query, per period */
	int witness_timeout_ms;    /* its call to the witness, per period */
	int reach_tries;           /* notify MASTER's ICMP probe of the peer and */
	int reach_interval_ms;     /* the witness: tries, this far apart */
	int peer_poll_ms;          /* waiting for a peer primary to fence itself, */
	int peer_fence_wait_ms;    /* at most this long (it takes ~1-2 s) */
	bool hold_when_unheard;    /* a MASTER refused because the peer is a live
				  * primary it reaches keeps the VIP hold (and
				  * says why) until the peer stops being one */
	bool async_before_promote; /* synchronous_standby_names cleared on the
				    * standby before pg_promote, which is
				    * then polled every 10 ms */
};

/* The timing of a profile (never NULL). */
const struct failover_timing *failover_timing(enum failover_profile p);

#endif
