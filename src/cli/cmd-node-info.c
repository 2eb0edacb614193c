/* voip-ha node-info: the non-secret facts about this node, one key=value a
 * line, for the postinst hooks (which must not parse cluster.conf, a file
 * holding secrets, themselves). Every value is an address, a number, a fixed
 * word or a validated path: no quoting is ever needed. */
#include "cli/args.h"
#include "engine/node-ctx.h"
#include "cli/cli.h"

#include <stdio.h>

static const char usage_text[] =
	"usage: voip-ha node-info [--config FILE]\n"
	"Print local_node, peer_node, local_address, peer_address, virtual_address,\n"
	"pg_major, pg_instance, pg_datadir, recordings_dir and backup as key=value lines.\n";

int cmd_node_info(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	struct node_ctx ctx;
	int r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	printf("local_node=%s\npeer_node=%s\nlocal_address=%s\npeer_address=%s\n"
	       "virtual_address=%s\nprefix_length=%u\npg_major=%u\npg_instance=%s\npg_datadir=%s\n"
	       "recordings_dir=%s\nbackup=%s\n",
	       ctx.local_name, ctx.peer_name, ctx.local_addr, ctx.peer_addr, ctx.vip,
	       ctx.cfg.prefix, ctx.pg_major, ctx.instance, ctx.datadir, ctx.cfg.recordings_dir,
	       ctx.cfg.backup);
	node_ctx_free(&ctx);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
