/* libFuzzer target: the admin API's JSON body handling as the extension
 * handlers do it (cJSON_ParseWithLength on a body that is not
 * NUL-terminated, typed field access, validators) and the path of accepted
 * free text to FreeSWITCH XML. Checks: a value the validators accept is
 * UTF-8 without control characters, and its escaped form is inert. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "daemon/api.h"
#include "daemon/fsxml.h"
#include "lib/utf8.h"
#include "lib/validators.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inert(const char *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (fsxml_escape(&sb, v) < 0)
		abort();
	if (memchr(sb.buf ? sb.buf : "", '<', sb.len) || memchr(sb.buf ? sb.buf : "", '$', sb.len))
		abort();
	for (size_t i = 0; i < sb.len; i++)
		if (strncasecmp(sb.buf + i, "x-pre-process", 13) == 0)
			abort();
	sb_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy without a terminator, as libmicrohttpd hands us bodies */
	char *body = malloc(size ? size : 1);
	const char *why = NULL;
	bool bad = false;
	const char *s;
	cJSON *o;

	if (!body)
		return 0;
	memcpy(body, data, size);
	o = cJSON_ParseWithLength(body, size);
	if (o && cJSON_IsObject(o)) {
		s = api_json_string(o, "domain", &bad);
		if (s)
			(void)domain_valid(s);
		s = api_json_string(o, "extension", &bad);
		if (s && api_valid_extension(s))
			check_inert(s);
		s = api_json_string(o, "password", &bad);
		if (s && api_valid_password(s, &why) && !utf8_valid(s, strlen(s)))
			abort();
		s = api_json_string(o, "display_name", &bad);
		if (s && api_valid_display_name(s)) {
			for (const char *p = s; *p; p++)
				if ((unsigned char)*p < 0x20)
					abort();
			check_inert(s);
		}
		s = api_json_string(o, "user_context", &bad);
		if (s && api_valid_context(s))
			check_inert(s);
		s = api_json_string(o, "caller_id_number", &bad);
		if (s)
			(void)api_valid_cid_number(s);
	}
	cJSON_Delete(o);
	free(body);
	return 0;
}
