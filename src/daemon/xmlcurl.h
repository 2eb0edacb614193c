/* POST /fs/xml: FreeSWITCH mod_xml_curl lookups (doc/DESIGN.md and
 * /work/shared/data/freeswitch/XMLCURL-PROTOCOL.md).
 *
 *  - section=directory: SIP digest auth and user lookups for user@domain,
 *    answered from voip.extensions with the stored a1-hash (never a clear
 *    password), through the directory cache.
 *  - section=dialplan: routing by destination number: local extension,
 *    queue (mod_callcenter), IVR (mod_ivr), voicemail (*98 own box, *99EXT
 *    leave a message), outbound trunk (longest prefix; never from the
 *    "public" context, so calls from outside cannot dial out).
 *  - anything else (configuration, phrases, gateway/ACL scans): the
 *    not-found document, so FreeSWITCH uses its static files.
 * Always HTTP 200 with a document, except 503 when the database is down
 * (FreeSWITCH then logs the error and falls back to its static files). */
#ifndef VOIPADMIN_XMLCURL_H
#define VOIPADMIN_XMLCURL_H

#include "daemon/http.h"

void handle_fs_xml(struct http_req *req, struct http_reply *rep);

#endif
