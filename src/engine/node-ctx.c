/* The local node's context: see node-ctx.h. */
#include "engine/node-ctx.h"
#include "cli/cli.h"
#include "lib/detect.h"
#include "lib/errlist.h"
#include "lib/owner.h"
#include "lib/validators.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int node_ctx_resolve(const char *config_path, struct node_ctx *ctx);

int node_ctx_load_quiet(const char *config_path, struct node_ctx *ctx)
{
	struct kv_error kerr;
	struct errlist el = ERRLIST_INIT;
	int r;

	memset(ctx, 0, sizeof(*ctx));
	if (cluster_config_load(config_path, &ctx->cfg, &kerr) < 0)
		return -EINVAL;
	r = cluster_config_validate(&ctx->cfg, &el);
	errlist_free(&el);
	if (r < 0) {
		cluster_config_free(&ctx->cfg);
		return r;
	}
	return node_ctx_resolve(config_path, ctx) == 0 ? 0 : -EINVAL;
}

int node_ctx_load(const char *config_path, struct node_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	if (cli_load_config(config_path, &ctx->cfg) != 0)
		return EXIT_FAIL;
	return node_ctx_resolve(config_path, ctx);
}

/* Everything derived from a loaded, valid ctx->cfg; frees it on failure. */
static int node_ctx_resolve(const char *config_path, struct node_ctx *ctx)
{
	bool fallback = false;
	int r;

	r = detect_local_node(&ctx->cfg, &ctx->local);
	if (r == -ENXIO) {
		cli_error(
			"this machine has neither node1's nor node2's address; set this_node in '%s'",
			config_path);
		goto fail;
	}
	if (r == -EEXIST) {
		cli_error("this machine has both node addresses; set this_node in '%s'",
			  config_path);
		goto fail;
	}
	if (r < 0) {
		cli_error("cannot tell which node this is: %s", strerror(-r));
		goto fail;
	}
	ctx->peer = ctx->local == NODE_1 ? NODE_2 : NODE_1;
	ctx->local_name = ctx->local == NODE_1 ? "node1" : "node2";
	ctx->peer_name = ctx->local == NODE_1 ? "node2" : "node1";
	ipv4_format(ctx->local == NODE_1 ? ctx->cfg.node1_ip : ctx->cfg.node2_ip, ctx->local_addr);
	ipv4_format(ctx->local == NODE_1 ? ctx->cfg.node2_ip : ctx->cfg.node1_ip, ctx->peer_addr);
	ipv4_format(ctx->cfg.vip, ctx->vip);
	if (ctx->cfg.witness_ip)
		ipv4_format(ctx->cfg.witness_ip, ctx->witness);

	r = detect_pg_major(&ctx->cfg, NULL, &ctx->pg_major, &fallback);
	if (r < 0) {
		cli_error("cannot detect the PostgreSQL major: %s", strerror(-r));
		goto fail;
	}
	if (fallback) {
		cli_error("no PostgreSQL server (major >= %d) is installed", PG_MAJOR_MIN);
		goto fail;
	}
	snprintf(ctx->instance, sizeof(ctx->instance), "%u-main", ctx->pg_major);
	snprintf(ctx->datadir, sizeof(ctx->datadir), "/var/lib/postgresql/%u/main", ctx->pg_major);
	snprintf(ctx->bindir, sizeof(ctx->bindir), "/usr/lib/postgresql/%u/bin", ctx->pg_major);
	/* Slots are named after the standby that streams from them. */
	snprintf(ctx->slot_for_peer, sizeof(ctx->slot_for_peer), "voip_ha_%s", ctx->peer_name);
	snprintf(ctx->local_slot, sizeof(ctx->local_slot), "voip_ha_%s", ctx->local_name);

	r = lookup_user(NULL, "postgres", &ctx->pg_uid);
	if (r == 0)
		r = lookup_group(NULL, "postgres", &ctx->pg_gid);
	if (r < 0) {
		cli_error("cannot find the postgres user: %s", strerror(-r));
		goto fail;
	}
	return 0;
fail:
	cluster_config_free(&ctx->cfg);
	return EXIT_FAIL;
}

void node_ctx_free(struct node_ctx *ctx)
{
	cluster_config_free(&ctx->cfg);
}
