/* /usr/lib/voip-ha/voip-ha-check: `voip-ha check` (src/cli/cmd-check.c, the
 * same code) as a program of its own for keepalived's vrrp_script, which
 * runs it every second: linked without libpq and libcrypto, it maps a
 * handful of libraries instead of thirty (doc/DESIGN.md, "Health check").
 * Same options, output and exit status as `voip-ha check`. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return cmd_check(argc, argv);
}
