/* voip-admin.conf loading and validation; see config.h. */
#include "daemon/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"
#include "lib/kvfile.h"
#include "lib/sockaddr.h"
#include "lib/validators.h"

static const char *const known_keys[] = {
	"listen_address", "http_port", "metrics_address", "metrics_port",
	"db_host", "db_port", "db_name", "db_user", "db_password",
	"db_connect_timeout", "db_statement_timeout_ms",
	"admin_api_key_sha256", "freeswitch_api_key_sha256",
	"spool_dir", "workers", "max_body_bytes", "max_connections",
	"http_threads", "directory_cache_ms", "health_max_backlog",
	"cdr_store_raw",
	NULL,
};

static int fail(char *err, size_t errlen, const char *name, unsigned line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *name, unsigned line,
		const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(err, errlen, "%s:%u: %s", name, line, msg);
	else
		snprintf(err, errlen, "%s: %s", name, msg);
	return -EINVAL;
}

static unsigned line_of(const struct kv_file *kv, const char *key)
{
	for (size_t i = 0; i < kv->count; i++)
		if (strcmp(kv->pairs[i].key, key) == 0)
			return kv->pairs[i].line;
	return 0;
}

static bool numeric_ip(const char *s)
{
	struct sockaddr_storage ss;

	return sockaddr_from_ip(s, 0, &ss, NULL) == 0;
}

/* Copies a string value with a length limit and a safe alphabet check
 * (host names, database names: they end up in libpq keyword values). */
static int copy_str(char *dst, size_t dstsz, const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n >= dstsz)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == '\'' || v[i] == '\\' || v[i] == 0x7f)
			return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

struct uint_key {
	const char *key;
	unsigned long long min, max, def;
};

static int apply(const char *name, const struct kv_file *kv, struct admin_config *c,
		 char *err, size_t errlen)
{
	static const struct uint_key uints[] = {
		{ "http_port", 1, 65535, 8080 },
		{ "metrics_port", 1, 65535, 9100 },
		{ "db_port", 1, 65535, 5432 },
		{ "db_connect_timeout", 1, 60, 3 },
		{ "db_statement_timeout_ms", 100, 600000, 5000 },
		{ "workers", 1, 64, 2 },
		{ "max_body_bytes", 1024, 64ULL << 20, 1048576 },
		{ "max_connections", 4, 65536, 512 },
		{ "http_threads", 1, 64, 8 },
		{ "directory_cache_ms", 0, 3600000, 60000 },
		{ "health_max_backlog", 1, 100000000, 100000 },
	};
	unsigned long long vals[sizeof(uints) / sizeof(uints[0])];
	const char *v;

	for (size_t i = 0; i < sizeof(uints) / sizeof(uints[0]); i++) {
		v = kv_get(kv, uints[i].key);
		vals[i] = uints[i].def;
		if (v && ullong_parse(v, uints[i].min, uints[i].max, &vals[i]) < 0)
			return fail(err, errlen, name, line_of(kv, uints[i].key),
				    "%s: must be an integer in %llu..%llu", uints[i].key,
				    uints[i].min, uints[i].max);
	}
	c->http_port = (uint16_t)vals[0];
	c->metrics_port = (uint16_t)vals[1];
	c->db_port = (uint16_t)vals[2];
	c->db_connect_timeout = (unsigned)vals[3];
	c->db_statement_timeout_ms = (unsigned)vals[4];
	c->workers = (unsigned)vals[5];
	c->max_body_bytes = (size_t)vals[6];
	c->max_connections = (unsigned)vals[7];
	c->http_threads = (unsigned)vals[8];
	c->directory_cache_ms = (unsigned)vals[9];
	c->health_max_backlog = (size_t)vals[10];

	v = kv_get(kv, "listen_address");
	if (copy_str(c->listen_address, sizeof(c->listen_address), v ? v : "127.0.0.1") < 0 ||
	    !numeric_ip(c->listen_address))
		return fail(err, errlen, name, line_of(kv, "listen_address"),
			    "listen_address: must be a numeric IPv4 or IPv6 address");
	v = kv_get(kv, "metrics_address");
	if (copy_str(c->metrics_address, sizeof(c->metrics_address), v ? v : "127.0.0.1") < 0 ||
	    !numeric_ip(c->metrics_address))
		return fail(err, errlen, name, line_of(kv, "metrics_address"),
			    "metrics_address: must be a numeric IPv4 or IPv6 address");
	if (c->http_port == c->metrics_port &&
	    strcmp(c->listen_address, c->metrics_address) == 0)
		return fail(err, errlen, name, line_of(kv, "metrics_port"),
			    "metrics_port: must differ from http_port on the same address");

	v = kv_get(kv, "db_host");
	if (!v)
		return fail(err, errlen, name, 0, "db_host: required");
	if (copy_str(c->db_host, sizeof(c->db_host), v) < 0)
		return fail(err, errlen, name, line_of(kv, "db_host"),
			    "db_host: must be a host name, address or socket directory");
	v = kv_get(kv, "db_name");
	if (copy_str(c->db_name, sizeof(c->db_name), v ? v : "voip") < 0)
		return fail(err, errlen, name, line_of(kv, "db_name"), "db_name: invalid");
	v = kv_get(kv, "db_user");
	if (copy_str(c->db_user, sizeof(c->db_user), v ? v : "voip_admin") < 0)
		return fail(err, errlen, name, line_of(kv, "db_user"), "db_user: invalid");
	v = kv_get(kv, "db_password");
	if (!v || !*v)
		return fail(err, errlen, name, line_of(kv, "db_password"),
			    "db_password: required, non-empty");
	c->db_password = strdup(v);
	if (!c->db_password)
		return -ENOMEM;

	v = kv_get(kv, "admin_api_key_sha256");
	if (!v || hex_decode(v, c->admin_api_key_sha256, 32) < 0)
		return fail(err, errlen, name, line_of(kv, "admin_api_key_sha256"),
			    "admin_api_key_sha256: required, 64 hex digits");
	v = kv_get(kv, "freeswitch_api_key_sha256");
	if (!v || hex_decode(v, c->freeswitch_api_key_sha256, 32) < 0)
		return fail(err, errlen, name, line_of(kv, "freeswitch_api_key_sha256"),
			    "freeswitch_api_key_sha256: required, 64 hex digits");

	/* Off by default: storing every 14-19 KB document in voip.cdr is what
	 * bounds the CDR rate (test/bench/results/cdr-ingest.txt). */
	v = kv_get(kv, "cdr_store_raw");
	if (!v || strcmp(v, "false") == 0)
		c->cdr_store_raw = false;
	else if (strcmp(v, "true") == 0)
		c->cdr_store_raw = true;
	else
		return fail(err, errlen, name, line_of(kv, "cdr_store_raw"),
			    "cdr_store_raw: must be true or false");

	v = kv_get(kv, "spool_dir");
	if (copy_str(c->spool_dir, sizeof(c->spool_dir), v ? v : "/var/spool/voip-admin") < 0 ||
	    c->spool_dir[0] != '/' || strstr(c->spool_dir, "/../") ||
	    (strlen(c->spool_dir) >= 3 && strcmp(c->spool_dir + strlen(c->spool_dir) - 3, "/..") == 0))
		return fail(err, errlen, name, line_of(kv, "spool_dir"),
			    "spool_dir: must be an absolute path without '..' or whitespace");
	return 0;
}

int config_parse(const char *name, const char *data, size_t len,
		 struct admin_config *cfg, char *err, size_t errlen)
{
	struct kv_file kv = { NULL, 0 };
	struct kv_error kerr = { 0, "" };
	int r;

	memset(cfg, 0, sizeof(*cfg));
	r = kv_parse(data, len, known_keys, &kv, &kerr);
	if (r < 0) {
		if (r == -EINVAL)
			return fail(err, errlen, name, kerr.line, "%s", kerr.msg);
		snprintf(err, errlen, "%s: %s", name, strerror(-r));
		return r;
	}
	r = apply(name, &kv, cfg, err, errlen);
	kv_file_free(&kv);
	if (r < 0)
		config_free(cfg);
	return r;
}

int config_load(const char *path, struct admin_config *cfg, char *err, size_t errlen)
{
	struct kv_file kv = { NULL, 0 };
	struct kv_error kerr = { 0, "" };
	int r;

	memset(cfg, 0, sizeof(*cfg));
	r = kv_load(path, known_keys, &kv, &kerr);
	if (r < 0) {
		if (r == -EINVAL)
			return fail(err, errlen, path, kerr.line, "%s", kerr.msg);
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(-r));
		return r;
	}
	r = apply(path, &kv, cfg, err, errlen);
	kv_file_free(&kv);
	if (r < 0)
		config_free(cfg);
	return r;
}

void config_free(struct admin_config *cfg)
{
	if (cfg->db_password) {
		explicit_bzero(cfg->db_password, strlen(cfg->db_password));
		free(cfg->db_password);
	}
	explicit_bzero(cfg, sizeof(*cfg));
}
