/* Table tests of the strict key=value parser (src/lib/kvfile.c). */
#include "unit.h"

#include <errno.h>
#include <unistd.h>

#include "lib/kvfile.h"

static const char *const keys[] = { "alpha", "beta", "gamma", NULL };

struct row {
	const char *name;
	const char *input;
	size_t len;              /* 0: strlen(input) */
	int ret;                 /* expected return */
	unsigned line;           /* expected error line */
	const char *msg;         /* substring of the error message */
	const char *key, *value; /* one expected pair on success */
};

static struct row rows[] = {
	{ "empty file", "", 0, 0, 0, NULL, "alpha", NULL },
	{ "one pair", "alpha=1\n", 0, 0, 0, NULL, "alpha", "1" },
	{ "no final newline", "alpha=1", 0, 0, 0, NULL, "alpha", "1" },
	{ "value verbatim with spaces and =", "beta= a = b \n", 0, 0, 0, NULL, "beta", " a = b " },
	{ "value with quotes and backslash", "beta=\"'\\$:${x}\n", 0, 0, 0, NULL, "beta",
	  "\"'\\$:${x}" },
	{ "value UTF-8", "beta=m\xe1\xba\xadt kh\xe1\xba\xa9u\n", 0, 0, 0, NULL, "beta",
	  "m\xe1\xba\xadt kh\xe1\xba\xa9u" },
	{ "empty value", "gamma=\n", 0, 0, 0, NULL, "gamma", "" },
	{ "comment and blank lines", "# c\n\n#alpha=2\nalpha=3\n", 0, 0, 0, NULL, "alpha", "3" },
	{ "hash inside value is data", "alpha=a#b\n", 0, 0, 0, NULL, "alpha", "a#b" },
	{ "CR kept in value", "alpha=1\r\n", 0, 0, 0, NULL, "alpha", "1\r" },
	{ "absent key", "alpha=1\n", 0, 0, 0, NULL, "beta", NULL },
	{ "unknown key", "alpha=1\ndelta=2\n", 0, -EINVAL, 2, "unknown key 'delta'", NULL, NULL },
	{ "duplicate key", "alpha=1\nbeta=2\nalpha=3\n", 0, -EINVAL, 3,
	  "duplicate key 'alpha' (first set on line 1)", NULL, NULL },
	{ "line without =", "alpha=1\njunk\n", 0, -EINVAL, 2, "without '='", NULL, NULL },
	{ "empty key", "=1\n", 0, -EINVAL, 1, "empty key", NULL, NULL },
	{ "space before =", "alpha =1\n", 0, -EINVAL, 1, "spaces around the key", NULL, NULL },
	{ "leading space", " alpha=1\n", 0, -EINVAL, 1, "spaces around the key", NULL, NULL },
	{ "indented comment is not a comment", " # x\n", 0, -EINVAL, 1, "without '='", NULL, NULL },
	{ "NUL byte", "alpha=1\nbeta=a\0b\n", 15, -EINVAL, 2, "NUL byte", NULL, NULL },
	{ "invalid UTF-8", "alpha=\xff\n", 0, -EINVAL, 1, "invalid UTF-8", NULL, NULL },
	{ "overlong UTF-8", "alpha=\xc0\xaf\n", 0, -EINVAL, 1, "invalid UTF-8", NULL, NULL },
	{ "UTF-8 surrogate", "alpha=\xed\xa0\x80\n", 0, -EINVAL, 1, "invalid UTF-8", NULL, NULL },
	{ "truncated UTF-8", "alpha=\xe1\xba", 0, -EINVAL, 1, "invalid UTF-8", NULL, NULL },
	{ "key is case sensitive", "ALPHA=1\n", 0, -EINVAL, 1, "unknown key 'ALPHA'", NULL, NULL },
	{ "unprintable key not echoed", "al\x1bpha=1\n", 0, -EINVAL, 1, "unknown key 'al?pha'",
	  NULL, NULL },
	{ "value of bad line never echoed", "s3cr3t-value\n", 0, -EINVAL, 1, "without '='", NULL,
	  NULL },
};

static void test_row(void **state)
{
	const struct row *r = *state;
	struct kv_file kv = { NULL, 0 };
	struct kv_error err;
	size_t len = r->len ? r->len : strlen(r->input);
	int ret = kv_parse(r->input, len, keys, &kv, &err);

	assert_int_equal(ret, r->ret);
	if (ret < 0) {
		assert_int_equal(err.line, r->line);
		if (!strstr(err.msg, r->msg))
			fail_msg("message '%s' lacks '%s'", err.msg, r->msg);
		assert_null(strstr(err.msg, "s3cr3t"));
		return;
	}
	if (r->value)
		assert_string_equal(kv_get(&kv, r->key), r->value);
	else
		assert_null(kv_get(&kv, r->key));
	kv_file_free(&kv);
	assert_int_equal(kv.count, 0);
}

static const char *row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static void test_load_missing(void **state)
{
	struct kv_file kv;
	struct kv_error err;

	(void)state;
	assert_int_equal(kv_load("/nonexistent/voip-ha.conf", keys, &kv, &err), -ENOENT);
}

static void test_load_directory(void **state)
{
	struct kv_file kv;
	struct kv_error err;

	(void)state;
	assert_int_equal(kv_load("/", keys, &kv, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "regular file"));
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test-kvfile.XXXXXX";
	struct kv_file kv;
	struct kv_error err;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "beta=x\ngamma=y\n", 15), 15);
	close(fd);
	assert_int_equal(kv_load(path, keys, &kv, &err), 0);
	unlink(path);
	assert_int_equal(kv.count, 2);
	assert_string_equal(kv_get(&kv, "gamma"), "y");
	assert_int_equal(kv.pairs[1].line, 2);
	kv_file_free(&kv);
}

int main(void)
{
	static const struct CMUnitTest load[] = {
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_load_directory),
		cmocka_unit_test(test_load_file),
	};
	int failed = run_table("kvfile", test_row, rows, sizeof(rows[0]),
			       sizeof(rows) / sizeof(rows[0]), row_name);

	return failed + cmocka_run_group_tests_name("kvfile-load", load, NULL, NULL);
}
