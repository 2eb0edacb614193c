/* voip-ha fence [--config FILE]: apply the fencing rule as if this node had
 * just given up the VIP (failover.h, should_fence): when its PostgreSQL is
 * a primary and someone can take over (the peer's standby, a primary peer,
 * or this node is cut off), stop it, leave the fence marker and start
 * voip-ha-rebuild.service. keepalived's ExecStopPost runs it, so a
 * keepalived that is stopped, crashes or is killed never leaves a writable
 * primary behind the VIP it no longer holds. Exit 0 whether or not fencing
 * was needed; 1 when it was needed and failed.
 *
 * --monitor-exit: voip-ha-monitor.service's ExecStopPost. When the monitor
 * ended abnormally (systemd's $SERVICE_RESULT is not "success": it crashed,
 * or its watchdog killed it) and an arbiter is configured, nobody renews
 * this node's leadership any more: rule_fence_monitor_gone decides, and a
 * fence stops PostgreSQL at once, before the lease can run out. */
#include "cli/args.h"
#include "engine/node-ctx.h"
#include "cli/cli.h"
#include "engine/failover.h"
#include "engine/lease-keeper.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static const char usage_text[] =
	"usage: voip-ha fence [--config FILE] [--monitor-exit]\n"
	"Stop this node's PostgreSQL primary when it no longer holds the VIP and the peer\n"
	"can take over; voip-ha-rebuild.service then rejoins it as a standby.\n"
	"--monitor-exit: the failover monitor ended (its unit's ExecStopPost): fence when it\n"
	"ended abnormally while the arbiter's leadership depended on it.\n";

int cmd_fence(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	const char *result = getenv("SERVICE_RESULT");
	struct node_ctx ctx;
	bool monitor_exit = false, needed;
	char why[512];
	int r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ "monitor-exit", 'm', NULL, &monitor_exit },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	/* A monitor stopped on purpose (systemctl stop or restart, an
	 * upgrade) is not a monitor gone. */
	if (monitor_exit && (!result || strcmp(result, "success") == 0)) {
		cli_note("fence: the monitor stopped cleanly: nothing to do");
		return EXIT_OK;
	}
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	openlog("voip-ha-fence", LOG_PID, LOG_DAEMON);
	if (monitor_exit) {
		syslog(LOG_WARNING, "the failover monitor ended abnormally (%s)", result);
		needed = should_fence_monitor_gone(&ctx, why, sizeof(why));
	} else {
		needed = should_fence(&ctx, true, why, sizeof(why));
	}
	if (!needed) {
		cli_note("fence: not needed: %s", why);
		r = EXIT_OK;
	} else if (monitor_exit) {
		cli_note("fence: the monitor is gone and %s: stopping the local PostgreSQL now",
			 why);
		/* The VIP first, as the lease keeper does (keepalived acts on
		 * its track file at once). */
		if ((r = vrrp_hold(true)) < 0)
			cli_error("fence: cannot write %s: %s", VRRP_HOLD_FILE, strerror(-r));
		r = fence_local_now(&ctx, why) == 0 ? EXIT_OK : EXIT_FAIL;
		if (r != EXIT_OK)
			cli_error("fence: stopping the local PostgreSQL failed");
	} else {
		cli_note("fence: %s: stopping the local PostgreSQL", why);
		r = fence_local(&ctx, why) == 0 ? EXIT_OK : EXIT_FAIL;
		if (r != EXIT_OK)
			cli_error("fence: stopping the local PostgreSQL failed");
	}
	node_ctx_free(&ctx);
	return r;
}
