/* Error reporting and config loading shared by the subcommands. */
#include "cli/cli.h"
#include "lib/cluster-config.h"
#include "lib/detect.h"
#include "lib/errlist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("voip-ha: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_note(const char *fmt, ...)
{
	va_list ap;

	fputs("voip-ha: note: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_print_errors(const char *what, const struct errlist *el)
{
	size_t i;

	for (i = 0; i < el->count; i++)
		cli_error("%s: %s", what, el->msgs[i]);
	if (el->oom)
		cli_error("%s: out of memory (the list above is incomplete)", what);
}

int cli_load_config(const char *path, struct cluster_config *cfg)
{
	struct errlist el = ERRLIST_INIT;
	struct kv_error kerr;
	int r;

	r = cluster_config_load(path, cfg, &kerr);
	if (r == -EINVAL && kerr.line > 0) {
		cli_error("%s:%u: %s", path, kerr.line, kerr.msg);
		return EXIT_FAIL;
	}
	if (r == -EINVAL && kerr.msg[0]) {
		cli_error("cannot read '%s': %s", path, kerr.msg);
		return EXIT_FAIL;
	}
	if (r < 0) {
		cli_error("cannot read '%s': %s", path, strerror(-r));
		return EXIT_FAIL;
	}
	r = cluster_config_validate(cfg, &el);
	if (r < 0) {
		cli_print_errors(path, &el);
		errlist_free(&el);
		cluster_config_free(cfg);
		return EXIT_FAIL;
	}
	return 0;
}

int cli_pick_node(const char *name, const struct cluster_config *cfg, enum cluster_node *node)
{
	int r;

	if (name) {
		*node = strcmp(name, "node1") == 0 ? NODE_1 : NODE_2;
		return 0;
	}
	r = detect_local_node(cfg, node);
	if (r == -ENXIO)
		cli_error("cannot tell which node this machine is: none of its addresses is "
			  "node1_address or node2_address (set this_node or use --node)");
	else if (r == -EEXIST)
		cli_error("this machine has both node1_address and node2_address (set this_node)");
	else if (r < 0)
		cli_error("cannot list this machine's addresses: %s", strerror(-r));
	return r < 0 ? EXIT_FAIL : 0;
}
