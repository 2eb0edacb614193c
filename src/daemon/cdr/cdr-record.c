/* Shared pieces of the FreeSWITCH CDR parsers: which variables matter,
 * FreeSWITCH's per-variable URL encoding, value sanitising, and combining
 * variables with callflow fallbacks into one struct cdr_record. */
#include "daemon/cdr/cdr-record.h"
#include "daemon/pct.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cdr_field_column[CDR_F_COUNT] = {
	[CDR_F_UUID] = "uuid",
	[CDR_F_DIRECTION] = "direction",
	[CDR_F_CALLER_NUMBER] = "caller_id_number",
	[CDR_F_CALLER_NAME] = "caller_id_name",
	[CDR_F_DESTINATION] = "destination_number",
	[CDR_F_CONTEXT] = "context",
	[CDR_F_DOMAIN] = "domain",
	[CDR_F_HANGUP_CAUSE] = "hangup_cause",
	[CDR_F_CC_QUEUE] = "cc_queue",
	[CDR_F_CC_AGENT] = "cc_agent",
	[CDR_F_RECORDING] = "recording_path",
	[CDR_F_SIP_CALL_ID] = "sip_call_id",
	[CDR_F_OTHER_LEG] = "other_leg_uuid",
	[CDR_F_CORE_UUID] = "core_uuid",
	[CDR_F_SWITCHNAME] = "switchname",
};

const struct cdr_var_map cdr_var_names[] = {
	{ "uuid", V_UUID },
	{ "call_uuid", V_CALL_UUID },
	{ "direction", V_DIRECTION },
	{ "caller_id_number", V_CALLER_NUMBER },
	{ "caller_id_name", V_CALLER_NAME },
	{ "effective_caller_id_number", V_EFF_CALLER_NUMBER },
	{ "effective_caller_id_name", V_EFF_CALLER_NAME },
	{ "destination_number", V_DESTINATION },
	{ "context", V_CONTEXT },
	{ "domain_name", V_DOMAIN_NAME },
	{ "dialed_domain", V_DIALED_DOMAIN },
	{ "start_epoch", V_START_EPOCH },
	{ "start_uepoch", V_START_UEPOCH },
	{ "answer_epoch", V_ANSWER_EPOCH },
	{ "answer_uepoch", V_ANSWER_UEPOCH },
	{ "end_epoch", V_END_EPOCH },
	{ "end_uepoch", V_END_UEPOCH },
	{ "duration", V_DURATION },
	{ "billsec", V_BILLSEC },
	{ "hangup_cause", V_HANGUP_CAUSE },
	{ "cc_queue", V_CC_QUEUE },
	{ "cc_agent", V_CC_AGENT },
	{ "record_file", V_RECORD_FILE },
	{ "recording_file", V_RECORDING_FILE },
	{ "sip_call_id", V_SIP_CALL_ID },
	{ "bridge_uuid", V_BRIDGE_UUID },
	{ "signal_bond", V_SIGNAL_BOND },
	{ "originating_leg_uuid", V_ORIGINATING_LEG },
	{ "originator", V_ORIGINATOR },
	{ NULL, 0 },
};

static const char *const prof_names[P_SLOT_COUNT] = {
	[P_CALLER_NUMBER] = "caller_id_number",
	[P_CALLER_NAME] = "caller_id_name",
	[P_DESTINATION] = "destination_number",
	[P_CONTEXT] = "context",
	[P_UUID] = "uuid",
};

static const char *const time_names[T_SLOT_COUNT] = {
	[T_CREATED] = "created_time",
	[T_ANSWERED] = "answered_time",
	[T_HANGUP] = "hangup_time",
};

static bool name_is(const char *want, const char *name, size_t len)
{
	/* called for every element of <variables>: no strlen of want */
	return want[0] == name[0] && strncmp(want, name, len) == 0 && want[len] == '\0';
}

int cdr_var_slot_of(const char *name, size_t len)
{
	for (const struct cdr_var_map *m = cdr_var_names; m->name; m++)
		if (name_is(m->name, name, len))
			return m->slot;
	return -1;
}

int cdr_prof_slot_of(const char *name, size_t len)
{
	for (int i = 0; i < P_SLOT_COUNT; i++)
		if (name_is(prof_names[i], name, len))
			return i;
	return -1;
}

int cdr_time_slot_of(const char *name, size_t len)
{
	for (int i = 0; i < T_SLOT_COUNT; i++)
		if (name_is(time_names[i], name, len))
			return i;
	return -1;
}

void cdr_record_init(struct cdr_record *r)
{
	memset(r, 0, sizeof(*r));
	r->leg = 'a';
	r->duration = -1;
	r->billsec = -1;
}

void cdr_record_free(struct cdr_record *r)
{
	for (int i = 0; i < CDR_F_COUNT; i++)
		free(r->f[i]);
	cdr_record_init(r);
}

void cdr_extract_free(struct cdr_extract *x)
{
	for (int i = 0; i < V_SLOT_COUNT; i++)
		free(x->var[i]);
	for (int i = 0; i < P_SLOT_COUNT; i++)
		free(x->prof[i]);
	for (int i = 0; i < T_SLOT_COUNT; i++)
		free(x->times[i]);
	free(x->chan_direction);
	free(x->core_uuid);
	free(x->switchname);
	memset(x, 0, sizeof(*x));
}

size_t cdr_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;
		if (c == 0xED && s[1] > 0x9F)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;
		if (c == 0xF4 && s[1] > 0x8F)
			return 0;
		return 4;
	}
	return 0;
}

size_t cdr_utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

bool cdr_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (p[i] >= 0x01 && p[i] < 0x80) { /* fast path for ASCII */
			i++;
			continue;
		}
		size_t k = cdr_utf8_seq(p + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/* The bytes FreeSWITCH's switch_url_encode escapes (SWITCH_URL_UNSAFE plus
 * controls and non-ASCII). A value containing one was not encoded. */
static bool fs_unsafe(unsigned char c)
{
	return c < 0x20 || c > 0x7E || strchr("\r\n #&+:;<=>?@[\\]^`{|}\"", c);
}

bool cdr_value_looks_encoded(const char *val, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (fs_unsafe((unsigned char)val[i]))
			return false;
	return true;
}

int cdr_extract_set(char **dst, const char *val, size_t len, enum cdr_src src, bool decode,
		    const char *what, char *errbuf, size_t errlen)
{
	if (*dst)
		return 0;
	if (len > CDR_FIELD_MAX) {
		snprintf(errbuf, errlen, "%s is longer than %d bytes", what, CDR_FIELD_MAX);
		return -1;
	}
	char *out = malloc(len + 1);
	if (!out) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	size_t o;
	if (src == CDR_SRC_VAR && decode) {
		o = pct_decode_fs(val, len, out);
	} else {
		memcpy(out, val, len);
		o = len;
	}
	out[o] = '\0';
	/* Sanitise instead of rejecting: a hostile caller name must not cost
	 * the operator the whole CDR. Invalid UTF-8, NUL and control bytes
	 * (except tab) become '?'; the raw document keeps the original. */
	unsigned char *p = (unsigned char *)out;
	for (size_t i = 0; i < o;) {
		if (p[i] < 0x20 && p[i] != '\t') {
			p[i++] = '?';
			continue;
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = cdr_utf8_seq(p + i, o - i);
		if (k == 0) {
			p[i++] = '?';
			continue;
		}
		i += k;
	}
	*dst = out;
	return 0;
}

/* Strict unsigned decimal (what FreeSWITCH writes); "" counts as absent. */
static int parse_u64(const char *s, const char *what, int64_t *out, char *errbuf, size_t errlen)
{
	if (!s || !*s) {
		*out = -1;
		return 0;
	}
	int64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) || v > (INT64_MAX - 9) / 10) {
			snprintf(errbuf, errlen, "%s '%.40s' is not a number", what, s);
			return -1;
		}
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return 0;
}

/* Largest accepted epoch: year 9999, so that PostgreSQL's to_timestamp and
 * timestamptz range can never reject a row. */
#define EPOCH_S_MAX 253402300799LL

static int pick_time(const char *uepoch, const char *epoch, const char *cf_us, const char *what,
		     int64_t *out, char *errbuf, size_t errlen)
{
	int64_t v;
	*out = 0;
	if (parse_u64(uepoch, what, &v, errbuf, errlen) < 0)
		return -1;
	if (v > 0) {
		*out = v;
	} else {
		if (parse_u64(epoch, what, &v, errbuf, errlen) < 0)
			return -1;
		if (v > EPOCH_S_MAX)
			goto range;
		if (v > 0) {
			*out = v * 1000000;
		} else {
			if (parse_u64(cf_us, what, &v, errbuf, errlen) < 0)
				return -1;
			if (v > 0)
				*out = v;
		}
	}
	if (*out / 1000000 > EPOCH_S_MAX)
		goto range;
	return 0;
range:
	snprintf(errbuf, errlen, "%s is out of range", what);
	return -1;
}

static char *take(char **a)
{
	char *v = *a;
	*a = NULL;
	return v;
}

/* First non-empty of up to three candidates, moved out of the extract. */
static char *first_of(char **a, char **b, char **c)
{
	if (a && *a && **a)
		return take(a);
	if (b && *b && **b)
		return take(b);
	if (c && *c && **c)
		return take(c);
	return NULL;
}

static bool is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

int cdr_extract_finish(struct cdr_extract *x, struct cdr_record *r, char *errbuf, size_t errlen)
{
	char **v = x->var, **p = x->prof;

	cdr_record_init(r);
	r->f[CDR_F_UUID] = first_of(&v[V_UUID], &p[P_UUID], &v[V_CALL_UUID]);
	if (!r->f[CDR_F_UUID]) {
		snprintf(errbuf, errlen, "no call uuid (variables/uuid, caller_profile/uuid)");
		goto fail;
	}
	if (!is_uuid(r->f[CDR_F_UUID])) {
		snprintf(errbuf, errlen, "call uuid '%.64s' is not a UUID", r->f[CDR_F_UUID]);
		goto fail;
	}
	for (char *c = r->f[CDR_F_UUID]; *c; c++)
		*c = (char)tolower((unsigned char)*c);

	r->f[CDR_F_DIRECTION] = first_of(&v[V_DIRECTION], &x->chan_direction, NULL);
	r->f[CDR_F_CALLER_NUMBER] =
		first_of(&v[V_CALLER_NUMBER], &p[P_CALLER_NUMBER], &v[V_EFF_CALLER_NUMBER]);
	r->f[CDR_F_CALLER_NAME] =
		first_of(&v[V_CALLER_NAME], &p[P_CALLER_NAME], &v[V_EFF_CALLER_NAME]);
	r->f[CDR_F_DESTINATION] = first_of(&v[V_DESTINATION], &p[P_DESTINATION], NULL);
	r->f[CDR_F_CONTEXT] = first_of(&v[V_CONTEXT], &p[P_CONTEXT], NULL);
	r->f[CDR_F_DOMAIN] = first_of(&v[V_DOMAIN_NAME], &v[V_DIALED_DOMAIN], NULL);
	r->f[CDR_F_HANGUP_CAUSE] = first_of(&v[V_HANGUP_CAUSE], NULL, NULL);
	r->f[CDR_F_CC_QUEUE] = first_of(&v[V_CC_QUEUE], NULL, NULL);
	r->f[CDR_F_CC_AGENT] = first_of(&v[V_CC_AGENT], NULL, NULL);
	r->f[CDR_F_RECORDING] = first_of(&v[V_RECORD_FILE], &v[V_RECORDING_FILE], NULL);
	r->f[CDR_F_SIP_CALL_ID] = first_of(&v[V_SIP_CALL_ID], NULL, NULL);
	r->f[CDR_F_OTHER_LEG] =
		first_of(&v[V_BRIDGE_UUID], &v[V_SIGNAL_BOND], &v[V_ORIGINATING_LEG]);
	if (!r->f[CDR_F_OTHER_LEG])
		r->f[CDR_F_OTHER_LEG] = first_of(&v[V_ORIGINATOR], NULL, NULL);
	r->f[CDR_F_CORE_UUID] = first_of(&x->core_uuid, NULL, NULL);
	r->f[CDR_F_SWITCHNAME] = first_of(&x->switchname, NULL, NULL);

	/* A B-leg is a leg with an originator caller profile (what FreeSWITCH
	 * itself tests before log-b-leg). */
	if (x->has_originator || (v[V_ORIGINATING_LEG] && *v[V_ORIGINATING_LEG]) ||
	    (v[V_ORIGINATOR] && *v[V_ORIGINATOR]))
		r->leg = 'b';

	if (pick_time(v[V_START_UEPOCH], v[V_START_EPOCH], x->times[T_CREATED], "start time",
		      &r->start_us, errbuf, errlen) < 0 ||
	    pick_time(v[V_ANSWER_UEPOCH], v[V_ANSWER_EPOCH], x->times[T_ANSWERED], "answer time",
		      &r->answer_us, errbuf, errlen) < 0 ||
	    pick_time(v[V_END_UEPOCH], v[V_END_EPOCH], x->times[T_HANGUP], "end time", &r->end_us,
		      errbuf, errlen) < 0)
		goto fail;
	if (parse_u64(v[V_DURATION], "duration", &r->duration, errbuf, errlen) < 0 ||
	    parse_u64(v[V_BILLSEC], "billsec", &r->billsec, errbuf, errlen) < 0)
		goto fail;
	if (r->duration > INT32_MAX || r->billsec > INT32_MAX) {
		snprintf(errbuf, errlen, "duration or billsec is out of range");
		goto fail;
	}
	/* Derive missing durations from the times, as FreeSWITCH computes them. */
	if (r->duration < 0 && r->start_us > 0 && r->end_us >= r->start_us)
		r->duration = (r->end_us - r->start_us) / 1000000;
	if (r->billsec < 0 && r->end_us > 0) {
		if (r->answer_us > 0 && r->end_us >= r->answer_us)
			r->billsec = (r->end_us - r->answer_us) / 1000000;
		else if (r->answer_us == 0)
			r->billsec = 0;
	}
	return 0;
fail:
	cdr_record_free(r);
	return -1;
}

int cdr_parse(enum cdr_format fmt, const char *doc, size_t len, struct cdr_record *out,
	      char *errbuf, size_t errlen)
{
	switch (fmt) {
	case CDR_FMT_XML:
		return cdr_parse_xml(doc, len, out, errbuf, errlen);
	case CDR_FMT_JSON:
		return cdr_parse_json(doc, len, out, errbuf, errlen);
	}
	snprintf(errbuf, errlen, "unknown CDR format");
	return -1;
}
