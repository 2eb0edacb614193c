/* Local cluster connections as postgres: see pg-local.h. */
#include "engine/pg-local.h"
#include "engine/node-ctx.h"
#include "lib/owner.h"

#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* The calling thread's effective ids only. glibc's seteuid() changes every
 * thread of the process (POSIX), and the monitor's lease keeper connects
 * while its main thread writes root-owned files: the raw system calls
 * change the calling thread alone (what the kernel does per thread). */
static int thread_set_egid(gid_t gid)
{
	return (int)syscall(SYS_setresgid, (gid_t)-1, gid, (gid_t)-1);
}

static int thread_set_euid(uid_t uid)
{
	return (int)syscall(SYS_setresuid, (uid_t)-1, uid, (uid_t)-1);
}

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
	if (thread_set_egid(pg_gid) < 0 || thread_set_euid(pg_uid) < 0) {
		if (thread_set_egid(0) < 0)
			abort();
		return false;
	}
	return true;
}

void pg_euid_leave(bool switched)
{
	if (switched && (thread_set_euid(0) < 0 || thread_set_egid(0) < 0))
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
