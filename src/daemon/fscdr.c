/* HTTP side of CDR ingestion; see fscdr.h. */
#include "daemon/fscdr.h"

#include <errno.h>

#include "daemon/log.h"


void handle_fs_cdr(struct http_req *req, struct http_reply *rep)
{
#ifdef HAVE_CDR_INGEST
	char why[256] = "";
	int r;

	if (!req->app->cdr) {
		reply_error(rep, 503, "CDR ingestion not running");
		return;
	}
	if (req->body_len == 0) {
		reply_error(rep, 400, "empty CDR");
		return;
	}
	r = cdr_ingest_submit(req->app->cdr, req->body, req->body_len, req->content_type,
			      &rep->cdr_seq, why, sizeof(why));
	if (r == 0) {
		rep->cdr_deferred = true;       /* answered by fs_cdr_answer() */
		return;
	}
	/* FreeSWITCH retries anything but 2xx, then keeps the CDR in its
	 * error folder: a 503 loses nothing, a 400 says it will never work */
	log_warn("CDR from %s not accepted: %s", req->client_ip, why[0] ? why : "error");
	reply_error(rep, r == -EINVAL ? 400 : r == -E2BIG ? 413 : 503,
		    why[0] ? why : "CDR not stored");
#else
	(void)req;
	reply_error(rep, 503, "CDR ingestion not built in");
#endif
}

void fs_cdr_answer(struct app *app, const char *client_ip, uint64_t seq, bool wait,
		   struct http_reply *rep)
{
#ifdef HAVE_CDR_INGEST
	char why[256] = "";

	rep->cdr_deferred = false;
	if (cdr_ingest_outcome(app->cdr, seq, wait, why, sizeof(why)) == 0) {
		reply_text(rep, 200, "application/json", "{\"status\":\"accepted\"}\n");
		return;
	}
	log_warn("CDR from %s not accepted: %s", client_ip, why[0] ? why : "error");
	reply_error(rep, 503, why[0] ? why : "CDR not stored");
#else
	(void)app, (void)client_ip, (void)seq, (void)wait;
	reply_error(rep, 503, "CDR ingestion not built in");
#endif
}
