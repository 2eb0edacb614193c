/* POST /fs/cdr: hands a mod_xml_cdr / mod_json_cdr post to the CDR
 * ingestion module (src/daemon/cdr-*, doc/DESIGN.md "CDR ingestion
 * contract") and answers 200 only once it says the CDR is durable. */
#ifndef VOIPADMIN_FSCDR_H
#define VOIPADMIN_FSCDR_H

#include "daemon/http.h"

void handle_fs_cdr(struct http_req *req, struct http_reply *rep);

#endif
