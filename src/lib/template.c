/* Template renderer (see template.h). */
#include "lib/template.h"
#include "lib/escape.h"

#include <errno.h>
#include <string.h>

#define NAME_MAX_LEN 64

static bool is_name_char(char c, bool allow_digit_underscore)
{
	return (c >= 'a' && c <= 'z') ||
	       (allow_digit_underscore && ((c >= '0' && c <= '9') || c == '_'));
}

/* Parses "esc:name}}" at p (just after "{{"), within end. Stores both names
 * and returns the length consumed, or 0 when malformed. */
static size_t parse_subst(const char *p, const char *end, char *esc, char *name)
{
	const char *s = p;
	size_t n = 0;

	while (s < end && is_name_char(*s, false) && n < NAME_MAX_LEN)
		esc[n++] = *s++;
	esc[n] = '\0';
	if (n == 0 || s >= end || *s != ':')
		return 0;
	s++;
	n = 0;
	while (s < end && is_name_char(*s, true) && n < NAME_MAX_LEN)
		name[n++] = *s++;
	name[n] = '\0';
	if (n == 0 || end - s < 2 || s[0] != '}' || s[1] != '}')
		return 0;
	return (size_t)(s + 2 - p);
}

static int substitute(const char *path, unsigned line, const char *esc_name, const char *var_name,
		      const struct vars *vars, struct strbuf *out, struct errlist *el)
{
	const struct escaper *esc = escaper_find(esc_name);
	const struct var *var = vars_find(vars, var_name);
	const char *why = NULL;
	int r;

	if (!esc) {
		errlist_add(el, "%s:%u: unknown escaper '%s'", path, line, esc_name);
		return -EINVAL;
	}
	if (!var) {
		errlist_add(el, "%s:%u: unknown variable '%s'", path, line, var_name);
		return -EINVAL;
	}
	if (var->secret && !esc->secret_ok) {
		errlist_add(el, "%s:%u: variable '%s' is a secret and cannot use the '%s' escaper",
			    path, line, var_name, esc_name);
		return -EINVAL;
	}
	r = esc->fn(out, var->value, &why);
	if (r == -EINVAL)
		errlist_add(el,
			    "%s:%u: the value of '%s' cannot be written with the '%s' escaper: "
			    "it %s",
			    path, line, var_name, esc_name, why ? why : "is not allowed");
	return r;
}

int template_render(const char *path, const char *text, size_t len, const struct vars *vars,
		    struct strbuf *out, struct errlist *el)
{
	const char *p = text, *end = text + len;
	unsigned line = 1;
	int failed = 0, r;

	while (p < end) {
		const char *open = NULL, *q;
		char esc[NAME_MAX_LEN + 1], name[NAME_MAX_LEN + 1];
		size_t used;

		for (q = p; q + 1 < end; q++)
			if (q[0] == '{' && q[1] == '{') {
				open = q;
				break;
			}
		if (!open) {
			r = sb_add(out, p, (size_t)(end - p));
			if (r < 0)
				return r;
			break;
		}
		r = sb_add(out, p, (size_t)(open - p));
		if (r < 0)
			return r;
		for (q = p; q < open; q++)
			line += *q == '\n';
		used = parse_subst(open + 2, end, esc, name);
		if (used == 0) {
			errlist_add(el,
				    "%s:%u: malformed substitution (expected "
				    "{{escaper:variable}})",
				    path, line);
			failed = 1;
			p = open + 2;
			continue;
		}
		r = substitute(path, line, esc, name, vars, out, el);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			failed = 1;
		p = open + 2 + used;
	}
	return failed || el->oom ? -EINVAL : 0;
}
