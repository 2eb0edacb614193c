/* libFuzzer target: the backup state file parser (lib/backup-state.c);
 * what it accepts must format, parse back and format to the same text (the
 * writer turns control characters into spaces once), and the warnings of
 * any state it accepts fit their buffers. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/backup-state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct backup_state st, back;
	struct strbuf sb = STRBUF_INIT, sb2 = STRBUF_INIT;
	struct kv_error err;
	char out[4][200];

	if (backup_state_parse((const char *)data, size, &st, &err) != 0) {
		if (strnlen(err.msg, sizeof(err.msg)) == sizeof(err.msg))
			__builtin_trap();
		return 0;
	}
	if (backup_state_format(&st, &sb) != 0)
		__builtin_trap();
	if (backup_state_parse(sb_str(&sb), sb.len, &back, &err) != 0 ||
	    backup_state_format(&back, &sb2) != 0 || strcmp(sb_str(&sb), sb_str(&sb2)) != 0)
		__builtin_trap();
	sb_release(&sb);
	sb_release(&sb2);
	if (backup_state_warnings(&st, 1790000000, &out[0][0], sizeof(out[0]), 4) < 0)
		__builtin_trap();
	return 0;
}
