/* libFuzzer target: the repository host's bundle reader (lib/backup-bundle.c
 * on lib/tar.c). A bundle it accepts has every member, each a file of the
 * bundle table with data inside the input; a tar it reads has members
 * inside the input with safe names. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/backup-bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	struct tar_member m[16];
	struct bundle b;
	char why[256];
	size_t n, i;

	if (tar_read(d, size, m, 16, &n, why, sizeof(why)) == 0)
		for (i = 0; i < n; i++)
			if (m[i].data < d || m[i].data + m[i].len > d + size ||
			    m[i].name[0] == '/' || strstr(m[i].name, "../") ||
			    strlen(m[i].name) > TAR_NAME_MAX)
				__builtin_trap();
	if (bundle_read(d, size, &b, why, sizeof(why)) == 0) {
		for (i = 0; i < BM_COUNT; i++)
			if (!b.files[i].data || b.files[i].data + b.files[i].len > d + size)
				__builtin_trap();
		if (!b.info.stanza || !b.info.repo_path || b.info.repo_path[0] != '/')
			__builtin_trap();
		bundle_free(&b);
	}
	return 0;
}
