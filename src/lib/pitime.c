/* The restore's point in time: see pitime.h. */
#include "lib/pitime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* n decimal digits at s into *v; false when one is not a digit. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), no libc time zone. */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int bad(char *err, size_t errlen, const char *s, const char *why)
{
	snprintf(err, errlen,
		 "'%s' is not a time: %s (expected 'YYYY-MM-DD HH:MM:SS', UTC, optionally with "
		 "fractions of a second and an offset such as +07:00 or Z)",
		 s, why);
	return -EINVAL;
}

int pitime_parse(const char *s, struct pitime *out, char *err, size_t errlen)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 1, nfrac = 0, dim;
	unsigned usec = 0;
	const char *p = s;
	char frac[8] = "";

	memset(out, 0, sizeof(*out));
	if (strlen(s) < 19 || !digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &mo) ||
	    p[7] != '-' || !digits(p + 8, 2, &d) || (p[10] != ' ' && p[10] != 'T') ||
	    !digits(p + 11, 2, &h) || p[13] != ':' || !digits(p + 14, 2, &mi) || p[16] != ':' ||
	    !digits(p + 17, 2, &sec))
		return bad(err, errlen, s, "not in that form");
	p += 19;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (nfrac == 6)
				return bad(err, errlen, s, "more than 6 digits of a second");
			frac[nfrac++] = *p++;
		}
		if (nfrac == 0)
			return bad(err, errlen, s, "no digit after the decimal point");
		for (int i = 0; i < 6; i++)
			usec = usec * 10 + (unsigned)(i < nfrac ? frac[i] - '0' : 0);
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2, &oh))
			return bad(err, errlen, s, "the offset is not +HH, +HHMM or +HH:MM");
		p += 3;
		if (*p == ':')
			p++;
		if (*p) {
			if (!digits(p, 2, &om))
				return bad(err, errlen, s,
					   "the offset is not +HH, +HHMM or +HH:MM");
			p += 2;
		}
		if (oh > 15 || om > 59)
			return bad(err, errlen, s, "the offset is out of range (at most 15:59)");
	}
	if (*p)
		return bad(err, errlen, s, "something follows the time");
	if (y < 1970 || y > 9999)
		return bad(err, errlen, s, "the year is out of range");
	if (mo < 1 || mo > 12)
		return bad(err, errlen, s, "no such month");
	dim = mdays[mo - 1] + (mo == 2 && leap(y));
	if (d < 1 || d > dim)
		return bad(err, errlen, s, "no such day in that month");
	if (h > 23 || mi > 59 || sec > 59)
		return bad(err, errlen, s, "no such time of day");
	out->epoch = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		     sign * (oh * 3600 + om * 60);
	out->usec = usec;
	{
		int64_t t = out->epoch, days = t / 86400, rem = t % 86400;
		int64_t z, era, doe, yoe, doy, mp;
		int yy, mm, dd;

		/* civil_from_days, the inverse of the above */
		z = days + 719468;
		era = (z >= 0 ? z : z - 146096) / 146097;
		doe = z - era * 146097;
		yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		mp = (5 * doy + 2) / 153;
		dd = (int)(doy - (153 * mp + 2) / 5 + 1);
		mm = (int)(mp < 10 ? mp + 3 : mp - 9);
		yy = (int)(yoe + era * 400 + (mm <= 2));
		if (usec)
			snprintf(out->utc, sizeof(out->utc),
				 "%04d-%02d-%02d %02d:%02d:%02d.%06u+00", yy, mm, dd,
				 (int)(rem / 3600), (int)(rem % 3600 / 60), (int)(rem % 60), usec);
		else
			snprintf(out->utc, sizeof(out->utc), "%04d-%02d-%02d %02d:%02d:%02d+00", yy,
				 mm, dd, (int)(rem / 3600), (int)(rem % 3600 / 60),
				 (int)(rem % 60));
	}
	if (out->epoch < 0)
		return bad(err, errlen, s, "before 1970");
	return 0;
}
