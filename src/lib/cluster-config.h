/* The cluster config model: every answer of the wizard, as stored in
 * /etc/voip-ha/cluster.conf (doc/DESIGN.md), plus the typed values that
 * validation derives from the text. */
#ifndef VOIPHA_CLUSTER_CONFIG_H
#define VOIPHA_CLUSTER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/errlist.h"
#include "lib/kvfile.h"

enum cluster_key_kind {
	CK_IPV4,
	CK_PREFIX,
	CK_IFNAME,
	CK_HOSTNAME,
	CK_THISNODE,
	CK_PGVERSION,
	CK_PASSWORD,
	CK_VRID,
	CK_VRRPPASS,
	CK_PRIORITY,
	CK_PORT,
	CK_RTPPORT,
	CK_APIKEY,
	CK_PATH,
	CK_WITNESS,
	CK_COMMAND,
	CK_FLOODREQS,
	CK_FLOODSECS,
	CK_BANSECS,
	CK_ARBITER,
	CK_CLUSTERNAME,
	CK_OPTPASSWORD,

	CK_METRICSLISTEN, /* loopback | node */
	CK_CIDRLIST,      /* comma list of IPv4 addresses or CIDRs */
};

enum arbiter_kind { ARBITER_NONE = 0, ARBITER_POSTGRESQL = 1 };

#define CK_SECRET 0x1
#define CK_NOQUESTION 0x2

enum cluster_node { NODE_AUTO = 0, NODE_1 = 1, NODE_2 = 2 };

/* CKI_<key>: each key's index in cluster_keys[]. */
enum cluster_key_index {
#define CLUSTER_KEY(name, kind, def, flags) CKI_##name,
#include "lib/cluster-keys.def"
#undef CLUSTER_KEY
	CLUSTER_KEY_COUNT
};

struct cluster_config {
	/* Text of each key: owned, NULL when absent and without default. */
#define CLUSTER_KEY(name, kind, def, flags) char *name;
#include "lib/cluster-keys.def"
#undef CLUSTER_KEY

	/* Typed values, filled by cluster_config_validate() on success. */
	uint32_t node1_ip, node2_ip, vip; /* host byte order */
	uint32_t witness_ip;              /* 0: no witness */
	uint32_t arbiter_ip;              /* 0: none */
	enum arbiter_kind arbiter_kind;
	unsigned arbiter_port_num;
	unsigned prefix;
	enum cluster_node this_node_id;
	unsigned pg_version; /* 0 = auto */
	unsigned vrid, prio1, prio2;
	unsigned sip_port, esl_port, kam_port, http_port, metrics_port, kam_metrics_port;
	unsigned rtp_min, rtp_max;
};

struct cluster_key {
	const char *name;
	enum cluster_key_kind kind;
	const char *def; /* NULL: required */
	unsigned flags;
	size_t offset; /* of the char * in struct cluster_config */
};

extern const struct cluster_key cluster_keys[];
extern const size_t cluster_key_count;
/* NULL-terminated key names, the schema for kv_parse(). */
extern const char *const cluster_key_names[];

const struct cluster_key *cluster_key_find(const char *name);
/* The text of a key (NULL when unset). */
const char *cluster_config_get(const struct cluster_config *cfg, const struct cluster_key *key);

/* Fills cfg from parsed key=value pairs, applying defaults. Returns 0 or
 * -ENOMEM. cfg is wiped first; release it with cluster_config_free(). */
int cluster_config_from_kv(struct cluster_config *cfg, const struct kv_file *kv);

/* Parses text / loads a file (kv_parse()/kv_load() errors pass through). */
int cluster_config_parse(const char *data, size_t len, struct cluster_config *cfg,
			 struct kv_error *err);
int cluster_config_load(const char *path, struct cluster_config *cfg, struct kv_error *err);

/* Checks every rule of doc/DESIGN.md and adds one "field: rule" message per
 * broken rule to el (all of them, not just the first). Returns 0 when valid
 * (and fills the typed fields), -EINVAL otherwise. */
int cluster_config_validate(struct cluster_config *cfg, struct errlist *el);

/* Serialises cfg as cluster.conf text (every key, in table order). */
struct strbuf;
int cluster_config_format(const struct cluster_config *cfg, struct strbuf *out);

/* Wipes secrets and frees. */
void cluster_config_free(struct cluster_config *cfg);

#endif
