/* The template renderer: copies text, replacing each {{escaper:variable}}
 * with the variable's value passed through the escaper (doc/DESIGN.md).
 * No logic, no defaults: an unknown variable or escaper, `raw` on a secret,
 * a value the escaper refuses or a malformed {{ are errors, reported as
 * "<path>:<line>: <what>", every one of them, never with a secret value. */
#ifndef VOIPHA_TEMPLATE_H
#define VOIPHA_TEMPLATE_H

#include <stddef.h>

#include "lib/errlist.h"
#include "lib/strbuf.h"
#include "lib/vars.h"

/* Renders `len` bytes of `text` into out. `path` only names the template in
 * messages. Returns 0, -EINVAL (errors added to el) or -ENOMEM. */
int template_render(const char *path, const char *text, size_t len, const struct vars *vars,
		    struct strbuf *out, struct errlist *el);

#endif
