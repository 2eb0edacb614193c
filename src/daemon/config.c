/* voip-admin.conf loading and validation; see config.h. */
#include "daemon/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hex.h"
#include "lib/kvfile.h"
#include "lib/sockaddr.h"
#include "lib/validators.h"

enum admin_key_kind {
	AK_ADDRESS, /* numeric IPv4 or IPv6 address */
	AK_PORT,    /* uint16_t */
	AK_UINT,    /* unsigned */
	AK_SIZE,    /* size_t */
	AK_WORD,    /* host name, database or role name: no space or quote */
	AK_SECRET,  /* non-empty, any bytes; heap copy wiped by config_free */
	AK_SHA256,  /* 64 hex digits */
	AK_PATH,    /* absolute, without '..' or whitespace */
	AK_BOOL,    /* true / false */
	AK_NETLIST, /* metrics_allow: empty or IPv4 addresses/networks, commas */
};

struct admin_key {
	const char *name;
	enum admin_key_kind kind;
	const char *def;
	unsigned long long min, max;
	size_t offset, size; /* the struct admin_config field */
};

static const struct admin_key admin_keys[] = {
#define ADMIN_KEY(name, kind, def, min, max)   \
	{ #name,                               \
	  kind,                                \
	  def,                                 \
	  min,                                 \
	  max,                                 \
	  offsetof(struct admin_config, name), \
	  sizeof(((struct admin_config *)0)->name) },
#include "daemon/admin-keys.def"
#undef ADMIN_KEY
};
#define ADMIN_KEY_COUNT (sizeof(admin_keys) / sizeof(admin_keys[0]))

static const char *const known_keys[] = {
#define ADMIN_KEY(name, kind, def, min, max) #name,
#include "daemon/admin-keys.def"
#undef ADMIN_KEY
	NULL,
};

static int fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
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

static bool path_ok(const char *p)
{
	size_t n = strlen(p);

	return p[0] == '/' && !strstr(p, "/../") && !(n >= 3 && strcmp(p + n - 3, "/..") == 0);
}

/* metrics_allow: the text, and each network parsed into the config. */
static const char *set_netlist(struct admin_config *c, char *field, size_t size, const char *v)
{
	static const char rule[] = "must be empty or IPv4 addresses or networks "
				   "(ADDRESS/PREFIX) separated by commas, at most 32";
	size_t len, n = strlen(v);

	if (n >= size)
		return rule;
	memcpy(field, v, n + 1);
	c->metrics_allow_count = 0;
	for (; *v; v += len + 1) {
		unsigned i = c->metrics_allow_count;

		len = strcspn(v, ",");
		if (i == CONFIG_METRICS_ALLOW_MAX ||
		    ipv4_cidr_parse(v, len, &c->metrics_allow_net[i].addr,
				    &c->metrics_allow_net[i].prefix) < 0 ||
		    (v[len] == ',' && v[len + 1] == '\0'))
			return rule;
		c->metrics_allow_count++;
		if (!v[len])
			break;
	}
	return NULL;
}

/* Parses one key's value into its field. NULL, or the rule it breaks
 * (in why for the integer kinds). */
static const char *set_key(const struct admin_key *k, const char *v, struct admin_config *c,
			   char *why, size_t whylen)
{
	void *field = (char *)c + k->offset;
	unsigned long long u;

	switch (k->kind) {
	case AK_ADDRESS:
		if (copy_str(field, k->size, v) < 0 || !numeric_ip(field))
			return "must be a numeric IPv4 or IPv6 address";
		return NULL;
	case AK_PORT:
	case AK_UINT:
	case AK_SIZE:
		if (ullong_parse(v, k->min, k->max, &u) < 0) {
			snprintf(why, whylen, "must be an integer in %llu..%llu", k->min, k->max);
			return why;
		}
		if (k->kind == AK_PORT)
			*(uint16_t *)field = (uint16_t)u;
		else if (k->kind == AK_UINT)
			*(unsigned *)field = (unsigned)u;
		else
			*(size_t *)field = (size_t)u;
		return NULL;
	case AK_WORD:
		if (copy_str(field, k->size, v) < 0)
			return "must be a host name, address, socket directory or name "
			       "without spaces or quotes";
		return NULL;
	case AK_SECRET:
		if (!*v)
			return "required, non-empty";
		if (!(*(char **)field = strdup(v)))
			return "out of memory";
		return NULL;
	case AK_SHA256:
		if (hex_decode(v, field, 32) < 0)
			return "required, 64 hex digits";
		return NULL;
	case AK_PATH:
		if (copy_str(field, k->size, v) < 0 || !path_ok(field))
			return "must be an absolute path without '..' or whitespace";
		return NULL;
	case AK_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return "must be true or false";
		*(bool *)field = strcmp(v, "true") == 0;
		return NULL;
	case AK_NETLIST:
		return set_netlist(c, field, k->size, v);
	}
	return "unknown kind";
}

static int apply(const char *name, const struct kv_file *kv, struct admin_config *c, char *err,
		 size_t errlen)
{
	for (size_t i = 0; i < ADMIN_KEY_COUNT; i++) {
		const struct admin_key *k = &admin_keys[i];
		const char *v = kv_get(kv, k->name), *why;
		char buf[64];

		if (!v)
			v = k->def;
		if (!v)
			return fail(err, errlen, name, 0, "%s: required", k->name);
		why = set_key(k, v, c, buf, sizeof(buf));
		if (why)
			return fail(err, errlen, name, line_of(kv, k->name), "%s: %s", k->name,
				    why);
	}
	if (c->http_port == c->metrics_port && strcmp(c->listen_address, c->metrics_address) == 0)
		return fail(err, errlen, name, line_of(kv, "metrics_port"),
			    "metrics_port: must differ from http_port on the same address");
	return 0;
}

int config_parse(const char *name, const char *data, size_t len, struct admin_config *cfg,
		 char *err, size_t errlen)
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

bool config_metrics_client_allowed(const struct admin_config *cfg, const struct sockaddr *client)
{
	static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	unsigned char own[16], peer[16];
	size_t peerlen;
	uint32_t a;

	if (!client)
		return false;
	if (client->sa_family == AF_INET) {
		memcpy(peer, &((const struct sockaddr_in *)client)->sin_addr, 4);
		peerlen = 4;
	} else if (client->sa_family == AF_INET6) {
		const unsigned char *b = ((const struct sockaddr_in6 *)client)->sin6_addr.s6_addr;

		peerlen = memcmp(b, v4mapped, 12) == 0 ? 4 : 16;
		memcpy(peer, peerlen == 4 ? b + 12 : b, peerlen);
	} else {
		return false;
	}
	if ((peerlen == 4 && inet_pton(AF_INET, cfg->metrics_address, own) == 1 &&
	     memcmp(own, peer, 4) == 0) ||
	    (peerlen == 16 && inet_pton(AF_INET6, cfg->metrics_address, own) == 1 &&
	     memcmp(own, peer, 16) == 0))
		return true;
	if (peerlen != 4)
		return false;
	a = (uint32_t)peer[0] << 24 | (uint32_t)peer[1] << 16 | (uint32_t)peer[2] << 8 | peer[3];
	for (unsigned i = 0; i < cfg->metrics_allow_count; i++) {
		unsigned p = cfg->metrics_allow_net[i].prefix;
		uint32_t mask = p ? 0xffffffffu << (32 - p) : 0;

		if ((a & mask) == cfg->metrics_allow_net[i].addr)
			return true;
	}
	return false;
}

void config_free(struct admin_config *cfg)
{
	if (cfg->db_password) {
		explicit_bzero(cfg->db_password, strlen(cfg->db_password));
		free(cfg->db_password);
	}
	explicit_bzero(cfg, sizeof(*cfg));
}
