/* Text for FreeSWITCH XML documents (mod_xml_curl answers).
 *
 * FreeSWITCH runs every answer through its preprocessor before parsing
 * (doc/DESIGN.md "FreeSWITCH output safety"): `$${var}` is replaced by a
 * global variable, `<X-PRE-PROCESS cmd="exec" ...>` runs a command, lines
 * with the text "x-pre-process" not preceded by '<' are dropped, and `${var}`
 * in many values is expanded again at call time. fsxml_escape makes any
 * value inert for all of those, in addition to XML attribute escaping: it is
 * lib/escape.c's escape_fs_xml with FS_XML_RUNTIME (the rules live there). */
#ifndef VOIPADMIN_FSXML_H
#define VOIPADMIN_FSXML_H

#include "lib/strbuf.h"

/* Appends value escaped for a double-quoted XML attribute:
 *   & < > " '   -> entities (so '<' can never start a directive)
 *   $           -> &#36;   (the raw text never contains "$${")
 *   ${          -> &#36; { (a space: no run-time expansion either)
 *   x-pre-process (any case) -> x&#45;pre&#45;process (the preprocessor's
 *                  line-dropping match never fires)
 *   control characters (< 0x20, 0x7f) -> a space
 * Invalid UTF-8 is the caller's problem (validated at input). 0 or -ENOMEM. */
int fsxml_escape(struct strbuf *out, const char *value);

/* The standard "not found" document (always a complete answer). */
extern const char fsxml_not_found[];

/* Opening lines shared by every answer: the XML declaration on its own line
 * (FreeSWITCH drops any line containing "<?"). */
#define FSXML_HEAD                                                       \
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n" \
	"<document type=\"freeswitch/xml\">\n"

#endif
