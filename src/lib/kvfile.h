/* Strict parser for voip-ha's key=value files (cluster.conf, voip-admin.conf).
 *
 * Format (doc/DESIGN.md): one `key=value` per line, value verbatim to the end
 * of the line, `#` comment lines, blank lines ignored. The caller supplies the
 * schema (the list of known keys); unknown keys, duplicates, lines without '=',
 * NUL bytes and invalid UTF-8 are errors carrying the line number.
 *
 * Library code: returns errors, never prints. */
#ifndef VOIPHA_KVFILE_H
#define VOIPHA_KVFILE_H

#include <stddef.h>

#define KV_ERR_MAX 256

struct kv_error {
	unsigned line;        /* 1-based; 0 when not tied to a line */
	char msg[KV_ERR_MAX]; /* never contains a value (values may be secrets) */
};

struct kv_pair {
	const char *key; /* points into the schema's key string */
	char *value;     /* owned, NUL-terminated */
	unsigned line;
};

struct kv_file {
	struct kv_pair *pairs;
	size_t count;
};

/* Parse `len` bytes of `data` against the NULL-terminated list `known_keys`.
 * On success returns 0 and fills *out (free with kv_file_free). On failure
 * returns -EINVAL (syntax/schema: *err says where and what), or -ENOMEM. */
int kv_parse(const char *data, size_t len, const char *const *known_keys, struct kv_file *out,
	     struct kv_error *err);

/* Read and parse a file. -errno from open/read (err->msg names the path). */
int kv_load(const char *path, const char *const *known_keys, struct kv_file *out,
	    struct kv_error *err);

/* Value of `key`, or NULL when absent. */
const char *kv_get(const struct kv_file *kv, const char *key);

/* Typed values of a key that must be present, for the state files
 * (backup.state, monitor.state): 0, or -EINVAL with *err saying "missing
 * key KEY" or "invalid value for KEY" (never the value). A long long or a
 * double is the whole value in decimal; a text fits `size` with its NUL. */
int kv_get_ll(const struct kv_file *kv, const char *key, long long *out, struct kv_error *err);
int kv_get_double(const struct kv_file *kv, const char *key, double *out, struct kv_error *err);
int kv_get_text(const struct kv_file *kv, const char *key, char *out, size_t size,
		struct kv_error *err);

/* Parse (or load) and hand the pairs to READ, which fills OUT from them;
 * the pairs are freed after. A load error that names nothing else says
 * "PATH: <errno text>" in *err. */
typedef int kv_reader(const struct kv_file *kv, void *out, struct kv_error *err);
int kv_parse_into(const char *data, size_t len, const char *const *known_keys, kv_reader *read,
		  void *out, struct kv_error *err);
int kv_load_into(const char *path, const char *const *known_keys, kv_reader *read, void *out,
		 struct kv_error *err);

/* Frees values (wiping them first: they may be secrets) and the array. */
void kv_file_free(struct kv_file *kv);

#endif
