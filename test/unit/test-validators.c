/* Table tests of the single-value validators (src/lib/validators.c), and the
 * shared hex (src/lib/hex.c) and socket address (src/lib/sockaddr.c) helpers. */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>

#include "lib/hex.h"
#include "lib/sockaddr.h"
#include "lib/validators.h"

enum what {
	IPV4,
	IFNAME,
	HOSTNAME,
	LOOPBACK_NAME,
	DOMAIN,
	KA_QUOTED,
	KAM_DBURL_PW,
	UINT_1_65535,
	ULLONG_5_MAX
};

struct row {
	const char *name;
	enum what what;
	const char *input;
	int ok;
	unsigned long long value; /* for IPV4 and the integers when ok */
};

static struct row rows[] = {
	{ "ipv4 plain", IPV4, "198.51.100.10", 1, 0xc633640a },
	{ "ipv4 zeros", IPV4, "0.0.0.0", 1, 0 },
	{ "ipv4 max", IPV4, "255.255.255.255", 1, 0xffffffff },
	{ "ipv4 leading zero", IPV4, "198.051.100.10", 0, 0 },
	{ "ipv4 leading zero last", IPV4, "198.51.100.01", 0, 0 },
	{ "ipv4 octet 256", IPV4, "198.51.100.256", 0, 0 },
	{ "ipv4 octet 1000", IPV4, "1000.1.1.1", 0, 0 },
	{ "ipv4 three octets", IPV4, "198.51.100", 0, 0 },
	{ "ipv4 five octets", IPV4, "198.51.100.1.2", 0, 0 },
	{ "ipv4 trailing dot", IPV4, "198.51.100.1.", 0, 0 },
	{ "ipv4 empty octet", IPV4, "198..100.1", 0, 0 },
	{ "ipv4 sign", IPV4, "+198.51.100.1", 0, 0 },
	{ "ipv4 negative", IPV4, "198.-51.100.1", 0, 0 },
	{ "ipv4 space", IPV4, "198.51.100.1 ", 0, 0 },
	{ "ipv4 hex", IPV4, "0xc6.51.100.1", 0, 0 },
	{ "ipv4 with prefix", IPV4, "198.51.100.1/24", 0, 0 },
	{ "ipv4 empty", IPV4, "", 0, 0 },
	{ "ipv4 integer form", IPV4, "3325256714", 0, 0 },
	{ "ipv6", IPV4, "2001:db8::1", 0, 0 },
	{ "ifname eth0", IFNAME, "eth0", 1, 0 },
	{ "ifname vlan", IFNAME, "enp0s31f6.100", 1, 0 },
	{ "ifname bridge", IFNAME, "br-lan_1", 1, 0 },
	{ "ifname 15 chars", IFNAME, "abcdefghijklmno", 1, 0 },
	{ "ifname 16 chars", IFNAME, "abcdefghijklmnop", 0, 0 },
	{ "ifname empty", IFNAME, "", 0, 0 },
	{ "ifname dot", IFNAME, ".", 0, 0 },
	{ "ifname dotdot", IFNAME, "..", 0, 0 },
	{ "ifname slash", IFNAME, "eth/0", 0, 0 },
	{ "ifname colon alias", IFNAME, "eth0:1", 0, 0 },
	{ "ifname space", IFNAME, "eth 0", 0, 0 },
	{ "ifname tab", IFNAME, "eth\t0", 0, 0 },
	{ "ifname quote", IFNAME, "eth0\"", 0, 0 },
	{ "ifname non-ASCII", IFNAME, "\xc3\xa9th0", 0, 0 },
	{ "hostname simple", HOSTNAME, "voip-node1", 1, 0 },
	{ "loopback localhost", LOOPBACK_NAME, "localhost", 1, 0 },
	{ "loopback case", LOOPBACK_NAME, "LocalHost", 1, 0 },
	{ "loopback under .localhost", LOOPBACK_NAME, "pbx1.localhost", 1, 0 },
	{ "loopback deep under .localhost", LOOPBACK_NAME, "a.b.LOCALHOST", 1, 0 },
	{ "loopback localdomain", LOOPBACK_NAME, "localhost.localdomain", 1, 0 },
	{ "loopback under localdomain", LOOPBACK_NAME, "x.localhost.localdomain", 1, 0 },
	{ "loopback ip6-localhost", LOOPBACK_NAME, "ip6-localhost", 1, 0 },
	{ "loopback ip6-loopback", LOOPBACK_NAME, "IP6-Loopback", 1, 0 },
	{ "loopback localhost6", LOOPBACK_NAME, "localhost6", 1, 0 },
	{ "loopback localhost6.localdomain6", LOOPBACK_NAME, "localhost6.localdomain6", 1, 0 },
	{ "loopback not a suffix of a label", LOOPBACK_NAME, "mylocalhost", 0, 0 },
	{ "loopback not a prefix", LOOPBACK_NAME, "localhostx", 0, 0 },
	{ "loopback a real domain", LOOPBACK_NAME, "localhost.example.com", 0, 0 },
	{ "loopback under ip6-localhost is not", LOOPBACK_NAME, "a.ip6-localhost", 0, 0 },
	{ "loopback plain name", LOOPBACK_NAME, "pbx1", 0, 0 },
	{ "loopback empty", LOOPBACK_NAME, "", 0, 0 },
	{ "ka quoted plain", KA_QUOTED, "a b", 1, 0 },
	{ "ka quoted inner backslash", KA_QUOTED, "a\\b", 1, 0 },
	{ "ka quoted leading backslash", KA_QUOTED, "\\ab", 1, 0 },
	{ "ka quoted one trailing backslash", KA_QUOTED, "ab\\", 0, 0 },
	{ "ka quoted two trailing backslashes", KA_QUOTED, "ab\\\\", 1, 0 },
	{ "ka quoted three trailing backslashes", KA_QUOTED, "a\\\\\\", 0, 0 },
	{ "ka quoted only a backslash", KA_QUOTED, "\\", 0, 0 },
	{ "ka quoted only two backslashes", KA_QUOTED, "\\\\", 1, 0 },
	{ "ka quoted double quote", KA_QUOTED, "a\"b", 0, 0 },
	{ "ka quoted tab", KA_QUOTED, "a\tb", 0, 0 },
	{ "kam pw plain", KAM_DBURL_PW, "plain", 1, 0 },
	{ "kam pw at only", KAM_DBURL_PW, "p@ss", 1, 0 },
	{ "kam pw slash after at", KAM_DBURL_PW, "p@ss/w0rd", 1, 0 },
	{ "kam pw at slash", KAM_DBURL_PW, "@/", 1, 0 },
	{ "kam pw slashes after at", KAM_DBURL_PW, "a@b/c@d/e", 1, 0 },
	{ "kam pw slash alone", KAM_DBURL_PW, "/", 0, 0 },
	{ "kam pw slash no at", KAM_DBURL_PW, "a/b", 0, 0 },
	{ "kam pw slash before at", KAM_DBURL_PW, "a/b@c", 0, 0 },
	{ "kam pw slash then at", KAM_DBURL_PW, "/@", 0, 0 },
	{ "hostname fqdn", HOSTNAME, "pbx1.example.org", 1, 0 },
	{ "hostname digit start", HOSTNAME, "1pbx", 1, 0 },
	{ "hostname 63-char label", HOSTNAME,
	  "a23456789012345678901234567890123456789012345678901234567890123", 1, 0 },
	{ "hostname 64-char label", HOSTNAME,
	  "a234567890123456789012345678901234567890123456789012345678901234", 0, 0 },
	{ "hostname empty", HOSTNAME, "", 0, 0 },
	{ "hostname leading hyphen", HOSTNAME, "-pbx", 0, 0 },
	{ "hostname trailing hyphen", HOSTNAME, "pbx-", 0, 0 },
	{ "hostname label trailing hyphen", HOSTNAME, "pbx-.example", 0, 0 },
	{ "hostname underscore", HOSTNAME, "pbx_1", 0, 0 },
	{ "hostname trailing dot", HOSTNAME, "pbx.", 0, 0 },
	{ "hostname empty label", HOSTNAME, "pbx..org", 0, 0 },
	{ "hostname space", HOSTNAME, "pbx 1", 0, 0 },
	{ "hostname all digits", HOSTNAME, "198.51.100.1", 0, 0 },
	{ "hostname non-ASCII", HOSTNAME, "p\xc3\xa9x", 0, 0 },
	{ "uint 1", UINT_1_65535, "1", 1, 1 },
	{ "uint 65535", UINT_1_65535, "65535", 1, 65535 },
	{ "uint 0", UINT_1_65535, "0", 0, 0 },
	{ "uint 65536", UINT_1_65535, "65536", 0, 0 },
	{ "uint leading zero", UINT_1_65535, "080", 0, 0 },
	{ "uint sign", UINT_1_65535, "+80", 0, 0 },
	{ "uint space", UINT_1_65535, " 80", 0, 0 },
	{ "uint empty", UINT_1_65535, "", 0, 0 },
	{ "uint huge", UINT_1_65535, "99999999999999999999999", 0, 0 },
	{ "uint hex", UINT_1_65535, "0x50", 0, 0 },
	{ "uint 2^32 wraps to 0", UINT_1_65535, "4294967296", 0, 0 },
	{ "domain name", DOMAIN, "pbx.example.org", 1, 0 },
	{ "domain address", DOMAIN, "10.10.10.25", 1, 0 },
	{ "domain a-b.c", DOMAIN, "a-b.c", 1, 0 },
	{ "domain upper case", DOMAIN, "Example.com", 0, 0 },
	{ "domain empty", DOMAIN, "", 0, 0 },
	{ "domain empty label", DOMAIN, "a..b", 0, 0 },
	{ "domain leading hyphen", DOMAIN, "-a.b", 0, 0 },
	{ "domain label trailing hyphen", DOMAIN, "a-.b", 0, 0 },
	{ "domain space", DOMAIN, "a b", 0, 0 },
	{ "domain slash", DOMAIN, "a/b", 0, 0 },
	{ "domain partial address", DOMAIN, "10.10.10", 0, 0 },
	{ "domain address octet 256", DOMAIN, "10.10.10.256", 0, 0 },
	{ "ullong 5", ULLONG_5_MAX, "5", 1, 5 },
	{ "ullong max", ULLONG_5_MAX, "18446744073709551615", 1, 18446744073709551615ULL },
	{ "ullong max+1", ULLONG_5_MAX, "18446744073709551616", 0, 0 },
	{ "ullong 2^64*10", ULLONG_5_MAX, "184467440737095516150", 0, 0 },
	{ "ullong below min", ULLONG_5_MAX, "4", 0, 0 },
	{ "ullong leading zero", ULLONG_5_MAX, "05", 0, 0 },
	{ "ullong minus", ULLONG_5_MAX, "-5", 0, 0 },
	{ "ullong trailing space", ULLONG_5_MAX, "5 ", 0, 0 },
};

static void test_row(void **state)
{
	const struct row *r = *state;
	uint32_t a = 0;
	unsigned u = 0;
	unsigned long long ull = 0;

	switch (r->what) {
	case IPV4:
		assert_int_equal(ipv4_parse(r->input, &a) == 0, r->ok);
		if (r->ok) {
			char back[16];

			assert_int_equal(a, r->value);
			ipv4_format(a, back);
			assert_string_equal(back, r->input);
		}
		break;
	case IFNAME:
		assert_int_equal(ifname_valid(r->input), r->ok);
		break;
	case HOSTNAME:
		assert_int_equal(hostname_valid(r->input), r->ok);
		break;
	case LOOPBACK_NAME:
		assert_int_equal(hostname_is_loopback(r->input), r->ok);
		break;
	case DOMAIN:
		assert_int_equal(domain_valid(r->input), r->ok);
		break;
	case KA_QUOTED:
		assert_int_equal(ka_quoted_ok(r->input), r->ok);
		break;
	case KAM_DBURL_PW:
		assert_int_equal(kam_dburl_password_ok(r->input), r->ok);
		break;
	case ULLONG_5_MAX:
		assert_int_equal(ullong_parse(r->input, 5, ULLONG_MAX, &ull) == 0, r->ok);
		if (r->ok)
			assert_true(ull == r->value);
		break;
	case UINT_1_65535:
		assert_int_equal(uint_parse(r->input, 1, 65535, &u) == 0, r->ok);
		if (r->ok)
			assert_int_equal(u, r->value);
		break;
	}
}

static const char *row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static void test_ka_chars(void **state)
{
	const char *bad = " \"'#!{}$\\\t\n";
	unsigned c;

	(void)state;
	for (c = 0x21; c < 0x7f; c++)
		assert_int_equal(ka_char_ok((unsigned char)c), strchr(bad, (int)c) == NULL);
	assert_false(ka_char_ok(0x7f));
	assert_false(ka_char_ok(0xc3));
	assert_false(ka_char_ok(' '));
	for (c = 0x20; c < 0x7f; c++)
		assert_int_equal(ka_quoted_char_ok((unsigned char)c), c != '"');
	assert_false(ka_quoted_char_ok('\t'));
	assert_false(ka_quoted_char_ok(0x7f));
	assert_false(ka_quoted_char_ok(0xc3));
}

static void test_hex_round_trip(void **state)
{
	unsigned char in[256], back[256];
	char text[513];

	(void)state;
	for (unsigned i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	hex_encode(in, 256, text);
	assert_int_equal(strlen(text), 512);
	assert_memory_equal(text, "000102", 6);
	assert_string_equal(text + 500, "fafbfcfdfeff");
	assert_int_equal(hex_decode(text, back, 256), 0);
	assert_memory_equal(in, back, 256);
}

static void test_hex_decode_case(void **state)
{
	unsigned char out[2];

	(void)state;
	assert_int_equal(hex_decode("aBcD", out, 2), 0);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
}

static void test_hex_decode_bad(void **state)
{
	static const char *const bad[] = {
		"", "a", "abc", "abcde", "abcg", "ab d", "0x12", "ab\ncd"
	};
	unsigned char out[2];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out[0] = out[1] = 0x55;
		assert_int_equal(hex_decode(bad[i], out, 2), -EINVAL);
		assert_int_equal(out[0], 0); /* wiped */
		assert_int_equal(out[1], 0);
	}
}

static void test_sockaddr(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;

	(void)state;
	assert_int_equal(sockaddr_from_ip("127.0.0.1", 8080, &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
	assert_int_equal(ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr), 0x7f000001);

	assert_int_equal(sockaddr_from_ip("::1", 9100, &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 9100);

	assert_int_equal(sockaddr_from_ip("localhost", 1, &ss, NULL), -EINVAL);
	assert_int_equal(sockaddr_from_ip("[::1]", 1, &ss, NULL), -EINVAL);
	assert_int_equal(sockaddr_from_ip("127.0.0.1 ", 1, &ss, NULL), -EINVAL);
	assert_int_equal(sockaddr_from_ip("", 1, &ss, NULL), -EINVAL);
}

static void test_cidr(void **state)
{
	static const struct {
		const char *s;
		int r;
		uint32_t addr;
		unsigned prefix;
	} t[] = {
		{ "203.0.113.7", 0, 0xcb007107, 32 },
		{ "203.0.113.0/24", 0, 0xcb007100, 24 },
		{ "10.0.0.0/8", 0, 0x0a000000, 8 },
		{ "128.0.0.0/1", 0, 0x80000000, 1 },
		{ "203.0.113.7/32", 0, 0xcb007107, 32 },
		{ "203.0.113.5/24", -EDOM, 0, 0 },
		{ "203.0.113.0/0", -EINVAL, 0, 0 },
		{ "203.0.113.0/33", -EINVAL, 0, 0 },
		{ "203.0.113.0/024", -EINVAL, 0, 0 },
		{ "203.0.113.0/", -EINVAL, 0, 0 },
		{ "/24", -EINVAL, 0, 0 },
		{ "203.0.113.07", -EINVAL, 0, 0 },
		{ "203.0.113.0/24/1", -EINVAL, 0, 0 },
		{ "", -EINVAL, 0, 0 },
		{ "255.255.255.255/32x", -EINVAL, 0, 0 },
		{ " 203.0.113.7", -EINVAL, 0, 0 },
	};
	uint32_t a;
	unsigned p;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = ipv4_cidr_parse(t[i].s, strlen(t[i].s), &a, &p);

		if (r != t[i].r)
			fail_msg("'%s': %d, expected %d", t[i].s, r, t[i].r);
		if (r == 0 && (a != t[i].addr || p != t[i].prefix))
			fail_msg("'%s': %08x/%u", t[i].s, a, p);
	}
	/* the length bounds the element: one list element at a time */
	assert_int_equal(ipv4_cidr_parse("203.0.113.7,10.0.0.1", 11, &a, &p), 0);
	assert_int_equal(a, 0xcb007107);
	assert_int_equal(ipv4_cidr_parse("203.0.113.7\0/8", 14, &a, &p), -EINVAL);
}

int main(void)
{
	static const struct CMUnitTest more[] = {
		cmocka_unit_test(test_ka_chars),        cmocka_unit_test(test_hex_round_trip),
		cmocka_unit_test(test_hex_decode_case), cmocka_unit_test(test_hex_decode_bad),
		cmocka_unit_test(test_sockaddr),        cmocka_unit_test(test_cidr),
	};

	return run_table("validators", test_row, rows, sizeof(rows[0]),
			 sizeof(rows) / sizeof(rows[0]), row_name) +
	       cmocka_run_group_tests_name("helpers", more, NULL, NULL);
}
