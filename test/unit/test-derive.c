/* Derived facts and variables (src/lib/derive.c). */
#include "unit.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/derive.h"
#include "lib/profile.h"
#include "lib/sha256.h"

static const char conf[] =
	"node1_address=198.51.100.11\nnode2_address=198.51.100.12\n"
	"virtual_address=198.51.100.10\nprefix_length=25\n"
	"node1_interface=eth0\nnode2_interface=ens3\n"
	"node1_hostname=pbx1\nnode2_hostname=pbx2\nthis_node=node2\n"
	"replication_password=repl\nkamailio_db_password=kam\nadmin_db_password=admin\n"
	"freeswitch_db_password=fs\nvrrp_password=vrrp1234\nfreeswitch_esl_password=ClueCon\n"
	"admin_api_key=AAAAAAAAAAAAAAAAAAAAAAAA\nfreeswitch_api_key=BBBBBBBBBBBBBBBBBBBBBBBB\n";

static void load(struct cluster_config *cfg, const char *extra)
{
	struct errlist el = ERRLIST_INIT;
	struct kv_error err;
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", conf, extra);
	assert_int_equal(cluster_config_parse(text, strlen(text), cfg, &err), 0);
	assert_int_equal(cluster_config_validate(cfg, &el), 0);
}

static const char *get(const struct vars *v, const char *name)
{
	const struct var *x = vars_find(v, name);

	if (!x)
		fail_msg("variable '%s' missing", name);
	return x->value;
}

static void test_node_vars(void **state)
{
	struct cluster_config cfg;
	struct vars v1 = VARS_INIT, v2 = VARS_INIT, vd = VARS_INIT;
	char hex[65];

	(void)state;
	load(&cfg, "");
	assert_int_equal(derive_vars(&cfg, NODE_1, 16, &v1), 0);
	assert_int_equal(derive_vars(&cfg, NODE_2, 16, &v2), 0);
	assert_int_equal(derive_vars(&cfg, NODE_AUTO, 16, &vd), 0);
	assert_string_equal(get(&v1, "local_node"), "node1");
	assert_string_equal(get(&v1, "peer_node"), "node2");
	assert_string_equal(get(&v1, "local_address"), "198.51.100.11");
	assert_string_equal(get(&v1, "peer_address"), "198.51.100.12");
	assert_string_equal(get(&v1, "local_interface"), "eth0");
	assert_string_equal(get(&v1, "local_hostname"), "pbx1");
	assert_string_equal(get(&v1, "peer_hostname"), "pbx2");
	assert_string_equal(get(&v1, "local_priority"), "150");
	assert_string_equal(get(&v1, "local_state"), "MASTER");
	assert_string_equal(get(&v2, "local_node"), "node2");
	assert_string_equal(get(&v2, "local_address"), "198.51.100.12");
	assert_string_equal(get(&v2, "peer_address"), "198.51.100.11");
	assert_string_equal(get(&v2, "local_interface"), "ens3");
	assert_string_equal(get(&v2, "local_priority"), "100");
	assert_string_equal(get(&v2, "local_state"), "BACKUP");
	assert_string_equal(get(&v1, "network_address"), "198.51.100.0");
	assert_string_equal(get(&v1, "pg_major"), "16");
	assert_string_equal(get(&v1, "virtual_address"), "198.51.100.10");
	assert_string_equal(get(&v1, "recordings_dir"), "/var/lib/freeswitch/recordings");
	assert_true(vars_find(&v1, "replication_password")->secret);
	assert_true(vars_find(&v1, "admin_api_key")->secret);
	assert_false(vars_find(&v1, "admin_api_key_sha256")->secret);
	assert_int_equal(sha256_hex("AAAAAAAAAAAAAAAAAAAAAAAA", 24, hex), 0);
	assert_string_equal(get(&v1, "admin_api_key_sha256"), hex);
	/* sha256("abc"), FIPS 180-2 appendix B.1 */
	assert_int_equal(sha256_hex("abc", 3, hex), 0);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* HMAC-SHA256(replication_password, "voip-ha recordings rsync"),
	 * as computed by `openssl dgst -sha256 -hmac repl`. */
	assert_string_equal(get(&v1, "rsync_password"),
			    "4fe03804dc1228b59f98d939ec4b92a8257c7795fa28590414a1bb94db5002ed");
	assert_true(vars_find(&v1, "rsync_password")->secret);
	/* HMAC-SHA256(replication_password, "voip-ha kamailio auth nonce"),
	 * the same way; the same on both nodes. */
	assert_string_equal(get(&v1, "kamailio_auth_secret"),
			    "48e9b0dffd535fb1e45a4ac70013e7c0909ee07ad473869aea816e3c50e10ecd");
	assert_string_equal(get(&v2, "kamailio_auth_secret"), get(&v1, "kamailio_auth_secret"));
	assert_true(vars_find(&v1, "kamailio_auth_secret")->secret);
	/* Deploy scope: no local_* variables. */
	assert_null(vars_find(&vd, "local_address"));
	assert_non_null(vars_find(&vd, "network_address"));
	vars_free(&v1);
	vars_free(&v2);
	vars_free(&vd);
	cluster_config_free(&cfg);
}

/* Kamailio's is_in_subnet() list: the metrics address first, then each
 * metrics_allow entry, a bare address as /32. */
static void test_kamailio_metrics_allow(void **state)
{
	struct cluster_config cfg;
	struct vars v1 = VARS_INIT, v2 = VARS_INIT;

	(void)state;
	load(&cfg, "");
	assert_int_equal(derive_vars(&cfg, NODE_1, 16, &v1), 0);
	assert_string_equal(get(&v1, "metrics_bind_address"), "127.0.0.1");
	assert_string_equal(get(&v1, "kamailio_metrics_allow"), "127.0.0.1/32");
	assert_string_equal(get(&v1, "kamailio_metrics_port"), "9101");
	vars_free(&v1);
	cluster_config_free(&cfg);
	load(&cfg, "metrics_listen=node\nmetrics_allow=203.0.113.7,192.0.2.0/24,10.1.2.3/32\n"
		   "kamailio_metrics_port=9200\n");
	assert_int_equal(derive_vars(&cfg, NODE_2, 16, &v2), 0);
	assert_string_equal(get(&v2, "metrics_bind_address"), "198.51.100.12");
	assert_string_equal(get(&v2, "kamailio_metrics_allow"),
			    "198.51.100.12/32,203.0.113.7/32,192.0.2.0/24,10.1.2.3/32");
	assert_string_equal(get(&v2, "kamailio_metrics_port"), "9200");
	vars_free(&v2);
	cluster_config_free(&cfg);
}

/* failover_profile: keepalived's and PostgreSQL's numbers from
 * lib/profile.c; with fast, the VRRP password is a secret no more
 * written (VRRPv3 has no authentication). */
static void test_profile_vars(void **state)
{
	struct cluster_config cfg;
	struct vars v = VARS_INIT;
	const struct var *pw;

	(void)state;
	load(&cfg, "");
	assert_int_equal(cfg.profile, PROFILE_STANDARD);
	assert_int_equal(derive_vars(&cfg, NODE_1, 16, &v), 0);
	assert_string_equal(get(&v, "vrrp_version"), "2");
	assert_string_equal(get(&v, "vrrp_advert_int"), "1");
	assert_string_equal(get(&v, "check_fall"), "2");
	assert_string_equal(get(&v, "pg_wal_retrieve_retry"), "5s");
	assert_string_equal(get(&v, "ka_auth"), "");
	pw = vars_find(&v, "vrrp_auth_pass");
	assert_non_null(pw);
	assert_string_equal(pw->value, "vrrp1234");
	assert_true(pw->secret);
	vars_free(&v);
	cluster_config_free(&cfg);
	load(&cfg, "failover_profile=fast\n");
	assert_int_equal(cfg.profile, PROFILE_FAST);
	assert_int_equal(derive_vars(&cfg, NODE_2, 16, &v), 0);
	assert_string_equal(get(&v, "vrrp_version"), "3");
	assert_string_equal(get(&v, "vrrp_advert_int"), "0.2");
	assert_string_equal(get(&v, "check_fall"), "1");
	assert_string_equal(get(&v, "pg_wal_retrieve_retry"), "250ms");
	assert_string_equal(get(&v, "ka_auth"), "# ");
	assert_string_equal(get(&v, "vrrp_auth_pass"), "none");
	vars_free(&v);
	cluster_config_free(&cfg);
	/* The fast lease runs out before a standby can be MASTER plus its
	 * promotion budget, and "alive" stays below the earliest MASTER. */
	assert_true(failover_timing(PROFILE_FAST)->lease_ttl_ms <= 1000);
	assert_true(failover_timing(PROFILE_FAST)->lease_alive_ms < 480);
	assert_true(failover_timing(PROFILE_FAST)->lease_renew_ms <
		    failover_timing(PROFILE_FAST)->lease_alive_ms);
	assert_int_equal(failover_timing(PROFILE_STANDARD)->lease_ttl_ms, LEASE_TTL_MS);
}

static void test_network_address(void **state)
{
	struct cluster_config cfg;
	struct vars v = VARS_INIT;

	(void)state;
	load(&cfg, "");
	cfg.prefix = 16;
	assert_int_equal(derive_vars(&cfg, NODE_1, 15, &v), 0);
	assert_string_equal(get(&v, "network_address"), "198.51.0.0");
	vars_free(&v);
	cluster_config_free(&cfg);
}

static void test_local_node_configured(void **state)
{
	struct cluster_config cfg;
	enum cluster_node n = NODE_AUTO;

	(void)state;
	load(&cfg, "");
	assert_int_equal(detect_local_node(&cfg, &n), 0);
	assert_int_equal(n, NODE_2);
	cluster_config_free(&cfg);
}

static void mkbin(const char *root, const char *ver)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%s/usr/lib/postgresql/%s/bin' && "
		 "touch '%s/usr/lib/postgresql/%s/bin/postgres'",
		 root, ver, root, ver);
	assert_int_equal(system(cmd), 0);
}

static void test_pg_major(void **state)
{
	char root[] = "/tmp/test-derive.XXXXXX", cmd[128];
	struct cluster_config cfg;
	unsigned v = 0;
	bool fb = false;

	(void)state;
	assert_non_null(mkdtemp(root));
	load(&cfg, "");
	assert_int_equal(detect_pg_major(&cfg, root, &v, &fb), 0);
	assert_int_equal(v, PG_MAJOR_FALLBACK);
	assert_true(fb);
	mkbin(root, "14"); /* too old: ignored */
	assert_int_equal(detect_pg_major(&cfg, root, &v, &fb), 0);
	assert_true(fb);
	mkbin(root, "15");
	mkbin(root, "16");
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/usr/lib/postgresql/17'", root);
	assert_int_equal(system(cmd), 0); /* no bin/postgres: ignored */
	assert_int_equal(detect_pg_major(&cfg, root, &v, &fb), 0);
	assert_int_equal(v, 16);
	assert_false(fb);
	cfg.pg_version = 18; /* configured wins */
	assert_int_equal(detect_pg_major(&cfg, root, &v, &fb), 0);
	assert_int_equal(v, 18);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	cluster_config_free(&cfg);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_vars),
		cmocka_unit_test(test_network_address),
		cmocka_unit_test(test_profile_vars),
		cmocka_unit_test(test_kamailio_metrics_allow),
		cmocka_unit_test(test_local_node_configured),
		cmocka_unit_test(test_pg_major),
	};

	return cmocka_run_group_tests_name("derive", tests, NULL, NULL);
}
