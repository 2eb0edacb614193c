/* voip-ha save-config: store a complete cluster.conf read from stdin, after
 * validating it, atomically and root-only. This is how the postinst stores
 * debconf answers without putting a secret on any command line. */
#include "cli/args.h"
#include "cli/cli.h"
#include "lib/atomic-write.h"
#include "lib/cluster-config.h"
#include "lib/readfile.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define CONFIG_MAX (1024 * 1024)

static const char usage_text[] =
	"usage: voip-ha save-config [--config FILE] < cluster.conf\n"
	"Validate the cluster.conf on stdin and store it as FILE (default\n" DEFAULT_CONFIG
	"), mode 0600, owner root:root. With backups on and an encrypted\n"
	"repository, an empty backup_cipher_pass is generated (32 random bytes,\n"
	"base64).\n";

/* backup != none, backup_cipher != none and no backup_cipher_pass: the
 * repository's key is generated here, once, like the other secrets the
 * package makes (from the kernel's CSPRNG), and appended to the text in
 * place of an empty `backup_cipher_pass=` line. Returns 0 (done or not
 * needed) or -errno. */
static int fill_backup_key(struct strbuf *in)
{
	static const char key[] = "backup_cipher_pass=";
	struct cluster_config cfg;
	struct kv_error kerr;
	struct strbuf out = STRBUF_INIT;
	unsigned char rnd[32];
	char b64[48];
	const char *p, *end;
	bool need;
	int r;

	if (cluster_config_parse(sb_str(in), in->len, &cfg, &kerr) < 0)
		return 0; /* validate_text reports it */
	need = cfg.backup && strcmp(cfg.backup, "none") != 0 && cfg.backup_cipher &&
	       strcmp(cfg.backup_cipher, "none") != 0 && cfg.backup_cipher_pass &&
	       !cfg.backup_cipher_pass[0];
	cluster_config_free(&cfg);
	if (!need)
		return 0;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	EVP_EncodeBlock((unsigned char *)b64, rnd, sizeof(rnd));
	explicit_bzero(rnd, sizeof(rnd));
	r = 0;
	for (p = sb_str(in), end = p + in->len; r == 0 && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		/* the empty line is dropped; kv_parse refuses a duplicate key */
		if (strncmp(p, key, sizeof(key) - 1) != 0)
			r = sb_add(&out, p, n);
		if (r == 0 && !nl)
			r = sb_addc(&out, '\n');
		p += n;
	}
	r = r ? r : sb_adds(&out, key);
	r = r ? r : sb_adds(&out, b64);
	r = r ? r : sb_addc(&out, '\n');
	explicit_bzero(b64, sizeof(b64));
	if (r == 0) {
		sb_release(in);
		*in = out;
	} else {
		sb_release(&out);
	}
	return r;
}

static int validate_text(const struct strbuf *in)
{
	struct errlist el = ERRLIST_INIT;
	struct cluster_config cfg;
	struct kv_error kerr;
	int r;

	r = cluster_config_parse(sb_str(in), in->len, &cfg, &kerr);
	if (r == -EINVAL) {
		cli_error("<stdin>:%u: %s", kerr.line, kerr.msg);
		return EXIT_FAIL;
	}
	if (r < 0) {
		cli_error("cannot parse <stdin>: %s", strerror(-r));
		return EXIT_FAIL;
	}
	r = cluster_config_validate(&cfg, &el);
	if (r < 0)
		cli_print_errors("<stdin>", &el);
	errlist_free(&el);
	cluster_config_free(&cfg);
	return r < 0 ? EXIT_FAIL : 0;
}

int cmd_save_config(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	struct strbuf in = STRBUF_INIT;
	bool root = geteuid() == 0;
	int r, ret = EXIT_FAIL;
	const struct cli_opt opts[] = {
		{ "config", 'c', &path, NULL },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	r = read_fd(STDIN_FILENO, CONFIG_MAX, &in);
	if (r < 0) {
		cli_error("cannot read stdin: %s", r == -EFBIG ? "more than 1 MiB" : strerror(-r));
		goto out;
	}
	r = fill_backup_key(&in);
	if (r < 0) {
		cli_error("cannot generate backup_cipher_pass: %s", strerror(-r));
		goto out;
	}
	if (validate_text(&in) != 0) {
		cli_error("'%s' was not changed", path);
		goto out;
	}
	r = mkdir_parents(path, 0755);
	if (r == 0)
		r = atomic_write(path, sb_str(&in), in.len, 0600, root ? 0 : AW_KEEP_OWNER,
				 root ? 0 : (gid_t)-1, NULL);
	if (r < 0) {
		cli_error("cannot write '%s': %s", path, strerror(-r));
		goto out;
	}
	ret = EXIT_OK;
out:
	sb_release(&in);
	return ret;
}
