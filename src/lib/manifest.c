/* MANIFEST parser (see manifest.h). */
#include "lib/manifest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 6

void manifest_free(struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->count; i++) {
		free(m->entries[i].template);
		free(m->entries[i].destination);
		free(m->entries[i].owner);
		free(m->entries[i].group);
	}
	free(m->entries);
	m->entries = NULL;
	m->count = 0;
}

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

	return n > 0 && n <= 32 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n && s[0] != '-';
}

static int parse_mode(const char *s, mode_t *ret)
{
	char *end;
	unsigned long v;

	if (strlen(s) < 3 || strlen(s) > 4 || strspn(s, "01234567") != strlen(s))
		return -EINVAL;
	v = strtoul(s, &end, 8);
	if (*end || v > 07777)
		return -EINVAL;
	*ret = (mode_t)v;
	return 0;
}

static int parse_entry(const char *path, unsigned lineno, char **f, size_t nf,
		       struct manifest *out, struct errlist *el)
{
	struct manifest_entry e = { 0 };
	struct manifest_entry *p;
	char *colon;
	size_t before = el->count;

	if (nf < 4 || nf > 5) {
		errlist_add(el, "%s:%u: expected 'template destination mode owner:group "
			    "[node|deploy]'", path, lineno);
		return -EINVAL;
	}
	if (!safe_relative(f[0]))
		errlist_add(el, "%s:%u: template '%s' must be a relative path without '..'",
			    path, lineno, f[0]);
	if (f[1][0] != '/' || strstr(f[1], "/../") || strstr(f[1], "/./"))
		errlist_add(el, "%s:%u: destination '%s' must be an absolute path without "
			    "'..' or '.'", path, lineno, f[1]);
	if (parse_mode(f[2], &e.mode) < 0)
		errlist_add(el, "%s:%u: mode '%s' must be octal like 0640", path, lineno, f[2]);
	else if (e.mode & 07022)
		errlist_add(el, "%s:%u: mode '%s' must not be group- or world-writable "
			    "or set-id",
			    path, lineno, f[2]);
	colon = strchr(f[3], ':');
	if (!colon || (*colon = '\0', !valid_name(f[3])) || !valid_name(colon + 1))
		errlist_add(el, "%s:%u: owner '%s' must be user:group", path, lineno, f[3]);
	if (nf == 5 && strcmp(f[4], "node") == 0)
		e.scope = SCOPE_NODE;
	else if (nf == 5 && strcmp(f[4], "deploy") == 0)
		e.scope = SCOPE_DEPLOY;
	else if (nf == 5)
		errlist_add(el, "%s:%u: scope '%s' must be node or deploy", path, lineno, f[4]);
	if (el->count != before)
		return -EINVAL;

	e.template = strdup(f[0]);
	e.destination = strdup(f[1]);
	e.owner = strdup(f[3]);
	e.group = strdup(colon + 1);
	e.line = lineno;
	p = realloc(out->entries, (out->count + 1) * sizeof(*p));
	if (!p || !e.template || !e.destination || !e.owner || !e.group) {
		if (p)
			out->entries = p;
		free(e.template);
		free(e.destination);
		free(e.owner);
		free(e.group);
		return -ENOMEM;
	}
	out->entries = p;
	out->entries[out->count++] = e;
	return 0;
}

int manifest_parse(const char *path, const char *data, size_t len,
		   struct manifest *out, struct errlist *el)
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
