/* voip-ha provision: make the local PostgreSQL primary hold everything the
 * cluster needs (doc/DESIGN.md, "Database layout"): the four roles with
 * scram-sha-256 passwords, database voip, schemas voip and kamailio, the voip
 * migrations, Kamailio's tables from the INSTALLED Kamailio's SQL, grants and
 * the physical replication slot the peer streams from.
 *
 * Idempotent: every step checks before it changes, so a re-run (upgrade,
 * reconfigure, reinstall) changes nothing unless an answer changed, and an
 * upgrade applies only migrations not yet recorded. On a standby it does
 * nothing: the standby gets all of this by replication.
 *
 * Secrets: passwords come from cluster.conf; the verifier is computed here
 * (PQencryptPasswordConn) and only the verifier is sent, so the plaintext is
 * never in the server log or pg_stat_activity. */
#include "cli/args.h"
#include "engine/pg-session.h"
#include "engine/run-as.h"
#include "engine/standby-setup.h"
#include "cli/cli.h"
#include "cli/scram.h"
#include "engine/history-peer.h"
#include "lib/readfile.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_MIGRATIONS "/usr/share/voip-ha/migrations"
#define DEFAULT_KAMAILIO_SQL "/usr/share/kamailio/postgres"

static const char usage_text[] =
	"usage: voip-ha provision [--config FILE] [--migrations DIR] [--kamailio-sql DIR]\n"
	"Create or update roles, database, schemas, migrations, Kamailio tables and the\n"
	"replication slot on this node's PostgreSQL primary. Safe to re-run.\n";

struct prov {
	struct node_ctx *ctx;
	PGconn *conn;
	unsigned changes;
	char err[1024];
};

static void note_change(struct prov *p, const char *what, const char *name)
{
	p->changes++;
	fprintf(stderr, "voip-ha: provision: %s %s\n", what, name);
}

/* ---- roles -------------------------------------------------------------- */

struct role_spec {
	const char *name;
	const char *attrs;       /* for CREATE ROLE */
	size_t pw_offset;        /* password field in cluster_config */
	const char *search_path; /* NULL: leave the default */
};

static const struct role_spec roles[] = {
	{ VOIPHA_REPL_USER, "LOGIN REPLICATION",
	  offsetof(struct cluster_config, replication_password), NULL },
	{ "kamailio", "LOGIN", offsetof(struct cluster_config, kamailio_db_password), "kamailio" },
	{ "voip_admin", "LOGIN", offsetof(struct cluster_config, admin_db_password), "voip" },
	{ "freeswitch", "LOGIN", offsetof(struct cluster_config, freeswitch_db_password), NULL },
};

static int ensure_role(struct prov *p, const struct role_spec *rs)
{
	const char *password = *(char *const *)((const char *)&p->ctx->cfg + rs->pw_offset);
	char verifier[512], sql[1024];
	char *ident = NULL, *lit = NULL, *enc = NULL;
	int r;

	r = pg_query_value(p->conn,
			   "SELECT coalesce(rolpassword, '') FROM pg_authid WHERE rolname = $1",
			   rs->name, verifier, sizeof(verifier), p->err, sizeof(p->err));
	if (r < 0 && r != -ENOENT)
		return r;
	ident = PQescapeIdentifier(p->conn, rs->name, strlen(rs->name));
	if (!ident)
		return -ENOMEM;
	if (r == -ENOENT) {
		snprintf(sql, sizeof(sql), "CREATE ROLE %s %s", ident, rs->attrs);
		if ((r = pg_exec(p->conn, sql, p->err, sizeof(p->err))) < 0)
			goto out;
		note_change(p, "created role", rs->name);
		verifier[0] = '\0';
	}
	/* The stored verifier already matches the configured password: keep
	 * it (a new salt would be a needless change on every re-run). */
	if (!scram_verifier_matches(verifier, password)) {
		enc = PQencryptPasswordConn(p->conn, password, rs->name, "scram-sha-256");
		if (!enc) {
			snprintf(p->err, sizeof(p->err), "cannot compute the password verifier: %s",
				 pg_errmsg(p->conn));
			r = -EIO;
			goto out;
		}
		lit = PQescapeLiteral(p->conn, enc, strlen(enc));
		if (!lit) {
			r = -ENOMEM;
			goto out;
		}
		snprintf(sql, sizeof(sql), "ALTER ROLE %s PASSWORD %s", ident, lit);
		if ((r = pg_exec(p->conn, sql, p->err, sizeof(p->err))) < 0)
			goto out;
		note_change(p, "set the password of role", rs->name);
	}
	if (rs->search_path) {
		char cur[256];

		r = pg_query_value(
			p->conn,
			"SELECT coalesce((SELECT c FROM pg_db_role_setting s "
			"JOIN pg_roles r ON r.oid = s.setrole, unnest(s.setconfig) c "
			"WHERE r.rolname = $1 AND s.setdatabase = 0 AND c LIKE 'search\\_path=%' LIMIT 1), '')",
			rs->name, cur, sizeof(cur), p->err, sizeof(p->err));
		if (r < 0)
			goto out;
		if (strncmp(cur, "search_path=", 12) != 0 ||
		    strcmp(cur + 12, rs->search_path) != 0) {
			snprintf(sql, sizeof(sql), "ALTER ROLE %s SET search_path = %s", ident,
				 rs->search_path);
			if ((r = pg_exec(p->conn, sql, p->err, sizeof(p->err))) < 0)
				goto out;
			note_change(p, "set the search_path of role", rs->name);
		}
	}
	r = 0;
out:
	if (enc) {
		explicit_bzero(enc, strlen(enc));
		PQfreemem(enc);
	}
	PQfreemem(lit);
	PQfreemem(ident);
	return r;
}

/* ---- database and schemas ----------------------------------------------- */

static int ensure_database(struct prov *p)
{
	char v[8];
	int r;

	r = pg_query_value(p->conn, "SELECT 1 FROM pg_database WHERE datname = $1", VOIPHA_DB, v,
			   sizeof(v), p->err, sizeof(p->err));
	if (r != -ENOENT)
		return r;
	r = pg_exec(p->conn, "CREATE DATABASE " VOIPHA_DB " ENCODING 'UTF8' TEMPLATE template0",
		    p->err, sizeof(p->err));
	if (r == 0)
		note_change(p, "created database", VOIPHA_DB);
	return r;
}

static int ensure_schema(struct prov *p, const char *schema, const char *owner)
{
	char v[8], sql[256];
	int r;

	r = pg_query_value(p->conn, "SELECT 1 FROM pg_namespace WHERE nspname = $1", schema, v,
			   sizeof(v), p->err, sizeof(p->err));
	if (r != -ENOENT)
		return r;
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s AUTHORIZATION %s", schema, owner);
	r = pg_exec(p->conn, sql, p->err, sizeof(p->err));
	if (r == 0)
		note_change(p, "created schema", schema);
	return r;
}

/* ---- SQL files ------------------------------------------------------------ */

/* SQL files are our migrations and Kamailio's schema files: kilobytes. */
#define SQL_FILE_MAX (16u << 20)

/* Runs one SQL file in its own transaction as `role` with search_path
 * `schema`, so what it creates is owned by that role; `record` (may be NULL)
 * runs in the same transaction with one text parameter. All or nothing. */
static int run_sql_file(struct prov *p, const char *path, const char *role, const char *schema,
			const char *record, const char *const record_params[2])
{
	struct strbuf body = STRBUF_INIT;
	char sql[256];
	PGresult *res;
	int r;

	if ((r = read_file(path, SQL_FILE_MAX, &body)) < 0) {
		sb_release(&body);
		snprintf(p->err, sizeof(p->err), "cannot read '%s': %s", path, strerror(-r));
		return r;
	}
	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL ROLE %s; SET LOCAL search_path = %s", role,
		 schema);
	r = pg_exec(p->conn, sql, p->err, sizeof(p->err));
	if (r == 0)
		r = pg_exec(p->conn, sb_str(&body), p->err, sizeof(p->err));
	if (r == 0 && record) {
		res = PQexecParams(p->conn, record, 2, NULL, record_params, NULL, NULL, 0);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
			snprintf(p->err, sizeof(p->err), "%s",
				 res ? PQresultErrorMessage(res) : "out of memory");
			r = -EIO;
		}
		PQclear(res);
	}
	if (r == 0)
		r = pg_exec(p->conn, "COMMIT", p->err, sizeof(p->err));
	if (r < 0) {
		char keep[sizeof(p->err)];

		memcpy(keep, p->err, sizeof(keep));
		pg_exec(p->conn, "ROLLBACK", NULL, 0);
		snprintf(p->err, sizeof(p->err), "%s: %s", path, keep);
	}
	sb_release(&body);
	return r;
}

struct sqlfile {
	char name[256];
	unsigned long version;
};

static int cmp_sqlfile(const void *a, const void *b)
{
	const struct sqlfile *x = a, *y = b;

	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The *.sql files of dir; for migrations (versioned) only NNNN_name.sql,
 * sorted by version. Returns the count or -errno. */
static int list_sql(const char *dir, bool versioned, struct sqlfile **ret)
{
	struct sqlfile *v = NULL;
	struct dirent *de;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char *end;
		unsigned long ver = 0;

		if (len < 5 || len >= sizeof(v->name) || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if (versioned) {
			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			ver = strtoul(de->d_name, &end, 10);
			if (*end != '_')
				continue;
		}
		if (n == cap) {
			struct sqlfile *nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n].version = ver;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_sqlfile);
	*ret = v;
	return (int)n;
}

static int apply_migrations(struct prov *p, const char *dir)
{
	struct sqlfile *files = NULL;
	char path[600], ver[32], v[8], name[256];
	int n, i, r;

	r = pg_exec(p->conn,
		    "CREATE TABLE IF NOT EXISTS voip.schema_migrations ("
		    " version integer PRIMARY KEY,"
		    " name text NOT NULL,"
		    " applied_at timestamptz NOT NULL DEFAULT now())",
		    p->err, sizeof(p->err));
	if (r == 0)
		r = pg_exec(p->conn, "ALTER TABLE voip.schema_migrations OWNER TO voip_admin",
			    p->err, sizeof(p->err));
	if (r < 0)
		return r;
	n = list_sql(dir, true, &files);
	if (n < 0) {
		snprintf(p->err, sizeof(p->err), "cannot list migrations in '%s': %s", dir,
			 strerror(-n));
		return n;
	}
	for (i = 0; i < n; i++) {
		const char *params[2];

		snprintf(ver, sizeof(ver), "%lu", files[i].version);
		r = pg_query_value(
			p->conn, "SELECT 1 FROM voip.schema_migrations WHERE version = $1::integer",
			ver, v, sizeof(v), p->err, sizeof(p->err));
		if (r == 0)
			continue;
		if (r != -ENOENT)
			break;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		/* Recorded as "NNNN_name.sql" -> "name", as the migrations
		 * record themselves. */
		snprintf(name, sizeof(name), "%s", strchr(files[i].name, '_') + 1);
		name[strlen(name) - 4] = '\0';
		params[0] = ver;
		params[1] = name;
		r = run_sql_file(
			p, path, "voip_admin", "voip",
			"INSERT INTO voip.schema_migrations (version, name) VALUES ($1::integer, $2) "
			"ON CONFLICT (version) DO NOTHING",
			params);
		if (r < 0)
			break;
		note_change(p, "applied migration", files[i].name);
	}
	free(files);
	return r < 0 ? r : 0;
}

/* The table a Kamailio *-create.sql registers first in `version`: present
 * means the file was loaded. NULL when the file registers nothing. */
static char *first_version_table(const char *path)
{
	static const char key[] = "INSERT INTO version (table_name, table_version) values ('";
	struct strbuf body = STRBUF_INIT;
	const char *p, *q;
	char *name = NULL;

	if (read_file(path, SQL_FILE_MAX, &body) < 0) {
		sb_release(&body);
		return NULL;
	}
	p = strstr(sb_str(&body), key);
	if (p) {
		p += sizeof(key) - 1;
		q = strchr(p, '\'');
		if (q)
			name = strndup(p, (size_t)(q - p));
	}
	sb_release(&body);
	return name;
}

static int load_kamailio_schema(struct prov *p, const char *dir)
{
	struct sqlfile *files = NULL;
	char path[600], v[8];
	int n, i, pass, r = 0;
	bool have_version;

	n = list_sql(dir, false, &files);
	if (n < 0) {
		snprintf(
			p->err, sizeof(p->err),
			"cannot list Kamailio's SQL in '%s': %s (is kamailio-postgres-modules installed?)",
			dir, strerror(-n));
		return n;
	}
	/* standard-create.sql makes the `version` table every other file
	 * writes to, so it goes first. */
	for (pass = 0; pass < 2 && r == 0; pass++) {
		for (i = 0; i < n; i++) {
			bool standard = strcmp(files[i].name, "standard-create.sql") == 0;
			char *table;

			if ((pass == 0) != standard || !strstr(files[i].name, "-create.sql"))
				continue;
			r = pg_query_value(
				p->conn,
				"SELECT 1 FROM pg_tables WHERE schemaname = 'kamailio' AND tablename = 'version'",
				NULL, v, sizeof(v), p->err, sizeof(p->err));
			if (r < 0 && r != -ENOENT)
				break;
			have_version = r == 0;
			snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
			table = first_version_table(path);
			if (!table) {
				r = 0;
				continue;
			}
			if (have_version) {
				r = pg_query_value(
					p->conn,
					"SELECT 1 FROM kamailio.version WHERE table_name = $1",
					table, v, sizeof(v), p->err, sizeof(p->err));
				if (r == 0) {
					free(table);
					continue;
				}
				if (r != -ENOENT) {
					free(table);
					break;
				}
			}
			free(table);
			r = run_sql_file(p, path, "kamailio", "kamailio", NULL, NULL);
			if (r < 0)
				break;
			note_change(p, "loaded Kamailio tables from", files[i].name);
		}
	}
	free(files);
	return r < 0 ? r : 0;
}

/* Grants are re-stated on every run: GRANT of a privilege already held
 * changes nothing (granting a held role only raises a NOTICE, which our
 * connections do not show). voip_admin runs the migrations, whose
 * `CREATE SCHEMA IF NOT EXISTS` needs CREATE on the database even when the
 * schema exists. */
static int database_grants(struct prov *p)
{
	static const char sql[] = "REVOKE ALL ON DATABASE " VOIPHA_DB " FROM PUBLIC;"
				  "GRANT CONNECT, TEMPORARY ON DATABASE " VOIPHA_DB
				  " TO kamailio, voip_admin, freeswitch;"
				  "GRANT CREATE ON DATABASE " VOIPHA_DB " TO voip_admin;"
				  /* voip-admind confirms CDR batches by the standby's flush_lsn
		 * in pg_stat_replication (doc/DESIGN.md, CDR durability). */
				  "GRANT pg_monitor TO voip_admin";

	return pg_exec(p->conn, sql, p->err, sizeof(p->err));
}

/* voip-admind provisions SIP accounts into Kamailio's subscriber table. */
static int kamailio_grants(struct prov *p)
{
	static const char sql[] =
		"GRANT USAGE ON SCHEMA kamailio TO voip_admin;"
		"GRANT SELECT, INSERT, UPDATE, DELETE ON kamailio.subscriber TO voip_admin;"
		"GRANT USAGE, SELECT, UPDATE ON SEQUENCE kamailio.subscriber_id_seq TO voip_admin";

	return pg_exec(p->conn, sql, p->err, sizeof(p->err));
}

/* In database postgres: what pg_rewind reads through when it turns a
 * returning old primary into a standby (as replicator, not a superuser),
 * and the commit rule of Kamailio's role (registrations are soft state:
 * they need not wait for the peer; doc/DESIGN.md, "Durability"). GRANT and
 * ALTER ROLE ... SET restate the same thing on every run. */
static int failover_grants(struct prov *p)
{
	static const char sql[] =
		"GRANT EXECUTE ON FUNCTION pg_catalog.pg_ls_dir(text, boolean, boolean) TO " VOIPHA_REPL_USER
		";"
		"GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_file(text, boolean) TO " VOIPHA_REPL_USER
		";"
		"GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text) TO " VOIPHA_REPL_USER
		";"
		"GRANT EXECUTE ON FUNCTION pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) TO " VOIPHA_REPL_USER
		";"
		/* pg_rewind reads the source's timeline from its last
		 * checkpoint: rebuild asks a just-promoted peer for one. */
		"GRANT pg_checkpoint TO " VOIPHA_REPL_USER ";"
		/* off: a REGISTER does not wait for its WAL flush either (its
		 * p99 went from 15.9 ms to 2.5 ms in make sip-bench); a crash
		 * may lose the last ~0.6 s of them, which phones send again. */
		"ALTER ROLE kamailio SET synchronous_commit = off";
	int r = pg_exec(p->conn, sql, p->err, sizeof(p->err));

	/* The peer's voip-ha status reads this node's history through it. */
	return r < 0 ? r : pg_exec(p->conn, HISTORY_PEER_SETUP_SQL, p->err, sizeof(p->err));
}

static int ensure_slot(struct prov *p)
{
	char v[8];
	int r;

	r = pg_query_value(p->conn, "SELECT 1 FROM pg_replication_slots WHERE slot_name = $1",
			   p->ctx->slot_for_peer, v, sizeof(v), p->err, sizeof(p->err));
	if (r != -ENOENT)
		return r;
	/* Reserve WAL now, so the peer can still clone and catch up when it
	 * is installed hours later. */
	r = pg_query_value(p->conn, "SELECT 1 FROM pg_create_physical_replication_slot($1, true)",
			   p->ctx->slot_for_peer, v, sizeof(v), p->err, sizeof(p->err));
	if (r == 0)
		note_change(p, "created replication slot", p->ctx->slot_for_peer);
	return r;
}

static PGconn *connect_db(struct prov *p, const char *db)
{
	PGconn *c = pg_connect_local(db, 10);

	if (!c || PQstatus(c) != CONNECTION_OK) {
		cli_error("cannot connect to the local PostgreSQL (database '%s'): %s", db,
			  pg_errmsg(c));
		PQfinish(c);
		return NULL;
	}
	(void)p;
	return c;
}

static int provision(struct prov *p, const char *migrations, const char *kamsql)
{
	char v[8];
	size_t i;
	int r;

	if (!(p->conn = connect_db(p, "postgres")))
		return EXIT_FAIL;
	r = pg_query_value(p->conn, "SELECT pg_is_in_recovery()::text", NULL, v, sizeof(v), p->err,
			   sizeof(p->err));
	if (r < 0)
		goto fail;
	if (strcmp(v, "true") == 0) {
		cli_note(
			"this node's PostgreSQL is a standby: it gets the roles and the database by replication; nothing to provision");
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if ((r = ensure_role(p, &roles[i])) < 0)
			goto fail;
	if ((r = ensure_database(p)) < 0 || (r = ensure_slot(p)) < 0 ||
	    (r = failover_grants(p)) < 0)
		goto fail;
	PQfinish(p->conn);
	if (!(p->conn = connect_db(p, VOIPHA_DB)))
		return EXIT_FAIL;
	if ((r = database_grants(p)) < 0 || (r = ensure_schema(p, "voip", "voip_admin")) < 0 ||
	    (r = ensure_schema(p, "kamailio", "kamailio")) < 0 ||
	    (r = apply_migrations(p, migrations)) < 0 ||
	    (r = load_kamailio_schema(p, kamsql)) < 0 || (r = kamailio_grants(p)) < 0)
		goto fail;
	if (p->changes == 0)
		cli_note("provision: database already up to date");
	return EXIT_OK;
fail:
	cli_error("provision failed: %s", p->err[0] ? p->err : strerror(-r));
	return EXIT_FAIL;
}

int cmd_provision(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG, *migrations = DEFAULT_MIGRATIONS;
	const char *kamsql = DEFAULT_KAMAILIO_SQL;
	struct node_ctx ctx;
	struct prov p;
	int r;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ "migrations", 'm', &migrations, NULL },
		{ "kamailio-sql", 'k', &kamsql, NULL },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (node_ctx_load(config, &ctx) != 0)
		return EXIT_FAIL;
	/* The passfile is written as root, before dropping privileges. */
	r = write_repl_passfile(&ctx, NULL);
	if (r < 0) {
		cli_error("cannot write '%s': %s", VOIPHA_PASSFILE, strerror(-r));
		node_ctx_free(&ctx);
		return EXIT_FAIL;
	}
	r = become_postgres(&ctx);
	if (r < 0) {
		cli_error("cannot switch to the postgres user: %s", strerror(-r));
		node_ctx_free(&ctx);
		return EXIT_FAIL;
	}
	memset(&p, 0, sizeof(p));
	p.ctx = &ctx;
	r = provision(&p, migrations, kamsql);
	PQfinish(p.conn);
	node_ctx_free(&ctx);
	return r;
}
