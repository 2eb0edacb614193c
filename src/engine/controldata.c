/* pg_controldata of the local data directory: see controldata.h. */
#include "engine/controldata.h"
#include "engine/run-as.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int local_control_data(const struct node_ctx *ctx, unsigned *ret_tli, char *sysid, size_t sysidlen)
{
	static const char tli_key[] = "Latest checkpoint's TimeLineID:";
	static const char sys_key[] = "Database system identifier:";
	const char *envp[] = { "LC_ALL=C", NULL };
	char prog[300], out[8192], sid[32];
	const char *p;
	unsigned tli;
	int r;

	snprintf(prog, sizeof(prog), "%s/pg_controldata", ctx->bindir);
	{
		const char *argv[] = { prog, "-D", ctx->datadir, NULL };

		r = run_as(argv, ctx->pg_uid, ctx->pg_gid, envp, out, sizeof(out));
	}
	if (r < 0)
		return r;
	if (r != 0)
		return -EIO;
	p = strstr(out, tli_key);
	if (!p || sscanf(p + sizeof(tli_key) - 1, " %u", &tli) != 1)
		return -EIO;
	p = strstr(out, sys_key);
	if (!p || sscanf(p + sizeof(sys_key) - 1, " %31s", sid) != 1)
		return -EIO;
	snprintf(sysid, sysidlen, "%s", sid);
	*ret_tli = tli;
	return 0;
}
