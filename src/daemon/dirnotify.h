/* Directory cache invalidation across nodes.
 *
 * Both nodes' daemons cache directory answers, but an operator's API call
 * lands on one of them (the VIP holder). Every API write therefore also
 * does NOTIFY voip_directory in its transaction, and a thread in each
 * daemon LISTENs on its own connection and flushes the local cache when a
 * notification arrives, so a changed password or a deleted extension stops
 * working everywhere at commit, not after the cache TTL. When the listening
 * connection is lost (failover) notifications may be missed: the thread
 * reconnects with backoff and flushes the cache once it listens again;
 * until then cached answers keep being served (within their TTL). */
#ifndef VOIPADMIN_DIRNOTIFY_H
#define VOIPADMIN_DIRNOTIFY_H

#include "daemon/app.h"

#define DIRNOTIFY_CHANNEL "voip_directory"

struct dirnotify;

struct dirnotify *dirnotify_start(struct app *app);
void dirnotify_stop(struct dirnotify *dn);

#endif
