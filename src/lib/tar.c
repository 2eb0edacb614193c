/* ustar subset (see tar.h). Header layout: POSIX.1-2001 pax's ustar. */
#include "lib/tar.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define BLOCK 512

/* offsets and sizes of the header fields used */
#define H_NAME 0
#define H_MODE 100
#define H_UID 108
#define H_GID 116
#define H_SIZE 124
#define H_MTIME 136
#define H_CHKSUM 148
#define H_TYPE 156
#define H_MAGIC 257
#define H_VERSION 263
#define H_UNAME 265
#define H_GNAME 297
#define H_PREFIX 345

static bool name_ok(const char *name, size_t len)
{
	const char *p, *end = name + len, *slash;

	if (len == 0 || len > TAR_NAME_MAX || name[0] == '/' || memchr(name, '\0', len))
		return false;
	for (p = name;; p = slash + 1) {
		slash = memchr(p, '/', (size_t)(end - p));
		if ((slash ? slash : end) - p == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (!slash)
			return true;
	}
}

static unsigned checksum(const unsigned char *h)
{
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < BLOCK; i++)
		sum += i >= H_CHKSUM && i < H_CHKSUM + 8 ? ' ' : h[i];
	return sum;
}

int tar_write(const struct tar_member *m, size_t n, struct strbuf *out)
{
	unsigned char h[BLOCK];
	static const char zeros[BLOCK * 2];
	size_t i, nlen;
	int r = 0;

	for (i = 0; r == 0 && i < n; i++) {
		nlen = strlen(m[i].name);
		if (!name_ok(m[i].name, nlen) || m[i].len > 077777777777ULL)
			return -EINVAL;
		memset(h, 0, sizeof(h));
		memcpy(h + H_NAME, m[i].name, nlen);
		memcpy(h + H_MODE, "0000600", 8);
		memcpy(h + H_UID, "0000000", 8);
		memcpy(h + H_GID, "0000000", 8);
		snprintf((char *)h + H_SIZE, 12, "%011zo", m[i].len);
		memcpy(h + H_MTIME, "00000000000", 12);
		h[H_TYPE] = '0';
		memcpy(h + H_MAGIC, "ustar", 6);
		memcpy(h + H_VERSION, "00", 2);
		memcpy(h + H_UNAME, "root", 4);
		memcpy(h + H_GNAME, "root", 4);
		snprintf((char *)h + H_CHKSUM, 8, "%06o", checksum(h));
		h[H_CHKSUM + 7] = ' ';
		r = sb_add(out, h, sizeof(h));
		r = r ? r : sb_add(out, m[i].data, m[i].len);
		if (r == 0 && m[i].len % BLOCK)
			r = sb_add(out, zeros, BLOCK - m[i].len % BLOCK);
	}
	return r ? r : sb_add(out, zeros, sizeof(zeros));
}

/* An octal field of `len` bytes: digits, then NULs or spaces. */
static int octal(const unsigned char *f, size_t len, unsigned long long *ret)
{
	unsigned long long v = 0;
	size_t i = 0;

	while (i < len && f[i] == ' ')
		i++;
	if (i == len || f[i] < '0' || f[i] > '7')
		return -EINVAL;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > 077777777777ULL)
			return -EINVAL;
		v = v * 8 + (unsigned)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != '\0' && f[i] != ' ')
			return -EINVAL;
	*ret = v;
	return 0;
}

static bool all_zero(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

#define BAD(...)                                     \
	do {                                         \
		snprintf(why, why_len, __VA_ARGS__); \
		return -EINVAL;                      \
	} while (0)

int tar_read(const char *data, size_t len, struct tar_member *m, size_t max, size_t *n, char *why,
	     size_t why_len)
{
	size_t off = 0;
	unsigned long long size, sum;

	*n = 0;
	if (len % BLOCK)
		BAD("its size is not a multiple of 512 bytes (cut short?)");
	for (;;) {
		const unsigned char *h = (const unsigned char *)data + off;
		size_t nlen;

		if (off + BLOCK > len)
			BAD("no end-of-archive marker (cut short?)");
		if (all_zero(data + off, BLOCK)) {
			if (off + 2 * BLOCK > len || !all_zero(data + off + BLOCK, BLOCK))
				BAD("no end-of-archive marker (cut short?)");
			if (!all_zero(data + off, len - off))
				BAD("data after the end-of-archive marker");
			return 0;
		}
		if (octal(h + H_CHKSUM, 8, &sum) < 0 || sum != checksum(h))
			BAD("member %zu: bad header checksum", *n + 1);
		if (memcmp(h + H_MAGIC, "ustar", 6) != 0 || h[H_PREFIX] != '\0')
			BAD("member %zu: not a plain ustar header", *n + 1);
		if (h[H_TYPE] != '0' && h[H_TYPE] != '\0')
			BAD("member %zu: not a regular file", *n + 1);
		nlen = strnlen((const char *)h + H_NAME, 100);
		if (nlen == 100 || !name_ok((const char *)h + H_NAME, nlen))
			BAD("member %zu: bad name", *n + 1);
		if (octal(h + H_SIZE, 12, &size) < 0 || size > len - off - BLOCK)
			BAD("member %zu: bad size (cut short?)", *n + 1);
		if (*n == max)
			BAD("more than %zu members", max);
		m[*n].name = (const char *)h + H_NAME;
		m[*n].data = data + off + BLOCK;
		m[*n].len = (size_t)size;
		(*n)++;
		off += BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
	}
}
