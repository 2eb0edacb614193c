/* /api/v1/cdr: list with filters and paging, one CDR by call UUID, and
 * stats, all read from voip.cdr (written by the CDR workers; columns in
 * doc/DESIGN.md "CDR ingestion contract"). Filters are bound parameters;
 * a bad timestamp comes back from PostgreSQL as class 22 → 400. */
#include "daemon/api.h"

#include <stdlib.h>
#include <string.h>

#include "lib/utf8.h"

#define CDR_COLS                                                                        \
	"uuid, domain, direction, caller_id_name, caller_id_number,"                    \
	" destination_number, to_json(start_time)#>>'{}', to_json(answer_time)#>>'{}'," \
	" to_json(end_time)#>>'{}', duration, billsec, hangup_cause, queue, agent, recording_path"

/* $1 from, $2 to, $3 domain, $4 caller, $5 destination, $6 hangup_cause */
#define CDR_FILTER                                                          \
	" WHERE ($1::timestamptz IS NULL OR start_time >= $1::timestamptz)" \
	"   AND ($2::timestamptz IS NULL OR start_time < $2::timestamptz)"  \
	"   AND ($3::text IS NULL OR domain = $3)"                          \
	"   AND ($4::text IS NULL OR caller_id_number = $4)"                \
	"   AND ($5::text IS NULL OR destination_number = $5)"              \
	"   AND ($6::text IS NULL OR hangup_cause = $6)"

static const struct db_stmt st_cdr_list = {
	"api_cdr_list",
	"SELECT " CDR_COLS " FROM voip.cdr" CDR_FILTER
	" ORDER BY start_time DESC NULLS LAST, uuid LIMIT $7 OFFSET $8",
	8, true
};
static const struct db_stmt st_cdr_get = { "api_cdr_get",
					   "SELECT " CDR_COLS " FROM voip.cdr WHERE uuid = $1", 1,
					   true };
static const struct db_stmt st_cdr_stats = {
	"api_cdr_stats",
	"WITH c AS (SELECT * FROM voip.cdr" CDR_FILTER ")"
	" SELECT (SELECT count(*) FROM c),"
	"        (SELECT count(*) FROM c WHERE answer_time IS NOT NULL AND billsec > 0),"
	"        (SELECT coalesce(sum(billsec), 0) FROM c),"
	"        (SELECT coalesce(sum(duration), 0) FROM c),"
	"        (SELECT coalesce(json_object_agg(hangup_cause, n), '{}')::text FROM"
	"           (SELECT coalesce(hangup_cause, 'UNKNOWN') AS hangup_cause, count(*) AS n"
	"              FROM c GROUP BY 1 ORDER BY 2 DESC LIMIT 50) h)",
	6, true
};

static void add_text(cJSON *o, const char *name, PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, PQgetvalue(res, row, col));
}

static void add_int(cJSON *o, const char *name, PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, strtod(PQgetvalue(res, row, col), NULL));
}

static cJSON *cdr_json(PGresult *res, int row)
{
	static const char *const names[] = {
		"uuid",           "domain",           "direction",
		"caller_id_name", "caller_id_number", "destination_number",
		"start_time",     "answer_time",      "end_time",
	};
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	for (int i = 0; i < 9; i++)
		add_text(o, names[i], res, row, i);
	add_int(o, "duration", res, row, 9);
	add_int(o, "billsec", res, row, 10);
	add_text(o, "hangup_cause", res, row, 11);
	add_text(o, "queue", res, row, 12);
	add_text(o, "agent", res, row, 13);
	add_text(o, "recording_path", res, row, 14);
	return o;
}

/* Collects the six filter parameters; false with rep filled on bad input. */
static bool filters(struct http_req *req, struct http_reply *rep, const char *p[6])
{
	static const char *const names[] = {
		"from", "to", "domain", "caller", "destination", "hangup_cause",
	};
	char msg[96];

	for (int i = 0; i < 6; i++) {
		const char *v = http_query(req, names[i]);

		p[i] = v;
		if (v && (!*v || strlen(v) > 256 || !utf8_valid(v, strlen(v)))) {
			snprintf(msg, sizeof(msg), "%s: must be 1-256 bytes of UTF-8", names[i]);
			reply_error(rep, 400, msg);
			return false;
		}
	}
	return true;
}

void api_cdr_list(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = api_conn(req, rep);
	struct api_page pg;
	const char *p[8];
	struct db_err err;
	PGresult *res;
	cJSON *top, *arr;
	int n;

	if (!c || !filters(req, rep, p) || !api_page_get(req, rep, &pg))
		return;
	p[6] = pg.limit_s;
	p[7] = pg.offset_s;
	res = db_query(c, &st_cdr_list, p, &err);
	if (!res) {
		api_db_error(req, rep, &err);
		return;
	}
	top = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(top, "items");
	n = PQntuples(res);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cdr_json(res, i));
	PQclear(res);
	cJSON_AddNumberToObject(top, "limit", (double)pg.limit);
	cJSON_AddNumberToObject(top, "offset", (double)pg.offset);
	if ((unsigned long)n == pg.limit)
		cJSON_AddNumberToObject(top, "next_offset", (double)(pg.offset + pg.limit));
	else
		cJSON_AddNullToObject(top, "next_offset");
	reply_json(rep, 200, top);
}

void api_cdr_get(struct http_req *req, struct http_reply *rep)
{
	const char *uuid = req->param[0];
	struct db_conn *c = api_conn(req, rep);
	const char *p[1] = { uuid };
	struct db_err err;
	PGresult *res;

	if (!c)
		return;
	if (strlen(uuid) > 64 || uuid[strspn(uuid, "0123456789abcdefABCDEF-")] != '\0') {
		reply_error(rep, 404, "no such CDR");
		return;
	}
	res = db_query(c, &st_cdr_get, p, &err);
	if (!res) {
		api_db_error(req, rep, &err);
		return;
	}
	if (PQntuples(res) == 0)
		reply_error(rep, 404, "no such CDR");
	else
		reply_json(rep, 200, cdr_json(res, 0));
	PQclear(res);
}

void api_cdr_stats(struct http_req *req, struct http_reply *rep)
{
	struct db_conn *c = api_conn(req, rep);
	const char *p[6];
	struct db_err err;
	PGresult *res;
	cJSON *top, *causes;
	double calls, answered, billsec;

	if (!c)
		return;
	if (!filters(req, rep, p))
		return;
	res = db_query(c, &st_cdr_stats, p, &err);
	if (!res) {
		api_db_error(req, rep, &err);
		return;
	}
	calls = strtod(PQgetvalue(res, 0, 0), NULL);
	answered = strtod(PQgetvalue(res, 0, 1), NULL);
	billsec = strtod(PQgetvalue(res, 0, 2), NULL);
	top = cJSON_CreateObject();
	cJSON_AddNumberToObject(top, "calls", calls);
	cJSON_AddNumberToObject(top, "answered", answered);
	/* answer-seizure ratio and average call duration, the two numbers a
	 * PBX operator looks at first */
	cJSON_AddNumberToObject(top, "asr", calls > 0 ? answered / calls : 0);
	cJSON_AddNumberToObject(top, "acd_seconds", answered > 0 ? billsec / answered : 0);
	cJSON_AddNumberToObject(top, "total_billsec", billsec);
	cJSON_AddNumberToObject(top, "total_duration", strtod(PQgetvalue(res, 0, 3), NULL));
	causes = cJSON_Parse(PQgetvalue(res, 0, 4));
	if (causes)
		cJSON_AddItemToObject(top, "hangup_causes", causes);
	PQclear(res);
	reply_json(rep, 200, top);
}
