/* voip-ha generate: render every configuration file of a node from the
 * templates, all or nothing: validate, render everything in memory, and only
 * then write (atomically, skipping files that are already identical). */
#include "cli/args.h"
#include "cli/cli.h"
#include "lib/cluster-config.h"
#include "lib/derive.h"
#include "lib/generate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: voip-ha generate [--config FILE] [--templates DIR] [--root DIR]\n"
	"                        [--node node1|node2] [--out DIR] [--all]\n"
	"                        [--dry-run | --list]\n"
	"Render the configuration files of this node (or of --node) from the\n"
	"templates. --out DIR writes below DIR without changing owners; --all --out\n"
	"DIR writes DIR/node1, DIR/node2, DIR/DEPLOY.md and the repository host's\n"
	"DIR/backup-host/etc/pgbackrest/conf.d/voip-ha.conf. --dry-run lists what\n"
	"would change. --list writes nothing and prints each file as\n"
	"'PATH MODE OWNER:GROUP POLICY' (policy own, ucf or deploy), or for a\n"
	"FreeSWITCH file 'PATH MODE OWNER:GROUP freeswitch COPY MODE OWNER:GROUP'.\n";

struct gen_args {
	const char *config, *templates, *root, *out, *node;
	bool all, dry_run, list;
};

static int parse_args(int argc, char **argv, struct gen_args *a)
{
	const struct cli_opt opts[] = {
		{ "config", 'c', &a->config, NULL },
		{ "templates", 't', &a->templates, NULL },
		{ "root", 'r', &a->root, NULL },
		{ "node", 'n', &a->node, NULL },
		{ "out", 'o', &a->out, NULL },
		{ "all", 'a', NULL, &a->all },
		{ "dry-run", 'd', NULL, &a->dry_run },
		{ "list", 'l', NULL, &a->list },
		{ NULL, 0, NULL, NULL },
	};
	int r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0);

	if (r >= 0)
		return r;
	if (a->node && strcmp(a->node, "node1") && strcmp(a->node, "node2")) {
		cli_error("--node must be node1 or node2");
		return EXIT_USAGE;
	}
	if (a->all && (a->node || !a->out)) {
		cli_error("--all needs --out DIR and excludes --node");
		return EXIT_USAGE;
	}
	if (a->list && a->dry_run) {
		cli_error("--list and --dry-run exclude each other");
		return EXIT_USAGE;
	}
	if (a->out && a->root) {
		cli_error("--out and --root exclude each other");
		return EXIT_USAGE;
	}
	return -1;
}

static void report(const struct gen_plan *plan, int dry_run)
{
	static const char *const verbs[2][3] = {
		{ "", "updated", "created" },
		{ "", "would update", "would create" },
	};
	size_t i;

	for (i = 0; i < plan->count; i++)
		if (plan->files[i].change)
			printf("%s %s\n", verbs[dry_run][plan->files[i].change],
			       plan->files[i].path);
}

/* The plan as the postinst reads it (doc/DESIGN.md, "Template language"):
 * paths are plain (dest_ok), names validated: no quoting needed. */
static int list(const struct gen_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->count; i++) {
		const struct gen_file *f = &plan->files[i];

		printf("%s %04o %s:%s %s", f->path, (unsigned)f->mode, f->owner, f->group,
		       manifest_policy_name(f->policy));
		if (f->policy == POLICY_FREESWITCH)
			printf(" %s %04o %s:%s", f->copy_path, (unsigned)f->copy_mode,
			       f->copy_owner, f->copy_group);
		putchar('\n');
	}
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

int cmd_generate(int argc, char **argv)
{
	struct gen_args a = { DEFAULT_CONFIG, DEFAULT_TEMPLATES, NULL, NULL, NULL, 0, 0, 0 };
	struct errlist el = ERRLIST_INIT;
	struct cluster_config cfg;
	struct gen_request req;
	struct gen_plan plan = { NULL, 0 };
	bool fallback;
	int r, ret = EXIT_FAIL;

	r = parse_args(argc, argv, &a);
	if (r >= 0)
		return r;
	if (cli_load_config(a.config, &cfg) != 0)
		return EXIT_FAIL;
	memset(&req, 0, sizeof(req));
	req.cfg = &cfg;
	req.templates_dir = a.templates;
	req.root = a.root;
	req.out = a.out;
	req.all = a.all;
	req.set_owner = !a.out && geteuid() == 0;
	req.names_only = a.list;
	if (!a.all && cli_pick_node(a.node, &cfg, &req.node) != 0)
		goto out;
	detect_pg_major(&cfg, a.root, &req.pg_major, &fallback);
	if (fallback)
		cli_note("no PostgreSQL >= %d found in %s/usr/lib/postgresql; assuming %u",
			 PG_MAJOR_MIN, a.root ? a.root : "", req.pg_major);
	r = gen_plan_build(&req, &plan, &el);
	if (r == 0 && a.list) {
		ret = list(&plan);
		goto out;
	}
	if (r == 0)
		r = gen_plan_check(&plan, &el);
	if (r == -ENOMEM)
		cli_error("out of memory");
	if (r < 0) {
		cli_print_errors("generate", &el);
		cli_error("nothing was written");
		goto out;
	}
	if (!a.dry_run && gen_plan_apply(&plan, &el) < 0) {
		cli_print_errors("generate", &el);
		goto out;
	}
	report(&plan, a.dry_run);
	ret = EXIT_OK;
out:
	gen_plan_free(&plan);
	errlist_free(&el);
	cluster_config_free(&cfg);
	return ret;
}
