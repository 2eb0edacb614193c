/* /api/v1/domains and /api/v1/extensions; see api.h.
 *
 * Creating an extension also creates the Kamailio subscriber (same
 * transaction), so the SIP proxy and FreeSWITCH always agree on who exists.
 * Only digests are stored: HA1 = md5(ext:domain:password) for FreeSWITCH's
 * a1-hash and Kamailio's ha1, HA1b = md5(ext@domain:domain:password) for
 * Kamailio's ha1b; kamailio.subscriber.password stays empty
 * (auth_db calculate_ha1=0). The clear password lives only in the request
 * buffer and is wiped after hashing. */
#include "daemon/api.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dircache.h"
#include "daemon/dirnotify.h"
#include "daemon/hash.h"
#include "daemon/log.h"
#include "lib/validators.h"

#define EXT_COLS "e.id, d.name, e.extension, e.display_name, e.user_context," \
	" e.caller_id_number, e.voicemail_enabled, e.enabled," \
	" to_json(e.created_at)#>>'{}', to_json(e.updated_at)#>>'{}'"

static const struct db_stmt st_domains_list = {
	"api_domains_list",
	"SELECT id, name, enabled, to_json(created_at)#>>'{}' FROM voip.domains"
	" ORDER BY name LIMIT $1 OFFSET $2",
	2, true,
};
static const struct db_stmt st_domain_add = {
	"api_domain_add",
	"INSERT INTO voip.domains (name) VALUES ($1)"
	" RETURNING id, name, enabled, to_json(created_at)#>>'{}'",
	1, false,
};
static const struct db_stmt st_ext_list = {
	"api_ext_list",
	"SELECT " EXT_COLS " FROM voip.extensions e JOIN voip.domains d ON d.id = e.domain_id"
	" WHERE ($1::text IS NULL OR d.name = $1)"
	" ORDER BY d.name, e.extension LIMIT $2 OFFSET $3",
	3, true,
};
static const struct db_stmt st_ext_get = {
	"api_ext_get",
	"SELECT " EXT_COLS " FROM voip.extensions e JOIN voip.domains d ON d.id = e.domain_id"
	" WHERE e.id = $1",
	1, true,
};
static const struct db_stmt st_ext_add = {
	"api_ext_add",
	"WITH e AS (INSERT INTO voip.extensions (domain_id, extension, a1_hash, a1b_hash,"
	"   display_name, user_context, caller_id_number, voicemail_enabled)"
	"  SELECT d.id, $2, $3, $4, $5, $6, $7, $8 FROM voip.domains d WHERE d.name = $1"
	"  RETURNING *)"
	" SELECT " EXT_COLS " FROM e JOIN voip.domains d ON d.id = e.domain_id",
	8, false,
};
static const struct db_stmt st_ext_patch = {
	"api_ext_patch",
	"WITH e AS (UPDATE voip.extensions SET"
	"   display_name = coalesce($2, display_name),"
	"   user_context = coalesce($3, user_context),"
	"   caller_id_number = CASE WHEN $4::boolean THEN $5 ELSE caller_id_number END,"
	"   voicemail_enabled = coalesce($6::boolean, voicemail_enabled),"
	"   enabled = coalesce($7::boolean, enabled),"
	"   updated_at = now()"
	"  WHERE id = $1 RETURNING *)"
	" SELECT " EXT_COLS " FROM e JOIN voip.domains d ON d.id = e.domain_id",
	7, false,
};
static const struct db_stmt st_ext_lock = {
	"api_ext_lock",
	"SELECT e.extension, d.name FROM voip.extensions e JOIN voip.domains d ON d.id = e.domain_id"
	" WHERE e.id = $1 FOR UPDATE OF e",
	1, false,
};
static const struct db_stmt st_ext_setpw = {
	"api_ext_setpw",
	"UPDATE voip.extensions SET a1_hash = $2, a1b_hash = $3, updated_at = now() WHERE id = $1",
	3, false,
};
static const struct db_stmt st_ext_del = {
	"api_ext_del",
	"DELETE FROM voip.extensions e USING voip.domains d"
	" WHERE e.id = $1 AND d.id = e.domain_id RETURNING e.extension, d.name",
	1, false,
};
/* Makes kamailio.subscriber match voip.extensions for one extension:
 * present with the stored digests when enabled (domain too), absent
 * otherwise. */
static const struct db_stmt st_sub_sync = {
	"api_sub_sync",
	"WITH src AS (SELECT e.extension, d.name AS domain, e.a1_hash, e.a1b_hash,"
	"                    e.enabled AND d.enabled AS active"
	"               FROM voip.extensions e JOIN voip.domains d ON d.id = e.domain_id"
	"              WHERE e.id = $1),"
	" del AS (DELETE FROM kamailio.subscriber s USING src"
	"          WHERE s.username = src.extension AND s.domain = src.domain AND NOT src.active)"
	" INSERT INTO kamailio.subscriber (username, domain, password, ha1, ha1b)"
	" SELECT extension, domain, '', a1_hash, a1b_hash FROM src WHERE active"
	" ON CONFLICT (username, domain) DO UPDATE"
	"   SET password = '', ha1 = EXCLUDED.ha1, ha1b = EXCLUDED.ha1b",
	1, false,
};
static const struct db_stmt st_sub_del = {
	"api_sub_del",
	"DELETE FROM kamailio.subscriber WHERE username = $1 AND domain = $2",
	2, false,
};

/* Tells every daemon (both nodes) to drop its directory cache; inside a
 * transaction the notification is delivered at COMMIT (dirnotify.h). */
static const struct db_stmt st_notify = {
	"api_notify", "SELECT pg_notify('" DIRNOTIFY_CHANNEL "', '')", 0, false,
};

static int notify_directory(struct db_conn *c, struct db_err *err)
{
	PGresult *res = db_query(c, &st_notify, NULL, err);

	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

static cJSON *ext_json(PGresult *res, int row)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "id", strtod(PQgetvalue(res, row, 0), NULL));
	cJSON_AddStringToObject(o, "domain", PQgetvalue(res, row, 1));
	cJSON_AddStringToObject(o, "extension", PQgetvalue(res, row, 2));
	cJSON_AddStringToObject(o, "display_name", PQgetvalue(res, row, 3));
	cJSON_AddStringToObject(o, "user_context", PQgetvalue(res, row, 4));
	if (PQgetisnull(res, row, 5))
		cJSON_AddNullToObject(o, "caller_id_number");
	else
		cJSON_AddStringToObject(o, "caller_id_number", PQgetvalue(res, row, 5));
	cJSON_AddBoolToObject(o, "voicemail", strcmp(PQgetvalue(res, row, 6), "t") == 0);
	cJSON_AddBoolToObject(o, "enabled", strcmp(PQgetvalue(res, row, 7), "t") == 0);
	cJSON_AddStringToObject(o, "created_at", PQgetvalue(res, row, 8));
	cJSON_AddStringToObject(o, "updated_at", PQgetvalue(res, row, 9));
	return o;
}

/* Path ids are positive decimal integers; anything else is 404. */
static bool parse_id(const char *s)
{
	return *s && *s != '0' && strlen(s) <= 18 && s[strspn(s, "0123456789")] == '\0';
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static void rollback(struct db_conn *c)
{
	struct db_err ignored;

	if (db_in_transaction(c))
		db_exec(c, "ROLLBACK", &ignored);
}

/* ---- domains ---- */

void api_domains(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = db_conn_get(req->app->db);
	struct db_err err;
	PGresult *res;

	if (!c) {
		reply_error(rep, 500, "out of memory");
		return;
	}
	if (strcmp(req->method, "GET") == 0) {
		unsigned long limit, offset;
		char l[16], o[16];
		const char *params[2] = { l, o };
		cJSON *arr, *top;

		if (!api_query_uint(req, rep, "limit", 1, 1000, 100, &limit) ||
		    !api_query_uint(req, rep, "offset", 0, 100000000, 0, &offset))
			return;
		snprintf(l, sizeof(l), "%lu", limit);
		snprintf(o, sizeof(o), "%lu", offset);
		res = db_query(c, &st_domains_list, params, &err);
		if (!res) {
			api_db_error(req, rep, &err);
			return;
		}
		top = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(top, "items");
		for (int i = 0; i < PQntuples(res); i++) {
			cJSON *d = cJSON_CreateObject();

			cJSON_AddNumberToObject(d, "id", strtod(PQgetvalue(res, i, 0), NULL));
			cJSON_AddStringToObject(d, "name", PQgetvalue(res, i, 1));
			cJSON_AddBoolToObject(d, "enabled", strcmp(PQgetvalue(res, i, 2), "t") == 0);
			cJSON_AddStringToObject(d, "created_at", PQgetvalue(res, i, 3));
			cJSON_AddItemToArray(arr, d);
		}
		PQclear(res);
		reply_json(rep, 200, top);
	} else if (strcmp(req->method, "POST") == 0) {
		cJSON *body = api_body_object(req, rep), *d;
		bool bad = false;
		const char *name;
		char dom[256];
		const char *params[1] = { dom };

		if (!body)
			return;
		name = api_json_string(body, "name", &bad);
		if (bad || !name || strlen(name) >= sizeof(dom)) {
			cJSON_Delete(body);
			reply_error(rep, 400, "name: required, a domain name or IPv4 address");
			return;
		}
		snprintf(dom, sizeof(dom), "%s", name);
		cJSON_Delete(body);
		lower(dom);
		if (!domain_valid(dom)) {
			reply_error(rep, 400, "name: must be a domain name or IPv4 address");
			return;
		}
		/* a transaction even for one row: its BEGIN may be retried on a
		 * fresh connection after a failover, and the NOTIFY goes with it */
		if (db_exec(c, "BEGIN", &err) < 0) {
			api_db_error(req, rep, &err);
			return;
		}
		res = db_query(c, &st_domain_add, params, &err);
		if (!res || notify_directory(c, &err) < 0 || db_exec(c, "COMMIT", &err) < 0) {
			PQclear(res);
			rollback(c);
			api_db_error(req, rep, &err);
			return;
		}
		d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "id", strtod(PQgetvalue(res, 0, 0), NULL));
		cJSON_AddStringToObject(d, "name", PQgetvalue(res, 0, 1));
		cJSON_AddBoolToObject(d, "enabled", strcmp(PQgetvalue(res, 0, 2), "t") == 0);
		cJSON_AddStringToObject(d, "created_at", PQgetvalue(res, 0, 3));
		PQclear(res);
		dircache_flush(req->app->dircache);
		log_notice("domain '%s' created by %s", dom, req->client_ip);
		reply_json(rep, 201, d);
	} else {
		reply_error(rep, 405, "method not allowed");
	}
}

/* ---- extensions ---- */

static void ext_list(struct http_req *req, struct http_reply *rep, struct db_conn *c)
{
	unsigned long limit, offset;
	char l[16], o[16], dom[256];
	const char *domain = http_query(req, "domain");
	const char *params[3] = { NULL, l, o };
	struct db_err err;
	PGresult *res;
	cJSON *top, *arr;

	if (!api_query_uint(req, rep, "limit", 1, 1000, 100, &limit) ||
	    !api_query_uint(req, rep, "offset", 0, 100000000, 0, &offset))
		return;
	if (domain) {
		snprintf(dom, sizeof(dom), "%s", domain);
		lower(dom);
		if (!domain_valid(dom)) {
			reply_error(rep, 400, "domain: must be a domain name or IPv4 address");
			return;
		}
		params[0] = dom;
	}
	snprintf(l, sizeof(l), "%lu", limit);
	snprintf(o, sizeof(o), "%lu", offset);
	res = db_query(c, &st_ext_list, params, &err);
	if (!res) {
		api_db_error(req, rep, &err);
		return;
	}
	top = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(top, "items");
	for (int i = 0; i < PQntuples(res); i++)
		cJSON_AddItemToArray(arr, ext_json(res, i));
	cJSON_AddNumberToObject(top, "limit", (double)limit);
	cJSON_AddNumberToObject(top, "offset", (double)offset);
	PQclear(res);
	reply_json(rep, 200, top);
}

/* Computes both digests for ext@dom with password pw. */
static int digests(const char *ext, const char *dom, const char *pw, char a1[33], char a1b[33])
{
	char user_at[320];

	snprintf(user_at, sizeof(user_at), "%s@%s", ext, dom);
	if (hash_sip_ha1(ext, dom, pw, a1) < 0 || hash_sip_ha1(user_at, dom, pw, a1b) < 0)
		return -1;
	return 0;
}

/* Wipes a string inside a cJSON tree (the clear password) before freeing. */
static void wipe_field(cJSON *obj, const char *name)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (it && cJSON_IsString(it) && it->valuestring)
		explicit_bzero(it->valuestring, strlen(it->valuestring));
}

static void ext_create(struct http_req *req, struct http_reply *rep, struct db_conn *c)
{
	cJSON *body = api_body_object(req, rep), *vmj, *out;
	bool bad = false, vm = true;
	const char *domain, *ext, *pw, *name, *ctx, *cid, *why = NULL;
	char dom[256], a1[33], a1b[33], id[24];
	const char *params[8];
	struct db_err err;
	PGresult *res;

	if (!body)
		return;
	domain = api_json_string(body, "domain", &bad);
	ext = api_json_string(body, "extension", &bad);
	pw = api_json_string(body, "password", &bad);
	name = api_json_string(body, "display_name", &bad);
	ctx = api_json_string(body, "user_context", &bad);
	cid = api_json_string(body, "caller_id_number", &bad);
	vmj = cJSON_GetObjectItemCaseSensitive(body, "voicemail");
	if (vmj && !cJSON_IsBool(vmj))
		why = "voicemail: must be true or false";
	else if (vmj)
		vm = cJSON_IsTrue(vmj);
	if (bad)
		why = "fields must be strings";
	else if (!domain || strlen(domain) >= sizeof(dom))
		why = "domain: required";
	else if (!ext || !api_valid_extension(ext))
		why = "extension: required, 1-32 letters, digits, '_', '.', '-' (optional leading '+')";
	else if (!pw)
		why = "password: required";
	else if (!api_valid_password(pw, &why))
		;
	else if (name && !api_valid_display_name(name))
		why = "display_name: at most 128 bytes of UTF-8 without control characters";
	else if (ctx && !api_valid_context(ctx))
		why = "user_context: 1-64 letters, digits, '_' or '-'";
	else if (cid && !api_valid_cid_number(cid))
		why = "caller_id_number: digits with an optional leading '+'";
	if (!why) {
		snprintf(dom, sizeof(dom), "%s", domain);
		lower(dom);
		if (!domain_valid(dom))
			why = "domain: must be a domain name or IPv4 address";
	}
	if (why) {
		wipe_field(body, "password");
		cJSON_Delete(body);
		reply_error(rep, 400, why);
		return;
	}
	if (digests(ext, dom, pw, a1, a1b) < 0) {
		wipe_field(body, "password");
		cJSON_Delete(body);
		reply_error(rep, 500, "cannot hash password");
		return;
	}
	wipe_field(body, "password");
	params[0] = dom;
	params[1] = ext;
	params[2] = a1;
	params[3] = a1b;
	params[4] = name ? name : "";
	params[5] = ctx ? ctx : "default";
	params[6] = cid;
	params[7] = vm ? "true" : "false";

	if (db_exec(c, "BEGIN", &err) < 0)
		goto dberr;
	res = db_query(c, &st_ext_add, params, &err);
	if (!res)
		goto dberr;
	if (PQntuples(res) == 0) {
		PQclear(res);
		rollback(c);
		cJSON_Delete(body);
		reply_error(rep, 400, "domain: unknown (create it with POST /api/v1/domains)");
		return;
	}
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	out = ext_json(res, 0);
	PQclear(res);
	{
		const char *p1[1] = { id };

		res = db_query(c, &st_sub_sync, p1, &err);
		if (!res) {
			cJSON_Delete(out);
			goto dberr;
		}
		PQclear(res);
	}
	if (notify_directory(c, &err) < 0 || db_exec(c, "COMMIT", &err) < 0) {
		cJSON_Delete(out);
		goto dberr;
	}
	log_notice("extension %s@%s created by %s", ext, dom, req->client_ip);
	cJSON_Delete(body);
	dircache_flush(req->app->dircache);
	reply_json(rep, 201, out);
	return;
dberr:
	rollback(c);
	cJSON_Delete(body);
	api_db_error(req, rep, &err);
}

static void ext_get(struct http_req *req, struct http_reply *rep, struct db_conn *c,
		    const char *id)
{
	const char *params[1] = { id };
	struct db_err err;
	PGresult *res = db_query(c, &st_ext_get, params, &err);

	if (!res) {
		api_db_error(req, rep, &err);
		return;
	}
	if (PQntuples(res) == 0)
		reply_error(rep, 404, "no such extension");
	else
		reply_json(rep, 200, ext_json(res, 0));
	PQclear(res);
}

static const char *json_bool_param(const cJSON *body, const char *name, bool *bad)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(body, name);

	if (!it)
		return NULL;
	if (!cJSON_IsBool(it)) {
		*bad = true;
		return NULL;
	}
	return cJSON_IsTrue(it) ? "true" : "false";
}

static void ext_patch(struct http_req *req, struct http_reply *rep, struct db_conn *c,
		      const char *id)
{
	cJSON *body = api_body_object(req, rep), *cidj, *out;
	bool bad = false, badb = false;
	const char *name, *ctx, *cid = NULL, *why = NULL, *vm, *en;
	const char *params[7];
	const char *p1[1] = { id };
	struct db_err err;
	PGresult *res;

	if (!body)
		return;
	if (cJSON_GetObjectItemCaseSensitive(body, "password")) {
		wipe_field(body, "password");
		cJSON_Delete(body);
		reply_error(rep, 400, "password: change it with PUT /api/v1/extensions/{id}/password");
		return;
	}
	name = api_json_string(body, "display_name", &bad);
	ctx = api_json_string(body, "user_context", &bad);
	cidj = cJSON_GetObjectItemCaseSensitive(body, "caller_id_number");
	if (cidj && !cJSON_IsNull(cidj))
		cid = api_json_string(body, "caller_id_number", &bad);
	vm = json_bool_param(body, "voicemail", &badb);
	en = json_bool_param(body, "enabled", &badb);
	if (cJSON_GetObjectItemCaseSensitive(body, "extension") ||
	    cJSON_GetObjectItemCaseSensitive(body, "domain"))
		why = "extension and domain cannot change (the digests depend on them): delete and re-create";
	else if (bad)
		why = "display_name, user_context, caller_id_number: must be strings";
	else if (badb)
		why = "voicemail, enabled: must be true or false";
	else if (name && !api_valid_display_name(name))
		why = "display_name: at most 128 bytes of UTF-8 without control characters";
	else if (ctx && !api_valid_context(ctx))
		why = "user_context: 1-64 letters, digits, '_' or '-'";
	else if (cid && !api_valid_cid_number(cid))
		why = "caller_id_number: digits with an optional leading '+'";
	if (why) {
		cJSON_Delete(body);
		reply_error(rep, 400, why);
		return;
	}
	params[0] = id;
	params[1] = name;
	params[2] = ctx;
	params[3] = cidj ? "true" : "false";
	params[4] = cid;
	params[5] = vm;
	params[6] = en;
	if (db_exec(c, "BEGIN", &err) < 0)
		goto dberr;
	res = db_query(c, &st_ext_patch, params, &err);
	if (!res)
		goto dberr;
	if (PQntuples(res) == 0) {
		PQclear(res);
		rollback(c);
		cJSON_Delete(body);
		reply_error(rep, 404, "no such extension");
		return;
	}
	out = ext_json(res, 0);
	PQclear(res);
	res = db_query(c, &st_sub_sync, p1, &err);
	if (!res) {
		cJSON_Delete(out);
		goto dberr;
	}
	PQclear(res);
	if (notify_directory(c, &err) < 0 || db_exec(c, "COMMIT", &err) < 0) {
		cJSON_Delete(out);
		goto dberr;
	}
	cJSON_Delete(body);
	dircache_flush(req->app->dircache);
	reply_json(rep, 200, out);
	return;
dberr:
	rollback(c);
	cJSON_Delete(body);
	api_db_error(req, rep, &err);
}

static void ext_password(struct http_req *req, struct http_reply *rep, struct db_conn *c,
			 const char *id)
{
	cJSON *body = api_body_object(req, rep);
	bool bad = false;
	const char *pw, *why = NULL;
	const char *p1[1] = { id };
	char a1[33], a1b[33];
	struct db_err err;
	PGresult *res;

	if (!body)
		return;
	pw = api_json_string(body, "password", &bad);
	if (bad || !pw)
		why = "password: required";
	else
		api_valid_password(pw, &why);
	if (why) {
		wipe_field(body, "password");
		cJSON_Delete(body);
		reply_error(rep, 400, why);
		return;
	}
	if (db_exec(c, "BEGIN", &err) < 0)
		goto dberr;
	res = db_query(c, &st_ext_lock, p1, &err);
	if (!res)
		goto dberr;
	if (PQntuples(res) == 0) {
		PQclear(res);
		rollback(c);
		wipe_field(body, "password");
		cJSON_Delete(body);
		reply_error(rep, 404, "no such extension");
		return;
	}
	if (digests(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), pw, a1, a1b) < 0) {
		PQclear(res);
		rollback(c);
		wipe_field(body, "password");
		cJSON_Delete(body);
		reply_error(rep, 500, "cannot hash password");
		return;
	}
	PQclear(res);
	wipe_field(body, "password");
	{
		const char *p3[3] = { id, a1, a1b };

		res = db_query(c, &st_ext_setpw, p3, &err);
		if (!res)
			goto dberr;
		PQclear(res);
	}
	res = db_query(c, &st_sub_sync, p1, &err);
	if (!res)
		goto dberr;
	PQclear(res);
	if (notify_directory(c, &err) < 0 || db_exec(c, "COMMIT", &err) < 0)
		goto dberr;
	cJSON_Delete(body);
	dircache_flush(req->app->dircache);
	log_notice("password of extension id %s changed by %s", id, req->client_ip);
	reply_text(rep, 204, NULL, "");
	return;
dberr:
	rollback(c);
	wipe_field(body, "password");
	cJSON_Delete(body);
	api_db_error(req, rep, &err);
}

static void ext_delete(struct http_req *req, struct http_reply *rep, struct db_conn *c,
		       const char *id)
{
	const char *p1[1] = { id };
	struct db_err err;
	PGresult *res;

	if (db_exec(c, "BEGIN", &err) < 0)
		goto dberr;
	res = db_query(c, &st_ext_del, p1, &err);
	if (!res)
		goto dberr;
	if (PQntuples(res) == 0) {
		PQclear(res);
		rollback(c);
		reply_error(rep, 404, "no such extension");
		return;
	}
	{
		const char *p2[2] = { PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1) };
		PGresult *r2 = db_query(c, &st_sub_del, p2, &err);

		if (!r2) {
			PQclear(res);
			goto dberr;
		}
		PQclear(r2);
		log_notice("extension %s@%s deleted by %s", p2[0], p2[1], req->client_ip);
	}
	PQclear(res);
	if (notify_directory(c, &err) < 0 || db_exec(c, "COMMIT", &err) < 0)
		goto dberr;
	dircache_flush(req->app->dircache);
	reply_text(rep, 204, NULL, "");
	return;
dberr:
	rollback(c);
	api_db_error(req, rep, &err);
}

void api_extensions(struct http_req *req, struct http_reply *rep, const char *id,
		    const char *sub)
{
	struct db_conn *c = db_conn_get(req->app->db);
	const char *m = req->method;

	if (!c) {
		reply_error(rep, 500, "out of memory");
		return;
	}
	if (!id) {
		if (strcmp(m, "GET") == 0)
			ext_list(req, rep, c);
		else if (strcmp(m, "POST") == 0)
			ext_create(req, rep, c);
		else
			reply_error(rep, 405, "method not allowed");
		return;
	}
	if (!parse_id(id)) {
		reply_error(rep, 404, "no such extension");
		return;
	}
	if (sub) {
		if (strcmp(m, "PUT") == 0)
			ext_password(req, rep, c, id);
		else
			reply_error(rep, 405, "method not allowed");
		return;
	}
	if (strcmp(m, "GET") == 0)
		ext_get(req, rep, c, id);
	else if (strcmp(m, "PATCH") == 0)
		ext_patch(req, rep, c, id);
	else if (strcmp(m, "DELETE") == 0)
		ext_delete(req, rep, c, id);
	else
		reply_error(rep, 405, "method not allowed");
}
