/* voip-ha install-file: the postinst's one way to put a file in place (the
 * rows that `voip-ha generate --list` names `own`, and FreeSWITCH's copies):
 * atomic replace through lib/atomic-write.c, owner and group by name,
 * missing parent directories created 0755 and reported so the postinst can
 * record them for purge. */
#include "cli/args.h"
#include "cli/cli.h"
#include "lib/atomic-write.h"
#include "lib/manifest.h"
#include "lib/owner.h"
#include "lib/readfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define INSTALL_MAX (16 * 1024 * 1024)

static const char usage_text[] =
	"usage: voip-ha install-file SRC DEST MODE OWNER:GROUP\n"
	"       voip-ha install-file --only-parents DEST OWNER:GROUP\n"
	"Install SRC as DEST atomically: a temp file in DEST's directory gets MODE\n"
	"and OWNER:GROUP before its first byte, then write, fsync, rename, fsync of\n"
	"the directory. A DEST whose content, mode and owner already match is not\n"
	"touched. Missing parent directories are created 0755 OWNER:GROUP.\n"
	"Prints 'mkdir DIR' for each directory created and 'installed DEST' when\n"
	"DEST was written. --only-parents creates the directories only.\n";

static void say_mkdir(const char *dir, void *arg)
{
	(void)arg;
	printf("mkdir %s\n", dir);
}

static int resolve_owner(const char *spec, uid_t *uid, gid_t *gid)
{
	const char *colon;
	char user[40];
	int r;

	if (manifest_owner(spec, &colon) < 0) {
		cli_error("owner '%s' must be user:group", spec);
		return EXIT_USAGE;
	}
	snprintf(user, sizeof(user), "%.*s", (int)(colon - spec), spec);
	r = lookup_user(NULL, user, uid);
	if (r < 0) {
		cli_error("user '%s': %s", user, r == -ENOENT ? "does not exist" : strerror(-r));
		return EXIT_FAIL;
	}
	r = lookup_group(NULL, colon + 1, gid);
	if (r < 0) {
		cli_error("group '%s': %s", colon + 1,
			  r == -ENOENT ? "does not exist" : strerror(-r));
		return EXIT_FAIL;
	}
	return 0;
}

static int install(const char *src, const char *dest, mode_t mode, uid_t uid, gid_t gid)
{
	struct strbuf data = STRBUF_INIT;
	bool changed = false;
	int r;

	r = read_file(src, INSTALL_MAX, &data);
	if (r < 0) {
		cli_error("cannot read '%s': %s", src,
			  r == -EINVAL ? "not a regular file" :
			  r == -EFBIG  ? "larger than 16 MiB" :
					 strerror(-r));
		sb_release(&data);
		return EXIT_FAIL;
	}
	r = mkdir_parents_owned(dest, 0755, uid, gid, say_mkdir, NULL);
	if (r < 0)
		cli_error("cannot create the directories of '%s': %s", dest, strerror(-r));
	else if ((r = atomic_write(dest, sb_str(&data), data.len, mode, uid, gid, &changed)) < 0)
		cli_error("cannot write '%s': %s", dest, strerror(-r));
	sb_release(&data);
	if (r == 0 && changed)
		printf("installed %s\n", dest);
	return r < 0 ? EXIT_FAIL : EXIT_OK;
}

int cmd_install_file(int argc, char **argv)
{
	const char *pos[4] = { NULL, NULL, NULL, NULL }, *why;
	bool only_parents = false;
	mode_t mode = 0;
	uid_t uid;
	gid_t gid;
	int r;
	const struct cli_opt opts[] = {
		{ "only-parents", 'p', NULL, &only_parents },
		{ NULL, 0, NULL, NULL },
	};

	if ((r = cli_parse_args(argc, argv, usage_text, opts, pos, 4)) >= 0)
		return r;
	if (only_parents ? !pos[1] || pos[2] : !pos[3]) {
		cli_error("expected %s",
			  only_parents ? "DEST OWNER:GROUP" : "SRC DEST MODE OWNER:GROUP");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (only_parents) {
		pos[3] = pos[1];
		pos[1] = pos[0];
	}
	if (pos[1][0] != '/' || pos[1][strlen(pos[1]) - 1] == '/') {
		cli_error("DEST '%s' must be an absolute path to a file", pos[1]);
		return EXIT_USAGE;
	}
	if (!only_parents && manifest_mode(pos[2], &mode, &why) < 0) {
		cli_error("mode '%s' %s", pos[2], why);
		return EXIT_USAGE;
	}
	if ((r = resolve_owner(pos[3], &uid, &gid)) != 0)
		return r;
	if (only_parents) {
		r = mkdir_parents_owned(pos[1], 0755, uid, gid, say_mkdir, NULL);
		if (r < 0)
			cli_error("cannot create the directories of '%s': %s", pos[1],
				  strerror(-r));
		return r < 0 ? EXIT_FAIL : fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	r = install(pos[0], pos[1], mode, uid, gid);
	return r == EXIT_OK && fflush(stdout) != 0 ? EXIT_FAIL : r;
}
