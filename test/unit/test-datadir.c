/* Setting the data directory aside for a clone or rebuild (src/engine/datadir.c):
 * the old data is never lost before the new copy is committed, also where
 * the data directory is its own mount point (rename fails with EBUSY). The
 * mount-point cases mount a tmpfs in a private mount namespace (root only;
 * skipped otherwise). */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/node-ctx.h"
#include "engine/datadir.h"

static char base[] = "/tmp/test-datadir.XXXXXX";
static struct node_ctx ctx;

static void put(const char *dir, const char *name, const char *text)
{
	char p[600];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static bool has(const char *dir, const char *name, const char *text)
{
	char p[600], buf[64] = "";
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n >= 0 && strcmp(buf, text) == 0;
}

static int count_entries(const char *dir, const char *prefix)
{
	char cmd[700];
	FILE *f;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^%s' || true", dir, prefix);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(base))
		return -1;
	memset(&ctx, 0, sizeof(ctx));
	snprintf(ctx.datadir, sizeof(ctx.datadir), "%s/main", base);
	ctx.pg_uid = getuid();
	ctx.pg_gid = getgid();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (getuid() == 0)
		umount2(ctx.datadir, MNT_DETACH);
	rm_tree(base);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	if (getuid() == 0)
		umount2(ctx.datadir, MNT_DETACH);
	rm_tree(base);
	return mkdir(base, 0700);
}

static void test_absent(void **state)
{
	struct datadir_swap sw;
	char err[256] = "";

	(void)state;
	assert_int_equal(datadir_set_aside(&ctx, &sw, err, sizeof(err)), 0);
	assert_string_equal(sw.old, "");
	assert_string_equal(sw.target, ctx.datadir);
	assert_false(sw.in_place);
}

static void test_not_a_directory(void **state)
{
	struct datadir_swap sw;
	char err[256] = "";

	(void)state;
	put(base, "main", "file");
	assert_int_equal(datadir_set_aside(&ctx, &sw, err, sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, "not a directory"));
	assert_true(has(base, "main", "file"));
}

/* Renamed aside; a failed copy puts the old data back. */
static void test_rename_restore(void **state)
{
	struct datadir_swap sw;
	char err[256] = "";

	(void)state;
	assert_int_equal(mkdir(ctx.datadir, 0700), 0);
	put(ctx.datadir, "PG_VERSION", "old");
	assert_int_equal(datadir_set_aside(&ctx, &sw, err, sizeof(err)), 0);
	assert_false(sw.in_place);
	assert_non_null(strstr(sw.old, "main.voip-ha-old-"));
	assert_true(has(sw.old, "PG_VERSION", "old"));
	assert_int_equal(mkdir(sw.target, 0700), 0);
	put(sw.target, "PG_VERSION", "half");
	assert_int_equal(datadir_restore(&sw, err, sizeof(err)), 0);
	assert_true(has(ctx.datadir, "PG_VERSION", "old"));
	assert_int_equal(count_entries(base, "main.voip-ha-old-"), 0);
}

/* Renamed aside; committed; prune keeps only the newest kept copy. */
static void test_rename_commit_prune(void **state)
{
	struct datadir_swap sw;
	char err[256] = "", older[600];

	(void)state;
	snprintf(older, sizeof(older), "%s/main.voip-ha-old-19700101T000000Z", base);
	assert_int_equal(mkdir(older, 0700), 0);
	assert_int_equal(mkdir(ctx.datadir, 0700), 0);
	put(ctx.datadir, "PG_VERSION", "old");
	assert_int_equal(datadir_set_aside(&ctx, &sw, err, sizeof(err)), 0);
	assert_int_equal(mkdir(sw.target, 0700), 0);
	put(sw.target, "PG_VERSION", "new");
	assert_int_equal(datadir_commit(&sw, err, sizeof(err)), 0);
	assert_true(has(ctx.datadir, "PG_VERSION", "new"));
	assert_true(has(sw.old, "PG_VERSION", "old"));
	assert_int_equal(datadir_prune(&ctx, err, sizeof(err)), 1);
	assert_int_equal(access(older, F_OK), -1);
	assert_true(has(sw.old, "PG_VERSION", "old"));
}

static int mkdir_in(const char *dir, const char *name)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return mkdir(p, 0700);
}

static bool lost_found_in_place(void)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/lost+found", ctx.datadir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool mount_datadir(void)
{
	if (getuid() != 0)
		return false;
	assert_int_equal(mkdir(ctx.datadir, 0700), 0);
	assert_int_equal(mount("tmpfs", ctx.datadir, "tmpfs", 0, "size=4m,mode=0700"), 0);
	/* As at the root of an ext4 file system: never moved, never removed. */
	assert_int_equal(mkdir_in(ctx.datadir, "lost+found"), 0);
	return true;
}

/* A mount point cannot be renamed: everything stays inside it. */
static void test_mount_point_commit(void **state)
{
	struct datadir_swap sw;
	char err[256] = "";

	(void)state;
	if (!mount_datadir())
		skip();
	put(ctx.datadir, "PG_VERSION", "old");
	assert_int_equal(datadir_set_aside(&ctx, &sw, err, sizeof(err)), 0);
	assert_true(sw.in_place);
	assert_non_null(strstr(sw.old, "/main/pgsql_tmp.voip-ha-old-"));
	assert_true(has(sw.old, "PG_VERSION", "old"));
	assert_false(has(ctx.datadir, "PG_VERSION", "old"));
	assert_int_equal(mkdir(sw.target, 0700), 0);
	put(sw.target, "PG_VERSION", "new");
	put(sw.target, "postgresql.auto.conf", "new");
	assert_int_equal(datadir_commit(&sw, err, sizeof(err)), 0);
	assert_true(has(ctx.datadir, "PG_VERSION", "new"));
	assert_true(has(ctx.datadir, "postgresql.auto.conf", "new"));
	assert_int_equal(access(sw.target, F_OK), -1);
	assert_true(has(sw.old, "PG_VERSION", "old"));
	/* Still the mount point, and the kept copy is the only one. */
	assert_int_equal(datadir_prune(&ctx, err, sizeof(err)), 0);
	assert_true(has(sw.old, "PG_VERSION", "old"));
	assert_true(lost_found_in_place());
}

/* Only lost+found: nothing to keep, but the copy cannot go into a
 * non-empty directory: it is written beside it and moves up. */
static void test_mount_point_no_data(void **state)
{
	struct datadir_swap sw;
	char err[256] = "";

	(void)state;
	if (!mount_datadir())
		skip();
	assert_int_equal(datadir_set_aside(&ctx, &sw, err, sizeof(err)), 0);
	assert_true(sw.in_place);
	assert_string_equal(sw.old, "");
	assert_non_null(strstr(sw.target, "/main/pgsql_tmp.voip-ha-new"));
	assert_int_equal(mkdir(sw.target, 0700), 0);
	put(sw.target, "PG_VERSION", "new");
	assert_int_equal(datadir_commit(&sw, err, sizeof(err)), 0);
	assert_true(has(ctx.datadir, "PG_VERSION", "new"));
	assert_true(lost_found_in_place());
}

static void test_mount_point_restore(void **state)
{
	struct datadir_swap sw;
	char err[256] = "";

	(void)state;
	if (!mount_datadir())
		skip();
	put(ctx.datadir, "PG_VERSION", "old");
	assert_int_equal(datadir_set_aside(&ctx, &sw, err, sizeof(err)), 0);
	assert_true(sw.in_place);
	assert_int_equal(mkdir(sw.target, 0700), 0);
	put(sw.target, "PG_VERSION", "half");
	assert_int_equal(datadir_restore(&sw, err, sizeof(err)), 0);
	assert_true(has(ctx.datadir, "PG_VERSION", "old"));
	assert_int_equal(count_entries(ctx.datadir, "pgsql_tmp"), 0);
	assert_true(lost_found_in_place());
}

/* A second rebuild on a mount point keeps the newer copy only. */
static void test_mount_point_twice(void **state)
{
	struct datadir_swap a, b;
	char err[256] = "";

	(void)state;
	if (!mount_datadir())
		skip();
	put(ctx.datadir, "PG_VERSION", "first");
	assert_int_equal(datadir_set_aside(&ctx, &a, err, sizeof(err)), 0);
	assert_int_equal(mkdir(a.target, 0700), 0);
	put(a.target, "PG_VERSION", "second");
	assert_int_equal(datadir_commit(&a, err, sizeof(err)), 0);
	sleep(1); /* the kept copies are named after the second */
	assert_int_equal(datadir_set_aside(&ctx, &b, err, sizeof(err)), 0);
	assert_true(has(b.old, "PG_VERSION", "second"));
	assert_int_equal(mkdir(b.target, 0700), 0);
	put(b.target, "PG_VERSION", "third");
	assert_int_equal(datadir_commit(&b, err, sizeof(err)), 0);
	assert_true(has(ctx.datadir, "PG_VERSION", "third"));
	assert_int_equal(datadir_prune(&ctx, err, sizeof(err)), 1);
	assert_int_equal(count_entries(ctx.datadir, "pgsql_tmp.voip-ha-old-"), 1);
	assert_true(has(b.old, "PG_VERSION", "second"));
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_absent, reset),
		cmocka_unit_test_setup(test_not_a_directory, reset),
		cmocka_unit_test_setup(test_rename_restore, reset),
		cmocka_unit_test_setup(test_rename_commit_prune, reset),
		cmocka_unit_test_setup(test_mount_point_commit, reset),
		cmocka_unit_test_setup(test_mount_point_restore, reset),
		cmocka_unit_test_setup(test_mount_point_no_data, reset),
		cmocka_unit_test_setup(test_mount_point_twice, reset),
	};

	/* Mounts stay in this process's own mount namespace. */
	if (getuid() == 0 &&
	    (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)) {
		perror("private mount namespace");
		return 1;
	}
	return cmocka_run_group_tests_name("datadir", tests, setup, teardown);
}
