/* One command-line parser for every subcommand: each declares its options
 * in a table; --help, bad options and stray arguments are handled here the
 * same way everywhere. */
#ifndef VOIPHA_CLI_ARGS_H
#define VOIPHA_CLI_ARGS_H

#include <stdbool.h>

struct cli_opt {
	const char *name;   /* long name, without "--"; NULL ends the table */
	char letter;        /* short option, 0 for none */
	const char **value; /* an option with an argument stores it here */
	bool *flag;         /* an option without one sets this */
};

/* Parses argv[1..] against opts plus --help/-h. Up to max_positional
 * arguments go to positional[] (untouched when absent). Returns -1 to go
 * on, or the exit status to return: EXIT_OK after --help (usage on stdout),
 * EXIT_USAGE for an unknown option, a missing option argument or an
 * unexpected argument (said on stderr, with the usage). */
int cli_parse_args(int argc, char **argv, const char *usage, const struct cli_opt *opts,
		   const char **positional, int max_positional);

/* An option's number: decimal in [min, max]. Returns -1 to go on, or
 * EXIT_USAGE after saying "--NAME: 'TEXT' is not WHAT" on stderr. */
int cli_number_arg(const char *name, const char *text, unsigned long long min,
		   unsigned long long max, const char *what, unsigned long long *ret);

#endif
