/* voip-ha-witness's pure parts: witness.conf validation (every rule, one
 * row each: OK or the first message expected), the pg_hba.conf merge (the
 * block before the first rule, an old block replaced wherever it was,
 * unbalanced markers refused) and listen_addresses coverage. */
#include "unit.h"

#include <errno.h>

#include "witness/pgtext.h"
#include "witness/wconfig.h"

#define BASE                                                                            \
	"witness_address=198.51.100.2\nclusters=voip-ha\nnode1_address=198.51.100.11\n" \
	"node2_address=198.51.100.12\narbiter_password=p w\n"

struct conf_row {
	const char *name;
	const char *text;
	const char *error; /* NULL: valid; else a substring of the first message */
	size_t npairs;
};

static const struct conf_row conf_rows[] = {
	{ "the base is valid", BASE, NULL, 1 },
	{ "three pairs, one of its own",
	  "witness_address=198.51.100.2\nclusters=a  b_2 c-3@198.51.100.21,198.51.100.22\n"
	  "node1_address=198.51.100.11\nnode2_address=198.51.100.12\narbiter_password=x\n",
	  NULL, 3 },
	{ "only pairs of their own, no node keys",
	  "witness_address=198.51.100.2\nclusters=p@198.51.100.21,198.51.100.22\n"
	  "arbiter_password=x\n",
	  NULL, 1 },
	{ "postgresql_cluster auto", BASE "postgresql_cluster=auto\n", NULL, 1 },
	{ "postgresql_cluster 18/main", BASE "postgresql_cluster=18/main\n", NULL, 1 },
	{ "witness address missing",
	  "clusters=voip-ha\nnode1_address=198.51.100.11\nnode2_address=198.51.100.12\n"
	  "arbiter_password=x\n",
	  "witness_address: required", 0 },
	{ "witness address with a leading zero",
	  "witness_address=198.51.100.02\nclusters=p@198.51.100.21,198.51.100.22\narbiter_password=x\n",
	  "witness_address: must be a unicast IPv4", 0 },
	{ "witness address on loopback",
	  "witness_address=127.0.0.2\nclusters=p@198.51.100.21,198.51.100.22\narbiter_password=x\n",
	  "witness_address: must be a unicast IPv4", 0 },
	{ "witness address multicast",
	  "witness_address=224.0.0.1\nclusters=p@198.51.100.21,198.51.100.22\narbiter_password=x\n",
	  "witness_address: must be a unicast IPv4", 0 },
	{ "node1 is the witness",
	  "witness_address=198.51.100.11\nclusters=voip-ha\nnode1_address=198.51.100.11\n"
	  "node2_address=198.51.100.12\narbiter_password=x\n",
	  "node1_address: must differ from witness_address", 0 },
	{ "node2 equals node1",
	  "witness_address=198.51.100.2\nclusters=voip-ha\nnode1_address=198.51.100.11\n"
	  "node2_address=198.51.100.11\narbiter_password=x\n",
	  "node2_address: must differ from node1_address", 0 },
	{ "node2 without node1",
	  "witness_address=198.51.100.2\nclusters=p@198.51.100.21,198.51.100.22\n"
	  "node2_address=198.51.100.12\narbiter_password=x\n",
	  "node1_address: required together with node2_address", 0 },
	{ "bare name without node addresses",
	  "witness_address=198.51.100.2\nclusters=voip-ha\narbiter_password=x\n",
	  "'voip-ha' needs node1_address and node2_address", 0 },
	{ "upper-case name",
	  "witness_address=198.51.100.2\nclusters=Voip\nnode1_address=198.51.100.11\n"
	  "node2_address=198.51.100.12\narbiter_password=x\n",
	  "clusters: each name must be", 0 },
	{ "a key twice is refused by the parser", BASE "clusters=other\n", "duplicate", 0 },
	{ "clusters empty",
	  "witness_address=198.51.100.2\nclusters=\nnode1_address=198.51.100.11\n"
	  "node2_address=198.51.100.12\narbiter_password=x\n",
	  "clusters: required", 0 },
	{ "clusters only spaces",
	  "witness_address=198.51.100.2\nclusters=   \nnode1_address=198.51.100.11\n"
	  "node2_address=198.51.100.12\narbiter_password=x\n",
	  "clusters: required", 0 },
	{ "name starting with a hyphen",
	  "witness_address=198.51.100.2\nclusters=-x\nnode1_address=198.51.100.11\n"
	  "node2_address=198.51.100.12\narbiter_password=x\n",
	  "clusters: each name must be", 0 },
	{ "name of 64 characters",
	  "witness_address=198.51.100.2\nclusters="
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
	  "node1_address=198.51.100.11\nnode2_address=198.51.100.12\narbiter_password=x\n",
	  "clusters: each name must be", 0 },
	{ "name listed twice",
	  "witness_address=198.51.100.2\nclusters=a a\nnode1_address=198.51.100.11\n"
	  "node2_address=198.51.100.12\narbiter_password=x\n",
	  "'a' is listed twice", 0 },
	{ "pair with one address",
	  "witness_address=198.51.100.2\nclusters=p@198.51.100.21\narbiter_password=x\n",
	  "must be followed by NODE1,NODE2", 0 },
	{ "pair with a bad address",
	  "witness_address=198.51.100.2\nclusters=p@198.51.100.21,10.0.0.256\narbiter_password=x\n",
	  "the node addresses of 'p'", 0 },
	{ "pair with the same node twice",
	  "witness_address=198.51.100.2\nclusters=p@198.51.100.21,198.51.100.21\n"
	  "arbiter_password=x\n",
	  "the two nodes of 'p' must have different addresses", 0 },
	{ "pair with the witness as a node",
	  "witness_address=198.51.100.2\nclusters=p@198.51.100.2,198.51.100.21\n"
	  "arbiter_password=x\n",
	  "a node of 'p' has the witness_address", 0 },
	{ "password missing",
	  "witness_address=198.51.100.2\nclusters=p@198.51.100.21,198.51.100.22\n",
	  "arbiter_password: required", 0 },
	{ "password empty",
	  "witness_address=198.51.100.2\nclusters=p@198.51.100.21,198.51.100.22\n"
	  "arbiter_password=\n",
	  "arbiter_password: must not be empty", 0 },
	{ "password with a tab",
	  "witness_address=198.51.100.2\nclusters=p@198.51.100.21,198.51.100.22\n"
	  "arbiter_password=a\tb\n",
	  "arbiter_password: must not contain control characters", 0 },
	{ "password with quotes, backslash, spaces and UTF-8 is fine",
	  "witness_address=198.51.100.2\nclusters=p@198.51.100.21,198.51.100.22\n"
	  "arbiter_password=q'\"\\ :x \xc3\xa4\xe2\x82\xac\n",
	  NULL, 1 },
	{ "postgresql_cluster version 14", BASE "postgresql_cluster=14/main\n",
	  "postgresql_cluster: must be 'auto' or VERSION/NAME", 0 },
	{ "postgresql_cluster without a name", BASE "postgresql_cluster=15/\n",
	  "postgresql_cluster: must be", 0 },
	{ "postgresql_cluster with a space", BASE "postgresql_cluster=15/a b\n",
	  "postgresql_cluster: must be", 0 },
	{ "postgresql_cluster name starting with a dot", BASE "postgresql_cluster=15/..\n",
	  "postgresql_cluster: must be", 0 },
	{ "unknown key", BASE "witness=1\n", "parse", 0 },
};

static const char *conf_name(const void *r)
{
	return ((const struct conf_row *)r)->name;
}

static void test_conf(void **state)
{
	const struct conf_row *r = *state;
	struct witness_config cfg;
	struct errlist el = ERRLIST_INIT;
	struct kv_error kerr;
	int p;

	p = wconfig_parse(r->text, strlen(r->text), &cfg, &kerr);
	if (r->error && (strcmp(r->error, "parse") == 0 || strcmp(r->error, "duplicate") == 0)) {
		assert_int_not_equal(p, 0);
		wconfig_free(&cfg);
		return;
	}
	assert_int_equal(p, 0);
	if (!r->error) {
		assert_int_equal(wconfig_validate(&cfg, &el), 0);
		assert_int_equal(el.count, 0);
		assert_int_equal(cfg.npairs, r->npairs);
	} else {
		assert_int_not_equal(wconfig_validate(&cfg, &el), 0);
		assert_true(el.count > 0);
		if (!strstr(el.msgs[0], r->error))
			fail_msg("first message '%s' lacks '%s'", el.msgs[0], r->error);
		/* Messages never carry the password. */
		for (size_t i = 0; i < el.count; i++)
			assert_null(strstr(el.msgs[i], "a\tb"));
	}
	errlist_free(&el);
	wconfig_free(&cfg);
}

struct merge_row {
	const char *name;
	const char *in;
	const char *out; /* NULL: refused */
};

#define BLK HBA_BEGIN "\nX\n" HBA_END "\n"

static const struct merge_row merge_rows[] = {
	{ "empty file: the block alone", "", BLK },
	{ "comments only: the block at the end", "# a\n\n", "# a\n\n" BLK },
	{ "before the first rule, comments kept above", "# c\nlocal all postgres peer\nhost x\n",
	  "# c\n" BLK "local all postgres peer\nhost x\n" },
	{ "indented comment is no rule", "  # c\n\tlocal all all peer\n",
	  "  # c\n" BLK "\tlocal all all peer\n" },
	{ "an old block is replaced where the new one goes",
	  "# c\nlocal a\n" HBA_BEGIN " old\nold line\n" HBA_END "\nhost b\n",
	  "# c\n" BLK "local a\nhost b\n" },
	{ "the merge of a merged file is the same file", "# c\n" BLK "local all postgres peer\n",
	  "# c\n" BLK "local all postgres peer\n" },
	{ "no final newline", "local a", BLK "local a\n" },
	{ "BEGIN without END refused", "local a\n" HBA_BEGIN "\nx\n", NULL },
	{ "END without BEGIN refused", "local a\n" HBA_END "\n", NULL },
	{ "two BEGINs refused", HBA_BEGIN "\n" HBA_BEGIN "\n" HBA_END "\n", NULL },
};

static const char *merge_name(const void *r)
{
	return ((const struct merge_row *)r)->name;
}

static void test_merge(void **state)
{
	const struct merge_row *r = *state;
	struct strbuf out = STRBUF_INIT;
	int ret = hba_merge(r->in, strlen(r->in), BLK, &out);

	if (!r->out) {
		assert_int_equal(ret, -EINVAL);
	} else {
		assert_int_equal(ret, 0);
		assert_string_equal(sb_str(&out), r->out);
	}
	sb_release(&out);
}

static void test_block(void **state)
{
	static const char text[] =
		"witness_address=198.51.100.2\nclusters=a b@198.51.100.11,198.51.100.13\n"
		"node1_address=198.51.100.11\nnode2_address=198.51.100.12\narbiter_password=x\n";
	struct witness_config cfg;
	struct errlist el = ERRLIST_INIT;
	struct strbuf out = STRBUF_INIT;
	struct kv_error kerr;

	(void)state;
	assert_int_equal(wconfig_parse(text, strlen(text), &cfg, &kerr), 0);
	assert_int_equal(wconfig_validate(&cfg, &el), 0);
	assert_int_equal(hba_block(&cfg, &out), 0);
	/* One line per distinct node address, then the two rejects. */
	assert_non_null(strstr(sb_str(&out), "\nhostssl voip_ha_witness voip_ha_arbiter "
					     "198.51.100.11/32 scram-sha-256\n"
					     "hostssl voip_ha_witness voip_ha_arbiter "
					     "198.51.100.12/32 scram-sha-256\n"
					     "hostssl voip_ha_witness voip_ha_arbiter "
					     "198.51.100.13/32 scram-sha-256\n"
					     "host voip_ha_witness all all reject\n"
					     "host all voip_ha_arbiter all reject\n" HBA_END "\n"));
	assert_true(strncmp(sb_str(&out), HBA_BEGIN, strlen(HBA_BEGIN)) == 0);
	sb_release(&out);
	wconfig_free(&cfg);
}

static void test_listen(void **state)
{
	(void)state;
	assert_true(listen_covers("*", "198.51.100.2"));
	assert_true(listen_covers("localhost, 0.0.0.0", "198.51.100.2"));
	assert_true(listen_covers("localhost,198.51.100.2", "198.51.100.2"));
	assert_true(listen_covers(" 198.51.100.2 ", "198.51.100.2"));
	assert_false(listen_covers("localhost", "198.51.100.2"));
	assert_false(listen_covers("", "198.51.100.2"));
	assert_false(listen_covers("198.51.100.20", "198.51.100.2"));
	assert_false(listen_covers("198.51.100.2x", "198.51.100.2"));
	assert_false(listen_covers("**", "198.51.100.2"));
}

int main(void)
{
	const struct CMUnitTest others[] = {
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_listen),
	};
	int r = 0;

	r += run_table("witness.conf", test_conf, (void *)conf_rows, sizeof(conf_rows[0]),
		       sizeof(conf_rows) / sizeof(conf_rows[0]), conf_name);
	r += run_table("pg_hba merge", test_merge, (void *)merge_rows, sizeof(merge_rows[0]),
		       sizeof(merge_rows) / sizeof(merge_rows[0]), merge_name);
	r += cmocka_run_group_tests_name("witness block and listen", others, NULL, NULL);
	return r;
}
