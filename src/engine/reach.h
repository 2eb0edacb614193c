/* Is an address reachable? ICMP echo over a raw socket (root), the
 * cheapest question a host and its network answer: the witness (normally
 * the gateway) has no service of ours to ask. Also the cut-off rule of
 * engine/failover.h that check, notify, monitor and status apply to it. */
#ifndef VOIPHA_CLI_REACH_H
#define VOIPHA_CLI_REACH_H

#include <stdbool.h>

struct node_ctx;

/* Sends up to `tries` echo requests to each address, `interval_ms` apart,
 * and waits at most interval_ms after the last. ok[i] is true when addrs[i]
 * answered. Returns 0, or -errno when no probe could be sent (no raw
 * socket: not root). n <= 4. */
int reach_probe(const char *const addrs[], bool ok[], int n, int tries, int interval_ms);

/* ICMP to the peer and (when configured: has_witness) the witness, each
 * `tries` echo requests 150 ms apart. -errno when no probe could be sent. */
struct reachability {
	bool peer;
	bool witness;
	bool has_witness;
};
int probe_reachability(const struct node_ctx *ctx, int tries, struct reachability *out);
/* The same with the echo requests interval_ms apart (notify MASTER, on the
 * profile's reach_interval_ms). */
int probe_reachability_every(const struct node_ctx *ctx, int tries, int interval_ms,
			     struct reachability *out);

/* Waits up to timeout_ms for an IP packet of protocol `proto` (112: VRRP)
 * from addr, as delivered to this host (after its firewall: a dropped
 * packet is not seen). 1 when one arrived, 0 when none, -errno (a raw
 * socket needs root). */
int ip_packet_seen(const char *addr, int proto, int timeout_ms);

/* Cut off: a witness is configured and neither it nor the peer answers. */
bool reach_isolated(const struct reachability *r);

#endif
