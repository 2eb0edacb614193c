/* The local PostgreSQL cluster over its Unix socket, as the postgres user
 * (peer authentication), the way every voip-ha command connects: the
 * socket, the session options and the switch of effective ids live here,
 * for libpq's connections (engine/pg-session.c) and for the lean health check's
 * own protocol client (lib/pgwire.h). No libpq here. */
#ifndef VOIPHA_CLI_PG_LOCAL_H
#define VOIPHA_CLI_PG_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/pgwire.h"

/* Our statements are short: never hang keepalived's check on a lock.
 * synchronous_commit=local: our own writes (the check's probe write,
 * provisioning) must not wait for a standby that may be gone. */
#define VOIPHA_PG_OPTIONS                                 \
	"-c statement_timeout=5000 -c lock_timeout=3000 " \
	"-c client_min_messages=warning -c synchronous_commit=local"
#define VOIPHA_PG_APPNAME "voip-ha"

/* Peer authentication reads the credentials the socket had at connect():
 * root takes the postgres user's effective ids around the connect only
 * (pg_euid_enter), and is root again afterwards (pg_euid_leave, which
 * aborts rather than carry on with the wrong rights). Returns whether the
 * ids were switched; another caller, or a machine without a postgres
 * user, connects as itself. */
bool pg_euid_enter(void);
void pg_euid_leave(bool switched);

/* Connects to the local cluster (VOIPHA_PG_SOCKDIR, VOIPHA_PG_PORT) as
 * postgres to dbname through the protocol client; timeout_ms bounds the
 * connect and every query after it. 0 or -errno with the reason in err
 * (see pgwire_connect_unix). pgwire_close it either way. */
int pg_wire_connect_local(struct pgwire *c, const char *dbname, int timeout_ms, char *err,
			  size_t errlen);

#endif
