/* A list of error messages, for checks that report every problem instead of
 * stopping at the first (validation, rendering). Messages never hold a
 * secret value: callers name the field and the rule, not the value. */
#ifndef VOIPHA_ERRLIST_H
#define VOIPHA_ERRLIST_H

#include <stddef.h>

struct errlist {
	char **msgs;
	size_t count;
	int oom; /* set when an add failed: the list is incomplete */
};

#define ERRLIST_INIT       \
	{                  \
		NULL, 0, 0 \
	}

void errlist_add(struct errlist *el, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void errlist_free(struct errlist *el);

#endif
