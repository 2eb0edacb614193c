/* Whole-file reads (see readfile.h). */
#include "lib/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int read_fd(int fd, size_t max, struct strbuf *sb)
{
	char buf[8192];
	size_t total = 0;
	int r;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > max) {
			explicit_bzero(buf, sizeof(buf));
			return -EFBIG;
		}
		r = sb_add(sb, buf, (size_t)n);
		explicit_bzero(buf, (size_t)n);
		if (r < 0)
			return r;
	}
	return 0;
}

int read_file(const char *path, size_t max, struct strbuf *sb)
{
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else
		r = read_fd(fd, max, sb);
	close(fd);
	return r;
}
