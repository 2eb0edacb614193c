/* mod_xml_cdr document parser: expat driving the CDR walk (cdr-xml-walk.c)
 * for every document the fast tokenizer (cdr-xml-fast.c) declines. Hardened:
 * no DOCTYPE (so no entities of any kind), bounded depth (in the walk),
 * bounded value length, expat's amplification limits set anyway. */
#include "daemon/cdr/cdr-record.h"
#include "daemon/cdr/cdr-xml-walk.h"

/* Debian builds expat with XML_DTD; the amplification API needs it. */
#ifndef XML_DTD
#define XML_DTD
#endif
#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xstate {
	XML_Parser parser;
	struct cdr_xwalk w;
};

static void stop_if_failed(struct xstate *s)
{
	if (s->w.failed)
		XML_StopParser(s->parser, XML_FALSE);
}

static void fail(struct xstate *s, const char *msg)
{
	cdr_xwalk_fail(&s->w, msg);
	XML_StopParser(s->parser, XML_FALSE);
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xstate *s = ud;

	cdr_xwalk_start(&s->w, name, strlen(name));
	if (cdr_xwalk_at_root(&s->w))
		for (int i = 0; attrs[i] && !s->w.failed; i += 2)
			cdr_xwalk_attr(&s->w, attrs[i], strlen(attrs[i]), attrs[i + 1],
				       strlen(attrs[i + 1]));
	stop_if_failed(s);
}

static void on_end(void *ud, const XML_Char *name)
{
	struct xstate *s = ud;
	(void)name;
	cdr_xwalk_end(&s->w);
	stop_if_failed(s);
}

static void on_text(void *ud, const XML_Char *text, int len)
{
	struct xstate *s = ud;
	cdr_xwalk_text(&s->w, text, (size_t)len);
	stop_if_failed(s);
}

/* CDRs never carry a DOCTYPE; refusing it closes every entity attack
 * (external entities, billion laughs, quadratic blowup) at the door. */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
		       int has_internal_subset)
{
	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	fail(ud, "DOCTYPE is not allowed in a CDR");
}

static void on_entity_decl(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
			   int value_len, const XML_Char *base, const XML_Char *sysid,
			   const XML_Char *pubid, const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base;
	(void)sysid, (void)pubid, (void)notation;
	fail(ud, "entity declarations are not allowed in a CDR");
}

static int on_external_entity(XML_Parser p, const XML_Char *context, const XML_Char *base,
			      const XML_Char *sysid, const XML_Char *pubid)
{
	(void)p, (void)context, (void)base, (void)sysid, (void)pubid;
	return XML_STATUS_ERROR;
}

int cdr_parse_xml_expat(const char *doc, size_t len, struct cdr_record *out, char *errbuf,
			size_t errlen)
{
	struct xstate s;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	cdr_xwalk_init(&s.w, errbuf, errlen);
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
		if (!s.w.failed)
			snprintf(errbuf, errlen, "XML error at line %lu column %lu: %s",
				 (unsigned long)XML_GetCurrentLineNumber(s.parser),
				 (unsigned long)XML_GetCurrentColumnNumber(s.parser),
				 XML_ErrorString(XML_GetErrorCode(s.parser)));
		goto out;
	}
	ret = cdr_xwalk_finish(&s.w, out);
out:
	cdr_xwalk_free(&s.w);
	XML_ParserFree(s.parser);
	return ret;
}

/* The fast tokenizer takes the documents FreeSWITCH writes; whatever it
 * declines (or finds wrong) is parsed again by expat, which then gives the
 * verdict and the message. Both produce the same record for any document
 * the fast one accepts (fuzz-cdr-xml-diff checks exactly that). */
int cdr_parse_xml(const char *doc, size_t len, struct cdr_record *out, char *errbuf, size_t errlen)
{
	if (cdr_parse_xml_fast(doc, len, out, errbuf, errlen) == 0)
		return 0;
	return cdr_parse_xml_expat(doc, len, out, errbuf, errlen);
}
