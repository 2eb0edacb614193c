/* The pair's pgBackRest CA and the certificates it signs (see tls-cert.h). */
#include "lib/tls-cert.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "lib/validators.h"

#define CA_NAME "voip-ha backup CA"
/* Fixed dates: the same inputs give the same certificate on either node,
 * and no machine's clock can be "before" it. 9999-12-31 is RFC 5280's "no
 * well-defined expiration"; the trust ends when replication_password (the
 * CA) or the address changes, which replaces the certificates. */
#define NOT_BEFORE "20240101000000Z"
#define NOT_AFTER "99991231235959Z"

int tls_ca_key(const unsigned char seed[32], EVP_PKEY **ret)
{
	*ret = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (!*ret) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

int tls_key_new(EVP_PKEY **ret)
{
	*ret = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!*ret) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

void tls_key_free(EVP_PKEY *key)
{
	EVP_PKEY_free(key);
}

/* Never asks for a passphrase (a key with one is refused). */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int tls_key_read(const char *pem, size_t len, EVP_PKEY **ret)
{
	BIO *b;

	*ret = NULL;
	if (len > 64 * 1024)
		return -EINVAL;
	b = BIO_new_mem_buf(pem, (int)len);
	if (!b)
		return -ENOMEM;
	*ret = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	ERR_clear_error();
	if (*ret && EVP_PKEY_get_id(*ret) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(*ret);
		*ret = NULL;
	}
	return *ret ? 0 : -EINVAL;
}

/* Appends what BIO b holds to pem. */
static int bio_to_sb(BIO *b, struct strbuf *pem)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);

	return n < 0 ? -EIO : sb_add(pem, data, (size_t)n);
}

int tls_key_pem(EVP_PKEY *key, struct strbuf *pem)
{
	/* secure memory: cleared when freed */
	BIO *b = BIO_new(BIO_s_secmem());
	int r = -EIO;

	if (!b)
		return -ENOMEM;
	if (PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) == 1)
		r = bio_to_sb(b, pem);
	BIO_free(b);
	ERR_clear_error();
	return r;
}

static int add_ext(X509 *issuer, X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e)
		return -EIO;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -EIO;
}

/* A positive, non-zero 128-bit serial from the subject's public key and
 * name: distinct for distinct certificates, the same for the same one. */
static int set_serial(X509 *x, EVP_PKEY *key, const char *name)
{
	unsigned char buf[64 + 256], md[EVP_MAX_MD_SIZE];
	size_t klen = 64, nlen = strlen(name);
	unsigned int mdlen = 0;
	BIGNUM *bn;
	int r = -EIO;

	if (nlen > 256 || EVP_PKEY_get_raw_public_key(key, buf, &klen) != 1)
		return -EIO;
	memcpy(buf + klen, name, nlen);
	if (EVP_Digest(buf, klen + nlen, md, &mdlen, EVP_sha256(), NULL) != 1)
		return -EIO;
	md[0] = (unsigned char)((md[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(md, 16, NULL);
	if (bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		r = 0;
	BN_free(bn);
	return r;
}

/* A certificate for `key` named `cn`, signed by issuer_key (self-signed
 * when issuer is NULL), without its extensions. */
static X509 *cert_base(X509 *issuer, EVP_PKEY *key, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	int ok = x && n;

	ok = ok && X509_set_version(x, X509_VERSION_3);
	ok = ok && set_serial(x, key, cn) == 0;
	ok = ok && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					      -1, 0);
	ok = ok && X509_set_subject_name(x, n);
	ok = ok && X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	ok = ok && ASN1_TIME_set_string_X509(X509_getm_notBefore(x), NOT_BEFORE);
	ok = ok && ASN1_TIME_set_string_X509(X509_getm_notAfter(x), NOT_AFTER);
	ok = ok && X509_set_pubkey(x, key);
	X509_NAME_free(n);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static X509 *ca_build(EVP_PKEY *ca_key)
{
	X509 *x = cert_base(NULL, ca_key, CA_NAME);
	int ok = x != NULL;

	ok = ok && add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") == 0;
	ok = ok && add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") == 0;
	ok = ok && add_ext(x, x, NID_subject_key_identifier, "hash") == 0;
	/* Ed25519 takes no separate digest */
	ok = ok && X509_sign(x, ca_key, NULL) > 0;
	if (!ok) {
		X509_free(x);
		ERR_clear_error();
		return NULL;
	}
	return x;
}

static int cert_pem(X509 *x, struct strbuf *pem)
{
	BIO *b = BIO_new(BIO_s_mem());
	int r = -EIO;

	if (!b)
		return -ENOMEM;
	if (PEM_write_bio_X509(b, x) == 1)
		r = bio_to_sb(b, pem);
	BIO_free(b);
	return r;
}

int tls_ca_cert(EVP_PKEY *ca_key, struct strbuf *pem)
{
	X509 *ca = ca_build(ca_key);
	int r;

	if (!ca)
		return -EIO;
	r = cert_pem(ca, pem);
	X509_free(ca);
	ERR_clear_error();
	return r;
}

int tls_host_cert(EVP_PKEY *ca_key, EVP_PKEY *key, const char *ipv4, struct strbuf *pem)
{
	X509 *ca = NULL, *x = NULL;
	char san[64];
	uint32_t addr;
	int ok, r = -EIO;

	if (ipv4_parse(ipv4, &addr) < 0)
		return -EINVAL;
	/* pgBackRest 2.45 compares the host it connects to with the DNS
	 * names; other TLS clients look at the IP name */
	snprintf(san, sizeof(san), "DNS:%s,IP:%s", ipv4, ipv4);
	ca = ca_build(ca_key);
	x = ca ? cert_base(ca, key, ipv4) : NULL;
	ok = x != NULL;
	ok = ok && add_ext(ca, x, NID_basic_constraints, "critical,CA:FALSE") == 0;
	ok = ok && add_ext(ca, x, NID_key_usage, "critical,digitalSignature") == 0;
	ok = ok && add_ext(ca, x, NID_ext_key_usage, "serverAuth,clientAuth") == 0;
	ok = ok && add_ext(ca, x, NID_subject_key_identifier, "hash") == 0;
	ok = ok && add_ext(ca, x, NID_authority_key_identifier, "keyid:always") == 0;
	ok = ok && add_ext(ca, x, NID_subject_alt_name, san) == 0;
	ok = ok && X509_sign(x, ca_key, NULL) > 0;
	if (ok)
		r = cert_pem(x, pem);
	X509_free(x);
	X509_free(ca);
	ERR_clear_error();
	return r;
}

static X509 *read_cert(const char *pem, size_t len)
{
	BIO *b;
	X509 *x;

	if (len > 64 * 1024)
		return NULL;
	b = BIO_new_mem_buf(pem, (int)len);
	if (!b)
		return NULL;
	x = PEM_read_bio_X509(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	return x;
}

int tls_check_host(const char *ca_pem, size_t ca_len, const char *cert_pem_text, size_t cert_len,
		   const char *key_pem, size_t key_len, const char *ipv4, char *why, size_t why_len)
{
	X509 *ca = read_cert(ca_pem, ca_len), *x = read_cert(cert_pem_text, cert_len);
	EVP_PKEY *key = NULL, *capub = ca ? X509_get0_pubkey(ca) : NULL;
	const char *bad = NULL;

	if (!ca || !capub)
		bad = "the CA certificate cannot be read";
	else if (X509_verify(ca, capub) != 1)
		bad = "the CA certificate is not self-signed";
	else if (!x)
		bad = "the certificate cannot be read";
	else if (X509_check_issued(ca, x) != X509_V_OK || X509_verify(x, capub) != 1)
		bad = "the certificate is not signed by the CA";
	else if (tls_key_read(key_pem, key_len, &key) < 0)
		bad = "the key is not an Ed25519 private key";
	else if (X509_check_private_key(x, key) != 1)
		bad = "the certificate is not the key's";
	else if (ipv4 && X509_check_ip_asc(x, ipv4, 0) != 1)
		bad = "the certificate does not name the address";
	if (bad)
		snprintf(why, why_len, "%s", bad);
	EVP_PKEY_free(key);
	X509_free(x);
	X509_free(ca);
	ERR_clear_error();
	return bad ? -EINVAL : 0;
}
