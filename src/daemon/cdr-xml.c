/* mod_xml_cdr document parser (expat). Streams the document once and keeps
 * only the handful of values voip.cdr needs; see CDR-PROTOCOL §3 for the
 * layout. Hardened: no DOCTYPE (so no entities of any kind), bounded depth,
 * bounded value length, expat's amplification limits set anyway. */
#include "daemon/cdr-record.h"

/* Debian builds expat with XML_DTD; the amplification API needs it. */
#ifndef XML_DTD
#define XML_DTD
#endif
#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an open element is, as far as the CDR is concerned. */
enum kind { K_OTHER, K_CDR, K_VARS, K_CHAN, K_CF, K_PROF, K_TIMES };

struct xstate {
	XML_Parser parser;
	struct cdr_extract x;
	int depth;
	unsigned char kind[CDR_DEPTH_MAX + 1];
	int callflows;          /* <callflow> elements seen (newest is first) */
	/* The value being collected: its destination and depth. */
	char **collect;
	int collect_depth;
	enum cdr_src collect_src;
	const char *collect_what;
	char *buf;
	size_t len, cap;
	bool overflow;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct xstate *s, const char *msg)
{
	if (!s->failed && msg)
		snprintf(s->err, s->errlen, "%s", msg);
	s->failed = true;
	XML_StopParser(s->parser, XML_FALSE);
}

static bool is(const XML_Char *name, const char *want)
{
	return strcmp(name, want) == 0;
}

static void start_collect(struct xstate *s, char **dst, enum cdr_src src,
			  const char *what)
{
	if (*dst)
		return;         /* first occurrence wins */
	s->collect = dst;
	s->collect_depth = s->depth;
	s->collect_src = src;
	s->collect_what = what;
	s->len = 0;
	s->overflow = false;
}

static void root_attrs(struct xstate *s, const XML_Char **attrs)
{
	for (int i = 0; attrs[i]; i += 2) {
		char **dst = is(attrs[i], "core-uuid") ? &s->x.core_uuid :
			     is(attrs[i], "switchname") ? &s->x.switchname : NULL;
		if (dst && cdr_extract_set(dst, attrs[i + 1], strlen(attrs[i + 1]),
					   CDR_SRC_TEXT, false, attrs[i], s->err,
					   s->errlen) < 0) {
			fail(s, NULL);
			return;
		}
	}
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xstate *s = ud;
	int slot;

	if (s->depth + 1 > CDR_DEPTH_MAX) {
		fail(s, "document nests deeper than the limit");
		return;
	}
	enum kind parent = s->depth ? (enum kind)s->kind[s->depth] : K_OTHER;
	enum kind k = K_OTHER;
	s->depth++;

	if (s->depth == 1) {
		if (!is(name, "cdr")) {
			fail(s, "root element is not <cdr>");
			return;
		}
		k = K_CDR;
		root_attrs(s, attrs);
	} else {
		switch (parent) {
		case K_CDR:
			if (is(name, "variables"))
				k = K_VARS;
			else if (is(name, "channel_data"))
				k = K_CHAN;
			else if (is(name, "callflow") && ++s->callflows == 1)
				k = K_CF;
			break;
		case K_VARS:
			slot = cdr_var_slot_of(name, strlen(name));
			if (slot >= 0)
				start_collect(s, &s->x.var[slot], CDR_SRC_VAR, name);
			break;
		case K_CHAN:
			if (is(name, "direction"))
				start_collect(s, &s->x.chan_direction, CDR_SRC_TEXT, name);
			break;
		case K_CF:
			if (is(name, "caller_profile"))
				k = K_PROF;
			else if (is(name, "times"))
				k = K_TIMES;
			break;
		case K_PROF:
			if (is(name, "originator")) {
				s->x.has_originator = true;
			} else if ((slot = cdr_prof_slot_of(name, strlen(name))) >= 0) {
				start_collect(s, &s->x.prof[slot], CDR_SRC_TEXT, name);
			}
			break;
		case K_TIMES:
			slot = cdr_time_slot_of(name, strlen(name));
			if (slot >= 0)
				start_collect(s, &s->x.times[slot], CDR_SRC_TEXT, name);
			break;
		case K_OTHER:
			break;
		}
	}
	s->kind[s->depth] = (unsigned char)k;
}

static void on_end(void *ud, const XML_Char *name)
{
	struct xstate *s = ud;
	(void)name;

	if (s->collect && s->depth == s->collect_depth) {
		if (s->overflow) {
			snprintf(s->err, s->errlen, "%s is longer than %d bytes",
				 s->collect_what, CDR_FIELD_MAX);
			fail(s, NULL);
		} else if (cdr_extract_set(s->collect, s->buf ? s->buf : "", s->len,
					   s->collect_src, true, s->collect_what,
					   s->err, s->errlen) < 0) {
			fail(s, NULL);
		}
		s->collect = NULL;
	}
	s->depth--;
}

static void on_text(void *ud, const XML_Char *text, int len)
{
	struct xstate *s = ud;

	if (!s->collect || s->depth != s->collect_depth || s->overflow)
		return;
	if (s->len + (size_t)len > CDR_FIELD_MAX) {
		s->overflow = true;
		return;
	}
	if (s->len + (size_t)len > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < s->len + (size_t)len)
			cap *= 2;
		char *nb = realloc(s->buf, cap);
		if (!nb) {
			fail(s, "out of memory");
			return;
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, text, (size_t)len);
	s->len += (size_t)len;
}

/* CDRs never carry a DOCTYPE; refusing it closes every entity attack
 * (external entities, billion laughs, quadratic blowup) at the door. */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
		       const XML_Char *pubid, int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	fail(ud, "DOCTYPE is not allowed in a CDR");
}

static void on_entity_decl(void *ud, const XML_Char *name, int is_param,
			   const XML_Char *value, int value_len,
			   const XML_Char *base, const XML_Char *sysid,
			   const XML_Char *pubid, const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base;
	(void)sysid, (void)pubid, (void)notation;
	fail(ud, "entity declarations are not allowed in a CDR");
}

static int on_external_entity(XML_Parser p, const XML_Char *context,
			      const XML_Char *base, const XML_Char *sysid,
			      const XML_Char *pubid)
{
	(void)p, (void)context, (void)base, (void)sysid, (void)pubid;
	return XML_STATUS_ERROR;
}

int cdr_parse_xml(const char *doc, size_t len, struct cdr_record *out,
		  char *errbuf, size_t errlen)
{
	struct xstate s;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	s.err = errbuf;
	s.errlen = errlen;
	if (errlen)
		errbuf[0] = '\0';
	if (len > INT_MAX) {
		snprintf(errbuf, errlen, "document too large");
		return -1;
	}
	s.parser = XML_ParserCreate(NULL);
	if (!s.parser) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	XML_SetUserData(s.parser, &s);
	XML_SetElementHandler(s.parser, on_start, on_end);
	XML_SetCharacterDataHandler(s.parser, on_text);
	XML_SetStartDoctypeDeclHandler(s.parser, on_doctype);
	XML_SetEntityDeclHandler(s.parser, on_entity_decl);
	XML_SetExternalEntityRefHandler(s.parser, on_external_entity);
	XML_SetParamEntityParsing(s.parser, XML_PARAM_ENTITY_PARSING_NEVER);
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(s.parser, 10.0f);
	XML_SetBillionLaughsAttackProtectionActivationThreshold(s.parser, 1u << 20);

	if (XML_Parse(s.parser, doc, (int)len, XML_TRUE) != XML_STATUS_OK) {
		if (!s.failed)
			snprintf(errbuf, errlen, "XML error at line %lu column %lu: %s",
				 (unsigned long)XML_GetCurrentLineNumber(s.parser),
				 (unsigned long)XML_GetCurrentColumnNumber(s.parser),
				 XML_ErrorString(XML_GetErrorCode(s.parser)));
		goto out;
	}
	if (s.failed)
		goto out;
	s.x.vars_encoded = true;
	ret = cdr_extract_finish(&s.x, out, errbuf, errlen);
out:
	cdr_extract_free(&s.x);
	free(s.buf);
	XML_ParserFree(s.parser);
	return ret;
}
