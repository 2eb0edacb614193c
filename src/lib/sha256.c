/* SHA-256 hex digest (see sha256.h). */
#include "lib/sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <string.h>

static void to_hex(const unsigned char *md, unsigned n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * n] = '\0';
}

int sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -EIO;
	to_hex(md, n, hex);
	return 0;
}

int hmac_sha256_hex(const void *key, size_t key_len, const void *msg, size_t msg_len,
		    char hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (key_len > INT32_MAX ||
	    !HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, md, &n) || n != 32)
		return -EIO;
	to_hex(md, n, hex);
	explicit_bzero(md, sizeof(md));
	return 0;
}
