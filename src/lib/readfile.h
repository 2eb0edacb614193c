/* Whole-file reads into a strbuf (wiped on release: files may hold secrets). */
#ifndef VOIPHA_READFILE_H
#define VOIPHA_READFILE_H

#include <stddef.h>

#include "lib/strbuf.h"

/* Appends the contents of a regular file of at most max bytes to sb.
 * Returns 0 or -errno (-EFBIG when larger, -EINVAL when not regular). */
int read_file(const char *path, size_t max, struct strbuf *sb);
/* Same for an open descriptor (e.g. stdin), read to end of file. */
int read_fd(int fd, size_t max, struct strbuf *sb);

#endif
