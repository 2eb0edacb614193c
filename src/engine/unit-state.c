/* Unit states from systemd's D-Bus API; see unit-state.h. */
#include "engine/unit-state.h"

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

/* One unit's ActiveState on an open bus: 0, or -1 with why. */
static int read_state(sd_bus *bus, const char *unit, char *state, size_t len)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *path = NULL, *s = NULL;
	int r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);

	if (r >= 0)
		r = sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path,
					       "org.freedesktop.systemd1.Unit", "ActiveState", &e,
					       &s);
	if (r < 0)
		snprintf(state, len, "cannot read the state of %s: %s", unit,
			 e.message ? e.message : strerror(-r));
	else
		snprintf(state, len, "%s", s);
	free(path);
	free(s);
	sd_bus_error_free(&e);
	return r < 0 ? -1 : 0;
}

int unit_active_state(const char *unit, char *state, size_t len)
{
	sd_bus *bus = NULL;
	int r = bus_open(&bus);

	if (r < 0) {
		snprintf(state, len, "cannot reach systemd: %s", strerror(-r));
		return -1;
	}
	r = read_state(bus, unit, state, len);
	sd_bus_flush_close_unref(bus);
	return r;
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
		char state[200];

		if (read_state(bus, units[i], state, sizeof(state)) < 0) {
			snprintf(why, len, "%s", state);
			ret = -1;
		} else if (strcmp(state, "active") != 0) {
			snprintf(why, len, "%s is %s", units[i], state);
			ret = -1;
		}
	}
	sd_bus_flush_close_unref(bus);
	return ret;
}
