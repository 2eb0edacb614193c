/* The escapers of the template language; see escape.h for the contract and
 * doc/DESIGN.md for where each one is used. */
#include "lib/escape.h"
#include "lib/utf8.h"
#include "lib/validators.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int refuse(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

static int no_ctl_utf8(const char *in, const char **why)
{
	const char *p;

	for (p = in; *p; p++)
		if (is_ctl((unsigned char)*p))
			return refuse(why, "contains a control character");
	if (!utf8_valid(in, strlen(in)))
		return refuse(why, "is not valid UTF-8");
	return 0;
}

int escape_raw(struct strbuf *out, const char *in, const char **why)
{
	(void)why;
	return sb_adds(out, in);
}

/* FreeSWITCH XML; the rules are in escape.h. */
int escape_fs_xml(struct strbuf *out, const char *in, unsigned flags)
{
	const char *hyphen_until = in; /* '-' before this is inside x-pre-process */
	const bool runtime = flags & FS_XML_RUNTIME;
	int r = 0;

	for (; r == 0 && *in; in++) {
		/* FreeSWITCH's pre-processor drops any line holding the text
		 * "x-pre-process" (any case), even inside an attribute. */
		if ((*in | 0x20) == 'x' && strncasecmp(in, "x-pre-process", 13) == 0)
			hyphen_until = in + 13;
		if (*in == '-' && in < hyphen_until) {
			r = sb_adds(out, "&#45;");
			continue;
		}
		switch (*in) {
		case '&':
			r = sb_adds(out, "&amp;");
			break;
		case '<':
			r = sb_adds(out, "&lt;");
			break;
		case '>':
			r = sb_adds(out, "&gt;");
			break;
		case '"':
			r = sb_adds(out, "&quot;");
			break;
		case '\'':
			r = sb_adds(out, "&apos;");
			break;
		case '$':
			r = sb_adds(out, runtime && in[1] == '{' ? "&#36; " : "&#36;");
			break;
		default:
			r = sb_addc(out, runtime && is_ctl((unsigned char)*in) ? ' ' : *in);
		}
	}
	return r;
}

/* XML text or attribute in a generated file: exactly the value (FreeSWITCH
 * reads configuration values as they are), so a value it cannot carry (a
 * control character, invalid UTF-8) is refused. */
int escape_xml(struct strbuf *out, const char *in, const char **why)
{
	int r = no_ctl_utf8(in, why);

	return r ? r : escape_fs_xml(out, in, 0);
}

/* Inside a Lua double-quoted string. Control bytes use three-digit decimal
 * escapes so a following digit cannot extend them. */
int escape_lua(struct strbuf *out, const char *in, const char **why)
{
	int r = 0;

	(void)why;
	for (; r == 0 && *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '\\' || c == '"' || c == '\'')
			r = sb_addf(out, "\\%c", c);
		else if (is_ctl(c))
			r = sb_addf(out, "\\%03u", c);
		else
			r = sb_addc(out, (char)c);
	}
	return r;
}

/* Inside a Kamailio cfg double-quoted string: its lexer knows \" and \\. */
int escape_kam(struct strbuf *out, const char *in, const char **why)
{
	int r = no_ctl_utf8(in, why);

	for (; r == 0 && *in; in++) {
		if (*in == '"' || *in == '\\')
			r = sb_addc(out, '\\');
		if (r == 0)
			r = sb_addc(out, *in);
	}
	return r;
}

/* Inside a single-quoted postgresql.conf value: '' for a quote, and \\ since
 * the GUC file scanner treats backslash as an escape. */
int escape_pgconf(struct strbuf *out, const char *in, const char **why)
{
	int r = no_ctl_utf8(in, why);

	for (; r == 0 && *in; in++) {
		if (*in == '\'')
			r = sb_adds(out, "''");
		else if (*in == '\\')
			r = sb_adds(out, "\\\\");
		else
			r = sb_addc(out, *in);
	}
	return r;
}

/* One field of a .pgpass line: libpq reads \\ and \: as literal characters. */
int escape_pgpass(struct strbuf *out, const char *in, const char **why)
{
	int r = 0;
	const char *p;

	for (p = in; *p; p++)
		if (*p == '\n' || *p == '\r')
			return refuse(why, "contains a line break");
	for (; r == 0 && *in; in++) {
		if (*in == '\\' || *in == ':')
			r = sb_addc(out, '\\');
		if (r == 0)
			r = sb_addc(out, *in);
	}
	return r;
}

/* The rest of a line of a key=value file (voip-admin.conf, rsync secrets,
 * password files): verbatim, so only line breaks and NUL are impossible. */
int escape_line(struct strbuf *out, const char *in, const char **why)
{
	if (strpbrk(in, "\r\n"))
		return refuse(why, "contains a line break");
	return sb_adds(out, in);
}

/* A keepalived token: verbatim when every character is safe bare, else in
 * double quotes, where keepalived reads everything up to the next '"' as is
 * (no escapes: a value holding '"' cannot be written and is refused, and
 * neither can one ending in an odd run of backslashes, which keepalived
 * takes for an escaped closing quote). */
int escape_ka(struct strbuf *out, const char *in, const char **why)
{
	bool bare = true;
	const char *p;
	int r;

	if (!*in)
		return refuse(why, "is empty");
	for (p = in; *p; p++) {
		if (!ka_quoted_char_ok((unsigned char)*p))
			return refuse(why, "contains a character keepalived cannot read back "
					   "(double quote, control character or non-ASCII)");
		bare = bare && ka_char_ok((unsigned char)*p);
	}
	if (bare)
		return sb_adds(out, in);
	if (!ka_quoted_ok(in))
		return refuse(why, "ends in a backslash keepalived would read as escaping "
				   "the closing quote");
	if ((r = sb_addc(out, '"')) == 0 && (r = sb_adds(out, in)) == 0)
		r = sb_addc(out, '"');
	return r;
}

/* Percent-encoding of everything but RFC 3986's unreserved characters. */
int escape_url(struct strbuf *out, const char *in, const char **why)
{
	static const char hex[] = "0123456789ABCDEF";
	int r = 0;

	(void)why;
	for (; r == 0 && *in; in++) {
		unsigned char c = (unsigned char)*in;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			r = sb_addc(out, (char)c);
		} else {
			char enc[3] = { '%', hex[c >> 4], hex[c & 15] };
			r = sb_add(out, enc, 3);
		}
	}
	return r;
}

/* One single-quoted POSIX shell word; ' is written as '\''. */
int escape_sh(struct strbuf *out, const char *in, const char **why)
{
	int r = sb_addc(out, '\'');

	(void)why;
	for (; r == 0 && *in; in++)
		r = *in == '\'' ? sb_adds(out, "'\\''") : sb_addc(out, *in);
	if (r == 0)
		r = sb_addc(out, '\'');
	return r;
}

static const struct escaper escapers[] = {
	{ "raw", escape_raw, false },      { "xml", escape_xml, true },
	{ "lua", escape_lua, true },       { "kam", escape_kam, true },
	{ "pgconf", escape_pgconf, true }, { "pgpass", escape_pgpass, true },
	{ "ka", escape_ka, true },         { "url", escape_url, true },
	{ "sh", escape_sh, true },         { "line", escape_line, true },
};

const struct escaper *escaper_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(escapers) / sizeof(escapers[0]); i++)
		if (strcmp(escapers[i].name, name) == 0)
			return &escapers[i];
	return NULL;
}
