/* The pair's pgBackRest CA and its certificates (src/lib/tls-cert.c, the
 * seed from src/lib/derive.c): both nodes derive the same CA, another
 * secret gives another CA, certificates are what tls_check_host accepts. */
#include "unit.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "lib/derive.h"
#include "lib/tls-cert.h"

static const char conf[] =
	"node1_address=198.51.100.11\nnode2_address=198.51.100.12\n"
	"virtual_address=198.51.100.10\nprefix_length=25\n"
	"node1_interface=eth0\nnode2_interface=ens3\n"
	"node1_hostname=pbx1\nnode2_hostname=pbx2\n"
	"kamailio_db_password=kam\nadmin_db_password=admin\n"
	"freeswitch_db_password=fs\nvrrp_password=vrrp1234\nfreeswitch_esl_password=ClueCon\n"
	"admin_api_key=AAAAAAAAAAAAAAAAAAAAAAAA\nfreeswitch_api_key=BBBBBBBBBBBBBBBBBBBBBBBB\n";

/* The CA certificate of a cluster.conf with this_node and the password. */
static void ca_of(const char *node, const char *password, struct strbuf *pem)
{
	struct cluster_config cfg;
	struct errlist el = ERRLIST_INIT;
	struct kv_error err;
	struct evp_pkey_st *k = NULL;
	unsigned char seed[32];
	char text[2048];

	snprintf(text, sizeof(text), "%sthis_node=%s\nreplication_password=%s\n", conf, node,
		 password);
	assert_int_equal(cluster_config_parse(text, strlen(text), &cfg, &err), 0);
	assert_int_equal(cluster_config_validate(&cfg, &el), 0);
	assert_int_equal(derive_backup_ca_seed(&cfg, seed), 0);
	assert_int_equal(tls_ca_key(seed, &k), 0);
	assert_int_equal(tls_ca_cert(k, pem), 0);
	tls_key_free(k);
	cluster_config_free(&cfg);
}

static void test_same_ca_on_both_nodes(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	(void)state;
	ca_of("node1", "repl secret", &a);
	ca_of("node2", "repl secret", &b);
	assert_true(a.len > 100);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	assert_non_null(strstr(sb_str(&a), "-----BEGIN CERTIFICATE-----"));
	sb_release(&a);
	sb_release(&b);
}

static void test_other_secret_other_ca(void **state)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	(void)state;
	ca_of("node1", "repl secret", &a);
	ca_of("node1", "repl secreT", &b);
	assert_true(a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0);
	sb_release(&a);
	sb_release(&b);
}

struct pki {
	struct evp_pkey_st *ca_key, *key;
	struct strbuf ca, cert, key_pem;
};

static void pki_make(struct pki *p, unsigned char fill, const char *addr)
{
	unsigned char seed[32];

	memset(seed, fill, sizeof(seed));
	memset(p, 0, sizeof(*p));
	assert_int_equal(tls_ca_key(seed, &p->ca_key), 0);
	assert_int_equal(tls_ca_cert(p->ca_key, &p->ca), 0);
	assert_int_equal(tls_key_new(&p->key), 0);
	assert_int_equal(tls_key_pem(p->key, &p->key_pem), 0);
	assert_int_equal(tls_host_cert(p->ca_key, p->key, addr, &p->cert), 0);
}

static void pki_free(struct pki *p)
{
	tls_key_free(p->ca_key);
	tls_key_free(p->key);
	sb_release(&p->ca);
	sb_release(&p->cert);
	sb_release(&p->key_pem);
}

static int check(const struct strbuf *ca, const struct strbuf *cert, const struct strbuf *key,
		 const char *addr, char *why)
{
	return tls_check_host(sb_str(ca), ca->len, sb_str(cert), cert->len, sb_str(key), key->len,
			      addr, why, 128);
}

static void test_host_cert(void **state)
{
	struct pki p, q;
	struct strbuf again = STRBUF_INIT, pem2 = STRBUF_INIT;
	struct evp_pkey_st *k2 = NULL;
	char why[128] = "";

	(void)state;
	pki_make(&p, 1, "198.51.100.2");
	pki_make(&q, 2, "198.51.100.2");
	assert_int_equal(check(&p.ca, &p.cert, &p.key_pem, "198.51.100.2", why), 0);
	assert_int_equal(check(&p.ca, &p.cert, &p.key_pem, NULL, why), 0);
	/* the same inputs, the same bytes (the caller keeps a file that way) */
	assert_int_equal(tls_host_cert(p.ca_key, p.key, "198.51.100.2", &again), 0);
	assert_int_equal(again.len, p.cert.len);
	assert_memory_equal(again.buf, p.cert.buf, again.len);
	/* the key read back is the same key */
	assert_int_equal(tls_key_read(sb_str(&p.key_pem), p.key_pem.len, &k2), 0);
	assert_int_equal(tls_key_pem(k2, &pem2), 0);
	assert_int_equal(pem2.len, p.key_pem.len);
	assert_memory_equal(pem2.buf, p.key_pem.buf, pem2.len);
	/* another address, another CA, another key */
	assert_int_equal(check(&p.ca, &p.cert, &p.key_pem, "198.51.100.3", why), -EINVAL);
	assert_string_equal(why, "the certificate does not name the address");
	assert_int_equal(check(&q.ca, &p.cert, &p.key_pem, NULL, why), -EINVAL);
	assert_string_equal(why, "the certificate is not signed by the CA");
	assert_int_equal(check(&p.ca, &p.cert, &q.key_pem, NULL, why), -EINVAL);
	assert_string_equal(why, "the certificate is not the key's");
	/* not a dotted quad */
	assert_int_equal(tls_host_cert(p.ca_key, p.key, "pbx1", &again), -EINVAL);
	tls_key_free(k2);
	sb_release(&again);
	sb_release(&pem2);
	pki_free(&p);
	pki_free(&q);
}

static void test_bad_input(void **state)
{
	static const char garbage[] =
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	struct strbuf empty = STRBUF_INIT;
	struct evp_pkey_st *k = NULL;
	EVP_PKEY *rsa;
	BIO *b;
	char *data, why[128];
	long n;
	struct pki p;

	(void)state;
	assert_int_equal(tls_key_read(garbage, sizeof(garbage) - 1, &k), -EINVAL);
	assert_null(k);
	assert_int_equal(tls_key_read("", 0, &k), -EINVAL);
	/* a key of another type is refused */
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(rsa);
	b = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PrivateKey(b, rsa, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(b, &data);
	assert_int_equal(tls_key_read(data, (size_t)n, &k), -EINVAL);
	BIO_free(b);
	EVP_PKEY_free(rsa);
	/* a corrupt certificate, an empty CA */
	pki_make(&p, 3, "198.51.100.12");
	p.cert.buf[p.cert.len / 2] ^= 0x01;
	assert_int_equal(check(&p.ca, &p.cert, &p.key_pem, NULL, why), -EINVAL);
	assert_int_equal(check(&empty, &p.cert, &p.key_pem, NULL, why), -EINVAL);
	assert_string_equal(why, "the CA certificate cannot be read");
	pki_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_ca_on_both_nodes),
		cmocka_unit_test(test_other_secret_other_ca),
		cmocka_unit_test(test_host_cert),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
