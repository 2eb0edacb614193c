/* voip-ha validate: check a cluster.conf, list every error, exit 1 if any. */
#include "cli/args.h"
#include "cli/cli.h"
#include "lib/cluster-config.h"

#include <stdio.h>

static const char usage_text[] =
	"usage: voip-ha validate [--config FILE | FILE]\n"
	"Check a cluster.conf (default " DEFAULT_CONFIG ") and list every error.\n";

int cmd_validate(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	struct cluster_config cfg;
	int r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &path, NULL },
		{ NULL, 0, NULL, NULL },
	};

	/* The file may also be given as the one argument. */
	if ((r = cli_parse_args(argc, argv, usage_text, opts, &path, 1)) >= 0)
		return r;
	if (cli_load_config(path, &cfg) != 0)
		return EXIT_FAIL;
	cluster_config_free(&cfg);
	return EXIT_OK;
}
