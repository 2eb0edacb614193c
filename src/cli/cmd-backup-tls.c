/* voip-ha backup-tls: this node's pgBackRest TLS files (doc/DESIGN.md,
 * "Backups: TLS certificates"): ca.crt, the pair's CA, derived from
 * replication_password (so both nodes make the same one without copying
 * anything); host.key, this node's own key, random, made once and kept;
 * host.crt, that key's certificate for this node's address, signed by the
 * CA. A file is written (atomically) only when it differs from what it
 * should be: a changed address or password replaces the certificates, the
 * key stays. Run by the postinst (postinst-hooks/45-backup). */
#include "cli/args.h"
#include "cli/cli.h"
#include "lib/atomic-write.h"
#include "lib/derive.h"
#include "lib/owner.h"
#include "lib/readfile.h"
#include "lib/tls-cert.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TLS_DIR "/etc/pgbackrest/tls"

static const char usage_text[] =
	"usage: voip-ha backup-tls [--config FILE] [--node node1|node2] [--dir DIR]\n"
	"Make this node's pgBackRest TLS files in DIR (default " TLS_DIR "):\n"
	"ca.crt (the pair's CA, derived from replication_password: the same on\n"
	"both nodes), host.key (this node's own key, made once, 0640 root:postgres)\n"
	"and host.crt (its certificate for this node's address, signed by the CA).\n"
	"Writes only what differs; nothing with backup=none.\n";

/* Writes one file, says so when it changed. 0 or EXIT_FAIL. */
static int put(const char *dir, const char *name, const struct strbuf *sb, mode_t mode, uid_t uid,
	       gid_t gid)
{
	char path[4096];
	bool changed = false;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = atomic_write(path, sb->buf ? sb->buf : "", sb->len, mode, uid, gid, &changed);
	if (r < 0) {
		cli_error("cannot write '%s': %s", path, strerror(-r));
		return EXIT_FAIL;
	}
	if (changed)
		printf("wrote %s\n", path);
	return 0;
}

int cmd_backup_tls(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG, *node_arg = NULL, *dir = TLS_DIR;
	const struct cli_opt opts[] = {
		{ "config", 'c', &path, NULL },
		{ "node", 'n', &node_arg, NULL },
		{ "dir", 'd', &dir, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct strbuf ca = STRBUF_INIT, cert = STRBUF_INIT, key_pem = STRBUF_INIT,
		      old = STRBUF_INIT;
	struct cluster_config cfg;
	struct evp_pkey_st *ca_key = NULL, *key = NULL;
	enum cluster_node node;
	unsigned char seed[32];
	char kpath[4096];
	bool root = geteuid() == 0;
	uid_t uid = AW_KEEP_OWNER;
	gid_t gid = (gid_t)-1, pg_gid = (gid_t)-1;
	int r, ret = EXIT_FAIL;

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (node_arg && strcmp(node_arg, "node1") && strcmp(node_arg, "node2")) {
		cli_error("--node must be node1 or node2");
		return EXIT_USAGE;
	}
	if (cli_load_config(path, &cfg) != 0)
		return EXIT_FAIL;
	if (cfg.backup_kind == BACKUP_NONE) {
		cli_note("backups are off (backup=none in %s): no TLS files needed", path);
		ret = EXIT_OK;
		goto out;
	}
	if (cli_pick_node(node_arg, &cfg, &node) != 0)
		goto out;
	if (root) {
		uid = 0;
		gid = 0;
		r = lookup_group(NULL, "postgres", &pg_gid);
		if (r < 0) {
			cli_error("group postgres: %s (is PostgreSQL installed?)",
				  r == -ENOENT ? "does not exist" : strerror(-r));
			goto out;
		}
	}
	if (derive_backup_ca_seed(&cfg, seed) < 0 || tls_ca_key(seed, &ca_key) < 0 ||
	    tls_ca_cert(ca_key, &ca) < 0) {
		cli_error("cannot make the CA (libcrypto refused)");
		goto out;
	}
	/* the key: the one in place when it is an Ed25519 key, else a new one */
	snprintf(kpath, sizeof(kpath), "%s/host.key", dir);
	r = read_file(kpath, 64 * 1024, &old);
	if (r == 0 && tls_key_read(sb_str(&old), old.len, &key) < 0)
		cli_note("%s is not an Ed25519 key: making a new one", kpath);
	else if (r < 0 && r != -ENOENT) {
		cli_error("cannot read '%s': %s", kpath, strerror(-r));
		goto out;
	}
	if (!key && tls_key_new(&key) < 0) {
		cli_error("cannot make a key (libcrypto refused)");
		goto out;
	}
	if (tls_key_pem(key, &key_pem) < 0 ||
	    tls_host_cert(ca_key, key, node == NODE_1 ? cfg.node1_address : cfg.node2_address,
			  &cert) < 0) {
		cli_error("cannot make this node's certificate (libcrypto refused)");
		goto out;
	}
	r = mkdir_parents(kpath, 0755);
	if (r < 0) {
		cli_error("cannot create '%s': %s", dir, strerror(-r));
		goto out;
	}
	/* the key first: a certificate is never in place without its key */
	if (put(dir, "host.key", &key_pem, root ? 0640 : 0600, uid, pg_gid) ||
	    put(dir, "ca.crt", &ca, 0644, uid, gid) || put(dir, "host.crt", &cert, 0644, uid, gid))
		goto out;
	ret = EXIT_OK;
out:
	explicit_bzero(seed, sizeof(seed));
	if (key_pem.buf)
		explicit_bzero(key_pem.buf, key_pem.len);
	if (old.buf)
		explicit_bzero(old.buf, old.len);
	sb_release(&ca);
	sb_release(&cert);
	sb_release(&key_pem);
	sb_release(&old);
	tls_key_free(ca_key);
	tls_key_free(key);
	cluster_config_free(&cfg);
	return ret;
}
