/* voip-ha restore: bring the pair back to a point in time (or the newest
 * archived WAL) from its pgBackRest repository. Run on the node that holds
 * the VIP, whose PostgreSQL is the primary (doc/DESIGN.md, "Backups",
 * Restore):
 *
 *   1. refuse, with nothing changed: no --yes, a malformed time, both or
 *      neither of --time and --latest, backups off, a repository that does
 *      not answer (bounded: cli/pgbr-run.h), a time before the end of
 *      the oldest backup or in the future, this node not the primary
 *      holding the VIP, a restore already marked in progress;
 *   2. commit one transaction (a commit record after the target, where
 *      recovery stops), switch WAL and wait until the archiver has pushed
 *      it (refused when it does not within ARCHIVE_WAIT s);
 *   3. the maintenance marker (check keeps the VIP here, so the peer's
 *      standby never promotes) and the restore marker (pg-guard lets the
 *      point-in-time recovery start); PostgreSQL stops;
 *   4. the data directory is set aside (datadir.h: renamed, or kept inside
 *      itself where it is a mount point or another file system) and
 *      pgBackRest restores into the empty place; on any failure the
 *      restored copy goes and the old data comes back and runs again;
 *   5. PostgreSQL starts, recovers to the target and promotes (a new
 *      timeline: PostgreSQL picks one above every history file in the
 *      repository, so no archived timeline is overwritten), archives it
 *      (archive_mode stays on), and the recovery settings pgBackRest wrote
 *      into postgresql.auto.conf are reset (a standby copied from here
 *      must not inherit a recovery target); replication starts degraded;
 *   6. the markers go: the node serves; the peer's monitor sees a primary
 *      on a newer timeline it cannot follow and rebuilds (rebuild.c); this
 *      command waits up to --peer-wait s for it to stream.
 * The data directory that was there stays set aside (its path printed);
 * the next clone or rebuild on this node prunes all but the newest copy. */
#include "cli/args.h"
#include "cli/backup-repo.h"
#include "cli/pgbr-run.h"
#include "cli/cli.h"
#include "engine/datadir.h"
#include "engine/failover.h"
#include "engine/history.h"
#include "engine/pg-session.h"
#include "engine/pgctl.h"
#include "engine/run-as.h"
#include "engine/boot.h"
#include "lib/atomic-write.h"
#include "lib/monitor-state.h"
#include "lib/pitime.h"
#include "lib/sockaddr.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#define ARCHIVE_WAIT 60
#define RECOVERY_WAIT 3600
#define START_GRACE 20

static const char usage_text[] =
	"usage: voip-ha restore (--time 'YYYY-MM-DD HH:MM:SS' | --latest) --yes\n"
	"                       [--config FILE] [--peer-wait SECONDS]\n"
	"Bring the pair back to a point in time from its pgBackRest repository: this node\n"
	"(the primary holding the VIP) restores, recovers to the point and becomes the\n"
	"primary on a new timeline; the peer rebuilds from it. The time is UTC unless it\n"
	"names an offset (+07:00, Z); fractions of a second are allowed. --latest: up to\n"
	"the newest archived WAL. The data directory that was there is kept aside.\n"
	"--peer-wait: how long to wait for the peer to stream again (default 600).\n";

struct restore {
	struct node_ctx ctx;
	struct pitime target; /* unused with latest */
	bool latest;
	struct datadir_swap sw;
	bool stopped, set_aside;
};

static int refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "restore refused: <why>; nothing was changed". EXIT_FAIL. */
static int refuse(const char *fmt, ...)
{
	va_list ap;

	fputs("voip-ha: restore refused: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; nothing was changed\n", stderr);
	return EXIT_FAIL;
}

static void fmt_utc(int64_t t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&s, &tm));
}

/* The repository answers, holds a backup, and the target lies between the
 * end of its oldest backup and now. */
static int check_repository(struct restore *rs)
{
	struct pgbr_info info;
	char why[300], b[64];
	long long oldest_stop;
	int r;

	r = pgbr_info_fetch(&rs->ctx.cfg, &info, why, sizeof(why));
	if (r == 0 && !pgbr_info_ok(&info))
		snprintf(why, sizeof(why), "stanza '%s': %s", rs->ctx.cfg.backup_stanza,
			 info.message);
	if (r == 0 && pgbr_info_ok(&info) && info.nbackups == 0) {
		pgbr_info_free(&info);
		return refuse("stanza %s holds no backup: nothing to restore from",
			      rs->ctx.cfg.backup_stanza);
	}
	if (r < 0 || !pgbr_info_ok(&info)) {
		pgbr_info_free(&info);
		return refuse("the repository does not answer: %s", why);
	}
	oldest_stop = info.backups[0].stop;
	pgbr_info_free(&info);
	if (rs->latest)
		return 0;
	fmt_utc(oldest_stop, b, sizeof(b));
	if (rs->target.epoch < oldest_stop)
		return refuse("%s is before the end of the oldest backup (%s): no restore "
			      "reaches it",
			      rs->target.utc, b);
	if (rs->target.epoch > (int64_t)time(NULL)) {
		char now[64];

		fmt_utc(time(NULL), now, sizeof(now));
		return refuse("%s is in the future (now: %s)", rs->target.utc, now);
	}
	return 0;
}

/* With the third voter the restored primary must keep the leadership: the
 * lease keeper renews it through the restore (planned maintenance,
 * rule_keeper_step), which it can only do for a lease it holds now. In
 * failsafe (the witness away) or without it, the new primary would be
 * fenced as soon as it promotes. */
static int check_leadership(const struct restore *rs)
{
	struct monitor_state st;
	struct kv_error kerr;

	if (rs->ctx.cfg.arbiter_kind != ARBITER_POSTGRESQL)
		return 0;
	if (monitor_state_load(MONITOR_STATE_PATH, &st, &kerr) < 0)
		return refuse("arbiter=postgresql and the failover monitor's state is unreadable "
			      "(%s): is voip-ha-monitor running?",
			      kerr.msg);
	if (!monitor_state_holds_lease(&st, lease_clock_ms()))
		return refuse("this node does not hold the leadership on the witness%s (voip-ha "
			      "status): a restored primary without it would be fenced; run it "
			      "again once it does",
			      st.lease_failsafe ? " (failsafe: the witness does not answer)" : "");
	return 0;
}

/* The archiver has pushed seg: PostgreSQL wrote past it and holds no
 * seg.ready. Not last_archived_wal alone: the archiver may take a backup
 * history file after the segment that follows it and then name the older
 * one for as long as nothing is written (check-backup saw it). */
#define ARCHIVED_SQL                                                                      \
	"SELECT CASE WHEN pg_walfile_name(pg_current_wal_flush_lsn() + 1) > $1::text "    \
	"AND NOT EXISTS (SELECT FROM pg_ls_archive_statusdir() WHERE name = $1::text || " \
	"'.ready') THEN '' ELSE coalesce(last_archived_wal, '') || ', ' || "              \
	"coalesce(last_failed_wal, '') END FROM pg_stat_archiver"

static int wait_archived(PGconn *c, const char *seg, char *why, size_t len)
{
	char last[128] = "", err[256];

	for (int i = 0; i < ARCHIVE_WAIT * 2; i++) {
		int r = pg_query_value(c, ARCHIVED_SQL, seg, last, sizeof(last), err, sizeof(err));

		if (r < 0) {
			snprintf(why, len, "%s", err);
			return -EIO;
		}
		if (!last[0])
			return 0;
		usleep(500 * 1000);
	}
	snprintf(why, len,
		 "%s is not archived after %d s (pg_stat_archiver: last archived, last failed: "
		 "%s): archiving does not reach the repository",
		 seg, ARCHIVE_WAIT, last);
	return -ETIMEDOUT;
}

/* A commit after the target (recovery stops at the first one past it) and
 * every WAL record up to now in the repository. */
static int flush_to_repository(const struct restore *rs)
{
	PGconn *c = pg_connect_local("postgres", 3);
	char seg[64], err[512], why[700];
	int r = EXIT_FAIL;

	(void)rs;
	if (!c || PQstatus(c) != CONNECTION_OK) {
		refuse("the local PostgreSQL does not answer: %s", pg_errmsg(c));
		goto out;
	}
	if (pg_exec(c, "BEGIN", err, sizeof(err)) < 0 ||
	    pg_query_value(c, "SELECT pg_current_xact_id()::text", NULL, seg, sizeof(seg), err,
			   sizeof(err)) < 0 ||
	    pg_exec(c, "COMMIT", err, sizeof(err)) < 0 ||
	    pg_query_value(c, "SELECT pg_walfile_name(pg_switch_wal())", NULL, seg, sizeof(seg),
			   err, sizeof(err)) < 0) {
		refuse("cannot switch WAL on the local primary: %s", err);
		goto out;
	}
	if (wait_archived(c, seg, why, sizeof(why)) < 0) {
		refuse("%s", why);
		goto out;
	}
	r = 0;
out:
	PQfinish(c);
	return r;
}

/* The maintenance marker, touched again while the restore runs: check
 * honours it for MAINTENANCE_MAX s after its last change. */
static int touch_maintenance(void)
{
	int fd;

	if (mkdir_parents(VOIPHA_MAINTENANCE, 0755) < 0)
		return -errno;
	fd = open(VOIPHA_MAINTENANCE, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return utime(VOIPHA_MAINTENANCE, NULL) < 0 ? -errno : 0;
}

/* The maintenance marker is touched every second by a thread while the
 * restore works, also while pgBackRest copies a large backup for minutes:
 * check honours the marker MAINTENANCE_MAX s after its last touch only, and
 * a restore that outlasted it would lose the VIP (with the third voter,
 * the leadership too: the lease keeper renews for it only while the marker
 * is fresh) half way. It ends with this process, so a restore that dies
 * still leaves a marker that goes stale. */
static pthread_t toucher;
static atomic_bool touching;

static void *touch_loop(void *arg)
{
	(void)arg;
	while (atomic_load(&touching)) {
		touch_maintenance();
		for (int i = 0; i < 10 && atomic_load(&touching); i++)
			usleep(100 * 1000);
	}
	return NULL;
}

static int touch_start(void)
{
	int r;

	atomic_store(&touching, true);
	r = pthread_create(&toucher, NULL, touch_loop, NULL);
	if (r != 0)
		atomic_store(&touching, false);
	return -r;
}

/* Stops the thread before the markers go: a touch after the unlink would
 * make the marker again. */
static void touch_stop(void)
{
	if (atomic_exchange(&touching, false))
		pthread_join(toucher, NULL);
}

static void clear_markers(void)
{
	touch_stop();
	unlink(VOIPHA_RESTORING);
	unlink(VOIPHA_MAINTENANCE);
}

/* pgBackRest into sw.target, as postgres. */
static int run_pgbackrest_restore(const struct restore *rs)
{
	static const char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char stanza[96], path[400], target[128], cmd[200];
	const char *argv[12];
	int n = 0;

	snprintf(stanza, sizeof(stanza), "--stanza=%s", rs->ctx.cfg.backup_stanza);
	/* pgBackRest's own restore_command would name --pg1-path, the place
	 * it restored to, which is not the data directory once a copy written
	 * inside a mount point moved up: the node's configuration names it. */
	snprintf(cmd, sizeof(cmd),
		 "--recovery-option=restore_command=" PGBACKREST
		 " --stanza=%s archive-get %%f \"%%p\"",
		 rs->ctx.cfg.backup_stanza);
	snprintf(path, sizeof(path), "--pg1-path=%s", rs->sw.target);
	argv[n++] = PGBACKREST;
	argv[n++] = stanza;
	argv[n++] = path;
	argv[n++] = "--log-level-console=warn";
	argv[n++] = cmd;
	if (rs->latest) {
		argv[n++] = "--type=default";
	} else {
		snprintf(target, sizeof(target), "--target=%s", rs->target.utc);
		argv[n++] = "--type=time";
		argv[n++] = target;
		argv[n++] = "--target-action=promote";
	}
	argv[n++] = "restore";
	argv[n] = NULL;
	return run_as(argv, rs->ctx.pg_uid, rs->ctx.pg_gid, envp, NULL, 0);
}

/* The failover engine fenced this node while it restored (the leadership
 * lost, the VIP gone: voip-ha status and the history say why): its
 * voip-ha-rebuild.service now makes it a standby of the peer, which owns
 * the data directory from here. Nothing is put back over it; the data of
 * before stays where it was set aside. */
static bool fenced_meanwhile(const struct restore *rs)
{
	if (access(VOIPHA_FENCED, F_OK) != 0)
		return false;
	cli_error("restore: this node was fenced while it restored (see voip-ha status): it "
		  "rejoins %s as a standby and the restored data is not served; the data "
		  "directory of before is in '%s'",
		  rs->ctx.peer_name, rs->sw.old[0] ? rs->sw.old : rs->sw.datadir);
	history_add("restore", "failed", "this node was fenced while it restored");
	return true;
}

/* Puts the data directory back as it was and starts it again. */
static void roll_back(struct restore *rs)
{
	char err[600] = "";

	if (fenced_meanwhile(rs)) {
		clear_markers();
		return;
	}
	if (rs->set_aside) {
		pg_local_stop(&rs->ctx);
		if (datadir_restore(&rs->sw, err, sizeof(err)) < 0) {
			cli_error("restore: cannot put the old data directory back: %s; it is in "
				  "'%s'",
				  err, rs->sw.old[0] ? rs->sw.old : rs->sw.datadir);
			history_add("restore", "failed", "rollback failed: %s", err);
			return;
		}
		cli_note("restore: the data directory is back as it was");
	}
	clear_markers();
	if (rs->stopped && pg_local_start(&rs->ctx) != 0)
		cli_error("restore: cannot start the local PostgreSQL again");
	restart_failed_units("restore");
}

/* Waits for the promotion, keeping the VIP here meanwhile. 0, or -EIO
 * when the server stopped (a recovery that failed: its log says why). */
static int wait_promoted(const struct restore *rs)
{
	int down = 0;

	for (int i = 0; i < RECOVERY_WAIT; i++) {
		enum pg_role role = pg_local_role(2);

		if (role == PG_PRIMARY)
			return 0;
		if (role == PG_DOWN && !pg_local_running(&rs->ctx)) {
			if (++down >= START_GRACE)
				return -EIO;
		} else {
			down = 0;
		}
		sleep(1);
	}
	return -ETIMEDOUT;
}

/* What pgBackRest wrote for the recovery leaves postgresql.auto.conf: a
 * standby copied from this primary would stop at the target again.
 * Replication starts degraded (the monitor makes it synchronous once the
 * peer streams). A checkpoint on the new timeline for the peer's
 * pg_rewind. */
static int settle_primary(const struct restore *rs, char *err, size_t errlen)
{
	static const char *const reset[] = { "restore_command",           "recovery_target",
					     "recovery_target_name",      "recovery_target_time",
					     "recovery_target_xid",       "recovery_target_lsn",
					     "recovery_target_inclusive", "recovery_target_action",
					     "recovery_target_timeline",  NULL };
	PGconn *c = pg_connect_local("postgres", 5);
	char sql[128];
	int r = 0;

	if (!c || PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", pg_errmsg(c));
		PQfinish(c);
		return -EIO;
	}
	for (size_t i = 0; reset[i] && r == 0; i++) {
		snprintf(sql, sizeof(sql), "ALTER SYSTEM RESET %s", reset[i]);
		r = pg_exec(c, sql, err, errlen);
	}
	if (r == 0)
		r = pg_exec(c, "SELECT pg_reload_conf()", err, errlen);
	if (r == 0)
		r = pg_exec(c, "CHECKPOINT", err, errlen);
	PQfinish(c);
	if (r == 0)
		r = set_sync_standby(&rs->ctx, false, err, errlen);
	return r;
}

static unsigned local_timeline(void)
{
	PGconn *c = pg_connect_local("postgres", 3);
	char v[32] = "0", err[256];

	if (c && PQstatus(c) == CONNECTION_OK)
		pg_query_value(c, "SELECT " PG_TIMELINE_SQL "::text", NULL, v, sizeof(v), err,
			       sizeof(err));
	PQfinish(c);
	return (unsigned)strtoul(v, NULL, 10);
}

static bool peer_streams(const struct node_ctx *ctx)
{
	PGconn *c = pg_connect_local("postgres", 3);
	char v[8] = "", err[256];
	bool ok;

	ok = c && PQstatus(c) == CONNECTION_OK &&
	     pg_query_value(c,
			    "SELECT 'yes' FROM pg_stat_replication WHERE application_name = $1 "
			    "AND state = 'streaming'",
			    ctx->peer_name, v, sizeof(v), err, sizeof(err)) == 0 &&
	     strcmp(v, "yes") == 0;
	PQfinish(c);
	return ok;
}

static int do_restore(struct restore *rs, unsigned long long peer_wait)
{
	const struct node_ctx *ctx = &rs->ctx;
	char err[600] = "", what[128], line[200];
	int r;

	if (access(PGBACKREST, X_OK) < 0)
		return refuse("%s is not installed", PGBACKREST);
	if (access(VOIPHA_RESTORING, F_OK) == 0)
		return refuse("%s exists: a restore runs or was interrupted (see voip-ha status "
			      "and the history; remove it once nothing restores)",
			      VOIPHA_RESTORING);
	if (in_maintenance())
		return refuse("%s exists: a package is being configured; try again when it is "
			      "done",
			      VOIPHA_MAINTENANCE);
	if (pg_local_role(3) != PG_PRIMARY)
		return refuse("this node's PostgreSQL is not the primary: run it on %s, the "
			      "node that holds the VIP",
			      ctx->peer_name);
	if (!address_is_local(ctx->vip))
		return refuse("this node does not hold the VIP %s: run it on %s", ctx->vip,
			      ctx->peer_name);
	if (check_leadership(rs) != 0)
		return EXIT_FAIL;
	if (check_repository(rs) != 0)
		return EXIT_FAIL;
	if (flush_to_repository(rs) != 0)
		return EXIT_FAIL;

	if (rs->latest)
		snprintf(what, sizeof(what), "the newest archived WAL");
	else
		snprintf(what, sizeof(what), "%s", rs->target.utc);
	snprintf(line, sizeof(line), "%s\n", what);
	if ((r = mkdir_parents(VOIPHA_RESTORING, 0755)) < 0 ||
	    (r = atomic_write(VOIPHA_RESTORING, line, strlen(line), 0644, AW_KEEP_OWNER, (gid_t)-1,
			      NULL)) < 0 ||
	    (r = touch_maintenance()) < 0 || (r = touch_start()) < 0) {
		clear_markers();
		return refuse("cannot write the restore markers: %s", strerror(-r));
	}
	openlog("voip-ha-restore", LOG_PID, LOG_DAEMON);
	syslog(LOG_WARNING, "restore: bringing the pair back to %s", what);
	history_add("restore", "started", "to %s", what);
	cli_note("restore: to %s; PostgreSQL stops here (the VIP stays)", what);

	if (pg_local_stop(ctx) != 0) {
		cli_error("restore: cannot stop the local PostgreSQL");
		history_add("restore", "failed", "cannot stop the local PostgreSQL");
		rs->stopped = true;
		roll_back(rs);
		return EXIT_FAIL;
	}
	rs->stopped = true;
	if (datadir_set_aside(ctx, &rs->sw, err, sizeof(err)) < 0) {
		cli_error("restore: %s", err);
		history_add("restore", "failed", "%s", err);
		roll_back(rs);
		return EXIT_FAIL;
	}
	rs->set_aside = true;
	if (rs->sw.old[0])
		cli_note("restore: the data directory is kept in '%s'", rs->sw.old);
	r = run_pgbackrest_restore(rs);
	if (r != 0) {
		cli_error("restore: pgbackrest restore failed (%d)", r);
		history_add("restore", "failed", "pgbackrest restore failed (%d)", r);
		roll_back(rs);
		return EXIT_FAIL;
	}
	if (datadir_commit(&rs->sw, err, sizeof(err)) < 0) {
		cli_error("restore: %s", err);
		history_add("restore", "failed", "%s", err);
		roll_back(rs);
		return EXIT_FAIL;
	}
	cli_note("restore: restored; PostgreSQL recovers to %s", what);
	if (pg_local_start_nowait(ctx) != 0 || (r = wait_promoted(rs)) != 0) {
		cli_error("restore: PostgreSQL did not recover to %s and promote (see its log); "
			  "putting the old data directory back",
			  what);
		history_add("restore", "failed", "recovery to %s did not complete", what);
		roll_back(rs);
		return EXIT_FAIL;
	}
	if (settle_primary(rs, err, sizeof(err)) < 0)
		cli_error("restore: after the promotion: %s (reset the recovery settings in "
			  "postgresql.auto.conf by hand)",
			  err);
	if (fenced_meanwhile(rs)) {
		clear_markers();
		return EXIT_FAIL;
	}
	clear_markers();
	{
		unsigned tli = local_timeline();

		cli_note("restore: this node is the primary on timeline %u, back at %s", tli, what);
		syslog(LOG_WARNING, "restore: done; primary on timeline %u at %s", tli, what);
		history_add("restore", "ok", "primary on timeline %u at %s%s%s", tli, what,
			    rs->sw.old[0] ? "; old data in " : "", rs->sw.old);
	}
	restart_failed_units("restore");
	if (peer_wait == 0)
		return EXIT_OK;
	cli_note("restore: waiting up to %llu s for %s to rebuild from this node", peer_wait,
		 ctx->peer_name);
	for (unsigned long long i = 0; i < peer_wait; i++) {
		if (peer_streams(ctx)) {
			cli_note("restore: %s streams from this node: the pair is whole",
				 ctx->peer_name);
			return EXIT_OK;
		}
		sleep(1);
	}
	cli_error("restore: %s does not stream yet (its voip-ha-rebuild.service rebuilds it; "
		  "see voip-ha status)",
		  ctx->peer_name);
	return EXIT_OK;
}

int cmd_restore(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG, *time_arg = NULL, *wait_arg = NULL;
	bool latest = false, yes = false;
	unsigned long long peer_wait = 600;
	struct restore rs;
	char err[400];
	int r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },      { "time", 't', &time_arg, NULL },
		{ "latest", 'l', NULL, &latest },      { "yes", 'y', NULL, &yes },
		{ "peer-wait", 'w', &wait_arg, NULL }, { NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (wait_arg && (r = cli_number_arg("peer-wait", wait_arg, 0, 86400, "a number of seconds",
					    &peer_wait)) >= 0)
		return r;
	memset(&rs, 0, sizeof(rs));
	if (!!time_arg == latest) {
		cli_error("restore: give exactly one of --time 'YYYY-MM-DD HH:MM:SS' and --latest");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (time_arg && pitime_parse(time_arg, &rs.target, err, sizeof(err)) < 0) {
		cli_error("restore: %s", err);
		return EXIT_USAGE;
	}
	if (!yes) {
		cli_error("restore: this replaces the pair's database with the backup's (the "
			  "current data is kept aside, not used); add --yes to go ahead; nothing "
			  "was changed");
		return EXIT_USAGE;
	}
	rs.latest = latest;
	if (node_ctx_load(config, &rs.ctx) != 0)
		return EXIT_FAIL;
	if (rs.ctx.cfg.backup_kind == BACKUP_NONE) {
		cli_error("restore refused: backups are off (backup=none in %s); nothing was "
			  "changed",
			  config);
		r = EXIT_FAIL;
	} else {
		r = do_restore(&rs, peer_wait);
	}
	node_ctx_free(&rs.ctx);
	return r;
}
