/* Template renderer tests (src/lib/template.c). */
#include "unit.h"

#include <errno.h>

#include "lib/template.h"

struct row {
	const char *name;
	const char *tmpl;
	const char *out;    /* expected output, or NULL when it must fail */
	const char *err[3]; /* messages expected (substrings), in order */
};

static struct row rows[] = {
	{ "no substitution", "plain {text} $x\n", "plain {text} $x\n", { NULL } },
	{ "one raw", "ip {{raw:addr}};", "ip 198.51.100.1;", { NULL } },
	{ "adjacent", "{{raw:addr}}{{raw:addr}}", "198.51.100.1198.51.100.1", { NULL } },
	{ "secret through xml",
	  "<p v=\"{{xml:pw}}\"/>",
	  "<p v=\"a&quot;b&apos;c&#36;{x}\"/>",
	  { NULL } },
	{ "secret through pgconf", "'{{pgconf:pw}}'", "'a\"b''c${x}'", { NULL } },
	{ "single brace kept", "{ {raw:addr} }", "{ {raw:addr} }", { NULL } },
	{ "unknown variable",
	  "a\nb {{raw:nope}}\n",
	  NULL,
	  { "t.tmpl:2: unknown variable 'nope'" } },
	{ "unknown escaper", "{{html:addr}}", NULL, { "t.tmpl:1: unknown escaper 'html'" } },
	{ "raw refused for secret",
	  "x\n\n{{raw:pw}}",
	  NULL,
	  { "t.tmpl:3: variable 'pw' is a secret and cannot use the 'raw' escaper" } },
	{ "escaper refuses value",
	  "{{ka:pw}}",
	  NULL,
	  { "t.tmpl:1: the value of 'pw' cannot be written with the 'ka' escaper" } },
	{ "malformed: spaces", "{{ raw:addr }}", NULL, { "t.tmpl:1: malformed substitution" } },
	{ "malformed: unterminated", "{{raw:addr", NULL, { "t.tmpl:1: malformed substitution" } },
	{ "malformed: no escaper", "{{addr}}", NULL, { "t.tmpl:1: malformed substitution" } },
	{ "malformed: upper case", "{{RAW:addr}}", NULL, { "t.tmpl:1: malformed substitution" } },
	{ "every error reported",
	  "{{raw:a1}}\n{{bad:addr}}\n{{raw:pw}}\n",
	  NULL,
	  { "t.tmpl:1: unknown variable 'a1'", "t.tmpl:2: unknown escaper 'bad'",
	    "t.tmpl:3: variable 'pw' is a secret" } },
};

static void test_row(void **state)
{
	const struct row *r = *state;
	struct vars vars = VARS_INIT;
	struct errlist el = ERRLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	size_t i;
	int ret;

	assert_int_equal(vars_set(&vars, "addr", "198.51.100.1", false), 0);
	assert_int_equal(vars_set(&vars, "pw", "a\"b'c${x}", true), 0);
	ret = template_render("t.tmpl", r->tmpl, strlen(r->tmpl), &vars, &out, &el);
	if (r->out) {
		for (i = 0; i < el.count; i++)
			print_error("unexpected: %s\n", el.msgs[i]);
		assert_int_equal(ret, 0);
		assert_string_equal(sb_str(&out), r->out);
	} else {
		assert_int_equal(ret, -EINVAL);
		for (i = 0; i < 3 && r->err[i]; i++) {
			assert_true(i < el.count);
			if (!strstr(el.msgs[i], r->err[i]))
				fail_msg("message '%s' lacks '%s'", el.msgs[i], r->err[i]);
		}
		assert_int_equal(el.count, i);
		for (i = 0; i < el.count; i++)
			assert_null(strstr(el.msgs[i], "a\"b")); /* never the secret */
	}
	sb_release(&out);
	errlist_free(&el);
	vars_free(&vars);
}

static const char *row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

int main(void)
{
	return run_table("template", test_row, rows, sizeof(rows[0]),
			 sizeof(rows) / sizeof(rows[0]), row_name);
}
