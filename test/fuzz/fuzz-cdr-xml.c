/* libFuzzer target: mod_xml_cdr documents (cdr-xml.c) and, through the
 * envelope decoder, every way a body can carry one. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cdr/cdr-envelope.h"
#include "daemon/cdr/cdr-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdr_record r;
	char err[256];

	if (cdr_parse_xml((const char *)data, size, &r, err, sizeof(err)) == 0) {
		/* a parsed record must be internally consistent */
		if (!r.f[CDR_F_UUID] || strlen(r.f[CDR_F_UUID]) != 36)
			abort();
		for (int i = 0; i < CDR_F_COUNT; i++)
			if (r.f[i] && !cdr_utf8_valid(r.f[i], strlen(r.f[i])))
				abort();
		cdr_record_free(&r);
	}
	enum cdr_format fmt;
	char *doc;
	size_t len;
	if (cdr_envelope_decode((const char *)data, size, &fmt, &doc, &len, err, sizeof(err)) ==
	    0) {
		if (len > size)
			abort();
		if (cdr_parse(fmt, doc, len, &r, err, sizeof(err)) == 0)
			cdr_record_free(&r);
		free(doc);
	}
	return 0;
}
