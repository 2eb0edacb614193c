/* A growable, always NUL-terminated byte buffer: the one string type of
 * libvoipha. Functions return 0 or -ENOMEM. */
#ifndef VOIPHA_STRBUF_H
#define VOIPHA_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf; /* NULL until the first append; then NUL-terminated */
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT        \
	{                  \
		NULL, 0, 0 \
	}

int sb_grow(struct strbuf *sb, size_t extra);
int sb_add(struct strbuf *sb, const void *data, size_t n);
int sb_adds(struct strbuf *sb, const char *s);
int sb_addc(struct strbuf *sb, char c);
int sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty; never NULL). */
const char *sb_str(const struct strbuf *sb);
/* Wipes (the buffer may hold secrets) and frees. */
void sb_release(struct strbuf *sb);
/* Takes ownership of the buffer (caller frees); sb is reset. Never NULL
 * unless out of memory. */
char *sb_detach(struct strbuf *sb);

#endif
