/* /api/v1/extensions: list, create, read, change, delete, set password;
 * see api.h.
 *
 * Creating an extension also creates the Kamailio subscriber (same
 * transaction), so the SIP proxy and FreeSWITCH always agree on who exists.
 * Only digests are stored: HA1 = md5(ext:domain:password) for FreeSWITCH's
 * a1-hash and Kamailio's ha1, HA1b = md5(ext@domain:domain:password) for
 * Kamailio's ha1b; kamailio.subscriber.password stays empty
 * (auth_db calculate_ha1=0). The clear password lives only in the request
 * buffer and is wiped after hashing. */
#include "daemon/api.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/hash.h"
#include "daemon/log.h"
#include "lib/validators.h"

#define EXT_COLS                                                     \
	"e.id, d.name, e.extension, e.display_name, e.user_context," \
	" e.caller_id_number, e.voicemail_enabled, e.enabled,"       \
	" to_json(e.created_at)#>>'{}', to_json(e.updated_at)#>>'{}'"

static const struct db_stmt st_ext_list = {
	"api_ext_list",
	"SELECT " EXT_COLS " FROM voip.extensions e JOIN voip.domains d ON d.id = e.domain_id"
	" WHERE ($1::text IS NULL OR d.name = $1)"
	" ORDER BY d.name, e.extension LIMIT $2 OFFSET $3",
	3, true
};
static const struct db_stmt st_ext_get = {
	"api_ext_get",
	"SELECT " EXT_COLS " FROM voip.extensions e JOIN voip.domains d ON d.id = e.domain_id"
	" WHERE e.id = $1",
	1, true
};
static const struct db_stmt st_ext_add = {
	"api_ext_add",
	"WITH e AS (INSERT INTO voip.extensions (domain_id, extension, a1_hash, a1b_hash,"
	"   display_name, user_context, caller_id_number, voicemail_enabled)"
	"  SELECT d.id, $2, $3, $4, $5, $6, $7, $8 FROM voip.domains d WHERE d.name = $1"
	"  RETURNING *)"
	" SELECT " EXT_COLS " FROM e JOIN voip.domains d ON d.id = e.domain_id",
	8, false
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
	7, false
};
static const struct db_stmt st_ext_lock = {
	"api_ext_lock",
	"SELECT e.extension, d.name FROM voip.extensions e JOIN voip.domains d ON d.id = e.domain_id"
	" WHERE e.id = $1 FOR UPDATE OF e",
	1, false
};
static const struct db_stmt st_ext_setpw = {
	"api_ext_setpw",
	"UPDATE voip.extensions SET a1_hash = $2, a1b_hash = $3, updated_at = now() WHERE id = $1",
	3, false
};
static const struct db_stmt st_ext_del = {
	"api_ext_del",
	"DELETE FROM voip.extensions e USING voip.domains d"
	" WHERE e.id = $1 AND d.id = e.domain_id RETURNING e.extension, d.name",
	1, false
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
	1, false
};
static const struct db_stmt st_sub_del = {
	"api_sub_del", "DELETE FROM kamailio.subscriber WHERE username = $1 AND domain = $2", 2,
	false
};

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
static const char *path_id(struct http_req *req, struct http_reply *rep)
{
	unsigned long long v;

	if (ullong_parse(req->param[0], 1, 999999999999999999ULL, &v) < 0) {
		reply_error(rep, 404, "no such extension");
		return NULL;
	}
	return req->param[0];
}

/* Frees a request body, wiping the clear password in it first: every
 * handler that parsed a body leaves through here. */
static void body_free(cJSON *body)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(body, "password");

	if (it && cJSON_IsString(it) && it->valuestring)
		explicit_bzero(it->valuestring, strlen(it->valuestring));
	cJSON_Delete(body);
}

/* The optional text fields that creating and changing an extension take. */
enum { F_DISPLAY_NAME, F_USER_CONTEXT, F_CID_NUMBER, F_COUNT };
static const struct text_field {
	const char *name;
	bool (*valid)(const char *s);
	const char *rule;
} text_fields[F_COUNT] = {
	[F_DISPLAY_NAME] = { "display_name", api_valid_display_name,
			     "display_name: at most 128 bytes of UTF-8 without control characters" },
	[F_USER_CONTEXT] = { "user_context", api_valid_context,
			     "user_context: 1-64 letters, digits, '_' or '-'" },
	[F_CID_NUMBER] = { "caller_id_number", api_valid_cid_number,
			   "caller_id_number: digits with an optional leading '+'" },
};

/* Reads the text fields into val[] (NULL: absent or null). Returns NULL, or
 * why the body is refused. */
static const char *text_fields_get(const cJSON *body, const char *val[F_COUNT])
{
	for (size_t i = 0; i < F_COUNT; i++) {
		bool bad = false;

		val[i] = api_json_string(body, text_fields[i].name, &bad);
		if (bad)
			return "display_name, user_context, caller_id_number: must be strings";
		if (val[i] && !text_fields[i].valid(val[i]))
			return text_fields[i].rule;
	}
	return NULL;
}

/* "true"/"false" for a boolean field, NULL when absent; *bad when not a
 * boolean. */
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

/* Computes both digests for ext@dom with password pw. */
static int digests(const char *ext, const char *dom, const char *pw, char a1[33], char a1b[33])
{
	char user_at[320];

	snprintf(user_at, sizeof(user_at), "%s@%s", ext, dom);
	if (hash_sip_ha1(ext, dom, pw, a1) < 0 || hash_sip_ha1(user_at, dom, pw, a1b) < 0)
		return -1;
	return 0;
}

/* Inside the write's transaction: makes kamailio.subscriber follow
 * extension id. false with the reply filled (and rolled back) on error. */
static bool sync_subscriber(struct http_req *req, struct http_reply *rep, struct db_conn *c,
			    const char *id)
{
	const char *p1[1] = { id };
	struct db_err err;
	PGresult *res = db_query(c, &st_sub_sync, p1, &err);

	if (!res) {
		api_write_failed(req, rep, c, &err);
		return false;
	}
	PQclear(res);
	return true;
}

void api_ext_list(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = api_conn(req, rep);
	struct api_page pg;
	char dom[256];
	const char *domain = http_query(req, "domain");
	const char *params[3] = { NULL, pg.limit_s, pg.offset_s };
	struct db_err err;
	PGresult *res;
	cJSON *top, *arr;

	if (!c || !api_page_get(req, rep, &pg))
		return;
	if (domain) {
		snprintf(dom, sizeof(dom), "%s", domain);
		api_lower(dom);
		if (!domain_valid(dom)) {
			reply_error(rep, 400, "domain: must be a domain name or IPv4 address");
			return;
		}
		params[0] = dom;
	}
	res = db_query(c, &st_ext_list, params, &err);
	if (!res) {
		api_db_error(req, rep, &err);
		return;
	}
	top = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(top, "items");
	for (int i = 0; i < PQntuples(res); i++)
		cJSON_AddItemToArray(arr, ext_json(res, i));
	cJSON_AddNumberToObject(top, "limit", (double)pg.limit);
	cJSON_AddNumberToObject(top, "offset", (double)pg.offset);
	PQclear(res);
	reply_json(rep, 200, top);
}

void api_ext_create(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = api_conn(req, rep);
	cJSON *body = c ? api_body_object(req, rep) : NULL, *out;
	bool bad = false, badb = false;
	const char *domain, *ext, *pw, *vm, *txt[F_COUNT], *why = NULL;
	char dom[256], a1[33] = "", a1b[33] = "", id[24];
	const char *params[8];
	struct db_err err;
	PGresult *res;

	if (!body)
		return;
	domain = api_json_string(body, "domain", &bad);
	ext = api_json_string(body, "extension", &bad);
	pw = api_json_string(body, "password", &bad);
	vm = json_bool_param(body, "voicemail", &badb);
	if (bad)
		why = "domain, extension, password: must be strings";
	else if (badb)
		why = "voicemail: must be true or false";
	else if (!domain || strlen(domain) >= sizeof(dom))
		why = "domain: required";
	else if (!ext || !api_valid_extension(ext))
		why = "extension: required, 1-32 letters, digits, '_', '.', '-' (optional leading '+')";
	else if (!pw)
		why = "password: required";
	else if (api_valid_password(pw, &why))
		why = text_fields_get(body, txt);
	if (!why) {
		snprintf(dom, sizeof(dom), "%s", domain);
		api_lower(dom);
		if (!domain_valid(dom))
			why = "domain: must be a domain name or IPv4 address";
	}
	if (why) {
		reply_error(rep, 400, why);
		goto out;
	}
	if (digests(ext, dom, pw, a1, a1b) < 0) {
		reply_error(rep, 500, "cannot hash password");
		goto out;
	}
	params[0] = dom;
	params[1] = ext;
	params[2] = a1;
	params[3] = a1b;
	params[4] = txt[F_DISPLAY_NAME] ? txt[F_DISPLAY_NAME] : "";
	params[5] = txt[F_USER_CONTEXT] ? txt[F_USER_CONTEXT] : "default";
	params[6] = txt[F_CID_NUMBER];
	params[7] = vm ? vm : "true";
	if (db_exec(c, "BEGIN", &err) < 0 || !(res = db_query(c, &st_ext_add, params, &err))) {
		api_write_failed(req, rep, c, &err);
		goto out;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		api_rollback(c);
		reply_error(rep, 400, "domain: unknown (create it with POST /api/v1/domains)");
		goto out;
	}
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	out = ext_json(res, 0);
	PQclear(res);
	if (!sync_subscriber(req, rep, c, id) || !api_write_commit(req, rep, c)) {
		cJSON_Delete(out);
		goto out;
	}
	log_notice("extension %s@%s created by %s", ext, dom, req->client_ip);
	reply_json(rep, 201, out);
out:
	explicit_bzero(a1, sizeof(a1));
	explicit_bzero(a1b, sizeof(a1b));
	body_free(body);
}

void api_ext_get(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = api_conn(req, rep);
	const char *id = c ? path_id(req, rep) : NULL;
	const char *params[1] = { id };
	struct db_err err;
	PGresult *res;

	if (!id)
		return;
	res = db_query(c, &st_ext_get, params, &err);
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

void api_ext_patch(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = api_conn(req, rep);
	const char *id = c ? path_id(req, rep) : NULL;
	cJSON *body = id ? api_body_object(req, rep) : NULL, *out;
	bool badb = false;
	const char *txt[F_COUNT], *why = NULL, *vm, *en;
	const char *params[7];
	struct db_err err;
	PGresult *res;

	if (!body)
		return;
	vm = json_bool_param(body, "voicemail", &badb);
	en = json_bool_param(body, "enabled", &badb);
	if (cJSON_GetObjectItemCaseSensitive(body, "password"))
		why = "password: change it with PUT /api/v1/extensions/{id}/password";
	else if (cJSON_GetObjectItemCaseSensitive(body, "extension") ||
		 cJSON_GetObjectItemCaseSensitive(body, "domain"))
		why = "extension and domain cannot change (the digests depend on them): delete and re-create";
	else if (badb)
		why = "voicemail, enabled: must be true or false";
	else
		why = text_fields_get(body, txt);
	if (why) {
		reply_error(rep, 400, why);
		goto out;
	}
	params[0] = id;
	params[1] = txt[F_DISPLAY_NAME];
	params[2] = txt[F_USER_CONTEXT];
	/* present (null included: clears it) or absent (unchanged) */
	params[3] = cJSON_GetObjectItemCaseSensitive(body, "caller_id_number") ? "true" : "false";
	params[4] = txt[F_CID_NUMBER];
	params[5] = vm;
	params[6] = en;
	if (db_exec(c, "BEGIN", &err) < 0 || !(res = db_query(c, &st_ext_patch, params, &err))) {
		api_write_failed(req, rep, c, &err);
		goto out;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		api_rollback(c);
		reply_error(rep, 404, "no such extension");
		goto out;
	}
	out = ext_json(res, 0);
	PQclear(res);
	if (!sync_subscriber(req, rep, c, id) || !api_write_commit(req, rep, c)) {
		cJSON_Delete(out);
		goto out;
	}
	reply_json(rep, 200, out);
out:
	body_free(body);
}

void api_ext_password(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = api_conn(req, rep);
	const char *id = c ? path_id(req, rep) : NULL;
	cJSON *body = id ? api_body_object(req, rep) : NULL;
	bool bad = false;
	const char *pw, *why = NULL;
	const char *p1[1] = { id };
	char a1[33] = "", a1b[33] = "";
	const char *p3[3] = { id, a1, a1b };
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
		reply_error(rep, 400, why);
		goto out;
	}
	if (db_exec(c, "BEGIN", &err) < 0 || !(res = db_query(c, &st_ext_lock, p1, &err))) {
		api_write_failed(req, rep, c, &err);
		goto out;
	}
	if (PQntuples(res) == 0 ||
	    digests(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), pw, a1, a1b) < 0) {
		bool missing = PQntuples(res) == 0;

		PQclear(res);
		api_rollback(c);
		if (missing)
			reply_error(rep, 404, "no such extension");
		else
			reply_error(rep, 500, "cannot hash password");
		goto out;
	}
	PQclear(res);
	if (!(res = db_query(c, &st_ext_setpw, p3, &err))) {
		api_write_failed(req, rep, c, &err);
		goto out;
	}
	PQclear(res);
	if (!sync_subscriber(req, rep, c, id) || !api_write_commit(req, rep, c))
		goto out;
	log_notice("password of extension id %s changed by %s", id, req->client_ip);
	reply_text(rep, 204, NULL, "");
out:
	explicit_bzero(a1, sizeof(a1));
	explicit_bzero(a1b, sizeof(a1b));
	body_free(body);
}

void api_ext_delete(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = api_conn(req, rep);
	const char *id = c ? path_id(req, rep) : NULL;
	const char *p1[1] = { id };
	char who[352];
	struct db_err err;
	PGresult *res, *r2;

	if (!id)
		return;
	if (db_exec(c, "BEGIN", &err) < 0 || !(res = db_query(c, &st_ext_del, p1, &err))) {
		api_write_failed(req, rep, c, &err);
		return;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		api_rollback(c);
		reply_error(rep, 404, "no such extension");
		return;
	}
	snprintf(who, sizeof(who), "%s@%s", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	{
		const char *p2[2] = { PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1) };

		r2 = db_query(c, &st_sub_del, p2, &err);
	}
	PQclear(res);
	if (!r2) {
		api_write_failed(req, rep, c, &err);
		return;
	}
	PQclear(r2);
	if (!api_write_commit(req, rep, c))
		return;
	log_notice("extension %s deleted by %s", who, req->client_ip);
	reply_text(rep, 204, NULL, "");
}
