/* Shared code of the bring-up subcommands (provision, clone, pg-guard, check,
 * notify, node-info): libpq connections, running helper programs as the
 * postgres user. Who this node is: engine/node-ctx.h (no libpq: the lean
 * health check links it). */
#ifndef VOIPHA_CLI_BRINGUP_H
#define VOIPHA_CLI_BRINGUP_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/boot.h"
#include "engine/node-ctx.h"
#include "lib/cluster-config.h"

/* Drops root to the postgres user (peer authentication on the local socket
 * needs the OS user to be postgres). -errno on failure. */
int become_postgres(const struct node_ctx *ctx);

/* Local cluster over the Unix socket as postgres. NULL only on OOM; check
 * PQstatus. timeout_s is libpq's connect_timeout. */
PGconn *pg_connect_local(const char *dbname, int timeout_s);
/* Replication connection (replication=true) to the peer as replicator, the
 * password from VOIPHA_PASSFILE. */
PGconn *pg_connect_peer_repl(const struct node_ctx *ctx, int timeout_s);

/* Replication connection to host (the peer, or the VIP). */
PGconn *pg_connect_repl(const struct node_ctx *ctx, const char *host, int timeout_s);
/* Ordinary connection to the peer's dbname as replicator (pg_hba lets it
 * into database postgres: pg_rewind, the peer's history), each statement
 * bounded by timeout_s too. */
PGconn *pg_connect_peer_db(const struct node_ctx *ctx, const char *dbname, int timeout_s);

/* What one replication connection tells about a server. */
struct pg_probe {
	bool reachable; /* connected and authenticated */
	bool primary;   /* not in recovery */
	unsigned timeline;
	char sysid[32];
	char lsn[32];          /* its current WAL position (IDENTIFY_SYSTEM) */
	char cluster_name[64]; /* "voip-ha-node1": who answers through the VIP */
	char error[256];
};
/* 0 with *out filled; -EHOSTUNREACH when it does not answer, -EIO when
 * it answers wrongly (out->error says why). */
int pg_probe(const struct node_ctx *ctx, const char *host, int timeout_s, struct pg_probe *out);

/* Did node ("node1") answer the probe? (its cluster_name, set by our
 * generated postgresql.conf, is "voip-ha-<node>") */
bool probe_is_node(const struct pg_probe *p, const char *node);

/* One-line libpq error message without the trailing newline. */
const char *pg_errmsg(const PGconn *conn);

/* Runs a statement whose rows (if any) are ignored. 0, or -EIO with the
 * server's message copied into errbuf. */
int pg_exec(PGconn *conn, const char *sql, char *errbuf, size_t errlen);
/* First column of the first row into buf ("" for NULL). -ENOENT without rows. */
int pg_query_value(PGconn *conn, const char *sql, const char *param, char *buf, size_t buflen,
		   char *errbuf, size_t errlen);

/* Writes VOIPHA_PASSFILE: the replication password for every address the
 * replication source may have (both nodes and the VIP). */
int write_repl_passfile(const struct node_ctx *ctx, bool *ret_changed);

/* primary_conninfo for streaming from the peer: passfile=, never a password. */
int standby_conninfo(const struct node_ctx *ctx, char *buf, size_t len);
/* Makes the data directory start as a standby of the peer: rewrites
 * primary_conninfo / primary_slot_name in postgresql.auto.conf and creates
 * standby.signal (both postgres-owned). */
int make_standby_config(const struct node_ctx *ctx);

/* Runs argv (argv[0] an absolute path) as uid/gid (or unchanged when
 * uid == (uid_t)-1) with an empty environment plus envp, stdin from
 * /dev/null. Captures up to outlen-1 bytes of stdout into out (NUL-terminated)
 * when out is given; stderr is passed through. Returns the exit status (0..255),
 * 128+signal, or -errno when it could not run. Why fork+exec and not
 * posix_spawn: the child must switch user before exec, which posix_spawn
 * cannot do. Still an argv array: no shell ever parses our arguments. */
int run_as(const char *const argv[], uid_t uid, gid_t gid, const char *const envp[], char *out,
	   size_t outlen);

/* Creates physical slot `slot` on the peer through the replication
 * connection `repl` unless it exists (replicator has REPLICATION). */
int ensure_peer_slot(PGconn *repl, const char *slot, char *err, size_t errlen);

/* 1 when the peer answers (3 s connect timeout) and its PostgreSQL is not
 * in recovery, i.e. a live primary; 0 when not, or unreachable. */
int peer_is_live_primary(const struct node_ctx *ctx);

/* Is addr (dotted quad) one of this machine's addresses? The VIP test. */
bool address_is_local(const char *addr);

/* pg_controldata's "Latest checkpoint's TimeLineID" and "Database system
 * identifier" of the local data directory. -errno / -EIO. */
int local_control_data(const struct node_ctx *ctx, unsigned *ret_tli, char *sysid, size_t sysidlen);

#endif
