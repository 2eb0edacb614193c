/* Derived facts and variables (see derive.h). */
#include "lib/derive.h"
#include "lib/profile.h"
#include "lib/sha256.h"
#include "lib/strbuf.h"
#include "lib/validators.h"

#include <stdio.h>
#include <string.h>

static int set_uint(struct vars *vs, const char *name, unsigned v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	return vars_set(vs, name, buf, false);
}

static int set_digest(struct vars *vs, const char *name, const char *key)
{
	char hex[SHA256_HEX_LEN + 1];
	int r = sha256_hex(key, strlen(key), hex);

	return r < 0 ? r : vars_set(vs, name, hex, false);
}

/* A secret both nodes derive from the shared replication_password without
 * another question: lowercase hex HMAC-SHA256 keyed with it over LABEL, so
 * the password itself never reaches the program that uses the secret
 * (doc/DESIGN.md, rsync_password and kamailio_auth_secret). */
static int set_shared_secret(struct vars *vs, const char *name, const char *replication_password,
			     const char *label)
{
	char hex[SHA256_HEX_LEN + 1];
	int r = hmac_sha256_hex(replication_password, strlen(replication_password), label,
				strlen(label), hex);

	if (r == 0)
		r = vars_set(vs, name, hex, true);
	explicit_bzero(hex, sizeof(hex));
	return r;
}

int derive_backup_ca_seed(const struct cluster_config *c, unsigned char seed[32])
{
	static const char label[] = "voip-ha pgbackrest tls ca";

	return hmac_sha256(c->replication_password, strlen(c->replication_password), label,
			   sizeof(label) - 1, seed);
}

/* metrics_scrapers_nft: the nftables set elements line of metrics.nft for
 * metrics_allow (validated: addresses and networks separated by commas), or
 * a comment when the list is empty (nft refuses an empty `elements`). */
static int set_metrics_scrapers(struct vars *vs, const char *allow)
{
	struct strbuf sb = STRBUF_INIT;
	int r = 0;

	if (!*allow)
		return vars_set(vs, "metrics_scrapers_nft", "# no scrapers: metrics_allow is empty",
				false);
	r = sb_adds(&sb, "elements = { ");
	for (; r == 0 && *allow; allow++)
		r = *allow == ',' ? sb_adds(&sb, ", ") : sb_addc(&sb, *allow);
	r = r ? r : sb_adds(&sb, " }");
	r = r ? r : vars_set(vs, "metrics_scrapers_nft", sb_str(&sb), false);
	sb_release(&sb);
	return r;
}

/* kamailio_metrics_allow: who may scrape Kamailio's /metrics, as the subnet
 * list ipops' is_in_subnet() reads: this node's metrics address (as
 * voip-admind allows it) and each metrics_allow entry (validated: addresses
 * and networks separated by commas), a bare address as ADDRESS/32. */
static int set_kamailio_metrics_allow(struct vars *vs, const char *self, const char *allow)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len;
	int r = sb_adds(&sb, self);

	r = r ? r : sb_adds(&sb, "/32");
	for (; r == 0 && *allow; allow += len + (allow[len] == ',')) {
		len = strcspn(allow, ",");
		r = sb_addc(&sb, ',');
		r = r ? r : sb_add(&sb, allow, len);
		if (r == 0 && !memchr(allow, '/', len))
			r = sb_adds(&sb, "/32");
	}
	r = r ? r : vars_set(vs, "kamailio_metrics_allow", sb_str(&sb), false);
	sb_release(&sb);
	return r;
}

/* Backups (doc/DESIGN.md, "Backups"). The templates have no logic, so the
 * lines of a backup mode that is not chosen are written as comments: pbr_on
 * is "" when backups are on, else "# ", and pbr_host, pbr_path likewise for
 * backup=repo-host and backup=path. The repository key is written only
 * where it is used: on the repository host (repo-host) or on the nodes
 * (path). pg_archive_settings is PostgreSQL's archiving block: nothing but
 * a comment with backup=none, so an administrator's own archiving is kept. */
static int set_backup_vars(const struct cluster_config *c, struct vars *vs)
{
	bool on = c->backup_kind != BACKUP_NONE, host = c->backup_kind == BACKUP_REPO_HOST,
	     path = c->backup_kind == BACKUP_PATH;
	bool crypt = strcmp(c->backup_cipher, "none") != 0;
	struct strbuf sb = STRBUF_INIT;
	int r = 0;

	r = r ? r : vars_set(vs, "pbr_on", on ? "" : "# ", false);
	r = r ? r : vars_set(vs, "pbr_host", host ? "" : "# ", false);
	r = r ? r : vars_set(vs, "pbr_path", path ? "" : "# ", false);
	r = r ? r : vars_set(vs, "pbr_host_pass", host && crypt ? "" : "# ", false);
	r = r ? r : vars_set(vs, "pbr_path_pass", path && crypt ? "" : "# ", false);
	r = r ? r :
		vars_set(vs, "pbr_host_cipher_pass", host && crypt ? c->backup_cipher_pass : "",
			 true);
	r = r ? r :
		vars_set(vs, "pbr_node_cipher_pass", path && crypt ? c->backup_cipher_pass : "",
			 true);
	if (r == 0 && on)
		/* the stanza is [a-z0-9_-]: nothing to quote inside '...';
		 * the timeout is validated digits (0..1073741823) */
		r = sb_addf(&sb,
			    "archive_mode = on\n"
			    "archive_command = 'pgbackrest --stanza=%s archive-push %%p'\n"
			    "archive_timeout = %ss",
			    c->backup_stanza, c->backup_archive_timeout);
	else if (r == 0)
		r = sb_adds(&sb, "# backup=none in cluster.conf: archiving is left to "
				 "postgresql.conf");
	r = r ? r : vars_set(vs, "pg_archive_settings", sb_str(&sb), false);
	sb_release(&sb);
	return r;
}

/* systemd OnCalendar= lines of the scheduled backups: the full one weekly
 * on backup_full_day at backup_time, the differential one the six other
 * days at the same time (never both at once: pgBackRest would refuse the
 * second for its lock). Both keys are validated (mon..sun, HH:MM). */
static int set_backup_calendars(const struct cluster_config *c, struct vars *vs)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	static const char *const names[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	struct strbuf full = STRBUF_INIT, diff = STRBUF_INIT;
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < 7; i++) {
		if (strcmp(c->backup_full_day, days[i]) == 0)
			r = sb_adds(&full, names[i]);
		else
			r = sb_addf(&diff, "%s%s", diff.len ? "," : "", names[i]);
	}
	r = r ? r : sb_addf(&full, " *-*-* %s:00", c->backup_time);
	r = r ? r : sb_addf(&diff, " *-*-* %s:00", c->backup_time);
	r = r ? r : vars_set(vs, "backup_full_calendar", sb_str(&full), false);
	r = r ? r : vars_set(vs, "backup_diff_calendar", sb_str(&diff), false);
	sb_release(&full);
	sb_release(&diff);
	return r;
}

/* The failover profile's keepalived settings (lib/profile.h). The fast
 * profile runs VRRPv3, which has no authentication: ka_auth comments the
 * AH block out ("# ") and vrrp_auth_pass is then a placeholder, so the
 * VRRP password is not written where nothing reads it. */
static int set_profile_vars(const struct cluster_config *c, struct vars *vs)
{
	const struct failover_timing *t = failover_timing(c->profile);
	bool auth = t->vrrp_version == 2;
	int r = 0;

	r = r ? r : set_uint(vs, "vrrp_version", t->vrrp_version);
	r = r ? r : vars_set(vs, "vrrp_advert_int", t->advert_int, false);
	r = r ? r : vars_set(vs, "pg_wal_retrieve_retry", t->wal_retrieve_retry, false);
	r = r ? r : set_uint(vs, "check_fall", t->check_fall);
	r = r ? r : vars_set(vs, "ka_auth", auth ? "" : "# ", false);
	r = r ? r : vars_set(vs, "vrrp_auth_pass", auth ? c->vrrp_password : "none", auth);
	return r;
}

static int set_node_vars(const struct cluster_config *c, enum cluster_node node, struct vars *vs)
{
	bool one = node == NODE_1;
	/* voip-admind's and Kamailio's /metrics: the node's own address on
	 * request, never the VIP */
	const char *maddr = strcmp(c->metrics_listen, "node") == 0 ?
				    (one ? c->node1_address : c->node2_address) :
				    "127.0.0.1";
	int r = 0;

	r = r ? r : vars_set(vs, "local_node", one ? "node1" : "node2", false);
	r = r ? r : vars_set(vs, "peer_node", one ? "node2" : "node1", false);
	r = r ? r : vars_set(vs, "local_address", one ? c->node1_address : c->node2_address, false);
	r = r ? r : vars_set(vs, "peer_address", one ? c->node2_address : c->node1_address, false);
	r = r ? r :
		vars_set(vs, "local_interface", one ? c->node1_interface : c->node2_interface,
			 false);
	r = r ? r :
		vars_set(vs, "local_hostname", one ? c->node1_hostname : c->node2_hostname, false);
	r = r ? r :
		vars_set(vs, "peer_hostname", one ? c->node2_hostname : c->node1_hostname, false);
	r = r ? r :
		vars_set(vs, "local_priority", one ? c->node1_priority : c->node2_priority, false);
	r = r ? r : vars_set(vs, "local_state", one ? "MASTER" : "BACKUP", false);
	r = r ? r : vars_set(vs, "metrics_bind_address", maddr, false);
	r = r ? r : set_kamailio_metrics_allow(vs, maddr, c->metrics_allow);
	/* who may call this node's pgbackrest server: the repository host, or
	 * with a repository on a shared path the peer (a backup from there) */
	r = r ? r :
		vars_set(vs, "pbr_tls_client",
			 c->backup_kind == BACKUP_REPO_HOST ? c->backup_host :
			 one                                ? c->node2_address :
							      c->node1_address,
			 false);
	return r;
}

int derive_vars(const struct cluster_config *c, enum cluster_node node, unsigned pg_major,
		struct vars *vs)
{
	char net[16];
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < cluster_key_count; i++) {
		const struct cluster_key *k = &cluster_keys[i];
		r = vars_set(vs, k->name, cluster_config_get(c, k), k->flags & CK_SECRET);
	}
	ipv4_format(c->node1_ip & (0xffffffffu << (32 - c->prefix)), net);
	r = r ? r : vars_set(vs, "network_address", net, false);
	r = r ? r : set_uint(vs, "pg_major", pg_major);
	r = r ? r : set_digest(vs, "admin_api_key_sha256", c->admin_api_key);
	r = r ? r : set_digest(vs, "freeswitch_api_key_sha256", c->freeswitch_api_key);
	/* the recordings rsync daemon: the replication password never crosses
	 * rsync's weak challenge */
	r = r ? r :
		set_shared_secret(vs, "rsync_password", c->replication_password,
				  "voip-ha recordings rsync");
	/* Kamailio's nonce secret (auth module): a phone challenged by one node
	 * answers to the other after the VIP moved */
	r = r ? r :
		set_shared_secret(vs, "kamailio_auth_secret", c->replication_password,
				  "voip-ha kamailio auth nonce");
	r = r ? r : set_metrics_scrapers(vs, c->metrics_allow);
	r = r ? r : set_backup_vars(c, vs);
	r = r ? r : set_backup_calendars(c, vs);
	r = r ? r : set_profile_vars(c, vs);
	if (r == 0 && node != NODE_AUTO)
		r = set_node_vars(c, node, vs);
	return r;
}
