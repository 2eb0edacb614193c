/* libFuzzer target: the x-www-form-urlencoded decoder (mod_xml_curl bodies,
 * mod_xml_cdr's cdr= field) and the FreeSWITCH XML escaper its values go
 * through. Besides memory errors it checks the escaper's promises: the
 * output never holds '<', '$' (so no "$${" / "${"), a control character or
 * the preprocessor's "x-pre-process" line marker. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/form.h"
#include "daemon/fsxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_escaped(const char *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (fsxml_escape(&sb, v) < 0)
		abort();
	for (size_t i = 0; i < sb.len; i++) {
		unsigned char c = (unsigned char)sb.buf[i];

		if (c == '<' || c == '>' || c == '$' || c == '"' || c < 0x20 || c == 0x7f)
			abort();
		if (strncasecmp(sb.buf + i, "x-pre-process", 13) == 0)
			abort();
	}
	sb_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f = FORM_INIT;

	if (form_parse((const char *)data, size, &f) < 0) {
		if (f.count != 0 || f.fields != NULL)
			abort(); /* errors leave the form empty */
		return 0;
	}
	for (size_t i = 0; i < f.count; i++) {
		if (strlen(f.fields[i].value) != f.fields[i].value_len)
			abort(); /* decoded NULs are refused */
		check_escaped(f.fields[i].name);
		check_escaped(f.fields[i].value);
		/* lookup finds the last occurrence */
		if (form_get(&f, f.fields[i].name) == NULL)
			abort();
	}
	form_free(&f);
	return 0;
}
