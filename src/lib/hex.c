/* Hexadecimal encoding and decoding (see hex.h). */
#include "lib/hex.h"

#include <errno.h>
#include <string.h>

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = s[2 * i] ? hex_digit((unsigned char)s[2 * i]) : -1;
		int lo = hi >= 0 ? hex_digit((unsigned char)s[2 * i + 1]) : -1;

		if (lo < 0) {
			explicit_bzero(out, n);
			return -EINVAL;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	if (s[2 * n] != '\0') {
		explicit_bzero(out, n);
		return -EINVAL;
	}
	return 0;
}
