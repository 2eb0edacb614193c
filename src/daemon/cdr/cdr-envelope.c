/* Body sniffing for CDR posts; see cdr-envelope.h for the cases. */
#include "daemon/cdr/cdr-envelope.h"
#include "daemon/pct.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/form.h"

static bool ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && ws((unsigned char)s[i]))
		i++;
	return i;
}

/* Format of a decoded document by its first significant byte (a UTF-8 BOM
 * is skipped). 0 when it is neither XML nor JSON. */
static int sniff_doc(const char *d, size_t len)
{
	size_t i = 0;
	if (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	i = skip_ws(d, len, i);
	if (i < len && d[i] == '<')
		return CDR_FMT_XML;
	if (i < len && d[i] == '{')
		return CDR_FMT_JSON;
	return 0;
}

static int copy_out(const char *d, size_t len, char **doc, size_t *doclen)
{
	char *c = malloc(len + 1);
	if (!c)
		return -ENOMEM;
	memcpy(c, d, len);
	c[len] = '\0';
	*doc = c;
	*doclen = len;
	return 0;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Standard-alphabet base64 with optional padding and line breaks.
 * Returns -1 on any other byte. */
static int b64_decode(const char *s, size_t len, char **out, size_t *outlen)
{
	char *o = malloc(len / 4 * 3 + 4);
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0;

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (ws(c))
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		int v = b64val(c);
		if (v < 0 || pad) { /* data after padding is not base64 */
			free(o);
			return -1;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[n++] = (char)((acc >> bits) & 0xFF);
		}
	}
	if (pad > 2) {
		free(o);
		return -1;
	}
	o[n] = '\0';
	*out = o;
	*outlen = n;
	return 0;
}

/* Plain %XX decoding (an err-log-dir file: FreeSWITCH's encoder never emits
 * '+', so it means '+'). */
static int pct_decode(const char *s, size_t len, char **out, size_t *outlen)
{
	char *o = malloc(len + 1);

	if (!o)
		return -ENOMEM;
	*outlen = pct_decode_fs(s, len, o);
	o[*outlen] = '\0';
	*out = o;
	return 0;
}

static int from_form(const char *body, size_t len, enum cdr_format *fmt, char **doc, size_t *doclen,
		     char *errbuf, size_t errlen)
{
	struct form f = FORM_INIT;
	size_t vlen;
	int r = form_parse(body, len, &f);

	if (r < 0) {
		snprintf(errbuf, errlen, "body is not a valid urlencoded form");
		return r == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	const char *v = form_get_len(&f, "cdr", &vlen);
	if (!v) {
		form_free(&f);
		snprintf(errbuf, errlen, "form has no cdr field");
		return -EINVAL;
	}
	int k = sniff_doc(v, vlen);
	if (!k) {
		form_free(&f);
		snprintf(errbuf, errlen, "cdr field holds neither XML nor JSON");
		return -EINVAL;
	}
	r = copy_out(v, vlen, doc, doclen);
	form_free(&f);
	if (r == 0)
		*fmt = (enum cdr_format)k;
	return r;
}

static int from_decoded(char *d, size_t dlen, const char *what, enum cdr_format *fmt, char **doc,
			size_t *doclen, char *errbuf, size_t errlen)
{
	int k = sniff_doc(d, dlen);
	if (!k) {
		free(d);
		snprintf(errbuf, errlen, "%s data holds neither XML nor JSON", what);
		return -EINVAL;
	}
	*fmt = (enum cdr_format)k;
	*doc = d;
	*doclen = dlen;
	return 0;
}

int cdr_envelope_decode(const char *body, size_t len, enum cdr_format *fmt, char **doc,
			size_t *doclen, char *errbuf, size_t errlen)
{
	int k;

	*doc = NULL;
	*doclen = 0;
	if (errlen)
		errbuf[0] = '\0';
	size_t i = skip_ws(body, len, 0);
	if (i == len) {
		snprintf(errbuf, errlen, "empty body");
		return -EINVAL;
	}
	if ((k = sniff_doc(body, len))) {
		*fmt = (enum cdr_format)k;
		return copy_out(body, len, doc, doclen);
	}
	const char *p = body + i;
	size_t plen = len - i;
	if (plen >= 4 && memcmp(p, "cdr=", 4) == 0) {
		const char *v = p + 4;
		size_t vlen = plen - 4;
		/* encode=false: everything after "cdr=" is the document itself */
		if ((k = sniff_doc(v, vlen))) {
			*fmt = (enum cdr_format)k;
			return copy_out(v, vlen, doc, doclen);
		}
		size_t j = skip_ws(v, vlen, 0);
		if (j < vlen && v[j] == '%')
			return from_form(body, len, fmt, doc, doclen, errbuf, errlen);
		char *d;
		size_t dlen;
		int r = b64_decode(v, vlen, &d, &dlen);
		if (r == -ENOMEM)
			return r;
		if (r == 0)
			return from_decoded(d, dlen, "base64", fmt, doc, doclen, errbuf, errlen);
		/* not base64: maybe a form with more fields */
		return from_form(body, len, fmt, doc, doclen, errbuf, errlen);
	}
	if (plen >= 3 && p[0] == '%' &&
	    (strncasecmp(p, "%3C", 3) == 0 || strncasecmp(p, "%7B", 3) == 0)) {
		char *d;
		size_t dlen;
		int r = pct_decode(p, plen, &d, &dlen);
		if (r < 0)
			return r;
		return from_decoded(d, dlen, "URL-encoded", fmt, doc, doclen, errbuf, errlen);
	}
	if (memchr(p, '=', plen))
		return from_form(body, len, fmt, doc, doclen, errbuf, errlen);
	snprintf(errbuf, errlen, "body holds no CDR (expected XML, JSON or a cdr= form field)");
	return -EINVAL;
}
