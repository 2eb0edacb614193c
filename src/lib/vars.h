/* Template variables: name -> value, with a secret flag so the renderer can
 * refuse to substitute a secret unescaped. Values are owned and wiped. */
#ifndef VOIPHA_VARS_H
#define VOIPHA_VARS_H

#include <stdbool.h>
#include <stddef.h>

struct var {
	char *name;
	char *value;
	bool secret;
};

struct vars {
	struct var *v;
	size_t count;
};

#define VARS_INIT       \
	{               \
		NULL, 0 \
	}

/* Adds or replaces a variable. Returns 0 or -ENOMEM. */
int vars_set(struct vars *vs, const char *name, const char *value, bool secret);
const struct var *vars_find(const struct vars *vs, const char *name);
void vars_free(struct vars *vs);

#endif
