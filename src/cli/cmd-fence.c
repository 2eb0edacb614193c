/* voip-ha fence [--config FILE]: apply the fencing rule as if this node had
 * just given up the VIP (failover.h, should_fence): when its PostgreSQL is
 * a primary and someone can take over (the peer's standby, a primary peer,
 * or this node is cut off), stop it, leave the fence marker and start
 * voip-ha-rebuild.service. keepalived's ExecStopPost runs it, so a
 * keepalived that is stopped, crashes or is killed never leaves a writable
 * primary behind the VIP it no longer holds. Exit 0 whether or not fencing
 * was needed; 1 when it was needed and failed. */
#include "cli/args.h"
#include "engine/node-ctx.h"
#include "cli/cli.h"
#include "engine/failover.h"

#include <stdio.h>
#include <syslog.h>

static const char usage_text[] =
	"usage: voip-ha fence [--config FILE]\n"
	"Stop this node's PostgreSQL primary when it no longer holds the VIP and the peer\n"
	"can take over; voip-ha-rebuild.service then rejoins it as a standby.\n";

int cmd_fence(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	struct node_ctx ctx;
	char why[512];
	int r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	openlog("voip-ha-fence", LOG_PID, LOG_DAEMON);
	if (!should_fence(&ctx, true, why, sizeof(why))) {
		cli_note("fence: not needed: %s", why);
		r = EXIT_OK;
	} else {
		cli_note("fence: %s: stopping the local PostgreSQL", why);
		r = fence_local(&ctx, why) == 0 ? EXIT_OK : EXIT_FAIL;
		if (r != EXIT_OK)
			cli_error("fence: stopping the local PostgreSQL failed");
	}
	node_ctx_free(&ctx);
	return r;
}
