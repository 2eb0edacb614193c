/* The pending restarts directory `voip-ha status` lists
 * (src/lib/restart-pending.c): which files count, the reason line, order
 * and limits, a missing or unreadable directory. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/restart-pending.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/voipha-pending.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	chmod(dir, 0700);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static void test_missing_dir_is_none(void **state)
{
	struct restart_pending p;

	(void)state;
	memset(&p, 0xff, sizeof(p));
	assert_int_equal(restart_pending_read("/nonexistent/voip-ha/restart-pending", &p), 0);
	assert_int_equal(p.n, 0);
}

static void test_empty_dir_is_none(void **state)
{
	struct restart_pending p;

	(void)state;
	assert_int_equal(restart_pending_read(dir, &p), 0);
	assert_int_equal(p.n, 0);
}

/* What hook 50 writes: one line, the reason. */
static void test_hook_file(void **state)
{
	struct restart_pending p;

	(void)state;
	put("freeswitch.service",
	    "configuration in /etc/freeswitch changed on 2026-12-06T10:00:00Z; restart it when "
	    "it carries no calls: systemctl restart freeswitch\n");
	assert_int_equal(restart_pending_read(dir, &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.unit[0], "freeswitch.service");
	assert_string_equal(p.why[0],
			    "configuration in /etc/freeswitch changed on 2026-12-06T10:00:00Z; "
			    "restart it when it carries no calls: systemctl restart freeswitch");
}

/* The hook's temporary before its rename, hidden files, names no unit has,
 * directories and symbolic links do not count. */
static void test_what_is_not_pending(void **state)
{
	struct restart_pending p;
	char path[256];

	(void)state;
	put("freeswitch.service.new", "half written\n");
	put(".freeswitch.service", "hidden\n");
	put("bad name.service", "space\n");
	put("x;reboot", "not a unit name\n");
	put("kamailio.service", "restart at night\n");
	snprintf(path, sizeof(path), "%s/lsyncd.service", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/voip-admin.service", dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(restart_pending_read(dir, &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.unit[0], "kamailio.service");
	assert_string_equal(p.why[0], "restart at night");
}

/* First line only, none without a newline, an empty file, a line cut at
 * the limit, control characters shown as '?'. */
static void test_reason_line(void **state)
{
	struct restart_pending p;
	char longline[400];

	(void)state;
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	put("a.service", "first\nsecond\n");
	put("b.service", "no newline");
	put("c.service", "");
	put("d.service", longline);
	put("e.service", "bell\a and \033[31mred\r\n");
	assert_int_equal(restart_pending_read(dir, &p), 0);
	assert_int_equal(p.n, 5);
	assert_string_equal(p.why[0], "first");
	assert_string_equal(p.why[1], "no newline");
	assert_string_equal(p.why[2], "");
	assert_int_equal(strlen(p.why[3]), RESTART_PENDING_WHY_LEN - 1);
	assert_string_equal(p.why[4], "bell? and ?[31mred?");
}

/* Sorted by name, whatever the directory's order; at most
 * RESTART_PENDING_MAX, the first ones by name. */
static void test_order_and_limit(void **state)
{
	static const char *const names[] = { "j.service", "c.service", "a@1.service", "h.service",
					     "b.service", "i.service", "e.service",   "d.service",
					     "g.service", "f.service" };
	static const char *const sorted[] = {
		"a@1.service", "b.service", "c.service", "d.service",
		"e.service",   "f.service", "g.service", "h.service"
	};
	struct restart_pending p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		put(names[i], names[i]);
	assert_int_equal(restart_pending_read(dir, &p), 0);
	assert_int_equal(p.n, RESTART_PENDING_MAX);
	for (i = 0; i < RESTART_PENDING_MAX; i++) {
		assert_string_equal(p.unit[i], sorted[i]);
		assert_string_equal(p.why[i], sorted[i]);
	}
}

/* A directory that exists but cannot be read: an error, nothing listed.
 * (Root reads any directory: checked for the other users only.) */
static void test_unreadable_dir(void **state)
{
	struct restart_pending p;

	(void)state;
	if (geteuid() == 0)
		return;
	put("freeswitch.service", "why\n");
	assert_int_equal(chmod(dir, 0), 0);
	assert_int_equal(restart_pending_read(dir, &p), -EACCES);
	assert_int_equal(p.n, 0);
}

static void test_names(void **state)
{
	char max[RESTART_PENDING_UNIT_LEN + 1];

	(void)state;
	assert_true(restart_pending_name_ok("freeswitch.service"));
	assert_true(restart_pending_name_ok("postgresql@15-main.service"));
	assert_true(restart_pending_name_ok("foo.newer.service"));
	assert_false(restart_pending_name_ok(""));
	assert_false(restart_pending_name_ok("."));
	assert_false(restart_pending_name_ok(".."));
	assert_false(restart_pending_name_ok("freeswitch.service.new"));
	assert_false(restart_pending_name_ok("a/b"));
	memset(max, 'a', sizeof(max));
	max[RESTART_PENDING_UNIT_LEN - 1] = '\0';
	assert_true(restart_pending_name_ok(max));
	max[RESTART_PENDING_UNIT_LEN - 1] = 'a';
	max[RESTART_PENDING_UNIT_LEN] = '\0';
	assert_false(restart_pending_name_ok(max));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_missing_dir_is_none),
		cmocka_unit_test_setup_teardown(test_empty_dir_is_none, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_hook_file, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_what_is_not_pending, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_reason_line, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_order_and_limit, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_unreadable_dir, make_dir, remove_dir),
	};

	return cmocka_run_group_tests_name("restart-pending", tests, NULL, NULL);
}
