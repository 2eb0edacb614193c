/* voip-ha check: may this node hold the VIP? keepalived's vrrp_script runs
 * it every second (weight 0: a failure puts the instance in FAULT and releases
 * the VIP), so it is cheap: one D-Bus query per required unit and one
 * conversation with PostgreSQL over its Unix socket through the small
 * protocol client of lib/pgwire.h (no process started, and no libpq: the
 * dynamic loader would spend more on libpq's libraries than the check
 * spends on everything else). This file is linked twice: into voip-ha
 * (`voip-ha check`, for people, the postinst and keepalived's ExecStartPre)
 * and into /usr/lib/voip-ha/voip-ha-check, which keepalived's vrrp_script
 * runs and which links neither libpq nor libcrypto (mk/cli.mk).
 *
 * Exit 0 when the required units are active (kamailio, voip-admin, and
 * freeswitch once it is installed) and PostgreSQL is either
 *   - a healthy primary: not in recovery and it accepts a write (commits a
 *     transaction id), or
 *   - a standby while keepalived has this node as BACKUP (or FAULT): ready to
 *     be promoted by `voip-ha notify` when it becomes MASTER. Without this a
 *     standby would sit in FAULT and could never take over (the template
 *     uses nopreempt, where only FAULT moves the VIP). Right after MASTER the
 *     standby is being promoted: that is allowed for PROMOTE_GRACE seconds.
 *   --primary   only the first case: "this node is a healthy primary".
 *   --wait S    retry once a second for up to S seconds (the last postinst
 *               hook and keepalived's ExecStartPre: "Keepalived last").
 *
 * And, when a witness is configured, the node is not cut off: the peer or
 * the witness answers ICMP (root only; as another user this part is
 * skipped). Runs as root or postgres (peer authentication on the local
 * socket). A hung PostgreSQL (SIGSTOP) fails after PG_CONNECT_TIMEOUT_MS;
 * the queries after the connect are bound by PG_TIMEOUT_MS; both together
 * within keepalived's script timeout (3 s). */
#include "cli/args.h"
#include "engine/boot.h"
#include "cli/cli.h"
#include "engine/maintenance.h"
#include "engine/node-ctx.h"
#include "engine/pg-local.h"
#include "engine/reach.h"
#include "engine/unit-state.h"
#include "engine/lease-keeper.h"
#include "lib/monitor-state.h"
#include "lib/pgwire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: voip-ha check [--primary] [--wait SECONDS] [--quiet]\n"
	"Exit 0 when this node may hold the VIP: its services are active and PostgreSQL\n"
	"is a healthy primary, or a standby ready to be promoted (with --primary: only a\n"
	"healthy primary). Otherwise exit 1 with the reason on stderr.\n";

/* FreeSWITCH is not in Debian: it is only expected once it is installed. */
static bool freeswitch_installed(void)
{
	return access("/usr/bin/freeswitch", X_OK) == 0 ||
	       access("/lib/systemd/system/freeswitch.service", F_OK) == 0 ||
	       access("/etc/systemd/system/freeswitch.service", F_OK) == 0;
}

static int units_active(char *why, size_t len)
{
	const char *units[] = { "kamailio.service", "voip-admin.service", NULL, NULL };

	if (freeswitch_installed())
		units[2] = "freeswitch.service";
	return units_all_active(units, why, len);
}

#define PROMOTE_GRACE 60

/* keepalived's last state for this node as `voip-ha notify` recorded it in
 * this boot, how many seconds ago, and the action notify took. "" when
 * unknown. */
static void vrrp_state(char *state, size_t len, char *action, size_t alen, long *ret_age)
{
	char line[128];
	long long since = 0;
	FILE *f = fopen(VOIPHA_STATE_DIR "/state", "re");

	state[0] = '\0';
	action[0] = '\0';
	*ret_age = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "state=", 6) == 0)
			snprintf(state, len, "%.31s", line + 6);
		else if (strncmp(line, "action=", 7) == 0)
			snprintf(action, alen, "%.31s", line + 7);
		else if (strncmp(line, "since=", 6) == 0)
			since = strtoll(line + 6, NULL, 10);
	}
	fclose(f);
	if (since < boot_time()) {
		state[0] = '\0';
		action[0] = '\0';
	}
	*ret_age = (long)(time(NULL) - (time_t)since);
}

/* leader_until= of notify's state file (written with a promotion under an
 * arbiter, on lease_clock_ms()), 0 when absent or from before this boot. */
static long long notify_leader_until(void)
{
	char line[128];
	long long since = 0, until = 0;
	FILE *f = fopen(VOIPHA_STATE_DIR "/state", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "leader_until=", 13) == 0)
			until = strtoll(line + 13, NULL, 10);
		else if (strncmp(line, "since=", 6) == 0)
			since = strtoll(line + 6, NULL, 10);
	}
	fclose(f);
	return since < boot_time() ? 0 : until;
}

/* A node that reaches neither its peer nor the witness must not hold the
 * VIP (doc/DESIGN.md, "Failover"): its check fails, keepalived puts it in
 * FAULT, and notify fences its primary. Without a witness this test is
 * off: a lone node cannot tell a cut from a dead peer. */
static int not_cut_off(const struct node_ctx *ctx, char *why, size_t len)
{
	struct reachability reach;

	if (!ctx->witness[0])
		return 0;
	if (probe_reachability(ctx, 3, &reach) < 0)
		return 0; /* not root: cannot tell, do not guess */
	if (reach_isolated(&reach)) {
		snprintf(why, len, "cut off: neither %s (%s) nor the witness (%s) answers",
			 ctx->peer_name, ctx->peer_addr, ctx->witness);
		return -1;
	}
	return 0;
}

/* A hung PostgreSQL (every process stopped) never answers the startup
 * packet: the connect gets a short bound, so two failed checks in a row
 * (keepalived's fall 2) take ~2 s instead of ~4. The queries after it get a
 * longer one: a loaded disk may be slow to commit the check's write, and
 * that alone must not move the VIP. Both within keepalived's 3 s. */
#define PG_CONNECT_TIMEOUT_MS 1000
#define PG_TIMEOUT_MS 1800

/* With an arbiter, a primary may hold the VIP only while the monitor's
 * lease keeper holds the leadership (its deadline, on this node's clock,
 * not passed) or keeps the failsafe (doc/DESIGN.md, "The third voter").
 * The keeper fences by itself when it loses it; this is the second line,
 * for a keeper that died. */
static bool holds_leadership(const struct node_ctx *ctx, char *why, size_t len)
{
	struct monitor_state st;
	struct kv_error err;

	if (ctx->cfg.arbiter_kind != ARBITER_POSTGRESQL)
		return true;
	/* Just promoted by notify, which took the leadership itself: valid
	 * until the lease keeper (a period later) publishes its own. Without
	 * this, fall 1 (the fast profile) made a fresh primary FAULT. */
	if (notify_leader_until() > lease_clock_ms())
		return true;
	if (monitor_state_load(MONITOR_STATE_PATH, &st, &err) < 0) {
		snprintf(why, len, "no leadership known: %s", err.msg);
		return false;
	}
	if (st.lease_failsafe || monitor_state_holds_lease(&st, lease_clock_ms()))
		return true;
	snprintf(why, len, "a primary without the leadership on the witness (%s)",
		 st.lease_held ? "its lease ran out" : "not held");
	return false;
}

static int pg_healthy(const struct node_ctx *ctx, bool need_primary, char *why, size_t len)
{
	char v[16], err[512], state[32], action[32];
	struct pgwire c;
	long age;
	int r = -1;

	if (pg_wire_connect_local(&c, VOIPHA_DB, PG_CONNECT_TIMEOUT_MS, err, sizeof(err)) < 0) {
		snprintf(why, len, "PostgreSQL: %s", err);
		goto out;
	}
	pgwire_set_timeout(&c, PG_TIMEOUT_MS);
	if (pgwire_query_value(&c, "SELECT pg_is_in_recovery()::text", v, sizeof(v), err,
			       sizeof(err)) < 0) {
		snprintf(why, len, "PostgreSQL: %s", err);
		goto out;
	}
	if (strcmp(v, "false") != 0) {
		vrrp_state(state, sizeof(state), action, sizeof(action), &age);
		if (need_primary)
			snprintf(why, len, "PostgreSQL is in recovery (a standby)");
		else if (strcmp(state, "MASTER") == 0 && strcmp(action, "promotion-refused") == 0)
			snprintf(why, len,
				 "VRRP MASTER but not promoted: the peer is a live primary");
		else if (strcmp(state, "MASTER") == 0 && age > PROMOTE_GRACE)
			snprintf(why, len,
				 "VRRP MASTER for %ld s but PostgreSQL is still a standby", age);
		else
			r = 0;
		goto out;
	}
	/* A real write: a transaction id, so the statement commits a WAL
	 * record and waits for its flush (synchronous_commit = local on our
	 * connections): a stuck disk or a full one fails it, and a read-only
	 * primary (default_transaction_read_only) says so. Cheaper than a
	 * temporary table, whose first use in a session costs ~10 ms of
	 * catalog work and bloats the catalogs once a second. */
	if (pgwire_query_value(&c,
			       "SELECT (current_setting('transaction_read_only') = 'off' "
			       "AND pg_current_xact_id() IS NOT NULL)::text",
			       v, sizeof(v), err, sizeof(err)) < 0) {
		snprintf(why, len, "PostgreSQL does not accept a write: %s", err);
		goto out;
	}
	if (strcmp(v, "true") != 0) {
		snprintf(why, len, "PostgreSQL is read-only (default_transaction_read_only)");
		goto out;
	}
	if (ctx && !holds_leadership(ctx, why, len))
		goto out;
	r = 0;
out:
	pgwire_close(&c);
	return r;
}

/* notify held the VIP back because the peer, a live primary, is not heard
 * over VRRP (engine/lease-keeper.h): say so rather than pass, until the
 * monitor lifts it. */
static int peer_heard(char *why, size_t len)
{
	char line[600];
	FILE *f = fopen(VRRP_UNHEARD_FILE, "re");

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	snprintf(why, len, "%s", line[0] ? line : "the peer's VRRP adverts do not arrive here");
	return -1;
}

int cmd_check(int argc, char **argv)
{
	bool primary = false, quiet = false, have_ctx = false;
	struct node_ctx ctx;
	char why[700] = "";
	struct timespec now;
	const char *wait_arg = NULL;
	unsigned long long wait_s = 0;
	long deadline;
	int r;
	const struct cli_opt opts[] = {
		{ "primary", 'p', NULL, &primary },
		{ "wait", 'w', &wait_arg, NULL },
		{ "quiet", 'q', NULL, &quiet },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (wait_arg &&
	    (r = cli_number_arg("wait", wait_arg, 0, 3600, "a number of seconds", &wait_s)) >= 0)
		return r;
	/* The database is asked as postgres (pg_wire_connect_local takes its
	 * ids for the connect), units as the caller, ICMP needs root. */
	if (node_ctx_load_quiet(DEFAULT_CONFIG, &ctx) == 0)
		have_ctx = true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec + (long)wait_s;
	for (;;) {
		if (!primary && in_maintenance()) {
			if (have_ctx)
				node_ctx_free(&ctx);
			return EXIT_OK;
		}
		if ((primary || peer_heard(why, sizeof(why)) == 0) &&
		    units_active(why, sizeof(why)) == 0 &&
		    pg_healthy(have_ctx ? &ctx : NULL, primary, why, sizeof(why)) == 0 &&
		    (!have_ctx || not_cut_off(&ctx, why, sizeof(why)) == 0)) {
			if (have_ctx)
				node_ctx_free(&ctx);
			return EXIT_OK;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= deadline)
			break;
		sleep(1);
	}
	if (have_ctx)
		node_ctx_free(&ctx);
	if (!quiet)
		cli_error("check: %s", why);
	return EXIT_FAIL;
}
