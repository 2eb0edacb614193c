/* The failover rules (doc/DESIGN.md, "The rules"), as pure functions of a
 * described situation: no I/O, no clock, no PostgreSQL. The front ends
 * (check, notify, monitor, fence, rebuild) gather what they know into a
 * struct situation, ask the rule, and carry out its answer; the unit table
 * test/unit/test-rules.c walks every row of "What is guaranteed" through
 * them. Each rule writes its reason, one line for the log and the history,
 * into why. Linked into the lean health check too: nothing here may need
 * libpq. */
#ifndef VOIPHA_ENGINE_RULES_H
#define VOIPHA_ENGINE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/pgctl.h"
#include "lib/profile.h"

/* The peer's PostgreSQL as this node last asked it. */
enum peer_pg { PEER_PG_NO_ANSWER, PEER_PG_STANDBY, PEER_PG_PRIMARY };

/* The leadership lease on the witness, as this node knows it. */
enum lease_view {
	LEASE_OFF,     /* no arbiter configured: the two-node rules */
	LEASE_UNKNOWN, /* the witness did not answer */
	LEASE_MINE,    /* this node holds it, still valid on its own clock */
	LEASE_PEERS,   /* the peer holds it and it has not expired */
	LEASE_FREE,    /* nobody holds it, or the holder's expired */
};

struct situation {
	enum pg_role local;         /* this node's PostgreSQL now */
	bool local_standby_dir;     /* down, and its data directory is a standby's */
	bool left_master;           /* gave up (or never got) the VIP */
	bool peer_host;             /* the peer answers ICMP */
	bool witness_configured;    /* witness_address is set */
	bool witness_host;          /* the witness answers ICMP */
	enum peer_pg peer_pg;       /* the peer's PostgreSQL */
	enum lease_view lease;      /* LEASE_OFF without an arbiter */
	long long peer_renewed_ago; /* LEASE_PEERS: ms since the peer renewed */
	bool peer_streams_sync;     /* this primary's standby streams synchronously
				   * and replied within the failsafe window */
	int alive_ms;               /* a peer that renewed within this is alive:
				   * the profile's lease_alive_ms (0: the
				   * standard LEASE_ALIVE_MS) */
};

/* The lease's timing (LEASE_TTL_MS ... LEASE_ALIVE_MS for the standard
 * profile, struct failover_timing for each) lives in lib/profile.h. */

/* Cut off: a witness is configured and neither it nor the peer answers. */
bool rule_cut_off(const struct situation *s);

/* Must the local primary stop being writable now that it gives up (or
 * never got) the VIP? (notify BACKUP/FAULT/STOP, keepalived's stop.) */
bool rule_fence(const struct situation *s, char *why, size_t len);

/* The failover monitor of this node ended abnormally (it crashed, or its
 * systemd watchdog killed it): must the local primary stop being writable
 * now? With an arbiter nobody renews this node's leadership any more, so
 * the primary is treated as one that gave up the VIP (rule_fence with
 * left_master), before the lease can run out; without an arbiter nothing
 * depends on the monitor to stay primary (systemd starts it again). */
bool rule_fence_monitor_gone(const struct situation *s, char *why, size_t len);

enum promote_action {
	PROMOTE,        /* promote the local standby now */
	PROMOTE_WAIT,   /* ask again shortly: the peer is fencing itself, or
			  * its lease is running out */
	PROMOTE_REFUSE, /* never: give the VIP back */
};
/* notify MASTER on a standby. */
enum promote_action rule_promote(const struct situation *s, char *why, size_t len);

/* May the primary make replication asynchronous (its standby is gone)? */
bool rule_may_degrade(const struct situation *s, char *why, size_t len);

enum primary_action {
	PRIMARY_KEEP,     /* stay the writable primary */
	PRIMARY_FAILSAFE, /* stay, without a lease: the witness is away and the
			   * peer's standby confirms it follows this primary */
	PRIMARY_FENCE,    /* stop being writable now */
};
/* The lease keeper on a primary, every LEASE_RENEW_MS. lease_valid: this
 * node's last renewal is still valid on its own clock (LEASE_MINE says the
 * same; LEASE_UNKNOWN while still valid waits for the next try). */
enum primary_action rule_primary(const struct situation *s, bool lease_valid, char *why,
				 size_t len);

/* May keepalived let this node hold (or take) the VIP? A primary needs the
 * lease (or the failsafe) when an arbiter is configured; a standby may wait
 * as BACKUP unless the peer is known alive through the witness while this
 * node cannot reach it (then taking the VIP would only take it from a
 * live primary), or neither the witness nor the peer answers (nobody could
 * grant the leadership). */
bool rule_may_hold_vip(const struct situation *s, bool lease_valid, bool failsafe, char *why,
		       size_t len);

/* What the lease keeper knows at the start of a period, for
 * rule_keeper_step. */
struct keeper_view {
	bool fenced;      /* the fence marker is there (a fence, a switchover) */
	bool answers;     /* the local PostgreSQL answers */
	bool primary;     /* ... as a primary */
	bool held;        /* this node holds the leadership */
	bool maintenance; /* planned work on this node: the maintenance marker is
			   * fresh (the postinst restarting PostgreSQL, voip-ha
			   * restore), so the health check keeps the VIP here */
};

enum keeper_step {
	KEEPER_OBSERVE, /* only watch the lease (a standby, a fenced node) */
	KEEPER_RENEW,   /* renew (or take) the leadership, then rule_primary */
	KEEPER_LAPSE,   /* renew nothing: this node's primary stopped answering
			 * (hung, crashed); rule_primary fences it once its
			 * lease is no longer valid on its own clock */
};
/* The lease keeper's step this period. A primary that answers renews; one
 * that stops answering lets its lease lapse, so the peer may take over.
 * Under planned maintenance the holder keeps renewing while its PostgreSQL
 * is stopped, restarting, or recovering a restore (voip-ha restore): the
 * maintenance marker keeps the VIP here already, and a lease that lapsed
 * would fence the node in the middle of the work (and hand the leadership
 * to the peer, whose standby would promote). A fenced node only watches. */
enum keeper_step rule_keeper_step(const struct keeper_view *v, char *why, size_t len);

/* A standby and its primary peer, for rule_follow_rebuild. */
struct follow_view {
	bool streaming;            /* the local WAL receiver streams */
	bool busy;                 /* fenced, a rebuild, clone or restore runs, maintenance */
	bool peer_primary;         /* the peer answers as a primary */
	bool same_system;          /* of this database system (its system id) */
	bool vip_here;             /* this node holds the VIP */
	unsigned local_tli;        /* the standby's timeline */
	unsigned peer_tli;         /* the primary's */
	long long not_following_s; /* how long all of the above has held */
};
#define FOLLOW_AFTER_S 10
/* Must a standby that does not stream rebuild from its peer? Yes when the
 * peer is a primary of this database system on a newer timeline and the
 * standby has not followed it for FOLLOW_AFTER_S seconds: that timeline
 * forked off before this standby's position (the peer was restored to a
 * point in time by voip-ha restore), so it never will. A promotion's new
 * timeline (failover, switchover) forks at the end of what the standby
 * had: the standby follows it (and the old primary is fenced and rebuilt
 * anyway). */
bool rule_follow_rebuild(const struct follow_view *f, char *why, size_t len);

#endif
