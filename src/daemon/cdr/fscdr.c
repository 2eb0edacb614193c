/* HTTP side of CDR ingestion; see fscdr.h. */
#include "daemon/cdr/fscdr.h"

#include <errno.h>

#include "daemon/cdr/cdr-ingest.h"
#include "daemon/log.h"

static int park(struct app *app, uint64_t seq, void (*suspend)(void *conn),
		void (*resume)(void *conn), void *conn)
{
	return cdr_ingest_defer(app->cdr, seq, suspend, resume, conn);
}

static void answer(struct app *app, const char *client_ip, uint64_t seq, bool wait,
		   struct http_reply *rep)
{
	char why[256] = "";

	if (cdr_ingest_outcome(app->cdr, seq, wait, why, sizeof(why)) == 0) {
		reply_text(rep, 200, "application/json", "{\"status\":\"accepted\"}\n");
		return;
	}
	log_warn("CDR from %s not accepted: %s", client_ip, why[0] ? why : "error");
	reply_error(rep, 503, why[0] ? why : "CDR not stored");
}

static const struct http_deferral cdr_durable = { park, answer };

void handle_fs_cdr(struct http_req *req, struct http_reply *rep)
{
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
			      &rep->defer_token, why, sizeof(why));
	if (r == 0) {
		rep->defer = &cdr_durable; /* answered once durable */
		return;
	}
	/* FreeSWITCH retries anything but 2xx, then keeps the CDR in its
	 * error folder: a 503 loses nothing, a 400 says it will never work */
	log_warn("CDR from %s not accepted: %s", req->client_ip, why[0] ? why : "error");
	reply_error(rep,
		    r == -EINVAL ? 400 :
		    r == -E2BIG  ? 413 :
				   503,
		    why[0] ? why : "CDR not stored");
}
