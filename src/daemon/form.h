/* application/x-www-form-urlencoded decoder (WHATWG URL "urlencoded parser"
 * semantics, strict): pairs split on '&', name and value on the first '=',
 * '+' is a space, %XX decoded exactly once. A '%' not followed by two hex
 * digits, or a decoded NUL byte, is an error (-EINVAL): FreeSWITCH never
 * sends either, and accepting them would let a value smuggle a terminator.
 *
 * Used for mod_xml_curl requests and mod_xml_cdr's `cdr=` field. */
#ifndef VOIPADMIN_FORM_H
#define VOIPADMIN_FORM_H

#include <stddef.h>

struct form_field {
	char *name; /* decoded, NUL-terminated */
	char *value;
	size_t value_len; /* excluding the NUL */
};

struct form {
	struct form_field *fields;
	size_t count;
};

#define FORM_INIT       \
	{               \
		NULL, 0 \
	}

/* Parses len bytes (no NUL needed). 0, -EINVAL (malformed) or -ENOMEM.
 * On error *out is left empty. At most FORM_MAX_FIELDS fields. */
#define FORM_MAX_FIELDS 4096
int form_parse(const char *body, size_t len, struct form *out);

/* The value of the LAST field called `name` (FreeSWITCH appends its own
 * key/user/domain/ip after copied SIP headers), or NULL. */
const char *form_get(const struct form *f, const char *name);

/* Same, with its length (values may in principle contain any byte but NUL). */
const char *form_get_len(const struct form *f, const char *name, size_t *len);

void form_free(struct form *f);

#endif
