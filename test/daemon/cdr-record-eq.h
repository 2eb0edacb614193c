/* Test helper: two records are the same row (every field, leg, time). */
#ifndef TEST_CDR_RECORD_EQ_H
#define TEST_CDR_RECORD_EQ_H

#include <stdbool.h>
#include <string.h>

#include "daemon/cdr-record.h"

static inline bool cdr_record_same(const struct cdr_record *a, const struct cdr_record *b)
{
	for (int i = 0; i < CDR_F_COUNT; i++) {
		if (!a->f[i] != !b->f[i])
			return false;
		if (a->f[i] && strcmp(a->f[i], b->f[i]) != 0)
			return false;
	}
	return a->leg == b->leg && a->start_us == b->start_us &&
	       a->answer_us == b->answer_us && a->end_us == b->end_us &&
	       a->duration == b->duration && a->billsec == b->billsec;
}

#endif
