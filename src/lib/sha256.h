/* SHA-256 and HMAC-SHA256 as lowercase hex, through libcrypto. */
#ifndef VOIPHA_SHA256_H
#define VOIPHA_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/* Writes 64 hex digits and a NUL to hex. Returns 0 or -EIO. */
int sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);

/* HMAC-SHA256 of msg under key: 32 bytes. Returns 0 or -EIO. */
int hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		unsigned char md[32]);

/* HMAC-SHA256 of msg under key, as lowercase hex. Returns 0 or -EIO. */
int hmac_sha256_hex(const void *key, size_t key_len, const void *msg, size_t msg_len,
		    char hex[SHA256_HEX_LEN + 1]);

#endif
