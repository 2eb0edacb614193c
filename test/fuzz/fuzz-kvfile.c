/* libFuzzer target: the strict key=value parser and, on what it accepts,
 * cluster config loading and validation (every byte of input is looked at). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/cluster-config.h"
#include "lib/kvfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cluster_config cfg;
	struct errlist el = ERRLIST_INIT;
	struct kv_error err;

	if (cluster_config_parse((const char *)data, size, &cfg, &err) == 0) {
		cluster_config_validate(&cfg, &el);
		errlist_free(&el);
		cluster_config_free(&cfg);
	} else if (strnlen(err.msg, sizeof(err.msg)) == sizeof(err.msg)) {
		__builtin_trap(); /* error message not terminated */
	}
	return 0;
}
