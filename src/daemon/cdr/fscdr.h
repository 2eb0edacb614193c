/* POST /fs/cdr: hands a mod_xml_cdr / mod_json_cdr post to the CDR
 * ingestion module (cdr-ingest.h, doc/DESIGN.md "CDR ingestion contract")
 * and answers 200 only once it says the CDR is durable. */
#ifndef VOIPADMIN_FSCDR_H
#define VOIPADMIN_FSCDR_H

#include "daemon/http.h"

/* Writes the CDR to the journal and defers the reply (http.h) until the
 * record is durable: 200 then, 503 if it could not be made so. Errors are
 * answered at once. */
void handle_fs_cdr(struct http_req *req, struct http_reply *rep);

#endif
