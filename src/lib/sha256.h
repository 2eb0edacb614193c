/* SHA-256 as lowercase hex, through libcrypto's EVP interface. */
#ifndef VOIPHA_SHA256_H
#define VOIPHA_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/* Writes 64 hex digits and a NUL to hex. Returns 0 or -EIO. */
int sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);

#endif
