/* FreeSWITCH-safe XML escaping; see fsxml.h. */
#include "daemon/fsxml.h"

#include "lib/escape.h"

const char fsxml_not_found[] = FSXML_HEAD "  <section name=\"result\">\n"
					  "    <result status=\"not found\"/>\n"
					  "  </section>\n"
					  "</document>\n";

int fsxml_escape(struct strbuf *out, const char *value)
{
	return escape_fs_xml(out, value, FS_XML_RUNTIME);
}
