/* The failover profiles: see profile.h. */
#include "lib/profile.h"

/* Today's pair (issues 8 and 18): VRRPv2 with AH every second, a health
 * check that must fail twice, a 2.4 s lease. */
static const struct failover_timing standard = {
	.name = "standard",
	.vrrp_version = 2,
	.advert_int = "1",
	.wal_retrieve_retry = "5s",
	.check_fall = 2,
	.lease_ttl_ms = LEASE_TTL_MS,
	.lease_renew_ms = LEASE_RENEW_MS,
	.lease_safety_ms = LEASE_SAFETY_MS,
	.lease_alive_ms = LEASE_ALIVE_MS,
	.local_timeout_ms = 300,
	.witness_timeout_ms = 350,
	.reach_tries = 2,
	.reach_interval_ms = 150,
	.peer_poll_ms = 200,
	.peer_fence_wait_ms = 20000,
	.hold_when_unheard = false,
	.async_before_promote = false,
};

/* Issue 17: VRRPv3 (no authentication) with 0.2 s adverts: the standby
 * declares a dead master 3 x 0.2 s + skew ((256 - priority) / 256 x 0.2 s,
 * 0.08-0.12 s) after its last advert, i.e. 0.48-0.72 s after the death.
 * keepalived 2.2.7 runs a vrrp_script every whole second at most (it
 * refuses `interval 0.5`), so a failed service is caught by one failed
 * check (fall 1) instead of two. The lease: 1 s, renewed every 0.2 s; the
 * holder stops being writable 0.6 s after its last granted renewal was
 * sent (three tries). A dead holder's lease is out at most 1 s after the
 * death, which is when a standby that became MASTER at 0.5-0.7 s may
 * promote; a live holder renewed at most ~0.2 s ago, so a peer seen
 * renewing within 0.4 s is alive (and 0.4 s is less than the 0.48 s before
 * any standby can be MASTER after a death). A standby that becomes MASTER
 * while its peer is a live primary it reaches (the peer's adverts do not
 * arrive: a firewall dropping VRRP, a peer on the other profile) waits 4 s
 * for a peer that is fencing itself, then gives the VIP back and keeps it
 * held, saying why, until the peer stops being a primary: with 0.2 s
 * adverts it would otherwise take the VIP again within a second. The
 * standby asks again for WAL every 250 ms instead of 5 s: a promotion that
 * arrived while the startup process waited out that interval (the primary's
 * PostgreSQL killed, its host up) was seen to wait for all of it (5 s). */
static const struct failover_timing fast = {
	.name = "fast",
	.vrrp_version = 3,
	.advert_int = "0.2",
	.wal_retrieve_retry = "250ms",
	.check_fall = 1,
	.lease_ttl_ms = 1000,
	.lease_renew_ms = 200,
	.lease_safety_ms = 400,
	.lease_alive_ms = 400,
	.local_timeout_ms = 180,
	.witness_timeout_ms = 180,
	.reach_tries = 3,
	.reach_interval_ms = 50,
	.peer_poll_ms = 50,
	.peer_fence_wait_ms = 4000,
	.hold_when_unheard = true,
	.async_before_promote = true,
};

const struct failover_timing *failover_timing(enum failover_profile p)
{
	return p == PROFILE_FAST ? &fast : &standard;
}
