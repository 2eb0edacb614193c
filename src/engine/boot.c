/* This boot: see boot.h. */
#include "engine/boot.h"

#include <time.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

/* The kernel's boot (/proc/stat btime), unix time; 0 when unknown. */
static long long kernel_boot(void)
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

/* When PID 1 started, in clock ticks after the kernel's boot (field 22 of
 * /proc/1/stat); -1 when unknown. */
static long long pid1_start_ticks(void)
{
	char buf[1024], *p;
	unsigned long long ticks;
	size_t n;
	int field;
	FILE *f = fopen("/proc/1/stat", "re");

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after the command name, which may hold spaces: field 3 starts
	 * after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
		return -1;
	return (long long)ticks;
}

long long boot_time(void)
{
	long long bt = kernel_boot(), ticks = pid1_start_ticks();
	long hz = sysconf(_SC_CLK_TCK);

	/* In a container (systemd-nspawn, LXC) the kernel booted long before
	 * this system: its boot is when its PID 1 started. On a machine PID 1
	 * starts within seconds of the kernel; the earlier time is kept
	 * (state from the previous boot is still older than either). */
	if (bt == 0 || ticks < 0 || hz <= 0)
		return bt;
	return bt + ticks / hz;
}

bool systemd_running(void)
{
	struct stat st;

	/* What sd_booted() checks, without linking libsystemd for it. */
	return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

long long lease_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
