/* Template variable table (see vars.h). Linear search: a few dozen names. */
#include "lib/vars.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

const struct var *vars_find(const struct vars *vs, const char *name)
{
	size_t i;

	for (i = 0; i < vs->count; i++)
		if (strcmp(vs->v[i].name, name) == 0)
			return &vs->v[i];
	return NULL;
}

int vars_set(struct vars *vs, const char *name, const char *value, bool secret)
{
	struct var *v = (struct var *)vars_find(vs, name);
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	if (!v) {
		struct var *p = realloc(vs->v, (vs->count + 1) * sizeof(*p));
		char *n = strdup(name);

		if (!p || !n) {
			if (p)
				vs->v = p;
			free(n);
			wipe_free(copy);
			return -ENOMEM;
		}
		vs->v = p;
		v = &vs->v[vs->count++];
		v->name = n;
		v->value = NULL;
	}
	wipe_free(v->value);
	v->value = copy;
	v->secret = secret;
	return 0;
}

void vars_free(struct vars *vs)
{
	size_t i;

	for (i = 0; i < vs->count; i++) {
		free(vs->v[i].name);
		wipe_free(vs->v[i].value);
	}
	free(vs->v);
	vs->v = NULL;
	vs->count = 0;
}
