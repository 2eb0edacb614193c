/* Does a stored PostgreSQL SCRAM-SHA-256 verifier belong to a password?
 * Lets `voip-ha provision` leave an unchanged password alone instead of
 * re-salting it on every run. */
#ifndef VOIPHA_CLI_SCRAM_H
#define VOIPHA_CLI_SCRAM_H

#include <stdbool.h>

/* verifier: "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>" as in
 * pg_authid.rolpassword. False for anything else (md5, empty, malformed).
 * PostgreSQL SASLprep-normalises non-ASCII passwords before hashing and this
 * does not: such a password compares unequal, which costs only a needless
 * (harmless) password update. */
bool scram_verifier_matches(const char *verifier, const char *password);

#endif
