/* Escaper tests (src/lib/escape.c): exact outputs for each escaper, refusals,
 * and round trips: every hostile string is escaped, then decoded by an
 * independent decoder that follows the target syntax's rules, and must come
 * back byte for byte. */
#include "unit.h"

#include <errno.h>

#include "lib/escape.h"

/* ---- decoders, one per target syntax ---- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 :
				      -1;
}

/* XML 1.0 predefined entities and character references. */
static int dec_xml(const char *s, struct strbuf *o)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {
		{ "&amp;", '&' },  { "&lt;", '<' },    { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	size_t i;

	while (*s) {
		if (*s == '<' || *s == '>' || *s == '"' || *s == '\'')
			return -1; /* must have been escaped */
		if (*s != '&') {
			sb_addc(o, *s++);
			continue;
		}
		for (i = 0; i < 5; i++)
			if (!strncmp(s, ents[i].ent, strlen(ents[i].ent)))
				break;
		if (i < 5) {
			sb_addc(o, ents[i].c);
			s += strlen(ents[i].ent);
		} else if (s[1] == '#') {
			char *end;
			long v = strtol(s + 2, &end, 10);

			if (*end != ';' || v <= 0 || v > 127)
				return -1;
			sb_addc(o, (char)v);
			s = end + 1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* Lua 5.3 short string body: \\ \" \' and \ddd (decimal). */
static int dec_lua(const char *s, struct strbuf *o)
{
	while (*s) {
		if (*s == '"' || *s == '\n')
			return -1;
		if (*s != '\\') {
			sb_addc(o, *s++);
			continue;
		}
		s++;
		if (*s == '\\' || *s == '"' || *s == '\'') {
			sb_addc(o, *s++);
		} else if (*s >= '0' && *s <= '9') {
			int v = 0, n;

			for (n = 0; n < 3 && *s >= '0' && *s <= '9'; n++)
				v = v * 10 + (*s++ - '0');
			sb_addc(o, (char)v);
		} else {
			return -1;
		}
	}
	return 0;
}

/* Kamailio cfg string body: \\ and \". */
static int dec_kam(const char *s, struct strbuf *o)
{
	while (*s) {
		if (*s == '"')
			return -1;
		if (*s == '\\') {
			s++;
			if (*s != '\\' && *s != '"')
				return -1;
		}
		sb_addc(o, *s++);
	}
	return 0;
}

/* postgresql.conf quoted value: '' and backslash escapes. */
static int dec_pgconf(const char *s, struct strbuf *o)
{
	while (*s) {
		if (*s == '\'') {
			if (s[1] != '\'')
				return -1;
			s++;
		} else if (*s == '\\') {
			s++;
			if (!*s)
				return -1;
		}
		sb_addc(o, *s++);
	}
	return 0;
}

/* .pgpass field as libpq reads it: backslash takes the next char, an
 * unescaped ':' would end the field. */
static int dec_pgpass(const char *s, struct strbuf *o)
{
	while (*s) {
		if (*s == ':')
			return -1;
		if (*s == '\\') {
			s++;
			if (!*s)
				return -1;
		}
		sb_addc(o, *s++);
	}
	return 0;
}

static int dec_url(const char *s, struct strbuf *o)
{
	while (*s) {
		if (*s == '%') {
			int h = hexval(s[1]), l = h < 0 ? -1 : hexval(s[2]);

			if (l < 0)
				return -1;
			sb_addc(o, (char)(h * 16 + l));
			s += 3;
			continue;
		}
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~",
			    *s))
			return -1;
		sb_addc(o, *s++);
	}
	return 0;
}

/* POSIX sh word made of '...' pieces and \' (as escape_sh writes them). */
static int dec_sh(const char *s, struct strbuf *o)
{
	if (!*s)
		return -1;
	while (*s) {
		if (s[0] == '\\' && s[1] == '\'') {
			sb_addc(o, '\'');
			s += 2;
		} else if (*s == '\'') {
			const char *end = strchr(s + 1, '\'');

			if (!end)
				return -1;
			sb_add(o, s + 1, (size_t)(end - s - 1));
			s = end + 1;
		} else {
			return -1;
		}
	}
	return 0;
}

static int dec_verbatim(const char *s, struct strbuf *o)
{
	return sb_adds(o, s);
}

struct codec {
	const char *name;
	int (*decode)(const char *, struct strbuf *);
};

static const struct codec codecs[] = {
	{ "xml", dec_xml },       { "lua", dec_lua }, { "kam", dec_kam }, { "pgconf", dec_pgconf },
	{ "pgpass", dec_pgpass }, { "url", dec_url }, { "sh", dec_sh },   { "raw", dec_verbatim },
};

/* Legal-but-nasty values: each must round-trip through every escaper. */
static const char *const hostile[] = {
	"plain",
	"a\"b",
	"a'b",
	"a\\b",
	"a$b",
	"a:b",
	"${x}",
	"$${y}",
	"$$${z}",
	"${x}$${y}",
	"m\xe1\xba\xadt kh\xe1\xba\xa9u",
	"\xe2\x82\xac\xf0\x9f\x93\x9e",
	"<x>&#;",
	"&amp;",
	"]]>",
	"%41%",
	"' ; rm -rf / ; '",
	"\\\\",
	"end\\",
	"\\",
	"''",
	"\"\"",
	"a b  c",
	"X-PRE-PROCESS",
	"#!define X",
	"$(id)`id`",
	"--",
	"r\"e'p\\l$i:c${x}a$${y}<x>&#;m\xe1\xba\xadt kh\xe1\xba\xa9u/@?%20 end\\",
	"1234567890",
	"[x]{y}",
	"\\'\\\"",
};

struct row {
	char name[96];
	const struct codec *codec;
	const char *value;
};

static struct row
	rt_rows[sizeof(codecs) / sizeof(codecs[0]) * sizeof(hostile) / sizeof(hostile[0])];

static void test_round_trip(void **state)
{
	const struct row *r = *state;
	const struct escaper *e = escaper_find(r->codec->name);
	struct strbuf enc = STRBUF_INIT, dec = STRBUF_INIT;
	const char *why = NULL;

	assert_non_null(e);
	assert_int_equal(e->fn(&enc, r->value, &why), 0);
	if (r->codec->decode(sb_str(&enc), &dec) < 0)
		fail_msg("'%s' escaped as '%s' does not decode", r->value, sb_str(&enc));
	assert_string_equal(sb_str(&dec), r->value);
	if (strcmp(r->codec->name, "xml") == 0)
		assert_null(strchr(sb_str(&enc), '$')); /* no ${ or $${ left */
	if (strcmp(r->codec->name, "xml") == 0)
		assert_null(strcasestr(sb_str(&enc), "x-pre-process"));
	sb_release(&enc);
	sb_release(&dec);
}

static const char *rt_name(const void *row)
{
	return ((const struct row *)row)->name;
}

/* ---- exact outputs and refusals ---- */

struct exact {
	const char *name, *esc, *in;
	const char *out; /* NULL: must be refused with -EINVAL */
};

static struct exact exact_rows[] = {
	{ "raw verbatim", "raw", "a\"'$\\", "a\"'$\\" },
	{ "xml entities", "xml", "&<>\"'", "&amp;&lt;&gt;&quot;&apos;" },
	{ "xml breaks ${", "xml", "${x}", "&#36;{x}" },
	{ "xml breaks $${", "xml", "$${x}", "&#36;&#36;{x}" },
	{ "xml breaks x-pre-process", "xml", "a X-PRE-process-b", "a X&#45;PRE&#45;process-b" },
	{ "xml keeps other hyphens", "xml", "a-b--c", "a-b--c" },
	{ "xml breaks repeated x-pre-process", "xml", "x-pre-processx-pre-process",
	  "x&#45;pre&#45;processx&#45;pre&#45;process" },
	{ "xml keeps UTF-8", "xml", "m\xe1\xba\xadt", "m\xe1\xba\xadt" },
	{ "xml refuses newline", "xml", "a\nb", NULL },
	{ "xml refuses tab", "xml", "a\tb", NULL },
	{ "xml refuses DEL", "xml", "a\x7f", NULL },
	{ "xml refuses bad UTF-8", "xml", "a\xff", NULL },
	{ "lua quotes", "lua", "a\"b'c\\d", "a\\\"b\\'c\\\\d" },
	{ "lua control as decimal", "lua", "a\n1", "a\\0101" },
	{ "lua keeps UTF-8", "lua", "\xe2\x82\xac", "\xe2\x82\xac" },
	{ "kam quotes", "kam", "a\"b\\c'd$e", "a\\\"b\\\\c'd$e" },
	{ "kam refuses newline", "kam", "a\nb", NULL },
	{ "pgconf quotes", "pgconf", "a'b\\c\"d", "a''b\\\\c\"d" },
	{ "pgconf refuses CR", "pgconf", "a\rb", NULL },
	{ "pgpass colon and backslash", "pgpass", "a:b\\c", "a\\:b\\\\c" },
	{ "pgpass refuses newline", "pgpass", "a\nb", NULL },
	{ "ka verbatim", "ka", "v:r;&<>%", "v:r;&<>%" },
	{ "ka quotes space", "ka", "a b", "\"a b\"" },
	{ "ka quotes an operator's secret", "ka", "vR p#8x!", "\"vR p#8x!\"" },
	{ "ka quotes leading and trailing space", "ka", " x ", "\" x \"" },
	{ "ka refuses double quote", "ka", "a\"b", NULL },
	{ "ka quotes single quote", "ka", "a'b", "\"a'b\"" },
	{ "ka quotes hash", "ka", "a#b", "\"a#b\"" },
	{ "ka quotes bang", "ka", "a!b", "\"a!b\"" },
	{ "ka quotes dollar", "ka", "a$b", "\"a$b\"" },
	{ "ka quotes brace", "ka", "a{b", "\"a{b\"" },
	{ "ka quotes backslash (literal in quotes)", "ka", "a\\b", "\"a\\b\"" },
	{ "ka refuses a trailing backslash (keepalived: unterminated quote)", "ka", "ab\\", NULL },
	{ "ka quotes two trailing backslashes", "ka", "ab\\\\", "\"ab\\\\\"" },
	{ "ka refuses three trailing backslashes", "ka", "a\\\\\\", NULL },
	{ "ka refuses tab", "ka", "a\tb", NULL },
	{ "ka refuses non-ASCII", "ka", "m\xe1\xba\xadt", NULL },
	{ "ka refuses empty", "ka", "", NULL },
	{ "url unreserved kept", "url", "Az09-._~", "Az09-._~" },
	{ "url reserved encoded", "url", ":/?#[]@!$&'()*+,;= %",
	  "%3A%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%20%25" },
	{ "url UTF-8 bytes", "url", "\xe1\xba\xad", "%E1%BA%AD" },
	{ "line verbatim", "line", "a\"'\\$:#=; x", "a\"'\\$:#=; x" },
	{ "line refuses LF", "line", "a\nb", NULL },
	{ "line refuses CR", "line", "a\rb", NULL },
	{ "sh simple", "sh", "abc", "'abc'" },
	{ "sh quote", "sh", "it's", "'it'\\''s'" },
	{ "sh empty", "sh", "", "''" },
};

static void test_exact(void **state)
{
	const struct exact *r = *state;
	const struct escaper *e = escaper_find(r->esc);
	struct strbuf out = STRBUF_INIT;
	const char *why = NULL;
	int ret;

	assert_non_null(e);
	ret = e->fn(&out, r->in, &why);
	if (r->out) {
		assert_int_equal(ret, 0);
		assert_string_equal(sb_str(&out), r->out);
	} else {
		assert_int_equal(ret, -EINVAL);
		assert_non_null(why);
	}
	sb_release(&out);
}

static const char *exact_name(const void *row)
{
	return ((const struct exact *)row)->name;
}

static void test_lookup(void **state)
{
	(void)state;
	assert_null(escaper_find("html"));
	assert_null(escaper_find(""));
	assert_false(escaper_find("raw")->secret_ok);
	assert_true(escaper_find("xml")->secret_ok);
	assert_true(escaper_find("line")->secret_ok);
}

int main(void)
{
	static const struct CMUnitTest more[] = { cmocka_unit_test(test_lookup) };
	size_t i, j, n = 0;
	int failed;

	for (i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		for (j = 0; j < sizeof(hostile) / sizeof(hostile[0]); j++) {
			rt_rows[n].codec = &codecs[i];
			rt_rows[n].value = hostile[j];
			snprintf(rt_rows[n].name, sizeof(rt_rows[n].name), "%s round trip #%zu",
				 codecs[i].name, j);
			n++;
		}
	failed = run_table("escape-round-trip", test_round_trip, rt_rows, sizeof(rt_rows[0]), n,
			   rt_name);
	failed += run_table("escape-exact", test_exact, exact_rows, sizeof(exact_rows[0]),
			    sizeof(exact_rows) / sizeof(exact_rows[0]), exact_name);
	return failed + cmocka_run_group_tests_name("escape-lookup", more, NULL, NULL);
}
