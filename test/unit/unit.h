/* Shared bits of the libvoipha cmocka tests: the includes cmocka needs, and
 * a helper that turns a table of cases into one cmocka test per row, so each
 * row gets its own TAP line. */
#ifndef VOIPHA_TEST_UNIT_H
#define VOIPHA_TEST_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Runs fn once per row (rows[i] is passed as the test state); names[i] is
 * the TAP description. Returns the number of failures. */
static inline int run_table(const char *group, void (*fn)(void **), void *rows, size_t row_size,
			    size_t count, const char *(*name)(const void *row))
{
	struct CMUnitTest *t = calloc(count, sizeof(*t));
	size_t i;
	int r;

	if (!t)
		return 1;
	for (i = 0; i < count; i++) {
		t[i].name = name((char *)rows + i * row_size);
		t[i].test_func = fn;
		t[i].initial_state = (char *)rows + i * row_size;
	}
	r = _cmocka_run_group_tests(group, t, count, NULL, NULL);
	free(t);
	return r;
}

#endif
