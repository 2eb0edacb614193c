/* The history of both nodes as one (voip-ha status): each node's own lines
 * (engine/history.h's format) parsed, merged in time order, and the entries
 * that are one event recorded on both nodes (a switchover: "started" and
 * "ok" on the node that hands over, "ok ... promoted" on the node that takes
 * over) given one group number, so they read as one event with two sides.
 * Pure: no I/O, no clock; the callers read the files (history.c, the peer's
 * through its PostgreSQL: history-peer.c). */
#ifndef VOIPHA_ENGINE_HISTORY_MERGE_H
#define VOIPHA_ENGINE_HISTORY_MERGE_H

#include <stdbool.h>
#include <stddef.h>

/* How much of a history file is read, from its end (each side). */
#define HISTORY_TAIL_BYTES 65536
/* Entries of one event recorded on both nodes lie within this of its first
 * entry (a switchover's command gives up after a few minutes). */
#define HISTORY_PAIR_WINDOW_MS (10LL * 60 * 1000)

struct history_item {
	long long time_ms; /* the recording node's own clock, ms since the epoch */
	char node[8];      /* node1, node2 */
	char event[32];
	char outcome[16];
	char detail[512]; /* control characters as spaces, bad UTF-8 as '?' */
	/* 0, or a number shared by the entries of one event that both nodes
	 * recorded (only set when the group has entries from both). */
	unsigned group;
	size_t seq; /* its place in its node's own list */
};

struct history_list {
	struct history_item *v;
	size_t n, cap;
	size_t malformed; /* lines that were skipped */
};

/* Appends the entries of buf[0..len) to out, each marked node. from_middle:
 * buf is a file's tail that may begin inside a line, so everything up to
 * the first newline is dropped. A line is skipped (counted in
 * out->malformed) when its time is not "SECONDS[.FRACTION]", its event or
 * outcome is empty, too long or not [a-z0-9_-], or it holds a NUL byte.
 * Only the newest max entries of buf are kept. 0, or -ENOMEM. */
int history_parse(const char *buf, size_t len, bool from_middle, const char *node, size_t max,
		  struct history_list *out);

/* out = the entries of a and b in time order; equal times: by node name,
 * then each node's own order, so both nodes print the same list. Group
 * numbers (1, 2, ... in order) are set; malformed counts are added up.
 * out must be empty (zeroed). 0, or -ENOMEM. */
int history_merge(const struct history_list *a, const struct history_list *b,
		  struct history_list *out);

/* The index of the first entry to show when showing the last n of l:
 * earlier if a group would otherwise be cut. */
size_t history_window(const struct history_list *l, size_t n);

void history_list_free(struct history_list *l);

#endif
