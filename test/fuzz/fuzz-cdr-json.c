/* libFuzzer target: mod_json_cdr documents (cdr-json.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cdr/cdr-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdr_record r;
	char err[256];

	if (cdr_parse_json((const char *)data, size, &r, err, sizeof(err)) == 0) {
		if (!r.f[CDR_F_UUID] || strlen(r.f[CDR_F_UUID]) != 36)
			abort();
		for (int i = 0; i < CDR_F_COUNT; i++)
			if (r.f[i] && !cdr_utf8_valid(r.f[i], strlen(r.f[i])))
				abort();
		if (r.duration < -1 || r.billsec < -1 || (r.leg != 'a' && r.leg != 'b'))
			abort();
		cdr_record_free(&r);
	}
	return 0;
}
