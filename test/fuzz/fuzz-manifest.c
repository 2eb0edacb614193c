/* libFuzzer target: the MANIFEST parser (lib/manifest.c). Also checks what
 * a parsed row promises the generator and `voip-ha generate --list`: a mode
 * that is neither group/world-writable nor set-id, a known policy, and for
 * a freeswitch row a copy owner and a destination below the staging dir. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m = { NULL, 0 };
	struct errlist el = ERRLIST_INIT;
	size_t i;

	if (manifest_parse("fuzz", (const char *)data, size, &m, &el) == 0) {
		for (i = 0; i < m.count; i++) {
			const struct manifest_entry *e = &m.entries[i];

			if ((e->mode & 07022) || e->policy > POLICY_DEPLOY ||
			    !manifest_policy_name(e->policy) || !*e->owner || !*e->group)
				__builtin_trap();
			if (e->policy == POLICY_FREESWITCH &&
			    (!e->copy_owner || !e->copy_group || (e->copy_mode & 07022) ||
			     strncmp(e->destination, FS_STAGE_DIR, strlen(FS_STAGE_DIR))))
				__builtin_trap();
			if (e->policy != POLICY_FREESWITCH && e->copy_owner)
				__builtin_trap();
		}
	}
	manifest_free(&m);
	errlist_free(&el);
	return 0;
}
