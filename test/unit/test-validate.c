/* Table tests of every cluster.conf validation rule
 * (src/lib/cluster-validate.c): a valid base config, one or two keys
 * overridden per row, and the exact "field: rule" message expected. */
#include "unit.h"

#include <errno.h>

#include "lib/cluster-config.h"
#include "lib/strbuf.h"

static const char base[] = "node1_address=198.51.100.11\n"
			   "node2_address=198.51.100.12\n"
			   "virtual_address=198.51.100.10\n"
			   "node1_interface=eth0\n"
			   "node2_interface=eth0\n"
			   "node1_hostname=pbx1\n"
			   "node2_hostname=pbx2\n"
			   "replication_password=repl\n"
			   "kamailio_db_password=kam\n"
			   "admin_db_password=admin\n"
			   "freeswitch_db_password=fs\n"
			   "vrrp_password=vrrp1234\n"
			   "freeswitch_esl_password=ClueCon\n"
			   "admin_api_key=AAAAAAAAAAAAAAAAAAAAAAAA\n"
			   "freeswitch_api_key=BBBBBBBBBBBBBBBBBBBBBBBB\n";

struct row {
	const char *name;
	const char *k1, *v1, *k2, *v2; /* overrides; v NULL = remove the key */
	const char *expect;            /* NULL: valid; else a message it must contain */
};

#define LONG_PW_1025                                                       \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxy"

static struct row rows[] = {
	{ "base config is valid", NULL, NULL, NULL, NULL, NULL },
	{ "nasty legal password", "replication_password", "r\"e'p\\l$:${x}$${y}<&> m\xe1\xba\xadt",
	  NULL, NULL, NULL },
	{ "node1_address required", "node1_address", NULL, NULL, NULL, "node1_address: required" },
	{ "node1_address leading zero", "node1_address", "198.51.100.011", NULL, NULL,
	  "node1_address: must be an IPv4 address" },
	{ "node2_address out of range", "node2_address", "198.51.100.300", NULL, NULL,
	  "node2_address: must be an IPv4 address" },
	{ "virtual_address not dotted quad", "virtual_address", "vip", NULL, NULL,
	  "virtual_address: must be an IPv4 address" },
	{ "node1_address loopback", "node1_address", "127.0.0.1", NULL, NULL,
	  "node1_address: must be a unicast host address" },
	{ "virtual_address multicast", "virtual_address", "224.0.0.18", NULL, NULL,
	  "virtual_address: must be a unicast host address" },
	{ "node2_address zero net", "node2_address", "0.1.2.3", NULL, NULL,
	  "node2_address: must be a unicast host address" },
	{ "node2 equals node1", "node2_address", "198.51.100.11", NULL, NULL,
	  "node2_address: must differ from node1_address" },
	{ "vip equals node2", "virtual_address", "198.51.100.12", NULL, NULL,
	  "virtual_address: must differ from node2_address" },
	{ "node2 other subnet", "node2_address", "198.51.101.12", NULL, NULL,
	  "node2_address: must be in the same /24 subnet as node1_address" },
	{ "vip other subnet", "virtual_address", "203.0.113.10", NULL, NULL,
	  "virtual_address: must be in the same /24 subnet as node1_address" },
	{ "wider prefix joins subnets", "node2_address", "198.51.101.12", "prefix_length", "16",
	  NULL },
	{ "node1 network address", "node1_address", "198.51.100.0", NULL, NULL,
	  "node1_address: must not be the network address of its /24 subnet" },
	{ "vip broadcast", "virtual_address", "198.51.100.255", NULL, NULL,
	  "virtual_address: must not be the broadcast address of its /24 subnet" },
	{ "broadcast of /30", "node2_address", "198.51.100.15", "prefix_length", "28",
	  "node2_address: must not be the broadcast address of its /28 subnet" },
	{ "prefix 0", "prefix_length", "0", NULL, NULL,
	  "prefix_length: must be an integer from 1 to 30" },
	{ "prefix 31", "prefix_length", "31", NULL, NULL,
	  "prefix_length: must be an integer from 1 to 30" },
	{ "prefix with slash", "prefix_length", "/24", NULL, NULL,
	  "prefix_length: must be an integer" },
	{ "node1_interface required", "node1_interface", NULL, NULL, NULL,
	  "node1_interface: required" },
	{ "node1_interface too long", "node1_interface", "abcdefghijklmnop", NULL, NULL,
	  "node1_interface: must be a Linux interface name" },
	{ "node2_interface slash", "node2_interface", "eth/0", NULL, NULL,
	  "node2_interface: must be a Linux interface name" },
	{ "node2_interface colon", "node2_interface", "eth0:0", NULL, NULL,
	  "node2_interface: must be a Linux interface name" },
	{ "node1_interface dotdot", "node1_interface", "..", NULL, NULL,
	  "node1_interface: must be a Linux interface name" },
	{ "node1_interface empty", "node1_interface", "", NULL, NULL,
	  "node1_interface: must be a Linux interface name" },
	{ "node1_hostname underscore", "node1_hostname", "pbx_1", NULL, NULL,
	  "node1_hostname: must be a valid host name" },
	{ "node2_hostname empty", "node2_hostname", "", NULL, NULL,
	  "node2_hostname: must be a valid host name" },
	{ "hostnames equal ignoring case", "node2_hostname", "PBX1", NULL, NULL,
	  "node2_hostname: must differ from node1_hostname" },
	{ "node1_hostname localhost", "node1_hostname", "localhost", NULL, NULL,
	  "node1_hostname: must not be a name every machine resolves to itself" },
	{ "node2_hostname under .localhost", "node2_hostname", "pbx2.localhost", NULL, NULL,
	  "node2_hostname: must not be a name every machine resolves to itself" },
	{ "this_node node2", "this_node", "node2", NULL, NULL, NULL },
	{ "this_node bad", "this_node", "node3", NULL, NULL,
	  "this_node: must be node1, node2 or auto" },
	{ "postgresql_version 18", "postgresql_version", "18", NULL, NULL, NULL },
	{ "postgresql_version 14", "postgresql_version", "14", NULL, NULL,
	  "postgresql_version: must be auto or a PostgreSQL major version" },
	{ "postgresql_version word", "postgresql_version", "latest", NULL, NULL,
	  "postgresql_version: must be auto or a PostgreSQL major version" },
	{ "replication_password empty", "replication_password", "", NULL, NULL,
	  "replication_password: must not be empty" },
	{ "kamailio_db_password required", "kamailio_db_password", NULL, NULL, NULL,
	  "kamailio_db_password: required" },
	{ "admin_db_password CR", "admin_db_password", "abc\rdef", NULL, NULL,
	  "admin_db_password: must not contain control characters" },
	{ "freeswitch_db_password tab", "freeswitch_db_password", "a\tb", NULL, NULL,
	  "freeswitch_db_password: must not contain control characters" },
	{ "freeswitch_esl_password escape", "freeswitch_esl_password", "a\x1b[31m", NULL, NULL,
	  "freeswitch_esl_password: must not contain control characters" },
	{ "password 1024 bytes ok", "admin_db_password", &LONG_PW_1025[1], NULL, NULL, NULL },
	{ "password 1025 bytes", "admin_db_password", LONG_PW_1025, NULL, NULL,
	  "admin_db_password: must be at most 1024 bytes" },
	{ "kamailio_db_password slash", "kamailio_db_password", "a/b", NULL, NULL,
	  "kamailio_db_password: must not contain '/' before its first '@'" },
	{ "kamailio_db_password slash before at", "kamailio_db_password", "a/b@c", NULL, NULL,
	  "kamailio_db_password: must not contain '/' before its first '@'" },
	{ "kamailio_db_password slash after at", "kamailio_db_password", "p@ss/w0rd", NULL, NULL,
	  NULL },
	{ "other passwords may hold slash", "admin_db_password", "a/b", NULL, NULL, NULL },
	{ "vrrp_router_id 0", "vrrp_router_id", "0", NULL, NULL,
	  "vrrp_router_id: must be an integer from 1 to 255" },
	{ "vrrp_router_id 256", "vrrp_router_id", "256", NULL, NULL,
	  "vrrp_router_id: must be an integer from 1 to 255" },
	{ "vrrp_router_id 255", "vrrp_router_id", "255", NULL, NULL, NULL },
	{ "vrrp_password 9 chars", "vrrp_password", "123456789", NULL, NULL,
	  "vrrp_password: must be 1 to 8 characters" },
	{ "vrrp_password empty", "vrrp_password", "", NULL, NULL, "vrrp_password: must be 1 to 8" },
	{ "vrrp_password space", "vrrp_password", "ab cd", NULL, NULL, NULL },
	{ "vrrp_password an operator's secret", "vrrp_password", "vR p#8x!", NULL, NULL, NULL },
	{ "vrrp_password keepalived specials", "vrrp_password", "'{}\\$", NULL, NULL, NULL },
	{ "vrrp_password trailing backslash", "vrrp_password", "'{}$\\", NULL, NULL,
	  "vrrp_password: must not end in a backslash" },
	{ "vrrp_password two trailing backslashes", "vrrp_password", "ab\\\\", NULL, NULL, NULL },
	{ "vrrp_password quote", "vrrp_password", "ab\"cd", NULL, NULL,
	  "vrrp_password: must be printable ASCII" },
	{ "vrrp_password tab", "vrrp_password", "ab\tcd", NULL, NULL,
	  "vrrp_password: must be printable ASCII" },
	{ "vrrp_password hash", "vrrp_password", "ab#cd", NULL, NULL, NULL },
	{ "vrrp_password non-ASCII", "vrrp_password", "m\xe1\xba\xadt", NULL, NULL,
	  "vrrp_password: must be printable ASCII" },
	{ "vrrp_password symbols ok", "vrrp_password", "v:r;&<>%", NULL, NULL, NULL },
	{ "node1_priority 255", "node1_priority", "255", NULL, NULL,
	  "node1_priority: must be an integer from 1 to 254" },
	{ "node2_priority 0", "node2_priority", "0", NULL, NULL,
	  "node2_priority: must be an integer from 1 to 254" },
	{ "priorities equal", "node1_priority", "100", NULL, NULL,
	  "node1_priority: must be greater than node2_priority" },
	{ "priorities reversed", "node1_priority", "90", "node2_priority", "200",
	  "node1_priority: must be greater than node2_priority" },
	{ "port 0", "freeswitch_sip_port", "0", NULL, NULL,
	  "freeswitch_sip_port: must be a port number from 1 to 65535" },
	{ "port 65536", "kamailio_sip_port", "65536", NULL, NULL,
	  "kamailio_sip_port: must be a port number from 1 to 65535" },
	{ "port leading zero", "admin_http_port", "08080", NULL, NULL,
	  "admin_http_port: must be a port number" },
	{ "ports collide", "admin_metrics_port", "8080", NULL, NULL,
	  "admin_metrics_port: must differ from admin_http_port" },
	{ "esl equals sip", "freeswitch_esl_port", "5080", NULL, NULL,
	  "freeswitch_esl_port: must differ from freeswitch_sip_port" },
	{ "port is PostgreSQL's", "admin_http_port", "5432", NULL, NULL,
	  "admin_http_port: must not be 5432" },
	{ "port is rsync's", "kamailio_sip_port", "873", NULL, NULL,
	  "kamailio_sip_port: must not be 873" },
	{ "port is sshd's", "freeswitch_esl_port", "22", NULL, NULL,
	  "freeswitch_esl_port: must not be 22" },
	{ "port inside RTP range", "admin_metrics_port", "20000", NULL, NULL,
	  "admin_metrics_port: must lie outside the RTP range" },
	{ "rtp min below 1024", "rtp_port_min", "1000", NULL, NULL,
	  "rtp_port_min: must be a port number from 1024 to 65535" },
	{ "rtp max 65536", "rtp_port_max", "65536", NULL, NULL,
	  "rtp_port_max: must be a port number from 1024 to 65535" },
	{ "rtp min equals max", "rtp_port_min", "32768", NULL, NULL,
	  "rtp_port_min: must be less than rtp_port_max" },
	{ "rtp min above max", "rtp_port_min", "40000", "rtp_port_max", "30000",
	  "rtp_port_min: must be less than rtp_port_max" },
	{ "rtp range holds 5432", "rtp_port_min", "5400", "rtp_port_max", "5500",
	  "the RTP range must not include PostgreSQL's port" },
	{ "admin_api_key short", "admin_api_key", "short", NULL, NULL,
	  "admin_api_key: must be 16 to 256 characters" },
	{ "freeswitch_api_key bad char", "freeswitch_api_key", "BBBBBBBBBBBBBBBB!", NULL, NULL,
	  "freeswitch_api_key: must be 16 to 256 characters" },
	{ "api keys equal", "freeswitch_api_key", "AAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL,
	  "freeswitch_api_key: must differ from admin_api_key" },
	{ "api key full alphabet", "admin_api_key", "Aa0+/=_-Aa0+/=_-", NULL, NULL, NULL },
	{ "recordings_dir relative", "recordings_dir", "var/rec", NULL, NULL,
	  "recordings_dir: must be an absolute path" },
	{ "recordings_dir dotdot", "recordings_dir", "/var/../etc", NULL, NULL,
	  "recordings_dir: must not contain '..'" },
	{ "recordings_dir space", "recordings_dir", "/var/my rec", NULL, NULL,
	  "recordings_dir: must be an absolute path of letters" },
	{ "recordings_dir quote", "recordings_dir", "/var/\"rec", NULL, NULL,
	  "recordings_dir: must be an absolute path of letters" },
	{ "recordings_dir dots in name ok", "recordings_dir", "/srv/rec..old/x", NULL, NULL, NULL },
	{ "metrics on the node with scrapers", "metrics_listen", "node", "metrics_allow",
	  "203.0.113.7,192.0.2.0/24", NULL },
	{ "metrics on the node, nobody allowed", "metrics_listen", "node", NULL, NULL,
	  "metrics_allow: must list the scrapers when metrics_listen is node" },
	{ "metrics_listen vip", "metrics_listen", "vip", NULL, NULL,
	  "metrics_listen: must be loopback or node" },
	{ "metrics_allow host bits", "metrics_allow", "203.0.113.5/24", NULL, NULL,
	  "metrics_allow: a network must not have host bits set" },
	{ "metrics_allow trailing comma", "metrics_allow", "203.0.113.5,", NULL, NULL,
	  "metrics_allow: must be IPv4 addresses or networks" },
	{ "metrics_allow prefix 0", "metrics_allow", "203.0.113.0/0", NULL, NULL,
	  "metrics_allow: must be IPv4 addresses or networks" },
	{ "metrics_allow loopback", "metrics_allow", "127.0.0.1", NULL, NULL,
	  "metrics_allow: must list unicast addresses" },
	{ "metrics_allow /32 ok", "metrics_allow", "203.0.113.5/32", NULL, NULL, NULL },
};

/* Builds the base config with the row's overrides applied. */
static void build(const struct row *r, struct cluster_config *cfg)
{
	struct kv_error err;

	assert_int_equal(cluster_config_parse(base, strlen(base), cfg, &err), 0);
	if (r->k1) {
		const struct cluster_key *k = cluster_key_find(r->k1);
		char **slot = (char **)((char *)cfg + k->offset);

		free(*slot);
		*slot = r->v1 ? strdup(r->v1) : NULL;
	}
	if (r->k2) {
		const struct cluster_key *k = cluster_key_find(r->k2);
		char **slot = (char **)((char *)cfg + k->offset);

		free(*slot);
		*slot = r->v2 ? strdup(r->v2) : NULL;
	}
}

static void test_row(void **state)
{
	const struct row *r = *state;
	struct errlist el = ERRLIST_INIT;
	struct cluster_config cfg;
	size_t i;
	int found = 0, ret;

	build(r, &cfg);
	ret = cluster_config_validate(&cfg, &el);
	for (i = 0; i < el.count; i++) {
		if (r->expect && strstr(el.msgs[i], r->expect))
			found = 1;
		/* No message may quote a secret value. */
		if (r->v1 && strlen(r->v1) > 3 && (cluster_key_find(r->k1)->flags & CK_SECRET) &&
		    strstr(el.msgs[i], r->v1))
			fail_msg("message '%s' quotes the value", el.msgs[i]);
		if (strstr(el.msgs[i], "ClueCon") || strstr(el.msgs[i], "vrrp1234"))
			fail_msg("message '%s' quotes a secret", el.msgs[i]);
	}
	if (!r->expect) {
		for (i = 0; i < el.count; i++)
			print_error("unexpected: %s\n", el.msgs[i]);
		assert_int_equal(ret, 0);
		assert_int_equal(el.count, 0);
	} else {
		assert_int_equal(ret, -EINVAL);
		if (!found) {
			for (i = 0; i < el.count; i++)
				print_error("got: %s\n", el.msgs[i]);
			fail_msg("no message contains '%s'", r->expect);
		}
	}
	errlist_free(&el);
	cluster_config_free(&cfg);
}

static const char *row_name(const void *row)
{
	return ((const struct row *)row)->name;
}

/* Every broken rule is reported, not just the first. */
static void test_collects_all(void **state)
{
	static const char text[] = "node1_address=1.2.3\nnode2_interface=a/b\nvrrp_router_id=0\n"
				   "admin_http_port=0\n";
	struct errlist el = ERRLIST_INIT;
	struct cluster_config cfg;
	struct kv_error err;

	(void)state;
	assert_int_equal(cluster_config_parse(text, strlen(text), &cfg, &err), 0);
	assert_int_equal(cluster_config_validate(&cfg, &el), -EINVAL);
	/* 4 broken + 13 required keys missing. */
	assert_int_equal(el.count, 17);
	errlist_free(&el);
	cluster_config_free(&cfg);
}

/* Defaults are applied and typed values filled. */
static void test_defaults(void **state)
{
	struct errlist el = ERRLIST_INIT;
	struct cluster_config cfg;
	struct kv_error err;

	(void)state;
	assert_int_equal(cluster_config_parse(base, strlen(base), &cfg, &err), 0);
	assert_int_equal(cluster_config_validate(&cfg, &el), 0);
	assert_int_equal(cfg.prefix, 24);
	assert_int_equal(cfg.vrid, 51);
	assert_int_equal(cfg.prio1, 150);
	assert_int_equal(cfg.prio2, 100);
	assert_int_equal(cfg.sip_port, 5080);
	assert_int_equal(cfg.esl_port, 8021);
	assert_int_equal(cfg.kam_port, 5060);
	assert_int_equal(cfg.http_port, 8080);
	assert_int_equal(cfg.metrics_port, 9100);
	assert_int_equal(cfg.rtp_min, 16384);
	assert_int_equal(cfg.rtp_max, 32768);
	assert_int_equal(cfg.this_node_id, NODE_AUTO);
	assert_int_equal(cfg.pg_version, 0);
	assert_int_equal(cfg.vip, 0xc633640a);
	assert_string_equal(cfg.recordings_dir, "/var/lib/freeswitch/recordings");
	cluster_config_free(&cfg);
}

/* cluster_config_format() writes text that parses back to the same config. */
static void test_format_round_trip(void **state)
{
	struct cluster_config a, b;
	struct strbuf sb = STRBUF_INIT;
	struct kv_error err;
	size_t i;

	(void)state;
	assert_int_equal(cluster_config_parse(base, strlen(base), &a, &err), 0);
	assert_int_equal(cluster_config_format(&a, &sb), 0);
	assert_int_equal(cluster_config_parse(sb.buf, sb.len, &b, &err), 0);
	for (i = 0; i < cluster_key_count; i++)
		assert_string_equal(cluster_config_get(&a, &cluster_keys[i]),
				    cluster_config_get(&b, &cluster_keys[i]));
	sb_release(&sb);
	cluster_config_free(&a);
	cluster_config_free(&b);
}

int main(void)
{
	static const struct CMUnitTest more[] = {
		cmocka_unit_test(test_collects_all),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_format_round_trip),
	};

	return run_table("validate", test_row, rows, sizeof(rows[0]),
			 sizeof(rows) / sizeof(rows[0]), row_name) +
	       cmocka_run_group_tests_name("validate-more", more, NULL, NULL);
}
