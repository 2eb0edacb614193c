/* voip-ha validate: check a cluster.conf, list every error, exit 1 if any. */
#include "cli/cli.h"
#include "lib/cluster-config.h"

#include <getopt.h>
#include <stdio.h>

static const char usage_text[] =
	"usage: voip-ha validate [--config FILE | FILE]\n"
	"Check a cluster.conf (default " DEFAULT_CONFIG ") and list every error.\n";

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_CONFIG;
	struct cluster_config cfg;
	int c;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (cli_load_config(path, &cfg) != 0)
		return EXIT_FAIL;
	cluster_config_free(&cfg);
	return EXIT_OK;
}
