/* The generator's core: turn a validated cluster config and a templates
 * directory into a plan (every output file rendered in memory, with its
 * final path, mode and owner), then apply the plan. Building the plan writes
 * nothing, so a caller that stops on any error changes nothing. */
#ifndef VOIPHA_GENERATE_H
#define VOIPHA_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/cluster-config.h"
#include "lib/errlist.h"
#include "lib/manifest.h"

struct gen_request {
	const struct cluster_config *cfg; /* validated */
	const char *templates_dir;
	const char *root;       /* sysroot prefix; NULL or "" for / */
	const char *out;        /* staging dir: owners unchanged; NULL = real paths */
	bool all;               /* node1/, node2/ and deploy files (needs out) */
	enum cluster_node node; /* the node to render when !all */
	unsigned pg_major;
	bool set_owner;  /* chown to the MANIFEST's owner (root, no out) */
	bool names_only; /* for a listing: owners not looked up (except a
				 * freeswitch copy's, see gen_file.copy_*) */
};

struct gen_file {
	char *path;
	char *data;
	size_t len;
	mode_t mode;
	uid_t uid; /* (uid_t)-1: leave as created */
	gid_t gid;
	int change; /* after gen_plan_check: 0 same, 1 update, 2 create */
	enum manifest_policy policy;
	char *owner, *group; /* names, as the MANIFEST gives them */
	/* POLICY_FREESWITCH: where hook 50 copies the file, with what mode and
	 * owner. The MANIFEST's copy owner when that user and group exist
	 * (looked up unless under --out), else the staged mode and owner. */
	char *copy_path;
	mode_t copy_mode;
	char *copy_owner, *copy_group;
};

struct gen_plan {
	struct gen_file *files;
	size_t count;
};

/* Renders everything. Returns 0, or -EINVAL with every problem in el
 * (template errors, unknown users/groups, bad destinations), or -ENOMEM. */
int gen_plan_build(const struct gen_request *req, struct gen_plan *plan, struct errlist *el);
/* Compares each file with what is on disk (sets `change`). */
int gen_plan_check(struct gen_plan *plan, struct errlist *el);
/* Writes the files whose `change` is set, creating parent directories. */
int gen_plan_apply(struct gen_plan *plan, struct errlist *el);
void gen_plan_free(struct gen_plan *plan);

#endif
