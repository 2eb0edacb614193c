/* This boot: see boot.h. */
#include "cli/boot.h"

#include <stdio.h>
#include <sys/stat.h>

long long boot_time(void)
{
	char line[128];
	long long bt = 0;
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lld", &bt) == 1)
			break;
	fclose(f);
	return bt;
}

bool systemd_running(void)
{
	struct stat st;

	/* What sd_booted() checks, without linking libsystemd for it. */
	return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}
