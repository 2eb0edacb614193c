/* backup.state (src/lib/backup-state.c) and pgBackRest's info JSON
 * (src/lib/pgbr-info.c): the file round-trips, bad files and hostile JSON
 * are refused with a reason, WAL names give the right end, the warnings
 * follow the schedule and the archiver, and real `pgbackrest info` output
 * (test/fixtures/pgbackrest/, pgBackRest 2.45: see its README) reads as it
 * should. Run from the top of the tree. */
#include "unit.h"

#include <errno.h>
#include <unistd.h>

#include "lib/backup-state.h"
#include "lib/pgbr-info.h"
#include "lib/readfile.h"

#define NOW 1790000000LL

/* A healthy primary's state at NOW: a full backup 2 days ago, a diff 2 h
 * ago, archiving up to date. */
static void healthy(struct backup_state *st)
{
	memset(st, 0, sizeof(*st));
	st->updated = NOW - 30;
	snprintf(st->kind, sizeof(st->kind), "repo-host");
	snprintf(st->stanza, sizeof(st->stanza), "voip-ha");
	st->repo_checked = NOW - 100;
	st->repo_ok = 1;
	st->backups = 2;
	st->restorable_from = NOW - 2 * 86400;
	snprintf(st->repo_wal_max, sizeof(st->repo_wal_max), "000000020000000000000009");
	snprintf(st->full_label, sizeof(st->full_label), "20260920-013000F");
	st->full_start = NOW - 2 * 86400 - 600;
	st->full_stop = NOW - 2 * 86400;
	st->full_size = 2000000000;
	st->full_repo_size = 900000000;
	snprintf(st->diff_label, sizeof(st->diff_label), "20260920-013000F_20260922-013000D");
	st->diff_start = NOW - 7300;
	st->diff_stop = NOW - 7200;
	st->diff_size = 2000000000;
	st->diff_repo_size = 1000000;
	st->max_age_any = BACKUP_MAX_AGE_ANY;
	st->max_age_full = BACKUP_MAX_AGE_FULL;
	snprintf(st->role, sizeof(st->role), "primary");
	st->archived_count = 40;
	snprintf(st->archived_wal, sizeof(st->archived_wal), "000000020000000000000009");
	st->archived_time = NOW - 20;
	st->wal_segment_size = 16 << 20;
	st->lag_bytes = 4096;
	st->lag_seconds = 20;
}

static void test_round_trip(void **state)
{
	struct backup_state st, back;
	struct strbuf sb = STRBUF_INIT, sb2 = STRBUF_INIT;
	struct kv_error err;

	(void)state;
	healthy(&st);
	/* an error text with a newline and a tab stays one line */
	snprintf(st.repo_error, sizeof(st.repo_error), "[104]: line one\nline\ttwo");
	assert_int_equal(backup_state_format(&st, &sb), 0);
	assert_non_null(strstr(sb_str(&sb), "\nrepo_error=[104]: line one line two\n"));
	assert_int_equal(backup_state_parse(sb_str(&sb), sb.len, &back, &err), 0);
	assert_string_equal(back.diff_label, st.diff_label);
	assert_int_equal(back.full_size, st.full_size);
	assert_int_equal(back.lag_bytes, 4096);
	assert_string_equal(back.repo_error, "[104]: line one line two");
	assert_int_equal(backup_state_format(&back, &sb2), 0);
	assert_string_equal(sb_str(&sb), sb_str(&sb2));
	sb_release(&sb);
	sb_release(&sb2);
}

static void test_text_cut(void **state)
{
	char buf[8];

	(void)state;
	backup_state_text(buf, sizeof(buf), "abc\x7f\x01xyz");
	assert_string_equal(buf, "abc  xy");
	/* "ab" then a 3-byte character that does not fit: cut before it */
	backup_state_text(buf, 5, "ab\xe2\x82\xac");
	assert_string_equal(buf, "ab");
	backup_state_text(buf, sizeof(buf), "ab\xe2\x82\xac");
	assert_string_equal(buf, "ab\xe2\x82\xac");
}

struct row {
	const char *name;
	const char *from, *to; /* replace `from` in the healthy file by `to` */
	const char *msg;
};

static const struct row rows[] = {
	{ "missing key", "lag_bytes=4096\n", "", "missing key lag_bytes" },
	{ "unknown key", "lag_bytes=4096\n", "lag_bytes=4096\nextra=1\n", "unknown key 'extra'" },
	{ "number with junk", "backups=2\n", "backups=2x\n", "invalid value for backups" },
	{ "empty number", "full_size=2000000000\n", "full_size=\n", "invalid value for full_size" },
	{ "number out of range", "updated=1789999970\n", "updated=99999999999999999999\n",
	  "invalid value for updated" },
	{ "text too long", "kind=repo-host\n", "kind=repo-host-repo-host-repo-host\n",
	  "invalid value for kind" },
	{ "duplicate key", "backups=2\n", "backups=2\nbackups=3\n", "duplicate key" },
};

static void test_row(void **state)
{
	const struct row *r = *state;
	struct backup_state st;
	struct strbuf sb = STRBUF_INIT;
	struct kv_error err;
	char buf[8192];
	const char *at;

	healthy(&st);
	assert_int_equal(backup_state_format(&st, &sb), 0);
	at = strstr(sb_str(&sb), r->from);
	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - sb_str(&sb)), sb_str(&sb), r->to,
		 at + strlen(r->from));
	sb_release(&sb);
	assert_int_equal(backup_state_parse(buf, strlen(buf), &st, &err), -EINVAL);
	if (!strstr(err.msg, r->msg))
		fail_msg("message '%s' lacks '%s'", err.msg, r->msg);
}

static const char *row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static void test_load(void **state)
{
	char path[] = "/tmp/test-backup-state.XXXXXX";
	struct backup_state st;
	struct strbuf sb = STRBUF_INIT;
	struct kv_error err;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	healthy(&st);
	assert_int_equal(backup_state_format(&st, &sb), 0);
	assert_int_equal(write(fd, sb_str(&sb), sb.len), (ssize_t)sb.len);
	close(fd);
	sb_release(&sb);
	assert_int_equal(backup_state_load(path, &st, &err), 0);
	assert_string_equal(st.role, "primary");
	unlink(path);
	assert_int_equal(backup_state_load(path, &st, &err), -ENOENT);
	assert_non_null(strstr(err.msg, path));
}

static void test_wal_name_end(void **state)
{
	const long long seg = 16LL << 20;

	(void)state;
	assert_true(wal_name_end("000000010000000000000001", seg) == 2 * seg);
	assert_true(wal_name_end("0000000200000001000000FF", seg) == 0x100000000LL + 256 * seg);
	assert_true(wal_name_end("000000010000000000000003.partial", seg) == 4 * seg);
	assert_true(wal_name_end("000000010000000000000003.00000028.backup", seg) == 4 * seg);
	/* 1 GiB segments: 4 per log */
	assert_true(wal_name_end("000000010000000100000003", 1LL << 30) ==
		    0x100000000LL + 4 * (1LL << 30));
	assert_true(wal_name_end("000000010000000100000004", 1LL << 30) == -1);
	assert_true(wal_name_end("00000002.history", seg) == -1);
	assert_true(wal_name_end("00000001000000000000000", seg) == -1);
	assert_true(wal_name_end("00000001000000000000000g", seg) == -1);
	assert_true(wal_name_end("000000010000000000000001x", seg) == -1);
	assert_true(wal_name_end("000000010000000000000100", seg) == -1);
	assert_true(wal_name_end("00000001FFFFFFFF00000001", seg) == -1);
	assert_true(wal_name_end("", seg) == -1);
	assert_true(wal_name_end(NULL, seg) == -1);
	assert_true(wal_name_end("000000010000000000000001", 3 << 20) == -1);
	assert_true(wal_name_end("000000010000000000000001", 512 << 10) == -1);
}

/* The warnings of st at NOW, joined by '|'. */
static const char *warnings(const struct backup_state *st)
{
	static char joined[4096];
	char out[8][400];
	int n = backup_state_warnings(st, NOW, &out[0][0], sizeof(out[0]), 8);

	joined[0] = '\0';
	for (int i = 0; i < n && i < 8; i++)
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
			 i ? "|" : "", out[i]);
	return joined;
}

static void test_warnings(void **state)
{
	struct backup_state st;

	(void)state;
	healthy(&st);
	assert_string_equal(warnings(&st), "");
	/* the state stale */
	healthy(&st);
	st.updated = NOW - BACKUP_STATE_STALE - 60;
	assert_string_equal(warnings(&st), "the backup status is 11 min old: "
					   "voip-ha-backup-refresh.timer does not refresh it");
	/* never asked / not answering / no backup */
	healthy(&st);
	st.repo_checked = 0;
	assert_non_null(strstr(warnings(&st), "has not been asked yet"));
	healthy(&st);
	st.repo_ok = 0;
	snprintf(st.repo_error, sizeof(st.repo_error), "pgbackrest info gave no answer");
	assert_string_equal(
		warnings(&st),
		"the backup repository does not answer: pgbackrest info gave no answer");
	healthy(&st);
	st.backups = 0;
	st.full_stop = st.diff_stop = 0;
	assert_string_equal(warnings(&st),
			    "no backup in the repository yet: nothing to restore from");
	/* the daily backup missed: the newest is 28 h old */
	healthy(&st);
	st.diff_stop = NOW - 28 * 3600;
	assert_string_equal(warnings(&st),
			    "the newest backup is 28 h old (daily backups: at most 27 h expected)");
	/* 26 h is within the margin */
	st.diff_stop = NOW - 26 * 3600;
	assert_string_equal(warnings(&st), "");
	/* the weekly full missed, diffs still daily */
	healthy(&st);
	st.full_stop = NOW - 8 * 86400;
	assert_string_equal(
		warnings(&st),
		"the newest full backup is 8 days old (weekly: at most 7 days expected)");
	/* an incremental one counts as a backup of the day */
	healthy(&st);
	st.diff_stop = 0;
	st.full_stop = NOW - 2 * 86400;
	st.incr_stop = NOW - 3600;
	assert_string_equal(warnings(&st), "");
	/* archiving fails: the last failure after the last success */
	healthy(&st);
	st.failed_count = 3;
	st.failed_time = NOW - 120;
	st.archived_time = NOW - 600;
	snprintf(st.failed_wal, sizeof(st.failed_wal), "00000002000000000000000A");
	snprintf(st.spool_error, sizeof(st.spool_error), "[104] unable to connect");
	assert_string_equal(warnings(&st), "WAL archiving fails: 3 failures, the last 2 min ago "
					   "(00000002000000000000000A): [104] unable to connect");
	/* pgBackRest 2.45 lost the repository's reason (its worker crashed):
	 * the warning says how to see it */
	snprintf(st.spool_error, sizeof(st.spool_error),
		 "[102] local-1 process terminated unexpectedly on signal 11");
	assert_string_equal(warnings(&st),
			    "WAL archiving fails: 3 failures, the last 2 min ago "
			    "(00000002000000000000000A): [102] local-1 process terminated "
			    "unexpectedly on signal 11 (pgBackRest 2.45 loses the repository's own "
			    "error this way, a full repository disk for one; archive-push with "
			    "--no-archive-async, as postgres, shows it)");
	/* another [102] error, or the words without the code: as they are */
	snprintf(st.spool_error, sizeof(st.spool_error), "[102] unable to fork");
	assert_string_equal(warnings(&st), "WAL archiving fails: 3 failures, the last 2 min ago "
					   "(00000002000000000000000A): [102] unable to fork");
	snprintf(st.spool_error, sizeof(st.spool_error),
		 "[104] local-1 process terminated unexpectedly on signal 11");
	assert_null(strstr(warnings(&st), "loses"));
	/* a failure PostgreSQL timed a moment after our clock's now: 0 s, not -1 */
	st.failed_time = NOW + 1;
	assert_non_null(strstr(warnings(&st), "the last 0 s ago"));
	st.failed_time = NOW - 120;
	/* an old failure, archiving since: nothing */
	st.archived_time = NOW - 60;
	assert_string_equal(warnings(&st), "");
	/* WAL piles up: more than a segment waiting, nothing archived for 6 min */
	healthy(&st);
	st.lag_bytes = 40LL << 20;
	st.lag_seconds = 360;
	assert_string_equal(warnings(&st),
			    "40 MiB of WAL not in the repository yet, none archived for 6 min: "
			    "pg_wal grows until the repository takes it");
	/* a quiet primary: less than a segment waits, for a long time */
	st.lag_bytes = 8192;
	st.lag_seconds = 7200;
	assert_string_equal(warnings(&st), "");
	/* more than 1 GiB waits: at once */
	st.lag_bytes = 2LL << 30;
	st.lag_seconds = 60;
	assert_non_null(strstr(warnings(&st), "2048 MiB of WAL not in the repository yet"));
	/* a standby's archiver says nothing */
	healthy(&st);
	snprintf(st.role, sizeof(st.role), "standby");
	st.failed_count = 3;
	st.failed_time = NOW - 120;
	st.lag_bytes = 2LL << 30;
	assert_string_equal(warnings(&st), "");
	/* at most max are written, all are counted */
	healthy(&st);
	st.updated = NOW - 7200;
	st.full_stop = NOW - 8 * 86400;
	st.diff_stop = NOW - 2 * 86400;
	{
		char one[1][200];

		assert_int_equal(backup_state_warnings(&st, NOW, &one[0][0], sizeof(one[0]), 1), 3);
		assert_non_null(strstr(one[0], "backup status is 2 h old"));
	}
}

/* ---- pgBackRest's info ------------------------------------------------ */

static char *fixture(const char *name, size_t *len)
{
	char path[256];
	struct strbuf sb = STRBUF_INIT;

	snprintf(path, sizeof(path), "test/fixtures/pgbackrest/%s", name);
	if (read_file(path, 1 << 20, &sb) < 0)
		fail_msg("cannot read %s (run from the top of the tree)", path);
	*len = sb.len;
	return sb_detach(&sb);
}

static void test_info_backups(void **state)
{
	struct pgbr_info info;
	char why[128];
	size_t len;
	char *json = fixture("info-full-diff-incr.json", &len);

	(void)state;
	assert_int_equal(pgbr_info_parse(json, len, "voip-ha", &info, why, sizeof(why)), 0);
	assert_true(pgbr_info_ok(&info));
	assert_int_equal(info.code, 0);
	assert_string_equal(info.message, "ok");
	assert_string_equal(info.cipher, "aes-256-cbc");
	assert_false(info.backup_running);
	assert_int_equal(info.nbackups, 3);
	assert_string_equal(info.backups[0].type, "full");
	assert_string_equal(info.backups[1].type, "diff");
	assert_string_equal(info.backups[2].type, "incr");
	for (size_t i = 0; i < 3; i++) {
		assert_true(info.backups[i].start > 1700000000);
		assert_true(info.backups[i].stop >= info.backups[i].start);
		assert_true(info.backups[i].size > 1000000);
		assert_true(info.backups[i].repo_size > 0);
		assert_int_equal(strlen(info.backups[i].wal_start), 24);
		assert_int_equal(strlen(info.backups[i].wal_stop), 24);
	}
	assert_non_null(strstr(info.backups[1].label, "D"));
	assert_int_equal(strlen(info.wal_min), 24);
	assert_int_equal(strlen(info.wal_max), 24);
	assert_true(strcmp(info.wal_max, info.backups[2].wal_stop) >= 0);
	/* another stanza's name: not in the answer */
	pgbr_info_free(&info);
	assert_int_equal(pgbr_info_parse(json, len, "other", &info, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "no such stanza in the answer");
	pgbr_info_free(&info);
	free(json);
}

static void test_info_no_backup(void **state)
{
	struct pgbr_info info;
	char why[128];
	size_t len;
	char *json = fixture("info-no-backup.json", &len);

	(void)state;
	assert_int_equal(pgbr_info_parse(json, len, "voip-ha", &info, why, sizeof(why)), 0);
	assert_true(pgbr_info_ok(&info));
	assert_int_equal(info.code, 2);
	assert_string_equal(info.message, "no valid backups");
	assert_int_equal(info.nbackups, 0);
	pgbr_info_free(&info);
	free(json);
}

static void test_info_no_stanza(void **state)
{
	struct pgbr_info info;
	char why[128];
	size_t len;
	char *json = fixture("info-no-stanza.json", &len);

	(void)state;
	assert_int_equal(pgbr_info_parse(json, len, "voip-ha", &info, why, sizeof(why)), 0);
	assert_false(pgbr_info_ok(&info));
	assert_int_equal(info.code, 1);
	assert_string_equal(info.message, "missing stanza path");
	pgbr_info_free(&info);
	free(json);
}

static void test_info_repo_down(void **state)
{
	struct pgbr_info info;
	char why[128];
	size_t len;
	char *json = fixture("info-repo-down.json", &len);

	(void)state;
	assert_int_equal(pgbr_info_parse(json, len, "voip-ha", &info, why, sizeof(why)), 0);
	assert_false(pgbr_info_ok(&info));
	assert_int_equal(info.code, 99);
	/* the stanza's and the repository's messages, one line */
	assert_string_equal(info.message, "other: [HostConnectError] unable to connect to "
					  "'127.0.0.1:8439': [111] Connection refused");
	assert_null(strchr(info.message, '\n'));
	assert_int_equal(info.nbackups, 0);
	pgbr_info_free(&info);
	free(json);
}

static void test_info_wrong_key(void **state)
{
	struct pgbr_info info;
	char why[128];
	size_t len;
	char *json = fixture("info-wrong-key.json", &len);

	(void)state;
	assert_int_equal(pgbr_info_parse(json, len, "voip-ha", &info, why, sizeof(why)), 0);
	assert_false(pgbr_info_ok(&info));
	assert_int_equal(info.code, 99);
	/* the key named, never pgBackRest's decrypted bytes or its stanza-create hint */
	assert_string_equal(info.message,
			    "other: the repository's files do not open with the key given: "
			    "backup_cipher_pass (repo1-cipher-pass on the repository host) is not "
			    "the key the repository was made with, or its info files are damaged");
	pgbr_info_free(&info);
	free(json);
	/* another info file error: as pgBackRest says it */
	json = strdup("[{\"name\":\"voip-ha\",\"cipher\":\"none\",\"repo\":[{\"status\":{"
		      "\"message\":\"unable to load info file 'x': [2] No such file\"}}],"
		      "\"status\":{\"code\":99,\"message\":\"other\"}}]");
	assert_non_null(json);
	assert_int_equal(pgbr_info_parse(json, strlen(json), "voip-ha", &info, why, sizeof(why)),
			 0);
	assert_string_equal(info.message, "other: unable to load info file 'x': [2] No such file");
	pgbr_info_free(&info);
	free(json);
	/* bytes that are no UTF-8 in a message: cut there */
	json = strdup("[{\"name\":\"voip-ha\",\"cipher\":\"none\",\"repo\":[{\"status\":{"
		      "\"message\":\"bad file: \xc3\xa4ok \xff\xfe\x80 more\"}}],\"status\":{"
		      "\"code\":99,\"message\":\"other\"}}]");
	assert_non_null(json);
	assert_int_equal(pgbr_info_parse(json, strlen(json), "voip-ha", &info, why, sizeof(why)),
			 0);
	assert_string_equal(info.message, "other: bad file: \xc3\xa4ok [bytes that are no text]");
	pgbr_info_free(&info);
	free(json);
}

struct bad_json {
	const char *name, *json, *why;
};

#define STANZA_OK "\"name\":\"voip-ha\",\"status\":{\"code\":0,\"message\":\"ok\"}"
#define BACKUP(fields) "[{" STANZA_OK ",\"backup\":[{" fields "}]}]"
#define GOOD_HEAD \
	"\"label\":\"20260920-013000F\",\"type\":\"full\",\"timestamp\":{\"start\":1,\"stop\":2}"
#define GOOD_BACKUP GOOD_HEAD ",\"info\":{\"size\":5,\"repository\":{\"delta\":3}}"

static const struct bad_json bad[] = {
	{ "not JSON", "[{", "not JSON" },
	{ "an object, not a list", "{\"name\":\"voip-ha\"}", "not a list of stanzas" },
	{ "no stanza", "[]", "no such stanza in the answer" },
	{ "stanza name not a string", "[{\"name\":1}]", "no such stanza in the answer" },
	{ "no status", "[{\"name\":\"voip-ha\"}]", "the stanza has no status code" },
	{ "status code a string", "[{\"name\":\"voip-ha\",\"status\":{\"code\":\"0\"}}]",
	  "the stanza has no status code" },
	{ "status code negative", "[{\"name\":\"voip-ha\",\"status\":{\"code\":-1}}]",
	  "the stanza has no status code" },
	{ "cipher with a space", "[{" STANZA_OK ",\"cipher\":\"aes 256\"}]",
	  "an invalid cipher name" },
	{ "backups an object", "[{" STANZA_OK ",\"backup\":{\"label\":\"x\"}}]",
	  "the backups are not a list" },
	{ "label with a slash", BACKUP("\"label\":\"../x\",\"type\":\"full\""),
	  "a backup without a valid label" },
	{ "label with a newline", BACKUP("\"label\":\"a\\nb\",\"type\":\"full\""),
	  "a backup without a valid label" },
	{ "label too long",
	  BACKUP("\"label\":\"20260920-013000F_20260920-013000F_20260920-013000F\""),
	  "a backup without a valid label" },
	{ "unknown type", BACKUP("\"label\":\"x\",\"type\":\"snapshot\""),
	  "a backup of an unknown type" },
	{ "no stop time", BACKUP("\"label\":\"x\",\"type\":\"full\",\"timestamp\":{\"start\":1}"),
	  "a backup without valid start and stop times" },
	{ "stop before start",
	  BACKUP("\"label\":\"x\",\"type\":\"full\",\"timestamp\":{\"start\":5,\"stop\":2}"),
	  "a backup without valid start and stop times" },
	{ "time not whole",
	  BACKUP("\"label\":\"x\",\"type\":\"full\",\"timestamp\":{\"start\":1.5,\"stop\":2}"),
	  "a backup without valid start and stop times" },
	{ "time huge",
	  BACKUP("\"label\":\"x\",\"type\":\"full\",\"timestamp\":{\"start\":1,\"stop\":1e300}"),
	  "a backup without valid start and stop times" },
	{ "negative size", BACKUP(GOOD_HEAD ",\"info\":{\"size\":-5}"),
	  "a backup with an invalid size" },
	{ "size a string", BACKUP(GOOD_HEAD ",\"info\":{\"size\":\"5\"}"),
	  "a backup with an invalid size" },
	{ "WAL name too short", BACKUP(GOOD_BACKUP ",\"archive\":{\"start\":\"0001\"}"),
	  "a backup with an invalid WAL range" },
	{ "WAL name lower case",
	  BACKUP(GOOD_BACKUP ",\"archive\":{\"start\":\"00000001000000000000000a\"}"),
	  "a backup with an invalid WAL range" },
	{ "archive max not a WAL name", "[{" STANZA_OK ",\"archive\":[{\"max\":\"x\"}]}]",
	  "an invalid archive WAL range" },
};

static void test_bad_json(void **state)
{
	const struct bad_json *b = *state;
	struct pgbr_info info;
	char why[128] = "";

	assert_int_equal(pgbr_info_parse(b->json, strlen(b->json), "voip-ha", &info, why,
					 sizeof(why)),
			 -EINVAL);
	pgbr_info_free(&info);
	assert_string_equal(why, b->why);
}

static const char *bad_name(const void *row)
{
	return ((const struct bad_json *)row)->name;
}

static void test_good_minimal(void **state)
{
	static const char json[] = BACKUP(GOOD_BACKUP);
	struct pgbr_info info;
	char why[128];

	(void)state;
	/* the same shape as the bad rows, valid: the rows fail for their reason */
	assert_int_equal(pgbr_info_parse(json, strlen(json), "voip-ha", &info, why, sizeof(why)),
			 0);
	assert_int_equal(info.nbackups, 1);
	assert_int_equal(info.backups[0].size, 5);
	assert_int_equal(info.backups[0].repo_size, 3);
	assert_string_equal(info.backups[0].wal_start, "");
	pgbr_info_free(&info);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_text_cut),
		cmocka_unit_test(test_load),           cmocka_unit_test(test_wal_name_end),
		cmocka_unit_test(test_warnings),       cmocka_unit_test(test_info_backups),
		cmocka_unit_test(test_info_no_backup), cmocka_unit_test(test_info_no_stanza),
		cmocka_unit_test(test_info_repo_down), cmocka_unit_test(test_info_wrong_key),
		cmocka_unit_test(test_good_minimal),
	};
	int failed = run_table("backup-state-bad", test_row, (void *)rows, sizeof(rows[0]),
			       sizeof(rows) / sizeof(rows[0]), row_name);

	failed += run_table("pgbr-info-bad", test_bad_json, (void *)bad, sizeof(bad[0]),
			    sizeof(bad) / sizeof(bad[0]), bad_name);
	return failed + cmocka_run_group_tests_name("backup-state", tests, NULL, NULL);
}
