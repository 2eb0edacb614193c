/* Atomic writer tests (src/lib/atomic-write.c). write() is wrapped
 * (-Wl,--wrap=write) to observe the temp file's mode and owner at its first
 * byte and to inject a failure in the middle of a replacement. */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/atomic-write.h"

ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);

static struct stat first_write_st;
static int first_write_seen, fail_writes;

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	if (!first_write_seen) {
		fstat(fd, &first_write_st);
		first_write_seen = 1;
	}
	if (fail_writes) {
		errno = ENOSPC;
		return -1;
	}
	return __real_write(fd, buf, n);
}

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test-atomic.XXXXXX");
	first_write_seen = fail_writes = 0;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || strncmp(de->d_name, ".f", 2) == 0;
	closedir(d);
	return n;
}

static void read_back(const char *path, char *buf, size_t sz)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sz - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_create(void **state)
{
	char path[128], buf[64];
	struct stat st;
	bool changed;

	(void)state;
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(atomic_write_differs(path, "x", 1, 0600, AW_KEEP_OWNER, (gid_t)-1), 1);
	assert_int_equal(atomic_write(path, "secret\n", 7, 0640, AW_KEEP_OWNER, (gid_t)-1,
				      &changed),
			 0);
	assert_true(changed);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	read_back(path, buf, sizeof(buf));
	assert_string_equal(buf, "secret\n");
	/* The temp file already had its final mode before the first byte. */
	assert_true(first_write_seen);
	assert_int_equal(first_write_st.st_mode & 07777, 0640);
	assert_int_equal(count_entries(), 1); /* no temp file left behind */
}

static void test_identical_is_untouched(void **state)
{
	char path[128];
	struct stat a, b;
	bool changed = true;

	(void)state;
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(atomic_write(path, "same", 4, 0600, AW_KEEP_OWNER, (gid_t)-1, NULL), 0);
	assert_int_equal(stat(path, &a), 0);
	first_write_seen = 0;
	assert_int_equal(atomic_write(path, "same", 4, 0600, AW_KEEP_OWNER, (gid_t)-1, &changed),
			 0);
	assert_false(changed);
	assert_false(first_write_seen);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
	assert_int_equal(atomic_write_differs(path, "same", 4, 0600, AW_KEEP_OWNER, (gid_t)-1), 0);
}

static void test_change_replaces(void **state)
{
	char path[128], buf[64];
	struct stat a, b;
	bool changed;

	(void)state;
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(atomic_write(path, "old", 3, 0600, AW_KEEP_OWNER, (gid_t)-1, NULL), 0);
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(atomic_write(path, "new!", 4, 0600, AW_KEEP_OWNER, (gid_t)-1, &changed),
			 0);
	assert_true(changed);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_ino != b.st_ino); /* renamed over, not rewritten in place */
	read_back(path, buf, sizeof(buf));
	assert_string_equal(buf, "new!");
	/* Same content, other mode: replaced too. */
	assert_int_equal(atomic_write_differs(path, "new!", 4, 0644, AW_KEEP_OWNER, (gid_t)-1), 1);
	assert_int_equal(atomic_write(path, "new!", 4, 0644, AW_KEEP_OWNER, (gid_t)-1, &changed),
			 0);
	assert_true(changed);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(b.st_mode & 07777, 0644);
	/* Same content, prefix of it: differs. */
	assert_int_equal(atomic_write_differs(path, "new", 3, 0644, AW_KEEP_OWNER, (gid_t)-1), 1);
	assert_int_equal(atomic_write_differs(path, "new!!", 5, 0644, AW_KEEP_OWNER, (gid_t)-1), 1);
}

static void test_failure_keeps_old(void **state)
{
	char path[128], buf[64];

	(void)state;
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(atomic_write(path, "old", 3, 0600, AW_KEEP_OWNER, (gid_t)-1, NULL), 0);
	fail_writes = 1;
	assert_int_equal(atomic_write(path, "new", 3, 0600, AW_KEEP_OWNER, (gid_t)-1, NULL),
			 -ENOSPC);
	fail_writes = 0;
	read_back(path, buf, sizeof(buf));
	assert_string_equal(buf, "old");
	assert_int_equal(count_entries(), 1);
}

static void test_missing_dir(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/f", dir);
	assert_int_equal(atomic_write(path, "x", 1, 0600, AW_KEEP_OWNER, (gid_t)-1, NULL), -ENOENT);
	assert_int_equal(mkdir_parents(path, 0755), 0);
	assert_int_equal(atomic_write(path, "x", 1, 0600, AW_KEEP_OWNER, (gid_t)-1, NULL), 0);
}

static void note_dir(const char *d, void *arg)
{
	char *seen = arg;

	strncat(seen, d + strlen(dir), 127 - strlen(seen));
	strncat(seen, ";", 127 - strlen(seen));
}

/* New directories are reported, get exactly the mode asked for whatever the
 * umask, and an existing one is left as it is. */
static void test_parents_reported(void **state)
{
	char path[128], seen[128] = "", sub[160];
	struct stat st;
	mode_t old = umask(077);

	(void)state;
	snprintf(path, sizeof(path), "%s/a/b/f", dir);
	assert_int_equal(mkdir_parents_owned(path, 0755, AW_KEEP_OWNER, (gid_t)-1, note_dir, seen),
			 0);
	umask(old);
	assert_string_equal(seen, "/a;/a/b;");
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	seen[0] = '\0';
	assert_int_equal(mkdir_parents_owned(path, 0700, AW_KEEP_OWNER, (gid_t)-1, note_dir, seen),
			 0);
	assert_string_equal(seen, "");
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
}

static void test_owner(void **state)
{
	char path[128];
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(atomic_write(path, "x", 1, 0640, 4321, 8765, NULL), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 4321);
	assert_int_equal(st.st_gid, 8765);
	assert_int_equal(first_write_st.st_uid, 4321); /* owned before the first byte */
	assert_int_equal(first_write_st.st_gid, 8765);
	assert_int_equal(atomic_write_differs(path, "x", 1, 0640, 4321, 8765), 0);
	assert_int_equal(atomic_write_differs(path, "x", 1, 0640, 4321, 8766), 1);
	assert_int_equal(atomic_write_differs(path, "x", 1, 0640, 0, 8765), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identical_is_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parents_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner, setup, teardown),
	};

	return cmocka_run_group_tests_name("atomic-write", tests, NULL, NULL);
}
