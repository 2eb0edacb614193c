/* The maintenance marker: see maintenance.h. */
#include "engine/maintenance.h"

#include <sys/stat.h>
#include <time.h>

bool in_maintenance(void)
{
	struct stat st;

	return stat(VOIPHA_MAINTENANCE, &st) == 0 && time(NULL) - st.st_mtime < MAINTENANCE_MAX;
}
