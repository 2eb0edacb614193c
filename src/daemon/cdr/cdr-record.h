/* One call-detail record as extracted from a FreeSWITCH CDR document
 * (mod_xml_cdr XML or mod_json_cdr JSON), ready for voip.cdr.
 *
 * The parsers (cdr-xml.c, cdr-json.c) fill it; every text field is either
 * NULL (absent in the document) or a NUL-terminated, valid UTF-8 string
 * without control characters other than tab, so a row built from it can
 * never make a batch insert fail. */
#ifndef VOIPADMIN_CDR_RECORD_H
#define VOIPADMIN_CDR_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cdr_format { CDR_FMT_XML = 1, CDR_FMT_JSON = 2 };

/* Longest value kept from a document field; a longer one makes the document
 * malformed (it is dead-lettered, never truncated silently). */
#define CDR_FIELD_MAX 4096
/* Nesting deeper than this is refused (real CDRs are < 10 levels deep). */
#define CDR_DEPTH_MAX 64

enum cdr_field {
	CDR_F_UUID,
	CDR_F_DIRECTION,
	CDR_F_CALLER_NUMBER,
	CDR_F_CALLER_NAME,
	CDR_F_DESTINATION,
	CDR_F_CONTEXT,
	CDR_F_DOMAIN,
	CDR_F_HANGUP_CAUSE,
	CDR_F_CC_QUEUE,
	CDR_F_CC_AGENT,
	CDR_F_RECORDING,
	CDR_F_SIP_CALL_ID,
	CDR_F_OTHER_LEG,
	CDR_F_CORE_UUID,
	CDR_F_SWITCHNAME,
	CDR_F_COUNT
};

struct cdr_record {
	char *f[CDR_F_COUNT]; /* text fields, NULL when absent */
	char leg;             /* 'a' or 'b' (b: the profile has an originator) */
	/* Microseconds since the epoch; 0 = absent/never (answer 0 = unanswered). */
	int64_t start_us, answer_us, end_us;
	int64_t duration, billsec; /* seconds, >= 0; -1 = absent */
};

/* Column name of each text field in voip.cdr, in enum order. */
extern const char *const cdr_field_column[CDR_F_COUNT];

void cdr_record_init(struct cdr_record *r);
void cdr_record_free(struct cdr_record *r);

/* Parse a document of the given format. Returns 0, or -1 with a one-line
 * reason in errbuf (the document is malformed or lacks what a CDR must
 * have: a call UUID). Never reads more than len bytes; doc need not be
 * NUL-terminated. */
int cdr_parse(enum cdr_format fmt, const char *doc, size_t len, struct cdr_record *out,
	      char *errbuf, size_t errlen);
int cdr_parse_xml(const char *doc, size_t len, struct cdr_record *out, char *errbuf, size_t errlen);
/* The two XML paths cdr_parse_xml() combines, for tests and fuzzers:
 * expat (any well-formed XML), and the fast tokenizer, which returns 0 only
 * for a document in its strict subset of XML that yields a record (then the
 * very record expat's path yields); anything else is 1 (declined: ask
 * expat), never a verdict of its own. */
int cdr_parse_xml_expat(const char *doc, size_t len, struct cdr_record *out, char *errbuf,
			size_t errlen);
#define CDR_XML_DECLINED 1
int cdr_parse_xml_fast(const char *doc, size_t len, struct cdr_record *out, char *errbuf,
		       size_t errlen);
int cdr_parse_json(const char *doc, size_t len, struct cdr_record *out, char *errbuf,
		   size_t errlen);

/* ---- helpers shared by the two parsers (cdr-record.c) ---- */

/* Where a field value came from: a FreeSWITCH <variables> value (URL-encoded
 * by FreeSWITCH), or plain text (callflow, channel_data). */
enum cdr_src { CDR_SRC_VAR, CDR_SRC_TEXT };

/* The variable names the parsers look for, and what each one feeds. */
struct cdr_var_map {
	const char *name;
	int slot; /* index into struct cdr_extract.var */
};

enum cdr_var_slot {
	V_UUID,
	V_CALL_UUID,
	V_DIRECTION,
	V_CALLER_NUMBER,
	V_CALLER_NAME,
	V_EFF_CALLER_NUMBER,
	V_EFF_CALLER_NAME,
	V_DESTINATION,
	V_CONTEXT,
	V_DOMAIN_NAME,
	V_DIALED_DOMAIN,
	V_START_EPOCH,
	V_START_UEPOCH,
	V_ANSWER_EPOCH,
	V_ANSWER_UEPOCH,
	V_END_EPOCH,
	V_END_UEPOCH,
	V_DURATION,
	V_BILLSEC,
	V_HANGUP_CAUSE,
	V_CC_QUEUE,
	V_CC_AGENT,
	V_RECORD_FILE,
	V_RECORDING_FILE,
	V_SIP_CALL_ID,
	V_BRIDGE_UUID,
	V_SIGNAL_BOND,
	V_ORIGINATING_LEG,
	V_ORIGINATOR,
	V_SLOT_COUNT
};

enum cdr_prof_slot {
	P_CALLER_NUMBER,
	P_CALLER_NAME,
	P_DESTINATION,
	P_CONTEXT,
	P_UUID,
	P_SLOT_COUNT
};

enum cdr_time_slot { T_CREATED, T_ANSWERED, T_HANGUP, T_SLOT_COUNT };

/* Raw strings gathered from one document before they are combined into a
 * record; each is a malloc'd, decoded, validated string or NULL. */
struct cdr_extract {
	char *var[V_SLOT_COUNT];   /* <variables>, first occurrence wins */
	char *prof[P_SLOT_COUNT];  /* newest callflow's caller_profile */
	char *times[T_SLOT_COUNT]; /* newest callflow's times (µs) */
	char *chan_direction;      /* channel_data/direction */
	char *core_uuid, *switchname;
	bool has_originator; /* caller_profile has <originator> */
	bool vars_encoded;   /* variables are URL-encoded */
};

extern const struct cdr_var_map cdr_var_names[];
int cdr_var_slot_of(const char *name, size_t len);  /* -1 if unused */
int cdr_prof_slot_of(const char *name, size_t len); /* -1 if unused */
int cdr_time_slot_of(const char *name, size_t len); /* -1 if unused */

/* Store a value into *dst (first occurrence wins: an already set *dst is
 * kept). URL-decodes when src is CDR_SRC_VAR and decode is true. Returns 0,
 * or -1 with errbuf set (too long, NUL byte, invalid UTF-8 after decoding,
 * control character, out of memory). */
int cdr_extract_set(char **dst, const char *val, size_t len, enum cdr_src src, bool decode,
		    const char *what, char *errbuf, size_t errlen);

/* True if a variable value looks URL-encoded the way FreeSWITCH encodes
 * (it contains no byte that the encoder would have escaped). */
bool cdr_value_looks_encoded(const char *val, size_t len);

/* Combine the gathered strings into a record (fallbacks, numbers, leg).
 * Returns 0 or -1 with errbuf set. The extract is left to be freed. */
int cdr_extract_finish(struct cdr_extract *x, struct cdr_record *out, char *errbuf, size_t errlen);
void cdr_extract_free(struct cdr_extract *x);

/* Valid UTF-8 (RFC 3629), no NUL. */
bool cdr_utf8_valid(const char *s, size_t n);
/* Length of the UTF-8 sequence at s (1 to 4; RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if invalid or a NUL byte. */
size_t cdr_utf8_seq(const unsigned char *s, size_t n);
/* Writes code point cp (<= 0x10FFFF; not checked for surrogates) as UTF-8
 * into out (room for 4 bytes); returns the length. */
size_t cdr_utf8_put(uint32_t cp, char *out);

#endif
