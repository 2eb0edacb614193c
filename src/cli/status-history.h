/* voip-ha status's history section: both nodes' failover histories merged
 * in time order (engine/history-merge.h), the peer's read through its
 * PostgreSQL (engine/history-peer.h), printed as text or as the "history"
 * JSON object (voip-ha(8)). */
#ifndef VOIPHA_CLI_STATUS_HISTORY_H
#define VOIPHA_CLI_STATUS_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/history-merge.h"

struct node_ctx;

#define STATUS_HISTORY_DEFAULT 20

struct status_history {
	struct history_list merged;
	size_t first;          /* the first entry shown */
	bool peer_included;    /* the peer's entries are in */
	char peer_error[256];  /* why not, one line */
	char local_error[256]; /* this node's file could not be read */
	char local[8], peer[8];
};

/* Reads this node's history and, when peer_answers (its PostgreSQL
 * answered the probe), the peer's; keeps the last show entries (more when
 * an event would be cut). Never fails: what is missing is said in h. */
void status_history_gather(const struct node_ctx *ctx, bool peer_answers, size_t show,
			   struct status_history *h);
void status_history_text(const struct status_history *h);
void status_history_json(const struct status_history *h);
void status_history_free(struct status_history *h);

/* A JSON string of s (cmd-status.c). */
void json_str(const char *s);

#endif
