/* The repository host's bundle (doc/DESIGN.md, "Backups: the repository
 * host"): what `voip-ha backup-host` writes on a node and `voip-ha-witness
 * backup-host install` puts in place on the repository host. A ustar
 * archive (lib/tar.h) of a fixed list of members: first `voip-ha-backup-host`
 * (key=value: format, stanza, repo_path, the node addresses and the SHA-256
 * of every other member), then the files below, each installed at "/" +
 * its name with the mode and owner of this table (never taken from the
 * archive). The one home of that list: the writer and the reader share it. */
#ifndef VOIPHA_BACKUP_BUNDLE_H
#define VOIPHA_BACKUP_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/kvfile.h"
#include "lib/strbuf.h"
#include "lib/tar.h"

#define BUNDLE_INFO "voip-ha-backup-host"
#define BUNDLE_FORMAT "1"

enum bundle_member {
	BM_CONF,
	BM_CA,
	BM_CERT,
	BM_KEY,
	BM_FULL_SERVICE,
	BM_FULL_TIMER,
	BM_DIFF_SERVICE,
	BM_DIFF_TIMER,
	BM_COUNT
};

struct bundle_file {
	const char *name;    /* in the archive; installed as "/" + name */
	const char *sum_key; /* its SHA-256's key in the info member */
	mode_t mode;
	const char *owner, *group;
	bool unit; /* a systemd unit (daemon-reload) */
};

extern const struct bundle_file bundle_files[BM_COUNT];

struct bundle_info {
	const char *stanza, *repo_path, *node1_address, *node2_address, *backup_host;
};

/* Appends the archive: the info member, then files[i] for each member i
 * (data and len set by the caller, names from bundle_files). */
int bundle_write(const struct bundle_info *info, const struct tar_member files[BM_COUNT],
		 struct strbuf *out);

struct bundle {
	struct kv_file kv; /* the info member */
	struct bundle_info info;
	struct tar_member files[BM_COUNT]; /* pointing into the archive */
};

/* Reads and checks an archive: the members and only them, each once, the
 * info's format and values (stanza, path and addresses by cluster.conf's
 * rules), every SHA-256, and the TLS files (the certificate signed by the CA,
 * for backup_host, the key's). -EINVAL with the reason in why, -ENOMEM. */
int bundle_read(const char *data, size_t len, struct bundle *b, char *why, size_t why_len);
void bundle_free(struct bundle *b);

#endif
