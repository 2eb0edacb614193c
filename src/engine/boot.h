/* Facts about this boot of the machine. */
#ifndef VOIPHA_CLI_BOOT_H
#define VOIPHA_CLI_BOOT_H

#include <stdbool.h>

/* When this boot started (unix time): when PID 1 started, which in a
 * container is later than the kernel's boot (/proc/stat btime). State
 * recorded before it is stale. 0 when unknown. */
long long boot_time(void);

/* Is systemd running as PID 1 here? (a chroot or image build: no) */
bool systemd_running(void);

/* Milliseconds on CLOCK_BOOTTIME: the clock every lease deadline of this
 * node is measured on (it keeps counting through a suspend, unlike
 * CLOCK_MONOTONIC, and never jumps like the wall clock). The lease keeper
 * publishes its deadline on it and the health check compares. */
long long lease_clock_ms(void);

#endif
