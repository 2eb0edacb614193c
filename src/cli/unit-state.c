/* Unit states from systemd's D-Bus API; see unit-state.h. */
#include "cli/unit-state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

/* As root, systemd's private socket (what systemctl uses: works without a
 * D-Bus daemon); otherwise the system bus. */
static int bus_open(sd_bus **bus)
{
	if (geteuid() == 0 && access("/run/systemd/private", F_OK) == 0) {
		int r = sd_bus_new(bus);
		if (r < 0)
			return r;
		r = sd_bus_set_address(*bus, "unix:path=/run/systemd/private");
		if (r >= 0)
			r = sd_bus_start(*bus);
		if (r >= 0)
			return 0;
		*bus = sd_bus_unref(*bus);
	}
	return sd_bus_open_system(bus);
}

int units_all_active(const char *const units[], char *why, size_t len)
{
	sd_bus *bus = NULL;
	int r = bus_open(&bus), ret = 0;

	if (r < 0) {
		snprintf(why, len, "cannot reach systemd: %s", strerror(-r));
		return -1;
	}
	for (size_t i = 0; units[i] && ret == 0; i++) {
		sd_bus_error e = SD_BUS_ERROR_NULL;
		char *path = NULL, *state = NULL;

		r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", units[i], &path);
		if (r >= 0)
			r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
						       "org.freedesktop.systemd1.Unit",
						       "ActiveState", &e, &state);
		if (r < 0) {
			snprintf(why, len, "cannot read the state of %s: %s", units[i],
				 e.message ? e.message : strerror(-r));
			ret = -1;
		} else if (strcmp(state, "active") != 0) {
			snprintf(why, len, "%s is %s", units[i], state);
			ret = -1;
		}
		free(path);
		free(state);
		sd_bus_error_free(&e);
	}
	sd_bus_flush_close_unref(bus);
	return ret;
}
