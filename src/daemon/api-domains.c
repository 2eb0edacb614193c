/* /api/v1/domains: list and create SIP domains; see api.h. */
#include "daemon/api.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "lib/validators.h"

static const struct db_stmt st_domains_list = {
	"api_domains_list",
	"SELECT id, name, enabled, to_json(created_at)#>>'{}' FROM voip.domains"
	" ORDER BY name LIMIT $1 OFFSET $2",
	2, true
};
static const struct db_stmt st_domain_add = {
	"api_domain_add",
	"INSERT INTO voip.domains (name) VALUES ($1)"
	" RETURNING id, name, enabled, to_json(created_at)#>>'{}'",
	1, false
};

static cJSON *domain_json(PGresult *res, int row)
{
	cJSON *d = cJSON_CreateObject();

	if (!d)
		return NULL;
	cJSON_AddNumberToObject(d, "id", strtod(PQgetvalue(res, row, 0), NULL));
	cJSON_AddStringToObject(d, "name", PQgetvalue(res, row, 1));
	cJSON_AddBoolToObject(d, "enabled", strcmp(PQgetvalue(res, row, 2), "t") == 0);
	cJSON_AddStringToObject(d, "created_at", PQgetvalue(res, row, 3));
	return d;
}

void api_domain_list(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = api_conn(req, rep);
	struct api_page pg;
	const char *params[2] = { pg.limit_s, pg.offset_s };
	struct db_err err;
	PGresult *res;
	cJSON *arr, *top;

	if (!c || !api_page_get(req, rep, &pg))
		return;
	res = db_query(c, &st_domains_list, params, &err);
	if (!res) {
		api_db_error(req, rep, &err);
		return;
	}
	top = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(top, "items");
	for (int i = 0; i < PQntuples(res); i++)
		cJSON_AddItemToArray(arr, domain_json(res, i));
	PQclear(res);
	reply_json(rep, 200, top);
}

void api_domain_create(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = api_conn(req, rep);
	cJSON *body = c ? api_body_object(req, rep) : NULL, *d;
	bool bad = false;
	const char *name;
	char dom[256];
	const char *params[1] = { dom };
	struct db_err err;
	PGresult *res;

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
	api_lower(dom);
	if (!domain_valid(dom)) {
		reply_error(rep, 400, "name: must be a domain name or IPv4 address");
		return;
	}
	/* a transaction even for one row: its BEGIN may be retried on a fresh
	 * connection after a failover, and the NOTIFY goes with it */
	if (db_exec(c, "BEGIN", &err) < 0 || !(res = db_query(c, &st_domain_add, params, &err))) {
		api_write_failed(req, rep, c, &err);
		return;
	}
	d = domain_json(res, 0);
	PQclear(res);
	if (!api_write_commit(req, rep, c)) {
		cJSON_Delete(d);
		return;
	}
	log_notice("domain '%s' created by %s", dom, req->client_ip);
	reply_json(rep, 201, d);
}
