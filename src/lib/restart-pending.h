/* Pending restarts: a unit whose restart an install or upgrade left to the
 * operator has one file in /var/lib/voip-ha/restart-pending/ named after it
 * (postinst hook 50 writes freeswitch.service's: a running FreeSWITCH is
 * never restarted), whose first line says why; the unit's own start
 * removes it. `voip-ha status` lists them ("restart pending:" lines and
 * "restart_pending" in --json; voip-ha(8)). A pending restart is not a
 * warning: the pair is healthy, the operator picks the moment. */
#ifndef VOIPHA_RESTART_PENDING_H
#define VOIPHA_RESTART_PENDING_H

#include <stdbool.h>

#define RESTART_PENDING_MAX 8
#define RESTART_PENDING_UNIT_LEN 64 /* with the NUL */
#define RESTART_PENDING_WHY_LEN 200 /* with the NUL: a longer line is cut */

struct restart_pending {
	char unit[RESTART_PENDING_MAX][RESTART_PENDING_UNIT_LEN];
	char why[RESTART_PENDING_MAX][RESTART_PENDING_WHY_LEN];
	int n;
};

/* A file name that may be a unit's: 1..63 characters of [A-Za-z0-9@._-],
 * not starting with '.', not ending in ".new" (the hook's temporary before
 * its rename). */
bool restart_pending_name_ok(const char *name);

/* The pending restarts in DIR, sorted by unit name, at most
 * RESTART_PENDING_MAX (the first ones by name). Only regular files with a
 * unit's name count; the reason is the first line, control characters
 * shown as '?', empty when the file is. No DIR: none. Returns 0, or -errno
 * when DIR exists and cannot be read (p then lists none). */
int restart_pending_read(const char *dir, struct restart_pending *p);

#endif
