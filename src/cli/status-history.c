/* voip-ha status's history section: see status-history.h. */
#include "cli/status-history.h"
#include "engine/history-peer.h"
#include "engine/history.h"
#include "engine/node-ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Entries kept from each node before merging: far more than anyone shows. */
#define HISTORY_KEEP 2000

static void parse_side(const char *buf, size_t len, bool from_middle, const char *node,
		       struct history_list *l, char *err, size_t errlen)
{
	if (history_parse(buf, len, from_middle, node, HISTORY_KEEP, l) < 0)
		snprintf(err, errlen, "out of memory");
}

void status_history_gather(const struct node_ctx *ctx, bool peer_answers, size_t show,
			   struct status_history *h)
{
	struct history_list mine = { 0 }, theirs = { 0 };
	char *buf = NULL;
	size_t len = 0;
	bool mid = false;
	int r;

	memset(h, 0, sizeof(*h));
	snprintf(h->local, sizeof(h->local), "%s", ctx->local_name);
	snprintf(h->peer, sizeof(h->peer), "%s", ctx->peer_name);
	r = history_read_tail(VOIPHA_HISTORY, &buf, &len, &mid);
	if (r < 0)
		snprintf(h->local_error, sizeof(h->local_error), "%s: %s", VOIPHA_HISTORY,
			 strerror(-r));
	else
		parse_side(buf, len, mid, ctx->local_name, &mine, h->local_error,
			   sizeof(h->local_error));
	free(buf);
	buf = NULL;
	if (!peer_answers) {
		snprintf(h->peer_error, sizeof(h->peer_error), "its PostgreSQL does not answer");
	} else if (history_fetch_peer(ctx, 2, &buf, &len, &mid, h->peer_error,
				      sizeof(h->peer_error)) == 0) {
		h->peer_included = true;
		parse_side(buf, len, mid, ctx->peer_name, &theirs, h->peer_error,
			   sizeof(h->peer_error));
		h->peer_included = !h->peer_error[0];
	}
	free(buf);
	if (history_merge(&mine, &theirs, &h->merged) < 0) {
		snprintf(h->local_error, sizeof(h->local_error), "out of memory");
		h->peer_included = false;
	}
	h->first = history_window(&h->merged, show);
	history_list_free(&mine);
	history_list_free(&theirs);
}

void status_history_free(struct status_history *h)
{
	history_list_free(&h->merged);
}

/* "2026-12-06T07:00:01.120Z", or its time of day only. */
static void when(long long ms, bool date, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), date ? "%Y-%m-%dT%H:%M:%S" : "%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03lld%s", s, ms % 1000, date ? "Z" : "");
}

static void text_entry(const struct history_item *it, bool in_group)
{
	char t[40];

	when(it->time_ms, !in_group, t, sizeof(t));
	if (in_group)
		printf("        %s %-5s %s%s%s\n", t, it->node, it->outcome,
		       it->detail[0] ? ": " : "", it->detail);
	else
		printf("    %s %-5s %s %s%s%s\n", t, it->node, it->event, it->outcome,
		       it->detail[0] ? ": " : "", it->detail);
}

void status_history_text(const struct status_history *h)
{
	const struct history_list *l = &h->merged;
	unsigned printed = 0; /* groups are numbered in order: the last one printed */
	size_t i, j;
	char t[40];

	if (h->peer_included)
		printf("  history of %s and %s, merged, oldest first (UTC, each node's own clock):\n",
		       h->local, h->peer);
	else
		printf("  history of %s only, oldest first (UTC): %s's part of the history is missing (%s)\n",
		       h->local, h->peer, h->peer_error);
	if (h->local_error[0])
		printf("    (this node's own history could not be read: %s)\n", h->local_error);
	if (l->n == 0)
		printf("    nothing recorded yet\n");
	else if (h->first > 0)
		printf("    (%zu older entries not shown)\n", h->first);
	for (i = h->first; i < l->n; i++) {
		const struct history_item *it = &l->v[i];

		if (!it->group) {
			text_entry(it, false);
			continue;
		}
		if (it->group <= printed)
			continue; /* printed with its event */
		printed = it->group;
		when(it->time_ms, true, t, sizeof(t));
		printf("    %s %s, one event recorded by both nodes:\n", t, it->event);
		for (j = i; j < l->n; j++)
			if (l->v[j].group == it->group)
				text_entry(&l->v[j], true);
	}
	if (l->malformed)
		printf("    (%zu malformed lines skipped)\n", l->malformed);
}

void status_history_json(const struct status_history *h)
{
	const struct history_list *l = &h->merged;
	char t[40];
	size_t i;

	printf("\"history\":{\"peer_included\":%s,\"peer_error\":",
	       h->peer_included ? "true" : "false");
	json_str(h->peer_included ? "" : h->peer_error);
	printf(",\"local_error\":");
	json_str(h->local_error);
	printf(",\"malformed\":%zu,\"omitted\":%zu,\"entries\":[", l->malformed, h->first);
	for (i = h->first; i < l->n; i++) {
		const struct history_item *it = &l->v[i];

		when(it->time_ms, true, t, sizeof(t));
		printf("%s{\"time\":", i > h->first ? "," : "");
		json_str(t);
		printf(",\"time_ms\":%lld,\"node\":", it->time_ms);
		json_str(it->node);
		printf(",\"event\":");
		json_str(it->event);
		printf(",\"outcome\":");
		json_str(it->outcome);
		printf(",\"detail\":");
		json_str(it->detail);
		printf(",\"group\":%u}", it->group);
	}
	printf("]},");
}
