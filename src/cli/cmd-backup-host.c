/* voip-ha backup-host: everything the repository host of backup=repo-host
 * needs, as one bundle (lib/backup-bundle.h, a tar archive): its pgBackRest
 * file (templates/pgbackrest/repo-host.conf.tmpl, with the repository key),
 * the pair's CA certificate, a new key of its own and that key's
 * certificate for backup_host signed by the CA (made here: the CA key never
 * leaves the nodes), and the systemd units of the scheduled backups. It
 * holds secrets: written 0600 with --out, and never to a terminal. The
 * witness package installs it (`voip-ha-witness backup-host install`). */
#include "cli/args.h"
#include "cli/cli.h"
#include "lib/atomic-write.h"
#include "lib/backup-bundle.h"
#include "lib/derive.h"
#include "lib/generate.h"
#include "lib/tls-cert.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEPLOY_PREFIX "/backup-host/"

static const char usage_text[] =
	"usage: voip-ha backup-host [--config FILE] [--templates DIR] [--out FILE]\n"
	"Write the bundle the repository host (backup_host, backup=repo-host) needs:\n"
	"its pgBackRest file (with the repository key), the pair's CA certificate,\n"
	"its own new key and certificate, the backup timers. To FILE (0600) or to\n"
	"stdout when it is not a terminal. Install it there with\n"
	"'voip-ha-witness backup-host install FILE'.\n";

/* The rendered deploy file for member i, from the plan. */
static const struct gen_file *plan_file(const struct gen_plan *plan, const char *name)
{
	size_t i, pl = strlen(DEPLOY_PREFIX);

	for (i = 0; i < plan->count; i++)
		if (strncmp(plan->files[i].path, DEPLOY_PREFIX, pl) == 0 &&
		    strcmp(plan->files[i].path + pl, name) == 0)
			return &plan->files[i];
	return NULL;
}

/* The TLS members: the CA, a new key, its certificate for backup_host. */
static int make_tls(const struct cluster_config *cfg, struct strbuf *ca, struct strbuf *cert,
		    struct strbuf *key_pem)
{
	struct evp_pkey_st *ca_key = NULL, *key = NULL;
	unsigned char seed[32];
	int r;

	r = derive_backup_ca_seed(cfg, seed);
	r = r ? r : tls_ca_key(seed, &ca_key);
	r = r ? r : tls_ca_cert(ca_key, ca);
	r = r ? r : tls_key_new(&key);
	r = r ? r : tls_key_pem(key, key_pem);
	r = r ? r : tls_host_cert(ca_key, key, cfg->backup_host, cert);
	explicit_bzero(seed, sizeof(seed));
	tls_key_free(ca_key);
	tls_key_free(key);
	return r;
}

int cmd_backup_host(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG, *templates = DEFAULT_TEMPLATES, *out = NULL;
	const struct cli_opt opts[] = {
		{ "config", 'c', &path, NULL },
		{ "templates", 't', &templates, NULL },
		{ "out", 'o', &out, NULL },
		{ NULL, 0, NULL, NULL },
	};
	struct strbuf ca = STRBUF_INIT, cert = STRBUF_INIT, key = STRBUF_INIT, tar = STRBUF_INIT;
	struct errlist el = ERRLIST_INIT;
	struct gen_plan plan = { NULL, 0 };
	struct tar_member files[BM_COUNT];
	struct cluster_config cfg;
	struct gen_request req;
	struct bundle_info info;
	bool fallback;
	size_t i;
	int r, ret = EXIT_FAIL;

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (!out && isatty(STDOUT_FILENO)) {
		cli_error("the bundle holds the repository key and a private key: give --out FILE "
			  "or redirect stdout, not to a terminal");
		return EXIT_USAGE;
	}
	if (cli_load_config(path, &cfg) != 0)
		return EXIT_FAIL;
	if (cfg.backup_kind != BACKUP_REPO_HOST) {
		cli_error("backup=%s in %s: a repository host is only for backup=repo-host",
			  cfg.backup, path);
		goto done;
	}
	memset(&req, 0, sizeof(req));
	req.cfg = &cfg;
	req.templates_dir = templates;
	req.out = "";
	req.all = true;
	detect_pg_major(&cfg, NULL, &req.pg_major, &fallback);
	r = gen_plan_build(&req, &plan, &el);
	if (r < 0) {
		if (r == -ENOMEM)
			cli_error("out of memory");
		cli_print_errors("backup-host", &el);
		goto done;
	}
	if (make_tls(&cfg, &ca, &cert, &key) < 0) {
		cli_error(
			"cannot make the repository host's key and certificate (libcrypto refused)");
		goto done;
	}
	for (i = 0; i < BM_COUNT; i++) {
		const struct gen_file *f = plan_file(&plan, bundle_files[i].name);

		files[i].name = bundle_files[i].name;
		if (i == BM_CA || i == BM_CERT || i == BM_KEY) {
			const struct strbuf *sb = i == BM_CA ? &ca : i == BM_CERT ? &cert : &key;

			files[i].data = sb_str(sb);
			files[i].len = sb->len;
		} else if (f) {
			files[i].data = f->data;
			files[i].len = f->len;
		} else {
			cli_error("the templates (%s/MANIFEST) render no %s%s", templates,
				  DEPLOY_PREFIX, bundle_files[i].name);
			goto done;
		}
	}
	info.stanza = cfg.backup_stanza;
	info.repo_path = cfg.backup_path;
	info.node1_address = cfg.node1_address;
	info.node2_address = cfg.node2_address;
	info.backup_host = cfg.backup_host;
	if (bundle_write(&info, files, &tar) < 0) {
		cli_error("cannot build the bundle");
		goto done;
	}
	if (out) {
		bool root = geteuid() == 0;

		r = atomic_write(out, tar.buf, tar.len, 0600, root ? 0 : AW_KEEP_OWNER,
				 root ? 0 : (gid_t)-1, NULL);
		if (r < 0) {
			cli_error("cannot write '%s': %s", out, strerror(-r));
			goto done;
		}
		cli_note("wrote %s: copy it to %s (it holds secrets: keep it 0600, delete it "
			 "once installed) and run 'voip-ha-witness backup-host install FILE' there",
			 out, cfg.backup_host);
	} else if ((r = write_all(STDOUT_FILENO, tar.buf, tar.len)) < 0) {
		cli_error("cannot write the bundle to stdout: %s", strerror(-r));
		goto done;
	}
	ret = EXIT_OK;
done:
	if (key.buf)
		explicit_bzero(key.buf, key.len);
	if (tar.buf)
		explicit_bzero(tar.buf, tar.len);
	sb_release(&ca);
	sb_release(&cert);
	sb_release(&key);
	sb_release(&tar);
	gen_plan_free(&plan);
	errlist_free(&el);
	cluster_config_free(&cfg);
	return ret;
}
