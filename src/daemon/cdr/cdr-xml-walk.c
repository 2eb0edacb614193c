/* The element state machine behind both XML tokenizers (see cdr-xml-walk.h).
 * Moved out of the expat driver unchanged in behaviour: names now come as
 * (pointer, length) because the fast tokenizer points into the document. */
#include "daemon/cdr/cdr-xml-walk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an open element is, as far as the CDR is concerned. */
enum kind { K_OTHER, K_CDR, K_VARS, K_CHAN, K_CF, K_PROF, K_TIMES };

void cdr_xwalk_init(struct cdr_xwalk *w, char *errbuf, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->err = errbuf;
	w->errlen = errlen;
	if (errlen)
		errbuf[0] = '\0';
}

void cdr_xwalk_free(struct cdr_xwalk *w)
{
	cdr_extract_free(&w->x);
	free(w->buf);
	w->buf = NULL;
	w->cap = w->len = 0;
}

void cdr_xwalk_fail(struct cdr_xwalk *w, const char *msg)
{
	if (!w->failed && msg)
		snprintf(w->err, w->errlen, "%s", msg);
	w->failed = true;
}

static bool name_eq(const char *name, size_t len, const char *want)
{
	return strncmp(name, want, len) == 0 && want[len] == '\0';
}

static void start_collect(struct cdr_xwalk *w, char **dst, enum cdr_src src, const char *name,
			  size_t len)
{
	if (*dst)
		return; /* first occurrence wins */
	w->collect = dst;
	w->collect_depth = w->depth;
	w->collect_src = src;
	snprintf(w->what, sizeof(w->what), "%.*s", (int)(len < 63 ? len : 63), name);
	w->len = 0;
	w->overflow = false;
}

void cdr_xwalk_start(struct cdr_xwalk *w, const char *name, size_t len)
{
	int slot;

	if (w->failed)
		return;
	if (w->depth + 1 > CDR_DEPTH_MAX) {
		cdr_xwalk_fail(w, "document nests deeper than the limit");
		return;
	}
	enum kind parent = w->depth ? (enum kind)w->kind[w->depth] : K_OTHER;
	enum kind k = K_OTHER;
	w->depth++;

	if (w->depth == 1) {
		if (!name_eq(name, len, "cdr")) {
			cdr_xwalk_fail(w, "root element is not <cdr>");
			return;
		}
		k = K_CDR;
	} else {
		switch (parent) {
		case K_CDR:
			if (name_eq(name, len, "variables"))
				k = K_VARS;
			else if (name_eq(name, len, "channel_data"))
				k = K_CHAN;
			else if (name_eq(name, len, "callflow") && ++w->callflows == 1)
				k = K_CF;
			break;
		case K_VARS:
			slot = cdr_var_slot_of(name, len);
			if (slot >= 0)
				start_collect(w, &w->x.var[slot], CDR_SRC_VAR, name, len);
			break;
		case K_CHAN:
			if (name_eq(name, len, "direction"))
				start_collect(w, &w->x.chan_direction, CDR_SRC_TEXT, name, len);
			break;
		case K_CF:
			if (name_eq(name, len, "caller_profile"))
				k = K_PROF;
			else if (name_eq(name, len, "times"))
				k = K_TIMES;
			break;
		case K_PROF:
			if (name_eq(name, len, "originator")) {
				w->x.has_originator = true;
			} else if ((slot = cdr_prof_slot_of(name, len)) >= 0) {
				start_collect(w, &w->x.prof[slot], CDR_SRC_TEXT, name, len);
			}
			break;
		case K_TIMES:
			slot = cdr_time_slot_of(name, len);
			if (slot >= 0)
				start_collect(w, &w->x.times[slot], CDR_SRC_TEXT, name, len);
			break;
		case K_OTHER:
			break;
		}
	}
	w->kind[w->depth] = (unsigned char)k;
}

void cdr_xwalk_attr(struct cdr_xwalk *w, const char *name, size_t nlen, const char *val,
		    size_t vlen)
{
	if (w->failed || w->depth != 1)
		return;
	char **dst = name_eq(name, nlen, "core-uuid")  ? &w->x.core_uuid :
		     name_eq(name, nlen, "switchname") ? &w->x.switchname :
							 NULL;
	if (!dst)
		return;
	char what[16];
	snprintf(what, sizeof(what), "%.*s", (int)nlen, name);
	if (cdr_extract_set(dst, val, vlen, CDR_SRC_TEXT, false, what, w->err, w->errlen) < 0)
		cdr_xwalk_fail(w, NULL);
}

void cdr_xwalk_end(struct cdr_xwalk *w)
{
	if (w->failed)
		return;
	if (w->collect && w->depth == w->collect_depth) {
		if (w->overflow) {
			snprintf(w->err, w->errlen, "%s is longer than %d bytes", w->what,
				 CDR_FIELD_MAX);
			cdr_xwalk_fail(w, NULL);
		} else if (cdr_extract_set(w->collect, w->buf ? w->buf : "", w->len, w->collect_src,
					   true, w->what, w->err, w->errlen) < 0) {
			cdr_xwalk_fail(w, NULL);
		}
		w->collect = NULL;
	}
	w->depth--;
}

void cdr_xwalk_text(struct cdr_xwalk *w, const char *text, size_t len)
{
	if (len == 0 || w->failed || !cdr_xwalk_wants_text(w))
		return;
	if (w->len + len > CDR_FIELD_MAX) {
		w->overflow = true;
		return;
	}
	if (w->len + len > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->len + len)
			cap *= 2;
		char *nb = realloc(w->buf, cap);
		if (!nb) {
			cdr_xwalk_fail(w, "out of memory");
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, text, len);
	w->len += len;
}

int cdr_xwalk_finish(struct cdr_xwalk *w, struct cdr_record *out)
{
	if (w->failed)
		return -1;
	w->x.vars_encoded = true;
	return cdr_extract_finish(&w->x, out, w->err, w->errlen);
}
