/* cmocka table tests of voip-admind's pure parts: the form decoder, the
 * FreeSWITCH XML escaper, config loading, the metrics exposition, the
 * directory cache and the API input validators. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "daemon/api.h"
#include "daemon/config.h"
#include "daemon/dircache.h"
#include "daemon/form.h"
#include "daemon/fsxml.h"
#include "daemon/hash.h"
#include "daemon/metrics.h"
#include "lib/validators.h"

/* ---- form ---- */

static void test_form_decodes(void **state)
{
	static const char body[] = "hostname=bob-office&section=directory&FreeSWITCH-IPv6=%3A%3A1"
				   "&Event-Date-GMT=Fri,%2016%20Apr%202021&sp=a+b&empty=&novalue"
				   "&user=%2B4930&user=1000&&x=%e2%82%ac";
	struct form f = FORM_INIT;
	size_t len;

	(void)state;
	assert_int_equal(form_parse(body, strlen(body), &f), 0);
	assert_string_equal(form_get(&f, "section"), "directory");
	assert_string_equal(form_get(&f, "FreeSWITCH-IPv6"), "::1");
	assert_string_equal(form_get(&f, "Event-Date-GMT"), "Fri, 16 Apr 2021");
	assert_string_equal(form_get(&f, "sp"), "a b");
	assert_string_equal(form_get(&f, "empty"), "");
	assert_string_equal(form_get(&f, "novalue"), "");
	/* FreeSWITCH appends its own user last: the last one wins */
	assert_string_equal(form_get(&f, "user"), "1000");
	assert_string_equal(form_get_len(&f, "x", &len), "\xe2\x82\xac");
	assert_int_equal(len, 3);
	assert_null(form_get(&f, "missing"));
	form_free(&f);
}

static void test_form_rejects(void **state)
{
	static const char *const bad[] = {
		"a=%", "a=%4", "a=%zz", "a=%4g", "a=%00", "%00=1", "a=b%",
	};
	struct form f = FORM_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(form_parse(bad[i], strlen(bad[i]), &f), -EINVAL);
		assert_int_equal(f.count, 0);
	}
	/* a NUL byte inside the body */
	assert_int_equal(form_parse("a=b\0c", 5, &f), -EINVAL);
	/* no '+' double decoding: %2B is a literal plus */
	assert_int_equal(form_parse("u=%2B1", 6, &f), 0);
	assert_string_equal(form_get(&f, "u"), "+1");
	form_free(&f);
}

static void test_form_field_limit(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct form f = FORM_INIT;

	(void)state;
	for (int i = 0; i <= FORM_MAX_FIELDS; i++)
		sb_addf(&sb, "k%d=v&", i);
	assert_int_equal(form_parse(sb.buf, sb.len, &f), -EINVAL);
	sb_release(&sb);
}

/* ---- fsxml ---- */

static char *esc(const char *in)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(fsxml_escape(&sb, in), 0);
	return sb_detach(&sb);
}

static void test_fsxml_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "plain 1000", "plain 1000" },
		{ "a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f" },
		{ "${x}", "&#36; {x}" },
		{ "$${x}", "&#36;&#36; {x}" },
		{ "$5", "&#36;5" },
		{ "<X-PRE-PROCESS cmd=\"exec\"/>",
		  "&lt;X&#45;PRE&#45;PROCESS cmd=&quot;exec&quot;/&gt;" },
		{ "x-Pre-Process", "x&#45;Pre&#45;Process" },
		{ "x-pre-proces", "x-pre-proces" },
		{ "a\tb\nc\x7f", "a b c " },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *o = esc(t[i].in);

		assert_string_equal(o, t[i].out);
		free(o);
	}
	assert_non_null(strstr(fsxml_not_found, "<result status=\"not found\"/>"));
	/* declaration alone on the first line */
	assert_memory_equal(fsxml_not_found, "<?xml", 5);
	assert_null(strstr(strchr(fsxml_not_found, '\n') + 1, "<?"));
}

/* ---- config ---- */

#define KEYS                                                                 \
	"admin_api_key_sha256="                                              \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n" \
	"freeswitch_api_key_sha256="                                         \
	"FEDCBA9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n"

static void test_config_defaults(void **state)
{
	static const char txt[] =
		"# comment\ndb_host=198.51.100.10\ndb_password=p:a=ss#word\n" KEYS;
	struct admin_config c;
	char err[256] = "";

	(void)state;
	assert_int_equal(config_parse("t.conf", txt, strlen(txt), &c, err, sizeof(err)), 0);
	assert_string_equal(c.listen_address, "127.0.0.1");
	assert_int_equal(c.http_port, 8080);
	assert_int_equal(c.metrics_port, 9100);
	assert_int_equal(c.db_port, 5432);
	assert_string_equal(c.db_name, "voip");
	assert_string_equal(c.db_user, "voip_admin");
	assert_string_equal(c.db_password, "p:a=ss#word");
	assert_string_equal(c.spool_dir, "/var/spool/voip-admin");
	assert_int_equal(c.workers, 2);
	assert_int_equal(c.max_body_bytes, 1048576);
	assert_int_equal(c.db_connect_timeout, 3);
	assert_int_equal(c.db_statement_timeout_ms, 5000);
	assert_int_equal(c.max_connections, 512);
	assert_int_equal(c.http_threads, 8);
	assert_int_equal(c.directory_cache_ms, 60000);
	assert_int_equal(c.health_max_backlog, 100000);
	assert_false(c.cdr_store_raw);
	assert_int_equal(c.admin_api_key_sha256[0], 0x01);
	assert_int_equal(c.freeswitch_api_key_sha256[0], 0xfe);
	config_free(&c);
}

static void test_config_errors(void **state)
{
	static const struct {
		const char *txt, *want;
	} t[] = {
		{ "db_password=x\n" KEYS, "db_host" },
		{ "db_host=h\n" KEYS, "db_password" },
		{ "db_host=h\ndb_password=x\nadmin_api_key_sha256=00\n", "admin_api_key_sha256" },
		{ "db_host=h\ndb_password=x\n" KEYS "http_port=0\n", "t.conf:5: http_port" },
		{ "db_host=h\ndb_password=x\n" KEYS "http_port=080\n", "http_port" },
		{ "db_host=h\ndb_password=x\n" KEYS "http_port=65536\n", "http_port" },
		{ "db_host=h\ndb_password=x\n" KEYS "workers=-1\n", "workers" },
		{ "db_host=h\ndb_password=x\n" KEYS "listen_address=localhost\n",
		  "listen_address" },
		{ "db_host=h\ndb_password=x\n" KEYS "spool_dir=rel/dir\n", "spool_dir" },
		{ "db_host=h\ndb_password=x\n" KEYS "spool_dir=/a/../b\n", "spool_dir" },
		{ "db_host=h\ndb_password=x\n" KEYS "metrics_port=8080\n", "metrics_port" },
		{ "db_host=h h\ndb_password=x\n" KEYS, "db_host" },
		{ "db_host=h\ndb_password=x\n" KEYS "bogus=1\n", "t.conf:5" },
		{ "db_host=h\ndb_host=h\ndb_password=x\n" KEYS, "t.conf:2" },
		{ "db_host=h\ndb_password=x\n" KEYS "max_body_bytes=1023\n", "1024..67108864" },
		{ "db_host=h\ndb_password=x\n" KEYS "cdr_store_raw=yes\n",
		  "cdr_store_raw: must be true" },
		{ "db_host=h\ndb_password=\n" KEYS, "db_password: required" },
		{ "db_host=h\ndb_password=x\n" KEYS "db_name=a'b\n", "db_name" },
		{ "db_host=h\ndb_password=x\n" KEYS "metrics_allow=10.0.0.1/24\n",
		  "t.conf:5: metrics_allow" },
		{ "db_host=h\ndb_password=x\n" KEYS "metrics_allow=10.0.0.1,,10.0.0.2\n",
		  "metrics_allow" },
	};
	struct admin_config c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err[0] = '\0';
		assert_int_equal(config_parse("t.conf", t[i].txt, strlen(t[i].txt), &c, err,
					      sizeof(err)),
				 -EINVAL);
		if (!strstr(err, t[i].want))
			fail_msg("case %zu: '%s' does not mention '%s'", i, err, t[i].want);
		/* the password value never appears in a message */
		assert_null(strstr(err, "=x"));
	}
}

/* ---- metrics ---- */

static double half(void *arg)
{
	(void)arg;
	return 0.5;
}

static void test_metrics_allow(void **state)
{
	static const char txt[] =
		"db_host=h\ndb_password=x\n" KEYS "metrics_address=198.51.100.11\n"
		"metrics_allow=203.0.113.7,192.0.2.0/24,10.0.0.0/8\n";
	static const struct {
		int family;
		const char *ip;
		bool allowed;
	} t[] = {
		{ AF_INET, "198.51.100.11", true }, /* the node itself */
		{ AF_INET, "203.0.113.7", true },
		{ AF_INET, "203.0.113.8", false },
		{ AF_INET, "192.0.2.0", true },
		{ AF_INET, "192.0.2.255", true },
		{ AF_INET, "192.0.3.1", false },
		{ AF_INET, "10.200.1.1", true },
		{ AF_INET, "11.0.0.1", false },
		{ AF_INET, "198.51.100.12", false },
		{ AF_INET, "127.0.0.1", false },
		{ AF_INET6, "::ffff:203.0.113.7", true },
		{ AF_INET6, "::ffff:198.51.100.11", true },
		{ AF_INET6, "::ffff:203.0.113.9", false },
		{ AF_INET6, "2001:db8::7", false },
	};
	struct admin_config c;
	char err[256] = "";

	(void)state;
	assert_int_equal(config_parse("t.conf", txt, strlen(txt), &c, err, sizeof(err)), 0);
	assert_int_equal(c.metrics_allow_count, 3);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct sockaddr_storage ss;

		memset(&ss, 0, sizeof(ss));
		ss.ss_family = (sa_family_t)t[i].family;
		if (t[i].family == AF_INET)
			assert_int_equal(inet_pton(AF_INET, t[i].ip,
						   &((struct sockaddr_in *)&ss)->sin_addr),
					 1);
		else
			assert_int_equal(inet_pton(AF_INET6, t[i].ip,
						   &((struct sockaddr_in6 *)&ss)->sin6_addr),
					 1);
		if (config_metrics_client_allowed(&c, (struct sockaddr *)&ss) != t[i].allowed)
			fail_msg("%s: expected %s", t[i].ip, t[i].allowed ? "allowed" : "refused");
	}
	assert_false(config_metrics_client_allowed(&c, NULL));
	config_free(&c);
	/* default: nobody but the listener's own address */
	{
		static const char def[] = "db_host=h\ndb_password=x\n" KEYS;
		struct sockaddr_in sin = { .sin_family = AF_INET };

		assert_int_equal(config_parse("t.conf", def, strlen(def), &c, err, sizeof(err)), 0);
		assert_int_equal(c.metrics_allow_count, 0);
		inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
		assert_true(config_metrics_client_allowed(&c, (struct sockaddr *)&sin));
		inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
		assert_false(config_metrics_client_allowed(&c, (struct sockaddr *)&sin));
		config_free(&c);
	}
}

static void test_metrics_render(void **state)
{
	struct metrics *m = metrics_new();
	struct strbuf sb = STRBUF_INIT;
	static const double b[] = { 0.1, 1 };
	struct metric_counter *c1, *c2;
	struct metric_histogram *h;

	(void)state;
	c1 = metrics_counter(m, "x_total", "Xs", "route=\"/a\"");
	c2 = metrics_counter(m, "x_total", "Xs", "route=\"/a\"");
	assert_ptr_equal(c1, c2); /* get-or-create */
	metric_counter_add(c1, 2);
	metric_counter_add(metrics_counter(m, "x_total", "Xs", "route=\"/b\""), 1);
	assert_null(metrics_gauge(m, "x_total", "Xs", "")); /* one name, one type */
	metric_gauge_set(metrics_gauge(m, "g", "G", ""), 3);
	metrics_gauge_fn(m, "f", "F", "", half, NULL);
	metrics_counter_fn(m, "cf_total", "CF", "", half, NULL);
	h = metrics_histogram(m, "lat_seconds", "L", "", b, 2);
	metric_histogram_observe(h, 0.05);
	metric_histogram_observe(h, 0.5);
	metric_histogram_observe(h, 7);
	assert_int_equal(metrics_render(m, &sb), 0);
	assert_non_null(strstr(sb.buf, "# TYPE x_total counter\n"));
	assert_non_null(strstr(sb.buf, "x_total{route=\"/a\"} 2\n"));
	assert_non_null(strstr(sb.buf, "x_total{route=\"/b\"} 1\n"));
	assert_non_null(strstr(sb.buf, "g 3\n"));
	assert_non_null(strstr(sb.buf, "f 0.5\n"));
	assert_non_null(strstr(sb.buf, "# TYPE f gauge\n"));
	assert_non_null(strstr(sb.buf, "# TYPE cf_total counter\ncf_total 0.5\n"));
	assert_non_null(strstr(sb.buf, "lat_seconds_bucket{le=\"0.1\"} 1\n"));
	assert_non_null(strstr(sb.buf, "lat_seconds_bucket{le=\"1\"} 2\n"));
	assert_non_null(strstr(sb.buf, "lat_seconds_bucket{le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(sb.buf, "lat_seconds_count 3\n"));
	assert_non_null(strstr(sb.buf, "lat_seconds_sum 7.55"));
	sb_release(&sb);
	assert_int_equal(metrics_label_escape(&sb, "a\"b\\c\nd"), 0);
	assert_string_equal(sb.buf, "a\\\"b\\\\c\\nd");
	sb_release(&sb);
	metrics_free(m);
}

/* ---- dircache ---- */

static void test_dircache(void **state)
{
	struct dircache *dc = dircache_new(2);
	uint64_t gen = dircache_generation(dc);
	size_t len = 0;
	char *v;

	(void)state;
	dircache_put(dc, "d\n1", "doc1", 4, 10000, gen);
	v = dircache_get(dc, "d\n1", &len);
	assert_non_null(v);
	assert_string_equal(v, "doc1");
	assert_int_equal(len, 4);
	free(v);
	assert_null(dircache_get(dc, "d\n2", &len));
	/* a flush between the read of gen and the put: the stale answer is dropped */
	dircache_flush(dc);
	dircache_put(dc, "d\n1", "stale", 5, 10000, gen);
	assert_null(dircache_get(dc, "d\n1", &len));
	/* ttl 0 = no caching */
	gen = dircache_generation(dc);
	dircache_put(dc, "d\n3", "x", 1, 0, gen);
	assert_null(dircache_get(dc, "d\n3", &len));
	/* bounded: the third entry starts over */
	dircache_put(dc, "a", "1", 1, 10000, gen);
	dircache_put(dc, "b", "2", 1, 10000, gen);
	dircache_put(dc, "c", "3", 1, 10000, gen);
	v = dircache_get(dc, "c", &len);
	assert_non_null(v);
	free(v);
	assert_null(dircache_get(dc, "a", &len));
	dircache_free(dc);
}

/* ---- validators and hashes ---- */

static void test_validators(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_true(domain_valid("example.com"));
	assert_true(domain_valid("10.10.10.25"));
	assert_true(domain_valid("a-b.c"));
	assert_false(domain_valid(""));
	assert_false(domain_valid("Example.com")); /* callers lower-case first */
	assert_false(domain_valid("a..b"));
	assert_false(domain_valid("-a.b"));
	assert_false(domain_valid("a-.b"));
	assert_false(domain_valid("a b"));
	assert_false(domain_valid("a/b"));
	assert_true(api_valid_extension("1000"));
	assert_true(api_valid_extension("+4930123"));
	assert_true(api_valid_extension("alice.smith"));
	assert_false(api_valid_extension("*98"));
	assert_false(api_valid_extension("+"));
	assert_false(api_valid_extension("10 00"));
	assert_false(api_valid_extension("${x}"));
	assert_false(api_valid_extension("123456789012345678901234567890123"));
	assert_true(api_valid_password("correct horse", &why));
	assert_false(api_valid_password("short", &why));
	assert_non_null(why);
	assert_false(api_valid_password("tab\there ok?", &why));
	assert_false(api_valid_password("bad utf8 \xff\xfe", &why));
	assert_true(api_valid_display_name("Eve ${x} <X-PRE-PROCESS/>"));
	assert_false(api_valid_display_name("a\nb"));
	assert_true(api_valid_context("default"));
	assert_false(api_valid_context("de fault"));
	assert_true(api_valid_cid_number("+4930"));
	assert_false(api_valid_cid_number("+"));
	assert_false(api_valid_cid_number("12a"));
}

static void test_hashes(void **state)
{
	char hex[33];
	unsigned char a[32], b[32];

	(void)state;
	/* RFC 2617 section 3.5 example: Mufasa / testrealm@host.com / Circle Of Life */
	assert_int_equal(hash_sip_ha1("Mufasa", "testrealm@host.com", "Circle Of Life", hex), 0);
	assert_string_equal(hex, "939e7578ed9e3c518a452acee763bce9");
	assert_int_equal(hash_sha256("abc", 3, a), 0);
	assert_int_equal(a[0], 0xba);
	memcpy(b, a, 32);
	assert_true(hash_equal32(a, b));
	b[31] ^= 1;
	assert_false(hash_equal32(a, b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_decodes),     cmocka_unit_test(test_form_rejects),
		cmocka_unit_test(test_form_field_limit), cmocka_unit_test(test_fsxml_escape),
		cmocka_unit_test(test_config_defaults),  cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_metrics_render),   cmocka_unit_test(test_dircache),
		cmocka_unit_test(test_metrics_allow),    cmocka_unit_test(test_validators),
		cmocka_unit_test(test_hashes),
	};

	return cmocka_run_group_tests_name("voip-admind units", tests, NULL, NULL);
}
