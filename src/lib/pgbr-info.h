/* pgBackRest's `info --output=json` for one stanza, read into what voip-ha
 * shows (`backup --list`, backup.state): the stanza's status, each backup
 * (label, type, times, sizes, WAL range) and the archive's WAL range.
 * pgBackRest's output is trusted no more than any input: every field is
 * checked (labels and WAL names by their shape, numbers finite and
 * non-negative, text cut to size); what does not fit is an error. */
#ifndef VOIPHA_PGBR_INFO_H
#define VOIPHA_PGBR_INFO_H

#include <stdbool.h>
#include <stddef.h>

#define PGBR_INFO_MAX_BACKUPS 1000

struct pgbr_backup {
	char label[48];                   /* 20261206-013000F[_20261207-013000D] */
	char type[8];                     /* full | diff | incr */
	long long start, stop;            /* unix time */
	long long size;                   /* database bytes */
	long long repo_size;              /* bytes this backup stores in the repository */
	char wal_start[32], wal_stop[32]; /* "" when absent */
};

struct pgbr_info {
	int code;          /* the stanza's status: 0 ok, 2 no valid backup, others errors */
	char message[240]; /* its message, and the repository's own when it has one */
	char cipher[32];
	bool backup_running;
	struct pgbr_backup *backups; /* oldest first, as pgBackRest lists them */
	size_t nbackups;
	char wal_min[32], wal_max[32]; /* the newest archive's range; "" none */
};

/* Parses len bytes of JSON for stanza. 0, or -EINVAL with why (a short
 * reason, never the input), or -ENOMEM. Free with pgbr_info_free (also
 * after an error). */
int pgbr_info_parse(const char *json, size_t len, const char *stanza, struct pgbr_info *out,
		    char *why, size_t whylen);
void pgbr_info_free(struct pgbr_info *info);

/* The stanza answered: status 0 (ok) or 2 (no valid backup yet). */
bool pgbr_info_ok(const struct pgbr_info *info);

#endif
