/* templates/MANIFEST: which template renders to which file, with what mode,
 * owner and install policy (format in doc/DESIGN.md, "Template language").
 * The one reader of that file: the postinst's shell takes the rendered rows
 * from `voip-ha generate --list`. */
#ifndef VOIPHA_MANIFEST_H
#define VOIPHA_MANIFEST_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/errlist.h"

enum manifest_policy {
	POLICY_OWN,        /* wholly ours: replaced atomically */
	POLICY_UCF,        /* shared with the administrator through ucf */
	POLICY_FREESWITCH, /* ours, staged; copied into /etc/freeswitch by hook 50 */
	POLICY_DEPLOY,     /* rendered once, only for --all (e.g. DEPLOY.md) */
};

/* A `freeswitch` row's destination lies below FS_STAGE_DIR; hook 50 copies
 * it to the same relative path below FS_CONF_DIR. */
#define FS_STAGE_DIR "/etc/voip-ha/freeswitch/"
#define FS_CONF_DIR "/etc/freeswitch/"

struct manifest_entry {
	char *template;    /* relative to the templates dir */
	char *destination; /* unrendered: may hold {{...}} */
	mode_t mode;
	char *owner, *group;
	enum manifest_policy policy;
	/* POLICY_FREESWITCH only: mode and owner of the copy in FS_CONF_DIR. */
	mode_t copy_mode;
	char *copy_owner, *copy_group;
	unsigned line;
};

struct manifest {
	struct manifest_entry *entries;
	size_t count;
};

/* Parses MANIFEST text; `path` names it in messages ("<path>:<line>: ...").
 * Every malformed line is reported. Returns 0, -EINVAL or -ENOMEM. */
int manifest_parse(const char *path, const char *data, size_t len, struct manifest *out,
		   struct errlist *el);
void manifest_free(struct manifest *m);

/* The policy's name in the MANIFEST and in `generate --list`. */
const char *manifest_policy_name(enum manifest_policy p);

/* A file mode as the MANIFEST writes it: 3 or 4 octal digits, neither
 * group- nor world-writable, no set-id or sticky bit. Returns 0 or -EINVAL
 * with the reason in *why. */
int manifest_mode(const char *s, mode_t *ret, const char **why);
/* "user:group" with both names in [a-z0-9_-] (1..32, not starting with
 * '-'). Returns 0 with *colon pointing at the ':' (the caller may cut
 * there), or -EINVAL. */
int manifest_owner(const char *s, const char **colon);

#endif
