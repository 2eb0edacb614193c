/* Helpers shared by the CDR parser tests and fuzzers. */
#ifndef TEST_CDR_TEST_UTIL_H
#define TEST_CDR_TEST_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cdr/cdr-record.h"

/* Two records are the same row (every field, leg, time). */
static inline bool cdr_record_same(const struct cdr_record *a, const struct cdr_record *b)
{
	for (int i = 0; i < CDR_F_COUNT; i++) {
		if (!a->f[i] != !b->f[i])
			return false;
		if (a->f[i] && strcmp(a->f[i], b->f[i]) != 0)
			return false;
	}
	return a->leg == b->leg && a->start_us == b->start_us && a->answer_us == b->answer_us &&
	       a->end_us == b->end_us && a->duration == b->duration && a->billsec == b->billsec;
}

/* A whole file, NUL-terminated (the NUL not counted in *len); NULL if it
 * cannot be read. */
static inline char *cdr_test_slurp(const char *dir, const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *b = NULL;
	long n = -1;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) && fread(b, 1, (size_t)n, f) == (size_t)n) {
		b[n] = '\0';
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

#endif
