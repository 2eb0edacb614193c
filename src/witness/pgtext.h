/* Pure text work of `voip-ha-witness setup` on PostgreSQL's files, apart
 * from the database so it can be tested on its own:
 *  - the marked block of pg_hba.conf (built, and merged into the admin's
 *    file before the first rule, keeping every other line);
 *  - listen_addresses: the admin's value with the witness address added. */
#ifndef VOIPHA_WITNESS_PGTEXT_H
#define VOIPHA_WITNESS_PGTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/strbuf.h"
#include "witness/wconfig.h"

#define HBA_BEGIN "# BEGIN voip-ha-witness"
#define HBA_END "# END voip-ha-witness"
#define WITNESS_DB "voip_ha_witness"
#define WITNESS_ROLE "voip_ha_arbiter"

/* The block: one hostssl scram-sha-256 line per distinct node address,
 * then reject lines so that no other rule of the file lets anybody else
 * reach the witness database or log in as the arbiter role. */
int hba_block(const struct witness_config *cfg, struct strbuf *out);

/* out = text without any old block, with block (may be "") inserted
 * before the first line that is not blank or a comment (at the end when
 * there is none). -EINVAL when the markers are unbalanced (a hand-edited
 * block: refused rather than guessed). */
int hba_merge(const char *text, size_t len, const char *block, struct strbuf *out);

/* Does the listen_addresses value admin (comma-separated, as PostgreSQL
 * reads it) already cover addr ('*', 0.0.0.0 or addr itself)? */
bool listen_covers(const char *admin, const char *addr);

#endif
