/* Strict key=value parser (see kvfile.h and doc/DESIGN.md). */
#include "lib/kvfile.h"
#include "lib/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A cluster.conf is a few kilobytes; refuse anything absurd instead of
 * reading a device or a huge file into memory. */
#define KV_MAX_FILE (1024 * 1024)

static int fail(struct kv_error *err, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct kv_error *err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->line = line;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Copies a key for an error message, replacing anything unprintable so a
 * hostile file cannot inject terminal escapes into our output. */
static void printable_copy(char *dst, size_t dstsz, const char *src, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < dstsz; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[o++] = (c >= 0x21 && c < 0x7f) ? (char)c : '?';
	}
	if (i < n && o + 4 <= dstsz) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

static const char *schema_key(const char *const *known, const char *k, size_t n)
{
	for (; *known; known++)
		if (strlen(*known) == n && memcmp(*known, k, n) == 0)
			return *known;
	return NULL;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void kv_file_free(struct kv_file *kv)
{
	size_t i;

	if (!kv)
		return;
	for (i = 0; i < kv->count; i++)
		wipe_free(kv->pairs[i].value);
	free(kv->pairs);
	kv->pairs = NULL;
	kv->count = 0;
}

const char *kv_get(const struct kv_file *kv, const char *key)
{
	size_t i;

	for (i = 0; i < kv->count; i++)
		if (strcmp(kv->pairs[i].key, key) == 0)
			return kv->pairs[i].value;
	return NULL;
}

/* Parses one non-comment, non-blank line. */
static int parse_line(const char *line, size_t n, unsigned lineno, const char *const *known,
		      struct kv_file *out, struct kv_error *err)
{
	const char *eq = memchr(line, '=', n);
	char shown[64];
	const char *key;
	size_t klen, i;
	struct kv_pair *p;

	if (!eq)
		return fail(err, lineno, "line without '=' (expected key=value)");
	klen = (size_t)(eq - line);
	if (klen == 0)
		return fail(err, lineno, "empty key before '='");
	if (line[klen - 1] == ' ' || line[klen - 1] == '\t' || line[0] == ' ' || line[0] == '\t')
		return fail(err, lineno, "spaces around the key are not allowed (write key=value)");
	printable_copy(shown, sizeof(shown), line, klen);
	key = schema_key(known, line, klen);
	if (!key)
		return fail(err, lineno, "unknown key '%s'", shown);
	for (i = 0; i < out->count; i++)
		if (out->pairs[i].key == key)
			return fail(err, lineno, "duplicate key '%s' (first set on line %u)", shown,
				    out->pairs[i].line);

	p = realloc(out->pairs, (out->count + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	out->pairs = p;
	p = &out->pairs[out->count];
	p->value = strndup(eq + 1, n - klen - 1);
	if (!p->value)
		return -ENOMEM;
	p->key = key;
	p->line = lineno;
	out->count++;
	return 0;
}

int kv_parse(const char *data, size_t len, const char *const *known_keys, struct kv_file *out,
	     struct kv_error *err)
{
	struct kv_file kv = { NULL, 0 };
	unsigned lineno = 0;
	size_t pos = 0;
	int r;

	if (err) {
		err->line = 0;
		err->msg[0] = '\0';
	}
	while (pos < len) {
		const char *line = data + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		lineno++;
		pos += n + (nl ? 1 : 0);
		if (memchr(line, '\0', n)) {
			r = fail(err, lineno, "NUL byte in line");
			goto error;
		}
		if (!utf8_valid(line, n)) {
			r = fail(err, lineno, "invalid UTF-8");
			goto error;
		}
		if (n == 0 || line[0] == '#')
			continue;
		r = parse_line(line, n, lineno, known_keys, &kv, err);
		if (r == -ENOMEM)
			fail(err, lineno, "out of memory");
		if (r < 0)
			goto error;
	}
	*out = kv;
	return 0;
error:
	kv_file_free(&kv);
	return r;
}

int kv_load(const char *path, const char *const *known_keys, struct kv_file *out,
	    struct kv_error *err)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	int fd, r;

	if (err) {
		err->line = 0;
		err->msg[0] = '\0';
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > KV_MAX_FILE) {
		close(fd);
		if (err)
			snprintf(err->msg, sizeof(err->msg),
				 "not a regular file of at most %d bytes", KV_MAX_FILE);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		ssize_t got = read(fd, buf + len, (size_t)st.st_size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = got < 0 ? -errno : -EIO;
			close(fd);
			explicit_bzero(buf, len);
			free(buf);
			return r;
		}
		len += (size_t)got;
	}
	close(fd);
	r = kv_parse(buf, len, known_keys, out, err);
	explicit_bzero(buf, len);
	free(buf);
	return r;
}

/* kv_get_*: the key's value, or NULL with *err saying it is missing */
static const char *required(const struct kv_file *kv, const char *key, struct kv_error *err)
{
	const char *v = kv_get(kv, key);

	if (!v) {
		err->line = 0;
		snprintf(err->msg, sizeof(err->msg), "missing key %s", key);
	}
	return v;
}

static int invalid(const char *key, struct kv_error *err)
{
	err->line = 0;
	snprintf(err->msg, sizeof(err->msg), "invalid value for %s", key);
	return -EINVAL;
}

int kv_get_ll(const struct kv_file *kv, const char *key, long long *out, struct kv_error *err)
{
	const char *v = required(kv, key, err);
	char *end;

	if (!v)
		return -EINVAL;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return (errno || end == v || *end) ? invalid(key, err) : 0;
}

int kv_get_double(const struct kv_file *kv, const char *key, double *out, struct kv_error *err)
{
	const char *v = required(kv, key, err);
	char *end;

	if (!v)
		return -EINVAL;
	errno = 0;
	*out = strtod(v, &end);
	return (errno || end == v || *end) ? invalid(key, err) : 0;
}

int kv_get_text(const struct kv_file *kv, const char *key, char *out, size_t size,
		struct kv_error *err)
{
	const char *v = required(kv, key, err);
	size_t n;

	if (!v)
		return -EINVAL;
	n = strlen(v);
	if (n >= size)
		return invalid(key, err);
	memcpy(out, v, n + 1);
	return 0;
}

/* kv_*_into: R from kv_parse or kv_load; on success KV goes to READ, then is freed */
static int hand_over(int r, struct kv_file *kv, kv_reader *read, void *out, struct kv_error *err)
{
	if (r < 0)
		return r;
	r = read(kv, out, err);
	kv_file_free(kv);
	return r;
}

int kv_parse_into(const char *data, size_t len, const char *const *known_keys, kv_reader *read,
		  void *out, struct kv_error *err)
{
	struct kv_file kv;

	return hand_over(kv_parse(data, len, known_keys, &kv, err), &kv, read, out, err);
}

int kv_load_into(const char *path, const char *const *known_keys, kv_reader *read, void *out,
		 struct kv_error *err)
{
	struct kv_file kv;
	int r = kv_load(path, known_keys, &kv, err);

	if (r < 0 && !err->msg[0])
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path, strerror(-r));
	return hand_over(r, &kv, read, out, err);
}
