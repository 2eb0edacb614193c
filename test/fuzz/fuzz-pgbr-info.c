/* libFuzzer target: pgBackRest's info JSON as voip-ha reads it
 * (lib/pgbr-info.c). Whatever it accepts holds only checked values: labels
 * and WAL names of their shape, times in order, sizes not negative, one
 * line of message; a refusal always says why. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/pgbr-info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgbr_info info;
	char why[128] = "";

	if (pgbr_info_parse((const char *)data, size, "voip-ha", &info, why, sizeof(why)) != 0) {
		if (!why[0])
			__builtin_trap();
		pgbr_info_free(&info);
		return 0;
	}
	if (strchr(info.message, '\n') || (info.nbackups && !info.backups))
		__builtin_trap();
	for (size_t i = 0; i < info.nbackups; i++) {
		const struct pgbr_backup *b = &info.backups[i];

		if (!b->label[0] || strpbrk(b->label, "/.\n ") || b->stop < b->start ||
		    b->size < 0 || b->repo_size < 0 ||
		    (b->wal_start[0] && strlen(b->wal_start) != 24))
			__builtin_trap();
	}
	pgbr_info_free(&info);
	return 0;
}
