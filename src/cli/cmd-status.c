/* voip-ha status [--json]: the pair as this node sees it. Local facts come
 * from the local PostgreSQL, systemd and the monitor's state file; the
 * peer's role and timeline from a replication connection to it; the VIP
 * holder from the VIP itself (which node's PostgreSQL answers there). The
 * JSON keys are stable (voip-ha(8)). Exit 0, or 1 when there are warnings. */
#include "cli/args.h"
#include "engine/boot.h"
#include "engine/pg-probe.h"
#include "engine/pg-session.h"
#include "lib/sockaddr.h"
#include "cli/cli.h"
#include "cli/status-backup.h"
#include "cli/status-history.h"
#include "engine/failover.h"
#include "engine/history.h"
#include "engine/pgctl.h"
#include "engine/unit-state.h"
#include "engine/arbiter.h"
#include "engine/lease-keeper.h"
#include "lib/monitor-state.h"
#include "lib/restart-pending.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LAG_WARN_BYTES (16LL * 1024 * 1024)
/* The pending restarts (lib/restart-pending.h). */
#define RESTART_PENDING_DIR VOIPHA_STATE_DIR "/restart-pending"

static const char usage_text[] =
	"usage: voip-ha status [--config FILE] [--json] [--history N]\n"
	"Both nodes, the VIP holder, PostgreSQL roles, replication, witness, services,\n"
	"the last failover, switchover and rebuild, the last N entries (default 20) of\n"
	"both nodes' history merged in time order, and warnings.\n";

struct local_pg {
	enum pg_role role;
	unsigned timeline;
	char repl_state[32]; /* primary: peer's walsender state; standby: receiver status */
	long long lag_bytes; /* -1 unknown */
	double lag_seconds;  /* -1 unknown */
	bool sync;           /* primary: synchronous_standby_names set */
	char slots[256];     /* "name:active:wal_status,..." */
};

static void query_local(const struct node_ctx *ctx, struct local_pg *l)
{
	PGconn *c = pg_connect_local("postgres", 2);
	const char *params[1] = { ctx->peer_name };
	PGresult *res;

	memset(l, 0, sizeof(*l));
	l->lag_bytes = -1;
	l->lag_seconds = -1;
	snprintf(l->repl_state, sizeof(l->repl_state), "none");
	if (!c || PQstatus(c) != CONNECTION_OK)
		goto out;
	res = PQexecParams(
		c,
		"SELECT pg_is_in_recovery(), " PG_TIMELINE_SQL ", "
		"current_setting('synchronous_standby_names') <> '', "
		"CASE WHEN pg_is_in_recovery() THEN (SELECT status FROM pg_stat_wal_receiver) "
		"ELSE (SELECT state FROM pg_stat_replication WHERE application_name = $1 ORDER BY backend_start DESC LIMIT 1) END, "
		"CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint "
		"ELSE (SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint FROM pg_stat_replication "
		"      WHERE application_name = $1 ORDER BY backend_start DESC LIMIT 1) END, "
		"CASE WHEN pg_is_in_recovery() THEN CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
		"     ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END "
		"ELSE (SELECT coalesce(extract(epoch FROM replay_lag), 0) FROM pg_stat_replication "
		"      WHERE application_name = $1 ORDER BY backend_start DESC LIMIT 1) END, "
		"(SELECT string_agg(slot_name || ':' || active || ':' || coalesce(wal_status, '-'), ',') FROM pg_replication_slots)",
		1, NULL, params, NULL, NULL, 0);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		l->role = strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? PG_STANDBY : PG_PRIMARY;
		l->timeline = (unsigned)strtoul(PQgetvalue(res, 0, 1), NULL, 10);
		l->sync = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
		if (!PQgetisnull(res, 0, 3))
			snprintf(l->repl_state, sizeof(l->repl_state), "%s", PQgetvalue(res, 0, 3));
		if (!PQgetisnull(res, 0, 4))
			l->lag_bytes = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
		if (!PQgetisnull(res, 0, 5))
			l->lag_seconds = strtod(PQgetvalue(res, 0, 5), NULL);
		snprintf(l->slots, sizeof(l->slots), "%s",
			 PQgetisnull(res, 0, 6) ? "" : PQgetvalue(res, 0, 6));
	}
	PQclear(res);
out:
	PQfinish(c);
}

/* JSON string: our values are node names, states, addresses and history
 * details; escape what JSON requires anyway. */
void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

#define MAX_WARNINGS 16

struct warnings {
	char text[MAX_WARNINGS][400];
	int n;
};

static void warn(struct warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct warnings *w, const char *fmt, ...)
{
	va_list ap;

	if (w->n >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(w->text[w->n++], sizeof(w->text[0]), fmt, ap);
	va_end(ap);
}

/* The unit's ActiveState, or "unknown" when systemd cannot be asked. */
static const char *unit_state(const char *unit, char *buf, size_t len)
{
	return unit_active_state(unit, buf, len) == 0 ? buf : "unknown";
}

static const char *sync_state(const struct local_pg *l)
{
	if (l->role == PG_STANDBY)
		return "standby";
	if (l->role == PG_DOWN)
		return "down";
	if (!l->sync)
		return "degraded";
	return strcmp(l->repl_state, "streaming") == 0 ? "sync" : "sync-waiting";
}

static void print_event(bool json, const char *key, const struct history_entry *e, bool last)
{
	char when[32] = "never";

	if (e->time) {
		time_t t = (time_t)e->time;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (json) {
		printf("\"%s\":", key);
		if (!e->time) {
			printf("null%s", last ? "" : ",");
			return;
		}
		printf("{\"time\":");
		json_str(when);
		printf(",\"outcome\":");
		json_str(e->outcome);
		printf(",\"detail\":");
		json_str(e->detail);
		printf("}%s", last ? "" : ",");
	} else {
		printf("  last %-10s %s%s%s%s%s\n", key, when, e->time ? " " : "", e->outcome,
		       e->time ? ": " : "", e->detail);
	}
}

/* The leadership as the witness says it now (one observe call), and what
 * this node's lease keeper published (held, failsafe). */
struct arbiter_view {
	bool on, held, failsafe;
	int rc;
	char address[16], why[200];
	struct arbiter_answer ans;
};

static void read_arbiter(const struct node_ctx *ctx, struct arbiter_view *v)
{
	struct monitor_state st;
	struct kv_error err;
	struct arbiter a;

	memset(v, 0, sizeof(*v));
	v->ans.renewed_ago = -1;
	if (arbiter_init(&a, ctx) < 0)
		return;
	v->on = true;
	snprintf(v->address, sizeof(v->address), "%s", a.host);
	v->rc = arbiter_observe(&a, 1500, &v->ans, v->why, sizeof(v->why));
	arbiter_close(&a);
	if (monitor_state_load(MONITOR_STATE_PATH, &st, &err) == 0) {
		v->held = monitor_state_holds_lease(&st, lease_clock_ms());
		v->failsafe = st.lease_failsafe;
	}
}

int cmd_status(int argc, char **argv)
{
	static const char *const services[] = { "kamailio.service", "voip-admin.service",
						"keepalived.service", "voip-ha-monitor.service",
						"lsyncd.service" };
	const char *config = DEFAULT_CONFIG, *history_arg = NULL;
	unsigned long long show = STATUS_HISTORY_DEFAULT;
	struct status_history hist;
	struct node_ctx ctx;
	struct local_pg l;
	struct pg_probe peer, vip;
	struct reachability reach;
	struct history_entry failover, switchover, rebuild, fence;
	struct warnings w;
	struct arbiter_view arb;
	struct restart_pending pend;
	struct status_backup bk;
	time_t now = time(NULL);
	char vip_holder[16], pgunit[64], buf[32], unheard[600];
	bool json = false, vip_local, fenced, reach_known, peer_seen;
	int voters;
	size_t i;
	int c, r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ "json", 'j', NULL, &json },
		{ "history", 'H', &history_arg, NULL },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (history_arg && (r = cli_number_arg("history", history_arg, 0, 2000,
					       "a number of entries (0..2000)", &show)) >= 0)
		return r;
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	memset(&w, 0, sizeof(w));
	query_local(&ctx, &l);
	pg_probe(&ctx, ctx.peer_addr, 2, &peer);
	reach_known = probe_reachability(&ctx, 3, &reach) == 0; /* ICMP needs root */
	if (!reach_known) {
		memset(&reach, 0, sizeof(reach));
		reach.has_witness = ctx.witness[0] != '\0';
	}
	vip_local = address_is_local(ctx.vip);
	if (vip_local)
		snprintf(vip_holder, sizeof(vip_holder), "%s", ctx.local_name);
	else if (pg_probe(&ctx, ctx.vip, 2, &vip) == 0 && probe_is_node(&vip, ctx.peer_name))
		snprintf(vip_holder, sizeof(vip_holder), "%s", ctx.peer_name);
	else
		snprintf(vip_holder, sizeof(vip_holder), "unknown");
	fenced = access(VOIPHA_FENCED, F_OK) == 0;
	read_arbiter(&ctx, &arb);
	/* The three voters: this node, the peer (its host or its PostgreSQL
	 * answers) and the witness's arbiter. */
	peer_seen = peer.reachable || (reach_known && reach.peer);
	voters = 1 + (peer_seen ? 1 : 0) + (arb.on && arb.rc == 0 ? 1 : 0);
	history_last(VOIPHA_HISTORY, "failover", &failover, NULL);
	history_last(VOIPHA_HISTORY, "switchover", &switchover, NULL);
	history_last(VOIPHA_HISTORY, "rebuild", &rebuild, NULL);
	history_last(VOIPHA_HISTORY, "fence", &fence, NULL);
	status_history_gather(&ctx, peer.reachable, (size_t)show, &hist);
	/* Unreadable (not root): none shown; status says so in a warning. */
	if (restart_pending_read(RESTART_PENDING_DIR, &pend) < 0)
		warn(&w, "cannot read %s: pending restarts unknown", RESTART_PENDING_DIR);
	status_backup_gather(&ctx, now, &bk);

	if (l.role == PG_PRIMARY && peer.reachable && peer.primary)
		warn(&w, "two primaries: %s and %s", ctx.local_name, ctx.peer_name);
	if (l.role == PG_STANDBY && strcmp(l.repl_state, "streaming") != 0)
		warn(&w, "this standby is not streaming (%s)", l.repl_state);
	if (l.role == PG_PRIMARY && strcmp(l.repl_state, "streaming") != 0)
		warn(&w, "the standby %s is not streaming", ctx.peer_name);
	if (l.role == PG_PRIMARY && !l.sync)
		warn(&w,
		     "replication degraded to asynchronous: a failover now may lose recent commits");
	if (l.lag_bytes > LAG_WARN_BYTES)
		warn(&w, "replication lag %lld bytes (above %lld)", l.lag_bytes, LAG_WARN_BYTES);
	if (peer.reachable == false && strstr(peer.error, "password authentication failed"))
		warn(&w,
		     "the peer refuses the replication password: secrets differ between the nodes");
	else if (!peer.reachable && reach_known && !reach.peer)
		warn(&w, "%s (%s) does not answer: neither its host nor its PostgreSQL",
		     ctx.peer_name, ctx.peer_addr);
	else if (!peer.reachable)
		warn(&w, "%s's PostgreSQL does not answer (its host does)", ctx.peer_name);
	if (!reach.has_witness)
		warn(&w, "no witness configured: a network cut can make two primaries");
	else if (!reach.witness)
		warn(&w, "the witness %s does not answer", ctx.witness);
	if (arb.on && arb.rc < 0)
		warn(&w,
		     "the witness's arbiter %s does not answer (%s): no failover is possible until it does",
		     arb.address, arb.why);
	if (arb.on && l.role == PG_PRIMARY && !arb.held && !arb.failsafe)
		warn(&w, "this primary does not hold the leadership on the witness");
	if (arb.on && arb.failsafe)
		warn(&w,
		     "serving without the witness (failsafe): a second failure stops the writes");
	if (vrrp_unheard(unheard, sizeof(unheard)))
		warn(&w, "%s", unheard);
	else if (vip_local && l.role != PG_PRIMARY && peer.reachable && peer.primary)
		warn(&w,
		     "this node holds the VIP while %s is the primary: %s's VRRP adverts do not "
		     "arrive here (a firewall dropping VRRP, IP protocol 112, from %s? a different "
		     "failover_profile, VRRP version or router id?)",
		     ctx.peer_name, ctx.peer_name, ctx.peer_addr);
	if (fenced)
		warn(&w, "this node is fenced (its PostgreSQL may only start as a standby)");
	if (access(VOIPHA_RESTORING, F_OK) == 0)
		warn(&w, "voip-ha restore runs here or was interrupted (%s; see the history)",
		     VOIPHA_RESTORING);
	if (l.role == PG_DOWN)
		warn(&w, "the local PostgreSQL is down");
	if (w.n < MAX_WARNINGS)
		w.n += status_backup_warnings(&bk, now, w.text[w.n], sizeof(w.text[0]),
					      MAX_WARNINGS - w.n);
	if (w.n > MAX_WARNINGS)
		w.n = MAX_WARNINGS;

	pg_unit_name(&ctx, pgunit, sizeof(pgunit));
	if (json) {
		printf("{\"node\":");
		json_str(ctx.local_name);
		printf(",\"address\":");
		json_str(ctx.local_addr);
		printf(",\"vip\":");
		json_str(ctx.vip);
		printf(",\"vip_holder\":");
		json_str(vip_holder);
		printf(",\"vip_held\":%s,\"fenced\":%s", vip_local ? "true" : "false",
		       fenced ? "true" : "false");
		printf(",\"postgresql\":{\"role\":");
		json_str(pg_role_name(l.role));
		printf(",\"timeline\":%u,\"sync_state\":", l.timeline);
		json_str(sync_state(&l));
		printf(",\"replication_state\":");
		json_str(l.repl_state);
		printf(",\"lag_bytes\":%lld,\"lag_seconds\":%.3f,\"slots\":", l.lag_bytes,
		       l.lag_seconds);
		json_str(l.slots);
		printf("},\"peer\":{\"node\":");
		json_str(ctx.peer_name);
		printf(",\"address\":");
		json_str(ctx.peer_addr);
		printf(",\"reachable\":%s,\"postgresql_reachable\":%s,\"role\":",
		       reach.peer ? "true" : "false", peer.reachable ? "true" : "false");
		json_str(peer.reachable ? (peer.primary ? "primary" : "standby") : "unknown");
		printf(",\"timeline\":%u}", peer.timeline);
		printf(",\"witness\":{\"address\":");
		json_str(ctx.witness);
		printf(",\"configured\":%s,\"reachable\":%s}", reach.has_witness ? "true" : "false",
		       reach.witness ? "true" : "false");
		printf(",\"arbiter\":{\"kind\":");
		json_str(arb.on ? "postgresql" : "none");
		if (arb.on) {
			printf(",\"address\":");
			json_str(arb.address);
			printf(",\"reachable\":%s,\"holder\":", arb.rc == 0 ? "true" : "false");
			json_str(arb.ans.holder);
			printf(",\"term\":%lld,\"remaining_ms\":%lld,\"renewed_ago_ms\":%lld,"
			       "\"held_here\":%s,\"failsafe\":%s",
			       arb.ans.term, arb.ans.remaining, arb.ans.renewed_ago,
			       arb.held ? "true" : "false", arb.failsafe ? "true" : "false");
			printf(",\"voters_seen\":%d,\"quorum\":%s", voters,
			       voters >= 2 ? "true" : "false");
		}
		printf("}");
		status_backup_json(&bk);
		printf(",\"services\":{");
		json_str(pgunit);
		printf(":");
		json_str(unit_state(pgunit, buf, sizeof(buf)));
		for (i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
			printf(",");
			json_str(services[i]);
			printf(":");
			json_str(unit_state(services[i], buf, sizeof(buf)));
		}
		printf("},");
		print_event(true, "last_failover", &failover, false);
		print_event(true, "last_switchover", &switchover, false);
		print_event(true, "last_rebuild", &rebuild, false);
		print_event(true, "last_fence", &fence, false);
		status_history_json(&hist);
		printf("\"restart_pending\":[");
		for (c = 0; c < pend.n; c++) {
			printf("%s{\"unit\":", c ? "," : "");
			json_str(pend.unit[c]);
			printf(",\"reason\":");
			json_str(pend.why[c]);
			printf("}");
		}
		printf("],");
		printf("\"warnings\":[");
		for (c = 0; c < w.n; c++) {
			if (c)
				printf(",");
			json_str(w.text[c]);
		}
		printf("]}\n");
	} else {
		printf("voip-ha pair, seen from %s (%s)\n", ctx.local_name, ctx.local_addr);
		printf("  VIP %s on %s\n", ctx.vip, vip_holder);
		printf("  %s (this node): PostgreSQL %s, timeline %u, replication %s (%s)",
		       ctx.local_name, pg_role_name(l.role), l.timeline, sync_state(&l),
		       l.repl_state);
		if (l.lag_bytes >= 0)
			printf(", lag %lld bytes / %.1f s", l.lag_bytes,
			       l.lag_seconds < 0 ? 0 : l.lag_seconds);
		printf("%s\n", fenced ? ", FENCED" : "");
		if (l.slots[0])
			printf("    slots: %s\n", l.slots);
		printf("    services: %s=%s", pgunit, unit_state(pgunit, buf, sizeof(buf)));
		for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
			printf(" %s=%s", services[i], unit_state(services[i], buf, sizeof(buf)));
		printf("\n  %s (%s): host %s, PostgreSQL %s", ctx.peer_name, ctx.peer_addr,
		       reach.peer ? "reachable" : "unreachable",
		       peer.reachable ? (peer.primary ? "primary" : "standby") : "not answering");
		if (peer.reachable)
			printf(", timeline %u", peer.timeline);
		printf("\n  witness: %s\n", !reach.has_witness ? "none configured" :
					    reach.witness      ? ctx.witness :
								 "not answering");
		if (!arb.on)
			printf("  arbiter: none (two-node rules)\n");
		else if (arb.rc < 0)
			printf("  arbiter: %s not answering (%s)%s\n", arb.address, arb.why,
			       arb.failsafe ? "; failsafe" : "");
		else
			printf("  arbiter: %s, leadership %s (term %lld), %.1f s left, renewed %.1f s ago%s\n",
			       arb.address, arb.ans.holder[0] ? arb.ans.holder : "free",
			       arb.ans.term,
			       arb.ans.remaining > 0 ? arb.ans.remaining / 1000.0 : 0.0,
			       arb.ans.renewed_ago < 0 ? 0.0 : arb.ans.renewed_ago / 1000.0,
			       arb.held     ? "; held by this node" :
			       arb.failsafe ? "; failsafe" :
					      "");
		if (arb.on)
			printf("  quorum: %d of 3 voters seen (this node%s%s%s)%s\n", voters,
			       peer_seen ? ", " : "", peer_seen ? ctx.peer_name : "",
			       arb.rc == 0 ? ", the witness" : "",
			       voters >= 2 ? "" : ": no quorum, no failover possible");
		status_backup_text(&bk, now);
		print_event(false, "failover", &failover, false);
		print_event(false, "switchover", &switchover, false);
		print_event(false, "rebuild", &rebuild, false);
		print_event(false, "fence", &fence, false);
		for (c = 0; c < pend.n; c++)
			printf("  restart pending: %s: %s\n", pend.unit[c], pend.why[c]);
		for (c = 0; c < w.n; c++)
			printf("  WARNING: %s\n", w.text[c]);
		if (show)
			status_history_text(&hist);
	}
	status_history_free(&hist);
	node_ctx_free(&ctx);
	return w.n ? EXIT_FAIL : EXIT_OK;
}
