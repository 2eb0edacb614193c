/* Percent-decoding shared by the form decoder (form.c) and FreeSWITCH's
 * per-value URL encoding in CDRs (cdr-envelope.c, cdr-record.c). Header
 * only: each user is linked into different test and fuzz binaries. */
#ifndef VOIPADMIN_PCT_H
#define VOIPADMIN_PCT_H

#include <stddef.h>

/* 0-15 for a hex digit, -1 otherwise. */
static inline int pct_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* FreeSWITCH's decoder (switch_url_decode): %XX with two hex digits
 * becomes that byte; anything else, '+' and a stray '%' included, is
 * copied as is. Writes at most len bytes to out (no NUL); returns how many. */
static inline size_t pct_decode_fs(const char *s, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < len &&
		    (hi = pct_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = pct_hexval((unsigned char)s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

#endif
