/* Logging for voip-admind: one line per event on stderr with the sd-daemon
 * priority prefix, so journald files it at the right level. Never pass a
 * secret (password, API key, conninfo) to these. */
#ifndef VOIPADMIN_LOG_H
#define VOIPADMIN_LOG_H

#include <stdio.h>
#include <systemd/sd-daemon.h>

#define log_err(fmt, ...) fprintf(stderr, SD_ERR "voip-admind: " fmt "\n", ##__VA_ARGS__)
#define log_warn(fmt, ...) fprintf(stderr, SD_WARNING "voip-admind: " fmt "\n", ##__VA_ARGS__)
#define log_notice(fmt, ...) fprintf(stderr, SD_NOTICE "voip-admind: " fmt "\n", ##__VA_ARGS__)
#define log_info(fmt, ...) fprintf(stderr, SD_INFO "voip-admind: " fmt "\n", ##__VA_ARGS__)

#endif
