/* cmocka tests for the CDR journal (cdr-journal.c): what is acknowledged
 * survives a reopen, a torn tail is cut off and kept aside, concurrent
 * appenders share fsyncs, and the delete/re-delivery rules hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/cdr/cdr-journal.h"

static const struct cdr_journal_opts opts = {
	.segment_bytes = 1u << 20,
	.segment_ms = 3600 * 1000,
	.retain_unconfirmed_s = 3600,
	.retain_unconfirmed_bytes = 64u << 20,
};

static char *tmpdir(void)
{
	char *d = strdup("/tmp/cdr-journal-test.XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static void rm_rf(const char *d)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
}

static size_t count_files(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strlen(e->d_name) > strlen(suffix) &&
		    strcmp(e->d_name + strlen(e->d_name) - strlen(suffix), suffix) == 0)
			n++;
	closedir(d);
	return n;
}

/* Takes everything pending; checks payloads "rec-<i>" in order. */
static size_t drain(struct cdr_journal *j, size_t expect_from, bool commit, uint64_t ident)
{
	struct cdr_jbatch b;
	size_t total = 0;
	memset(&b, 0, sizeof(b));
	for (;;) {
		size_t n = cdr_journal_take(j, &b, 7, 1 << 16, 0);
		if (!n)
			break;
		for (size_t i = 0; i < n; i++) {
			char want[32];
			snprintf(want, sizeof(want), "rec-%zu", expect_from + total + i);
			assert_int_equal(b.recs[i].len, strlen(want));
			assert_memory_equal(b.recs[i].data, want, strlen(want));
			assert_true(b.recs[i].ack_ns > 0);
		}
		total += n;
		cdr_journal_done(j, &b, commit, 100 + total, ident);
	}
	cdr_jbatch_free(&b);
	return total;
}

static void append_n(struct cdr_journal *j, size_t from, size_t n)
{
	for (size_t i = from; i < from + n; i++) {
		char s[32];
		snprintf(s, sizeof(s), "rec-%zu", i);
		assert_int_equal(cdr_journal_append(j, 1, s, strlen(s)), 0);
	}
}

/* Takes one batch of at most n records; checks it starts at "rec-<from>". */
static void take_n(struct cdr_journal *j, struct cdr_jbatch *b, size_t n, size_t from)
{
	char want[32];

	assert_int_equal(cdr_journal_take(j, b, n, 1 << 16, 0), n);
	snprintf(want, sizeof(want), "rec-%zu", from);
	assert_int_equal(b->recs[0].len, strlen(want));
	assert_memory_equal(b->recs[0].data, want, strlen(want));
}

/* A batch fails (database down) after earlier ones of its segment were
 * committed: only the records after the committed prefix are pending and
 * re-delivered; the backlog (voipadmin_cdr_queue_depth, /health) does not
 * count what is stored. */
static void test_failed_batch_keeps_committed_prefix(void **state)
{
	struct cdr_journal *j;
	struct cdr_jbatch a, b, c;
	char err[256];
	char *d = tmpdir();

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	assert_int_equal(cdr_journal_open(d, &opts, &j, err, sizeof(err)), 0);
	append_n(j, 0, 20);
	assert_int_equal(cdr_journal_backlog(j), 20);

	/* in order: a (0-4) commits, b (5-9) fails */
	take_n(j, &a, 5, 0);
	take_n(j, &b, 5, 5);
	cdr_journal_done(j, &a, true, 100, 7);
	assert_int_equal(cdr_journal_backlog(j), 15);
	cdr_journal_done(j, &b, false, 0, 0);
	assert_int_equal(cdr_journal_backlog(j), 15);
	take_n(j, &c, 5, 5); /* re-delivery starts after the prefix */
	cdr_journal_done(j, &c, true, 101, 7);
	assert_int_equal(cdr_journal_backlog(j), 10);

	/* out of order: b (15-19) commits before a (10-14) fails: b is not in
	 * the prefix, so both are pending again, and counted once each */
	take_n(j, &a, 5, 10);
	take_n(j, &b, 5, 15);
	cdr_journal_done(j, &b, true, 102, 7);
	assert_int_equal(cdr_journal_backlog(j), 5);
	cdr_journal_done(j, &a, false, 0, 0);
	assert_int_equal(cdr_journal_backlog(j), 10);
	assert_int_equal(drain(j, 10, true, 7), 10);
	assert_int_equal(cdr_journal_backlog(j), 0);
	assert_true(cdr_journal_idle(j));

	/* a new database identity still re-delivers everything not deleted */
	assert_int_equal(cdr_journal_rewind(j), 20);
	assert_int_equal(cdr_journal_backlog(j), 20);
	assert_int_equal(drain(j, 0, true, 8), 20);

	cdr_jbatch_free(&a);
	cdr_jbatch_free(&b);
	cdr_jbatch_free(&c);
	cdr_journal_close(j);
	rm_rf(d);
	free(d);
}

static void test_reopen_and_torn_tail(void **state)
{
	(void)state;
	char *d = tmpdir(), err[256];
	struct cdr_journal *j;
	assert_int_equal(cdr_journal_open(d, &opts, &j, err, sizeof(err)), 0);
	append_n(j, 0, 25);
	assert_int_equal(cdr_journal_backlog(j), 25);
	cdr_journal_shutdown(j);
	cdr_journal_close(j);

	/* a crash in the middle of the next write: half a record */
	char seg[512];
	snprintf(seg, sizeof(seg), "%s/cdr-0000000000000001.seg", d);
	int fd = open(seg, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "CDR1\x40\x00\x00\x00garbage", 15), 15);
	close(fd);

	assert_int_equal(cdr_journal_open(d, &opts, &j, err, sizeof(err)), 0);
	assert_int_equal(cdr_journal_backlog(j), 25);
	char dead[512];
	snprintf(dead, sizeof(dead), "%s/dead", d);
	assert_int_equal(count_files(dead, ".tail"), 1);
	assert_int_equal(count_files(dead, ".reason"), 1);
	/* new records go to a new segment, after the recovered ones */
	append_n(j, 25, 5);
	assert_int_equal(drain(j, 0, true, 42), 30);
	assert_int_equal(cdr_journal_backlog(j), 0);
	assert_true(cdr_journal_idle(j));
	cdr_journal_shutdown(j);
	cdr_journal_close(j);
	rm_rf(d);
	free(d);
}

static void test_confirm_rules(void **state)
{
	(void)state;
	char *d = tmpdir(), err[256];
	struct cdr_journal *j;
	unsigned dropped;
	assert_int_equal(cdr_journal_open(d, &opts, &j, err, sizeof(err)), 0);
	append_n(j, 0, 10);
	assert_int_equal(drain(j, 0, true, 7), 10);
	cdr_journal_shutdown(j); /* seals the segment */
	/* committed, but no standby has confirmed: kept */
	assert_int_equal(cdr_journal_confirm(j, 7, 0, &dropped), 0);
	/* a standby of ANOTHER database confirming means nothing */
	assert_int_equal(cdr_journal_confirm(j, 8, UINT64_MAX, &dropped), 0);
	/* a standby behind the commit: kept */
	assert_int_equal(cdr_journal_confirm(j, 7, 50, &dropped), 0);
	assert_int_equal(cdr_journal_segments(j), 1);
	/* failover before confirmation: everything pending again */
	assert_int_equal(cdr_journal_rewind(j), 10);
	assert_int_equal(cdr_journal_backlog(j), 10);
	assert_int_equal(drain(j, 0, true, 9), 10);
	/* the new primary's standby caught up: deleted */
	assert_int_equal(cdr_journal_confirm(j, 9, 1000, &dropped), 1);
	assert_int_equal(dropped, 0);
	assert_int_equal(cdr_journal_segments(j), 0);
	assert_int_equal(count_files(d, ".seg"), 0);
	cdr_journal_close(j);

	/* a failed batch makes its segment pending again */
	assert_int_equal(cdr_journal_open(d, &opts, &j, err, sizeof(err)), 0);
	append_n(j, 0, 3);
	struct cdr_jbatch b;
	memset(&b, 0, sizeof(b));
	assert_int_equal(cdr_journal_take(j, &b, 100, 1 << 16, 0), 3);
	cdr_journal_done(j, &b, false, 0, 1);
	cdr_jbatch_free(&b);
	assert_int_equal(cdr_journal_backlog(j), 3);
	assert_int_equal(drain(j, 0, true, 1), 3);
	assert_int_equal(cdr_journal_backlog(j), 0);

	/* retention: with a zero byte budget an unconfirmed segment goes */
	struct cdr_journal_opts o2 = opts;
	o2.retain_unconfirmed_bytes = 0;
	cdr_journal_shutdown(j);
	cdr_journal_close(j);
	assert_int_equal(cdr_journal_open(d, &o2, &j, err, sizeof(err)), 0);
	assert_int_equal(drain(j, 0, true, 1), 3);
	assert_int_equal(cdr_journal_confirm(j, 1, 0, &dropped), 1);
	assert_int_equal(dropped, 1);
	assert_int_equal(cdr_journal_append(j, 1, "x", 1), 0);
	cdr_journal_shutdown(j);
	assert_int_equal(cdr_journal_append(j, 1, "x", 1), -ESHUTDOWN);
	cdr_journal_close(j);
	rm_rf(d);
	free(d);
}

struct appender {
	struct cdr_journal *j;
	int id;
	int n;
};

static void *append_thread(void *arg)
{
	struct appender *a = arg;
	for (int i = 0; i < a->n; i++) {
		char s[64];
		int len = snprintf(s, sizeof(s), "t%d-%d", a->id, i);
		if (cdr_journal_append(a->j, 2, s, (size_t)len) != 0)
			return (void *)1;
	}
	return NULL;
}

/* 8 threads x 300 appends, small segments (rotation under load); every
 * record is read back exactly once and per thread in order. */
static void test_concurrent_group_commit(void **state)
{
	(void)state;
	char *d = tmpdir(), err[256];
	struct cdr_journal *j;
	struct cdr_journal_opts o = opts;
	o.segment_bytes = 4096;
	assert_int_equal(cdr_journal_open(d, &o, &j, err, sizeof(err)), 0);
	pthread_t th[8];
	struct appender a[8];
	for (int i = 0; i < 8; i++) {
		a[i] = (struct appender){ j, i, 300 };
		assert_int_equal(pthread_create(&th[i], NULL, append_thread, &a[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(th[i], &r);
		assert_null(r);
	}
	assert_int_equal(cdr_journal_backlog(j), 2400);
	assert_true(cdr_journal_segments(j) > 1);
	int next[8] = { 0 };
	struct cdr_jbatch b;
	memset(&b, 0, sizeof(b));
	size_t total = 0, n;
	while ((n = cdr_journal_take(j, &b, 100, 1 << 20, 0)) > 0) {
		for (size_t i = 0; i < n; i++) {
			int t, k;
			char s[64];
			memcpy(s, b.recs[i].data, b.recs[i].len);
			s[b.recs[i].len] = '\0';
			assert_int_equal(sscanf(s, "t%d-%d", &t, &k), 2);
			assert_int_equal(k, next[t]);
			next[t]++;
			assert_int_equal(b.recs[i].fmt, 2);
		}
		total += n;
		cdr_journal_done(j, &b, true, 1, 1);
	}
	cdr_jbatch_free(&b);
	assert_int_equal(total, 2400);
	cdr_journal_shutdown(j);
	cdr_journal_close(j);
	rm_rf(d);
	free(d);
}

static int settled_calls;

static void count_settled(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&settled_calls, 1, __ATOMIC_SEQ_CST);
}

/* The deferred half: written records are neither durable nor handed to
 * workers until a flush; the flusher makes them durable in one go and
 * announces it; failures and shutdown are reported, never acknowledged. */
static void test_write_then_flusher(void **state)
{
	(void)state;
	char *d = tmpdir();
	char err[256];
	struct cdr_journal *j;
	uint64_t seq[3];
	assert_int_equal(cdr_journal_open(d, &opts, &j, err, sizeof(err)), 0);
	cdr_journal_on_settled(j, count_settled, NULL);
	assert_false(cdr_journal_sync_pending(j, 10)); /* nothing written */
	for (int i = 0; i < 3; i++) {
		char r[32];
		snprintf(r, sizeof(r), "rec-%d", i);
		assert_int_equal(cdr_journal_write(j, 1, r, strlen(r), &seq[i]), 0);
		assert_int_equal(cdr_journal_settled(j, seq[i]), 0);
	}
	assert_true(seq[0] < seq[1] && seq[1] < seq[2]);
	/* not durable: workers see nothing yet */
	struct cdr_jbatch b;
	memset(&b, 0, sizeof(b));
	assert_int_equal(cdr_journal_take(j, &b, 10, 1 << 16, 0), 0);
	settled_calls = 0;
	assert_true(cdr_journal_sync_pending(j, 1000));
	assert_int_equal(settled_calls, 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cdr_journal_settled(j, seq[i]), 1);
	assert_int_equal(cdr_journal_wait(j, seq[2]), 0); /* settled: no wait */
	assert_int_equal(drain(j, 0, true, 7), 3);
	/* a blocking waiter flushes by itself when no flusher runs */
	uint64_t s4;
	assert_int_equal(cdr_journal_write(j, 1, "rec-3", 5, &s4), 0);
	assert_int_equal(cdr_journal_wait(j, s4), 0);
	assert_int_equal(cdr_journal_settled(j, s4), 1);
	assert_int_equal(drain(j, 3, true, 7), 1);
	cdr_journal_shutdown(j);
	assert_int_equal(cdr_journal_write(j, 1, "x", 1, &s4), -ESHUTDOWN);
	assert_false(cdr_journal_sync_pending(j, 10));
	cdr_jbatch_free(&b);
	cdr_journal_close(j);
	rm_rf(d);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reopen_and_torn_tail),
		cmocka_unit_test(test_confirm_rules),
		cmocka_unit_test(test_concurrent_group_commit),
		cmocka_unit_test(test_write_then_flusher),
		cmocka_unit_test(test_failed_batch_keeps_committed_prefix),
	};
	return cmocka_run_group_tests_name("cdr-journal", tests, NULL, NULL);
}
