/* Error list (see errlist.h). Adding never fails loudly: on allocation
 * failure the list records `oom` so the caller can still refuse. */
#include "lib/errlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void errlist_add(struct errlist *el, const char *fmt, ...)
{
	va_list ap;
	char *msg, **p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		el->oom = 1;
		return;
	}
	/* The same problem found twice (e.g. once per node) is reported once. */
	for (size_t i = 0; i < el->count; i++)
		if (strcmp(el->msgs[i], msg) == 0) {
			free(msg);
			return;
		}
	p = realloc(el->msgs, (el->count + 1) * sizeof(*p));
	if (!p) {
		free(msg);
		el->oom = 1;
		return;
	}
	el->msgs = p;
	el->msgs[el->count++] = msg;
}

void errlist_free(struct errlist *el)
{
	size_t i;

	for (i = 0; i < el->count; i++)
		free(el->msgs[i]);
	free(el->msgs);
	el->msgs = NULL;
	el->count = 0;
	el->oom = 0;
}
