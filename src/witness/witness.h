/* voip-ha-witness: the third voter's command (doc/voip-ha-witness.8).
 * Shared declarations of its subcommands. */
#ifndef VOIPHA_WITNESS_H
#define VOIPHA_WITNESS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "witness/wconfig.h"

#define W_EXIT_OK 0
#define W_EXIT_FAIL 1
#define W_EXIT_USAGE 2

#define WITNESS_LEASE_SQL "/usr/share/voip-ha/witness/lease.sql"
#define WITNESS_PG_SOCKDIR "/var/run/postgresql"
#define WITNESS_STATE "/var/lib/voip-ha-witness/state"
/* What `backup-host install` put in place, for purge (backup-host.c). */
#define WITNESS_BACKUP_STATE "/var/lib/voip-ha-witness/backup-host"

/* "voip-ha-witness: <message>" on stderr. */
void werr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "voip-ha-witness: <message>" on stderr, for what changed or was kept. */
void wsay(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Loads and validates a witness.conf ("-": stdin), reporting every
 * problem as "voip-ha-witness: FILE: key: rule". 0 or W_EXIT_FAIL. */
int wconfig_load_report(const char *path, struct witness_config *cfg);

/* The local PostgreSQL cluster the witness uses. */
struct pg_cluster {
	char version[16];
	char name[64];
	char port[8];
	char status[32];
	char owner[64];
	char datadir[512];
};

/* Picks the cluster (postgresql_cluster of cfg, or the default: the one on
 * port 5432, else the only one) from pg_lsclusters. 0 or W_EXIT_FAIL
 * (said on stderr). */
int find_pg_cluster(const struct witness_config *cfg, struct pg_cluster *out);
/* As postgres over the Unix socket (peer authentication). NULL only on
 * OOM; check PQstatus. */
PGconn *connect_local(const struct pg_cluster *pc, const char *dbname);
/* The first column of the first row of a query with up to one text
 * parameter, into buf. 0, -ENOENT (no row) or -EIO (err says why). */
int query_value(PGconn *c, const char *sql, const char *param, char *buf, size_t len, char *err,
		size_t errlen);
/* A statement whose rows are ignored. 0 or -EIO (err). */
int exec_sql(PGconn *c, const char *sql, char *err, size_t errlen);

#define WITNESS_ROLE_NAME "voip_ha_arbiter"
#define WITNESS_DB_NAME "voip_ha_witness"

/* Runs argv (absolute argv[0], no shell) with stdin from /dev/null and
 * its stdout captured into out. Exit status, 128+signal, or -errno. */
int run_capture(const char *const argv[], char *out, size_t outlen);

/* The subcommands that need PostgreSQL (setup.c, status.c). Exit codes. */
int witness_setup(const char *config, const char *lease_sql, const char *state);
int witness_status(const char *config);
/* backup-host install (backup-host.c): argv[0] is "backup-host". */
int cmd_backup_host(int argc, char **argv);

#endif
