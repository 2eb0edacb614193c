/* Validation of every cluster.conf rule (doc/DESIGN.md's table, issue 2
 * item 3). Each broken rule adds one "field: rule" message; values are never
 * quoted because many of them are secrets. */
#include "lib/cluster-config.h"
#include "lib/utf8.h"
#include "lib/validators.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define POSTGRESQL_PORT 5432
#define RSYNC_PORT 873 /* the recordings rsync daemon, on each node */
/* sshd: every node is administered over SSH, and OpenSSH's sshd binds the
 * wildcard address, so no service of ours can bind port 22 on any of the
 * node's addresses (127.0.0.1 included: the event socket listens there). */
#define SSH_PORT 22

static void check_vrrp_password(const char *name, const char *v, struct errlist *el)
{
	size_t n = strlen(v), i;

	if (n < 1 || n > 8)
		errlist_add(el, "%s: must be 1 to 8 characters (keepalived's limit)", name);
	for (i = 0; i < n; i++)
		if (!ka_quoted_char_ok((unsigned char)v[i])) {
			errlist_add(el,
				    "%s: must be printable ASCII (space included) without "
				    "a double quote",
				    name);
			return;
		}
	if (!ka_quoted_ok(v))
		errlist_add(el,
			    "%s: must not end in a backslash (keepalived reads it as "
			    "escaping the closing quote)",
			    name);
}

static void check_api_key(const char *name, const char *v, struct errlist *el)
{
	size_t n = strlen(v);

	if (n < 16 || n > 256 ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789+/=_-") != n)
		errlist_add(el, "%s: must be 16 to 256 characters of A-Z a-z 0-9 + / = _ -", name);
}

/* An absolute path of a safe alphabet (no shell or config syntax). */
static bool path_chars_ok(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && v[0] == '/' && n <= 1024 &&
	       strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789/._-+@") == n;
}

static void check_path(const char *name, const char *v, struct errlist *el)
{
	const char *p;

	if (!path_chars_ok(v)) {
		errlist_add(el, "%s: must be an absolute path of letters, digits and / . _ - + @",
			    name);
		return;
	}
	for (p = v; (p = strstr(p, "/..")) != NULL; p += 3)
		if (p[3] == '/' || p[3] == '\0') {
			errlist_add(el, "%s: must not contain '..' components", name);
			return;
		}
}

/* metrics_allow: at most METRICS_ALLOW_MAX scrapers, comma-separated, each
 * a unicast IPv4 address or network (ADDRESS/PREFIX), no spaces. */
#define METRICS_ALLOW_MAX 32
static void check_cidr_list(const char *name, const char *v, struct errlist *el)
{
	size_t n = 0, len;
	uint32_t a;
	unsigned p;
	int r;

	for (; *v; v += len + (v[len] == ',')) {
		len = strcspn(v, ",");
		r = ipv4_cidr_parse(v, len, &a, &p);
		if (r == -EDOM)
			errlist_add(el,
				    "%s: a network must not have host bits set after its prefix "
				    "(203.0.113.0/24, not 203.0.113.5/24)",
				    name);
		else if (r < 0 || (v[len] == ',' && v[len + 1] == '\0'))
			errlist_add(el,
				    "%s: must be IPv4 addresses or networks (ADDRESS/PREFIX, "
				    "prefix 1-32) separated by commas, without spaces",
				    name);
		else if (!ipv4_unicast_host(a))
			errlist_add(el,
				    "%s: must list unicast addresses (not 0.0.0.0/8, 127.0.0.0/8, "
				    "169.254.0.0/16, multicast or reserved)",
				    name);
		else if (++n > METRICS_ALLOW_MAX)
			errlist_add(el, "%s: at most %d scrapers", name, METRICS_ALLOW_MAX);
		else
			continue;
		return;
	}
}

/* Checks one key's syntax; stores its typed value through `out` (an unsigned
 * or a uint32_t, by kind) when valid. Returns true when valid. */
static bool check_key(const struct cluster_key *k, const char *v, void *out, struct errlist *el)
{
	unsigned u;

	switch (k->kind) {
	case CK_IPV4:
		if (ipv4_parse(v, out) < 0) {
			errlist_add(el,
				    "%s: must be an IPv4 address in dotted-quad form "
				    "(four numbers 0-255, no leading zeros)",
				    k->name);
			return false;
		}
		if (!ipv4_unicast_host(*(uint32_t *)out)) {
			errlist_add(el,
				    "%s: must be a unicast host address (not in 0.0.0.0/8, "
				    "127.0.0.0/8, link-local 169.254.0.0/16, multicast or "
				    "reserved ranges)",
				    k->name);
			return false;
		}
		return true;
	case CK_PREFIX:
		if (uint_parse(v, 1, 30, out) < 0) {
			errlist_add(el, "%s: must be an integer from 1 to 30", k->name);
			return false;
		}
		return true;
	case CK_IFNAME:
		if (!ifname_valid(v)) {
			errlist_add(el,
				    "%s: must be a Linux interface name: 1-15 characters of "
				    "A-Z a-z 0-9 . _ -, not '.' or '..'",
				    k->name);
			return false;
		}
		if (strcmp(v, "lo") == 0) {
			/* keepalived ignores a VRRP instance on loopback: no VIP */
			errlist_add(el,
				    "%s: must not be the loopback interface lo (VRRP does "
				    "not run there)",
				    k->name);
			return false;
		}
		return true;
	case CK_HOSTNAME:
		if (!hostname_valid(v)) {
			errlist_add(el,
				    "%s: must be a valid host name (RFC 1123: dot-separated "
				    "labels of letters, digits and '-', at most 63 each, "
				    "253 in all, not all digits)",
				    k->name);
			return false;
		}
		if (hostname_is_loopback(v)) {
			errlist_add(el,
				    "%s: must not be a name every machine resolves to itself "
				    "(localhost, *.localhost, localhost.localdomain, "
				    "ip6-localhost, ip6-loopback, ...)",
				    k->name);
			return false;
		}
		return true;
	case CK_THISNODE:
		if (strcmp(v, "node1") == 0)
			*(enum cluster_node *)out = NODE_1;
		else if (strcmp(v, "node2") == 0)
			*(enum cluster_node *)out = NODE_2;
		else if (strcmp(v, "auto") == 0)
			*(enum cluster_node *)out = NODE_AUTO;
		else {
			errlist_add(el, "%s: must be node1, node2 or auto", k->name);
			return false;
		}
		return true;
	case CK_PGVERSION:
		if (strcmp(v, "auto") == 0) {
			*(unsigned *)out = 0;
			return true;
		}
		/* Up to 999, as "auto" does when it reads /usr/lib/postgresql. */
		if (uint_parse(v, 15, 999, out) < 0) {
			errlist_add(el,
				    "%s: must be auto or a PostgreSQL major version "
				    "from 15 to 999",
				    k->name);
			return false;
		}
		return true;
	case CK_PASSWORD:
		u = el->count;
		password_check(k->name, v, el);
		return el->count == u;
	case CK_VRRPPASS:
		u = el->count;
		check_vrrp_password(k->name, v, el);
		return el->count == u;
	case CK_APIKEY:
		u = el->count;
		check_api_key(k->name, v, el);
		return el->count == u;
	case CK_PATH:
		u = el->count;
		check_path(k->name, v, el);
		return el->count == u;
	case CK_WITNESS:
		*(uint32_t *)out = 0;
		if (v[0] == '\0')
			return true;
		if (ipv4_parse(v, out) < 0 || !ipv4_unicast_host(*(uint32_t *)out)) {
			*(uint32_t *)out = 0;
			errlist_add(el,
				    "%s: must be empty (no witness) or a unicast IPv4 address "
				    "in dotted-quad form",
				    k->name);
			return false;
		}
		return true;
	case CK_COMMAND:
		if (v[0] == '\0')
			return true;
		u = el->count;
		check_path(k->name, v, el);
		return el->count == u;
	case CK_ARBITER:
		if (strcmp(v, "none") == 0)
			*(enum arbiter_kind *)out = ARBITER_NONE;
		else if (strcmp(v, "postgresql") == 0)
			*(enum arbiter_kind *)out = ARBITER_POSTGRESQL;
		else {
			errlist_add(el, "%s: must be none or postgresql", k->name);
			return false;
		}
		return true;
	case CK_FAILOVERPROFILE:
		if (strcmp(v, "standard") == 0)
			*(enum failover_profile *)out = PROFILE_STANDARD;
		else if (strcmp(v, "fast") == 0)
			*(enum failover_profile *)out = PROFILE_FAST;
		else {
			errlist_add(el, "%s: must be standard or fast", k->name);
			return false;
		}
		return true;
	case CK_CLUSTERNAME:
		if (!cluster_name_valid(v)) {
			errlist_add(el,
				    "%s: must be 1 to 63 of a-z, 0-9, '_' and '-', starting with a "
				    "letter or digit",
				    k->name);
			return false;
		}
		return true;
	case CK_OPTPASSWORD:
		if (v[0] == '\0')
			return true;
		u = el->count;
		password_check(k->name, v, el);
		return el->count == u;
	case CK_VRID:
		if (uint_parse(v, 1, 255, out) < 0) {
			errlist_add(el, "%s: must be an integer from 1 to 255", k->name);
			return false;
		}
		return true;
	case CK_PRIORITY:
		if (uint_parse(v, 1, 254, out) < 0) {
			errlist_add(el, "%s: must be an integer from 1 to 254", k->name);
			return false;
		}
		return true;
	case CK_PORT:
		if (uint_parse(v, 1, 65535, out) < 0) {
			errlist_add(el, "%s: must be a port number from 1 to 65535", k->name);
			return false;
		}
		return true;
	case CK_RTPPORT:
		if (uint_parse(v, 1024, 65535, out) < 0) {
			errlist_add(el, "%s: must be a port number from 1024 to 65535", k->name);
			return false;
		}
		return true;
	case CK_FLOODREQS:
		if (uint_parse(v, 4, 1000000, out) < 0) {
			errlist_add(el, "%s: must be an integer from 4 to 1000000", k->name);
			return false;
		}
		return true;
	case CK_FLOODSECS:
		if (uint_parse(v, 1, 60, out) < 0) {
			errlist_add(el, "%s: must be an integer from 1 to 60 (seconds)", k->name);
			return false;
		}
		return true;
	case CK_BANSECS:
		if (uint_parse(v, 10, 86400, out) < 0) {
			errlist_add(el, "%s: must be an integer from 10 to 86400 (seconds)",
				    k->name);
			return false;
		}
		return true;
	case CK_METRICSLISTEN:
		if (strcmp(v, "loopback") != 0 && strcmp(v, "node") != 0) {
			errlist_add(el, "%s: must be loopback or node", k->name);
			return false;
		}
		return true;
	case CK_CIDRLIST:
		u = el->count;
		check_cidr_list(k->name, v, el);
		return el->count == u;
	case CK_BACKUP:
		if (strcmp(v, "none") == 0)
			*(enum backup_kind *)out = BACKUP_NONE;
		else if (strcmp(v, "repo-host") == 0)
			*(enum backup_kind *)out = BACKUP_REPO_HOST;
		else if (strcmp(v, "path") == 0)
			*(enum backup_kind *)out = BACKUP_PATH;
		else {
			errlist_add(el, "%s: must be none, repo-host or path", k->name);
			return false;
		}
		return true;
	case CK_RETENTION:
		if (uint_parse(v, 1, 9999999, out) < 0) {
			errlist_add(el, "%s: must be an integer from 1 to 9999999 (backups kept)",
				    k->name);
			return false;
		}
		return true;
	case CK_CIPHER:
		if (strcmp(v, "none") != 0 && strcmp(v, "aes-256-cbc") != 0) {
			errlist_add(el, "%s: must be none or aes-256-cbc", k->name);
			return false;
		}
		return true;
	case CK_CIPHERPASS:
		if (v[0] == '\0')
			return true;
		u = el->count;
		password_check(k->name, v, el);
		/* pgBackRest's ini parser trims spaces around a value. */
		if (el->count == u && (v[0] == ' ' || v[strlen(v) - 1] == ' '))
			errlist_add(el,
				    "%s: must not begin or end with a space (pgBackRest's "
				    "configuration file drops them)",
				    k->name);
		return el->count == u;
	case CK_WEEKDAY:
		if (!weekday_valid(v)) {
			errlist_add(el, "%s: must be one of mon, tue, wed, thu, fri, sat, sun",
				    k->name);
			return false;
		}
		return true;
	case CK_TIMEOFDAY:
		if (!time_of_day_valid(v)) {
			errlist_add(el, "%s: must be a time of day HH:MM from 00:00 to 23:59",
				    k->name);
			return false;
		}
		return true;
	case CK_ARCHIVETIMEOUT:
		if (uint_parse(v, 0, 1073741823, out) < 0) {
			errlist_add(el,
				    "%s: must be an integer from 0 to 1073741823 (seconds; 0: no "
				    "forced WAL switch)",
				    k->name);
			return false;
		}
		return true;
	}
	return false;
}

/* Where each key's typed value goes (NULL: text only). */
static void *typed_slot(struct cluster_config *c, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} map[] = {
		{ "node1_address", offsetof(struct cluster_config, node1_ip) },
		{ "node2_address", offsetof(struct cluster_config, node2_ip) },
		{ "virtual_address", offsetof(struct cluster_config, vip) },
		{ "witness_address", offsetof(struct cluster_config, witness_ip) },
		{ "arbiter", offsetof(struct cluster_config, arbiter_kind) },
		{ "failover_profile", offsetof(struct cluster_config, profile) },
		{ "arbiter_address", offsetof(struct cluster_config, arbiter_ip) },
		{ "arbiter_port", offsetof(struct cluster_config, arbiter_port_num) },
		{ "backup", offsetof(struct cluster_config, backup_kind) },
		{ "backup_host", offsetof(struct cluster_config, backup_ip) },
		{ "backup_port", offsetof(struct cluster_config, backup_port_num) },
		{ "prefix_length", offsetof(struct cluster_config, prefix) },
		{ "this_node", offsetof(struct cluster_config, this_node_id) },
		{ "postgresql_version", offsetof(struct cluster_config, pg_version) },
		{ "vrrp_router_id", offsetof(struct cluster_config, vrid) },
		{ "node1_priority", offsetof(struct cluster_config, prio1) },
		{ "node2_priority", offsetof(struct cluster_config, prio2) },
		{ "freeswitch_sip_port", offsetof(struct cluster_config, sip_port) },
		{ "freeswitch_esl_port", offsetof(struct cluster_config, esl_port) },
		{ "kamailio_sip_port", offsetof(struct cluster_config, kam_port) },
		{ "admin_http_port", offsetof(struct cluster_config, http_port) },
		{ "admin_metrics_port", offsetof(struct cluster_config, metrics_port) },
		{ "kamailio_metrics_port", offsetof(struct cluster_config, kam_metrics_port) },
		{ "rtp_port_min", offsetof(struct cluster_config, rtp_min) },
		{ "rtp_port_max", offsetof(struct cluster_config, rtp_max) },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, name) == 0)
			return (char *)c + map[i].off;
	return NULL;
}

/* Addresses: distinct, one subnet, neither network nor broadcast. */
static void check_addresses(const struct cluster_config *c, bool prefix_ok, const bool ok[3],
			    struct errlist *el)
{
	static const char *const names[3] = { "node1_address", "node2_address", "virtual_address" };
	const uint32_t ip[3] = { c->node1_ip, c->node2_ip, c->vip };
	uint32_t mask;
	int i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < i; j++)
			if (ok[i] && ok[j] && ip[i] == ip[j])
				errlist_add(el, "%s: must differ from %s", names[i], names[j]);
	if (!prefix_ok)
		return;
	mask = 0xffffffffu << (32 - c->prefix);
	for (i = 0; i < 3; i++) {
		if (!ok[i])
			continue;
		if ((ip[i] & ~mask) == 0)
			errlist_add(el, "%s: must not be the network address of its /%u subnet",
				    names[i], c->prefix);
		else if ((ip[i] & ~mask) == ~mask)
			errlist_add(el, "%s: must not be the broadcast address of its /%u subnet",
				    names[i], c->prefix);
	}
	for (i = 1; i < 3; i++)
		if (ok[0] && ok[i] && (ip[0] & mask) != (ip[i] & mask))
			errlist_add(el, "%s: must be in the same /%u subnet as node1_address",
				    names[i], c->prefix);
	if (!ok[0] && ok[1] && ok[2] && (ip[1] & mask) != (ip[2] & mask))
		errlist_add(el, "virtual_address: must be in the same /%u subnet as node2_address",
			    c->prefix);
}

/* All services listen on one node: their ports must differ from each other
 * and from those of the services every node runs anyway (PostgreSQL, the
 * recordings rsync daemon, sshd), and must stay out of the RTP range. */
#define SERVICE_PORTS 6
static void check_ports(const struct cluster_config *c, const bool ok[SERVICE_PORTS], bool rtp_ok,
			struct errlist *el)
{
	static const char *const names[SERVICE_PORTS] = {
		"freeswitch_sip_port", "freeswitch_esl_port", "kamailio_sip_port",
		"admin_http_port",     "admin_metrics_port",  "kamailio_metrics_port"
	};
	const unsigned port[SERVICE_PORTS] = { c->sip_port,  c->esl_port,     c->kam_port,
					       c->http_port, c->metrics_port, c->kam_metrics_port };
	int i, j;

	for (i = 0; i < SERVICE_PORTS; i++) {
		if (!ok[i])
			continue;
		for (j = 0; j < i; j++)
			if (ok[j] && port[i] == port[j])
				errlist_add(el,
					    "%s: must differ from %s (both listen on each node)",
					    names[i], names[j]);
		if (port[i] == POSTGRESQL_PORT)
			errlist_add(el, "%s: must not be %d (PostgreSQL's port)", names[i],
				    POSTGRESQL_PORT);
		if (port[i] == RSYNC_PORT)
			errlist_add(el, "%s: must not be %d (the recordings rsync daemon's port)",
				    names[i], RSYNC_PORT);
		if (port[i] == SSH_PORT)
			errlist_add(el, "%s: must not be %d (sshd's port, bound on every node)",
				    names[i], SSH_PORT);
		if (rtp_ok && port[i] >= c->rtp_min && port[i] <= c->rtp_max)
			errlist_add(el,
				    "%s: must lie outside the RTP range "
				    "rtp_port_min..rtp_port_max",
				    names[i]);
	}
	if (rtp_ok && POSTGRESQL_PORT >= c->rtp_min && POSTGRESQL_PORT <= c->rtp_max)
		errlist_add(el,
			    "rtp_port_min: the RTP range must not include PostgreSQL's "
			    "port %d",
			    POSTGRESQL_PORT);
}

/* arbiter=postgresql needs the witness machine's address (a third host,
 * anywhere but the nodes' subnet's network or broadcast address) and the
 * password of its voip_ha_arbiter role. */
static void check_arbiter(const struct cluster_config *c, const bool ok[], struct errlist *el)
{
	if (!ok[CKI_arbiter] || c->arbiter_kind != ARBITER_POSTGRESQL)
		return;
	if (ok[CKI_arbiter_address] && !c->arbiter_ip)
		errlist_add(el, "arbiter_address: required when arbiter is postgresql");
	if (ok[CKI_arbiter_address] && c->arbiter_ip &&
	    ((ok[CKI_node1_address] && c->arbiter_ip == c->node1_ip) ||
	     (ok[CKI_node2_address] && c->arbiter_ip == c->node2_ip) ||
	     (ok[CKI_virtual_address] && c->arbiter_ip == c->vip)))
		errlist_add(el, "arbiter_address: must be the witness machine, not a node address "
				"or the VIP");
	if (ok[CKI_arbiter_address] && c->arbiter_ip && ok[CKI_node1_address] &&
	    ok[CKI_prefix_length]) {
		uint32_t mask = 0xffffffffu << (32 - c->prefix);
		uint32_t net = c->node1_ip & mask;

		if (c->arbiter_ip == net || c->arbiter_ip == (net | ~mask))
			errlist_add(el,
				    "arbiter_address: must be a host, not the network or broadcast "
				    "address of the nodes' /%u subnet",
				    c->prefix);
	}
	if (ok[CKI_arbiter_password] && !c->arbiter_password[0])
		errlist_add(el, "arbiter_password: required when arbiter is postgresql");
}

/* backup=repo-host needs the repository host (a third machine); any backup
 * needs a cipher passphrase when the repository is encrypted (save-config
 * generates an empty one), and the nodes' own `pgbackrest server` port
 * must be free on every node. */
static void check_backup(const struct cluster_config *c, const bool ok[], struct errlist *el)
{
	static const char *const ports[] = { "freeswitch_sip_port", "freeswitch_esl_port",
					     "kamailio_sip_port",   "admin_http_port",
					     "admin_metrics_port",  "kamailio_metrics_port" };
	const unsigned port[] = { c->sip_port,  c->esl_port,     c->kam_port,
				  c->http_port, c->metrics_port, c->kam_metrics_port };
	const bool port_ok[] = { ok[CKI_freeswitch_sip_port], ok[CKI_freeswitch_esl_port],
				 ok[CKI_kamailio_sip_port],   ok[CKI_admin_http_port],
				 ok[CKI_admin_metrics_port],  ok[CKI_kamailio_metrics_port] };
	unsigned p = c->backup_port_num;
	size_t i;

	if (!ok[CKI_backup] || c->backup_kind == BACKUP_NONE)
		return;
	if (c->backup_kind == BACKUP_REPO_HOST && ok[CKI_backup_host]) {
		if (!c->backup_ip)
			errlist_add(el, "backup_host: required when backup is repo-host");
		else if ((ok[CKI_node1_address] && c->backup_ip == c->node1_ip) ||
			 (ok[CKI_node2_address] && c->backup_ip == c->node2_ip) ||
			 (ok[CKI_virtual_address] && c->backup_ip == c->vip))
			errlist_add(el, "backup_host: must be a third machine, not a node address "
					"or the VIP (a fire takes both nodes)");
	}
	if (ok[CKI_backup_cipher] && ok[CKI_backup_cipher_pass] &&
	    strcmp(c->backup_cipher, "none") != 0 && !c->backup_cipher_pass[0])
		errlist_add(el,
			    "backup_cipher_pass: required when backup_cipher is %s "
			    "(voip-ha save-config generates one when it is empty)",
			    c->backup_cipher);
	if (!ok[CKI_backup_port])
		return;
	for (i = 0; i < sizeof(port) / sizeof(port[0]); i++)
		if (port_ok[i] && port[i] == p)
			errlist_add(el,
				    "backup_port: must differ from %s (both listen on each node)",
				    ports[i]);
	if (p == POSTGRESQL_PORT || p == RSYNC_PORT || p == SSH_PORT)
		errlist_add(el,
			    "backup_port: must not be %u (PostgreSQL, the recordings rsync "
			    "daemon or sshd uses it on every node)",
			    p);
	if (ok[CKI_rtp_port_min] && ok[CKI_rtp_port_max] && p >= c->rtp_min && p <= c->rtp_max)
		errlist_add(el, "backup_port: must lie outside the RTP range "
				"rtp_port_min..rtp_port_max");
}

int cluster_config_validate(struct cluster_config *c, struct errlist *el)
{
	bool ok[CLUSTER_KEY_COUNT];
	size_t i, before = el->count;
	uint32_t scratch;

	for (i = 0; i < cluster_key_count; i++) {
		const struct cluster_key *k = &cluster_keys[i];
		const char *v = cluster_config_get(c, k);
		void *out = typed_slot(c, k->name);

		if (!v) {
			errlist_add(el, "%s: required (no default)", k->name);
			ok[i] = false;
			continue;
		}
		ok[i] = check_key(k, v, out ? out : &scratch, el);
	}
#define OK(name) ok[CKI_##name]
	{
		const bool addr_ok[3] = { OK(node1_address), OK(node2_address),
					  OK(virtual_address) };
		check_addresses(c, OK(prefix_length), addr_ok, el);
	}
	if (OK(witness_address) && c->witness_ip &&
	    ((OK(node1_address) && c->witness_ip == c->node1_ip) ||
	     (OK(node2_address) && c->witness_ip == c->node2_ip) ||
	     (OK(virtual_address) && c->witness_ip == c->vip)))
		errlist_add(el,
			    "witness_address: must be a third host, not a node address or the VIP");
	if (OK(witness_address) && c->witness_ip && OK(node1_address) && OK(prefix_length)) {
		/* Not a host: nothing (or every host of the subnet) would answer. */
		uint32_t mask = 0xffffffffu << (32 - c->prefix);
		uint32_t net = c->node1_ip & mask;

		if (c->witness_ip == net || c->witness_ip == (net | ~mask))
			errlist_add(el,
				    "witness_address: must be a host, not the network or broadcast "
				    "address of the nodes' /%u subnet",
				    c->prefix);
	}
	check_arbiter(c, ok, el);
	check_backup(c, ok, el);
	if (OK(node1_hostname) && OK(node2_hostname) &&
	    strcasecmp(c->node1_hostname, c->node2_hostname) == 0)
		errlist_add(el, "node2_hostname: must differ from node1_hostname");
	if (OK(node1_priority) && OK(node2_priority) && c->prio1 <= c->prio2)
		errlist_add(el, "node1_priority: must be greater than node2_priority");
	if (OK(rtp_port_min) && OK(rtp_port_max) && c->rtp_min >= c->rtp_max)
		errlist_add(el, "rtp_port_min: must be less than rtp_port_max");
	{
		const bool port_ok[SERVICE_PORTS] = {
			OK(freeswitch_sip_port), OK(freeswitch_esl_port), OK(kamailio_sip_port),
			OK(admin_http_port),     OK(admin_metrics_port),  OK(kamailio_metrics_port)
		};
		check_ports(c, port_ok,
			    OK(rtp_port_min) && OK(rtp_port_max) && c->rtp_min < c->rtp_max, el);
	}
	/* Kamailio 5.6's db_url parser has no escaping: a '/' before the first
	 * '@' of the password ends the user:password part (doc/DESIGN.md,
	 * "Validation rules added by templates"). */
	if (OK(kamailio_db_password) && !kam_dburl_password_ok(c->kamailio_db_password))
		errlist_add(el, "kamailio_db_password: must not contain '/' before its first "
				"'@' (Kamailio's db_url would end the password there)");
	/* Listening on the node's address with nobody allowed helps no one. */
	if (OK(metrics_listen) && OK(metrics_allow) && strcmp(c->metrics_listen, "node") == 0 &&
	    c->metrics_allow[0] == '\0')
		errlist_add(el,
			    "metrics_allow: must list the scrapers when metrics_listen is node");
	if (OK(admin_api_key) && OK(freeswitch_api_key) &&
	    strcmp(c->admin_api_key, c->freeswitch_api_key) == 0)
		errlist_add(el, "freeswitch_api_key: must differ from admin_api_key");
#undef OK
	return el->count == before && !el->oom ? 0 : -EINVAL;
}
