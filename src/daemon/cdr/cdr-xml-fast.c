/* Fast tokenizer for the XML FreeSWITCH's mod_xml_cdr writes.
 *
 * Why: expat spent more CPU per CDR than everything else in the worker (a
 * real CDR is 14-19 KB of <variables>); this scanner reads the same
 * document several times faster, touching each byte once.
 *
 * It accepts a strict subset of XML 1.0 and declines everything outside
 * it, so that expat (cdr-xml.c) parses those documents and gives the
 * verdict. The subset: an optional XML declaration (version 1.0, encoding
 * UTF-8, standalone) at offset 0; one root element; elements and
 * attributes with ASCII names (no colon); character data and attribute
 * values in UTF-8 with the five predefined entities and character
 * references; whitespace around the root. Declined (never judged here):
 * comments, processing instructions, CDATA, DOCTYPE, any other encoding
 * or a byte order mark, and anything not well-formed. Where XML is subtle
 * (C1 controls, noncharacters, DEL) it declines too: declining is always
 * safe, accepting must be exactly right.
 *
 * Contract (fuzz-cdr-xml-diff checks it): when this returns 0, expat
 * accepts the document and cdr_parse_xml_expat() yields the same record. */
#include "daemon/cdr/cdr-record.h"
#include "daemon/cdr/cdr-xml-walk.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

/* Byte classes in character data and attribute values. */
enum { C_TEXT, C_WS, C_CR, C_LT, C_AMP, C_RSQB, C_HIGH, C_BAD };

static unsigned char cls[256];
static pthread_once_t cls_once = PTHREAD_ONCE_INIT;

static void cls_init(void)
{
	for (int c = 0; c < 256; c++) {
		unsigned char k = C_BAD;
		if (c >= 0x20 && c < 0x7F)
			k = C_TEXT;
		else if (c == '\t' || c == '\n')
			k = C_WS;
		else if (c == '\r')
			k = C_CR;
		else if (c >= 0x80)
			k = C_HIGH;
		cls[c] = k; /* DEL (0x7F) stays C_BAD: declined */
	}
	cls['<'] = C_LT;
	cls['&'] = C_AMP;
	cls[']'] = C_RSQB;
}

struct fx {
	const unsigned char *p, *end;
	struct cdr_xwalk *w;
	int depth;
	bool root_done;
	const unsigned char *open_name[CDR_DEPTH_MAX + 1];
	size_t open_len[CDR_DEPTH_MAX + 1];
};

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(unsigned char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* Skips whitespace; true if there was any. */
static bool skip_ws(struct fx *f)
{
	const unsigned char *p = f->p;
	while (f->p < f->end && is_ws(*f->p))
		f->p++;
	return f->p != p;
}

static bool take_name(struct fx *f, const unsigned char **name, size_t *len)
{
	if (f->p >= f->end || !name_start(*f->p))
		return false;
	*name = f->p;
	while (f->p < f->end && name_char(*f->p))
		f->p++;
	*len = (size_t)(f->p - *name);
	return true;
}

static bool take_lit(struct fx *f, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(f->end - f->p) < n || memcmp(f->p, lit, n) != 0)
		return false;
	f->p += n;
	return true;
}

/* Length of one non-ASCII character XML 1.0 surely allows, 0 otherwise. */
static size_t high_char(const unsigned char *p, size_t n)
{
	size_t k = cdr_utf8_seq(p, n);
	uint32_t cp;

	switch (k) {
	case 2:
		return p[0] == 0xC2 && p[1] < 0xA0 ? 0 : 2; /* C1 controls */
	case 3:
		cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
		break;
	case 4:
		cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
		     (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
		break;
	default:
		return 0;
	}
	if ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF))
		return 0; /* noncharacters */
	return k;
}

/* A reference at f->p ('&'): the five predefined entities, or a character
 * reference to a character XML allows (and we are sure of). Writes its
 * UTF-8 into out (4 bytes room). */
static bool take_ref(struct fx *f, char *out, size_t *outlen)
{
	static const struct {
		const char *lit;
		char c;
	} named[] = {
		{ "&lt;", '<' },    { "&gt;", '>' },   { "&amp;", '&' },
		{ "&apos;", '\'' }, { "&quot;", '"' },
	};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (take_lit(f, named[i].lit)) {
			out[0] = named[i].c;
			*outlen = 1;
			return true;
		}
	}
	if (!take_lit(f, "&#"))
		return false;
	bool hex = take_lit(f, "x");
	uint32_t cp = 0;
	int digits = 0;
	for (; f->p < f->end && *f->p != ';'; f->p++, digits++) {
		unsigned char c = *f->p;
		int v = c >= '0' && c <= '9'        ? c - '0' :
			hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 :
						      -1;
		if (v < 0 || digits >= 8)
			return false;
		cp = cp * (hex ? 16 : 10) + (uint32_t)v;
	}
	if (f->p >= f->end || digits == 0)
		return false;
	f->p++; /* ';' */
	bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp < 0x7F) ||
		  (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0x10FFFF);
	if (!ok || (cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF))
		return false;
	*outlen = cdr_utf8_put(cp, out);
	return true;
}

/* Character data up to the next '<' (left at f->p). */
static bool scan_text(struct fx *f)
{
	struct cdr_xwalk *w = f->w;
	const unsigned char *p = f->p, *end = f->end, *run = p;
	bool want = cdr_xwalk_wants_text(w);
	char ref[4];
	size_t n;

	for (;;) {
		while (p < end && cls[*p] <= C_WS)
			p++;
		if (p >= end)
			return false; /* the document ends inside an element */
		switch (cls[*p]) {
		case C_LT:
			if (want && p > run)
				cdr_xwalk_text(w, (const char *)run, (size_t)(p - run));
			f->p = p;
			return !w->failed;
		case C_RSQB:
			if (end - p >= 3 && p[1] == ']' && p[2] == '>')
				return false;
			p++;
			break;
		case C_HIGH:
			if (!(n = high_char(p, (size_t)(end - p))))
				return false;
			p += n;
			break;
		case C_CR: /* CR LF and lone CR both become LF */
			if (want) {
				cdr_xwalk_text(w, (const char *)run, (size_t)(p - run));
				cdr_xwalk_text(w, "\n", 1);
			}
			p++;
			if (p < end && *p == '\n')
				p++;
			run = p;
			break;
		case C_AMP:
			if (want)
				cdr_xwalk_text(w, (const char *)run, (size_t)(p - run));
			f->p = p;
			if (!take_ref(f, ref, &n))
				return false;
			p = f->p;
			if (want)
				cdr_xwalk_text(w, ref, n);
			run = p;
			break;
		default:
			return false;
		}
	}
}

/* A quoted attribute value at f->p. With out, its normalised value (line
 * ends and whitespace become spaces, references replaced) is written there;
 * a value longer than CDR_FIELD_MAX is declined (the walk would refuse it). */
static bool take_attr_value(struct fx *f, char *out, size_t *outlen)
{
	if (f->p >= f->end || (*f->p != '"' && *f->p != '\''))
		return false;
	unsigned char quote = *f->p++;
	size_t o = 0, n;
	char ref[4];

	for (;;) {
		if (f->p >= f->end)
			return false;
		const unsigned char *p = f->p;
		unsigned char c = *p;
		if (c == quote) {
			f->p++;
			break;
		}
		const char *piece = (const char *)p;
		n = 1;
		switch (cls[c]) {
		case C_TEXT:
			f->p++;
			break;
		case C_WS:
			piece = " ";
			f->p++;
			break;
		case C_CR:
			piece = " ";
			f->p++;
			if (f->p < f->end && *f->p == '\n')
				f->p++;
			break;
		case C_RSQB:
			if (f->end - p >= 3 && p[1] == ']' && p[2] == '>')
				return false;
			f->p++;
			break;
		case C_HIGH:
			if (!(n = high_char(p, (size_t)(f->end - p))))
				return false;
			f->p += n;
			break;
		case C_AMP:
			if (!take_ref(f, ref, &n))
				return false;
			piece = ref;
			break;
		default: /* '<', control bytes */
			return false;
		}
		if (out) {
			if (o + n > CDR_FIELD_MAX)
				return false;
			memcpy(out + o, piece, n);
			o += n;
		}
	}
	if (outlen)
		*outlen = o;
	return true;
}

static bool end_element(struct fx *f)
{
	cdr_xwalk_end(f->w);
	if (--f->depth == 0)
		f->root_done = true;
	return !f->w->failed;
}

/* "<name attr='v' ...>" or "<name .../>" at f->p. */
static bool start_tag(struct fx *f)
{
	const unsigned char *name, *an[16];
	size_t nlen, al[16];
	int nattr = 0;
	char value[CDR_FIELD_MAX];
	size_t vlen;

	f->p++; /* '<' */
	if (!take_name(f, &name, &nlen) || f->depth == CDR_DEPTH_MAX || f->root_done)
		return false;
	cdr_xwalk_start(f->w, (const char *)name, nlen);
	if (f->w->failed)
		return false;
	f->depth++;
	f->open_name[f->depth] = name;
	f->open_len[f->depth] = nlen;
	bool root = cdr_xwalk_at_root(f->w);

	for (;;) {
		bool ws = skip_ws(f);
		if (f->p >= f->end)
			return false;
		if (*f->p == '>') {
			f->p++;
			return true;
		}
		if (*f->p == '/')
			return take_lit(f, "/>") && end_element(f);
		if (!ws || nattr == 16 || !take_name(f, &an[nattr], &al[nattr]))
			return false;
		for (int i = 0; i < nattr; i++)
			if (al[i] == al[nattr] && memcmp(an[i], an[nattr], al[i]) == 0)
				return false; /* duplicate attribute */
		skip_ws(f);
		if (!take_lit(f, "="))
			return false;
		skip_ws(f);
		if (!take_attr_value(f, root ? value : NULL, &vlen))
			return false;
		if (root) {
			cdr_xwalk_attr(f->w, (const char *)an[nattr], al[nattr], value, vlen);
			if (f->w->failed)
				return false;
		}
		nattr++;
	}
}

/* "</name>" at f->p, matching the open element. */
static bool end_tag(struct fx *f)
{
	const unsigned char *name;
	size_t nlen;

	f->p += 2;
	if (f->depth == 0 || !take_name(f, &name, &nlen) || nlen != f->open_len[f->depth] ||
	    memcmp(name, f->open_name[f->depth], nlen) != 0)
		return false;
	skip_ws(f);
	return take_lit(f, ">") && end_element(f);
}

/* Eq and a quoted value that is one of values, in an XML declaration. */
static bool take_pseudo_value(struct fx *f, const char *const *values)
{
	skip_ws(f);
	if (!take_lit(f, "="))
		return false;
	skip_ws(f);
	if (f->p >= f->end || (*f->p != '"' && *f->p != '\''))
		return false;
	unsigned char q = *f->p++;
	bool matched = false;
	for (const char *const *v = values; *v && !matched; v++)
		matched = take_lit(f, *v);
	return matched && f->p < f->end && *f->p++ == q;
}

/* "<?xml version='1.0' [encoding='UTF-8'] [standalone='yes|no']?>" */
static bool xml_decl(struct fx *f)
{
	static const char *const utf8[] = { "UTF-8", "utf-8", NULL };
	static const char *const yesno[] = { "yes", "no", NULL };
	static const struct {
		const char *name;
		const char *const *values;
	} pseudo[] = {
		{ "encoding", utf8 },
		{ "standalone", yesno },
	};
	static const char *const one_zero[] = { "1.0", NULL };

	f->p += 5; /* "<?xml" */
	if (!skip_ws(f) || !take_lit(f, "version") || !take_pseudo_value(f, one_zero))
		return false;
	for (size_t i = 0;;) {
		bool ws = skip_ws(f);
		if (take_lit(f, "?>"))
			return true;
		if (!ws)
			return false;
		while (i < 2 && !take_lit(f, pseudo[i].name))
			i++; /* each at most once, in this order */
		if (i == 2 || !take_pseudo_value(f, pseudo[i].values))
			return false;
		i++;
	}
}

static bool tokenize(struct fx *f)
{
	if (f->end - f->p >= 5 && memcmp(f->p, "<?xml", 5) == 0 && !xml_decl(f))
		return false;
	for (;;) {
		if (f->depth == 0) {
			skip_ws(f);
			if (f->p >= f->end)
				return f->root_done;
			if (*f->p != '<')
				return false;
		} else if (!scan_text(f)) {
			return false;
		}
		/* at '<' */
		if (f->end - f->p < 2)
			return false;
		if (f->p[1] == '/') {
			if (!end_tag(f))
				return false;
		} else if (!start_tag(f)) {
			return false;
		}
	}
}

int cdr_parse_xml_fast(const char *doc, size_t len, struct cdr_record *out, char *errbuf,
		       size_t errlen)
{
	struct cdr_xwalk w;
	struct fx f;
	int ret = CDR_XML_DECLINED;

	if (len > INT_MAX)
		return CDR_XML_DECLINED;
	pthread_once(&cls_once, cls_init);
	cdr_xwalk_init(&w, errbuf, errlen);
	f.p = (const unsigned char *)doc;
	f.end = f.p + len;
	f.w = &w;
	f.depth = 0;
	f.root_done = false;
	if (tokenize(&f) && cdr_xwalk_finish(&w, out) == 0)
		ret = 0;
	cdr_xwalk_free(&w);
	return ret;
}
