/* FreeSWITCH-safe XML escaping; see fsxml.h. */
#include "daemon/fsxml.h"

#include <string.h>
#include <strings.h>

const char fsxml_not_found[] = FSXML_HEAD "  <section name=\"result\">\n"
					  "    <result status=\"not found\"/>\n"
					  "  </section>\n"
					  "</document>\n";

int fsxml_escape(struct strbuf *out, const char *v)
{
	static const char marker[] = "x-pre-process";
	int r = 0;

	for (const char *p = v; *p && r >= 0; p++) {
		unsigned char c = (unsigned char)*p;

		switch (c) {
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
			r = sb_adds(out, p[1] == '{' ? "&#36; " : "&#36;");
			break;
		case '-':
			/* the '-' right after an 'x' that starts "x-pre-process" */
			if (p > v && (p[-1] | 0x20) == 'x' &&
			    strncasecmp(p - 1, marker, sizeof(marker) - 1) == 0)
				r = sb_adds(out, "&#45;");
			else
				r = sb_addc(out, '-');
			break;
		default:
			r = sb_addc(out, (c < 0x20 || c == 0x7f) ? ' ' : (char)c);
		}
	}
	return r;
}
