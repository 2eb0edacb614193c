/* Shared declarations of the voip-ha CLI: one cmd_<name>() per subcommand
 * (declared from commands.def) and the error-reporting helpers. */
#ifndef VOIPHA_CLI_H
#define VOIPHA_CLI_H

#include "lib/cluster-config.h"

#define NEEDS_ROOT 0x1

/* Exit codes (documented in voip-ha(8)). */
#define EXIT_OK 0
#define EXIT_FAIL 1  /* the command ran and found errors */
#define EXIT_USAGE 2 /* bad command line */

#define DEFAULT_CONFIG "/etc/voip-ha/cluster.conf"
#define DEFAULT_TEMPLATES "/usr/share/voip-ha/templates"

#define COMMAND(name, fn, flags, summary) int fn(int argc, char **argv);
#include "cli/commands.def"
#undef COMMAND

/* "voip-ha: <message>" on stderr, git style: lower case, no final period. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, prefixed "note: " (informational, not a failure). */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct cluster_config;
struct errlist;
/* Loads and validates a cluster.conf, reporting every problem once.
 * Returns 0 or EXIT_FAIL. */
int cli_load_config(const char *path, struct cluster_config *cfg);
/* The node this machine is: `name` (node1 or node2, checked by the caller)
 * when given, else found from this machine's addresses (said on stderr when
 * it cannot be). Returns 0 or EXIT_FAIL. */
int cli_pick_node(const char *name, const struct cluster_config *cfg, enum cluster_node *node);
/* Prints each message of el as "voip-ha: <what>: <message>". */
void cli_print_errors(const char *what, const struct errlist *el);

#endif
