/* libFuzzer target: lib/pgwire.c reading what a server sends. The input is
 * the server's side of the conversation, written into a socketpair (then
 * end of stream); the client runs its startup and two queries against it.
 * Whatever it gets, it must return an error or a value inside its buffer,
 * with a NUL-terminated message, and never read past a message. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/pgwire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t len)
{
	if (strnlen(s, len) == len)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pgwire c;
	const struct pgwire_startup s = { "postgres", "voip", "fuzz",
					  "-c synchronous_commit=local" };
	char err[256], v[16];
	int sv[2], r;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	/* What does not fit the socket buffer is left out (never blocks). */
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	while (size > 0 && (n = write(sv[1], data, size)) > 0) {
		data += n;
		size -= (size_t)n;
	}
	shutdown(sv[1], SHUT_WR);
	r = pgwire_start(&c, sv[0], &s, 1000, err, sizeof(err));
	check_str(err, sizeof(err));
	if (r == 0) {
		for (int i = 0; i < 2; i++) {
			memset(v, 'x', sizeof(v));
			r = pgwire_query_value(&c, "SELECT 1", v, sizeof(v), err, sizeof(err));
			check_str(err, sizeof(err));
			if (r == 0)
				check_str(v, sizeof(v));
		}
	} else if (r != -EIO && r != -EACCES && r != -EPROTO && r != -ECONNRESET &&
		   r != -ETIMEDOUT) {
		__builtin_trap();
	}
	pgwire_close(&c);
	close(sv[1]);
	return 0;
}
