/* Local cluster connections as postgres: see pg-local.h. */
#include "engine/pg-local.h"
#include "engine/node-ctx.h"
#include "lib/owner.h"

#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

bool pg_euid_enter(void)
{
	static uid_t pg_uid = (uid_t)-1;
	static gid_t pg_gid = (gid_t)-1;

	if (geteuid() != 0)
		return false;
	if (pg_uid == (uid_t)-1 && (lookup_user(NULL, "postgres", &pg_uid) < 0 ||
				    lookup_group(NULL, "postgres", &pg_gid) < 0)) {
		pg_uid = (uid_t)-1;
		return false;
	}
	if (setegid(pg_gid) < 0 || seteuid(pg_uid) < 0) {
		if (setegid(0) < 0)
			abort();
		return false;
	}
	return true;
}

void pg_euid_leave(bool switched)
{
	if (switched && (seteuid(0) < 0 || setegid(0) < 0))
		abort();
}

int pg_wire_connect_local(struct pgwire *c, const char *dbname, int timeout_ms, char *err,
			  size_t errlen)
{
	const struct pgwire_startup s = {
		.user = "postgres",
		.database = dbname,
		.application_name = VOIPHA_PG_APPNAME,
		.options = VOIPHA_PG_OPTIONS,
	};
	bool sw = pg_euid_enter();
	int r = pgwire_connect_unix(c, VOIPHA_PG_SOCKDIR "/.s.PGSQL." VOIPHA_PG_PORT, &s,
				    timeout_ms, err, errlen);

	pg_euid_leave(sw);
	return r;
}
