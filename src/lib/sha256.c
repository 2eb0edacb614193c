/* SHA-256 hex digest (see sha256.h). */
#include "lib/sha256.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <string.h>

#include "lib/hex.h"

int sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -EIO;
	hex_encode(md, n, hex);
	return 0;
}

int hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		unsigned char out[32])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (key_len > INT32_MAX || !HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, md, &n) ||
	    n != 32) {
		explicit_bzero(md, sizeof(md));
		return -EIO;
	}
	memcpy(out, md, 32);
	explicit_bzero(md, sizeof(md));
	return 0;
}

int hmac_sha256_hex(const void *key, size_t key_len, const void *msg, size_t msg_len,
		    char hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[32];
	int r = hmac_sha256(key, key_len, msg, msg_len, md);

	if (r == 0)
		hex_encode(md, sizeof(md), hex);
	explicit_bzero(md, sizeof(md));
	return r;
}
