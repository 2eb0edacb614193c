/* The ustar subset of src/lib/tar.c: what it writes it reads back, and each
 * damaged archive is refused with its reason. */
#include "unit.h"

#include <errno.h>

#include "lib/tar.h"

static const struct tar_member two[] = {
	{ "voip-ha-backup-host", "format=1\n", 9 },
	{ "etc/pgbackrest/tls/ca.crt", "", 0 },
};

static void archive(struct strbuf *sb)
{
	assert_int_equal(tar_write(two, 2, sb), 0);
	/* 2 headers, 1 data block, 2 end blocks */
	assert_int_equal(sb->len, 5 * 512);
}

static void test_round_trip(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct tar_member m[4];
	char why[128];
	size_t n;

	(void)state;
	archive(&sb);
	assert_int_equal(tar_read(sb.buf, sb.len, m, 4, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].name, "voip-ha-backup-host");
	assert_int_equal(m[0].len, 9);
	assert_memory_equal(m[0].data, "format=1\n", 9);
	assert_string_equal(m[1].name, "etc/pgbackrest/tls/ca.crt");
	assert_int_equal(m[1].len, 0);
	/* GNU tar pads to 10 KiB records: trailing zeros are accepted */
	assert_int_equal(sb_add(&sb, (char[512]){ 0 }, 512), 0);
	assert_int_equal(tar_read(sb.buf, sb.len, m, 4, &n, why, sizeof(why)), 0);
	sb_release(&sb);
}

static void test_bad_names_refused_when_writing(void **state)
{
	static const char *const names[] = { "",
					     "/etc/passwd",
					     "../x",
					     "a/../b",
					     "a/..",
					     "x123456789x123456789x123456789x123456789x123456789"
					     "x123456789x123456789x123456789x123456789x123456789" };
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct tar_member m = { names[i], "", 0 };

		assert_int_equal(tar_write(&m, 1, &sb), -EINVAL);
	}
	sb_release(&sb);
}

struct damage {
	const char *what;
	size_t offset; /* byte changed, or the length kept when cut */
	int value;     /* -1: cut at offset */
	const char *why;
};

static const struct damage damages[] = {
	{ "cut inside the data", 700, -1, "its size is not a multiple of 512 bytes (cut short?)" },
	{ "cut after the data", 1024, -1, "no end-of-archive marker (cut short?)" },
	{ "one end block only", 4 * 512, -1, "no end-of-archive marker (cut short?)" },
	{ "a header byte changed", 10, 'X', "member 1: bad header checksum" },
	{ "data after the end", 5 * 512 + 5, 'x', "data after the end-of-archive marker" },
	{ "a header's type changed", 512 * 2 + 156, '2', "member 2: bad header checksum" },
};

static const char *damage_name(const void *row)
{
	return ((const struct damage *)row)->what;
}

static void test_damaged(void **state)
{
	const struct damage *d = *state;
	struct strbuf sb = STRBUF_INIT;
	struct tar_member m[4];
	char why[128] = "";
	size_t n, len;

	archive(&sb);
	/* one more block of padding, as GNU tar writes */
	assert_int_equal(sb_add(&sb, (char[512]){ 0 }, 512), 0);
	len = sb.len;
	if (d->value < 0)
		len = d->offset;
	else
		sb.buf[d->offset] = (char)d->value;
	assert_int_equal(tar_read(sb.buf, len, m, 4, &n, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, d->why);
	sb_release(&sb);
}

static void test_too_many_members(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct tar_member m[1];
	char why[128];
	size_t n;

	(void)state;
	archive(&sb);
	assert_int_equal(tar_read(sb.buf, sb.len, m, 1, &n, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "more than 1 members");
	sb_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_names_refused_when_writing),
		cmocka_unit_test(test_too_many_members),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	return failed + run_table("damaged archives", test_damaged, (void *)damages,
				  sizeof(damages[0]), sizeof(damages) / sizeof(damages[0]),
				  damage_name);
}
