/* A point in time as `voip-ha restore --time` takes it: the one parser of
 * that syntax (doc/DESIGN.md, "Backups", Restore).
 *
 *   YYYY-MM-DD HH:MM:SS[.F{1,6}][Z|+HH|+HHMM|+HH:MM|-...]
 *
 * ('T' is accepted for the space.) Without an offset the time is UTC, the
 * zone `voip-ha backup --list` and `status` print; an offset names the zone
 * explicitly. Every field is checked (month days, leap years; no leap
 * second), nothing is guessed. */
#ifndef VOIPHA_PITIME_H
#define VOIPHA_PITIME_H

#include <stddef.h>
#include <stdint.h>

struct pitime {
	int64_t epoch; /* seconds since 1970-01-01 UTC */
	unsigned usec; /* 0..999999 */
	/* The same instant for PostgreSQL's recovery_target_time, in UTC with
	 * an explicit offset: "2026-12-06 10:01:02.5+00". */
	char utc[96];
};

/* 0, or -EINVAL with the reason in err. */
int pitime_parse(const char *s, struct pitime *out, char *err, size_t errlen);

#endif
