/* monitor.state: one list of keys (monitor-state.h), one writer, one reader. */
#include "lib/monitor-state.h"

#include "lib/kvfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int monitor_state_format(const struct monitor_state *st, struct strbuf *out)
{
	int r = 0;

#define MS_OUT_INT(key, field) \
	if (r == 0)            \
		r = sb_addf(out, #key "=%lld\n", st->field);
#define MS_OUT_REAL(key, field) \
	if (r == 0)             \
		r = sb_addf(out, #key "=%.3f\n", st->field);
#define MS_OUT_TEXT(key, field) \
	if (r == 0)             \
		r = sb_addf(out, #key "=%s\n", st->field);
#define MS_OUT(key, kind, field) MS_OUT_##kind(key, field)
	MONITOR_STATE_KEYS(MS_OUT)
#undef MS_OUT
#undef MS_OUT_INT
#undef MS_OUT_REAL
#undef MS_OUT_TEXT
	return r;
}

static const char *const known_keys[] = {
#define MS_NAME(key, kind, field) #key,
	MONITOR_STATE_KEYS(MS_NAME)
#undef MS_NAME
		NULL,
};

static int from_kv(const struct kv_file *kv, void *out, struct kv_error *err)
{
	struct monitor_state *st = out;
	int r = 0;

#define MS_IN_INT(key, field) kv_get_ll(kv, #key, &st->field, err)
#define MS_IN_REAL(key, field) kv_get_double(kv, #key, &st->field, err)
#define MS_IN_TEXT(key, field) kv_get_text(kv, #key, st->field, sizeof(st->field), err)
#define MS_IN(key, kind, field) \
	if (r == 0)             \
		r = MS_IN_##kind(key, field);
	MONITOR_STATE_KEYS(MS_IN)
#undef MS_IN
#undef MS_IN_INT
#undef MS_IN_REAL
#undef MS_IN_TEXT
	return r;
}

int monitor_state_parse(const char *data, size_t len, struct monitor_state *st,
			struct kv_error *err)
{
	memset(st, 0, sizeof(*st));
	return kv_parse_into(data, len, known_keys, from_kv, st, err);
}

bool monitor_state_holds_lease(const struct monitor_state *st, long long now_ms)
{
	return st->lease_held && st->lease_valid_until_ms > now_ms;
}

int monitor_state_load(const char *path, struct monitor_state *st, struct kv_error *err)
{
	memset(st, 0, sizeof(*st));
	return kv_load_into(path, known_keys, from_kv, st, err);
}
