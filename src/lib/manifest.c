/* MANIFEST parser (see manifest.h). */
#include "lib/manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 8

/* A relative path without "..", "." or empty components. */
static int safe_relative(const char *p)
{
	const char *seg = p;

	if (!*p || *p == '/')
		return 0;
	for (;;) {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);

		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && !strncmp(seg, "..", 2)))
			return 0;
		if (!slash)
			return 1;
		seg = slash + 1;
	}
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n &&
	       s[0] != '-';
}

int manifest_mode(const char *s, mode_t *ret, const char **why)
{
	char *end;
	unsigned long v;

	*why = "must be octal like 0640";
	if (strlen(s) < 3 || strlen(s) > 4 || strspn(s, "01234567") != strlen(s))
		return -EINVAL;
	v = strtoul(s, &end, 8);
	if (*end || v > 07777)
		return -EINVAL;
	*why = "must not be group- or world-writable or set-id";
	if (v & 07022)
		return -EINVAL;
	*ret = (mode_t)v;
	return 0;
}

int manifest_owner(const char *s, const char **colon)
{
	const char *c = strchr(s, ':');
	char user[34];

	if (!c || (size_t)(c - s) >= sizeof(user))
		return -EINVAL;
	memcpy(user, s, (size_t)(c - s));
	user[c - s] = '\0';
	if (!valid_name(user) || !valid_name(c + 1))
		return -EINVAL;
	*colon = c;
	return 0;
}

static const char *const policy_names[] = {
	[POLICY_OWN] = "own",
	[POLICY_UCF] = "ucf",
	[POLICY_FREESWITCH] = "freeswitch",
	[POLICY_DEPLOY] = "deploy",
};

const char *manifest_policy_name(enum manifest_policy p)
{
	return policy_names[p];
}

static int policy_parse(const char *s, enum manifest_policy *ret)
{
	size_t i;

	for (i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
		if (strcmp(s, policy_names[i]) == 0) {
			*ret = (enum manifest_policy)i;
			return 0;
		}
	return -EINVAL;
}

/* Mode and owner:group fields; each problem reported against `what`. */
static void mode_owner(const char *path, unsigned lineno, const char *what, char *mode_s,
		       char *owner_s, mode_t *mode, char **group, struct errlist *el)
{
	const char *why, *colon;

	if (manifest_mode(mode_s, mode, &why) < 0)
		errlist_add(el, "%s:%u: %s '%s' %s", path, lineno, what, mode_s, why);
	if (manifest_owner(owner_s, &colon) < 0) {
		errlist_add(el, "%s:%u: owner '%s' must be user:group", path, lineno, owner_s);
		return;
	}
	*group = owner_s + (colon - owner_s) + 1;
	owner_s[colon - owner_s] = '\0';
}

static void entry_free(struct manifest_entry *e)
{
	free(e->template);
	free(e->destination);
	free(e->owner);
	free(e->group);
	free(e->copy_owner);
	free(e->copy_group);
}

void manifest_free(struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->count; i++)
		entry_free(&m->entries[i]);
	free(m->entries);
	m->entries = NULL;
	m->count = 0;
}

static int parse_entry(const char *path, unsigned lineno, char **f, size_t nf, struct manifest *out,
		       struct errlist *el)
{
	struct manifest_entry e = { 0 };
	struct manifest_entry *p;
	char *group = NULL, *copy_group = NULL;
	size_t before = el->count;

	if (nf < 5 || nf > 7) {
		errlist_add(el,
			    "%s:%u: expected 'template destination mode owner:group "
			    "policy' (policy own, ucf, deploy, or freeswitch MODE OWNER:GROUP)",
			    path, lineno);
		return -EINVAL;
	}
	if (!safe_relative(f[0]))
		errlist_add(el, "%s:%u: template '%s' must be a relative path without '..'", path,
			    lineno, f[0]);
	if (f[1][0] != '/' || strstr(f[1], "/../") || strstr(f[1], "/./"))
		errlist_add(el,
			    "%s:%u: destination '%s' must be an absolute path without "
			    "'..' or '.'",
			    path, lineno, f[1]);
	mode_owner(path, lineno, "mode", f[2], f[3], &e.mode, &group, el);
	if (policy_parse(f[4], &e.policy) < 0) {
		errlist_add(el, "%s:%u: policy '%s' must be own, ucf, freeswitch or deploy", path,
			    lineno, f[4]);
	} else if (e.policy == POLICY_FREESWITCH) {
		if (nf != 7)
			errlist_add(el,
				    "%s:%u: policy freeswitch needs the mode and owner:group "
				    "of the copy in " FS_CONF_DIR " after it",
				    path, lineno);
		else
			mode_owner(path, lineno, "copy mode", f[5], f[6], &e.copy_mode, &copy_group,
				   el);
		if (strncmp(f[1], FS_STAGE_DIR, strlen(FS_STAGE_DIR)) ||
		    !f[1][strlen(FS_STAGE_DIR)])
			errlist_add(
				el,
				"%s:%u: a freeswitch destination must be a file below " FS_STAGE_DIR,
				path, lineno);
	} else if (nf != 5) {
		errlist_add(el,
			    "%s:%u: unexpected '%s' after policy %s (only freeswitch "
			    "takes a copy mode and owner)",
			    path, lineno, f[5], f[4]);
	}
	if (el->count != before)
		return -EINVAL;

	e.template = strdup(f[0]);
	e.destination = strdup(f[1]);
	e.owner = strdup(f[3]);
	e.group = strdup(group);
	if (copy_group) {
		e.copy_owner = strdup(f[6]);
		e.copy_group = strdup(copy_group);
	}
	e.line = lineno;
	p = realloc(out->entries, (out->count + 1) * sizeof(*p));
	if (p)
		out->entries = p;
	if (!p || !e.template || !e.destination || !e.owner || !e.group ||
	    (copy_group && (!e.copy_owner || !e.copy_group))) {
		entry_free(&e);
		return -ENOMEM;
	}
	out->entries[out->count++] = e;
	return 0;
}

int manifest_parse(const char *path, const char *data, size_t len, struct manifest *out,
		   struct errlist *el)
{
	struct manifest m = { NULL, 0 };
	const char *p = data, *end = data + len;
	unsigned lineno = 0;
	int failed = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = strndup(p, n), *save = NULL, *f[MAX_FIELDS + 1], *tok;
		size_t nf = 0;
		int r;

		p += n + (nl ? 1 : 0);
		lineno++;
		if (!line) {
			manifest_free(&m);
			return -ENOMEM;
		}
		for (tok = strtok_r(line, " \t\r", &save); tok && nf <= MAX_FIELDS;
		     tok = strtok_r(NULL, " \t\r", &save))
			f[nf++] = tok;
		if (nf == 0 || f[0][0] == '#') {
			free(line);
			continue;
		}
		r = parse_entry(path, lineno, f, nf, &m, el);
		free(line);
		if (r == -ENOMEM) {
			manifest_free(&m);
			return r;
		}
		if (r < 0)
			failed = 1;
	}
	if (failed) {
		manifest_free(&m);
		return -EINVAL;
	}
	*out = m;
	return 0;
}
