/* SCRAM-SHA-256 verifier check (RFC 5802/7677, as PostgreSQL stores it). */
#include "cli/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYLEN 32

bool scram_verifier_matches(const char *verifier, const char *password)
{
	static const char prefix[] = "SCRAM-SHA-256$";
	unsigned char salt[128], salted[KEYLEN], client_key[KEYLEN], stored[KEYLEN];
	unsigned char b64[64];
	const char *p, *colon, *dollar, *colon2;
	char saltb64[200];
	unsigned int hlen = KEYLEN;
	int saltlen, iter;
	char *end;
	bool ok = false;

	if (!verifier || strncmp(verifier, prefix, sizeof(prefix) - 1) != 0)
		return false;
	p = verifier + sizeof(prefix) - 1;
	iter = (int)strtol(p, &end, 10);
	if (end == p || *end != ':' || iter < 1 || iter > 10000000)
		return false;
	colon = end;
	dollar = strchr(colon + 1, '$');
	if (!dollar || (size_t)(dollar - colon - 1) >= sizeof(saltb64))
		return false;
	colon2 = strchr(dollar + 1, ':');
	if (!colon2)
		return false;
	memcpy(saltb64, colon + 1, (size_t)(dollar - colon - 1));
	saltb64[dollar - colon - 1] = '\0';
	if (strlen(saltb64) % 4 != 0 || strlen(saltb64) / 4 * 3 > sizeof(salt))
		return false;
	saltlen = EVP_DecodeBlock(salt, (const unsigned char *)saltb64, (int)strlen(saltb64));
	if (saltlen < 0)
		return false;
	/* EVP_DecodeBlock counts '=' padding as zero bytes. */
	if (strlen(saltb64) >= 1 && saltb64[strlen(saltb64) - 1] == '=')
		saltlen--;
	if (strlen(saltb64) >= 2 && saltb64[strlen(saltb64) - 2] == '=')
		saltlen--;
	if (!PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, saltlen, iter, EVP_sha256(),
			       KEYLEN, salted))
		goto out;
	if (!HMAC(EVP_sha256(), salted, KEYLEN, (const unsigned char *)"Client Key", 10, client_key,
		  &hlen))
		goto out;
	SHA256(client_key, KEYLEN, stored);
	EVP_EncodeBlock(b64, stored, KEYLEN);
	ok = strlen((const char *)b64) == (size_t)(colon2 - dollar - 1) &&
	     CRYPTO_memcmp(b64, dollar + 1, (size_t)(colon2 - dollar - 1)) == 0;
out:
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(client_key, sizeof(client_key));
	return ok;
}
