/* The failover history: /var/lib/voip-ha/history, one line per event,
 * appended and fsynced (an operator reads it after the fact; status shows
 * the last of each kind). Line format, tab-separated, no secrets:
 *   <unix time> <event> <outcome> <detail>
 * event: failover (promotion on MASTER), fence, rebuild, switchover,
 * transition (every VRRP state change); outcome: ok, failed, refused,
 * started. detail: free text without tabs or newlines. */
#ifndef VOIPHA_CLI_HISTORY_H
#define VOIPHA_CLI_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/history-merge.h"

#define VOIPHA_HISTORY "/var/lib/voip-ha/history"

int history_add(const char *event, const char *outcome, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct history_entry {
	long long time;
	char event[32];
	char outcome[16];
	char detail[512];
};

/* The newest entry of event (time 0 when none). Counts every entry of that
 * event with outcome "ok" into *ok_total when given. */
int history_last(const char *path, const char *event, struct history_entry *out,
		 unsigned long *ok_total);

/* The last HISTORY_TAIL_BYTES of the history file at path into *buf
 * (malloc'ed, NUL-terminated, free it), *from_middle when the file is
 * longer (the first line may be cut). A missing file is an empty history.
 * 0 or -errno. */
int history_read_tail(const char *path, char **buf, size_t *len, bool *from_middle);

#endif
