/* voip-ha-witness: setup, status, validate and save-config of the witness
 * machine (doc/voip-ha-witness.8). Secrets travel only in files and on
 * stdin, never on the command line or in the environment. */
#include "witness/witness.h"
#include "lib/atomic-write.h"
#include "lib/readfile.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CONFIG_MAX (64 * 1024)

/* werr (a failure) and wsay (information) print the same way; two names
 * so that callers say which they mean. */
static void wprint(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void wprint(const char *fmt, va_list ap)
{
	fputs("voip-ha-witness: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void werr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wprint(fmt, ap);
	va_end(ap);
}

void wsay(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wprint(fmt, ap);
	va_end(ap);
}

static int read_config_text(const char *path, struct strbuf *sb)
{
	int r;

	if (strcmp(path, "-") == 0)
		r = read_fd(STDIN_FILENO, CONFIG_MAX, sb);
	else
		r = read_file(path, CONFIG_MAX, sb);
	if (r < 0) {
		werr("cannot read '%s': %s", strcmp(path, "-") == 0 ? "<stdin>" : path,
		     r == -EFBIG ? "more than 64 KiB" : strerror(-r));
		return W_EXIT_FAIL;
	}
	return 0;
}

static int parse_and_check(const char *what, const struct strbuf *sb, struct witness_config *cfg)
{
	struct errlist el = ERRLIST_INIT;
	struct kv_error kerr;
	size_t i;
	int r;

	r = wconfig_parse(sb_str(sb), sb->len, cfg, &kerr);
	if (r == -EINVAL) {
		werr("%s:%u: %s", what, kerr.line, kerr.msg);
		return W_EXIT_FAIL;
	}
	if (r < 0) {
		werr("cannot parse %s: %s", what, strerror(-r));
		return W_EXIT_FAIL;
	}
	r = wconfig_validate(cfg, &el);
	for (i = 0; i < el.count; i++)
		werr("%s: %s", what, el.msgs[i]);
	if (el.oom)
		werr("%s: out of memory (the list above is incomplete)", what);
	errlist_free(&el);
	if (r < 0) {
		wconfig_free(cfg);
		return W_EXIT_FAIL;
	}
	return 0;
}

int wconfig_load_report(const char *path, struct witness_config *cfg)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	r = read_config_text(path, &sb);
	if (r == 0)
		r = parse_and_check(strcmp(path, "-") == 0 ? "<stdin>" : path, &sb, cfg);
	sb_release(&sb);
	return r;
}

/* Options of every subcommand: --config FILE, --lease-sql FILE. */
struct wopts {
	const char *config;
	const char *lease_sql;
	const char *state;
};

static int parse_opts(int argc, char **argv, const char *usage, bool lease, struct wopts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "lease-sql", required_argument, NULL, 'l' },
		{ "state", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'l':
			if (!lease)
				goto bad;
			o->lease_sql = optarg;
			break;
		case 's':
			if (!lease)
				goto bad;
			o->state = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return W_EXIT_OK;
		default:
			goto bad;
		}
	}
	if (optind == argc)
		return -1;
bad:
	werr("bad option or argument (see --help)");
	fputs(usage, stderr);
	return W_EXIT_USAGE;
}

static const char validate_usage[] =
	"usage: voip-ha-witness validate [--config FILE|-]\n"
	"Check a witness.conf (default " WITNESS_DEFAULT_CONFIG ", '-': stdin) and list\n"
	"every problem as 'key: rule'. Exit 1 when there is one.\n";

static int cmd_validate(int argc, char **argv)
{
	struct wopts o = { WITNESS_DEFAULT_CONFIG, NULL, NULL };
	struct witness_config cfg;
	int r;

	if ((r = parse_opts(argc, argv, validate_usage, false, &o)) >= 0)
		return r;
	if (wconfig_load_report(o.config, &cfg) != 0)
		return W_EXIT_FAIL;
	wconfig_free(&cfg);
	return W_EXIT_OK;
}

static const char save_usage[] =
	"usage: voip-ha-witness save-config [--config FILE] < witness.conf\n"
	"Validate the witness.conf on stdin and store it as FILE (default\n" WITNESS_DEFAULT_CONFIG
	"), mode 0600, owner root:root, atomically. Nothing is written when\n"
	"it is not valid.\n";

static int cmd_save_config(int argc, char **argv)
{
	struct wopts o = { WITNESS_DEFAULT_CONFIG, NULL, NULL };
	struct strbuf sb = STRBUF_INIT;
	struct witness_config cfg;
	bool root = geteuid() == 0, changed = false;
	int r, ret = W_EXIT_FAIL;

	if ((r = parse_opts(argc, argv, save_usage, false, &o)) >= 0)
		return r;
	if (read_config_text("-", &sb) != 0)
		goto out;
	if (parse_and_check("<stdin>", &sb, &cfg) != 0) {
		werr("'%s' was not changed", o.config);
		goto out;
	}
	wconfig_free(&cfg);
	r = mkdir_parents(o.config, 0755);
	if (r == 0)
		r = atomic_write(o.config, sb_str(&sb), sb.len, 0600, root ? 0 : AW_KEEP_OWNER,
				 root ? 0 : (gid_t)-1, &changed);
	if (r < 0) {
		werr("cannot write '%s': %s", o.config, strerror(-r));
		goto out;
	}
	if (changed)
		wsay("wrote %s", o.config);
	ret = W_EXIT_OK;
out:
	sb_release(&sb);
	return ret;
}

static const char setup_usage[] =
	"usage: voip-ha-witness setup [--config FILE] [--lease-sql FILE] [--state FILE]\n"
	"Make the local PostgreSQL cluster the arbiter of the pairs named in FILE\n"
	"(default " WITNESS_DEFAULT_CONFIG "): role " WITNESS_ROLE_NAME
	", database " WITNESS_DB_NAME ",\n"
	"the lease schema (default " WITNESS_LEASE_SQL "), one lease row per pair,\n"
	"pg_hba.conf and listen_addresses. Safe to re-run: changes only what differs.\n"
	"The cluster and files it changes are recorded in the state FILE (default\n" WITNESS_STATE
	") for the package's purge.\n";

static const char status_usage[] =
	"usage: voip-ha-witness status [--config FILE]\n"
	"Show each lease (holder, term, remaining time, last renewal) and the node\n"
	"addresses PostgreSQL lets in.\n";

static int run_setup(int argc, char **argv)
{
	struct wopts o = { WITNESS_DEFAULT_CONFIG, WITNESS_LEASE_SQL, WITNESS_STATE };
	int r;

	if ((r = parse_opts(argc, argv, setup_usage, true, &o)) >= 0)
		return r;
	return witness_setup(o.config, o.lease_sql, o.state);
}

static int run_status(int argc, char **argv)
{
	struct wopts o = { WITNESS_DEFAULT_CONFIG, NULL, NULL };
	int r;

	if ((r = parse_opts(argc, argv, status_usage, false, &o)) >= 0)
		return r;
	return witness_status(o.config);
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{ "setup", run_setup, "configure the local PostgreSQL as the arbiter (root)" },
	{ "status", run_status, "show the leases and the nodes let in" },
	{ "validate", cmd_validate, "check a witness.conf (or stdin)" },
	{ "save-config", cmd_save_config, "store a witness.conf read from stdin" },
	{ "backup-host", cmd_backup_host,
	  "install the repository host's bundle of 'voip-ha backup-host' (root)" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: voip-ha-witness <command> [options]\n\n"
		   "The third voter of voip-ha pairs: the leadership lease on this machine's\n"
		   "PostgreSQL.\n\nCommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSee voip-ha-witness(8).\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return W_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return W_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	werr("'%s' is not a voip-ha-witness command; see 'voip-ha-witness --help'", argv[1]);
	return W_EXIT_USAGE;
}
