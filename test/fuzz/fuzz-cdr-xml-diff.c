/* libFuzzer target: the fast XML tokenizer (cdr-xml-fast.c) against expat.
 * Whenever the fast path accepts a document, expat must accept it too and
 * yield the very same record; the fast path may decline anything. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "daemon/cdr/cdr-record.h"
#include "../daemon/cdr-test-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cdr_record fast, slow;
	char err[256];

	int rf = cdr_parse_xml_fast((const char *)data, size, &fast, err, sizeof(err));
	if (rf != 0 && rf != CDR_XML_DECLINED)
		abort();
	if (rf != 0)
		return 0;
	if (cdr_parse_xml_expat((const char *)data, size, &slow, err, sizeof(err)) != 0)
		abort(); /* fast accepted what expat rejects */
	if (!cdr_record_same(&fast, &slow))
		abort(); /* the two paths disagree on the row */
	cdr_record_free(&fast);
	cdr_record_free(&slow);
	return 0;
}
