/* MANIFEST parser tests (src/lib/manifest.c). */
#include "unit.h"

#include <errno.h>

#include "lib/manifest.h"

struct row {
	const char *name;
	const char *text;
	int ok;
	const char *err;        /* substring of the first error when !ok */
};

static struct row rows[] = {
	{ "minimal line", "a.tmpl /etc/a 0644 root:root\n", 1, NULL },
	{ "comments, blanks, scope", "# c\n\n  a.tmpl\t/etc/a  0640 root:kamailio node\n"
	  "d.tmpl /DEPLOY.md 0644 root:root deploy\n", 1, NULL },
	{ "destination substitution", "a.tmpl /etc/postgresql/{{raw:pg_major}}/main/x 0644 postgres:postgres\n",
	  1, NULL },
	{ "too few fields", "a.tmpl /etc/a 0644\n", 0, "M:1: expected 'template destination" },
	{ "too many fields", "a.tmpl /etc/a 0644 root:root node extra\n", 0, "M:1: expected" },
	{ "template absolute", "/a.tmpl /etc/a 0644 root:root\n", 0, "must be a relative path" },
	{ "template dotdot", "x/../../a.tmpl /etc/a 0644 root:root\n", 0, "must be a relative path" },
	{ "destination relative", "a.tmpl etc/a 0644 root:root\n", 0, "must be an absolute path" },
	{ "destination dotdot", "a.tmpl /etc/../a 0644 root:root\n", 0, "must be an absolute path" },
	{ "mode not octal", "a.tmpl /etc/a 0648 root:root\n", 0, "mode '0648' must be octal" },
	{ "mode world-writable", "a.tmpl /etc/a 0666 root:root\n", 0, "must not be group- or world-writable" },
	{ "mode setuid", "a.tmpl /etc/a 4755 root:root\n", 0, "set-id" },
	{ "owner without group", "a.tmpl /etc/a 0644 root\n", 0, "owner 'root' must be user:group" },
	{ "owner bad chars", "a.tmpl /etc/a 0644 ro$t:root\n", 0, "must be user:group" },
	{ "scope unknown", "a.tmpl /etc/a 0644 root:root all\n", 0, "scope 'all' must be node or deploy" },
	{ "error on second line", "a.tmpl /etc/a 0644 root:root\nb.tmpl\n", 0, "M:2:" },
};

static void test_row(void **state)
{
	const struct row *r = *state;
	struct manifest m = { NULL, 0 };
	struct errlist el = ERRLIST_INIT;
	int ret = manifest_parse("M", r->text, strlen(r->text), &m, &el);

	if (r->ok) {
		assert_int_equal(ret, 0);
		assert_true(m.count >= 1);
	} else {
		assert_int_equal(ret, -EINVAL);
		assert_true(el.count >= 1);
		if (!strstr(el.msgs[0], r->err))
			fail_msg("message '%s' lacks '%s'", el.msgs[0], r->err);
	}
	manifest_free(&m);
	errlist_free(&el);
}

static const char *row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static void test_fields(void **state)
{
	static const char text[] = "x/a.tmpl /etc/a 0640 root:kamailio\n"
				   "d.tmpl /DEPLOY.md 0644 root:root deploy\n";
	struct manifest m;
	struct errlist el = ERRLIST_INIT;

	(void)state;
	assert_int_equal(manifest_parse("M", text, strlen(text), &m, &el), 0);
	assert_int_equal(m.count, 2);
	assert_string_equal(m.entries[0].template, "x/a.tmpl");
	assert_string_equal(m.entries[0].destination, "/etc/a");
	assert_int_equal(m.entries[0].mode, 0640);
	assert_string_equal(m.entries[0].owner, "root");
	assert_string_equal(m.entries[0].group, "kamailio");
	assert_int_equal(m.entries[0].scope, SCOPE_NODE);
	assert_int_equal(m.entries[1].scope, SCOPE_DEPLOY);
	assert_int_equal(m.entries[1].line, 2);
	manifest_free(&m);
}

int main(void)
{
	static const struct CMUnitTest more[] = { cmocka_unit_test(test_fields) };

	return run_table("manifest", test_row, rows, sizeof(rows[0]),
			 sizeof(rows) / sizeof(rows[0]), row_name) +
	       cmocka_run_group_tests_name("manifest-fields", more, NULL, NULL);
}
