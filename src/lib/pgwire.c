/* Minimal PostgreSQL protocol 3.0 client: see pgwire.h. Message layout
 * from the PostgreSQL documentation, "Frontend/Backend Protocol". */
#include "lib/pgwire.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PROTOCOL_3_0 196608u /* 3 << 16 */
#define MAX_STARTUP 2048
#define MAX_QUERY 4096

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void drop(struct pgwire *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->ready = false;
}

/* Fails the connection: closes it and says why. Returns r. */
__attribute__((format(printf, 5, 6))) static int fail(struct pgwire *c, int r, char *err,
						      size_t errlen, const char *fmt, ...)
{
	va_list ap;

	drop(c);
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* Waits for events on the socket until the deadline. 0, -ETIMEDOUT or -errno. */
static int wait_fd(struct pgwire *c, short events)
{
	for (;;) {
		long long left = c->deadline_ms - now_ms();
		struct pollfd p = { .fd = c->fd, .events = events };
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int send_all(struct pgwire *c, const unsigned char *p, size_t len)
{
	while (len > 0) {
		/* MSG_NOSIGNAL: a server gone away is an error, not SIGPIPE. */
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		int r;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if ((r = wait_fd(c, POLLOUT)) < 0)
			return r;
	}
	return 0;
}

/* Next message from the server: *type, and its body (valid until the next
 * call). 0, -EPROTO (bad length: *type says which), -ECONNRESET, -ETIMEDOUT
 * or -errno. */
static int read_msg(struct pgwire *c, char *type, const unsigned char **body, size_t *len)
{
	for (;;) {
		size_t have = c->end - c->start;
		ssize_t n;
		int r;

		if (have >= 5) {
			const unsigned char *h = c->buf + c->start;
			uint32_t mlen = get32(h + 1);

			*type = (char)h[0];
			/* The length counts itself, not the type byte. */
			if (mlen < 4 || mlen - 4 > PGWIRE_MAX_BODY) {
				*len = mlen;
				return -EPROTO;
			}
			if (have >= 1 + (size_t)mlen) {
				*body = h + 5;
				*len = mlen - 4;
				c->start += 1 + (size_t)mlen;
				return 0;
			}
		}
		if (c->start > 0) {
			memmove(c->buf, c->buf + c->start, have);
			c->start = 0;
			c->end = have;
		}
		n = recv(c->fd, c->buf + c->end, sizeof(c->buf) - c->end, 0);
		if (n > 0) {
			c->end += (size_t)n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if ((r = wait_fd(c, POLLIN)) < 0)
			return r;
	}
}

/* The text of a read/connection failure (len: the bad length for -EPROTO). */
static int io_fail(struct pgwire *c, int r, char type, size_t len, char *err, size_t errlen)
{
	if (r == -EPROTO)
		return fail(c, r, err, errlen,
			    "protocol error: message of type 0x%02x with length %zu "
			    "(at least 4, at most %d)",
			    (unsigned char)type, len, PGWIRE_MAX_BODY + 4);
	if (r == -ETIMEDOUT)
		return fail(c, r, err, errlen, "%s", "timeout expired");
	if (r == -ECONNRESET)
		return fail(c, r, err, errlen, "%s", "server closed the connection unexpectedly");
	return fail(c, r, err, errlen, "%s", strerror(-r));
}

/* ErrorResponse/NoticeResponse body: "SEVERITY:  message" as libpq says it.
 * Fields are a type byte and a NUL-terminated string each, ending with a
 * zero byte; one running past the body is malformed: -EPROTO. */
static int format_error(const unsigned char *b, size_t len, char *err, size_t errlen)
{
	const char *sev = NULL, *sev_v = NULL, *msg = NULL;
	size_t i = 0;

	while (i < len && b[i] != 0) {
		unsigned char f = b[i++];
		const unsigned char *nul = memchr(b + i, 0, len - i);

		if (!nul)
			return -EPROTO;
		if (f == 'S')
			sev = (const char *)b + i;
		else if (f == 'V')
			sev_v = (const char *)b + i;
		else if (f == 'M')
			msg = (const char *)b + i;
		i = (size_t)(nul - b) + 1;
	}
	if (i >= len)
		return -EPROTO; /* no terminating zero byte */
	if (err && errlen)
		snprintf(err, errlen, "%s:  %s",
			 sev_v ? sev_v :
			 sev   ? sev :
				 "ERROR",
			 msg ? msg : "(no message)");
	return 0;
}

static const char *auth_name(uint32_t code)
{
	switch (code) {
	case 2:
		return "Kerberos V5";
	case 3:
		return "a cleartext password";
	case 5:
		return "an MD5 password";
	case 7:
	case 8:
		return "GSSAPI";
	case 9:
		return "SSPI";
	case 10:
	case 11:
	case 12:
		return "SASL (SCRAM) password";
	default:
		return "an unknown";
	}
}

static int start_fail(struct pgwire *c, int r, char *err, size_t errlen)
{
	return fail(c, r, err, errlen, "%s", strerror(-r));
}

static int add_param(unsigned char *p, size_t *at, const char *key, const char *val)
{
	size_t k, v;

	if (!val)
		return 0;
	k = strlen(key) + 1;
	v = strlen(val) + 1;
	if (*at + k + v + 1 > MAX_STARTUP)
		return -E2BIG;
	memcpy(p + *at, key, k);
	memcpy(p + *at + k, val, v);
	*at += k + v;
	return 0;
}

void pgwire_set_timeout(struct pgwire *c, int timeout_ms)
{
	c->deadline_ms = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
}

int pgwire_start(struct pgwire *c, int fd, const struct pgwire_startup *s, int timeout_ms,
		 char *err, size_t errlen)
{
	unsigned char pkt[MAX_STARTUP];
	size_t at = 8;
	int r, fl;

	c->fd = fd;
	c->ready = false;
	c->start = c->end = 0;
	c->deadline_ms = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	if (err && errlen)
		err[0] = '\0';
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return start_fail(c, -errno, err, errlen);
	if (!s->user || !s->database)
		return start_fail(c, -EINVAL, err, errlen);
	r = add_param(pkt, &at, "user", s->user);
	if (r == 0)
		r = add_param(pkt, &at, "database", s->database);
	if (r == 0)
		r = add_param(pkt, &at, "application_name", s->application_name);
	if (r == 0)
		r = add_param(pkt, &at, "options", s->options);
	if (r < 0)
		return fail(c, r, err, errlen, "%s", "startup parameters too long");
	pkt[at++] = 0;
	put32(pkt, (uint32_t)at);
	put32(pkt + 4, PROTOCOL_3_0);
	if ((r = send_all(c, pkt, at)) < 0)
		return io_fail(c, r, 0, 0, err, errlen);

	for (;;) {
		const unsigned char *b;
		size_t len = 0;
		char type = 0;

		if ((r = read_msg(c, &type, &b, &len)) < 0)
			return io_fail(c, r, type, len, err, errlen);
		switch (type) {
		case 'R': {
			uint32_t code;

			if (len < 4)
				return fail(c, -EPROTO, err, errlen, "protocol error: %s",
					    "short authentication request");
			code = get32(b);
			if (code == 0) {
				if (len != 4)
					return fail(c, -EPROTO, err, errlen, "protocol error: %s",
						    "malformed AuthenticationOk");
				break;
			}
			/* Peer authentication over the local socket is the
			 * whole point: never send a password. */
			return fail(c, -EACCES, err, errlen,
				    "the server asks for %s authentication; only peer (or trust) "
				    "authentication on the local socket is supported (pg_hba.conf)",
				    auth_name(code));
		}
		case 'E':
			r = format_error(b, len, err, errlen);
			drop(c);
			return r < 0 ? fail(c, r, err, errlen, "protocol error: %s",
					    "malformed ErrorResponse") :
				       -EIO;
		case 'S':
		case 'K':
		case 'N':
			break; /* ParameterStatus, BackendKeyData, NoticeResponse */
		case 'Z':
			if (len != 1)
				return fail(c, -EPROTO, err, errlen, "protocol error: %s",
					    "malformed ReadyForQuery");
			c->ready = true;
			return 0;
		default:
			return fail(c, -EPROTO, err, errlen,
				    "protocol error: unexpected message 0x%02x during startup",
				    (unsigned char)type);
		}
	}
}

int pgwire_connect_unix(struct pgwire *c, const char *path, const struct pgwire_startup *s,
			int timeout_ms, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	size_t plen = strlen(path);
	int fd, r;

	c->fd = -1;
	c->ready = false;
	if (plen >= sizeof(sa.sun_path))
		return fail(c, -ENAMETOOLONG, err, errlen, "socket path too long: %s", path);
	memcpy(sa.sun_path, path, plen + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return start_fail(c, -errno, err, errlen);
	c->fd = fd;
	c->deadline_ms = deadline;
	/* A Unix socket connects at once or says EAGAIN (backlog full):
	 * try again until the deadline. */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EINPROGRESS) {
			int soerr = 0;
			socklen_t sl = sizeof(soerr);

			if ((r = wait_fd(c, POLLOUT)) < 0)
				goto refused;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
				soerr = errno;
			if (soerr != 0) {
				r = -soerr;
				goto refused;
			}
			break;
		}
		if (errno != EAGAIN) {
			r = -errno;
			goto refused;
		}
		if (now_ms() >= deadline) {
			r = -ETIMEDOUT;
			goto refused;
		}
		poll(NULL, 0, 10);
	}
	r = pgwire_start(c, fd, s, (int)(deadline - now_ms()), err, errlen);
	if (r < 0 && err && errlen) {
		char inner[512];

		snprintf(inner, sizeof(inner), "%s", err);
		snprintf(err, errlen, "connection to server on socket \"%s\" failed: %s", path,
			 inner);
	}
	return r;
refused:
	drop(c);
	if (err && errlen)
		snprintf(err, errlen, "connection to server on socket \"%s\" failed: %s", path,
			 r == -ETIMEDOUT ? "timeout expired" : strerror(-r));
	return r;
}

/* The first column of a DataRow into buf. 0, -EMSGSIZE, -EPROTO. */
static int copy_value(const unsigned char *b, size_t len, char *buf, size_t buflen)
{
	uint32_t vlen;

	if (len < 2)
		return -EPROTO;
	if (b[0] == 0 && b[1] == 0)
		return -EPROTO; /* a row without columns */
	if (len < 6)
		return -EPROTO;
	vlen = get32(b + 2);
	if (vlen == 0xffffffffu) { /* NULL */
		if (buflen)
			buf[0] = '\0';
		return buflen ? 0 : -EMSGSIZE;
	}
	if (vlen > len - 6)
		return -EPROTO;
	if (memchr(b + 6, 0, vlen))
		return -EPROTO; /* text format never holds a NUL */
	if ((size_t)vlen >= buflen)
		return -EMSGSIZE;
	memcpy(buf, b + 6, vlen);
	buf[vlen] = '\0';
	return 0;
}

int pgwire_query_value(struct pgwire *c, const char *sql, char *buf, size_t buflen, char *err,
		       size_t errlen)
{
	unsigned char q[MAX_QUERY];
	size_t n = strlen(sql) + 1;
	bool got = false;
	int result = -ENOENT, r;

	if (err && errlen)
		err[0] = '\0';
	if (c->fd < 0 || !c->ready) {
		if (err && errlen)
			snprintf(err, errlen, "no connection to the server");
		return -ENOTCONN;
	}
	if (n + 5 > sizeof(q)) {
		if (err && errlen)
			snprintf(err, errlen, "query too long");
		return -E2BIG;
	}
	q[0] = 'Q';
	put32(q + 1, (uint32_t)(n + 4));
	memcpy(q + 5, sql, n);
	c->ready = false;
	if ((r = send_all(c, q, n + 5)) < 0)
		return io_fail(c, r, 0, 0, err, errlen);
	for (;;) {
		const unsigned char *b;
		size_t len = 0;
		char type = 0;

		if ((r = read_msg(c, &type, &b, &len)) < 0)
			return io_fail(c, r, type, len, err, errlen);
		switch (type) {
		case 'D':
			if (got)
				break;
			got = true;
			r = copy_value(b, len, buf, buflen);
			if (r == -EPROTO)
				return fail(c, r, err, errlen, "protocol error: %s",
					    "malformed DataRow");
			result = r;
			if (r == -EMSGSIZE && err && errlen)
				snprintf(err, errlen, "value longer than %zu bytes",
					 buflen ? buflen - 1 : 0);
			break;
		case 'E':
			if (format_error(b, len, err, errlen) < 0)
				return fail(c, -EPROTO, err, errlen, "protocol error: %s",
					    "malformed ErrorResponse");
			result = -EIO;
			got = true; /* an error ends the query string: no row after it counts */
			break;
		case 'T':
		case 'C':
		case 'I':
		case 'N':
		case 'S':
		case 'A':
			break; /* RowDescription, CommandComplete, EmptyQuery, async */
		case 'Z':
			if (len != 1)
				return fail(c, -EPROTO, err, errlen, "protocol error: %s",
					    "malformed ReadyForQuery");
			c->ready = true;
			if (result == -ENOENT && err && errlen)
				snprintf(err, errlen, "the query returned no rows");
			return result;
		default:
			return fail(c, -EPROTO, err, errlen,
				    "protocol error: unexpected message 0x%02x after a query",
				    (unsigned char)type);
		}
	}
}

void pgwire_close(struct pgwire *c)
{
	static const unsigned char terminate[5] = { 'X', 0, 0, 0, 4 };

	if (c->fd < 0)
		return;
	/* Best effort, never waiting: the server sees EOF anyway. */
	if (send(c->fd, terminate, sizeof(terminate), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* nothing to do: the connection is closed below */
	}
	drop(c);
}
