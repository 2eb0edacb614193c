/* systemd unit states over D-Bus (sd-bus), without running systemctl:
 * `voip-ha check` runs every second on every node. */
#ifndef VOIPHA_CLI_UNIT_STATE_H
#define VOIPHA_CLI_UNIT_STATE_H

#include <stddef.h>

/* 0 when every unit of the NULL-terminated list is active; -1 with the
 * first that is not ("kamailio.service is failed") or why the states could
 * not be read, in why. */
int units_all_active(const char *const units[], char *why, size_t len);

/* The unit's ActiveState ("active", "activating", "failed", ...) into
 * state. 0, or -1 with why in state. */
int unit_active_state(const char *unit, char *state, size_t len);

#endif
