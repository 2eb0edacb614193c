/* The peer's failover history, for voip-ha status: read through the peer's
 * own PostgreSQL, over the authenticated connection the pair already has
 * (role replicator, SCRAM, database postgres, which pg_hba opens to the
 * peer's address only, for pg_rewind). No new port, no new secret.
 *
 * On each node, database postgres has voip_ha.history_tail() (created by
 * `voip-ha provision` on the primary, replicated to the standby like any
 * catalog): a SECURITY DEFINER function owned by postgres, executable by
 * replicator alone, that returns the size of that node's own
 * /var/lib/voip-ha/history and its last HISTORY_TAIL_BYTES. It takes no
 * argument: it reads that one file and nothing else. */
#ifndef VOIPHA_ENGINE_HISTORY_PEER_H
#define VOIPHA_ENGINE_HISTORY_PEER_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/history-merge.h"
#include "engine/history.h"
#include "engine/node-ctx.h"

#define HISTORY_PEER_SCHEMA "voip_ha"
#define HISTORY_PEER_STR_(x) #x
#define HISTORY_PEER_STR(x) HISTORY_PEER_STR_(x)

/* What provision runs in database postgres (as postgres), every time: the
 * function is replaced with the same text, its grants restated. */
#define HISTORY_PEER_SETUP_SQL                                                                 \
	"CREATE SCHEMA IF NOT EXISTS " HISTORY_PEER_SCHEMA ";"                                 \
	"REVOKE ALL ON SCHEMA " HISTORY_PEER_SCHEMA " FROM PUBLIC;"                            \
	"CREATE OR REPLACE FUNCTION " HISTORY_PEER_SCHEMA                                      \
	".history_tail(OUT file_size bigint, OUT tail bytea) "                                 \
	"LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$ " \
	"SELECT s.size, pg_catalog.pg_read_binary_file('" VOIPHA_HISTORY "', "                 \
	"GREATEST(s.size - " HISTORY_PEER_STR(HISTORY_TAIL_BYTES) ", 0), " HISTORY_PEER_STR(   \
		HISTORY_TAIL_BYTES) ", true) "                                                 \
				    "FROM pg_catalog.pg_stat_file('" VOIPHA_HISTORY            \
				    "', true) AS s $f$;"                                       \
				    "REVOKE ALL ON FUNCTION " HISTORY_PEER_SCHEMA              \
				    ".history_tail() FROM PUBLIC;"                             \
				    "GRANT USAGE ON SCHEMA " HISTORY_PEER_SCHEMA               \
				    " TO " VOIPHA_REPL_USER ";"                                \
				    "GRANT EXECUTE ON FUNCTION " HISTORY_PEER_SCHEMA           \
				    ".history_tail() TO " VOIPHA_REPL_USER

/* The peer's history tail into *buf (malloc'ed, NUL-terminated; free it)
 * and whether it begins inside a line. 0, or -errno with why (the server's
 * or libpq's message, one line): the peer does not answer, refuses, or has
 * no history function (a peer not yet upgraded). */
int history_fetch_peer(const struct node_ctx *ctx, int timeout_s, char **buf, size_t *len,
		       bool *from_middle, char *why, size_t whylen);

#endif
