/* POST /fs/cdr: hands a mod_xml_cdr / mod_json_cdr post to the CDR
 * ingestion module (src/daemon/cdr-*, doc/DESIGN.md "CDR ingestion
 * contract") and answers 200 only once it says the CDR is durable. */
#ifndef VOIPADMIN_FSCDR_H
#define VOIPADMIN_FSCDR_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/http.h"

/* Writes the CDR to the journal and marks the reply deferred
 * (rep->cdr_deferred, rep->cdr_seq): the HTTP layer parks the connection
 * until the record is durable, then asks fs_cdr_answer(). Errors are
 * answered at once. */
void handle_fs_cdr(struct http_req *req, struct http_reply *rep);
/* 200 once journal record seq is durable, else 503; with wait, blocks
 * until it settled (used when the connection could not be parked). */
void fs_cdr_answer(struct app *app, const char *client_ip, uint64_t seq, bool wait,
		   struct http_reply *rep);

#endif
