/* cmocka tests for the FreeSWITCH CDR parsers and the body envelope decoder:
 * every field of every real sample, encode modes, and hostile documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cdr/cdr-envelope.h"
#include "daemon/cdr/cdr-record.h"
#include "cdr-test-util.h"

static const char *fixdir(void)
{
	const char *d = getenv("CDR_FIXTURES");
	return d ? d : "test/daemon/cdr-fixtures";
}

static char *slurp(const char *name, size_t *len)
{
	char *b = cdr_test_slurp(fixdir(), name, len);
	if (!b)
		fail_msg("cannot read %s/%s", fixdir(), name);
	return b;
}

struct expect {
	const char *file;
	const char *f[CDR_F_COUNT];
	char leg;
	int64_t start_us, answer_us, end_us, duration, billsec;
};

/* clang-format off: one sample per block, its times on one line */
static const struct expect samples[] = {
	{ "ccm_cdr-with-origination.xml",
	  {
		  [CDR_F_UUID] = "f26e6ecb-6328-4889-9c01-76e5ebd8afad",
		  [CDR_F_DIRECTION] = "inbound",
		  [CDR_F_CALLER_NUMBER] = "IMSI510555550000884",
		  [CDR_F_CALLER_NAME] = "IMSI510555550000884",
		  [CDR_F_DESTINATION] = "6285342628278",
		  [CDR_F_CONTEXT] = "default",
		  [CDR_F_HANGUP_CAUSE] = "CALL_REJECTED",
		  [CDR_F_SIP_CALL_ID] = "510553e8140010-ca853d1c371c3026",
		  [CDR_F_OTHER_LEG] = "662d289b-9565-4357-87f0-b855a99ad8b7",
		  [CDR_F_CORE_UUID] = "45b2a75b-9aa2-4d92-9296-f2e7460e98ce",
	  },
	  'a',
	  1418250885233887,
	  0,
	  1418250943653875,
	  58,
	  0 },
	{ "ccm_error-call-cdr.xml",
	  {
		  [CDR_F_UUID] = "0006a2fa-b032-43e8-9d70-708f363fe3b7",
		  [CDR_F_DIRECTION] = "inbound",
		  [CDR_F_CALLER_NUMBER] = "IMSI510555550000087",
		  [CDR_F_CALLER_NAME] = "IMSI510555550000087",
		  [CDR_F_DESTINATION] = "6281248174025",
		  [CDR_F_CONTEXT] = "default",
		  [CDR_F_HANGUP_CAUSE] = "NORMAL_CLEARING",
		  [CDR_F_SIP_CALL_ID] = "510553e8140010-9679ac7639eb719d",
		  [CDR_F_CORE_UUID] = "370fd8a7-7e11-4af5-9b80-c5ea96aff708",
	  },
	  'a',
	  1423742585698089,
	  1423742586038092,
	  1423742586038092,
	  1,
	  0 },
	{ "ccm_free-call-cdr.xml",
	  {
		  [CDR_F_UUID] = "44999f0d-e76b-4bd3-bfdf-3239d487e45b",
		  [CDR_F_DIRECTION] = "inbound",
		  [CDR_F_CALLER_NUMBER] = "IMSI510555550000996",
		  [CDR_F_CALLER_NAME] = "IMSI510555550000996",
		  [CDR_F_DESTINATION] = "888",
		  [CDR_F_CONTEXT] = "default",
		  [CDR_F_HANGUP_CAUSE] = "NORMAL_CLEARING",
		  [CDR_F_SIP_CALL_ID] = "510553e8140010-b4056bcd3852d573",
		  [CDR_F_CORE_UUID] = "370fd8a7-7e11-4af5-9b80-c5ea96aff708",
	  },
	  'a',
	  1423750149438081,
	  0,
	  1423750149618106,
	  0,
	  0 },
	{ "ccm_incoming-call-cdr.xml",
	  {
		  [CDR_F_UUID] = "26444af2-5f94-40b5-9578-824ce7c75ab8",
		  [CDR_F_DIRECTION] = "outbound",
		  [CDR_F_CALLER_NUMBER] = "18657194461",
		  [CDR_F_CALLER_NAME] = "18657194461",
		  [CDR_F_DESTINATION] = "IMSI901550000000072",
		  [CDR_F_CONTEXT] = "public",
		  [CDR_F_HANGUP_CAUSE] = "NORMAL_CLEARING",
		  [CDR_F_SIP_CALL_ID] = "19789d34-40c4-1233-a9b4-080027ebb7c8",
		  [CDR_F_OTHER_LEG] = "7c1088a5-ce12-4417-9b57-9d649ae984ec",
		  [CDR_F_CORE_UUID] = "26af37e0-5fc2-46d2-9c9f-ad3b9f1a2d0f",
		  [CDR_F_SWITCHNAME] = "vagrant-ubuntu-trusty-32",
	  },
	  'b',
	  1425880687314987,
	  1425880692654914,
	  1425880716895158,
	  29,
	  24 },
	{ "ccm_local-call-msisdn-cdr.xml",
	  {
		  [CDR_F_UUID] = "d0d42f4b-d5ef-4f30-a306-57980804f1be",
		  [CDR_F_DIRECTION] = "outbound",
		  [CDR_F_CALLER_NUMBER] = "IMSI123451234512342",
		  [CDR_F_CALLER_NAME] = "639360100757",
		  [CDR_F_DESTINATION] = "639360100755",
		  [CDR_F_CONTEXT] = "default",
		  [CDR_F_HANGUP_CAUSE] = "CALL_REJECTED",
		  [CDR_F_SIP_CALL_ID] = "6128a5a5-f3c9-1234-c785-080027b7fe55",
		  [CDR_F_OTHER_LEG] = "9c5e6779-3dd1-46c0-abe5-05f089fcd353",
		  [CDR_F_CORE_UUID] = "7355ad58-8895-4765-ad95-d68a4cfb8636",
		  [CDR_F_SWITCHNAME] = "endaga-client-openbts",
	  },
	  'b',
	  1473394428350946,
	  0,
	  1473394429072402,
	  1,
	  0 },
	{ "queue-recording.xml",
	  {
		  [CDR_F_UUID] = "7f3c2b1a-0d9e-4c8b-a7f6-e5d4c3b2a190",
		  [CDR_F_DIRECTION] = "inbound",
		  [CDR_F_CALLER_NUMBER] = "1001",
		  [CDR_F_CALLER_NAME] = "Jos\xC3\xA9 Garc\xC3\xAD"
					"a & Co+",
		  [CDR_F_DESTINATION] = "5000",
		  [CDR_F_CONTEXT] = "voip.example.test",
		  [CDR_F_DOMAIN] = "voip.example.test",
		  [CDR_F_HANGUP_CAUSE] = "NORMAL_CLEARING",
		  [CDR_F_CC_QUEUE] = "support@voip.example.test",
		  [CDR_F_CC_AGENT] = "1002@voip.example.test",
		  [CDR_F_RECORDING] = "/var/lib/freeswitch/recordings/2026-11-24/7f3c2b1a.wav",
		  [CDR_F_SIP_CALL_ID] = "a84b4c76e66710@pc33.example.test",
		  [CDR_F_OTHER_LEG] = "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
		  [CDR_F_CORE_UUID] = "0b6a1a4e-3f0e-4d1b-9a53-2d2a6a1c0f11",
		  [CDR_F_SWITCHNAME] = "pbx1",
	  },
	  'a',
	  1795999200125000,
	  1795999203500000,
	  1795999290750000,
	  90,
	  87 },
	{ "cgrates_engine_fscdr_test_FSDev1.json",
	  {
		  [CDR_F_UUID] = "3da8bf84-c133-4959-9e24-e72875cb33a1",
		  [CDR_F_CALLER_NUMBER] = "1001",
		  [CDR_F_CALLER_NAME] = "1001",
		  [CDR_F_DESTINATION] = "1002",
		  [CDR_F_CONTEXT] = "default",
		  [CDR_F_DOMAIN] = "10.10.10.204",
		  [CDR_F_HANGUP_CAUSE] = "NORMAL_CLEARING",
		  /* encode-values=false: '@' and ':' prove it; nothing is decoded */
		  [CDR_F_SIP_CALL_ID] = "818e26f805701988c1a330175d7d2629@0:0:0:0:0:0:0:0",
		  [CDR_F_OTHER_LEG] = "f52c26f1-b018-4963-bf6d-a3111d1a0320",
		  [CDR_F_CORE_UUID] = "eb8bcdd2-d9eb-4f8f-80c3-1a4042aabe31",
		  [CDR_F_SWITCHNAME] = "FSDev1",
	  },
	  'a',
	  1515666344534355,
	  1515666347954373,
	  1515666415494269,
	  71,
	  68 },
	{ "queue-bleg.json",
	  {
		  [CDR_F_UUID] = "5b7d2f10-8c1e-4f3a-9d6b-7e8f9a0b1c2d",
		  [CDR_F_DIRECTION] = "outbound",
		  [CDR_F_CALLER_NUMBER] = "+442071838750",
		  [CDR_F_CALLER_NAME] = "Queue caller",
		  [CDR_F_DESTINATION] = "1003",
		  [CDR_F_CONTEXT] = "voip.example.test",
		  [CDR_F_DOMAIN] = "voip.example.test",
		  [CDR_F_HANGUP_CAUSE] = "USER_BUSY",
		  [CDR_F_CC_QUEUE] = "sales@voip.example.test",
		  [CDR_F_CC_AGENT] = "1003@voip.example.test",
		  [CDR_F_RECORDING] = "/var/lib/freeswitch/recordings/5b7d2f10.wav",
		  [CDR_F_SIP_CALL_ID] = "77a1@198.51.100.30",
		  [CDR_F_OTHER_LEG] = "6c8e3a21-9d2f-4a4b-8e7c-8f9a0b1c2d3e",
		  [CDR_F_CORE_UUID] = "0b6a1a4e-3f0e-4d1b-9a53-2d2a6a1c0f11",
		  [CDR_F_SWITCHNAME] = "pbx1",
	  },
	  'b',
	  1795999300000000,
	  0,
	  1795999305000000,
	  5,
	  0 },
};
/* clang-format on */

static void check_record(const struct expect *e, const struct cdr_record *r)
{
	for (int i = 0; i < CDR_F_COUNT; i++) {
		if (!e->f[i]) {
			if (r->f[i])
				fail_msg("%s: %s: expected NULL, got '%s'", e->file,
					 cdr_field_column[i], r->f[i]);
			continue;
		}
		if (!r->f[i] || strcmp(e->f[i], r->f[i]) != 0)
			fail_msg("%s: %s: expected '%s', got '%s'", e->file, cdr_field_column[i],
				 e->f[i], r->f[i] ? r->f[i] : "(null)");
	}
	assert_int_equal(r->leg, e->leg);
	assert_int_equal(r->start_us, e->start_us);
	assert_int_equal(r->answer_us, e->answer_us);
	assert_int_equal(r->end_us, e->end_us);
	assert_int_equal(r->duration, e->duration);
	assert_int_equal(r->billsec, e->billsec);
}

static enum cdr_format fmt_of(const char *file)
{
	return strstr(file, ".json") ? CDR_FMT_JSON : CDR_FMT_XML;
}

static void test_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		size_t len;
		char *doc = slurp(samples[i].file, &len);
		struct cdr_record r;
		char err[256];
		if (cdr_parse(fmt_of(samples[i].file), doc, len, &r, err, sizeof(err)) != 0)
			fail_msg("%s: %s", samples[i].file, err);
		check_record(&samples[i], &r);
		cdr_record_free(&r);
		free(doc);
	}
}

/* FreeSWITCH's switch_url_encode (CDR-PROTOCOL §4), for building bodies. */
static char *fs_url_encode(const char *s, size_t len)
{
	static const char unsafe[] = "\r\n #%&+:;<=>?@[\\]^`{|}\"";
	char *o = malloc(len * 3 + 1), *p = o;
	assert_non_null(o);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7E || strchr(unsafe, c)) {
			sprintf(p, "%%%02X", c);
			p += 3;
		} else {
			*p++ = (char)c;
		}
	}
	*p = '\0';
	return o;
}

static char *b64(const char *s, size_t len)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = malloc(len / 3 * 4 + 8), *p = o;
	assert_non_null(o);
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < len)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)s[i + 2];
		*p++ = a[(v >> 18) & 63];
		*p++ = a[(v >> 12) & 63];
		*p++ = i + 1 < len ? a[(v >> 6) & 63] : '=';
		*p++ = i + 2 < len ? a[v & 63] : '=';
	}
	*p = '\0';
	return o;
}

static char *cat(const char *a, const char *b)
{
	char *o = malloc(strlen(a) + strlen(b) + 1);
	assert_non_null(o);
	strcpy(o, a);
	strcat(o, b);
	return o;
}

/* Each encode mode must yield the exact document bytes. */
static void envelope_roundtrip(const char *file)
{
	size_t len;
	char *doc = slurp(file, &len);
	char *enc = fs_url_encode(doc, len);
	char *b = b64(doc, len);
	char *bodies[] = {
		cat("", doc),     /* textxml / JSON encode=false */
		cat("cdr=", doc), /* encode=false: raw after cdr= */
		cat("cdr=", enc), /* encode=true */
		cat("cdr=", b),   /* encode=base64 */
		cat("", enc),     /* err-log-dir file re-posted */
		cat("uuid=a_x&cdr=", enc),
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		enum cdr_format fmt;
		char *out, err[256];
		size_t outlen;
		int r = cdr_envelope_decode(bodies[i], strlen(bodies[i]), &fmt, &out, &outlen, err,
					    sizeof(err));
		if (r != 0)
			fail_msg("%s body %zu: %s", file, i, err);
		assert_int_equal(fmt, fmt_of(file));
		assert_int_equal(outlen, len);
		assert_memory_equal(out, doc, len);
		free(out);
		free(bodies[i]);
	}
	free(enc);
	free(b);
	free(doc);
}

static void test_envelope_modes(void **state)
{
	(void)state;
	envelope_roundtrip("ccm_incoming-call-cdr.xml");
	envelope_roundtrip("queue-recording.xml");
	envelope_roundtrip("cgrates_engine_fscdr_test_FSDev1.json");
	envelope_roundtrip("queue-bleg.json");
}

/* mod_json_cdr encode=true uses the NON-double encoder: %XX already in
 * (encode-values=true) values is left alone, so one form decode yields
 * plain values; the parser must then not decode them a second time. */
static char *fs_url_encode_nondouble(const char *s, size_t len)
{
	static const char unsafe[] = "\r\n #&+:;<=>?@[\\]^`{|}\"";
	char *o = malloc(len * 3 + 1), *p = o;
	assert_non_null(o);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7E || strchr(unsafe, c) ||
		    (c == '%' && !(i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
				   isxdigit((unsigned char)s[i + 2])))) {
			sprintf(p, "%%%02X", c);
			p += 3;
		} else {
			*p++ = (char)c;
		}
	}
	*p = '\0';
	return o;
}

static void test_json_form_nondouble(void **state)
{
	(void)state;
	size_t len;
	char *doc = slurp("queue-bleg.json", &len);
	char *enc = fs_url_encode_nondouble(doc, len);
	char *body = cat("cdr=", enc);
	enum cdr_format fmt;
	char *out, err[256];
	size_t outlen;
	assert_int_equal(cdr_envelope_decode(body, strlen(body), &fmt, &out, &outlen, err,
					     sizeof(err)),
			 0);
	assert_int_equal(fmt, CDR_FMT_JSON);
	/* the values arrive decoded once already ... */
	assert_non_null(strstr(out, "\"77a1@198.51.100.30\""));
	struct cdr_record r;
	assert_int_equal(cdr_parse_json(out, outlen, &r, err, sizeof(err)), 0);
	/* ... and come out the same as from the document itself */
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (strcmp(samples[i].file, "queue-bleg.json") == 0)
			check_record(&samples[i], &r);
	cdr_record_free(&r);
	free(out);
	free(body);
	free(enc);
	free(doc);
}

static void test_envelope_rejects(void **state)
{
	static const char *const bad[] = {
		"",         "   \r\n",    "hello",  "cdr=",     "cdr=hello world",
		"cdr=%ZZ",  "cdr=%41%42", "uuid=1", "cdr=QUJD", "%3Cnot closed but not xml?",
		"cdr=====",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum cdr_format fmt;
		char *out = NULL, err[256];
		size_t outlen;
		int r = cdr_envelope_decode(bad[i], strlen(bad[i]), &fmt, &out, &outlen, err,
					    sizeof(err));
		if (strcmp(bad[i], "%3Cnot closed but not xml?") == 0) {
			/* decodes to "<not ...": an XML document, which the parser
			 * then rejects; the envelope's job is only to find it */
			assert_int_equal(r, 0);
			assert_int_equal(fmt, CDR_FMT_XML);
			char perr[256];
			struct cdr_record rec;
			assert_int_equal(cdr_parse_xml(out, outlen, &rec, perr, sizeof(perr)), -1);
			free(out);
			continue;
		}
		if (r != -EINVAL)
			fail_msg("body '%s': expected -EINVAL, got %d", bad[i], r);
		assert_true(err[0] != '\0');
		assert_null(out);
	}
}

struct bad_doc {
	enum cdr_format fmt;
	const char *doc;
	const char *reason; /* substring of the error */
};

static const struct bad_doc bad_docs[] = {
	{ CDR_FMT_XML, "<cdr><variables><uuid>f26e6ecb-6328-4889-9c01-76e5ebd8afad</uuid>",
	  "XML error" },
	{ CDR_FMT_XML, "<cdr><variables></variables></cdr>", "no call uuid" },
	{ CDR_FMT_XML, "<cdr><variables><uuid>not-a-uuid</uuid></variables></cdr>", "not a UUID" },
	{ CDR_FMT_XML, "<call><variables/></call>", "root element" },
	{ CDR_FMT_XML,
	  "<cdr><variables><uuid>f26e6ecb-6328-4889-9c01-76e5ebd8afad</uuid>"
	  "<duration>12x</duration></variables></cdr>",
	  "not a number" },
	{ CDR_FMT_XML,
	  "<cdr><variables><uuid>f26e6ecb-6328-4889-9c01-76e5ebd8afad</uuid>"
	  "<start_epoch>99999999999999</start_epoch></variables></cdr>",
	  "out of range" },
	{ CDR_FMT_XML,
	  "<cdr><variables><caller_id_name>a\x01z</caller_id_name>"
	  "</variables></cdr>",
	  "XML error" },
	{ CDR_FMT_XML,
	  "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
	  "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
	  "<cdr><variables><uuid>&lol2;</uuid></variables></cdr>",
	  "DOCTYPE" },
	{ CDR_FMT_XML, "<!DOCTYPE cdr SYSTEM \"file:///etc/passwd\"><cdr/>", "DOCTYPE" },
	{ CDR_FMT_XML, "<cdr><variables><uuid>&xxe;</uuid></variables></cdr>", "XML error" },
	{ CDR_FMT_XML, "<cdr>\xff\xfe</cdr>", "XML error" },
	{ CDR_FMT_JSON, "{\"variables\":{\"uuid\":\"3da8bf84-c133-4959-9e24-e72875cb33a1\"",
	  "JSON syntax" },
	{ CDR_FMT_JSON, "[1,2,3]", "not an object" },
	{ CDR_FMT_JSON, "{\"variables\":[]}", "not an object" },
	{ CDR_FMT_JSON, "{\"variables\":{}}", "no call uuid" },
	{ CDR_FMT_JSON,
	  "{\"variables\":{\"uuid\":\"3da8bf84-c133-4959-9e24-e72875cb33a1\","
	  "\"billsec\":\"-1\"}}",
	  "not a number" },
	{ CDR_FMT_JSON, "", "JSON syntax" },
};

static void test_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
		const struct bad_doc *b = &bad_docs[i];
		struct cdr_record r;
		char err[256] = "";
		if (cdr_parse(b->fmt, b->doc, strlen(b->doc), &r, err, sizeof(err)) != -1)
			fail_msg("case %zu accepted", i);
		if (!strstr(err, b->reason))
			fail_msg("case %zu: expected '%s' in '%s'", i, b->reason, err);
	}
}

/* Every truncation of a real document is rejected cleanly (or, when the cut
 * falls after the root element closed, parsed whole). */
static void test_truncated(void **state)
{
	(void)state;
	const char *files[] = { "ccm_incoming-call-cdr.xml", "queue-bleg.json" };
	for (size_t k = 0; k < 2; k++) {
		size_t len;
		char *doc = slurp(files[k], &len);
		size_t end = len;
		while (end > 0 && (doc[end - 1] == '\n' || doc[end - 1] == ' '))
			end--;
		for (size_t cut = 0; cut < end; cut += (cut < 64 ? 1 : 97)) {
			struct cdr_record r;
			char err[256];
			char *part = malloc(cut + 1);
			memcpy(part, doc, cut);
			if (cdr_parse(fmt_of(files[k]), part, cut, &r, err, sizeof(err)) != -1)
				fail_msg("%s cut at %zu accepted", files[k], cut);
			free(part);
		}
		free(doc);
	}
}

static void test_limits(void **state)
{
	(void)state;
	char err[256];
	struct cdr_record r;
	/* nesting */
	size_t depth = 200;
	char *deep = malloc(depth * 8 + 64), *p = deep;
	p += sprintf(p, "<cdr>");
	for (size_t i = 0; i < depth; i++)
		p += sprintf(p, "<a>");
	for (size_t i = 0; i < depth; i++)
		p += sprintf(p, "</a>");
	p += sprintf(p, "</cdr>");
	assert_int_equal(cdr_parse_xml(deep, strlen(deep), &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "deeper"));
	p = deep;
	for (size_t i = 0; i < depth; i++)
		*p++ = '[';
	for (size_t i = 0; i < depth; i++)
		*p++ = ']';
	*p = '\0';
	char *jdeep = cat("{\"x\":", deep);
	char *jdeep2 = cat(jdeep, "}");
	assert_int_equal(cdr_parse_json(jdeep2, strlen(jdeep2), &r, err, sizeof(err)), -1);
	free(deep);
	free(jdeep);
	free(jdeep2);

	/* a field longer than CDR_FIELD_MAX (collected in many expat chunks) */
	size_t n = CDR_FIELD_MAX + 10;
	char *big = malloc(n + 256);
	p = big + sprintf(big, "<cdr><variables><uuid>f26e6ecb-6328-4889-9c01-76e5ebd8afad"
			       "</uuid><caller_id_name>");
	memset(p, 'x', n);
	p += n;
	p += sprintf(p, "</caller_id_name></variables></cdr>");
	assert_int_equal(cdr_parse_xml(big, (size_t)(p - big), &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	free(big);

	/* a huge but harmless document: 4 MiB of unrelated variables parses */
	size_t hn = 4u << 20;
	char *huge = malloc(hn + 512);
	p = huge +
	    sprintf(huge, "<cdr><variables><uuid>f26e6ecb-6328-4889-9c01-76e5ebd8afad</uuid>");
	while ((size_t)(p - huge) < hn)
		p += sprintf(p, "<sip_h_X-Pad>%064d</sip_h_X-Pad>", 7);
	p += sprintf(p, "</variables></cdr>");
	assert_int_equal(cdr_parse_xml(huge, (size_t)(p - huge), &r, err, sizeof(err)), 0);
	assert_string_equal(r.f[CDR_F_UUID], "f26e6ecb-6328-4889-9c01-76e5ebd8afad");
	cdr_record_free(&r);
	free(huge);
}

/* Hostile values are sanitised, never rejected: the CDR still lands. */
static void test_sanitise(void **state)
{
	(void)state;
	const char *doc = "<cdr><variables><uuid>f26e6ecb-6328-4889-9c01-76e5ebd8afad</uuid>"
			  "<caller_id_name>a%00b%01c%FFd%C3%A9%</caller_id_name>"
			  "<destination_number>%24%24%7Bbad%7D</destination_number>"
			  "</variables></cdr>";
	struct cdr_record r;
	char err[256];
	assert_int_equal(cdr_parse_xml(doc, strlen(doc), &r, err, sizeof(err)), 0);
	assert_string_equal(r.f[CDR_F_CALLER_NAME], "a?b?c?d\xC3\xA9%");
	assert_string_equal(r.f[CDR_F_DESTINATION], "$${bad}");
	assert_int_equal(r.duration, -1);
	assert_int_equal(r.billsec, -1);
	assert_int_equal(r.start_us, 0);
	cdr_record_free(&r);
	assert_true(cdr_utf8_valid("\xC3\xA9", 2));
	assert_false(cdr_utf8_valid("\xC3", 1));
	assert_false(cdr_utf8_valid("\xED\xA0\x80", 3)); /* surrogate */
	assert_false(cdr_utf8_valid("\xC0\xAF", 2));     /* overlong */
	assert_false(cdr_utf8_valid("a\0b", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),          cmocka_unit_test(test_envelope_modes),
		cmocka_unit_test(test_envelope_rejects), cmocka_unit_test(test_json_form_nondouble),
		cmocka_unit_test(test_malformed),        cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_limits),           cmocka_unit_test(test_sanitise),
	};
	return cmocka_run_group_tests_name("cdr-parse", tests, NULL, NULL);
}
