/* voip-ha arbiter-check: does the witness named in cluster.conf answer, take
 * this node's credentials and know this pair? One observe call to the
 * witness's PostgreSQL, with a message that names what is wrong (address,
 * password or listed node addresses, pair name), never the password.
 *
 * --install (the postinst, after storing cluster.conf): an arbiter setting
 * that changed since it last answered is checked before it is used. When the
 * witness does not take it, the node keeps serving without an arbiter, never
 * half-configured: cluster.conf gets arbiter=none (the other arbiter_* keys
 * stay, for the operator to fix and switch on again) and the reason is
 * printed. A setting that answered once stays on while the witness is down
 * (an upgrade during a witness outage must not turn the arbiter off on one
 * node only): the failover engine handles a witness that is away. */
#include "cli/args.h"
#include "cli/cli.h"
#include "engine/arbiter.h"
#include "engine/node-ctx.h"
#include "lib/atomic-write.h"
#include "lib/cluster-config.h"
#include "lib/readfile.h"
#include "lib/sha256.h"
#include "lib/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define VERIFIED_FILE VOIPHA_STATE_DIR "/arbiter.verified"
#define TIMEOUT_MS 5000

static const char usage_text[] =
	"usage: voip-ha arbiter-check [--config FILE] [--install]\n"
	"Ask the witness named in cluster.conf (arbiter=postgresql) who holds the leadership:\n"
	"exit 0 when it answers, 1 with the reason. --install: what the postinst runs; a\n"
	"changed arbiter setting the witness does not take is switched off (arbiter=none).\n";

/* What identifies the setting (never stored as such: its digest). */
static int setting_digest(const struct node_ctx *ctx, char hex[SHA256_HEX_LEN + 1])
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	r = sb_addf(&sb, "%s\n%s\n%s\n%s\n%s\n", ctx->cfg.arbiter, ctx->cfg.arbiter_address,
		    ctx->cfg.arbiter_port, ctx->cfg.arbiter_cluster, ctx->cfg.arbiter_password);
	if (r == 0)
		r = sha256_hex(sb_str(&sb), sb.len, hex);
	explicit_bzero(sb.buf, sb.alloc);
	sb_release(&sb);
	return r;
}

static bool verified_before(const char *hex)
{
	struct strbuf sb = STRBUF_INIT;
	bool same;

	same = read_file(VERIFIED_FILE, 256, &sb) == 0 && sb.len >= SHA256_HEX_LEN &&
	       memcmp(sb.buf, hex, SHA256_HEX_LEN) == 0;
	sb_release(&sb);
	return same;
}

static int check(const struct node_ctx *ctx, char *why, size_t len)
{
	struct arbiter_answer ans;
	struct arbiter a;
	char err[256];
	int r;

	if (arbiter_init(&a, ctx) < 0) {
		snprintf(why, len, "no arbiter configured (arbiter=none)");
		return 0;
	}
	r = arbiter_observe(&a, TIMEOUT_MS, &ans, err, sizeof(err));
	arbiter_close(&a);
	switch (-r) {
	case 0:
		snprintf(why, len, "the witness %s:%s answers: leadership %s (term %lld)", a.host,
			 a.port, ans.holder[0] ? ans.holder : "free", ans.term);
		return 0;
	case EACCES:
		snprintf(why, len,
			 "the witness %s:%s refuses this node: arbiter_password differs from "
			 "voip-ha-witness/arbiter-password, or this node's address is not one the "
			 "witness lists (%.120s)",
			 a.host, a.port, err);
		break;
	case ENOENT:
		snprintf(why, len,
			 "the witness %s:%s arbitrates no pair named '%s': arbiter_cluster must be "
			 "one of voip-ha-witness/clusters",
			 a.host, a.port, a.cluster);
		break;
	default:
		snprintf(why, len,
			 "the witness %s:%s does not answer (%.120s): check arbiter_address and "
			 "arbiter_port, and that voip-ha-witness is installed there",
			 a.host, a.port, err);
		break;
	}
	return -1;
}

/* cluster.conf with arbiter=none, the rest as it is. */
static int switch_off(const char *path)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	const char *p, *nl;
	int r;

	r = read_file(path, 1024 * 1024, &in);
	for (p = sb_str(&in); r == 0 && *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (strncmp(p, "arbiter=", 8) == 0)
			r = sb_addf(&out, "arbiter=none\n");
		else
			r = sb_addf(&out, "%.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
	}
	if (r == 0)
		r = atomic_write(path, sb_str(&out), out.len, 0600, AW_KEEP_OWNER, (gid_t)-1, NULL);
	explicit_bzero(in.buf, in.alloc);
	explicit_bzero(out.buf, out.alloc);
	sb_release(&in);
	sb_release(&out);
	return r;
}

int cmd_arbiter_check(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG;
	char why[512], hex[SHA256_HEX_LEN + 1];
	struct cluster_config cfg;
	enum arbiter_kind kind;
	struct node_ctx ctx;
	bool install = false;
	int r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ "install", 'i', NULL, &install },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	/* Without an arbiter nothing else is needed (not even which node
	 * this is: a package installed before its addresses exist). */
	if (cli_load_config(config, &cfg) != 0)
		return EXIT_FAIL;
	kind = cfg.arbiter_kind;
	cluster_config_free(&cfg);
	if (kind != ARBITER_POSTGRESQL) {
		if (install)
			unlink(VERIFIED_FILE);
		else
			printf("arbiter: none (two-node rules)\n");
		return EXIT_OK;
	}
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	r = setting_digest(&ctx, hex);
	if (r == 0 && install && verified_before(hex)) {
		node_ctx_free(&ctx);
		return EXIT_OK;
	}
	if (check(&ctx, why, sizeof(why)) == 0) {
		if (install && r == 0) {
			char line[SHA256_HEX_LEN + 2];

			snprintf(line, sizeof(line), "%s\n", hex);
			r = mkdir_parents(VERIFIED_FILE, 0755);
			if (r == 0)
				r = atomic_write(VERIFIED_FILE, line, strlen(line), 0600,
						 AW_KEEP_OWNER, (gid_t)-1, NULL);
			if (r < 0)
				cli_error("cannot write %s: %s", VERIFIED_FILE, strerror(-r));
		}
		printf("arbiter: %s\n", why);
		node_ctx_free(&ctx);
		return EXIT_OK;
	}
	node_ctx_free(&ctx);
	cli_error("arbiter: %s", why);
	if (!install)
		return EXIT_FAIL;
	r = switch_off(config);
	if (r < 0) {
		cli_error("cannot write '%s': %s", config, strerror(-r));
		return EXIT_FAIL;
	}
	cli_error("arbiter=postgresql is not applied: '%s' now says arbiter=none and this node "
		  "runs with the two-node rules (a cut between the nodes can make two primaries); "
		  "fix the witness or the voip-ha-node/arbiter-* answers and run "
		  "'dpkg-reconfigure voip-ha-node': the setting is checked again",
		  config);
	return EXIT_OK;
}
