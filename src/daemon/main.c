/* voip-admind: entry point, signals and the systemd notify protocol.
 *
 *   voip-admind [--config FILE] [--check-config]
 *
 * Exit codes: 0 clean shutdown or valid config; 1 bad configuration;
 * 2 usage; 3 start-up failure (cannot listen, out of memory, CDR spool).
 *
 * All signals are blocked in every thread and taken synchronously by the
 * main thread with sigtimedwait(), which also paces the watchdog pings: no
 * async-signal-safety puzzles, and SIGHUP/SIGTERM run ordinary code. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "daemon/app.h"
#include "daemon/auth.h"
#include "daemon/cdr/cdr-ingest.h"
#include "daemon/config.h"
#include "daemon/db.h"
#include "daemon/dircache.h"
#include "daemon/dirnotify.h"
#include "daemon/health.h"
#include "daemon/http.h"
#include "daemon/log.h"
#include "daemon/metrics.h"
#include "lib/sockaddr.h"

#define DRAIN_TIMEOUT_MS 5000
#define DIRCACHE_MAX_ENTRIES 100000

static void usage(FILE *f)
{
	fprintf(f, "usage: voip-admind [--config FILE] [--check-config]\n"
		   "  --config FILE    configuration (default " CONFIG_DEFAULT_PATH ")\n"
		   "  --check-config   validate the configuration and exit\n");
}

/* The watchdog is only fed while the main listener really answers: connect,
 * GET /health, wait (bounded) for a status line. Any status counts (503 means
 * "alive, database down", which a restart would not fix); no answer within
 * the time limit means the HTTP threads are stuck, and systemd's watchdog
 * restarts us. */
static bool self_probe(const struct admin_config *cfg, int timeout_ms)
{
	/* /live, not /health: /health waits for the database, which may hang
	 * for seconds in a failover, and that must not kill the daemon. */
	static const char req[] = "GET /live HTTP/1.0\r\nConnection: close\r\n\r\n";
	struct sockaddr_storage ss;
	socklen_t sl;
	char buf[16];
	size_t got = 0;
	struct pollfd p;
	bool ok = false;
	int fd;

	if (sockaddr_from_ip(cfg->listen_address, cfg->http_port, &ss, &sl) < 0)
		return false;
	/* 0.0.0.0 / :: are not connectable on every system: use loopback */
	if (ss.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(INADDR_ANY))
		((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr))
		((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return false;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS)
		goto out;
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, timeout_ms) != 1 ||
	    send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(req) - 1))
		goto out;
	p.events = POLLIN;
	while (got < 12 && poll(&p, 1, timeout_ms) == 1) {
		ssize_t n = recv(fd, buf + got, 12 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	ok = got == 12 && memcmp(buf, "HTTP/1.", 7) == 0;
out:
	close(fd);
	return ok;
}

static void notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ULL +
			   (unsigned long long)ts.tv_nsec / 1000ULL);
}

/* Settings that live in running threads or sockets: a change is reported,
 * not applied (a restart applies it). */
static void report_static_changes(const struct admin_config *o, const struct admin_config *n)
{
	if (strcmp(o->listen_address, n->listen_address) || o->http_port != n->http_port ||
	    strcmp(o->metrics_address, n->metrics_address) || o->metrics_port != n->metrics_port ||
	    strcmp(o->metrics_allow, n->metrics_allow) ||
	    o->max_connections != n->max_connections || o->http_threads != n->http_threads)
		log_warn("reload: listener settings changed; restart to apply them");
	if (strcmp(o->db_host, n->db_host) || o->db_port != n->db_port ||
	    strcmp(o->db_name, n->db_name) || strcmp(o->db_user, n->db_user) ||
	    strcmp(o->db_password, n->db_password) ||
	    o->db_connect_timeout != n->db_connect_timeout ||
	    o->db_statement_timeout_ms != n->db_statement_timeout_ms)
		log_warn("reload: database settings changed; restart to apply them");
	if (strcmp(o->spool_dir, n->spool_dir) || o->workers != n->workers)
		log_warn("reload: CDR settings changed; restart to apply them");
}

static void reload(struct app *app, const char *path)
{
	struct admin_config n;
	struct settings s;
	char err[512];

	notify_reloading();
	if (config_load(path, &n, err, sizeof(err)) < 0) {
		log_err("reload failed, keeping the running configuration: %s", err);
		sd_notify(0,
			  "READY=1\nSTATUS=reload failed; running with the previous configuration");
		return;
	}
	report_static_changes(app->cfg, &n);
	app_settings_from_config(&s, &n);
	app_settings_set(app, &s);
	config_free(&n);
	dircache_flush(app->dircache);
	log_notice("configuration reloaded from %s", path);
	sd_notify(0, "READY=1\nSTATUS=serving (configuration reloaded)");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONFIG_DEFAULT_PATH;
	bool check_only = false;
	struct admin_config cfg;
	struct app app;
	struct http_server *srv;
	struct dirnotify *dn = NULL;
	sigset_t sigs;
	uint64_t wd_usec = 0;
	char err[512];
	int opt, rc = 0;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (config_load(path, &cfg, err, sizeof(err)) < 0) {
		log_err("%s", err);
		return 1;
	}
	if (check_only) {
		printf("%s: configuration OK\n", path);
		config_free(&cfg);
		return 0;
	}

	/* before any thread exists, so every thread inherits the mask */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&app, 0, sizeof(app));
	app.cfg = &cfg;
	pthread_mutex_init(&app.settings_lock, NULL);
	app_settings_from_config(&app.settings, &cfg);
	atomic_init(&app.stopping, false);
	app.metrics = metrics_new();
	app.db = app.metrics ? db_pool_new(&cfg, app.metrics) : NULL;
	app.dircache = dircache_new(DIRCACHE_MAX_ENTRIES);
	app.ratelimit = ratelimit_new();
	app.health = health_new();
	app.cluster =
		app.metrics ? cluster_metrics_register(app.metrics, cfg.cluster_state_file) : NULL;
	app.backup =
		app.metrics ? backup_metrics_register(app.metrics, cfg.backup_state_file) : NULL;
	if (!app.metrics || !app.db || !app.dircache || !app.ratelimit || !app.health ||
	    !app.cluster || !app.backup) {
		log_err("out of memory at start-up");
		rc = 3;
		goto out;
	}
	app.cdr = cdr_ingest_start(&cfg, app.db, app.metrics);
	if (!app.cdr) {
		/* never acknowledge CDRs we could not keep */
		log_err("cannot start CDR ingestion (spool %s)", cfg.spool_dir);
		rc = 3;
		goto out;
	}
	dn = dirnotify_start(&app);
	if (!dn) {
		log_err("cannot start the directory change listener");
		rc = 3;
		goto out;
	}
	srv = http_start(&app, err, sizeof(err));
	if (!srv) {
		log_err("%s", err);
		rc = 3;
		goto out;
	}
	log_notice("serving on %s:%u (metrics %s:%u), database %s:%u/%s", cfg.listen_address,
		   cfg.http_port, cfg.metrics_address, cfg.metrics_port, cfg.db_host, cfg.db_port,
		   cfg.db_name);
	sd_notify(0, "READY=1\nSTATUS=serving");
	if (sd_watchdog_enabled(0, &wd_usec) <= 0)
		wd_usec = 0;

	for (;;) {
		/* probe six times per watchdog interval (one slow probe is not
		 * the end); without a watchdog, wake once a second */
		uint64_t wait_us = wd_usec ? wd_usec / 6 : 1000000;
		struct timespec to = { (time_t)(wait_us / 1000000),
				       (long)(wait_us % 1000000) * 1000 };
		int sig = sigtimedwait(&sigs, NULL, &to);

		if (sig == SIGHUP) {
			reload(&app, path);
		} else if (sig == SIGTERM || sig == SIGINT) {
			log_notice("signal %d: draining and stopping", sig);
			break;
		} else if (sig < 0 && errno != EAGAIN && errno != EINTR) {
			log_err("sigtimedwait: %s", strerror(errno));
			break;
		}
		if (wd_usec) {
			if (self_probe(&cfg, 2000))
				sd_notify(0, "WATCHDOG=1");
			else
				log_warn(
					"watchdog: the HTTP listener did not answer; not feeding the watchdog");
		}
	}

	sd_notify(0, "STOPPING=1\nSTATUS=draining");
	atomic_store(&app.stopping, true);
	http_quiesce(srv);
	http_drain(srv, DRAIN_TIMEOUT_MS);
	http_stop(srv);
out:
	dirnotify_stop(dn);
	if (app.cdr)
		cdr_ingest_stop(app.cdr);
	health_free(app.health);
	ratelimit_free(app.ratelimit);
	dircache_free(app.dircache);
	db_pool_free(app.db);
	metrics_free(app.metrics);
	cluster_metrics_free(app.cluster);
	backup_metrics_free(app.backup);
	pthread_mutex_destroy(&app.settings_lock);
	config_free(&cfg);
	if (rc == 0)
		log_notice("stopped");
	return rc;
}
