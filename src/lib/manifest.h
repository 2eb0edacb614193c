/* templates/MANIFEST: which template renders to which file, with what mode,
 * owner and scope (format in doc/DESIGN.md, "Template language"). */
#ifndef VOIPHA_MANIFEST_H
#define VOIPHA_MANIFEST_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/errlist.h"

enum manifest_scope {
	SCOPE_NODE,     /* rendered per node */
	SCOPE_DEPLOY,   /* rendered once, only for --all (e.g. DEPLOY.md) */
};

struct manifest_entry {
	char *template;         /* relative to the templates dir */
	char *destination;      /* unrendered: may hold {{...}} */
	mode_t mode;
	char *owner, *group;
	enum manifest_scope scope;
	unsigned line;
};

struct manifest {
	struct manifest_entry *entries;
	size_t count;
};

/* Parses MANIFEST text; `path` names it in messages ("<path>:<line>: ...").
 * Every malformed line is reported. Returns 0, -EINVAL or -ENOMEM. */
int manifest_parse(const char *path, const char *data, size_t len,
		   struct manifest *out, struct errlist *el);
void manifest_free(struct manifest *m);

#endif
