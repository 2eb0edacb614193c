/* Both nodes' failover histories as one (src/engine/history-merge.c): the
 * line parser (good, malformed, cut and hostile lines), the merge in time
 * order (ties, equal clocks, an empty or missing peer) and the grouping of
 * a switchover that both nodes recorded into one event. */
#include "unit.h"

#include "engine/history-merge.h"

static struct history_list parse(const char *text, bool from_middle, const char *node)
{
	struct history_list l = { 0 };

	assert_int_equal(history_parse(text, strlen(text), from_middle, node, 100, &l), 0);
	return l;
}

static struct history_list merge(const struct history_list *a, const struct history_list *b)
{
	struct history_list m;

	assert_int_equal(history_merge(a, b, &m), 0);
	return m;
}

/* "node event outcome group" of each entry, one per line. */
static void expect(const struct history_list *l, const char *want)
{
	char got[4096] = "";
	size_t i, o = 0;

	for (i = 0; i < l->n; i++)
		o += (size_t)snprintf(got + o, sizeof(got) - o, "%s %s %s %u\n", l->v[i].node,
				      l->v[i].event, l->v[i].outcome, l->v[i].group);
	assert_string_equal(got, want);
}

static void parses_good_lines(void **state)
{
	struct history_list l;

	(void)state;
	l = parse("1765000000\tfence\tok\tthe peer is a primary\n"
		  "\n"
		  "1765000001.5\trebuild\tstarted\tfrom node2 (timeline 3)\r\n"
		  "1765000002.123456789\trebuild\tok\t\n"
		  "1765000003.007\ttransition\tok",
		  false, "node1");
	assert_int_equal(l.n, 4);
	assert_int_equal(l.malformed, 0);
	assert_true(l.v[0].time_ms == 1765000000000LL);
	assert_true(l.v[1].time_ms == 1765000001500LL);
	assert_true(l.v[2].time_ms == 1765000002123LL);
	assert_true(l.v[3].time_ms == 1765000003007LL);
	assert_string_equal(l.v[0].node, "node1");
	assert_string_equal(l.v[0].detail, "the peer is a primary");
	assert_string_equal(l.v[1].detail, "from node2 (timeline 3)");
	assert_string_equal(l.v[2].detail, "");
	assert_string_equal(l.v[3].detail, "");
	assert_int_equal(l.v[3].seq, 3);
	history_list_free(&l);
}

static void skips_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"abc\tfence\tok\tx",                                   /* time not a number */
		"\tfence\tok\tx",                                      /* no time */
		"12x\tfence\tok\tx",                                   /* junk after the time */
		"1765000000.\tfence\tok",                              /* a point without digits */
		"1765000000.1234567890\tfence\tok",                    /* ten fraction digits */
		"1765000000000\tfence\tok",                            /* thirteen digits */
		"0\tfence\tok",                                        /* the epoch itself */
		"-1\tfence\tok",                                       /* negative */
		"1765000000",                                          /* nothing else */
		"1765000000\tfence",                                   /* no outcome */
		"1765000000\t\tok\tx",                                 /* empty event */
		"1765000000\tfence\t\tx",                              /* empty outcome */
		"1765000000\tFence\tok",                               /* not [a-z0-9_-] */
		"1765000000\tfe nce\tok",                              /* a space */
		"1765000000\tan-event-name-of-more-than-31-bytes\tok", /* too long */
		"1765000000\tfence\toutcome-too-long",                 /* 16 bytes */
	};
	struct history_list l = { 0 };
	size_t i;
	char nul[] = "1765000000\tfence\tok\tbefore\0after\n1765000001\tfence\tok\tgood\n";

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(history_parse(bad[i], strlen(bad[i]), false, "node1", 100, &l), 0);
		if (l.n != 0)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(l.malformed, i + 1);
	}
	/* A NUL byte (the peer's tail is binary): that line only. */
	assert_int_equal(history_parse(nul, sizeof(nul) - 1, false, "node1", 100, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].detail, "good");
	assert_int_equal(l.malformed, sizeof(bad) / sizeof(bad[0]) + 1);
	history_list_free(&l);
}

static void a_tail_drops_its_cut_first_line(void **state)
{
	struct history_list l;

	(void)state;
	l = parse("00000\tfence\tok\tcut here\n1765000001\trebuild\tok\tx\n", true, "node2");
	assert_int_equal(l.n, 1);
	assert_int_equal(l.malformed, 0);
	assert_string_equal(l.v[0].event, "rebuild");
	history_list_free(&l);
	/* A tail without any newline: nothing whole in it. */
	l = parse("1765000001\trebuild\tok\tx", true, "node2");
	assert_int_equal(l.n, 0);
	assert_int_equal(l.malformed, 0);
	history_list_free(&l);
}

static void details_are_made_printable(void **state)
{
	struct history_list l;
	char longline[2000];
	size_t n;

	(void)state;
	l = parse(
		"1765000000\tfence\tok\ta\x1b[31mred\x7f\ttab \xc3\xa9t\xc3\xa9 \xff\xc3 \xe2\x82\n",
		false, "node1");
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].detail, "a [31mred  tab \xc3\xa9t\xc3\xa9 ?? ??");
	history_list_free(&l);
	/* Longer than the entry holds: cut on a character boundary. */
	n = (size_t)snprintf(longline, sizeof(longline), "1765000000\tfence\tok\tx");
	while (n + 2 < sizeof(longline) - 1) {
		memcpy(longline + n, "\xc3\xa9", 2);
		n += 2;
	}
	longline[n] = '\0';
	l = parse(longline, false, "node1");
	assert_int_equal(l.n, 1);
	assert_int_equal(strlen(l.v[0].detail), 511); /* "x" and 255 two-byte characters */
	assert_int_equal((unsigned char)l.v[0].detail[510], 0xa9);
	history_list_free(&l);
}

static void keeps_the_newest(void **state)
{
	struct history_list l = { 0 };
	const char *text = "1765000001\ta\tok\n1765000002\tb\tok\n1765000003\tc\tok\n";

	(void)state;
	assert_int_equal(history_parse(text, strlen(text), false, "node1", 2, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].event, "b");
	assert_string_equal(l.v[1].event, "c");
	history_list_free(&l);
}

static void merges_in_time_order(void **state)
{
	struct history_list a, b, m;

	(void)state;
	a = parse("1765000001\ta1\tok\n1765000003.5\ta2\tok\n1765000010\ta3\tok\n", false, "node1");
	b = parse("1765000000.9\tb1\tok\n1765000003.499\tb2\tok\n1765000020\tb3\tok\n", false,
		  "node2");
	m = merge(&a, &b);
	expect(&m, "node2 b1 ok 0\n"
		   "node1 a1 ok 0\n"
		   "node2 b2 ok 0\n"
		   "node1 a2 ok 0\n"
		   "node1 a3 ok 0\n"
		   "node2 b3 ok 0\n");
	history_list_free(&m);
	history_list_free(&a);
	history_list_free(&b);
}

/* Equal clocks: node1 before node2 whichever node asks (both print the
 * same list); one node's own equal times stay in its order. */
static void ties_are_the_same_on_both_nodes(void **state)
{
	struct history_list a, b, m1, m2;
	static const char *want = "node1 x ok 0\n"
				  "node1 y ok 0\n"
				  "node2 p ok 0\n"
				  "node2 q ok 0\n"
				  "node1 z ok 0\n";

	(void)state;
	a = parse("1765000001.250\tx\tok\n1765000001.250\ty\tok\n1765000002\tz\tok\n", false,
		  "node1");
	b = parse("1765000001.25\tp\tok\n1765000001.250\tq\tok\n", false, "node2");
	m1 = merge(&a, &b);
	m2 = merge(&b, &a);
	expect(&m1, want);
	expect(&m2, want);
	history_list_free(&m1);
	history_list_free(&m2);
	history_list_free(&a);
	history_list_free(&b);
}

static void an_empty_or_missing_peer(void **state)
{
	struct history_list a, none = { 0 }, m;

	(void)state;
	a = parse("1765000001\tswitchover\tstarted\tnode1 -> node2\n"
		  "1765000009\tswitchover\tok\tnode1 -> node2\n",
		  false, "node1");
	m = merge(&a, &none);
	/* One side only: no event "with both sides". */
	expect(&m, "node1 switchover started 0\nnode1 switchover ok 0\n");
	history_list_free(&m);
	m = merge(&none, &none);
	assert_int_equal(m.n, 0);
	assert_null(m.v);
	assert_int_equal(history_window(&m, 20), 0);
	history_list_free(&m);
	history_list_free(&a);
}

static void malformed_counts_add_up(void **state)
{
	struct history_list a, b, m;

	(void)state;
	a = parse("junk\n1765000001\tfence\tok\n", false, "node1");
	b = parse("1765000002\trebuild\tok\nmore junk\nand more\n", false, "node2");
	m = merge(&a, &b);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.malformed, 3);
	history_list_free(&m);
	history_list_free(&a);
	history_list_free(&b);
}

/* What voip-ha switchover on node1 leaves: started and ok on node1, the
 * promotion on node2, VRRP transitions on both in between. */
static const char switch_node1[] =
	"1765000100.000\tswitchover\tstarted\tnode1 -> node2\n"
	"1765000100.900\ttransition\tok\tMASTER -> BACKUP\n"
	"1765000108.000\tswitchover\tok\tnode1 -> node2, writes unavailable 1400 ms\n";
static const char switch_node2[] =
	"1765000101.100\ttransition\tok\tBACKUP -> MASTER\n"
	"1765000101.600\tswitchover\tok\tnode2 promoted: planned switchover from node1\n";

static void a_switchover_is_one_event(void **state)
{
	struct history_list a, b, m;

	(void)state;
	a = parse(switch_node1, false, "node1");
	b = parse(switch_node2, false, "node2");
	m = merge(&b, &a);
	expect(&m, "node1 switchover started 1\n"
		   "node1 transition ok 0\n"
		   "node2 transition ok 0\n"
		   "node2 switchover ok 1\n"
		   "node1 switchover ok 1\n");
	history_list_free(&m);
	history_list_free(&a);
	history_list_free(&b);
}

/* node2's clock 0.3 s ahead of node1's: its promotion reads as earlier
 * than node1's start; still one event. */
static void a_switchover_under_clock_skew(void **state)
{
	struct history_list a, b, m;

	(void)state;
	a = parse("1765000100.000\tswitchover\tstarted\tnode1 -> node2\n"
		  "1765000105.000\tswitchover\tok\tnode1 -> node2\n",
		  false, "node1");
	b = parse("1765000099.700\tswitchover\tok\tnode2 promoted: planned switchover from node1\n",
		  false, "node2");
	m = merge(&a, &b);
	expect(&m, "node2 switchover ok 1\n"
		   "node1 switchover started 1\n"
		   "node1 switchover ok 1\n");
	history_list_free(&m);
	history_list_free(&a);
	history_list_free(&b);
}

/* There and back (the e2e's scenario 6), then one an hour later whose
 * peer recorded nothing (it failed before promoting), then a stray
 * promotion of node1 long after: three groups at most, only the ones with
 * both sides numbered. */
static void switchovers_in_a_row(void **state)
{
	struct history_list a, b, m;

	(void)state;
	a = parse("1765000100\tswitchover\tstarted\tnode1 -> node2\n"
		  "1765000108\tswitchover\tok\tnode1 -> node2\n"
		  "1765000131\tswitchover\tok\tnode1 promoted: planned switchover from node2\n"
		  "1765010000\tswitchover\tok\tnode1 promoted: planned switchover from node2\n",
		  false, "node1");
	b = parse("1765000101\tswitchover\tok\tnode2 promoted: planned switchover from node1\n"
		  "1765000130\tswitchover\tstarted\tnode2 -> node1\n"
		  "1765000139\tswitchover\tok\tnode2 -> node1\n"
		  "1765003600\tswitchover\tstarted\tnode2 -> node1\n"
		  "1765003660\tswitchover\tfailed\tnode1 not promoted\n",
		  false, "node2");
	m = merge(&a, &b);
	expect(&m, "node1 switchover started 1\n"
		   "node2 switchover ok 1\n"
		   "node1 switchover ok 1\n"
		   "node2 switchover started 2\n"
		   "node1 switchover ok 2\n"
		   "node2 switchover ok 2\n"
		   "node2 switchover started 0\n"
		   "node2 switchover failed 0\n"
		   "node1 switchover ok 0\n");
	history_list_free(&m);
	history_list_free(&a);
	history_list_free(&b);
}

/* Entries of the same kind further apart than the window are not one
 * event, and a second "started" always begins a new one. */
static void only_close_entries_are_one_event(void **state)
{
	struct history_list a, b, m;

	(void)state;
	a = parse("1765000000\tswitchover\tstarted\tnode1 -> node2\n", false, "node1");
	b = parse("1765000601\tswitchover\tok\tnode2 promoted: planned switchover from node1\n"
		  "1765000602\tswitchover\tstarted\tnode2 -> node1\n",
		  false, "node2");
	m = merge(&a, &b);
	expect(&m, "node1 switchover started 0\n"
		   "node2 switchover ok 0\n"
		   "node2 switchover started 0\n");
	history_list_free(&m);
	history_list_free(&a);
	history_list_free(&b);
}

/* The last n entries, but never half of an event. */
static void the_window_keeps_events_whole(void **state)
{
	struct history_list a, b, m;

	(void)state;
	a = parse(switch_node1, false, "node1");
	b = parse(switch_node2, false, "node2");
	m = merge(&a, &b);
	assert_int_equal(m.n, 5);
	assert_int_equal(history_window(&m, 0), 5);
	assert_int_equal(history_window(&m, 1), 0); /* the last entry is the event's end */
	assert_int_equal(history_window(&m, 5), 0);
	assert_int_equal(history_window(&m, 50), 0);
	history_list_free(&m);
	history_list_free(&b);
	b = parse("1765000101.100\ttransition\tok\tBACKUP -> MASTER\n"
		  "1765000101.600\tswitchover\tok\tnode2 promoted: planned switchover from node1\n"
		  "1765000200\tfence\tok\tx\n1765000201\trebuild\tok\tx\n",
		  false, "node2");
	m = merge(&a, &b);
	assert_int_equal(m.n, 7);
	assert_int_equal(history_window(&m, 2), 5);
	assert_int_equal(history_window(&m, 3), 0); /* node1's ok: back to the start */
	history_list_free(&m);
	history_list_free(&a);
	history_list_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_good_lines),
		cmocka_unit_test(skips_malformed_lines),
		cmocka_unit_test(a_tail_drops_its_cut_first_line),
		cmocka_unit_test(details_are_made_printable),
		cmocka_unit_test(keeps_the_newest),
		cmocka_unit_test(merges_in_time_order),
		cmocka_unit_test(ties_are_the_same_on_both_nodes),
		cmocka_unit_test(an_empty_or_missing_peer),
		cmocka_unit_test(malformed_counts_add_up),
		cmocka_unit_test(a_switchover_is_one_event),
		cmocka_unit_test(a_switchover_under_clock_skew),
		cmocka_unit_test(switchovers_in_a_row),
		cmocka_unit_test(only_close_entries_are_one_event),
		cmocka_unit_test(the_window_keeps_events_whole),
	};

	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
