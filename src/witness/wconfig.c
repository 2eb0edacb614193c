/* witness.conf: see wconfig.h. */
#include "witness/wconfig.h"
#include "lib/validators.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const keys[] = {
	"witness_address",    "clusters", "node1_address", "node2_address", "arbiter_password",
	"postgresql_cluster", NULL,
};

int wconfig_parse(const char *text, size_t len, struct witness_config *cfg, struct kv_error *err)
{
	memset(cfg, 0, sizeof(*cfg));
	return kv_parse(text, len, keys, &cfg->kv, err);
}

void wconfig_free(struct witness_config *cfg)
{
	kv_file_free(&cfg->kv);
	memset(cfg, 0, sizeof(*cfg));
}

int wconfig_name_valid(const char *name)
{
	size_t n = strlen(name), i;

	if (n < 1 || n > WITNESS_NAME_MAX)
		return 0;
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
		return 0;
	for (i = 1; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* A unicast host address by the rule of cluster.conf. */
static bool address_ok(const char *v, uint32_t *ret)
{
	return ipv4_parse(v, ret) == 0 && ipv4_unicast_host(*ret);
}

#define ADDRESS_RULE                                                                          \
	"must be a unicast IPv4 address in dotted-quad form (four numbers 0-255, no leading " \
	"zeros; not in 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, multicast or reserved)"

/* An optional node address key: 1 when set and valid, 0 when absent, -1
 * when invalid (reported). */
static int node_key(const struct witness_config *cfg, const char *key, uint32_t *ret,
		    struct errlist *el)
{
	const char *v = kv_get(&cfg->kv, key);

	if (!v || !*v)
		return 0;
	if (!address_ok(v, ret)) {
		errlist_add(el, "%s: " ADDRESS_RULE, key);
		return -1;
	}
	if (cfg->address && *ret == cfg->address) {
		errlist_add(el,
			    "%s: must differ from witness_address (the witness is a third "
			    "machine)",
			    key);
		return -1;
	}
	return 1;
}

/* One entry of clusters: NAME or NAME@NODE1,NODE2. */
static void add_entry(struct witness_config *cfg, const char *tok, size_t len, int have_nodes,
		      const uint32_t nodes[2], struct errlist *el)
{
	char buf[160], *at, *comma;
	struct witness_pair *p;
	size_t i;

	if (len >= sizeof(buf)) {
		errlist_add(el, "clusters: an entry is too long (NAME or NAME@NODE1,NODE2)");
		return;
	}
	memcpy(buf, tok, len);
	buf[len] = '\0';
	if (cfg->npairs == WITNESS_PAIRS_MAX) {
		errlist_add(el, "clusters: at most %d names", WITNESS_PAIRS_MAX);
		return;
	}
	p = &cfg->pairs[cfg->npairs];
	at = strchr(buf, '@');
	if (at)
		*at = '\0';
	if (!wconfig_name_valid(buf)) {
		errlist_add(el,
			    "clusters: each name must be 1-63 characters of a-z, 0-9, '_' and '-', "
			    "starting with a letter or digit");
		return;
	}
	for (i = 0; i < cfg->npairs; i++)
		if (strcmp(cfg->pairs[i].name, buf) == 0) {
			errlist_add(el, "clusters: the name '%s' is listed twice", buf);
			return;
		}
	memcpy(p->name, buf, strlen(buf) + 1); /* valid: at most 63 bytes */
	if (at) {
		comma = strchr(at + 1, ',');
		if (!comma) {
			errlist_add(el, "clusters: '%s@' must be followed by NODE1,NODE2", buf);
			return;
		}
		*comma = '\0';
		if (!address_ok(at + 1, &p->node[0]) || !address_ok(comma + 1, &p->node[1])) {
			errlist_add(el, "clusters: the node addresses of '%s' " ADDRESS_RULE, buf);
			return;
		}
	} else if (have_nodes > 0) {
		p->node[0] = nodes[0];
		p->node[1] = nodes[1];
	} else if (have_nodes < 0) {
		return; /* the node keys are wrong: said already */
	} else {
		errlist_add(el,
			    "clusters: '%s' needs node1_address and node2_address (or "
			    "'%s@NODE1,NODE2')",
			    buf, buf);
		return;
	}
	if (p->node[0] == p->node[1]) {
		errlist_add(el, "clusters: the two nodes of '%s' must have different addresses",
			    buf);
		return;
	}
	if (p->node[0] == cfg->address || p->node[1] == cfg->address) {
		errlist_add(el,
			    "clusters: a node of '%s' has the witness_address: the witness must "
			    "be a third machine",
			    buf);
		return;
	}
	cfg->npairs++;
}

static void check_pg_cluster(struct witness_config *cfg, const char *v, struct errlist *el)
{
	const char *slash;
	unsigned ver;
	size_t i, n;

	if (!v || strcmp(v, "auto") == 0)
		return;
	slash = strchr(v, '/');
	n = slash ? strlen(slash + 1) : 0;
	if (slash && (size_t)(slash - v) < sizeof(cfg->pg_version) && n >= 1 &&
	    n < sizeof(cfg->pg_name) && slash[1] != '.') {
		memcpy(cfg->pg_version, v, (size_t)(slash - v));
		cfg->pg_version[slash - v] = '\0';
		snprintf(cfg->pg_name, sizeof(cfg->pg_name), "%s", slash + 1);
		for (i = 0; i < n; i++) {
			char c = slash[1 + i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
				break;
		}
		if (i == n && uint_parse(cfg->pg_version, 15, 999, &ver) == 0)
			return;
	}
	cfg->pg_version[0] = cfg->pg_name[0] = '\0';
	errlist_add(el, "postgresql_cluster: must be 'auto' or VERSION/NAME (a major version of 15 "
			"or later and a cluster name of letters, digits, '_', '-' and '.')");
}

int wconfig_validate(struct witness_config *cfg, struct errlist *el)
{
	size_t before = el->count;
	const char *v, *s;
	uint32_t nodes[2] = { 0, 0 };
	int n1, n2;

	v = kv_get(&cfg->kv, "witness_address");
	if (!v || !*v)
		errlist_add(el, "witness_address: required");
	else if (!address_ok(v, &cfg->address))
		errlist_add(el, "witness_address: " ADDRESS_RULE);
	n1 = node_key(cfg, "node1_address", &nodes[0], el);
	n2 = node_key(cfg, "node2_address", &nodes[1], el);
	if (n1 != n2 && n1 >= 0 && n2 >= 0)
		errlist_add(el, "%s: required together with %s",
			    n1 ? "node2_address" : "node1_address",
			    n1 ? "node1_address" : "node2_address");
	if (n1 > 0 && n2 > 0 && nodes[0] == nodes[1]) {
		errlist_add(el, "node2_address: must differ from node1_address");
		n2 = -1;
	}
	v = kv_get(&cfg->kv, "clusters");
	if (!v || !*v) {
		errlist_add(el, "clusters: required (one or more names separated by spaces)");
	} else {
		for (s = v; *s;) {
			size_t len;

			while (*s == ' ')
				s++;
			len = strcspn(s, " ");
			if (len)
				add_entry(cfg, s, len,
					  n1 < 0 || n2 < 0 || n1 != n2 ? -1 :
					  n1 > 0                       ? 1 :
									 0,
					  nodes, el);
			s += len;
		}
		if (cfg->npairs == 0 && el->count == before)
			errlist_add(el,
				    "clusters: required (one or more names separated by spaces)");
	}
	v = kv_get(&cfg->kv, "arbiter_password");
	if (!v)
		errlist_add(el, "arbiter_password: required");
	else
		password_check("arbiter_password", v, el);
	cfg->password = v;
	check_pg_cluster(cfg, kv_get(&cfg->kv, "postgresql_cluster"), el);
	return el->count == before && !el->oom ? 0 : -EINVAL;
}
