/* Percent-decoding shared by the form decoder (form.c) and FreeSWITCH's
 * per-value URL encoding in CDRs (cdr/cdr-envelope.c, cdr/cdr-record.c). */
#ifndef VOIPADMIN_PCT_H
#define VOIPADMIN_PCT_H

#include <stddef.h>

/* FreeSWITCH's decoder (switch_url_decode): %XX with two hex digits
 * becomes that byte; anything else, '+' and a stray '%' included, is
 * copied as is. Writes at most len bytes to out (no NUL); returns how many. */
size_t pct_decode_fs(const char *s, size_t len, char *out);

#endif
