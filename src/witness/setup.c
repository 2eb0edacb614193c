/* voip-ha-witness setup: the local PostgreSQL cluster becomes the arbiter
 * of the pairs in witness.conf (doc/voip-ha-witness.8, doc/DESIGN.md "The
 * witness package").
 *
 * Order: every precondition is checked before anything changes (config,
 * cluster online and writable, version, TLS possible, where
 * listen_addresses can be set), then the database (role, database, lease
 * schema and rows: each a check before a change), then the two files
 * (pg_hba.conf's marked block, the conf.d drop-in; atomic, checked by
 * PostgreSQL's own parser and put back when it finds an error), then a
 * reload, or a restart only when listen_addresses must change. A second run
 * with the same configuration changes nothing.
 *
 * Secrets: the arbiter password is read from witness.conf only; its SCRAM
 * verifier is computed here (PQencryptPasswordConn) and only the verifier
 * is sent, so the plaintext never reaches the server log or
 * pg_stat_activity. */
#include "cli/scram.h"
#include "lib/atomic-write.h"
#include "lib/readfile.h"
#include "lib/sha256.h"
#include "lib/validators.h"
#include "witness/pgtext.h"
#include "witness/witness.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DROPIN_NAME "60-voip-ha-witness.conf"
#define FILE_MAX (4 * 1024 * 1024)

struct setup {
	const struct witness_config *cfg;
	struct pg_cluster pc;
	PGconn *conn; /* to database postgres */
	char hba_file[1024];
	char config_file[1024];
	char dropin[1100];
	char running_listen[1024]; /* listen_addresses the server runs with */
	char new_listen[1100];     /* what it must run with; "" to leave as is */
	bool need_ssl_on;
	unsigned changes;
	char err[1024];
};

static void changed(struct setup *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void changed(struct setup *s, const char *fmt, ...)
{
	va_list ap;

	s->changes++;
	fputs("voip-ha-witness: setup: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int show(struct setup *s, const char *name, char *buf, size_t len)
{
	int r = query_value(s->conn, "SELECT current_setting($1)", name, buf, len, s->err,
			    sizeof(s->err));

	if (r < 0)
		werr("cannot read setting %s: %s", name, s->err);
	return r;
}

/* The value the admin's files give a setting, ours left out: the last row
 * of pg_file_settings from another file, else the built-in default.
 * *from gets the file that sets it ("" for the default). */
static int admin_setting(struct setup *s, const char *name, char *buf, size_t len, char *from,
			 size_t fromlen)
{
	const char *params[2] = { name, s->dropin };
	PGresult *res;
	int r = 0;

	res = PQexecParams(s->conn,
			   "SELECT setting, sourcefile FROM pg_file_settings WHERE name = $1 "
			   "AND sourcefile <> $2 AND error IS NULL ORDER BY seqno DESC LIMIT 1",
			   2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		werr("cannot read pg_file_settings: %s", PQerrorMessage(s->conn));
		r = -EIO;
	} else if (PQntuples(res) == 1) {
		snprintf(buf, len, "%s", PQgetvalue(res, 0, 0));
		snprintf(from, fromlen, "%s", PQgetvalue(res, 0, 1));
	} else {
		from[0] = '\0';
		r = query_value(s->conn, "SELECT boot_val FROM pg_settings WHERE name = $1", name,
				buf, len, s->err, sizeof(s->err));
		if (r < 0)
			werr("cannot read the default of %s: %s", name, s->err);
	}
	PQclear(res);
	return r;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Does postgresql.conf include conf.d (Debian's default)? */
static bool includes_confd(const char *config_file)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	bool yes = false;

	if (read_file(config_file, FILE_MAX, &sb) < 0)
		return false;
	for (p = sb_str(&sb); p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, "include_dir", 11) != 0)
			continue;
		q += 11;
		while (*q == ' ' || *q == '\t' || *q == '=')
			q++;
		if (strncmp(q, "'conf.d'", 8) == 0 || strncmp(q, "conf.d", 6) == 0)
			yes = true;
	}
	sb_release(&sb);
	return yes;
}

static bool file_exists(const char *dir, const char *path)
{
	char full[2048];
	struct stat st;

	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", dir, path);
	return stat(full, &st) == 0 && S_ISREG(st.st_mode);
}

/* Checks what must hold before anything changes, and decides the drop-in. */
static int preflight(struct setup *s)
{
	char admin_ssl[16], from[1024], admin_listen[1024], cert[1024], key[1024];
	char addr[16], confdir[1024], *slash;
	int r;

	if (PQserverVersion(s->conn) < 150000) {
		werr("PostgreSQL %s/%s is older than 15: not supported", s->pc.version, s->pc.name);
		return -EINVAL;
	}
	if ((r = show(s, "hba_file", s->hba_file, sizeof(s->hba_file))) < 0 ||
	    (r = show(s, "config_file", s->config_file, sizeof(s->config_file))) < 0 ||
	    (r = show(s, "listen_addresses", s->running_listen, sizeof(s->running_listen))) < 0 ||
	    (r = admin_setting(s, "ssl_cert_file", cert, sizeof(cert), from, sizeof(from))) < 0 ||
	    (r = admin_setting(s, "ssl_key_file", key, sizeof(key), from, sizeof(from))) < 0)
		return r;
	snprintf(confdir, sizeof(confdir), "%s", s->config_file);
	slash = strrchr(confdir, '/');
	if (!slash) {
		werr("unexpected config_file '%s'", s->config_file);
		return -EINVAL;
	}
	*slash = '\0';
	snprintf(s->dropin, sizeof(s->dropin), "%s/conf.d/" DROPIN_NAME, confdir);

	/* TLS: the nodes connect with sslmode=require. */
	if ((r = admin_setting(s, "ssl", admin_ssl, sizeof(admin_ssl), from, sizeof(from))) < 0)
		return r;
	if (strcmp(admin_ssl, "on") != 0) {
		if (!file_exists(s->pc.datadir, cert) || !file_exists(s->pc.datadir, key)) {
			werr("PostgreSQL %s/%s has ssl off and no certificate (ssl_cert_file '%s', "
			     "ssl_key_file '%s'): the nodes only connect over TLS. Install one "
			     "(e.g. 'make-ssl-cert generate-default-snakeoil' and set "
			     "ssl_cert_file/ssl_key_file) and run setup again",
			     s->pc.version, s->pc.name, cert, key);
			return -EINVAL;
		}
		s->need_ssl_on = true;
	}

	/* listen_addresses: the admin's value plus the witness address. */
	ipv4_format(s->cfg->address, addr);
	if ((r = admin_setting(s, "listen_addresses", admin_listen, sizeof(admin_listen), from,
			       sizeof(from))) < 0)
		return r;
	s->new_listen[0] = '\0';
	if (!listen_covers(admin_listen, addr)) {
		if (ends_with(from, "postgresql.auto.conf")) {
			werr("listen_addresses is set with ALTER SYSTEM (%s), which overrides "
			     "conf.d: add %s there (ALTER SYSTEM SET listen_addresses = '%s,%s') "
			     "or reset it, then run setup again",
			     from, addr, admin_listen, addr);
			return -EINVAL;
		}
		snprintf(s->new_listen, sizeof(s->new_listen), "%s%s%s", admin_listen,
			 admin_listen[0] ? "," : "", addr);
	}
	if ((s->new_listen[0] || s->need_ssl_on) && !includes_confd(s->config_file)) {
		werr("%s does not include conf.d (Debian's include_dir = 'conf.d'): add that "
		     "line, or set%s%s yourself, then run setup again",
		     s->config_file,
		     s->new_listen[0] ? " listen_addresses to include the witness address" : "",
		     s->need_ssl_on ? " ssl = on" : "");
		return -EINVAL;
	}
	return 0;
}

/* ---- database ------------------------------------------------------------ */

#define ROLE_ATTRS "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"

static int ensure_role(struct setup *s)
{
	char verifier[512], sql[1024], attrs[16];
	char *lit = NULL, *enc = NULL;
	int r;

	r = query_value(s->conn,
			"SELECT coalesce(rolpassword, '') FROM pg_authid WHERE rolname = $1",
			WITNESS_ROLE, verifier, sizeof(verifier), s->err, sizeof(s->err));
	if (r < 0 && r != -ENOENT) {
		werr("cannot read role %s: %s", WITNESS_ROLE, s->err);
		return r;
	}
	if (r == -ENOENT) {
		if (exec_sql(s->conn, "CREATE ROLE " WITNESS_ROLE " " ROLE_ATTRS, s->err,
			     sizeof(s->err)) < 0) {
			werr("cannot create role %s: %s", WITNESS_ROLE, s->err);
			return -EIO;
		}
		changed(s, "created role %s", WITNESS_ROLE);
		verifier[0] = '\0';
	}
	/* Login and nothing more, whatever somebody gave the role since. */
	r = query_value(s->conn,
			"SELECT (rolcanlogin AND NOT (rolsuper OR rolcreatedb OR rolcreaterole OR "
			"rolreplication OR rolbypassrls))::text FROM pg_roles WHERE rolname = $1",
			WITNESS_ROLE, attrs, sizeof(attrs), s->err, sizeof(s->err));
	if (r < 0) {
		werr("cannot read role %s: %s", WITNESS_ROLE, s->err);
		return r;
	}
	if (strcmp(attrs, "true") != 0) {
		if (exec_sql(s->conn, "ALTER ROLE " WITNESS_ROLE " " ROLE_ATTRS, s->err,
			     sizeof(s->err)) < 0) {
			werr("cannot reset the attributes of role %s: %s", WITNESS_ROLE, s->err);
			return -EIO;
		}
		changed(s, "role %s may log in and nothing more", WITNESS_ROLE);
	}
	/* An unchanged password keeps its verifier (a new salt every run
	 * would be a needless change). */
	if (scram_verifier_matches(verifier, s->cfg->password))
		return 0;
	enc = PQencryptPasswordConn(s->conn, s->cfg->password, WITNESS_ROLE, "scram-sha-256");
	if (!enc) {
		werr("cannot compute the SCRAM verifier of the arbiter password: %s",
		     PQerrorMessage(s->conn));
		return -EIO;
	}
	lit = PQescapeLiteral(s->conn, enc, strlen(enc));
	if (!lit) {
		r = -ENOMEM;
		werr("out of memory");
		goto out;
	}
	snprintf(sql, sizeof(sql), "ALTER ROLE " WITNESS_ROLE " PASSWORD %s", lit);
	r = exec_sql(s->conn, sql, s->err, sizeof(s->err));
	explicit_bzero(sql, sizeof(sql));
	if (r < 0) {
		werr("cannot set the password of role %s: %s", WITNESS_ROLE, s->err);
		goto out;
	}
	changed(s, "set the password of role %s", WITNESS_ROLE);
out:
	if (lit) {
		explicit_bzero(lit, strlen(lit));
		PQfreemem(lit);
	}
	explicit_bzero(enc, strlen(enc));
	PQfreemem(enc);
	return r;
}

static int ensure_database(struct setup *s)
{
	char v[16];
	int r;

	r = query_value(s->conn, "SELECT 1 FROM pg_database WHERE datname = $1", WITNESS_DB, v,
			sizeof(v), s->err, sizeof(s->err));
	if (r == -ENOENT) {
		if (exec_sql(s->conn, "CREATE DATABASE " WITNESS_DB, s->err, sizeof(s->err)) < 0) {
			werr("cannot create database %s: %s", WITNESS_DB, s->err);
			return -EIO;
		}
		changed(s, "created database %s", WITNESS_DB);
	} else if (r < 0) {
		werr("cannot look up database %s: %s", WITNESS_DB, s->err);
		return r;
	}
	/* Nobody but the arbiter role (and superusers) may connect. */
	r = query_value(s->conn,
			"SELECT has_database_privilege('public', $1, 'CONNECT')::text || ' ' || "
			"has_database_privilege('" WITNESS_ROLE "', $1, 'CONNECT')::text",
			WITNESS_DB, v, sizeof(v), s->err, sizeof(s->err));
	if (r < 0) {
		werr("cannot read the privileges of database %s: %s", WITNESS_DB, s->err);
		return r;
	}
	if (strcmp(v, "false true") != 0) {
		if (exec_sql(s->conn,
			     "REVOKE ALL ON DATABASE " WITNESS_DB " FROM PUBLIC; "
			     "GRANT CONNECT ON DATABASE " WITNESS_DB " TO " WITNESS_ROLE,
			     s->err, sizeof(s->err)) < 0) {
			werr("cannot set the privileges of database %s: %s", WITNESS_DB, s->err);
			return -EIO;
		}
		changed(s, "only %s may connect to database %s", WITNESS_ROLE, WITNESS_DB);
	}
	return 0;
}

/* lease.sql in one transaction with the rows: applied when its SHA-256
 * differs from the one recorded on the schema; one row per configured pair
 * (ON CONFLICT DO NOTHING); rows of pairs no longer configured are kept and
 * named. */
static int ensure_lease(struct setup *s, const char *lease_sql)
{
	struct strbuf sql = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1], cur[128], comment[160];
	PGconn *c = NULL;
	PGresult *res;
	size_t i;
	int r, n;

	r = read_file(lease_sql, FILE_MAX, &sql);
	if (r < 0) {
		werr("cannot read '%s': %s", lease_sql, strerror(-r));
		goto out;
	}
	if ((r = sha256_hex(sb_str(&sql), sql.len, hex)) < 0) {
		werr("cannot hash '%s'", lease_sql);
		goto out;
	}
	c = connect_local(&s->pc, WITNESS_DB);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		werr("cannot connect to database %s: %s", WITNESS_DB,
		     c ? PQerrorMessage(c) : "out of memory");
		r = -EIO;
		goto out;
	}
	if ((r = exec_sql(c, "BEGIN", s->err, sizeof(s->err))) < 0)
		goto fail;
	/* One setup at a time (two postinsts, or a hand run beside one). */
	if ((r = exec_sql(c, "SELECT pg_advisory_xact_lock(8117061)", s->err, sizeof(s->err))) < 0)
		goto fail;
	r = query_value(c,
			"SELECT coalesce(obj_description(oid, 'pg_namespace'), '') FROM "
			"pg_namespace WHERE nspname = $1",
			"voip_ha", cur, sizeof(cur), s->err, sizeof(s->err));
	if (r < 0 && r != -ENOENT)
		goto fail;
	snprintf(comment, sizeof(comment), "lease.sql sha256 %s", hex);
	if (r == -ENOENT || strcmp(cur, comment) != 0) {
		if ((r = exec_sql(c, sb_str(&sql), s->err, sizeof(s->err))) < 0)
			goto fail;
		char stmt[256];

		snprintf(stmt, sizeof(stmt), "COMMENT ON SCHEMA voip_ha IS '%s'", comment);
		if ((r = exec_sql(c, stmt, s->err, sizeof(s->err))) < 0)
			goto fail;
		changed(s, "applied %s", lease_sql);
	}
	for (i = 0; i < s->cfg->npairs; i++) {
		const char *p[1] = { s->cfg->pairs[i].name };

		res = PQexecParams(c,
				   "INSERT INTO voip_ha.lease (cluster) VALUES ($1) "
				   "ON CONFLICT DO NOTHING",
				   1, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			snprintf(s->err, sizeof(s->err), "%s", PQerrorMessage(c));
			PQclear(res);
			r = -EIO;
			goto fail;
		}
		n = atoi(PQcmdTuples(res));
		PQclear(res);
		if (n > 0)
			changed(s, "added the lease of cluster %s", s->cfg->pairs[i].name);
	}
	if ((r = exec_sql(c, "COMMIT", s->err, sizeof(s->err))) < 0)
		goto fail;
	res = PQexec(c, "SELECT cluster FROM voip_ha.lease ORDER BY cluster");
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		for (n = 0; n < PQntuples(res); n++) {
			const char *name = PQgetvalue(res, n, 0);

			for (i = 0; i < s->cfg->npairs && strcmp(s->cfg->pairs[i].name, name); i++)
				;
			if (i == s->cfg->npairs)
				wsay("note: the lease of cluster %s is kept although witness.conf no "
				     "longer names it (delete its row by hand when that pair is gone)",
				     name);
		}
	PQclear(res);
	r = 0;
	goto out;
fail:
	werr("cannot set up the lease schema in database %s (nothing of it changed): %s",
	     WITNESS_DB, s->err);
out:
	if (c)
		PQfinish(c);
	sb_release(&sql);
	return r;
}

/* ---- files --------------------------------------------------------------- */

/* Writes path with content, keeping its owner and mode when it exists
 * (else postgres-owned fallback uid/gid, mode). */
static int write_keeping(const char *path, const struct strbuf *content, mode_t mode, uid_t uid,
			 gid_t gid, bool *ret_changed)
{
	struct stat st;

	if (stat(path, &st) == 0) {
		mode = st.st_mode & 07777;
		uid = st.st_uid;
		gid = st.st_gid;
	}
	return atomic_write(path, sb_str(content), content->len, mode, uid, gid, ret_changed);
}

/* PostgreSQL's own parser on the files as they are now: 0 when clean. */
static int files_parse(struct setup *s, bool hba, char *why, size_t len)
{
	const char *sql = hba ? "SELECT 'line ' || line_number || ': ' || error FROM "
				"pg_hba_file_rules WHERE error IS NOT NULL AND $1 <> '' LIMIT 1" :
				"SELECT sourcefile || ':' || sourceline || ': ' || error FROM "
				"pg_file_settings WHERE error IS NOT NULL AND sourcefile = $1 AND "
				"error <> 'setting could not be applied' LIMIT 1";
	int r = query_value(s->conn, sql, s->dropin, why, len, s->err, sizeof(s->err));

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		snprintf(why, len, "%.*s", (int)(len > 0 ? len - 1 : 0), s->err);
	return -EINVAL;
}

/* A setting of the drop-in that a later file sets again (postgresql.conf
 * after its include_dir, postgresql.auto.conf) would be in vain. */
static int overridden(struct setup *s, char *why, size_t len)
{
	int r = query_value(s->conn,
			    "SELECT d.name || ' is set again after conf.d, in ' || o.sourcefile || "
			    "':' || o.sourceline || ' (remove it there)' FROM pg_file_settings d "
			    "JOIN pg_file_settings o ON o.name = d.name AND o.seqno > d.seqno "
			    "WHERE d.sourcefile = $1 ORDER BY o.seqno DESC LIMIT 1",
			    s->dropin, why, len, s->err, sizeof(s->err));

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		snprintf(why, len, "%.*s", (int)(len > 0 ? len - 1 : 0), s->err);
	return -EINVAL;
}

static int update_hba(struct setup *s, bool *ret_changed)
{
	struct strbuf old = STRBUF_INIT, block = STRBUF_INIT, merged = STRBUF_INIT;
	char why[512];
	int r;

	*ret_changed = false;
	if ((r = read_file(s->hba_file, FILE_MAX, &old)) < 0) {
		werr("cannot read '%s': %s", s->hba_file, strerror(-r));
		goto out;
	}
	if ((r = hba_block(s->cfg, &block)) < 0 ||
	    (r = hba_merge(sb_str(&old), old.len, sb_str(&block), &merged)) < 0) {
		if (r == -EINVAL)
			werr("%s: the lines '" HBA_BEGIN "' and '" HBA_END "' are not in pairs; "
			     "remove the broken block by hand and run setup again",
			     s->hba_file);
		else
			werr("out of memory");
		goto out;
	}
	r = write_keeping(s->hba_file, &merged, 0640, AW_KEEP_OWNER, (gid_t)-1, ret_changed);
	if (r < 0) {
		werr("cannot write '%s': %s", s->hba_file, strerror(-r));
		goto out;
	}
	if (*ret_changed && files_parse(s, true, why, sizeof(why)) < 0) {
		bool put_back;

		write_keeping(s->hba_file, &old, 0640, AW_KEEP_OWNER, (gid_t)-1, &put_back);
		werr("PostgreSQL does not accept %s with the witness block (%s): the file was "
		     "put back as it was",
		     s->hba_file, why);
		*ret_changed = false;
		r = -EINVAL;
		goto out;
	}
	if (*ret_changed)
		changed(s, "wrote the witness block of %s", s->hba_file);
out:
	sb_release(&old);
	sb_release(&block);
	sb_release(&merged);
	return r;
}

static void conf_quote(struct strbuf *sb, const char *v)
{
	sb_addc(sb, '\'');
	for (; *v; v++) {
		if (*v == '\'')
			sb_addc(sb, '\'');
		sb_addc(sb, *v);
	}
	sb_addc(sb, '\'');
}

static int update_dropin(struct setup *s, bool *ret_changed)
{
	struct strbuf text = STRBUF_INIT, old = STRBUF_INIT;
	bool had = access(s->dropin, F_OK) == 0;
	char why[512];
	int r = 0;

	*ret_changed = false;
	if (!s->new_listen[0] && !s->need_ssl_on) {
		if (had) {
			if (unlink(s->dropin) < 0) {
				r = -errno;
				werr("cannot remove '%s': %s", s->dropin, strerror(-r));
				return r;
			}
			*ret_changed = true;
			changed(s, "removed %s (nothing left to set)", s->dropin);
		}
		return 0;
	}
	if (had && (r = read_file(s->dropin, FILE_MAX, &old)) < 0) {
		werr("cannot read '%s': %s", s->dropin, strerror(-r));
		goto out;
	}
	sb_adds(&text, "# Written by voip-ha-witness setup (removed on purge): what the nodes\n"
		       "# need to reach the arbiter. The admin's own listen_addresses is kept\n"
		       "# and the witness address added to it.\n");
	if (s->new_listen[0]) {
		sb_adds(&text, "listen_addresses = ");
		conf_quote(&text, s->new_listen);
		sb_addc(&text, '\n');
	}
	if (s->need_ssl_on)
		sb_adds(&text, "ssl = on\n");
	r = write_keeping(s->dropin, &text, 0644, AW_KEEP_OWNER, (gid_t)-1, ret_changed);
	if (r < 0) {
		werr("cannot write '%s': %s", s->dropin, strerror(-r));
		goto out;
	}
	if (*ret_changed &&
	    (files_parse(s, false, why, sizeof(why)) < 0 || overridden(s, why, sizeof(why)) < 0)) {
		bool put_back;

		if (had)
			write_keeping(s->dropin, &old, 0644, AW_KEEP_OWNER, (gid_t)-1, &put_back);
		else
			unlink(s->dropin);
		werr("PostgreSQL does not accept its configuration with %s (%s): the drop-in "
		     "was put back as it was",
		     s->dropin, why);
		*ret_changed = false;
		r = -EINVAL;
		goto out;
	}
	if (*ret_changed)
		changed(s, "wrote %s", s->dropin);
out:
	sb_release(&text);
	sb_release(&old);
	return r;
}

/* ---- reload or restart --------------------------------------------------- */

static int reload(struct setup *s, const char *why)
{
	if (exec_sql(s->conn, "SELECT pg_reload_conf()", s->err, sizeof(s->err)) < 0) {
		werr("cannot reload PostgreSQL: %s", s->err);
		return -EIO;
	}
	changed(s, "reloaded PostgreSQL %s/%s (%s)", s->pc.version, s->pc.name, why);
	return 0;
}

/* The drop-in takes effect before the pg_hba.conf block is written, since
 * PostgreSQL checks hostssl lines against the ssl it runs with: a restart
 * when listen_addresses must change (PostgreSQL applies no setting of a
 * file holding one that needs a restart), else a reload when the drop-in
 * changed; then ssl must be on. */
static int apply_dropin(struct setup *s, bool dropin_changed)
{
	const char *want = s->new_listen[0] ? s->new_listen : NULL;
	char admin_listen[1024], from[1024], out[512], ssl[16];
	int r, i;

	if (!want) {
		if ((r = admin_setting(s, "listen_addresses", admin_listen, sizeof(admin_listen),
				       from, sizeof(from))) < 0)
			return r;
		want = admin_listen;
	}
	if (strcmp(want, s->running_listen) != 0) {
		const char *argv[] = { "/usr/bin/pg_ctlcluster", s->pc.version, s->pc.name,
				       "restart", NULL };

		PQfinish(s->conn);
		s->conn = NULL;
		r = run_capture(argv, out, sizeof(out));
		if (r != 0) {
			werr("cannot restart PostgreSQL %s/%s to listen on %s (pg_ctlcluster "
			     "restart: %s); %s is in place: restart it by hand and run setup again",
			     s->pc.version, s->pc.name, want, r < 0 ? strerror(-r) : "failed",
			     s->dropin);
			return -EIO;
		}
		changed(s, "restarted PostgreSQL %s/%s (listen_addresses)", s->pc.version,
			s->pc.name);
		s->conn = connect_local(&s->pc, "postgres");
		if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
			werr("cannot connect to PostgreSQL %s/%s after its restart: %s",
			     s->pc.version, s->pc.name,
			     s->conn ? PQerrorMessage(s->conn) : "out of memory");
			return -EIO;
		}
	} else if (dropin_changed && (r = reload(s, "conf.d")) < 0) {
		return r;
	}
	/* A reload reaches this session before its next statements. */
	for (i = 0; i < 50; i++) {
		if (show(s, "ssl", ssl, sizeof(ssl)) < 0)
			return -EIO;
		if (strcmp(ssl, "on") == 0)
			return 0;
		usleep(100 * 1000);
	}
	werr("PostgreSQL %s/%s did not turn ssl on (its log says why: a certificate or key it "
	     "cannot read?); %s sets it",
	     s->pc.version, s->pc.name, s->dropin);
	return -EIO;
}

/* What the package's purge must undo, written before the first change:
 * the cluster and the two files setup manages. A different cluster than
 * last time is said: the old one keeps its block and drop-in. */
static int record_state(struct setup *s, const char *state)
{
	struct strbuf old = STRBUF_INIT, text = STRBUF_INIT;
	int r;

	if (read_file(state, FILE_MAX, &old) == 0 && old.len > 0) {
		char want[160];

		snprintf(want, sizeof(want), "version=%s\nname=%s\n", s->pc.version, s->pc.name);
		if (strncmp(sb_str(&old), want, strlen(want)) != 0)
			wsay("note: setup ran before on another PostgreSQL cluster (%s): its "
			     "pg_hba.conf block and conf.d file are left there",
			     state);
	}
	sb_addf(&text, "version=%s\nname=%s\nhba_file=%s\ndropin=%s\n", s->pc.version, s->pc.name,
		s->hba_file, s->dropin);
	r = mkdir_parents(state, 0755);
	if (r == 0)
		r = atomic_write(state, sb_str(&text), text.len, 0644, AW_KEEP_OWNER, (gid_t)-1,
				 NULL);
	if (r < 0)
		werr("cannot write '%s': %s", state, strerror(-r));
	sb_release(&old);
	sb_release(&text);
	return r;
}

int witness_setup(const char *config, const char *lease_sql, const char *state)
{
	struct witness_config cfg;
	struct setup s;
	bool hba_changed = false, dropin_changed = false;
	int ret = W_EXIT_FAIL;

	if (geteuid() != 0) {
		werr("setup must be run as root");
		return W_EXIT_FAIL;
	}
	if (wconfig_load_report(config, &cfg) != 0)
		return W_EXIT_FAIL;
	memset(&s, 0, sizeof(s));
	s.cfg = &cfg;
	if (access(lease_sql, R_OK) != 0) {
		werr("cannot read '%s': %s", lease_sql, strerror(errno));
		goto out;
	}
	if (find_pg_cluster(&cfg, &s.pc) != 0)
		goto out;
	s.conn = connect_local(&s.pc, "postgres");
	if (!s.conn || PQstatus(s.conn) != CONNECTION_OK) {
		werr("cannot connect to PostgreSQL %s/%s as postgres: %s", s.pc.version, s.pc.name,
		     s.conn ? PQerrorMessage(s.conn) : "out of memory");
		goto out;
	}
	if (preflight(&s) < 0 || record_state(&s, state) < 0 || ensure_role(&s) < 0 ||
	    ensure_database(&s) < 0 || ensure_lease(&s, lease_sql) < 0 ||
	    update_dropin(&s, &dropin_changed) < 0 || apply_dropin(&s, dropin_changed) < 0 ||
	    update_hba(&s, &hba_changed) < 0 || (hba_changed && reload(&s, "pg_hba.conf") < 0))
		goto out;
	if (!s.changes)
		wsay("setup: PostgreSQL %s/%s already serves as the witness; nothing changed",
		     s.pc.version, s.pc.name);
	ret = W_EXIT_OK;
out:
	if (s.conn)
		PQfinish(s.conn);
	wconfig_free(&cfg);
	return ret;
}
