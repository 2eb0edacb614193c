/* The maintenance marker of the postinst (check and monitor honour it). */
#ifndef VOIPHA_CLI_MAINTENANCE_H
#define VOIPHA_CLI_MAINTENANCE_H

#include <stdbool.h>

#include "engine/node-ctx.h"

/* The postinst restarts services it reconfigures (PostgreSQL for a changed
 * setting, Kamailio for its config) between touching and removing this
 * marker: a planned restart of a few seconds is not a failover (check) and
 * not a crash (monitor). Honoured for MAINTENANCE_MAX seconds at most, so a
 * configure that died midway cannot disable either. */
#define VOIPHA_MAINTENANCE VOIPHA_RUN_DIR "/maintenance"
#define MAINTENANCE_MAX 300
bool in_maintenance(void);

#endif
