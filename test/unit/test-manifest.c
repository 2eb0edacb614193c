/* MANIFEST parser tests (src/lib/manifest.c). */
#include "unit.h"

#include <errno.h>

#include "lib/manifest.h"

struct row {
	const char *name;
	const char *text;
	int ok;
	const char *err; /* substring of the first error when !ok */
};

#define FS "/etc/voip-ha/freeswitch/"

static struct row rows[] = {
	{ "minimal line", "a.tmpl /etc/a 0644 root:root own\n", 1, NULL },
	{ "comments, blanks, policies",
	  "# c\n\n  a.tmpl\t/etc/a  0640 root:kamailio ucf\n"
	  "d.tmpl /DEPLOY.md 0644 root:root deploy\n"
	  "f.tmpl " FS "x.xml 0600 root:root freeswitch 0640 root:freeswitch\n",
	  1, NULL },
	{ "destination substitution",
	  "a.tmpl /etc/postgresql/{{raw:pg_major}}/main/x 0644 postgres:postgres own\n", 1, NULL },
	{ "too few fields", "a.tmpl /etc/a 0644\n", 0, "M:1: expected 'template destination" },
	{ "policy missing (the old four columns)", "a.tmpl /etc/a 0644 root:root\n", 0,
	  "M:1: expected 'template destination mode owner:group policy'" },
	{ "too many fields", "a.tmpl " FS "a 0644 root:root freeswitch 0644 root:root x\n", 0,
	  "M:1: expected" },
	{ "template absolute", "/a.tmpl /etc/a 0644 root:root own\n", 0,
	  "must be a relative path" },
	{ "template dotdot", "x/../../a.tmpl /etc/a 0644 root:root own\n", 0,
	  "must be a relative path" },
	{ "destination relative", "a.tmpl etc/a 0644 root:root own\n", 0,
	  "must be an absolute path" },
	{ "destination dotdot", "a.tmpl /etc/../a 0644 root:root own\n", 0,
	  "must be an absolute path" },
	{ "mode not octal", "a.tmpl /etc/a 0648 root:root own\n", 0, "mode '0648' must be octal" },
	{ "mode world-writable", "a.tmpl /etc/a 0666 root:root own\n", 0,
	  "must not be group- or world-writable" },
	{ "mode setuid", "a.tmpl /etc/a 4755 root:root own\n", 0, "set-id" },
	{ "owner without group", "a.tmpl /etc/a 0644 root own\n", 0,
	  "owner 'root' must be user:group" },
	{ "owner bad chars", "a.tmpl /etc/a 0644 ro$t:root own\n", 0, "must be user:group" },
	{ "owner name too long", "a.tmpl /etc/a 0644 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:root own\n",
	  0, "must be user:group" },
	{ "policy unknown", "a.tmpl /etc/a 0644 root:root mine\n", 0,
	  "M:1: policy 'mine' must be own, ucf, freeswitch or deploy" },
	{ "old scope word node", "a.tmpl /etc/a 0644 root:root node\n", 0,
	  "policy 'node' must be" },
	{ "policy case matters", "a.tmpl /etc/a 0644 root:root UCF\n", 0, "policy 'UCF' must be" },
	{ "own with extra fields", "a.tmpl /etc/a 0644 root:root own 0640 root:root\n", 0,
	  "M:1: unexpected '0640' after policy own" },
	{ "freeswitch without copy", "a.tmpl " FS "a 0600 root:root freeswitch\n", 0,
	  "M:1: policy freeswitch needs the mode and owner:group of the copy" },
	{ "freeswitch copy mode missing",
	  "a.tmpl " FS "a 0600 root:root freeswitch root:freeswitch\n", 0,
	  "M:1: policy freeswitch needs the mode and owner:group" },
	{ "freeswitch copy mode bad",
	  "a.tmpl " FS "a 0600 root:root freeswitch 0660 root:freeswitch\n", 0,
	  "M:1: copy mode '0660' must not be group- or world-writable" },
	{ "freeswitch copy owner bad", "a.tmpl " FS "a 0600 root:root freeswitch 0640 root\n", 0,
	  "M:1: owner 'root' must be user:group" },
	{ "freeswitch outside the stage",
	  "a.tmpl /etc/freeswitch/a 0600 root:root freeswitch 0640 root:freeswitch\n", 0,
	  "M:1: a freeswitch destination must be a file below /etc/voip-ha/freeswitch/" },
	{ "freeswitch the stage itself",
	  "a.tmpl " FS " 0600 root:root freeswitch 0640 root:freeswitch\n", 0,
	  "a freeswitch destination must be a file below" },
	{ "error on second line", "a.tmpl /etc/a 0644 root:root own\nb.tmpl\n", 0, "M:2:" },
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
	static const char text[] =
		"x/a.tmpl /etc/a 0640 root:kamailio own\n"
		"d.tmpl /DEPLOY.md 0644 root:root deploy\n"
		"k.tmpl /etc/k 0600 root:root ucf\n"
		"f.tmpl " FS "x 0600 root:root freeswitch 0640 root:freeswitch\n";
	struct manifest m;
	struct errlist el = ERRLIST_INIT;

	(void)state;
	assert_int_equal(manifest_parse("M", text, strlen(text), &m, &el), 0);
	assert_int_equal(m.count, 4);
	assert_string_equal(m.entries[0].template, "x/a.tmpl");
	assert_string_equal(m.entries[0].destination, "/etc/a");
	assert_int_equal(m.entries[0].mode, 0640);
	assert_string_equal(m.entries[0].owner, "root");
	assert_string_equal(m.entries[0].group, "kamailio");
	assert_int_equal(m.entries[0].policy, POLICY_OWN);
	assert_null(m.entries[0].copy_owner);
	assert_int_equal(m.entries[1].policy, POLICY_DEPLOY);
	assert_int_equal(m.entries[1].line, 2);
	assert_int_equal(m.entries[2].policy, POLICY_UCF);
	assert_int_equal(m.entries[3].policy, POLICY_FREESWITCH);
	assert_int_equal(m.entries[3].mode, 0600);
	assert_int_equal(m.entries[3].copy_mode, 0640);
	assert_string_equal(m.entries[3].copy_owner, "root");
	assert_string_equal(m.entries[3].copy_group, "freeswitch");
	assert_string_equal(manifest_policy_name(m.entries[3].policy), "freeswitch");
	manifest_free(&m);
}

int main(void)
{
	static const struct CMUnitTest more[] = { cmocka_unit_test(test_fields) };

	return run_table("manifest", test_row, rows, sizeof(rows[0]),
			 sizeof(rows) / sizeof(rows[0]), row_name) +
	       cmocka_run_group_tests_name("manifest-fields", more, NULL, NULL);
}
