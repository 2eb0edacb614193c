/* Test driver of lib/pgwire.c against a real server (test/pgwire/pgwire.bats).
 *   pgwire-query [--as-postgres] SOCKET USER DATABASE TIMEOUT_MS [SQL...]
 * Connects (with --as-postgres, as root taking the postgres user's ids for
 * the connect only, through engine/pg-local.c, and checks they are root's
 * again afterwards), then runs each SQL on the one connection and prints
 * one line per step:
 *   connected | connect error NAME: MESSAGE
 *   value VALUE | error NAME: MESSAGE
 * An SQL argument "@timeout=MS" is no query: it sets a new deadline for the
 * rest of the conversation (pgwire_set_timeout) and prints "timeout MS".
 * NAME is the errno name the client returned (EIO: the server's error).
 * Exit 0 when every step succeeded, 1 otherwise, 2 on bad usage. */
#include "engine/pg-local.h"
#include "lib/pgwire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct pgwire c;
	struct pgwire_startup s = { 0 };
	bool as_pg = false, sw = false;
	char err[600], v[64];
	int i = 1, r, status = 0;

	if (argc > 1 && strcmp(argv[1], "--as-postgres") == 0) {
		as_pg = true;
		i++;
	}
	if (argc - i < 4) {
		fprintf(stderr,
			"usage: pgwire-query [--as-postgres] SOCKET USER DATABASE TIMEOUT_MS [SQL...]\n");
		return 2;
	}
	s.user = argv[i + 1];
	s.database = argv[i + 2];
	s.application_name = "pgwire-test";
	s.options = VOIPHA_PG_OPTIONS;
	if (as_pg)
		sw = pg_euid_enter();
	r = pgwire_connect_unix(&c, argv[i], &s, atoi(argv[i + 3]), err, sizeof(err));
	if (as_pg) {
		pg_euid_leave(sw);
		if (!sw || geteuid() != 0 || getegid() != 0) {
			printf("ids: switched %d, euid %u, egid %u after the connect\n", sw,
			       (unsigned)geteuid(), (unsigned)getegid());
			status = 1;
		}
	}
	if (r < 0) {
		printf("connect error %s: %s\n", strerrorname_np(-r), err);
		pgwire_close(&c);
		return 1;
	}
	printf("connected\n");
	for (i += 4; i < argc; i++) {
		if (strncmp(argv[i], "@timeout=", 9) == 0) {
			pgwire_set_timeout(&c, atoi(argv[i] + 9));
			printf("timeout %s\n", argv[i] + 9);
			continue;
		}
		r = pgwire_query_value(&c, argv[i], v, sizeof(v), err, sizeof(err));
		if (r == 0) {
			printf("value %s\n", v);
		} else {
			printf("error %s: %s\n", strerrorname_np(-r), err);
			status = 1;
		}
	}
	pgwire_close(&c);
	return status;
}
