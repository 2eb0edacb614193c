/* The archiver's view: see archive-view.h. */
#include "engine/archive-view.h"

#include "engine/pg-session.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARCHIVE_SQL                                                                                  \
	"SELECT pg_is_in_recovery(), archived_count, coalesce(last_archived_wal, ''), "              \
	"coalesce(extract(epoch FROM last_archived_time)::bigint, 0), failed_count, "                \
	"coalesce(last_failed_wal, ''), coalesce(extract(epoch FROM last_failed_time)::bigint, 0), " \
	"(SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'), "                \
	"CASE WHEN pg_is_in_recovery() THEN NULL "                                                   \
	"ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint END "                             \
	"FROM pg_stat_archiver"

/* pgBackRest's error file: "CODE\nMESSAGE"; as "[CODE] MESSAGE". */
static void read_error(int dfd, const char *name, char *out, size_t n)
{
	char buf[512], msg[600];
	ssize_t got;
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char *nl;

	if (fd < 0)
		return;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return;
	buf[got] = '\0';
	nl = strchr(buf, '\n');
	if (nl) {
		*nl = '\0';
		snprintf(msg, sizeof(msg), "[%s] %s", buf, nl + 1);
	} else {
		snprintf(msg, sizeof(msg), "%s", buf);
	}
	backup_state_text(out, n, msg);
}

/* The spool's newest pushed segment (NAME.ok) and its time, and its error
 * (global.error, else the newest NAME.error). */
static void read_spool(const char *stanza, char *newest, size_t newest_len, long long *newest_time,
		       char *err, size_t errlen)
{
	char path[256], err_name[64] = "";
	struct dirent *e;
	int dfd;
	DIR *d;

	newest[0] = '\0';
	*newest_time = 0;
	snprintf(path, sizeof(path), PGBR_SPOOL_DIR "/archive/%s/out", stanza);
	if (!(d = opendir(path)))
		return;
	dfd = dirfd(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct stat sb;

		if (len == 27 && strcmp(e->d_name + 24, ".ok") == 0 &&
		    wal_name_end(e->d_name, 1 << 24) >= 0 && strncmp(e->d_name, newest, 24) > 0 &&
		    newest_len > 24) {
			memcpy(newest, e->d_name, 24);
			newest[24] = '\0';
			if (fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
				*newest_time = (long long)sb.st_mtime;
		} else if (len > 6 && len < sizeof(err_name) &&
			   strcmp(e->d_name + len - 6, ".error") == 0 &&
			   strcmp(err_name, "global.error") != 0 &&
			   (strcmp(e->d_name, "global.error") == 0 ||
			    strcmp(e->d_name, err_name) > 0)) {
			memcpy(err_name, e->d_name, len + 1);
		}
	}
	if (err_name[0])
		read_error(dfd, err_name, err, errlen);
	closedir(d);
}

void archive_view_read(const char *stanza, time_t now, struct backup_state *st)
{
	PGconn *c = pg_connect_local("postgres", 2);
	PGresult *res = NULL;
	long long current = -1, end = -1, spool_time, seg;
	char spool_newest[32];

	snprintf(st->role, sizeof(st->role), "down");
	st->archived_count = st->failed_count = st->archived_time = st->failed_time = 0;
	st->archived_wal[0] = st->failed_wal[0] = st->spool_error[0] = '\0';
	st->wal_segment_size = 0;
	st->lag_bytes = st->lag_seconds = -1;
	if (!c || PQstatus(c) != CONNECTION_OK)
		goto out;
	res = PQexec(c, ARCHIVE_SQL);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		goto out;
	snprintf(st->role, sizeof(st->role), "%s",
		 strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? "standby" : "primary");
	st->archived_count = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	backup_state_text(st->archived_wal, sizeof(st->archived_wal), PQgetvalue(res, 0, 2));
	st->archived_time = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	st->failed_count = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	backup_state_text(st->failed_wal, sizeof(st->failed_wal), PQgetvalue(res, 0, 5));
	st->failed_time = strtoll(PQgetvalue(res, 0, 6), NULL, 10);
	st->wal_segment_size = strtoll(PQgetvalue(res, 0, 7), NULL, 10);
	if (!PQgetisnull(res, 0, 8))
		current = strtoll(PQgetvalue(res, 0, 8), NULL, 10);
	if (strcmp(st->role, "primary") != 0)
		goto out;
	/* asynchronous archiving: the spool knows the segments pushed ahead of
	 * what PostgreSQL has been told */
	read_spool(stanza, spool_newest, sizeof(spool_newest), &spool_time, st->spool_error,
		   sizeof(st->spool_error));
	seg = st->wal_segment_size;
	end = wal_name_end(st->archived_wal, seg);
	if (spool_newest[0] && wal_name_end(spool_newest, seg) > end) {
		end = wal_name_end(spool_newest, seg);
		backup_state_text(st->archived_wal, sizeof(st->archived_wal), spool_newest);
		if (spool_time > st->archived_time)
			st->archived_time = spool_time;
	}
	if (end < 0 || current < 0)
		goto out;
	st->lag_bytes = current > end ? current - end : 0;
	st->lag_seconds =
		st->lag_bytes > 0 && now > st->archived_time ? now - st->archived_time : 0;
out:
	PQclear(res);
	PQfinish(c);
}
