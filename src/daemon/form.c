/* application/x-www-form-urlencoded decoder; see form.h. */
#include "daemon/form.h"
#include "lib/hex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Decodes s[0..n) into a new NUL-terminated string. */
static int decode(const char *s, size_t n, char **out, size_t *outlen)
{
	char *d = malloc(n + 1);
	size_t j = 0;

	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+') {
			d[j++] = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (n - i < 3)
				goto bad; /* needs two hex digits */
			hi = hex_digit((unsigned char)s[i + 1]);
			lo = hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '\0') {
			goto bad;
		} else {
			d[j++] = (char)c;
		}
	}
	d[j] = '\0';
	*out = d;
	*outlen = j;
	return 0;
bad:
	free(d);
	return -EINVAL;
}

int form_parse(const char *body, size_t len, struct form *out)
{
	struct form f = FORM_INIT;
	size_t cap = 0, pos = 0;
	int r;

	while (pos < len) {
		const char *seg = body + pos;
		const char *amp = memchr(seg, '&', len - pos);
		size_t seglen = amp ? (size_t)(amp - seg) : len - pos;
		const char *eq;
		size_t namelen;
		struct form_field *fl;
		size_t dummy;

		pos += seglen + 1;
		if (seglen == 0)
			continue; /* "a=1&&b=2": empty pairs are skipped */
		if (f.count == FORM_MAX_FIELDS) {
			r = -EINVAL;
			goto fail;
		}
		if (f.count == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct form_field *nf = realloc(f.fields, ncap * sizeof(*nf));

			if (!nf) {
				r = -ENOMEM;
				goto fail;
			}
			f.fields = nf;
			cap = ncap;
		}
		eq = memchr(seg, '=', seglen);
		namelen = eq ? (size_t)(eq - seg) : seglen;
		fl = &f.fields[f.count];
		r = decode(seg, namelen, &fl->name, &dummy);
		if (r < 0)
			goto fail;
		if (eq)
			r = decode(eq + 1, seglen - namelen - 1, &fl->value, &fl->value_len);
		else
			r = decode("", 0, &fl->value, &fl->value_len);
		if (r < 0) {
			free(fl->name);
			goto fail;
		}
		f.count++;
	}
	*out = f;
	return 0;
fail:
	form_free(&f);
	*out = (struct form)FORM_INIT;
	return r;
}

const char *form_get_len(const struct form *f, const char *name, size_t *len)
{
	for (size_t i = f->count; i-- > 0;)
		if (strcmp(f->fields[i].name, name) == 0) {
			if (len)
				*len = f->fields[i].value_len;
			return f->fields[i].value;
		}
	return NULL;
}

const char *form_get(const struct form *f, const char *name)
{
	return form_get_len(f, name, NULL);
}

void form_free(struct form *f)
{
	for (size_t i = 0; i < f->count; i++) {
		free(f->fields[i].name);
		free(f->fields[i].value);
	}
	free(f->fields);
	f->fields = NULL;
	f->count = 0;
}
