/* libFuzzer target: the template renderer. The first byte picks which
 * variables are secret; the rest is the template. Also checks the renderer's
 * promise that a secret never goes through `raw`. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char secret[] = "S3cr3t\"'\\$${x}:\xc3\xa9";
	struct vars vars = VARS_INIT;
	struct errlist el = ERRLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	vars_set(&vars, "addr", "198.51.100.10", flags & 1);
	vars_set(&vars, "pw", secret, true);
	vars_set(&vars, "ctl", "a\nb\tc", flags & 2);
	vars_set(&vars, "empty", "", flags & 4);
	/* Rendering may only succeed if no secret went through `raw`. */
	if (template_render("fuzz.tmpl", (const char *)data + 1, size - 1, &vars, &out, &el) == 0 &&
	    memmem(data + 1, size - 1, "{{raw:pw}}", 10))
		__builtin_trap();
	sb_release(&out);
	errlist_free(&el);
	vars_free(&vars);
	return 0;
}
