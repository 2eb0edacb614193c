/* voip-ha notify TYPE NAME STATE [PRIORITY]: keepalived's notify script.
 *
 * Every transition is logged (syslog, so the journal has it, and stderr) and
 * recorded in /var/lib/voip-ha/state. Actions per state:
 *   MASTER         promote the local PostgreSQL if it is in recovery
 *                  (pg_promote), then make sure the slot the peer will
 *                  stream from exists. Never while the peer's PostgreSQL
 *                  answers as a primary (e.g. the peer is still installing
 *                  and its keepalived is not up yet): that would make a
 *                  second primary. The refusal is recorded (action=) and
 *                  `voip-ha check` then fails, so keepalived gives the VIP
 *                  back;
 *   BACKUP, FAULT, STOP
 *                  logged only.
 * The failover issue extends on_master()/on_backup()/on_fault() (split-brain
 * detection, rebuild of an old primary); the argument handling, log and state
 * file stay as they are. Exit 0 unless an action failed. */
#include "cli/bringup.h"
#include "cli/cli.h"
#include "lib/atomic-write.h"
#include "lib/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define STATE_FILE VOIPHA_STATE_DIR "/state"

static const char usage_text[] =
	"usage: voip-ha notify [--config FILE] INSTANCE|GROUP NAME MASTER|BACKUP|FAULT|STOP [PRIORITY]\n"
	"Called by keepalived on every VRRP state change.\n";

static void logmsg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logmsg(int prio, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	syslog(prio, "%s", buf);
	fprintf(stderr, "voip-ha: notify: %s\n", buf);
}

/* keepalived passes names it read from its own config; still, nothing
 * unexpected goes into our log or state file. */
static bool token_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(ch >= '0' && ch <= '9') && !(ch >= 'A' && ch <= 'Z') && !(ch >= 'a' && ch <= 'z') &&
		    ch != '_' && ch != '-' && ch != '.')
			return false;
	}
	return true;
}

static int write_state(const char *type, const char *name, const char *state, const char *prio,
		       const char *action)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	r = sb_addf(&sb, "type=%s\nname=%s\nstate=%s\npriority=%s\nsince=%lld\naction=%s\n", type,
		    name, state, prio, (long long)time(NULL), action);
	if (r == 0)
		r = mkdir_parents(STATE_FILE, 0755);
	if (r == 0)
		r = atomic_write(STATE_FILE, sb_str(&sb), sb.len, 0644, AW_KEEP_OWNER, (gid_t)-1, NULL);
	sb_release(&sb);
	return r;
}

static int on_master(const struct node_ctx *ctx, const char *const state_args[4])
{
	char v[16], err[512];
	PGconn *c;
	int r = EXIT_FAIL;

	/* Effective ids only: peer authentication reads the euid, and root is
	 * needed again to record a refused promotion in the state file. */
	if (setegid(ctx->pg_gid) < 0 || seteuid(ctx->pg_uid) < 0) {
		logmsg(LOG_ERR, "cannot switch to the postgres user: %s", strerror(errno));
		return EXIT_FAIL;
	}
	c = pg_connect_local("postgres", 5);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		logmsg(LOG_ERR, "MASTER but the local PostgreSQL is not reachable: %s", pg_errmsg(c));
		goto out;
	}
	if (pg_query_value(c, "SELECT pg_is_in_recovery()::text", NULL, v, sizeof(v), err, sizeof(err)) < 0) {
		logmsg(LOG_ERR, "cannot ask PostgreSQL for its role: %s", err);
		goto out;
	}
	if (strcmp(v, "true") == 0) {
		if (peer_is_live_primary(ctx)) {
			logmsg(LOG_ERR, "MASTER, but %s (%s) is a live primary: not promoting (no second primary); "
			       "the health check now fails so keepalived gives the VIP back",
			       ctx->peer_name, ctx->peer_addr);
			if (seteuid(0) < 0 || setegid(0) < 0)
				logmsg(LOG_ERR, "cannot switch back to root: %s", strerror(errno));
			write_state(state_args[0], state_args[1], state_args[2], state_args[3],
				    "promotion-refused");
			goto out;
		}
		logmsg(LOG_WARNING, "MASTER: promoting the local PostgreSQL standby");
		if (pg_query_value(c, "SELECT pg_promote(true, 60)::text", NULL, v, sizeof(v), err, sizeof(err)) < 0 ||
		    strcmp(v, "true") != 0) {
			logmsg(LOG_ERR, "promotion failed: %s", err[0] ? err : "pg_promote returned false");
			goto out;
		}
		logmsg(LOG_WARNING, "PostgreSQL promoted: this node is the primary");
	}
	r = pg_query_value(c, "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", ctx->slot_for_peer,
			   v, sizeof(v), err, sizeof(err));
	if (r == -ENOENT) {
		r = pg_query_value(c, "SELECT 1 FROM pg_create_physical_replication_slot($1, true)",
				   ctx->slot_for_peer, v, sizeof(v), err, sizeof(err));
		if (r == 0)
			logmsg(LOG_INFO, "created replication slot %s for %s", ctx->slot_for_peer, ctx->peer_name);
	}
	if (r < 0) {
		logmsg(LOG_ERR, "cannot ensure replication slot %s: %s", ctx->slot_for_peer, err);
		r = EXIT_FAIL;
		goto out;
	}
	r = EXIT_OK;
out:
	PQfinish(c);
	return r;
}

int cmd_notify(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG, *type, *name, *state, *prio = "";
	struct node_ctx ctx;
	int i = 1, r;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (argc >= 3 && strcmp(argv[1], "--config") == 0) {
		config = argv[2];
		i = 3;
	}
	if (argc - i < 3 || argc - i > 4) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	type = argv[i];
	name = argv[i + 1];
	state = argv[i + 2];
	if (argc - i == 4)
		prio = argv[i + 3];
	openlog("voip-ha-notify", LOG_PID, LOG_DAEMON);
	if (!token_ok(type, 16) || !token_ok(name, 64) || !token_ok(state, 16) ||
	    (prio[0] && !token_ok(prio, 8))) {
		logmsg(LOG_ERR, "ignoring a notification with unexpected arguments");
		return EXIT_USAGE;
	}
	logmsg(LOG_NOTICE, "%s %s %s priority %s", type, name, state, prio[0] ? prio : "-");
	r = write_state(type, name, state, prio, "none");
	if (r < 0)
		logmsg(LOG_ERR, "cannot write %s: %s", STATE_FILE, strerror(-r));

	if (strcmp(state, "MASTER") != 0)
		return r < 0 ? EXIT_FAIL : EXIT_OK;
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	{
		const char *const args[4] = { type, name, state, prio };

		r = on_master(&ctx, args);
	}
	node_ctx_free(&ctx);
	return r;
}
