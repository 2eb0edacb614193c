/* Hexadecimal: the one encoder and decoder for digests and keys. */
#ifndef VOIPHA_HEX_H
#define VOIPHA_HEX_H

#include <stddef.h>

/* 0-15 for a hex digit (either case), -1 for anything else. */
int hex_digit(unsigned char c);

/* Writes 2*n lowercase hex digits and a NUL to out (2*n + 1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* Decodes exactly 2*n hex digits (either case) from s into out[n]; s must end
 * there. Returns 0 or -EINVAL (wrong length or a non-hex character; out is
 * then wiped, as it may hold part of a key). */
int hex_decode(const char *s, unsigned char *out, size_t n);

#endif
