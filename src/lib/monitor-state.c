/* monitor.state: one list of keys (monitor-state.h), one writer, one reader. */
#include "lib/monitor-state.h"

#include "lib/readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONITOR_STATE_MAX 4096

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

static int parse_int(const char *v, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	return (errno || end == v || *end) ? -EINVAL : 0;
}

static int parse_real(const char *v, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	return (errno || end == v || *end) ? -EINVAL : 0;
}

static int parse_text(const char *v, char *out, size_t size)
{
	if (strlen(v) >= size)
		return -EINVAL;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static const char *const known_keys[] = {
#define MS_NAME(key, kind, field) #key,
	MONITOR_STATE_KEYS(MS_NAME)
#undef MS_NAME
		NULL,
};

int monitor_state_parse(const char *data, size_t len, struct monitor_state *st,
			struct kv_error *err)
{
	struct kv_file kv;
	const char *v;
	int r;

	memset(st, 0, sizeof(*st));
	r = kv_parse(data, len, known_keys, &kv, err);
	if (r < 0)
		return r;
#define MS_IN_INT(field) parse_int(v, &st->field)
#define MS_IN_REAL(field) parse_real(v, &st->field)
#define MS_IN_TEXT(field) parse_text(v, st->field, sizeof(st->field))
#define MS_IN(key, kind, field)                                            \
	if (r == 0) {                                                      \
		v = kv_get(&kv, #key);                                     \
		if (!v || MS_IN_##kind(field) < 0) {                       \
			err->line = 0;                                     \
			snprintf(err->msg, sizeof(err->msg), "%s " #key,   \
				 v ? "invalid value for" : "missing key"); \
			r = -EINVAL;                                       \
		}                                                          \
	}
	MONITOR_STATE_KEYS(MS_IN)
#undef MS_IN
#undef MS_IN_INT
#undef MS_IN_REAL
#undef MS_IN_TEXT
	kv_file_free(&kv);
	return r;
}

bool monitor_state_holds_lease(const struct monitor_state *st, long long now_ms)
{
	return st->lease_held && st->lease_valid_until_ms > now_ms;
}

int monitor_state_load(const char *path, struct monitor_state *st, struct kv_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	r = read_file(path, MONITOR_STATE_MAX, &sb);
	if (r < 0) {
		err->line = 0;
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path, strerror(-r));
	} else {
		r = monitor_state_parse(sb_str(&sb), sb.len, st, err);
	}
	sb_release(&sb);
	return r;
}
