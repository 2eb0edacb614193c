/* Subcommand option parsing: see args.h. */
#include "cli/args.h"
#include "cli/cli.h"
#include "lib/validators.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define MAX_OPTS 16

int cli_parse_args(int argc, char **argv, const char *usage, const struct cli_opt *opts,
		   const char **positional, int max_positional)
{
	struct option longopts[MAX_OPTS + 2];
	char shortopts[3 * MAX_OPTS + 4] = "h";
	size_t n = 0, sl = 1;
	int c, i;

	for (; opts[n].name; n++) {
		if (n == MAX_OPTS) {
			cli_error("internal error: more than %d options", MAX_OPTS);
			return EXIT_FAIL;
		}
		longopts[n] =
			(struct option){ opts[n].name,
					 opts[n].value ? required_argument : no_argument, NULL,
					 opts[n].letter ? opts[n].letter : 256 + (int)n };
		if (opts[n].letter) {
			shortopts[sl++] = opts[n].letter;
			if (opts[n].value)
				shortopts[sl++] = ':';
		}
	}
	shortopts[sl] = '\0';
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	while ((c = getopt_long(argc, argv, shortopts, longopts, &i)) != -1) {
		const struct cli_opt *o = NULL;
		size_t k;

		if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_OK;
		}
		for (k = 0; k < n && !o; k++)
			if (c == (opts[k].letter ? opts[k].letter : 256 + (int)k))
				o = &opts[k];
		if (!o) {
			/* getopt said which option is wrong */
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		if (o->value)
			*o->value = optarg;
		else
			*o->flag = true;
	}
	for (i = 0; optind < argc; i++, optind++) {
		if (i >= max_positional) {
			cli_error("unexpected argument '%s'", argv[optind]);
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		positional[i] = argv[optind];
	}
	return -1;
}

int cli_number_arg(const char *name, const char *text, unsigned long long min,
		   unsigned long long max, const char *what, unsigned long long *ret)
{
	if (ullong_parse(text, min, max, ret) == 0)
		return -1;
	cli_error("--%s: '%s' is not %s (%llu-%llu)", name, text, what, min, max);
	return EXIT_USAGE;
}
