/* The failover rules: see rules.h and doc/DESIGN.md, "The rules". */
#include "engine/rules.h"

#include <stdio.h>

bool rule_cut_off(const struct situation *s)
{
	return s->witness_configured && !s->witness_host && !s->peer_host;
}

static bool arbiter_on(const struct situation *s)
{
	return s->lease != LEASE_OFF;
}

bool rule_fence(const struct situation *s, char *why, size_t len)
{
	if (s->local == PG_STANDBY || (s->local == PG_DOWN && s->local_standby_dir)) {
		snprintf(why, len, "the local PostgreSQL is a standby");
		return false;
	}
	if (s->local == PG_DOWN && !s->left_master) {
		snprintf(why, len, "the local PostgreSQL is down");
		return false;
	}
	/* A primary that crashed or hangs counts as one: it must not come
	 * back as a primary behind the peer's back, and it must rejoin. */
	if (s->peer_pg == PEER_PG_PRIMARY) {
		snprintf(why, len, "the peer is a primary too: this node is the stale one");
		return true;
	}
	if (s->lease == LEASE_PEERS) {
		snprintf(why, len, "the peer holds the leadership on the witness");
		return true;
	}
	if (s->peer_pg == PEER_PG_STANDBY) {
		if (s->left_master) {
			snprintf(why, len,
				 "the VIP left this node and the peer's standby can take over");
			return true;
		}
		snprintf(why, len, "the peer is a standby and this node did not hold the VIP");
		return false;
	}
	if (!s->left_master) {
		snprintf(why, len, "the peer's PostgreSQL does not answer");
		return false;
	}
	if (rule_cut_off(s)) {
		snprintf(why, len, "cut off: neither the peer nor the witness answers");
		return true;
	}
	/* The peer is down and this node is not cut off: nobody could take
	 * over, so stopping the last primary would only stop the service. */
	snprintf(why, len,
		 "the peer's PostgreSQL does not answer and this node is not cut off: "
		 "keeping the last primary");
	return false;
}

bool rule_fence_monitor_gone(const struct situation *s, char *why, size_t len)
{
	struct situation left = *s;

	if (!arbiter_on(s)) {
		snprintf(why, len, "no arbiter: the primary does not depend on the monitor");
		return false;
	}
	left.left_master = true;
	return rule_fence(&left, why, len);
}

static long long alive_ms(const struct situation *s)
{
	return s->alive_ms > 0 ? s->alive_ms : LEASE_ALIVE_MS;
}

enum promote_action rule_promote(const struct situation *s, char *why, size_t len)
{
	if (rule_cut_off(s)) {
		snprintf(why, len, "cut off from the peer and the witness");
		return PROMOTE_REFUSE;
	}
	if (arbiter_on(s)) {
		switch (s->lease) {
		case LEASE_MINE:
			/* The old holder stopped being writable before its lease
			 * could expire, on its own clock: no need to wait for it. */
			snprintf(why, len, "this node holds the leadership");
			return PROMOTE;
		case LEASE_PEERS:
			/* Renewed just now by a peer this node cannot reach: it is
			 * alive and only cut off from us. A peer that answers is
			 * giving the VIP up (a failed service, a switchover): its
			 * fence releases the lease, or it runs out. */
			if (!s->peer_host && s->peer_renewed_ago >= 0 &&
			    s->peer_renewed_ago < alive_ms(s)) {
				snprintf(
					why, len,
					"the peer holds the leadership and renewed it %lld ms ago: "
					"it is alive, only cut off from this node",
					s->peer_renewed_ago);
				return PROMOTE_REFUSE;
			}
			snprintf(why, len, "the peer's lease runs out (renewed %lld ms ago)",
				 s->peer_renewed_ago);
			return PROMOTE_WAIT;
		case LEASE_FREE:
			snprintf(why, len, "the leadership is free: take it first");
			return PROMOTE_WAIT;
		case LEASE_UNKNOWN:
		case LEASE_OFF:
			break;
		}
		snprintf(why, len, "the witness does not answer: no leadership, no promotion");
		return PROMOTE_REFUSE;
	}
	if (s->peer_pg == PEER_PG_PRIMARY && s->peer_host) {
		snprintf(why, len, "the peer is still a primary: waiting for it to fence itself");
		return PROMOTE_WAIT;
	}
	snprintf(why, len, "the peer is %s",
		 s->peer_pg == PEER_PG_PRIMARY ? "unreachable" : "not a primary");
	return PROMOTE;
}

bool rule_may_degrade(const struct situation *s, char *why, size_t len)
{
	if (rule_cut_off(s)) {
		snprintf(why, len, "this node is cut off (no peer, no witness)");
		return false;
	}
	if (arbiter_on(s) && s->lease != LEASE_MINE) {
		snprintf(why, len, "this node does not hold the leadership");
		return false;
	}
	snprintf(why, len, "the standby is gone and this node %s",
		 arbiter_on(s) ? "holds the leadership" : "is not cut off");
	return true;
}

enum primary_action rule_primary(const struct situation *s, bool lease_valid, char *why, size_t len)
{
	if (!arbiter_on(s)) {
		snprintf(why, len, "no arbiter");
		return PRIMARY_KEEP;
	}
	if (s->lease == LEASE_PEERS) {
		snprintf(why, len, "the peer holds the leadership: this node is the stale one");
		return PRIMARY_FENCE;
	}
	if (s->lease == LEASE_MINE && lease_valid) {
		snprintf(why, len, "this node holds the leadership");
		return PRIMARY_KEEP;
	}
	if (s->lease == LEASE_UNKNOWN && s->peer_streams_sync && s->peer_host) {
		/* Two of three still agree: the peer's standby follows this
		 * primary, and it promotes only with the lease, which nobody
		 * can take while the witness is away. */
		snprintf(why, len,
			 "the witness does not answer; the peer's standby streams synchronously "
			 "from this primary (failsafe)");
		return PRIMARY_FAILSAFE;
	}
	if (lease_valid) {
		snprintf(why, len, "the lease is not renewed yet but still valid");
		return PRIMARY_KEEP;
	}
	snprintf(why, len, "%s",
		 s->lease == LEASE_UNKNOWN ?
			 "the leadership could not be renewed in time (no witness, no standby)" :
			 "this node does not hold the leadership");
	return PRIMARY_FENCE;
}

bool rule_may_hold_vip(const struct situation *s, bool lease_valid, bool failsafe, char *why,
		       size_t len)
{
	if (s->local == PG_PRIMARY) {
		if (!arbiter_on(s) || failsafe || (s->lease == LEASE_MINE && lease_valid))
			return true;
		snprintf(why, len, "a primary without the leadership");
		return false;
	}
	if (arbiter_on(s) && s->lease == LEASE_PEERS && !s->peer_host && s->peer_renewed_ago >= 0 &&
	    s->peer_renewed_ago < alive_ms(s)) {
		snprintf(why, len,
			 "the peer holds the leadership and renews it, but this node cannot "
			 "reach it: cut off from the peer");
		return false;
	}
	if (arbiter_on(s) && s->lease == LEASE_UNKNOWN && !s->peer_host) {
		/* Taking the VIP could only end in a refused promotion. */
		snprintf(why, len,
			 "neither the witness nor the peer answers: no leadership to take");
		return false;
	}
	return true;
}

enum keeper_step rule_keeper_step(const struct keeper_view *v, char *why, size_t len)
{
	if (v->fenced) {
		snprintf(why, len, "fenced: no primary of ours");
		return KEEPER_OBSERVE;
	}
	if (v->answers && v->primary) {
		snprintf(why, len, "the local primary answers");
		return KEEPER_RENEW;
	}
	if (v->held && v->maintenance) {
		snprintf(why, len,
			 "planned maintenance (PostgreSQL restarting or being restored): the "
			 "leadership stays with this node");
		return KEEPER_RENEW;
	}
	if (v->held && !v->answers) {
		snprintf(why, len, "the local primary does not answer: its lease lapses");
		return KEEPER_LAPSE;
	}
	snprintf(why, len, "no primary of ours");
	return KEEPER_OBSERVE;
}

bool rule_follow_rebuild(const struct follow_view *f, char *why, size_t len)
{
	if (f->streaming || f->busy || f->vip_here || !f->peer_primary || !f->same_system ||
	    f->peer_tli <= f->local_tli) {
		snprintf(why, len, "following: nothing to do");
		return false;
	}
	if (f->not_following_s < FOLLOW_AFTER_S) {
		snprintf(why, len,
			 "the primary peer is on timeline %u, this standby on %u: waiting",
			 f->peer_tli, f->local_tli);
		return false;
	}
	snprintf(why, len,
		 "the peer is the primary on timeline %u and this standby (timeline %u) has not "
		 "followed it for %lld s: rebuilding from it",
		 f->peer_tli, f->local_tli, f->not_following_s);
	return true;
}
