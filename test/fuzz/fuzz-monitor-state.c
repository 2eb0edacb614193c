/* libFuzzer target: the monitor state file parser; what it accepts must
 * format and parse back to the same state. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/monitor-state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct monitor_state st, back;
	struct strbuf sb = STRBUF_INIT;
	struct kv_error err;

	if (monitor_state_parse((const char *)data, size, &st, &err) != 0) {
		if (strnlen(err.msg, sizeof(err.msg)) == sizeof(err.msg))
			__builtin_trap();
		return 0;
	}
	if (monitor_state_format(&st, &sb) != 0)
		__builtin_trap();
	if (monitor_state_parse(sb_str(&sb), sb.len, &back, &err) != 0 ||
	    strcmp(st.node, back.node) || strcmp(st.role, back.role) || st.updated != back.updated)
		__builtin_trap();
	sb_release(&sb);
	return 0;
}
