/* voip-ha check: is this node a healthy primary? keepalived's vrrp_script
 * runs it every 2 s, so it is one libpq connection with a short timeout and
 * one `systemctl is-active` for the required units.
 *
 *   default     PostgreSQL up, NOT in recovery, accepts a write (temporary
 *               table), and kamailio, voip-admin (and freeswitch when it is
 *               installed) active. Exit 0 only then.
 *   --services  the stack is ready on this node, whatever its role: the units
 *               active and PostgreSQL accepting connections (a standby
 *               passes). keepalived's ExecStartPre and the last postinst
 *               hook use it ("Keepalived last").
 *   --wait S    retry once a second for up to S seconds.
 *
 * Runs as root or postgres (peer authentication on the local socket). The
 * failover issue extends the checks here (e.g. split-brain detection). */
#include "cli/bringup.h"
#include "cli/cli.h"
#include "lib/owner.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: voip-ha check [--services] [--wait SECONDS] [--quiet]\n"
	"Exit 0 when this node is a healthy primary (or, with --services, when its\n"
	"stack is up whatever its role), 1 otherwise with the reason on stderr.\n";

/* FreeSWITCH is not in Debian: it is only expected once it is installed. */
static bool freeswitch_installed(void)
{
	return access("/usr/bin/freeswitch", X_OK) == 0 ||
	       access("/lib/systemd/system/freeswitch.service", F_OK) == 0 ||
	       access("/etc/systemd/system/freeswitch.service", F_OK) == 0;
}

static int units_active(char *why, size_t len)
{
	const char *envp[] = { "LC_ALL=C", NULL };
	const char *argv[] = { "/bin/systemctl", "is-active", "kamailio.service", "voip-admin.service",
			       NULL, NULL };
	char out[512];
	int r;

	if (freeswitch_installed())
		argv[4] = "freeswitch.service";
	r = run_as(argv, (uid_t)-1, (gid_t)-1, envp, out, sizeof(out));
	if (r == 0)
		return 0;
	/* One state per line, in argv order. */
	{
		char *save = NULL, *line = strtok_r(out, "\n", &save);
		int i = 2;

		while (line && argv[i] && strcmp(line, "active") == 0) {
			line = strtok_r(NULL, "\n", &save);
			i++;
		}
		snprintf(why, len, "%s is %s", argv[i] ? argv[i] : "a unit", line ? line : "not active");
	}
	return -1;
}

static int pg_healthy(bool need_primary, char *why, size_t len)
{
	char v[16], err[512];
	PGconn *c = pg_connect_local(VOIPHA_DB, 2);
	int r = -1;

	if (!c || PQstatus(c) != CONNECTION_OK) {
		snprintf(why, len, "PostgreSQL: %s", pg_errmsg(c));
		goto out;
	}
	if (pg_query_value(c, "SELECT pg_is_in_recovery()::text", NULL, v, sizeof(v), err, sizeof(err)) < 0) {
		snprintf(why, len, "PostgreSQL: %s", err);
		goto out;
	}
	if (!need_primary) {
		r = 0;
		goto out;
	}
	if (strcmp(v, "false") != 0) {
		snprintf(why, len, "PostgreSQL is in recovery (a standby)");
		goto out;
	}
	/* A real write: catches a read-only or stuck primary (disk full,
	 * default_transaction_read_only) that a SELECT would not. */
	if (pg_exec(c, "BEGIN; CREATE TEMPORARY TABLE voip_ha_check (t int) ON COMMIT DROP; "
		       "INSERT INTO voip_ha_check VALUES (1); COMMIT", err, sizeof(err)) < 0) {
		snprintf(why, len, "PostgreSQL does not accept a write: %s", err);
		goto out;
	}
	r = 0;
out:
	PQfinish(c);
	return r;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "services", no_argument, NULL, 's' },
		{ "wait", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool services = false, quiet = false;
	char why[700] = "";
	struct timespec now;
	long wait_s = 0, deadline;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "sw:qh", opts, NULL)) != -1) {
		switch (c) {
		case 's': services = true; break;
		case 'q': quiet = true; break;
		case 'w':
			errno = 0;
			wait_s = strtol(optarg, &end, 10);
			if (errno || *end || wait_s < 0 || wait_s > 3600) {
				cli_error("--wait: '%s' is not a number of seconds (0-3600)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': fputs(usage_text, stdout); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	/* Units are asked as the caller (root may talk to systemd); the
	 * database is asked as postgres. Drop root once, before the loop. */
	if (geteuid() == 0) {
		struct node_ctx pg;

		memset(&pg, 0, sizeof(pg));
		if (lookup_user(NULL, "postgres", &pg.pg_uid) < 0 ||
		    lookup_group(NULL, "postgres", &pg.pg_gid) < 0 || become_postgres(&pg) < 0) {
			cli_error("check: cannot switch to the postgres user");
			return EXIT_FAIL;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec + wait_s;
	for (;;) {
		if (units_active(why, sizeof(why)) == 0 && pg_healthy(!services, why, sizeof(why)) == 0)
			return EXIT_OK;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec >= deadline)
			break;
		sleep(1);
	}
	if (!quiet)
		cli_error("check: %s", why);
	return EXIT_FAIL;
}
