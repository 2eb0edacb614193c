/* Cluster config model: key table, defaults and loading. */
#include "lib/cluster-config.h"
#include "lib/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const struct cluster_key cluster_keys[] = {
#define CLUSTER_KEY(name, kind, def, flags) \
	{ #name, kind, def, flags, offsetof(struct cluster_config, name) },
#include "lib/cluster-keys.def"
#undef CLUSTER_KEY
};

const size_t cluster_key_count = sizeof(cluster_keys) / sizeof(cluster_keys[0]);
_Static_assert(sizeof(cluster_keys) / sizeof(cluster_keys[0]) == CLUSTER_KEY_COUNT,
	       "cluster_keys[] and enum cluster_key_index disagree");

const char *const cluster_key_names[] = {
#define CLUSTER_KEY(name, kind, def, flags) #name,
#include "lib/cluster-keys.def"
#undef CLUSTER_KEY
	NULL
};

static char **slot(struct cluster_config *cfg, const struct cluster_key *k)
{
	return (char **)((char *)cfg + k->offset);
}

const struct cluster_key *cluster_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < cluster_key_count; i++)
		if (strcmp(cluster_keys[i].name, name) == 0)
			return &cluster_keys[i];
	return NULL;
}

const char *cluster_config_get(const struct cluster_config *cfg, const struct cluster_key *key)
{
	return *(char *const *)((const char *)cfg + key->offset);
}

void cluster_config_free(struct cluster_config *cfg)
{
	size_t i;

	for (i = 0; i < cluster_key_count; i++) {
		char **p = slot(cfg, &cluster_keys[i]);
		if (*p) {
			explicit_bzero(*p, strlen(*p));
			free(*p);
		}
	}
	memset(cfg, 0, sizeof(*cfg));
}

int cluster_config_from_kv(struct cluster_config *cfg, const struct kv_file *kv)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < cluster_key_count; i++) {
		const struct cluster_key *k = &cluster_keys[i];
		const char *v = kv_get(kv, k->name);

		if (!v)
			v = k->def;
		if (!v)
			continue;
		*slot(cfg, k) = strdup(v);
		if (!*slot(cfg, k)) {
			cluster_config_free(cfg);
			return -ENOMEM;
		}
	}
	return 0;
}

int cluster_config_parse(const char *data, size_t len, struct cluster_config *cfg,
			 struct kv_error *err)
{
	struct kv_file kv;
	int r = kv_parse(data, len, cluster_key_names, &kv, err);

	if (r < 0)
		return r;
	r = cluster_config_from_kv(cfg, &kv);
	kv_file_free(&kv);
	return r;
}

int cluster_config_load(const char *path, struct cluster_config *cfg, struct kv_error *err)
{
	struct kv_file kv;
	int r = kv_load(path, cluster_key_names, &kv, err);

	if (r < 0)
		return r;
	r = cluster_config_from_kv(cfg, &kv);
	kv_file_free(&kv);
	return r;
}

int cluster_config_format(const struct cluster_config *cfg, struct strbuf *out)
{
	size_t i;
	int r;

	r = sb_adds(out, "# voip-ha cluster configuration: see cluster.conf(5).\n");
	for (i = 0; r == 0 && i < cluster_key_count; i++) {
		const char *v = cluster_config_get(cfg, &cluster_keys[i]);
		if (v)
			r = sb_addf(out, "%s=%s\n", cluster_keys[i].name, v);
	}
	return r;
}
