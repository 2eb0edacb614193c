/* The failover history: see history.h. */
#include "engine/history.h"
#include "lib/atomic-write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int history_add(const char *event, const char *outcome, const char *fmt, ...)
{
	char detail[512], line[700];
	struct timespec now;
	struct stat st;
	va_list ap;
	size_t i;
	int fd, n, r = 0;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	for (i = 0; detail[i]; i++)
		if (detail[i] == '\t' || detail[i] == '\n' || detail[i] == '\r')
			detail[i] = ' ';
	/* Milliseconds: the two nodes' histories are merged in time order
	 * (history-merge.h), and a switchover's sides lie a second apart. */
	clock_gettime(CLOCK_REALTIME, &now);
	n = snprintf(line, sizeof(line), "%lld.%03ld\t%s\t%s\t%s\n", (long long)now.tv_sec,
		     now.tv_nsec / 1000000, event, outcome, detail);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = (int)strlen(line);
	if ((r = mkdir_parents(VOIPHA_HISTORY, 0755)) < 0)
		return r;
	errno = 0;
	fd = open(VOIPHA_HISTORY, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* One writer at a time (notify, rebuild and switchover may overlap);
	 * O_APPEND keeps each line whole. */
	flock(fd, LOCK_EX);
	/* 0644 whatever the writer's umask (keepalived runs notify with 0177,
	 * the rebuild unit with 0077): the peer's status reads it through this
	 * node's PostgreSQL, as postgres (history-peer.h). No secrets in it. */
	if (fstat(fd, &st) == 0 && (st.st_mode & 07777) != 0644)
		fchmod(fd, 0644);
	if (write(fd, line, (size_t)n) != n)
		r = errno ? -errno : -EIO;
	else if (fdatasync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int history_last(const char *path, const char *event, struct history_entry *out,
		 unsigned long *ok_total)
{
	char line[700];
	FILE *f;

	memset(out, 0, sizeof(*out));
	if (ok_total)
		*ok_total = 0;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *t, *ev, *oc, *de;

		line[strcspn(line, "\n")] = '\0';
		t = strtok_r(line, "\t", &save);
		ev = strtok_r(NULL, "\t", &save);
		oc = strtok_r(NULL, "\t", &save);
		de = strtok_r(NULL, "", &save);
		if (!t || !ev || !oc || strcmp(ev, event) != 0)
			continue;
		out->time = strtoll(t, NULL, 10);
		snprintf(out->event, sizeof(out->event), "%s", ev);
		snprintf(out->outcome, sizeof(out->outcome), "%s", oc);
		snprintf(out->detail, sizeof(out->detail), "%s", de ? de : "");
		if (ok_total && strcmp(oc, "ok") == 0)
			(*ok_total)++;
	}
	fclose(f);
	return 0;
}

int history_read_tail(const char *path, char **buf, size_t *len, bool *from_middle)
{
	struct stat st;
	size_t want, got = 0;
	off_t from;
	ssize_t r;
	char *b;
	int fd;

	*buf = NULL;
	*len = 0;
	*from_middle = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return (int)r;
	}
	from = st.st_size > HISTORY_TAIL_BYTES ? st.st_size - HISTORY_TAIL_BYTES : 0;
	want = (size_t)(st.st_size - from);
	b = malloc(want + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	while (got < want) {
		r = pread(fd, b + got, want - got, from + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(b);
			close(fd);
			return (int)r;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	b[got] = '\0';
	*buf = b;
	*len = got;
	*from_middle = from > 0;
	return 0;
}
