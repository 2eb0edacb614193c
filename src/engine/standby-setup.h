/* What makes a data directory stream from the peer: the replication
 * passfile, primary_conninfo and the slot name in postgresql.auto.conf,
 * standby.signal, and the physical slot on the peer. */
#ifndef VOIPHA_ENGINE_STANDBY_SETUP_H
#define VOIPHA_ENGINE_STANDBY_SETUP_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/node-ctx.h"

/* Writes VOIPHA_PASSFILE: the replication password for every address the
 * replication source may have (both nodes and the VIP). */
int write_repl_passfile(const struct node_ctx *ctx, bool *ret_changed);

/* primary_conninfo for streaming from the peer: passfile=, never a password. */
int standby_conninfo(const struct node_ctx *ctx, char *buf, size_t len);
/* Makes the data directory start as a standby of the peer: rewrites
 * primary_conninfo / primary_slot_name in postgresql.auto.conf and creates
 * standby.signal (both postgres-owned). */
int make_standby_config(const struct node_ctx *ctx);

/* Creates physical slot `slot` on the peer through the replication
 * connection `repl` unless it exists (replicator has REPLICATION). */
int ensure_peer_slot(PGconn *repl, const char *slot, char *err, size_t errlen);

#endif
