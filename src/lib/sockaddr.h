/* Numeric IP address and port to a socket address: the one parser of the
 * listen and probe addresses; and whether an address is this machine's. */
#ifndef VOIPHA_SOCKADDR_H
#define VOIPHA_SOCKADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Fills ss from a numeric IPv4 or IPv6 address (no names, no brackets) and
 * a port; *ret_len (may be NULL) gets the length to pass to bind/connect.
 * Returns 0 or -EINVAL. */
int sockaddr_from_ip(const char *ip, uint16_t port, struct sockaddr_storage *ss,
		     socklen_t *ret_len);

/* Is addr (dotted quad) one of this machine's addresses? The VIP test. */
bool address_is_local(const char *addr);

#endif
