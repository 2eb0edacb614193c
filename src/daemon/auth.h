/* Authentication of HTTP clients.
 *
 * FreeSWITCH (mod_xml_curl, mod_xml_cdr) presents HTTP Basic user
 * "freeswitch" with the FreeSWITCH API key; operators present the admin API
 * key as "Authorization: Bearer KEY" or "X-API-Key: KEY". Keys are never
 * stored or compared in clear: their SHA-256 is compared in constant time
 * with the configured digest (or looked up among voip.api_keys digests).
 * Failures are counted per client IP; an IP over the limit is refused with
 * 429 until its window ends, whatever it presents. */
#ifndef VOIPADMIN_AUTH_H
#define VOIPADMIN_AUTH_H

#include <stdbool.h>

#include "daemon/http.h"

#define AUTH_MAX_FAILURES 10
#define AUTH_WINDOW_S 60

struct ratelimit;

struct ratelimit *ratelimit_new(void);
void ratelimit_free(struct ratelimit *rl);
/* True when ip has more than AUTH_MAX_FAILURES failures in its window. */
bool ratelimit_blocked(struct ratelimit *rl, const char *ip, unsigned *retry_after);
void ratelimit_failure(struct ratelimit *rl, const char *ip);

/* Checks the request; on refusal fills rep (401/429/503) and returns false. */
bool auth_freeswitch(struct http_req *req, struct http_reply *rep);
bool auth_admin(struct http_req *req, struct http_reply *rep);

#endif
