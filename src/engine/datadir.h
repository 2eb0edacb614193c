/* Replacing the local data directory (clone, rebuild) without ever losing
 * the old one before its replacement is proven good.
 *
 * The usual case renames DATADIR to DATADIR.voip-ha-old-<time> and the new
 * copy is written to DATADIR. Where the directory cannot be renamed (it is
 * its own mount point: EBUSY; or EXDEV), everything stays on its file
 * system: the old entries move into DATADIR/pgsql_tmp.voip-ha-old-<time>,
 * the new copy is written to DATADIR/pgsql_tmp.voip-ha-new and its entries
 * then move up into DATADIR. PostgreSQL, pg_basebackup and pg_rewind skip
 * names starting with pgsql_tmp, so the kept copy never travels to a peer. */
#ifndef VOIPHA_CLI_DATADIR_H
#define VOIPHA_CLI_DATADIR_H

#include <stdbool.h>
#include <stddef.h>

struct node_ctx;

struct datadir_swap {
	char datadir[256];
	char old[320];    /* where the old data now is */
	char target[320]; /* where the new copy must be written (absent or empty) */
	bool in_place;    /* mount point: old and target live inside datadir */
};

/* Moves the old data aside. A data directory that does not exist (or is
 * empty) is fine: nothing is kept then (old[0] == '\0'). -errno with a
 * message in err. */
int datadir_set_aside(const struct node_ctx *ctx, struct datadir_swap *sw, char *err,
		      size_t errlen);
/* The new copy in target becomes the data directory (in place: its entries
 * move up). */
int datadir_commit(struct datadir_swap *sw, char *err, size_t errlen);
/* The copy failed: removes what was written to target and puts the old
 * data back. */
int datadir_restore(struct datadir_swap *sw, char *err, size_t errlen);
/* After the new standby streams: removes every kept copy but the newest
 * (the one of this swap, if any). Returns how many were removed, or -errno. */
int datadir_prune(const struct node_ctx *ctx, char *err, size_t errlen);

/* rm -rf, without following symlinks. 0 when path is absent. */
int rm_tree(const char *path);

#endif
