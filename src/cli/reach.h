/* Is an address reachable? ICMP echo over a raw socket (root), the
 * cheapest question a host and its network answer: the witness (normally
 * the gateway) has no service of ours to ask. */
#ifndef VOIPHA_CLI_REACH_H
#define VOIPHA_CLI_REACH_H

#include <stdbool.h>

/* Sends up to `tries` echo requests to each address, `interval_ms` apart,
 * and waits at most interval_ms after the last. ok[i] is true when addrs[i]
 * answered. Returns 0, or -errno when no probe could be sent (no raw
 * socket: not root). n <= 4. */
int reach_probe(const char *const addrs[], bool ok[], int n, int tries, int interval_ms);

#endif
