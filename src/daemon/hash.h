/* Digests the daemon needs, through libcrypto's EVP interface (the MD5()
 * shortcut is deprecated in OpenSSL 3). */
#ifndef VOIPADMIN_HASH_H
#define VOIPADMIN_HASH_H

#include <stdbool.h>
#include <stddef.h>

/* Raw SHA-256 of data. 0 or -1. */
int hash_sha256(const void *data, size_t len, unsigned char out[32]);

/* SIP digest HA1: lowercase hex MD5 of "user:realm:password" (RFC 2617),
 * written to hex[33]. 0 or -1. */
int hash_sip_ha1(const char *user, const char *realm, const char *password, char hex[33]);

/* Constant-time comparison of two 32-byte digests (CRYPTO_memcmp). */
bool hash_equal32(const unsigned char a[32], const unsigned char b[32]);

#endif
