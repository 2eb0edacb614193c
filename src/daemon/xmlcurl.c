/* mod_xml_curl answers; see xmlcurl.h. */
#include "daemon/xmlcurl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/db.h"
#include "daemon/dircache.h"
#include "daemon/form.h"
#include "daemon/fsxml.h"
#include "daemon/log.h"
#include "daemon/metrics.h"

#define XML_CTYPE "text/xml; charset=utf-8"

/* ---- helpers ----------------------------------------------------------- */

/* Domain names and extension numbers as they may appear in a lookup; a
 * value outside these alphabets cannot match a row (the schema enforces the
 * same), so it is answered "not found" without a query. */
static bool valid_domain(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-')
			return false;
	return true;
}

static bool valid_user(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 33)
		return false;
	if (*s == '+')
		s++;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

static bool valid_destination(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("+*#_.-", *s))
			return false;
	return true;
}

static void lower_copy(char *dst, size_t dstsz, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < dstsz; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

static void reply_not_found(struct http_reply *rep)
{
	reply_text(rep, 200, XML_CTYPE, fsxml_not_found);
}

static void reply_db_down(struct http_req *req, struct http_reply *rep, const struct db_err *err)
{
	log_warn("xml_curl lookup from %s: database: %s", req->client_ip, err->msg);
	reply_text(rep, 503, "text/plain; charset=utf-8", "database unavailable\n");
}

/* Appends `<tag name="NAME" value="VALUE"/>` with both escaped. */
static int add_nv(struct strbuf *sb, const char *indent, const char *tag, const char *name,
		  const char *value)
{
	int r = sb_addf(sb, "%s<%s name=\"", indent, tag);

	if (r >= 0)
		r = fsxml_escape(sb, name);
	if (r >= 0)
		r = sb_adds(sb, "\" value=\"");
	if (r >= 0)
		r = fsxml_escape(sb, value);
	if (r >= 0)
		r = sb_adds(sb, "\"/>\n");
	return r;
}

/* <action application="APP" data="RAW_PREFIX + escaped(VALUE)"/>; the raw
 * prefix is always a constant of ours (it may hold ${...} meant for
 * FreeSWITCH), never request or database data. */
static int add_action(struct strbuf *sb, const char *app, const char *raw_prefix, const char *value)
{
	int r = sb_addf(sb, "          <action application=\"%s\"", app);

	if (r >= 0 && (raw_prefix || value)) {
		r = sb_addf(sb, " data=\"%s", raw_prefix ? raw_prefix : "");
		if (r >= 0 && value)
			r = fsxml_escape(sb, value);
		if (r >= 0)
			r = sb_addc(sb, '"');
	}
	if (r >= 0)
		r = sb_adds(sb, "/>\n");
	return r;
}

/* ---- directory --------------------------------------------------------- */

static const struct db_stmt stmt_dir_user = {
	"dir_user",
	"SELECT e.extension, e.a1_hash, e.display_name, e.user_context,"
	"       coalesce(e.caller_id_number, e.extension), e.voicemail_enabled, d.name"
	"  FROM voip.extensions e JOIN voip.domains d ON d.id = e.domain_id"
	" WHERE d.name = $1 AND e.extension = $2 AND e.enabled AND d.enabled",
	2, true
};

/* Renders the directory document for one user. Returns 1 when rendered,
 * 0 when the row must not be offered (no usable a1-hash), -1 on ENOMEM. */
static int render_user(struct strbuf *sb, PGresult *res)
{
	const char *ext = PQgetvalue(res, 0, 0), *a1 = PQgetvalue(res, 0, 1);
	const char *name = PQgetvalue(res, 0, 2), *ctx = PQgetvalue(res, 0, 3);
	const char *cid = PQgetvalue(res, 0, 4), *vm = PQgetvalue(res, 0, 5);
	const char *domain = PQgetvalue(res, 0, 6);
	int r;

	/* A <user> without credentials is let in with no password check by
	 * FreeSWITCH: never emit one (the schema forbids it too). */
	if (strlen(a1) != 32 || PQgetisnull(res, 0, 1))
		return 0;
	r = sb_adds(sb, FSXML_HEAD "  <section name=\"directory\">\n    <domain name=\"");
	if (r >= 0)
		r = fsxml_escape(sb, domain);
	if (r >= 0)
		r = sb_adds(
			sb,
			"\">\n      <params>\n"
			/* our constant: FreeSWITCH expands it when bridging to the user */
			"        <param name=\"dial-string\" value=\"{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}}${sofia_contact(*/${dialed_user}@${dialed_domain})}\"/>\n"
			"      </params>\n      <groups>\n        <group name=\"default\">\n          <users>\n"
			"            <user id=\"");
	if (r >= 0)
		r = fsxml_escape(sb, ext);
	if (r >= 0)
		r = sb_adds(sb, "\">\n              <params>\n");
	if (r >= 0)
		r = add_nv(sb, "                ", "param", "a1-hash", a1);
	if (r >= 0)
		r = sb_adds(sb, "              </params>\n              <variables>\n");
	if (r >= 0)
		r = add_nv(sb, "                ", "variable", "user_context", ctx);
	if (r >= 0)
		r = add_nv(sb, "                ", "variable", "domain_name", domain);
	if (r >= 0)
		r = add_nv(sb, "                ", "variable", "effective_caller_id_name",
			   *name ? name : ext);
	if (r >= 0)
		r = add_nv(sb, "                ", "variable", "effective_caller_id_number", cid);
	if (r >= 0)
		r = add_nv(sb, "                ", "variable", "voicemail_enabled",
			   strcmp(vm, "t") == 0 ? "true" : "false");
	if (r >= 0)
		r = sb_adds(sb, "              </variables>\n            </user>\n"
				"          </users>\n        </group>\n      </groups>\n"
				"    </domain>\n  </section>\n</document>\n");
	return r < 0 ? -1 : 1;
}

static void directory(struct http_req *req, struct http_reply *rep, const struct form *f)
{
	struct app *app = req->app;
	const char *action = form_get(f, "action");
	const char *user = form_get(f, "user");
	const char *domain = form_get(f, "domain");
	const char *purpose = form_get(f, "purpose");
	char key[300], dom[256];
	struct settings st;
	struct strbuf doc = STRBUF_INIT;
	struct db_conn *c;
	struct db_err err;
	const char *params[2];
	PGresult *res;
	uint64_t gen;
	char *cached;
	size_t len;
	int r;

	/* FreeSWITCH looks for <domain name="KEY_VALUE"> in the answer;
	 * key_value and domain are the same for every lookup it makes, but
	 * key_value is the one that must match */
	{
		const char *tag = form_get(f, "tag_name"), *kv = form_get(f, "key_value");

		if (tag && strcmp(tag, "domain") == 0 && kv && *kv)
			domain = kv;
	}
	/* Startup scans (gateways, ACL network lists), reverse auth and event
	 * socket/verto logins are not ours to answer: FreeSWITCH's static
	 * configuration handles them. */
	if (purpose || !user || !domain) {
		reply_not_found(rep);
		return;
	}
	if (action && strcmp(action, "sip_auth") != 0 && strcmp(action, "user_call") != 0 &&
	    strcmp(action, "message-count") != 0 && strcmp(action, "voicemail-lookup") != 0) {
		reply_not_found(rep);
		return;
	}
	if (!valid_user(user) || !valid_domain(domain)) {
		reply_not_found(rep);
		return;
	}
	lower_copy(dom, sizeof(dom), domain);
	snprintf(key, sizeof(key), "%s\n%s", dom, user);

	app_settings_get(app, &st);
	if (st.directory_cache_ms) {
		cached = dircache_get(app->dircache, key, &len);
		if (cached) {
			metric_counter_add(
				metrics_counter(app->metrics,
						"voipadmin_directory_cache_hits_total",
						"Directory lookups answered from the cache", ""),
				1);
			sb_release(&rep->body);
			rep->body.buf = cached;
			rep->body.len = len;
			rep->body.alloc = len + 1;
			rep->status = 200;
			rep->content_type = XML_CTYPE;
			return;
		}
		metric_counter_add(metrics_counter(app->metrics,
						   "voipadmin_directory_cache_misses_total",
						   "Directory lookups that went to the database",
						   ""),
				   1);
	}

	gen = dircache_generation(app->dircache);
	c = db_conn_get(app->db);
	if (!c) {
		reply_error(rep, 500, "out of memory");
		return;
	}
	params[0] = dom;
	params[1] = user;
	res = db_query(c, &stmt_dir_user, params, &err);
	if (!res) {
		reply_db_down(req, rep, &err);
		return;
	}
	r = PQntuples(res) == 1 ? render_user(&doc, res) : 0;
	PQclear(res);
	if (r < 0) {
		sb_release(&doc);
		{
			reply_error(rep, 500, "out of memory");
			return;
		}
	}
	if (r == 0 && sb_adds(&doc, fsxml_not_found) < 0) {
		sb_release(&doc);
		{
			reply_error(rep, 500, "out of memory");
			return;
		}
	}
	dircache_put(app->dircache, key, doc.buf, doc.len, st.directory_cache_ms, gen);
	sb_release(&rep->body);
	rep->body = doc;
	rep->status = 200;
	rep->content_type = XML_CTYPE;
}

/* ---- dialplan ---------------------------------------------------------- */

static const struct db_stmt stmt_dp_ext = {
	"dp_extension",
	"SELECT e.extension, d.name, e.voicemail_enabled,"
	"       coalesce((SELECT rp.mode FROM voip.recording_policies rp"
	"                  WHERE rp.domain_id = d.id AND (rp.extension_id = e.id OR rp.extension_id IS NULL)"
	"                  ORDER BY rp.extension_id NULLS LAST LIMIT 1), 'never')"
	"  FROM voip.extensions e JOIN voip.domains d ON d.id = e.domain_id"
	" WHERE d.name = $1 AND e.extension = $2 AND e.enabled AND d.enabled",
	2, true
};

static const struct db_stmt stmt_dp_queue = {
	"dp_queue",
	"SELECT q.name, d.name FROM voip.queues q JOIN voip.domains d ON d.id = q.domain_id"
	" WHERE d.name = $1 AND q.number = $2 AND q.enabled AND d.enabled",
	2, true
};

static const struct db_stmt stmt_dp_ivr = {
	"dp_ivr",
	"SELECT m.name FROM voip.ivr_menus m JOIN voip.domains d ON d.id = m.domain_id"
	" WHERE d.name = $1 AND m.number = $2 AND m.enabled AND d.enabled",
	2, true
};

static const struct db_stmt stmt_dp_trunk = {
	"dp_trunk",
	"SELECT t.gateway, t.strip_digits, t.prepend"
	"  FROM voip.trunks t LEFT JOIN voip.domains d ON d.id = t.domain_id"
	" WHERE t.enabled AND (t.domain_id IS NULL OR (d.name = $1 AND d.enabled))"
	"   AND starts_with($2, t.prefix)"
	" ORDER BY length(t.prefix) DESC, t.priority, t.id LIMIT 1",
	2, true
};

/* Opens document, section, context and one unconditional extension: the
 * document is computed for exactly this call, so no regex is needed. */
static int dp_open(struct strbuf *sb, const char *context, const char *name)
{
	int r = sb_adds(sb, FSXML_HEAD "  <section name=\"dialplan\" description=\"voip-admind\">\n"
				       "    <context name=\"");

	if (r >= 0)
		r = fsxml_escape(sb, context);
	if (r >= 0)
		r = sb_addf(sb, "\">\n      <extension name=\"%s\">\n        <condition>\n", name);
	return r;
}

static int dp_close(struct strbuf *sb)
{
	return sb_adds(sb, "        </condition>\n      </extension>\n    </context>\n"
			   "  </section>\n</document>\n");
}

/* A whole dialplan document whose one extension answers the call, then runs
 * APP with DATA (a queue, an IVR menu, a voicemail box). */
static int dp_answer_then(struct strbuf *sb, const char *context, const char *name, const char *app,
			  const char *data)
{
	int r = dp_open(sb, context, name);

	if (r >= 0)
		r = add_action(sb, "answer", NULL, NULL);
	if (r >= 0)
		r = add_action(sb, app, NULL, data);
	if (r >= 0)
		r = dp_close(sb);
	return r;
}

/* Runs one lookup; 1 row found (res kept), 0 none, -1 db error (err set). */
static int lookup(struct db_conn *c, const struct db_stmt *st, const char *dom, const char *num,
		  PGresult **res, struct db_err *err)
{
	const char *params[2] = { dom, num };

	*res = db_query(c, st, params, err);
	if (!*res)
		return -1;
	if (PQntuples(*res) == 0) {
		PQclear(*res);
		*res = NULL;
		return 0;
	}
	return 1;
}

static int dp_local(struct strbuf *sb, const char *context, PGresult *res)
{
	const char *ext = PQgetvalue(res, 0, 0), *dom = PQgetvalue(res, 0, 1);
	bool vm = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	bool rec = strcmp(PQgetvalue(res, 0, 3), "always") == 0;
	char target[320];
	int r = dp_open(sb, context, "local_extension");

	snprintf(target, sizeof(target), "%s@%s", ext, dom);
	if (r >= 0)
		r = add_action(sb, "export", "dialed_extension=", ext);
	if (r >= 0)
		r = add_action(sb, "set", "call_timeout=30", NULL);
	if (r >= 0)
		r = add_action(sb, "set", "hangup_after_bridge=true", NULL);
	if (r >= 0)
		r = add_action(sb, "set", "continue_on_fail=true", NULL);
	if (r >= 0 && rec) {
		r = add_action(sb, "set", "RECORD_STEREO=true", NULL);
		if (r >= 0)
			r = add_action(
				sb, "record_session",
				"$${recordings_dir}/${domain_name}/${strftime(%Y-%m-%d)}/${uuid}.wav",
				NULL);
	}
	if (r >= 0)
		r = add_action(sb, "bridge", "user/", target);
	if (r >= 0 && vm) {
		char box[320];

		snprintf(box, sizeof(box), "default %s %s", dom, ext);
		r = add_action(sb, "answer", NULL, NULL);
		if (r >= 0)
			r = add_action(sb, "sleep", "1000", NULL);
		if (r >= 0)
			r = add_action(sb, "voicemail", NULL, box);
	}
	if (r >= 0)
		r = dp_close(sb);
	return r;
}

static void dialplan(struct http_req *req, struct http_reply *rep, const struct form *f)
{
	struct app *app = req->app;
	const char *context = form_get(f, "Hunt-Context");
	const char *dest = form_get(f, "Hunt-Destination-Number");
	const char *domain = form_get(f, "variable_domain_name");
	struct strbuf doc = STRBUF_INIT;
	struct db_conn *c;
	struct db_err err;
	PGresult *res = NULL;
	char dom[256];
	int found, r = 0;

	if (!context || !*context)
		context = form_get(f, "Caller-Context");
	if (!dest || !*dest)
		dest = form_get(f, "Caller-Destination-Number");
	if (!domain || !*domain)
		domain = form_get(f, "variable_sip_req_host");
	if (!domain || !*domain)
		domain = form_get(f, "variable_sip_to_host");
	if (!context || !*context)
		context = "default";
	if (!dest || !domain || !valid_destination(dest) || !valid_domain(domain) ||
	    strlen(context) > 64) {
		reply_not_found(rep);
		return;
	}
	lower_copy(dom, sizeof(dom), domain);
	c = db_conn_get(app->db);
	if (!c) {
		reply_error(rep, 500, "out of memory");
		return;
	}

	/* 1. a local extension */
	found = lookup(c, &stmt_dp_ext, dom, dest, &res, &err);
	if (found < 0) {
		reply_db_down(req, rep, &err);
		return;
	}
	if (found) {
		r = dp_local(&doc, context, res);
		goto done;
	}
	/* 2. a queue */
	found = lookup(c, &stmt_dp_queue, dom, dest, &res, &err);
	if (found < 0) {
		reply_db_down(req, rep, &err);
		return;
	}
	if (found) {
		char q[400];

		snprintf(q, sizeof(q), "%s@%s", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
		r = dp_answer_then(&doc, context, "queue", "callcenter", q);
		goto done;
	}
	/* 3. an IVR menu */
	found = lookup(c, &stmt_dp_ivr, dom, dest, &res, &err);
	if (found < 0) {
		reply_db_down(req, rep, &err);
		return;
	}
	if (found) {
		r = dp_answer_then(&doc, context, "ivr", "ivr", PQgetvalue(res, 0, 0));
		goto done;
	}
	/* 4. voicemail: *98 checks one's own box, *99EXT leaves a message */
	if (strcmp(dest, "*98") == 0) {
		char box[300];

		snprintf(box, sizeof(box), "check default %s", dom);
		r = dp_answer_then(&doc, context, "voicemail_check", "voicemail", box);
		goto done;
	}
	if (strncmp(dest, "*99", 3) == 0 && dest[3]) {
		found = lookup(c, &stmt_dp_ext, dom, dest + 3, &res, &err);
		if (found < 0) {
			reply_db_down(req, rep, &err);
			return;
		}
		if (found && strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
			char box[400];

			snprintf(box, sizeof(box), "default %s %s", PQgetvalue(res, 0, 1),
				 PQgetvalue(res, 0, 0));
			r = dp_answer_then(&doc, context, "voicemail_leave", "voicemail", box);
			goto done;
		}
		PQclear(res);
		res = NULL;
		goto done;
	}
	/* 5. out through a trunk: only for our own users (never from the
	 * public context: that would let anyone on the internet dial out),
	 * and only for plain numbers */
	if (strcmp(context, "public") != 0 &&
	    dest[strspn(dest + (dest[0] == '+'), "0123456789") + (dest[0] == '+')] == '\0') {
		found = lookup(c, &stmt_dp_trunk, dom, dest, &res, &err);
		if (found < 0) {
			reply_db_down(req, rep, &err);
			return;
		}
		if (found) {
			long strip = strtol(PQgetvalue(res, 0, 1), NULL, 10);
			char target[400];
			size_t dl = strlen(dest);

			if (strip < 0 || (size_t)strip > dl)
				strip = (long)dl;
			snprintf(target, sizeof(target), "%s/%s%s", PQgetvalue(res, 0, 0),
				 PQgetvalue(res, 0, 2), dest + strip);
			r = dp_open(&doc, context, "outbound");
			if (r >= 0)
				r = add_action(&doc, "set", "hangup_after_bridge=true", NULL);
			if (r >= 0)
				r = add_action(&doc, "bridge", "sofia/gateway/", target);
			if (r >= 0)
				r = dp_close(&doc);
			goto done;
		}
	}
done:
	PQclear(res);
	if (r < 0) {
		sb_release(&doc);
		{
			reply_error(rep, 500, "out of memory");
			return;
		}
	}
	if (doc.len == 0) {
		reply_not_found(rep);
		return;
	}
	sb_release(&rep->body);
	rep->body = doc;
	rep->status = 200;
	rep->content_type = XML_CTYPE;
}

/* ---- entry point ------------------------------------------------------- */

void handle_fs_xml(struct http_req *req, struct http_reply *rep)
{
	struct form f = FORM_INIT;
	const char *section;

	/* FreeSWITCH sends the first five fields without URL-encoding, so a
	 * hostile key_value can make the body undecodable: answer "not found"
	 * rather than an HTTP error (FreeSWITCH would fall back to static). */
	if (form_parse(req->body, req->body_len, &f) < 0) {
		reply_not_found(rep);
		return;
	}
	section = form_get(&f, "section");
	if (section && strcmp(section, "directory") == 0)
		directory(req, rep, &f);
	else if (section && strcmp(section, "dialplan") == 0)
		dialplan(req, rep, &f);
	else
		reply_not_found(rep);
	form_free(&f);
}
