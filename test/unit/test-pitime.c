/* The restore's point in time (src/lib/pitime.c): every accepted form, each
 * field's range, and what PostgreSQL is given. */
#include "unit.h"

#include <errno.h>

#include "lib/pitime.h"

struct row {
	const char *in;
	long long epoch; /* -1: refused */
	const char *utc;
	const char *why; /* part of the refusal */
};

static const struct row rows[] = {
	{ "2026-12-06 10:01:02", 1796551262, "2026-12-06 10:01:02+00", NULL },
	{ "2026-12-06T10:01:02", 1796551262, "2026-12-06 10:01:02+00", NULL },
	{ "2026-12-06 10:01:02Z", 1796551262, "2026-12-06 10:01:02+00", NULL },
	{ "2026-12-06 10:01:02.5", 1796551262, "2026-12-06 10:01:02.500000+00", NULL },
	{ "2026-12-06 10:01:02.123456", 1796551262, "2026-12-06 10:01:02.123456+00", NULL },
	{ "2026-12-06 17:01:02+07:00", 1796551262, "2026-12-06 10:01:02+00", NULL },
	{ "2026-12-06 17:01:02+07", 1796551262, "2026-12-06 10:01:02+00", NULL },
	{ "2026-12-06 05:31:02-0430", 1796551262, "2026-12-06 10:01:02+00", NULL },
	{ "2026-12-07 00:30:00+01:00", 1796599800, "2026-12-06 23:30:00+00", NULL },
	{ "2028-02-29 00:00:00", 1835395200, "2028-02-29 00:00:00+00", NULL },
	{ "2000-02-29 12:00:00", 951825600, "2000-02-29 12:00:00+00", NULL },
	{ "1970-01-01 00:00:00", 0, "1970-01-01 00:00:00+00", NULL },
	{ "2027-02-29 00:00:00", -1, NULL, "no such day" },
	{ "1900-02-29 00:00:00", -1, NULL, "year" },
	{ "2026-13-01 00:00:00", -1, NULL, "no such month" },
	{ "2026-04-31 00:00:00", -1, NULL, "no such day" },
	{ "2026-12-06 24:00:00", -1, NULL, "time of day" },
	{ "2026-12-06 10:60:00", -1, NULL, "time of day" },
	{ "2026-12-06 10:01:60", -1, NULL, "time of day" },
	{ "2026-12-06 10:01", -1, NULL, "not in that form" },
	{ "2026-12-06", -1, NULL, "not in that form" },
	{ "06/12/2026 10:01:02", -1, NULL, "not in that form" },
	{ "2026-12-06 10:01:02.", -1, NULL, "no digit" },
	{ "2026-12-06 10:01:02.1234567", -1, NULL, "6 digits" },
	{ "2026-12-06 10:01:02 UTC", -1, NULL, "follows" },
	{ "2026-12-06 10:01:02+7", -1, NULL, "offset" },
	{ "2026-12-06 10:01:02+16:00", -1, NULL, "out of range" },
	{ "2026-12-06 10:01:02+07:00x", -1, NULL, "follows" },
	{ "1970-01-01 00:00:00+01:00", -1, NULL, "before 1970" },
	{ "", -1, NULL, "not in that form" },
	{ "yesterday", -1, NULL, "not in that form" },
};

static void one(void **state)
{
	const struct row *r = *state;
	struct pitime t;
	char err[300] = "";
	int rc = pitime_parse(r->in, &t, err, sizeof(err));

	if (r->epoch < 0) {
		assert_int_equal(rc, -EINVAL);
		assert_non_null(strstr(err, r->why));
		assert_non_null(strstr(err, r->in));
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(t.epoch, r->epoch);
	assert_string_equal(t.utc, r->utc);
}

static const char *name(const void *row)
{
	const struct row *r = row;

	return r->in[0] ? r->in : "(empty)";
}

int main(void)
{
	return run_table("pitime", one, (void *)rows, sizeof(rows[0]),
			 sizeof(rows) / sizeof(rows[0]), name);
}
