/* voip-ha-witness backup-host install: puts the bundle of `voip-ha
 * backup-host` (lib/backup-bundle.h) in place on the repository host of
 * backup=repo-host. The whole bundle is read and checked first (members,
 * checksums, TLS files), so a bad one changes nothing; then each file is
 * written atomically with the mode and owner of the bundle table (never
 * the archive's), the repository directory is made when missing (postgres
 * 0750; never removed, not even by purge), pgbackrest.service and the two
 * backup timers are enabled and started, and stanza-create is tried. What
 * it installed is listed in the state file for the package's purge. Run
 * twice with the same bundle it changes nothing. */
#include "witness/witness.h"
#include "lib/atomic-write.h"
#include "lib/backup-bundle.h"
#include "lib/owner.h"
#include "lib/readfile.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUNDLE_MAX (4 * 1024 * 1024)
#define PGBACKREST "/usr/bin/pgbackrest"
#define SYSTEMCTL "/bin/systemctl"
#define RUNUSER "/usr/sbin/runuser"

static const char usage_text[] =
	"usage: voip-ha-witness backup-host install [--root DIR] [--no-start] FILE|-\n"
	"Install the repository host's bundle made on a node by 'voip-ha backup-host'\n"
	"(FILE, or '-': stdin): /etc/pgbackrest/conf.d/voip-ha.conf, /etc/pgbackrest/tls/,\n"
	"the backup timers; make the repository directory; enable pgbackrest.service\n"
	"and the timers and create the stanza. --root DIR installs below DIR and\n"
	"starts nothing (as --no-start). Safe to run again.\n";

struct install {
	const char *root;
	bool start;
	bool changed[BM_COUNT];
	uid_t pg_uid;
	gid_t pg_gid;
};

/* root + path into buf. */
static const char *rooted(const struct install *in, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", in->root ? in->root : "", path);
	return buf;
}

/* The list of what this install puts in place, before the first change. */
static int record_state(const struct install *in, const struct bundle *b)
{
	struct strbuf text = STRBUF_INIT;
	char path[4096];
	size_t i;
	int r;

	r = sb_adds(&text, "# what `voip-ha-witness backup-host install` put in place (purge "
			   "removes the files, never the repository)\n");
	for (i = 0; r == 0 && i < BM_COUNT; i++)
		r = sb_addf(&text, "file /%s\n", bundle_files[i].name);
	r = r ? r : sb_addf(&text, "repository %s\nstanza %s\n", b->info.repo_path, b->info.stanza);
	rooted(in, WITNESS_BACKUP_STATE, path, sizeof(path));
	r = r ? r : mkdir_parents(path, 0755);
	r = r ? r :
		atomic_write(path, sb_str(&text), text.len, 0644, AW_KEEP_OWNER, (gid_t)-1, NULL);
	if (r < 0)
		werr("cannot write '%s': %s", path, strerror(-r));
	sb_release(&text);
	return r;
}

static int put_files(struct install *in, const struct bundle *b)
{
	char path[4096];
	size_t i;
	int r;

	for (i = 0; i < BM_COUNT; i++) {
		const struct bundle_file *f = &bundle_files[i];
		gid_t gid = strcmp(f->group, "postgres") == 0 ? in->pg_gid : 0;

		snprintf(path, sizeof(path), "%s/%s", in->root ? in->root : "", f->name);
		r = mkdir_parents_owned(path, 0755, 0, 0, NULL, NULL);
		if (r == 0)
			r = atomic_write(path, b->files[i].data, b->files[i].len, f->mode, 0, gid,
					 &in->changed[i]);
		if (r < 0) {
			werr("cannot write '%s': %s", path, strerror(-r));
			return r;
		}
		if (in->changed[i])
			wsay("installed %s", path);
	}
	return 0;
}

/* The repository: made when missing, postgres 0750; an existing one is
 * left as it is (it may hold backups). */
static int make_repository(const struct install *in, const char *repo)
{
	char path[4096];
	struct stat st;
	int r;

	rooted(in, repo, path, sizeof(path));
	if (stat(path, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			werr("the repository '%s' exists and is not a directory", path);
			return -ENOTDIR;
		}
		return 0;
	}
	r = mkdir_parents(path, 0755);
	if (r == 0 && mkdir(path, 0750) < 0)
		r = -errno;
	if (r == 0 && (chown(path, in->pg_uid, in->pg_gid) < 0 || chmod(path, 0750) < 0))
		r = -errno;
	if (r < 0) {
		werr("cannot make the repository '%s': %s", path, strerror(-r));
		return r;
	}
	wsay("made the repository %s (postgres, 0750)", path);
	return 0;
}

static int systemctl(const char *a, const char *b, const char *c, const char *d)
{
	const char *const argv[] = { SYSTEMCTL, a, b, c, d, NULL };
	char out[256];

	return run_capture(argv, out, sizeof(out));
}

static void say_by_hand(const char *stanza)
{
	wsay("then, as root: systemctl daemon-reload; systemctl enable --now pgbackrest.service "
	     "voip-ha-backup-full.timer voip-ha-backup-diff.timer; runuser -u postgres -- "
	     "pgbackrest --stanza=%s stanza-create",
	     stanza);
}

/* Units and stanza: only on a booted system, not under --root. */
static int start_all(const struct install *in, const struct bundle *b)
{
	char stanza_opt[96], out[256];
	bool server_changed = in->changed[BM_CONF] || in->changed[BM_CA] || in->changed[BM_CERT] ||
			      in->changed[BM_KEY];
	int r;

	if (!in->start || access("/run/systemd/system", F_OK) != 0) {
		wsay("%s: nothing started",
		     in->start ? "systemd is not running here" : "--no-start");
		say_by_hand(b->info.stanza);
		return 0;
	}
	r = systemctl("daemon-reload", NULL, NULL, NULL);
	r = r ? r : systemctl("enable", "pgbackrest.service", NULL, NULL);
	/* pgbackrest server reads its files when it starts */
	r = r ? r :
		systemctl(server_changed ? "restart" : "start", "pgbackrest.service", NULL, NULL);
	r = r ? r :
		systemctl("enable", "--now", "voip-ha-backup-full.timer",
			  "voip-ha-backup-diff.timer");
	if (r != 0) {
		werr("systemctl failed (above): pgbackrest.service and the timers may not run");
		say_by_hand(b->info.stanza);
		return -EIO;
	}
	snprintf(stanza_opt, sizeof(stanza_opt), "--stanza=%s", b->info.stanza);
	{
		const char *const argv[] = { RUNUSER,           "-u",
					     "postgres",        "--",
					     PGBACKREST,        stanza_opt,
					     "--io-timeout=10", "--log-level-console=warn",
					     "stanza-create",   NULL };

		r = run_capture(argv, out, sizeof(out));
	}
	if (r == 0) {
		wsay("stanza %s is ready in %s; the first backup runs at the full timer, or now "
		     "with: systemctl start voip-ha-backup-full.service",
		     b->info.stanza, b->info.repo_path);
		return 0;
	}
	wsay("stanza-create did not succeed yet (above): once both nodes run "
	     "pgbackrest.service with backup=repo-host, run as root: runuser -u postgres -- "
	     "pgbackrest --stanza=%s stanza-create",
	     b->info.stanza);
	return 0;
}

static int install(const char *file, const char *root, bool start)
{
	struct strbuf sb = STRBUF_INIT;
	struct install in = { root, start && !root, { false }, 0, 0 };
	struct bundle b;
	char why[256];
	int r, ret = W_EXIT_FAIL;

	if (strcmp(file, "-") == 0)
		r = read_fd(STDIN_FILENO, BUNDLE_MAX, &sb);
	else
		r = read_file(file, BUNDLE_MAX, &sb);
	if (r < 0) {
		werr("cannot read '%s': %s", file, r == -EFBIG ? "more than 4 MiB" : strerror(-r));
		goto out;
	}
	r = bundle_read(sb.buf ? sb.buf : "", sb.len, &b, why, sizeof(why));
	if (r < 0) {
		werr("%s is not a bundle of 'voip-ha backup-host': %s; nothing was changed",
		     strcmp(file, "-") == 0 ? "<stdin>" : file,
		     r == -ENOMEM ? "out of memory" : why);
		goto out;
	}
	if (access(PGBACKREST, X_OK) != 0) {
		werr(PGBACKREST " is missing: apt-get install pgbackrest, then run this again; "
				"nothing was changed");
		goto free_bundle;
	}
	if (lookup_user(NULL, "postgres", &in.pg_uid) < 0 ||
	    lookup_group(NULL, "postgres", &in.pg_gid) < 0) {
		werr("no user or group postgres (is PostgreSQL installed?); nothing was changed");
		goto free_bundle;
	}
	if (record_state(&in, &b) < 0 || put_files(&in, &b) < 0 ||
	    make_repository(&in, b.info.repo_path) < 0 || start_all(&in, &b) < 0)
		goto free_bundle;
	ret = W_EXIT_OK;
free_bundle:
	bundle_free(&b);
out:
	if (sb.buf)
		explicit_bzero(sb.buf, sb.len);
	sb_release(&sb);
	return ret;
}

int cmd_backup_host(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "no-start", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL;
	bool start = true;
	int c;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return W_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "install") != 0) {
		werr("backup-host: the one action is 'install' (see --help)");
		fputs(usage_text, stderr);
		return W_EXIT_USAGE;
	}
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'n':
			start = false;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return W_EXIT_OK;
		default:
			werr("bad option (see --help)");
			fputs(usage_text, stderr);
			return W_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		werr("backup-host install takes one FILE (or '-' for stdin)");
		fputs(usage_text, stderr);
		return W_EXIT_USAGE;
	}
	if (geteuid() != 0) {
		werr("backup-host install needs root (files owned by root and postgres)");
		return W_EXIT_FAIL;
	}
	return install(argv[optind], root, start);
}
