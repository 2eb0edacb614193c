/* The repository host's bundle (see backup-bundle.h). */
#include "lib/backup-bundle.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/sha256.h"
#include "lib/tls-cert.h"
#include "lib/validators.h"

const struct bundle_file bundle_files[BM_COUNT] = {
	[BM_CONF] = { "etc/pgbackrest/conf.d/voip-ha.conf", "sha256_conf", 0640, "root", "postgres",
		      false },
	[BM_CA] = { "etc/pgbackrest/tls/ca.crt", "sha256_ca", 0644, "root", "root", false },
	[BM_CERT] = { "etc/pgbackrest/tls/host.crt", "sha256_cert", 0644, "root", "root", false },
	[BM_KEY] = { "etc/pgbackrest/tls/host.key", "sha256_key", 0640, "root", "postgres", false },
	[BM_FULL_SERVICE] = { "etc/systemd/system/voip-ha-backup-full.service",
			      "sha256_full_service", 0644, "root", "root", true },
	[BM_FULL_TIMER] = { "etc/systemd/system/voip-ha-backup-full.timer", "sha256_full_timer",
			    0644, "root", "root", true },
	[BM_DIFF_SERVICE] = { "etc/systemd/system/voip-ha-backup-diff.service",
			      "sha256_diff_service", 0644, "root", "root", true },
	[BM_DIFF_TIMER] = { "etc/systemd/system/voip-ha-backup-diff.timer", "sha256_diff_timer",
			    0644, "root", "root", true },
};

static const char *const info_keys[] = {
	"format",
	"stanza",
	"repo_path",
	"node1_address",
	"node2_address",
	"backup_host",
	"sha256_conf",
	"sha256_ca",
	"sha256_cert",
	"sha256_key",
	"sha256_full_service",
	"sha256_full_timer",
	"sha256_diff_service",
	"sha256_diff_timer",
	NULL,
};

int bundle_write(const struct bundle_info *info, const struct tar_member files[BM_COUNT],
		 struct strbuf *out)
{
	struct tar_member m[BM_COUNT + 1];
	struct strbuf text = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1];
	size_t i;
	int r;

	r = sb_addf(&text,
		    "# voip-ha backup-host bundle: install it with\n"
		    "# `voip-ha-witness backup-host install FILE` on %s\n"
		    "format=" BUNDLE_FORMAT "\nstanza=%s\nrepo_path=%s\nnode1_address=%s\n"
		    "node2_address=%s\nbackup_host=%s\n",
		    info->backup_host, info->stanza, info->repo_path, info->node1_address,
		    info->node2_address, info->backup_host);
	for (i = 0; r == 0 && i < BM_COUNT; i++) {
		r = sha256_hex(files[i].data, files[i].len, hex);
		r = r ? r : sb_addf(&text, "%s=%s\n", bundle_files[i].sum_key, hex);
		m[i + 1] = files[i];
		m[i + 1].name = bundle_files[i].name;
	}
	m[0].name = BUNDLE_INFO;
	m[0].data = sb_str(&text);
	m[0].len = text.len;
	r = r ? r : tar_write(m, BM_COUNT + 1, out);
	sb_release(&text);
	return r;
}

#define BAD(...)                                     \
	do {                                         \
		snprintf(why, why_len, __VA_ARGS__); \
		r = -EINVAL;                         \
		goto out;                            \
	} while (0)

static const char *get(const struct kv_file *kv, const char *key, char *why, size_t why_len)
{
	const char *v = kv_get(kv, key);

	if (!v)
		snprintf(why, why_len, BUNDLE_INFO " has no %s", key);
	return v;
}

static bool path_ok(const char *v)
{
	const char *p;

	if (v[0] != '/' || strlen(v) > 1024 ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-+@") !=
		    strlen(v))
		return false;
	for (p = v; (p = strstr(p, "/..")) != NULL; p += 3)
		if (p[3] == '/' || p[3] == '\0')
			return false;
	return strcmp(v, "/") != 0;
}

static bool address_ok(const char *v)
{
	uint32_t a;

	return ipv4_parse(v, &a) == 0 && ipv4_unicast_host(a);
}

int bundle_read(const char *data, size_t len, struct bundle *b, char *why, size_t why_len)
{
	struct tar_member m[BM_COUNT + 2];
	struct kv_error kerr;
	struct bundle_info *in = &b->info;
	char hex[SHA256_HEX_LEN + 1];
	size_t n, i, j;
	const char *v;
	int r;

	memset(b, 0, sizeof(*b));
	r = tar_read(data, len, m, BM_COUNT + 2, &n, why, why_len);
	if (r < 0)
		return r;
	if (n != BM_COUNT + 1 || strcmp(m[0].name, BUNDLE_INFO) != 0)
		BAD("not %d members starting with " BUNDLE_INFO, BM_COUNT + 1);
	for (i = 0; i < BM_COUNT; i++) {
		for (j = 1; j <= BM_COUNT; j++)
			if (strcmp(m[j].name, bundle_files[i].name) == 0)
				break;
		if (j > BM_COUNT)
			BAD("no member %s", bundle_files[i].name);
		b->files[i] = m[j];
		for (j = j + 1; j <= BM_COUNT; j++)
			if (strcmp(m[j].name, bundle_files[i].name) == 0)
				BAD("member %s twice", bundle_files[i].name);
	}
	r = kv_parse(m[0].data, m[0].len, info_keys, &b->kv, &kerr);
	if (r == -ENOMEM)
		goto out;
	if (r < 0)
		BAD(BUNDLE_INFO ":%u: %s", kerr.line, kerr.msg);
	r = -EINVAL;
	if (!(v = get(&b->kv, "format", why, why_len)))
		goto out;
	if (strcmp(v, BUNDLE_FORMAT) != 0)
		BAD("format %s, not " BUNDLE_FORMAT " (made by another version of voip-ha?)", v);
	if (!(in->stanza = get(&b->kv, "stanza", why, why_len)) ||
	    !(in->repo_path = get(&b->kv, "repo_path", why, why_len)) ||
	    !(in->node1_address = get(&b->kv, "node1_address", why, why_len)) ||
	    !(in->node2_address = get(&b->kv, "node2_address", why, why_len)) ||
	    !(in->backup_host = get(&b->kv, "backup_host", why, why_len)))
		goto out;
	if (!cluster_name_valid(in->stanza))
		BAD("stanza: not a stanza name");
	if (!path_ok(in->repo_path))
		BAD("repo_path: not an absolute path of letters, digits and / . _ - + @");
	if (!address_ok(in->node1_address) || !address_ok(in->node2_address) ||
	    !address_ok(in->backup_host))
		BAD("an address is not a unicast IPv4 address");
	for (i = 0; i < BM_COUNT; i++) {
		if (!(v = get(&b->kv, bundle_files[i].sum_key, why, why_len)))
			goto out;
		if (sha256_hex(b->files[i].data, b->files[i].len, hex) < 0)
			BAD("cannot compute SHA-256");
		if (strcmp(v, hex) != 0)
			BAD("%s: SHA-256 differs (a corrupt bundle)", bundle_files[i].name);
	}
	{
		char tw[128];

		if (tls_check_host(b->files[BM_CA].data, b->files[BM_CA].len,
				   b->files[BM_CERT].data, b->files[BM_CERT].len,
				   b->files[BM_KEY].data, b->files[BM_KEY].len, in->backup_host, tw,
				   sizeof(tw)) < 0)
			BAD("TLS files: %s", tw);
	}
	r = 0;
out:
	if (r < 0)
		bundle_free(b);
	return r;
}

void bundle_free(struct bundle *b)
{
	kv_file_free(&b->kv);
	memset(b, 0, sizeof(*b));
}
