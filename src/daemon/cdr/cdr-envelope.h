/* How a CDR arrives over HTTP, decoded by content (CDR-PROTOCOL §2 and §6):
 * FreeSWITCH's Content-Type is unreliable (with disable-100-continue every
 * mode is labelled urlencoded), so the body itself decides:
 *
 *   <...            raw XML (mod_xml_cdr encode=textxml)
 *   {...            raw JSON (mod_json_cdr encode=false)
 *   cdr=<...        raw XML after the field name (encode=false: NOT decoded,
 *                   a form decoder would corrupt it)
 *   cdr={...        same for JSON
 *   cdr=%3C...      URL-encoded (encode=true), decoded with the form decoder
 *   cdr=PD94...     base64 (encode=base64; '+' is data, not a space)
 *   %3C... / %7B... an err-log-dir file of an encode=true CDR re-posted as is
 *   a=..&cdr=...    any other form carrying a cdr field */
#ifndef VOIPADMIN_CDR_ENVELOPE_H
#define VOIPADMIN_CDR_ENVELOPE_H

#include <stddef.h>

#include "daemon/cdr/cdr-record.h"

/* On success returns 0 with *doc a malloc'd copy of the document (NUL
 * appended, not counted in *doclen) and *fmt its format. -EINVAL (no CDR
 * document in the body; errbuf says why) or -ENOMEM. */
int cdr_envelope_decode(const char *body, size_t len, enum cdr_format *fmt, char **doc,
			size_t *doclen, char *errbuf, size_t errlen);

#endif
