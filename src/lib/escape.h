/* Escapers: each turns a value into text that means exactly that value in
 * one target syntax (doc/DESIGN.md, "Template language"). An escaper that
 * cannot represent a value refuses it (-EINVAL) and says why, instead of
 * emitting something that means something else. */
#ifndef VOIPHA_ESCAPE_H
#define VOIPHA_ESCAPE_H

#include <stdbool.h>

#include "lib/strbuf.h"

/* Appends the escaped form of `in` to out. Returns 0, -EINVAL (with *why set
 * to a static reason that never quotes the value) or -ENOMEM. */
typedef int escape_fn(struct strbuf *out, const char *in, const char **why);

struct escaper {
	const char *name;
	escape_fn *fn;
	bool secret_ok; /* false for `raw`: secrets must be escaped */
};

/* NULL when there is no escaper of that name. */
const struct escaper *escaper_find(const char *name);

/* XML for FreeSWITCH, the one home of these rules: the five entities; '$'
 * as &#36; (the pre-processor scans the raw text for "$${", the XML parser
 * still yields '$'); every '-' of "x-pre-process" (any case) as &#45; (the
 * pre-processor drops any line holding that text, even in an attribute).
 * With FS_XML_RUNTIME, for values FreeSWITCH may expand again at call time
 * (mod_xml_curl answers built from the database): "${" becomes "&#36; {"
 * (a space: no channel variable is expanded) and a control character a
 * space (a stored value cannot be refused any more). 0 or -ENOMEM. */
#define FS_XML_RUNTIME 1u
int escape_fs_xml(struct strbuf *out, const char *in, unsigned flags);

escape_fn escape_raw, escape_xml, escape_lua, escape_kam, escape_pgconf, escape_pgpass, escape_ka,
	escape_url, escape_sh, escape_line;

#endif
