/* libFuzzer target: witness.conf parsing and validation, then, on what is
 * valid, the pg_hba block merged into the same bytes read as a pg_hba.conf
 * (every byte of input is looked at by both). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "witness/pgtext.h"
#include "witness/wconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct witness_config cfg;
	struct errlist el = ERRLIST_INIT;
	struct strbuf block = STRBUF_INIT, out = STRBUF_INIT;
	struct kv_error err;
	const char *text = (const char *)data;

	if (wconfig_parse(text, size, &cfg, &err) == 0) {
		if (wconfig_validate(&cfg, &el) == 0 && hba_block(&cfg, &block) == 0 &&
		    hba_merge(text, size, sb_str(&block), &out) == 0) {
			struct strbuf again = STRBUF_INIT;

			/* Merging a merged file changes nothing. */
			if (hba_merge(sb_str(&out), out.len, sb_str(&block), &again) != 0 ||
			    again.len != out.len || memcmp(sb_str(&again), sb_str(&out), out.len))
				__builtin_trap();
			sb_release(&again);
		}
		errlist_free(&el);
		wconfig_free(&cfg);
	} else if (strnlen(err.msg, sizeof(err.msg)) == sizeof(err.msg)) {
		__builtin_trap();
	}
	/* Any bytes as a pg_hba.conf. */
	sb_release(&out);
	if (hba_merge(text, size, HBA_BEGIN "\nx\n" HBA_END "\n", &out) == 0 &&
	    !memchr(text, '\0', size) && !strstr(sb_str(&out), HBA_BEGIN))
		__builtin_trap();
	sb_release(&out);
	sb_release(&block);
	return 0;
}
