/* pgBackRest's TLS material for the pair (doc/DESIGN.md, "Backups: TLS
 * certificates"): a CA whose Ed25519 key comes from a 32-byte seed both nodes
 * derive (lib/derive.h), and certificates it signs for one IPv4 address (CN,
 * DNS and IP subject alternative names, client and server use).
 *
 * Everything a certificate holds is a function of its inputs (Ed25519
 * signatures are deterministic, the validity dates and serial numbers are
 * fixed or derived): the same inputs give the same bytes, so a caller keeps
 * a file by comparing it with what it would write. Library code: returns
 * -errno, never prints. Keys are PEM PKCS#8 without a passphrase. */
#ifndef VOIPHA_TLS_CERT_H
#define VOIPHA_TLS_CERT_H

#include <stddef.h>

#include "lib/strbuf.h"

struct evp_pkey_st;

/* The CA key from its seed. -EIO when libcrypto refuses. */
int tls_ca_key(const unsigned char seed[32], struct evp_pkey_st **ret);

/* The CA's self-signed certificate (CN "voip-ha backup CA", valid from
 * 2024-01-01 to 9999-12-31) appended to pem. */
int tls_ca_cert(struct evp_pkey_st *ca_key, struct strbuf *pem);

/* A new random Ed25519 key. */
int tls_key_new(struct evp_pkey_st **ret);

/* Reads an Ed25519 private key from PEM text. -EINVAL: not one. */
int tls_key_read(const char *pem, size_t len, struct evp_pkey_st **ret);

/* The key as PEM PKCS#8 appended to pem (a secret: wipe pem after use). */
int tls_key_pem(struct evp_pkey_st *key, struct strbuf *pem);

/* The certificate of `key` for `ipv4` (dotted quad, validated by the caller),
 * signed by the CA, appended to pem. -EINVAL for an address that is not a
 * dotted quad. */
int tls_host_cert(struct evp_pkey_st *ca_key, struct evp_pkey_st *key, const char *ipv4,
		  struct strbuf *pem);

/* Checks what a repository host receives: ca_pem is one CA certificate,
 * cert_pem a certificate it signed, for ipv4 when ipv4 is not NULL, whose
 * public key is key_pem's. 0, or -EINVAL with the reason in why. */
int tls_check_host(const char *ca_pem, size_t ca_len, const char *cert_pem, size_t cert_len,
		   const char *key_pem, size_t key_len, const char *ipv4, char *why,
		   size_t why_len);

void tls_key_free(struct evp_pkey_st *key);

#endif
