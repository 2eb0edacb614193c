/* Input validators of the admin API, pure functions (unit-tested and
 * fuzzed on their own; see api.h). The database schema's CHECK constraints
 * say the same, so a value that passes here cannot make an INSERT fail. */
#include "daemon/api.h"

#include <ctype.h>
#include <string.h>

#include "lib/utf8.h"

const char *api_json_string(const cJSON *obj, const char *name, bool *bad)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!it || cJSON_IsNull(it))
		return NULL;
	if (!cJSON_IsString(it) || !it->valuestring) {
		*bad = true;
		return NULL;
	}
	return it->valuestring;
}

bool api_valid_extension(const char *s)
{
	size_t n;

	if (*s == '+')
		s++;
	n = strlen(s);
	if (n == 0 || n > 32 || !isalnum((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

bool api_valid_password(const char *s, const char **why)
{
	size_t n = strlen(s);

	if (n < 8 || n > 128) {
		*why = "password: must be 8 to 128 bytes";
		return false;
	}
	if (!utf8_valid(s, n)) {
		*why = "password: must be valid UTF-8";
		return false;
	}
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			*why = "password: must not contain control characters";
			return false;
		}
	return true;
}

/* Free text, shown on phones: anything printable, including `${`, `<` and
 * quotes (fsxml_escape makes them inert on the way to FreeSWITCH). */
bool api_valid_display_name(const char *s)
{
	size_t n = strlen(s);

	if (n > 128 || !utf8_valid(s, n))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

bool api_valid_context(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

bool api_valid_cid_number(const char *s)
{
	if (*s == '+')
		s++;
	return *s && strlen(s) <= 32 && s[strspn(s, "0123456789")] == '\0';
}
