/* What a mod_xml_cdr document means, independent of who tokenizes it.
 *
 * Two tokenizers feed the same walk: cdr-xml-fast.c (a strict subset of
 * XML, the shape FreeSWITCH writes) and cdr-xml.c (expat, everything else).
 * They call it with the same events in document order: element start (and,
 * for the root element, its attributes with their normalised values),
 * character data (in pieces, entity references already replaced, line ends
 * already normalised) and element end. The walk keeps only the handful of
 * values voip.cdr needs (CDR-PROTOCOL §3). */
#ifndef VOIPADMIN_CDR_XML_WALK_H
#define VOIPADMIN_CDR_XML_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/cdr/cdr-record.h"

struct cdr_xwalk {
	struct cdr_extract x;
	int depth;
	unsigned char kind[CDR_DEPTH_MAX + 1];
	int callflows; /* <callflow> elements seen (newest is first) */
	/* The value being collected: its destination and depth. */
	char **collect;
	int collect_depth;
	enum cdr_src collect_src;
	char what[64]; /* its element name, for messages */
	char *buf;
	size_t len, cap;
	bool overflow;
	char *err;
	size_t errlen;
	bool failed; /* err says why; the caller stops feeding */
};

void cdr_xwalk_init(struct cdr_xwalk *w, char *errbuf, size_t errlen);
void cdr_xwalk_free(struct cdr_xwalk *w);

/* Record a failure (first message wins) and mark the walk failed. */
void cdr_xwalk_fail(struct cdr_xwalk *w, const char *msg);

void cdr_xwalk_start(struct cdr_xwalk *w, const char *name, size_t len);
/* An attribute of the element just started; only the root's are used. */
void cdr_xwalk_attr(struct cdr_xwalk *w, const char *name, size_t nlen, const char *val,
		    size_t vlen);
void cdr_xwalk_text(struct cdr_xwalk *w, const char *text, size_t len);
void cdr_xwalk_end(struct cdr_xwalk *w);

/* True when character data at the current depth is being kept (a
 * tokenizer may skip building text nobody reads). */
static inline bool cdr_xwalk_wants_text(const struct cdr_xwalk *w)
{
	return w->collect && w->depth == w->collect_depth && !w->overflow;
}

/* True when the current element is the root (its attributes count). */
static inline bool cdr_xwalk_at_root(const struct cdr_xwalk *w)
{
	return w->depth == 1;
}

/* The document ended well-formed: combine what was gathered. 0 or -1 with
 * the reason in the walk's errbuf. */
int cdr_xwalk_finish(struct cdr_xwalk *w, struct cdr_record *out);

#endif
