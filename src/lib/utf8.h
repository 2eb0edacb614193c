/* UTF-8 well-formedness check (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). */
#ifndef VOIPHA_UTF8_H
#define VOIPHA_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t n);
/* The length of s's longest well-formed start (n when all of it is). */
size_t utf8_valid_prefix(const char *s, size_t n);

#endif
