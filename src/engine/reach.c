/* ICMP echo probes: see reach.h. */
#include "engine/reach.h"
#include "engine/node-ctx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint16_t icmp_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int send_echo(int fd, const struct sockaddr_in *to, uint16_t id, uint16_t seq)
{
	struct icmphdr h;

	memset(&h, 0, sizeof(h));
	h.type = ICMP_ECHO;
	h.un.echo.id = htons(id);
	h.un.echo.sequence = htons(seq);
	h.checksum = icmp_checksum(&h, sizeof(h));
	return sendto(fd, &h, sizeof(h), 0, (const struct sockaddr *)to, sizeof(*to)) < 0 ? -errno :
											    0;
}

int reach_probe(const char *const addrs[], bool ok[], int n, int tries, int interval_ms)
{
	struct sockaddr_in to[4];
	uint16_t id = (uint16_t)(getpid() ^ (now_ms() & 0xffff));
	int fd, i, t, sent = 0, answered = 0, last_err = 0;
	long next, deadline;

	if (n < 1 || n > 4 || tries < 1)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		ok[i] = false;
		memset(&to[i], 0, sizeof(to[i]));
		to[i].sin_family = AF_INET;
		if (inet_pton(AF_INET, addrs[i], &to[i].sin_addr) != 1)
			return -EINVAL;
	}
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0)
		return -errno;
	next = now_ms();
	deadline = next + (long)tries * interval_ms;
	t = 0;
	while (answered < n) {
		long now = now_ms();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		unsigned char buf[1500];
		ssize_t got;

		if (t < tries && now >= next) {
			for (i = 0; i < n; i++)
				if (!ok[i]) {
					int r = send_echo(fd, &to[i], id, (uint16_t)(t * 4 + i));

					if (r == 0)
						sent++;
					else
						last_err = r;
				}
			t++;
			next = now + interval_ms;
		}
		if (now >= deadline)
			break;
		if (poll(&pfd, 1, (int)((t < tries ? next : deadline) - now)) <= 0)
			continue;
		got = recv(fd, buf, sizeof(buf), 0);
		if (got < (ssize_t)sizeof(struct iphdr)) {
			continue;
		}
		{
			const struct iphdr *ip = (const struct iphdr *)buf;
			size_t hl = (size_t)ip->ihl * 4;
			const struct icmphdr *h;

			if ((size_t)got < hl + sizeof(*h))
				continue;
			h = (const struct icmphdr *)(buf + hl);
			if (h->type != ICMP_ECHOREPLY || ntohs(h->un.echo.id) != id)
				continue;
			for (i = 0; i < n; i++)
				if (!ok[i] && ip->saddr == to[i].sin_addr.s_addr) {
					ok[i] = true;
					answered++;
				}
		}
	}
	close(fd);
	return sent == 0 && last_err ? last_err : 0;
}

int probe_reachability(const struct node_ctx *ctx, int tries, struct reachability *out)
{
	return probe_reachability_every(ctx, tries, 150, out);
}

int probe_reachability_every(const struct node_ctx *ctx, int tries, int interval_ms,
			     struct reachability *out)
{
	const char *addrs[2] = { ctx->peer_addr, ctx->witness };
	bool ok[2] = { false, false };
	int r;

	out->has_witness = ctx->witness[0] != '\0';
	r = reach_probe(addrs, ok, out->has_witness ? 2 : 1, tries, interval_ms);
	out->peer = ok[0];
	out->witness = ok[1];
	return r;
}

int ip_packet_seen(const char *addr, int proto, int timeout_ms)
{
	struct in_addr from;
	long deadline = now_ms() + timeout_ms;
	int fd, seen = 0;

	if (inet_pton(AF_INET, addr, &from) != 1)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	while (!seen) {
		long left = deadline - now_ms();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		unsigned char buf[1500];
		ssize_t got;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		got = recv(fd, buf, sizeof(buf), 0);
		if (got >= (ssize_t)sizeof(struct iphdr) &&
		    ((const struct iphdr *)buf)->saddr == from.s_addr)
			seen = 1;
	}
	close(fd);
	return seen;
}

bool reach_isolated(const struct reachability *r)
{
	return r->has_witness && !r->peer && !r->witness;
}
