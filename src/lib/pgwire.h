/* A minimal PostgreSQL client (frontend/backend protocol 3.0) for the
 * health check: the local Unix socket, peer or trust authentication only,
 * simple queries returning one text value. What libpq would cost the check
 * every second is the dynamic loader mapping its 30-odd libraries (TLS,
 * Kerberos, LDAP); this needs none of them. Everything the server sends is
 * bounds-checked: a message longer than PGWIRE_MAX_BODY, a field running
 * past its message or an unexpected message is an error, never a read
 * past the buffer. */
#ifndef VOIPHA_PGWIRE_H
#define VOIPHA_PGWIRE_H

#include <stdbool.h>
#include <stddef.h>

/* Largest message body accepted from the server (an ErrorResponse with a
 * long DETAIL/CONTEXT fits many times over). */
#define PGWIRE_MAX_BODY 16384

struct pgwire {
	int fd;                /* -1 when closed */
	bool ready;            /* ReadyForQuery seen, not in a query */
	long long deadline_ms; /* CLOCK_MONOTONIC, for the whole conversation */
	size_t start, end;     /* unread bytes: buf[start..end) */
	unsigned char buf[5 + PGWIRE_MAX_BODY];
};

/* The startup packet's parameters. options and application_name may be
 * NULL (not sent). */
struct pgwire_startup {
	const char *user;
	const char *database;
	const char *application_name;
	const char *options; /* e.g. "-c synchronous_commit=local" */
};

/* Connects to the Unix socket `path` and authenticates: everything must be
 * done within timeout_ms, which then also bounds every later query on the
 * connection (the deadline is for the whole conversation). Only
 * AuthenticationOk is accepted (peer or trust); a server asking for a
 * password (or Kerberos, GSSAPI, SASL) is refused with a message saying so.
 * 0, or -errno with the reason in err: -ETIMEDOUT, -EACCES (another
 * authentication method), -EIO (the server's ErrorResponse, e.g. FATAL:
 * database does not exist), -EPROTO (malformed or unexpected message),
 * -ECONNRESET (closed), or a socket error. c is closed on failure; call
 * pgwire_close either way. */
int pgwire_connect_unix(struct pgwire *c, const char *path, const struct pgwire_startup *s,
			int timeout_ms, char *err, size_t errlen);

/* The same over an already connected stream socket fd (the fuzz target
 * drives it through a socketpair). Takes fd over: it is closed by
 * pgwire_close, or here on failure. */
int pgwire_start(struct pgwire *c, int fd, const struct pgwire_startup *s, int timeout_ms,
		 char *err, size_t errlen);

/* From now on, the rest of the conversation must be done within timeout_ms
 * (a new deadline, longer or shorter): the health check gives the connect
 * a short bound (a hung server never answers it) and its queries a longer
 * one (a loaded disk may be slow to commit). */
void pgwire_set_timeout(struct pgwire *c, int timeout_ms);

/* Runs sql (simple query protocol) and copies the first column of the
 * first row returned, as text, into buf ("" for NULL). 0; -ENOENT when no
 * row came back; -EIO with the server's message ("ERROR:  ...") in err,
 * the connection still usable; -EMSGSIZE when the value does not fit buf;
 * -ETIMEDOUT / -EPROTO / -ECONNRESET / -errno (the connection is then
 * closed). */
int pgwire_query_value(struct pgwire *c, const char *sql, char *buf, size_t buflen, char *err,
		       size_t errlen);

/* Sends Terminate (best effort) and closes. Safe on a closed connection. */
void pgwire_close(struct pgwire *c);

#endif
