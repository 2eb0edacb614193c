/* libFuzzer target: the single-value validators (IPv4, interface and host
 * names, strict integers) and the escapers, on arbitrary NUL-terminated
 * input. Checks a few invariants: a parsed address formats back to the same
 * text, an accepted interface name fits IFNAMSIZ. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/escape.h"
#include "lib/validators.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const escs[] = { "raw",    "xml", "lua", "kam", "pgconf",
					    "pgpass", "ka",  "url", "sh" };
	char *s = malloc(size + 1), back[16];
	uint32_t a;
	unsigned u;
	size_t i;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ipv4_parse(s, &a) == 0) {
		ipv4_format(a, back);
		if (strcmp(back, s) != 0)
			__builtin_trap();
	}
	if (ifname_valid(s) && strlen(s) > 15)
		__builtin_trap();
	hostname_valid(s);
	if (ipv4_cidr_parse((const char *)data, size, &a, &u) == 0 &&
	    (u < 1 || u > 32 || (u < 32 && (a & ~(0xffffffffu << (32 - u))) != 0)))
		__builtin_trap();
	if (uint_parse(s, 1, 65535, &u) == 0 && (u < 1 || u > 65535))
		__builtin_trap();
	for (i = 0; i < sizeof(escs) / sizeof(escs[0]); i++) {
		struct strbuf out = STRBUF_INIT;
		const char *why;

		escaper_find(escs[i])->fn(&out, s, &why);
		if (i == 1 && out.buf && strstr(out.buf, "${"))
			__builtin_trap(); /* xml must never leave ${ */
		sb_release(&out);
	}
	free(s);
	return 0;
}
