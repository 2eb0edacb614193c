/* The monitor's state file (src/lib/monitor-state.c): what the writer
 * formats, the reader parses back; bad files are refused with a reason. */
#include "unit.h"

#include <errno.h>
#include <unistd.h>

#include "lib/monitor-state.h"

static const char good[] =
	"updated=1790000000\nnode=node1\nrole=primary\nvip_held=1\nsync_state=sync\n"
	"peer_reachable=1\nwitness_configured=1\nwitness_reachable=0\nlag_bytes=-1\n"
	"lag_seconds=0.250\ntimeline=3\nfailovers_total=2\nfenced=0\narbiter=postgresql\n"
	"arbiter_reachable=1\nlease_holder=node1\nlease_term=4\nlease_remaining_ms=2875\n"
	"lease_renewed_ago_ms=125\nlease_held=1\nlease_valid_until_ms=123456789\nlease_failsafe=0\n";

static void test_round_trip(void **state)
{
	struct monitor_state st, back;
	struct strbuf sb = STRBUF_INIT;
	struct kv_error err;

	(void)state;
	assert_int_equal(monitor_state_parse(good, strlen(good), &st, &err), 0);
	assert_string_equal(st.node, "node1");
	assert_string_equal(st.role, "primary");
	assert_string_equal(st.sync_state, "sync");
	assert_int_equal(st.vip_held, 1);
	assert_int_equal(st.witness_reachable, 0);
	assert_int_equal(st.lag_bytes, -1);
	assert_int_equal(st.timeline, 3);
	assert_int_equal(st.failovers_total, 2);
	assert_true(st.lag_seconds > 0.24 && st.lag_seconds < 0.26);
	assert_int_equal(monitor_state_format(&st, &sb), 0);
	assert_string_equal(sb_str(&sb), good);
	assert_int_equal(monitor_state_parse(sb_str(&sb), sb.len, &back, &err), 0);
	assert_memory_equal(&st, &back, sizeof(st));
	sb_release(&sb);
}

struct row {
	const char *name;
	const char *from, *to; /* replace `from` in the good file by `to` */
	const char *msg;
};

static const struct row rows[] = {
	{ "missing key", "fenced=0\n", "", "missing key fenced" },
	{ "unknown key", "fenced=0\n", "fenced=0\nextra=1\n", "unknown key 'extra'" },
	{ "number with junk", "timeline=3\n", "timeline=3x\n", "invalid value for timeline" },
	{ "empty number", "lag_bytes=-1\n", "lag_bytes=\n", "invalid value for lag_bytes" },
	{ "number out of range", "updated=1790000000\n", "updated=99999999999999999999\n",
	  "invalid value for updated" },
	{ "real with junk", "lag_seconds=0.250\n", "lag_seconds=0.2s\n",
	  "invalid value for lag_seconds" },
	{ "text too long", "node=node1\n", "node=node1node1node1node1node1node1node1\n",
	  "invalid value for node" },
	{ "duplicate key", "fenced=0\n", "fenced=0\nfenced=1\n", "duplicate key" },
};

static void test_row(void **state)
{
	const struct row *r = *state;
	char buf[1024];
	const char *at = strstr(good, r->from);
	struct monitor_state st;
	struct kv_error err;

	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - good), good, r->to, at + strlen(r->from));
	assert_int_equal(monitor_state_parse(buf, strlen(buf), &st, &err), -EINVAL);
	if (!strstr(err.msg, r->msg))
		fail_msg("message '%s' lacks '%s'", err.msg, r->msg);
}

static const char *row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

static void test_load(void **state)
{
	char path[] = "/tmp/test-monitor-state.XXXXXX";
	struct monitor_state st;
	struct kv_error err;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, good, strlen(good)), (ssize_t)strlen(good));
	close(fd);
	assert_int_equal(monitor_state_load(path, &st, &err), 0);
	assert_string_equal(st.role, "primary");
	unlink(path);
	assert_int_equal(monitor_state_load(path, &st, &err), -ENOENT);
	assert_non_null(strstr(err.msg, path));
}

/* What check, status and restore read as "this node holds the
 * leadership": held, and valid past now on the node's own clock. */
static void test_holds_lease(void **state)
{
	struct monitor_state st;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.lease_held = 1;
	st.lease_valid_until_ms = 5000;
	assert_true(monitor_state_holds_lease(&st, 4999));
	assert_false(monitor_state_holds_lease(&st, 5000));
	st.lease_held = 0;
	assert_false(monitor_state_holds_lease(&st, 0));
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_holds_lease),
	};
	int failed = run_table("monitor-state-bad", test_row, (void *)rows, sizeof(rows[0]),
			       sizeof(rows) / sizeof(rows[0]), row_name);

	return failed + cmocka_run_group_tests_name("monitor-state", tests, NULL, NULL);
}
