/* Who this node is (cluster.conf resolved against this machine) and where
 * its things live. No libpq here: the lean health check (voip-ha-check)
 * links this; the libpq side is engine/pg-session.h, pg-probe.h, standby-setup.h. */
#ifndef VOIPHA_CLI_NODE_CTX_H
#define VOIPHA_CLI_NODE_CTX_H

#include <sys/types.h>

#include "lib/cluster-config.h"

#define VOIPHA_PG_PORT "5432"
#define VOIPHA_PG_SOCKDIR "/var/run/postgresql"
#define VOIPHA_DB "voip"
#define VOIPHA_STATE_DIR "/var/lib/voip-ha"
#define VOIPHA_RUN_DIR "/run/voip-ha"
/* Marker: this node still has to be cloned from its peer. While it exists,
 * pg-guard refuses to start the local cluster (it would be a second primary). */
#define VOIPHA_CLONE_PENDING VOIPHA_STATE_DIR "/clone-pending"
/* The replication password for libpq: postgres-owned 0600 (libpq ignores a
 * group/world-readable passfile). Lives in the postgres home, not /tmp. */
#define VOIPHA_PASSFILE "/var/lib/postgresql/.voip-ha.pgpass"
#define VOIPHA_REPL_USER "replicator"

/* Everything the bring-up commands need to know about the local node. */
struct node_ctx {
	struct cluster_config cfg;
	enum cluster_node local, peer;
	const char *local_name, *peer_name; /* "node1" / "node2" */
	char local_addr[16], peer_addr[16], vip[16];
	char witness[16]; /* "" when none is configured */
	unsigned pg_major;
	char instance[32];      /* e.g. "15-main" */
	char datadir[256];      /* /var/lib/postgresql/15/main */
	char bindir[256];       /* /usr/lib/postgresql/15/bin */
	char slot_for_peer[32]; /* slot the peer streams from */
	char local_slot[32];    /* slot we stream from (on the peer) */
	uid_t pg_uid;
	gid_t pg_gid;
};

/* Loads and validates the config and resolves the local node. Reports
 * errors itself (cli_error); returns 0 or EXIT_FAIL. Free with node_ctx_free. */
int node_ctx_load(const char *config_path, struct node_ctx *ctx);
void node_ctx_free(struct node_ctx *ctx);
/* The same without a word on stderr when the config is missing or
 * invalid (-EINVAL): for callers that work without one (check). Node
 * detection errors are still reported. */
int node_ctx_load_quiet(const char *config_path, struct node_ctx *ctx);

#endif
