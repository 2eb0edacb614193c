/* Single-value syntax checks (see validators.h). */
#include "lib/validators.h"
#include "lib/errlist.h"
#include "lib/utf8.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int ullong_parse(const char *s, unsigned long long min, unsigned long long max,
		 unsigned long long *ret)
{
	unsigned long long v = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && s[1] != '\0')
		return -EINVAL;
	for (p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -EINVAL;
	for (p = s; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (ULLONG_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int uint_parse(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	unsigned long long v;
	int r = ullong_parse(s, min, max, &v);

	if (r == 0)
		*ret = (unsigned)v;
	return r;
}

int ipv4_parse(const char *s, uint32_t *ret_addr)
{
	uint32_t addr = 0;
	int octet;

	if (!s)
		return -EINVAL;
	for (octet = 0; octet < 4; octet++) {
		unsigned v = 0;
		int digits = 0;

		if (octet > 0) {
			if (*s != '.')
				return -EINVAL;
			s++;
		}
		if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
			return -EINVAL; /* leading zero: octal to some parsers */
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s - '0');
			if (++digits > 3 || v > 255)
				return -EINVAL;
			s++;
		}
		if (digits == 0)
			return -EINVAL;
		addr = (addr << 8) | v;
	}
	if (*s != '\0')
		return -EINVAL;
	*ret_addr = addr;
	return 0;
}

void ipv4_format(uint32_t a, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(a >> 24), (unsigned)(a >> 16) & 255,
		 (unsigned)(a >> 8) & 255, (unsigned)a & 255);
}

bool ifname_valid(const char *s)
{
	size_t n = strlen(s), i;

	/* IFNAMSIZ is 16 including the NUL. */
	if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool hostname_valid(const char *s)
{
	size_t n = strlen(s), label = 0, i;
	bool alpha = false;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i <= n; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || s[i - 1] == '-')
				return false; /* empty label or trailing hyphen */
			label = 0;
			continue;
		}
		if (c == '-') {
			if (label == 0)
				return false; /* leading hyphen */
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			alpha = true;
		} else if (!(c >= '0' && c <= '9')) {
			return false;
		}
		if (c == '-')
			alpha = true;
		if (++label > 63)
			return false;
	}
	return alpha;
}

bool cluster_name_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 63)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '-')))
			return false;
	}
	return true;
}

bool weekday_valid(const char *s)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	size_t i;

	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		if (strcmp(s, days[i]) == 0)
			return true;
	return false;
}

bool time_of_day_valid(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':')
		return false;
	for (size_t i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	return (s[0] - '0') * 10 + (s[1] - '0') < 24 && s[3] < '6';
}

/* s equals suffix, or ends with "." suffix; ignoring ASCII case. */
static bool is_or_under(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	if (n < m || strcasecmp(s + n - m, suffix) != 0)
		return false;
	return n == m || s[n - m - 1] == '.';
}

bool hostname_is_loopback(const char *s)
{
	static const char *const exact[] = { "ip6-localhost", "ip6-loopback", "localhost6",
					     "localhost6.localdomain6" };
	size_t i;

	if (is_or_under(s, "localhost") || is_or_under(s, "localhost.localdomain"))
		return true;
	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcasecmp(s, exact[i]) == 0)
			return true;
	return false;
}

bool domain_valid(const char *s)
{
	uint32_t a;

	for (const char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			return false;
	return hostname_valid(s) || ipv4_parse(s, &a) == 0;
}

bool ka_char_ok(unsigned char c)
{
	/* keepalived: '#' and '!' start comments, '"' quotes, '{' '}' are block
	 * tokens, '$' expands definitions, '\' escapes inside strings. */
	return c > 0x20 && c < 0x7f && !strchr("\"'#!{}$\\", c);
}

bool ka_quoted_char_ok(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"';
}

bool ipv4_unicast_host(uint32_t a)
{
	unsigned first = a >> 24;

	return first != 0 && first != 127 && first < 224 && (a >> 16) != 0xa9fe;
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

void password_check(const char *name, const char *v, struct errlist *el)
{
	size_t n = strlen(v);

	if (n == 0)
		errlist_add(el, "%s: must not be empty", name);
	if (n > PASSWORD_MAX)
		errlist_add(el, "%s: must be at most %d bytes", name, PASSWORD_MAX);
	if (has_ctl(v))
		errlist_add(el, "%s: must not contain control characters (newline, tab, ...)",
			    name);
	if (!utf8_valid(v, n))
		errlist_add(el, "%s: must be valid UTF-8", name);
}

int ipv4_cidr_parse(const char *s, size_t len, uint32_t *ret_addr, unsigned *ret_prefix)
{
	char buf[20]; /* 255.255.255.255/32 */
	char *slash;
	unsigned prefix = 32;
	uint32_t addr;

	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (uint_parse(slash + 1, 1, 32, &prefix) < 0)
			return -EINVAL;
	}
	if (ipv4_parse(buf, &addr) < 0)
		return -EINVAL;
	if (prefix < 32 && (addr & ~(0xffffffffu << (32 - prefix))) != 0)
		return -EDOM;
	*ret_addr = addr;
	*ret_prefix = prefix;
	return 0;
}

bool ka_quoted_ok(const char *s)
{
	size_t n = strlen(s), run = 0;

	for (const char *p = s; *p; p++)
		if (!ka_quoted_char_ok((unsigned char)*p))
			return false;
	while (run < n && s[n - 1 - run] == '\\')
		run++;
	return run % 2 == 0;
}

bool kam_dburl_password_ok(const char *s)
{
	const char *slash = strchr(s, '/'), *at = strchr(s, '@');

	return !slash || (at && at < slash);
}
