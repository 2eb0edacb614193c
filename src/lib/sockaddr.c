/* Numeric address to socket address (see sockaddr.h). */
#include "lib/sockaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

int sockaddr_from_ip(const char *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *ret_len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	socklen_t len;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		len = sizeof(*in6);
	} else {
		return -EINVAL;
	}
	if (ret_len)
		*ret_len = len;
	return 0;
}

bool address_is_local(const char *addr)
{
	struct ifaddrs *ifa, *i;
	struct in_addr want;
	bool found = false;

	if (inet_pton(AF_INET, addr, &want) != 1 || getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == want.s_addr)
			found = true;
	freeifaddrs(ifa);
	return found;
}
