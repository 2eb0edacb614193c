/* voip-admind configuration: /etc/voip-ha/voip-admin.conf (doc/DESIGN.md,
 * "voip-admin.conf"), parsed with the strict kv parser of libvoipha.
 *
 * The struct is immutable once loaded; SIGHUP builds a new one and swaps the
 * pointer only when the new file loads cleanly (the old one stays in use). */
#ifndef VOIPADMIN_CONFIG_H
#define VOIPADMIN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_DEFAULT_PATH "/etc/voip-ha/voip-admin.conf"
#define CONFIG_METRICS_ALLOW_MAX 32

struct admin_config {
	char listen_address[64]; /* numeric IPv4/IPv6 */
	uint16_t http_port;
	char metrics_address[64];
	uint16_t metrics_port;
	/* Clients the metrics listener answers besides metrics_address itself
	 * (anyone else: 403). The text, and its parsed networks. */
	char metrics_allow[640];
	struct {
		uint32_t addr; /* host order */
		unsigned prefix;
	} metrics_allow_net[CONFIG_METRICS_ALLOW_MAX];
	unsigned metrics_allow_count;

	char db_host[256];
	uint16_t db_port;
	char db_name[64];
	char db_user[64];
	char *db_password;           /* secret: never logged; wiped by config_free */
	unsigned db_connect_timeout; /* seconds */
	unsigned db_statement_timeout_ms;

	unsigned char admin_api_key_sha256[32];
	unsigned char freeswitch_api_key_sha256[32];

	char spool_dir[4096];
	unsigned workers; /* CDR worker threads */
	size_t max_body_bytes;
	unsigned max_connections;
	unsigned http_threads;
	unsigned directory_cache_ms; /* 0 disables the directory cache */
	size_t health_max_backlog;
	bool cdr_store_raw;            /* keep each CDR document in voip.cdr.raw */
	char cluster_state_file[4096]; /* the failover monitor's state (/metrics) */
	char backup_state_file[4096];  /* voip-ha backup-refresh's state (/metrics) */
};

/* Loads and validates `path`. Returns 0, or -errno / -EINVAL with a message
 * in err naming the file, line and key (never a value). On failure *cfg is
 * left zeroed. */
int config_load(const char *path, struct admin_config *cfg, char *err, size_t errlen);

/* Same, from a buffer (tests, fuzzing). `name` is used in messages. */
int config_parse(const char *name, const char *data, size_t len, struct admin_config *cfg,
		 char *err, size_t errlen);

struct sockaddr;
/* May this client use the metrics listener? Its address is metrics_address
 * (the node itself) or inside one of the metrics_allow networks (an IPv4
 * client seen as ::ffff:a.b.c.d on an IPv6 listener counts as IPv4). */
bool config_metrics_client_allowed(const struct admin_config *cfg, const struct sockaddr *client);

/* Wipes the secret and frees owned memory. Safe on a zeroed struct. */
void config_free(struct admin_config *cfg);

#endif
