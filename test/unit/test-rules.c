/* The failover rules (src/engine/rules.c) on a table of situations: every
 * row of doc/DESIGN.md's "What is guaranteed" as each node sees it, with
 * and without the arbiter, plus the rules' own corners. A row names the
 * guarantee it stands for. */
#include "unit.h"

#include "engine/rules.h"

enum rule { FENCE, MONITOR_GONE, PROMOTE_R, DEGRADE, PRIMARY_R, HOLD_VIP, CUT_OFF };

struct row {
	const char *name;
	enum rule rule;
	struct situation s;
	bool lease_valid, failsafe; /* PRIMARY_R, HOLD_VIP */
	int want;                   /* bool, or the enum's value */
};

/* Shorthands for the situations below. */
#define PRIMARY_NODE .local = PG_PRIMARY
#define STANDBY_NODE .local = PG_STANDBY
#define PEER_UP .peer_host = true
#define WITNESS_UP .witness_configured = true, .witness_host = true
#define WITNESS_DOWN .witness_configured = true, .witness_host = false

static struct row rows[] = {
	/* Primary power loss (or PostgreSQL killed/hung, a service stopped,
	 * keepalived stopped): the standby takes over, nothing lost. */
	{ "power loss, no arbiter: the standby promotes",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_OFF },
	  false,
	  false,
	  PROMOTE },
	{ "power loss, arbiter: the standby that took the lease promotes",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_MINE },
	  false,
	  false,
	  PROMOTE },
	{ "power loss, arbiter: the dead primary's lease still runs: wait",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 2100 },
	  false,
	  false,
	  PROMOTE_WAIT },
	{ "service failure, arbiter: the reachable peer's fresh lease is being given back: wait",
	  PROMOTE_R,
	  { STANDBY_NODE, PEER_UP, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 300 },
	  false,
	  false,
	  PROMOTE_WAIT },
	{ "service failure, no arbiter: the peer is still a primary: wait for its fence",
	  PROMOTE_R,
	  { STANDBY_NODE, PEER_UP, WITNESS_UP, .peer_pg = PEER_PG_PRIMARY, .lease = LEASE_OFF },
	  false,
	  false,
	  PROMOTE_WAIT },
	{ "service failure: the old primary leaving the VIP fences itself",
	  FENCE,
	  { PRIMARY_NODE, PEER_UP, WITNESS_UP, .left_master = true, .peer_pg = PEER_PG_STANDBY,
	    .lease = LEASE_MINE },
	  false,
	  false,
	  true },
	{ "service failure: a primary that crashed and left the VIP is fenced",
	  FENCE,
	  { .local = PG_DOWN,
	    PEER_UP,
	    WITNESS_UP,
	    .left_master = true,
	    .peer_pg = PEER_PG_STANDBY,
	    .lease = LEASE_OFF },
	  false,
	  false,
	  true },
	{ "hung PostgreSQL: the lease keeper cannot renew, the lease runs out: fence",
	  PRIMARY_R,
	  { PRIMARY_NODE, PEER_UP, WITNESS_UP, .lease = LEASE_UNKNOWN },
	  false,
	  false,
	  PRIMARY_FENCE },
	/* Standby lost: the primary degrades and keeps serving. */
	{ "standby lost, no arbiter: degrade",
	  DEGRADE,
	  { PRIMARY_NODE, WITNESS_UP, .lease = LEASE_OFF },
	  false,
	  false,
	  true },
	{ "standby lost, arbiter: degrade while holding the lease",
	  DEGRADE,
	  { PRIMARY_NODE, WITNESS_UP, .lease = LEASE_MINE },
	  false,
	  false,
	  true },
	{ "standby lost, arbiter: the primary keeps its lease",
	  PRIMARY_R,
	  { PRIMARY_NODE, WITNESS_UP, .lease = LEASE_MINE },
	  true,
	  false,
	  PRIMARY_KEEP },
	/* The primary's link cut, witness on the survivor's side. */
	{ "primary cut off: it is cut off",
	  CUT_OFF,
	  { PRIMARY_NODE, WITNESS_DOWN },
	  false,
	  false,
	  true },
	{ "primary cut off: it never degrades",
	  DEGRADE,
	  { PRIMARY_NODE, WITNESS_DOWN, .lease = LEASE_OFF },
	  false,
	  false,
	  false },
	{ "primary cut off, no arbiter: leaving the VIP it fences",
	  FENCE,
	  { PRIMARY_NODE, WITNESS_DOWN, .left_master = true, .lease = LEASE_OFF },
	  false,
	  false,
	  true },
	{ "primary cut off, arbiter: its lease runs out, it fences before the expiry",
	  PRIMARY_R,
	  { PRIMARY_NODE, WITNESS_DOWN, .lease = LEASE_UNKNOWN },
	  false,
	  false,
	  PRIMARY_FENCE },
	{ "primary cut off, arbiter: the survivor promotes once it took the lease",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_MINE },
	  false,
	  false,
	  PROMOTE },
	{ "primary cut off, arbiter: a cut-off standby never promotes",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_DOWN, .lease = LEASE_UNKNOWN },
	  false,
	  false,
	  PROMOTE_REFUSE },
	/* Witness lost while both nodes see each other: nothing happens. */
	{ "witness lost, no arbiter: the primary is not cut off",
	  CUT_OFF,
	  { PRIMARY_NODE, PEER_UP, WITNESS_DOWN },
	  false,
	  false,
	  false },
	{ "witness lost, arbiter: the primary stays (failsafe: its standby streams)",
	  PRIMARY_R,
	  { PRIMARY_NODE, PEER_UP, WITNESS_DOWN, .lease = LEASE_UNKNOWN,
	    .peer_streams_sync = true },
	  false,
	  false,
	  PRIMARY_FAILSAFE },
	{ "witness lost, arbiter: the failsafe primary may hold the VIP",
	  HOLD_VIP,
	  { PRIMARY_NODE, PEER_UP, WITNESS_DOWN, .lease = LEASE_UNKNOWN },
	  false,
	  true,
	  true },
	{ "witness lost, arbiter: the standby may stay BACKUP",
	  HOLD_VIP,
	  { STANDBY_NODE, PEER_UP, WITNESS_DOWN, .lease = LEASE_UNKNOWN },
	  false,
	  false,
	  true },
	/* The link between the nodes cut while both reach the witness. */
	{ "link cut, no arbiter: the standby promotes (not guaranteed: two primaries)",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_OFF },
	  false,
	  false,
	  PROMOTE },
	{ "link cut, no arbiter: the primary degrades (not guaranteed: writes may be lost)",
	  DEGRADE,
	  { PRIMARY_NODE, WITNESS_UP, .lease = LEASE_OFF },
	  false,
	  false,
	  true },
	{ "link cut, arbiter: the standby is refused, the primary renews its lease",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 150 },
	  false,
	  false,
	  PROMOTE_REFUSE },
	{ "link cut, arbiter: the standby gives the VIP back",
	  HOLD_VIP,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 150 },
	  false,
	  false,
	  false },
	{ "link cut, arbiter: the primary keeps serving with its lease",
	  PRIMARY_R,
	  { PRIMARY_NODE, WITNESS_UP, .lease = LEASE_MINE },
	  true,
	  false,
	  PRIMARY_KEEP },
	{ "link cut, arbiter: the lease holder may degrade",
	  DEGRADE,
	  { PRIMARY_NODE, WITNESS_UP, .lease = LEASE_MINE },
	  false,
	  false,
	  true },
	/* No witness configured: any cut behaves like the link cut. */
	{ "no witness: a node alone is never cut off",
	  CUT_OFF,
	  { PRIMARY_NODE },
	  false,
	  false,
	  false },
	{ "no witness: the standby promotes on a cut (not guaranteed)",
	  PROMOTE_R,
	  { STANDBY_NODE, .lease = LEASE_OFF },
	  false,
	  false,
	  PROMOTE },
	/* Witness down, then a second failure. */
	{ "witness down then primary power loss: the standby refuses to promote",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_DOWN, .lease = LEASE_UNKNOWN },
	  false,
	  false,
	  PROMOTE_REFUSE },
	{ "witness down then link cut: the primary loses its failsafe and fences",
	  PRIMARY_R,
	  { PRIMARY_NODE, WITNESS_DOWN, .lease = LEASE_UNKNOWN, .peer_streams_sync = false },
	  false,
	  false,
	  PRIMARY_FENCE },
	{ "witness down: a primary without lease or failsafe may not degrade",
	  DEGRADE,
	  { PRIMARY_NODE, PEER_UP, WITNESS_DOWN, .lease = LEASE_UNKNOWN },
	  false,
	  false,
	  false },
	/* Both nodes lose power: the later one rejoins the other. */
	{ "both restarted: a primary whose peer took the lease meanwhile is stale",
	  PRIMARY_R,
	  { PRIMARY_NODE, PEER_UP, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 100 },
	  false,
	  false,
	  PRIMARY_FENCE },
	{ "both restarted: the peer primary while this one starts: fence (stale)",
	  FENCE,
	  { PRIMARY_NODE, PEER_UP, WITNESS_UP, .peer_pg = PEER_PG_PRIMARY, .lease = LEASE_OFF },
	  false,
	  false,
	  true },
	/* Corners of the rules themselves. */
	{ "a standby is never fenced",
	  FENCE,
	  { STANDBY_NODE, .left_master = true, .peer_pg = PEER_PG_PRIMARY },
	  false,
	  false,
	  false },
	{ "a primary keeping the VIP with a standby peer is not fenced",
	  FENCE,
	  { PRIMARY_NODE, PEER_UP, .peer_pg = PEER_PG_STANDBY, .lease = LEASE_OFF },
	  false,
	  false,
	  false },
	{ "the last primary, peer dead, not cut off, is kept",
	  FENCE,
	  { PRIMARY_NODE, WITNESS_UP, .left_master = true, .lease = LEASE_OFF },
	  false,
	  false,
	  false },
	{ "a primary whose peer holds the lease is fenced even holding the VIP",
	  FENCE,
	  { PRIMARY_NODE, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 100 },
	  false,
	  false,
	  true },
	{ "a primary whose renewal is late but still valid stays",
	  PRIMARY_R,
	  { PRIMARY_NODE, PEER_UP, WITNESS_UP, .lease = LEASE_UNKNOWN },
	  true,
	  false,
	  PRIMARY_KEEP },
	{ "a primary without the lease may not hold the VIP",
	  HOLD_VIP,
	  { PRIMARY_NODE, PEER_UP, WITNESS_UP, .lease = LEASE_FREE },
	  false,
	  false,
	  false },
	{ "a primary with a valid lease may hold the VIP",
	  HOLD_VIP,
	  { PRIMARY_NODE, WITNESS_UP, .lease = LEASE_MINE },
	  true,
	  false,
	  true },
	{ "without an arbiter a primary may hold the VIP",
	  HOLD_VIP,
	  { PRIMARY_NODE, .lease = LEASE_OFF },
	  false,
	  false,
	  true },
	{ "a standby whose peer's lease went stale may take the VIP",
	  HOLD_VIP,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 2000 },
	  false,
	  false,
	  true },
	{ "witness down then primary lost: the refused standby keeps the VIP hold",
	  HOLD_VIP,
	  { STANDBY_NODE, WITNESS_DOWN, .lease = LEASE_UNKNOWN },
	  false,
	  false,
	  false },
	{ "the witness back, the dead primary's lease stale: the standby may take the VIP",
	  HOLD_VIP,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_FREE },
	  false,
	  false,
	  true },
	{ "a free lease: the standby takes it before promoting",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_FREE },
	  false,
	  false,
	  PROMOTE_WAIT },
	{ "the witness never answered: no promotion",
	  PROMOTE_R,
	  { STANDBY_NODE, PEER_UP, WITNESS_UP, .lease = LEASE_UNKNOWN },
	  false,
	  false,
	  PROMOTE_REFUSE },
	/* The failover monitor of the primary crashed or hung (its watchdog
	 * killed it): with the arbiter nobody renews the leadership. */
	{ "monitor gone, arbiter: the primary with a standby peer fences before the lease runs out",
	  MONITOR_GONE,
	  { PRIMARY_NODE, PEER_UP, WITNESS_UP, .peer_pg = PEER_PG_STANDBY, .lease = LEASE_FREE },
	  false,
	  false,
	  true },
	{ "monitor gone, arbiter: the peer took the leadership: fence",
	  MONITOR_GONE,
	  { PRIMARY_NODE, PEER_UP, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 100 },
	  false,
	  false,
	  true },
	{ "monitor gone, arbiter, the peer down: keep the last primary (the restarted monitor takes the lease back)",
	  MONITOR_GONE,
	  { PRIMARY_NODE, WITNESS_UP, .lease = LEASE_FREE },
	  false,
	  false,
	  false },
	{ "monitor gone, arbiter, cut off from the peer and the witness: fence",
	  MONITOR_GONE,
	  { PRIMARY_NODE, WITNESS_DOWN, .lease = LEASE_UNKNOWN },
	  false,
	  false,
	  true },
	{ "monitor gone, no arbiter: nothing depends on it, the primary stays",
	  MONITOR_GONE,
	  { PRIMARY_NODE, PEER_UP, WITNESS_UP, .peer_pg = PEER_PG_STANDBY, .lease = LEASE_OFF },
	  false,
	  false,
	  false },
	{ "monitor gone, arbiter: a standby is never fenced",
	  MONITOR_GONE,
	  { STANDBY_NODE, PEER_UP, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 100 },
	  false,
	  false,
	  false },
	/* The fast profile (lib/profile.h): a lease of 1 s renewed every 0.2 s;
	 * a peer seen renewing within 0.4 s is alive. */
	{ "fast profile, link cut, arbiter: a peer that renewed 300 ms ago is alive: refused",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 300,
	    .alive_ms = 400 },
	  false,
	  false,
	  PROMOTE_REFUSE },
	{ "fast profile, power loss, arbiter: a peer that renewed 480 ms ago may be dead: wait for its lease",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 480,
	    .alive_ms = 400 },
	  false,
	  false,
	  PROMOTE_WAIT },
	{ "standard profile (alive_ms 0: 1 s): a peer that renewed 480 ms ago is alive: refused",
	  PROMOTE_R,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 480 },
	  false,
	  false,
	  PROMOTE_REFUSE },
	{ "fast profile, link cut, arbiter: the standby gives the VIP back to a peer renewing 300 ms ago",
	  HOLD_VIP,
	  { STANDBY_NODE, WITNESS_UP, .lease = LEASE_PEERS, .peer_renewed_ago = 300,
	    .alive_ms = 400 },
	  false,
	  false,
	  false },
};

static void test_row(void **state)
{
	const struct row *r = *state;
	char why[256] = "";
	int got = -1;

	switch (r->rule) {
	case FENCE:
		got = rule_fence(&r->s, why, sizeof(why));
		break;
	case MONITOR_GONE:
		got = rule_fence_monitor_gone(&r->s, why, sizeof(why));
		break;
	case PROMOTE_R:
		got = (int)rule_promote(&r->s, why, sizeof(why));
		break;
	case DEGRADE:
		got = rule_may_degrade(&r->s, why, sizeof(why));
		break;
	case PRIMARY_R:
		got = (int)rule_primary(&r->s, r->lease_valid, why, sizeof(why));
		break;
	case HOLD_VIP:
		got = rule_may_hold_vip(&r->s, r->lease_valid, r->failsafe, why, sizeof(why));
		break;
	case CUT_OFF:
		got = rule_cut_off(&r->s);
		break;
	}
	if (got != r->want)
		print_error("%s: got %d (%s), want %d\n", r->name, got, why, r->want);
	assert_int_equal(got, r->want);
	/* Every verdict that changes something says why. */
	if (r->rule != CUT_OFF && r->rule != HOLD_VIP)
		assert_true(why[0] != '\0');
}

static const char *row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

/* A standby left behind by a restore of its peer (rule_follow_rebuild). */
struct follow_row {
	const char *name;
	struct follow_view f;
	bool want;
};

#define LOCAL_TL2 .local_tli = 2
#define RESTORED_PEER .peer_primary = true, .same_system = true, LOCAL_TL2, .peer_tli = 3

static struct follow_row follow_rows[] = {
	{ "restored peer, not followed for 10 s: rebuild",
	  { RESTORED_PEER, .not_following_s = FOLLOW_AFTER_S },
	  true },
	{ "restored peer, not followed for 9 s: wait",
	  { RESTORED_PEER, .not_following_s = 9 },
	  false },
	{ "restored peer but the standby streams: nothing",
	  { RESTORED_PEER, .streaming = true, .not_following_s = 60 },
	  false },
	{ "restored peer, a rebuild or restore already runs: nothing",
	  { RESTORED_PEER, .busy = true, .not_following_s = 60 },
	  false },
	{ "restored peer, this node holds the VIP: nothing",
	  { RESTORED_PEER, .vip_here = true, .not_following_s = 60 },
	  false },
	{ "peer is a standby: nothing",
	  { .same_system = true, LOCAL_TL2, .peer_tli = 3, .not_following_s = 60 },
	  false },
	{ "peer of another database system: nothing",
	  { .peer_primary = true, LOCAL_TL2, .peer_tli = 3, .not_following_s = 60 },
	  false },
	{ "primary on the same timeline, link down: nothing",
	  { .peer_primary = true,
	    .same_system = true,
	    LOCAL_TL2,
	    .peer_tli = 2,
	    .not_following_s = 60 },
	  false },
	{ "primary on an older timeline: nothing",
	  { .peer_primary = true,
	    .same_system = true,
	    LOCAL_TL2,
	    .peer_tli = 1,
	    .not_following_s = 60 },
	  false },
};

static void test_follow(void **state)
{
	const struct follow_row *r = *state;
	char why[300];

	assert_int_equal(rule_follow_rebuild(&r->f, why, sizeof(why)), r->want);
	assert_true(why[0] != '\0');
}

static const char *follow_name(const void *row)
{
	return ((const struct follow_row *)row)->name;
}

/* The lease keeper's step (rule_keeper_step): when does a primary keep its
 * leadership on the witness? */
struct keeper_row {
	const char *name;
	struct keeper_view v;
	enum keeper_step want;
};

static struct keeper_row keeper_rows[] = {
	{ "a primary that answers renews",
	  { .answers = true, .primary = true, .held = true },
	  KEEPER_RENEW },
	{ "a primary that answers and holds nothing yet takes the lease",
	  { .answers = true, .primary = true },
	  KEEPER_RENEW },
	{ "the holder's PostgreSQL hung or crashed: its lease lapses",
	  { .held = true },
	  KEEPER_LAPSE },
	{ "restore: the holder's PostgreSQL stopped under maintenance keeps the lease",
	  { .held = true, .maintenance = true },
	  KEEPER_RENEW },
	{ "restore: the holder's PostgreSQL recovering to the point keeps the lease",
	  { .answers = true, .held = true, .maintenance = true },
	  KEEPER_RENEW },
	{ "configure: PostgreSQL restarted for a setting keeps the lease",
	  { .held = true, .maintenance = true },
	  KEEPER_RENEW },
	{ "maintenance on a node that holds no lease (a standby): watch only",
	  { .answers = true, .maintenance = true },
	  KEEPER_OBSERVE },
	{ "maintenance on a down node that holds no lease: watch only",
	  { .maintenance = true },
	  KEEPER_OBSERVE },
	{ "a fenced node under maintenance watches only, even holding",
	  { .fenced = true, .held = true, .maintenance = true },
	  KEEPER_OBSERVE },
	{ "a fenced node whose PostgreSQL answers as a primary watches only",
	  { .fenced = true, .answers = true, .primary = true, .held = true },
	  KEEPER_OBSERVE },
	{ "a standby: watch only", { .answers = true }, KEEPER_OBSERVE },
	{ "the holder became a standby without maintenance: watch only",
	  { .answers = true, .held = true },
	  KEEPER_OBSERVE },
};

static void test_keeper(void **state)
{
	const struct keeper_row *r = *state;
	char why[300] = "";
	enum keeper_step got = rule_keeper_step(&r->v, why, sizeof(why));

	if (got != r->want)
		print_error("%s: got %d (%s), want %d\n", r->name, (int)got, why, (int)r->want);
	assert_int_equal(got, r->want);
	assert_true(why[0] != '\0');
}

static const char *keeper_name(const void *row)
{
	return ((const struct keeper_row *)row)->name;
}

int main(void)
{
	return run_table("rules", test_row, rows, sizeof(rows[0]), sizeof(rows) / sizeof(rows[0]),
			 row_name) +
	       run_table("follow", test_follow, follow_rows, sizeof(follow_rows[0]),
			 sizeof(follow_rows) / sizeof(follow_rows[0]), follow_name) +
	       run_table("keeper", test_keeper, keeper_rows, sizeof(keeper_rows[0]),
			 sizeof(keeper_rows) / sizeof(keeper_rows[0]), keeper_name);
}
