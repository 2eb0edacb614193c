/* voip-ha: dispatch to one subcommand, taken from the table in commands.def. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned flags;
	const char *summary;
};

static const struct command commands[] = {
#define COMMAND(name, fn, flags, summary) { name, fn, flags, summary },
#include "cli/commands.def"
#undef COMMAND
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: voip-ha <command> [options]\n"
		   "       voip-ha <command> --help\n\n"
		   "Configure and operate a two-node voip-ha cluster.\n\n"
		   "Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSee voip-ha(8) and cluster.conf(5).\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if ((commands[i].flags & NEEDS_ROOT) && geteuid() != 0) {
			cli_error("'%s' must be run as root", commands[i].name);
			return EXIT_FAIL;
		}
		/* The subcommand sees itself as argv[0], as getopt expects. */
		return commands[i].fn(argc - 1, argv + 1);
	}
	cli_error("'%s' is not a voip-ha command; see 'voip-ha --help'", argv[1]);
	return EXIT_USAGE;
}
