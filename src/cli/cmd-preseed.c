/* voip-ha preseed: print the debconf answers of this cluster for the PEER
 * node (this-node set to the peer), so the second node is installed with the
 * same shared secrets without anyone retyping them. Output holds secrets:
 * with --out the file is created 0600 before anything is written to it. */
#include "cli/args.h"
#include "cli/cli.h"
#include "lib/atomic-write.h"
#include "lib/cluster-config.h"
#include "lib/derive.h"
#include "lib/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: voip-ha preseed [--config FILE] [--out FILE]\n"
	"Print debconf-set-selections lines that install the peer node with the\n"
	"same answers and secrets. --out FILE writes them to a new 0600 file.\n";

static const char *debconf_type(const struct cluster_key *k)
{
	if (k->kind == CK_THISNODE || k->kind == CK_ARBITER)
		return "select";
	return (k->flags & CK_SECRET) ? "password" : "string";
}

/* One line per question. Its value runs to the end of the line, verbatim,
 * except that debconf-set-selections joins a line ending in '\' with the
 * next one: such a value can only go on the last line. */
static int add_line(struct strbuf *body, struct strbuf *last, const char **last_key,
		    const char *key, const char *question, const char *type, const char *value)
{
	size_t n = strlen(value);
	struct strbuf *dst = body;

	if (n && value[n - 1] == '\\') {
		if (*last_key) {
			cli_error("%s and %s both end in '\\': debconf-set-selections cannot "
				  "take more than one such value",
				  *last_key, key);
			return -EINVAL;
		}
		*last_key = key;
		dst = last;
	}
	return sb_addf(dst, "voip-ha-node voip-ha-node/%s %s %s\n", question, type, value);
}

static int build(const struct cluster_config *cfg, enum cluster_node peer, struct strbuf *out)
{
	struct strbuf last = STRBUF_INIT;
	const char *last_key = NULL;
	size_t i;
	int r;

	r = sb_addf(out,
		    "# debconf answers for %s of this voip-ha cluster, made by "
		    "'voip-ha preseed'.\n# Holds secrets: keep it root-only and delete it "
		    "after use. Load with: debconf-set-selections FILE\n",
		    peer == NODE_1 ? "node1" : "node2");
	for (i = 0; r == 0 && i < cluster_key_count; i++) {
		const struct cluster_key *k = &cluster_keys[i];
		const char *v = cluster_config_get(cfg, k);
		char q[64], *p;

		if (k->flags & CK_NOQUESTION)
			continue;
		snprintf(q, sizeof(q), "%s", k->name);
		for (p = q; *p; p++)
			if (*p == '_')
				*p = '-';
		if (k->kind == CK_THISNODE)
			v = peer == NODE_1 ? "node1" : "node2";
		r = add_line(out, &last, &last_key, k->name, q, debconf_type(k), v);
		/* Passwords are asked twice; preseed the confirmation too, unless
		 * the value must be the very last line (see add_line). */
		if (r == 0 &&
		    (k->kind == CK_PASSWORD || k->kind == CK_VRRPPASS ||
		     k->kind == CK_OPTPASSWORD) &&
		    last_key != k->name) {
			strncat(q, "-again", sizeof(q) - strlen(q) - 1);
			r = sb_addf(out, "voip-ha-node voip-ha-node/%s password %s\n", q, v);
		}
	}
	if (r == 0)
		r = sb_add(out, last.buf ? last.buf : "", last.len);
	sb_release(&last);
	return r;
}

int cmd_preseed(int argc, char **argv)
{
	const char *config = DEFAULT_CONFIG, *out = NULL;
	struct strbuf text = STRBUF_INIT;
	struct cluster_config cfg;
	enum cluster_node local;
	int r, ret = EXIT_FAIL;
	const struct cli_opt opts[] = {
		{ "config", 'c', &config, NULL },
		{ "out", 'o', &out, NULL },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, NULL, 0)) >= 0)
		return r;
	if (cli_load_config(config, &cfg) != 0)
		return EXIT_FAIL;
	r = detect_local_node(&cfg, &local);
	if (r < 0) {
		cli_error("cannot tell which node this machine is (set this_node in '%s')", config);
		goto done;
	}
	r = build(&cfg, local == NODE_1 ? NODE_2 : NODE_1, &text);
	if (r == -ENOMEM)
		cli_error("out of memory");
	if (r < 0)
		goto done;
	if (out) {
		r = atomic_write(out, sb_str(&text), text.len, 0600, AW_KEEP_OWNER, (gid_t)-1,
				 NULL);
		if (r < 0) {
			cli_error("cannot write '%s': %s", out, strerror(-r));
			goto done;
		}
	} else if (fwrite(sb_str(&text), 1, text.len, stdout) != text.len || fflush(stdout)) {
		cli_error("cannot write to stdout: %s", strerror(errno));
		goto done;
	}
	ret = EXIT_OK;
done:
	sb_release(&text);
	cluster_config_free(&cfg);
	return ret;
}
