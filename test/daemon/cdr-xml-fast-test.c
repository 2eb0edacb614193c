/* cmocka tests for the fast XML tokenizer (cdr-xml-fast.c): it takes every
 * real CDR, agrees with expat on every record it accepts (down to each
 * Unicode code point, byte and character reference), and declines every
 * construct outside its subset and every malformed document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cdr/cdr-record.h"
#include "cdr-test-util.h"

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char *b = cdr_test_slurp(dir, name, len);
	if (!b)
		fail_msg("cannot read %s/%s", dir, name);
	return b;
}

/* 1 if the fast path accepted (and then agreed with expat), 0 if it
 * declined; fails the test on any disagreement. */
static int agree(const char *doc, size_t len, const char *label)
{
	struct cdr_record fast, slow;
	char ferr[256], serr[256];
	int rf = cdr_parse_xml_fast(doc, len, &fast, ferr, sizeof(ferr));
	if (rf == CDR_XML_DECLINED)
		return 0;
	if (rf != 0)
		fail_msg("%s: fast path returned %d", label, rf);
	if (cdr_parse_xml_expat(doc, len, &slow, serr, sizeof(serr)) != 0)
		fail_msg("%s: fast path accepted what expat rejects (%s)", label, serr);
	if (!cdr_record_same(&fast, &slow))
		fail_msg("%s: the fast path and expat yield different records", label);
	cdr_record_free(&fast);
	cdr_record_free(&slow);
	return 1;
}

static void test_real_cdrs(void **state)
{
	(void)state;
	static const char *const files[] = {
		"ccm_cdr-with-origination.xml",  "ccm_error-call-cdr.xml",
		"ccm_free-call-cdr.xml",         "ccm_incoming-call-cdr.xml",
		"ccm_local-call-msisdn-cdr.xml", "queue-recording.xml",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		char *doc = slurp("test/daemon/cdr-fixtures", files[i], &len);
		if (!agree(doc, len, files[i]))
			fail_msg("%s: the fast path declined a real FreeSWITCH CDR", files[i]);
		free(doc);
	}
	static const char *const seeds[] = { "refs-and-line-ends", "utf8-and-encoded", "minimal" };
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		size_t len;
		char *doc = slurp("test/fuzz/corpus/cdr-xml-diff", seeds[i], &len);
		if (!agree(doc, len, seeds[i]))
			fail_msg("%s: declined", seeds[i]);
		free(doc);
	}
}

#define UUID "f26e6ecb-6328-4889-9c01-76e5ebd8afad"
#define VARS "<variables><uuid>" UUID "</uuid></variables>"

/* Valid XML in the subset: accepted, same record as expat. */
static const char *const inside[] = {
	"<cdr>" VARS "</cdr>",
	"<?xml version=\"1.0\"?>\n<cdr>" VARS "</cdr>\n",
	"<?xml version='1.0' encoding='UTF-8'?><cdr>" VARS "</cdr>",
	"<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"no\"?><cdr>" VARS "</cdr>",
	"<?xml version=\"1.0\" standalone='yes' ?><cdr>" VARS "</cdr>",
	" \r\n\t<cdr >" VARS "</cdr >\r\n",
	"<cdr core-uuid = 'a&quot;b' switchname=\"x&apos;y\">" VARS "</cdr>",
	"<cdr switchname=\"a\tb\nc\r\nd\re\">" VARS "</cdr>",
	"<cdr switchname=\"&#9;&#10;&#13;&#x20;&#233;&#x1F4DE;\">" VARS "</cdr>",
	"<cdr switchname=\"]]&gt; > ' ]\">" VARS "</cdr>",
	"<cdr><variables><uuid>" UUID "</uuid><caller_id_name>a\r\nb\rc\nd</caller_id_name>"
	"</variables></cdr>",
	"<cdr><variables><uuid>" UUID "</uuid><caller_id_name>&lt;&gt;&amp;&apos;&quot;"
	"&#65;&#x42;&#0067;&#13;]]&gt;]>]</caller_id_name></variables></cdr>",
	"<cdr><variables><uuid>" UUID "</uuid><caller_id_name>x<sub>y</sub>z</caller_id_name>"
	"</variables></cdr>",
	"<cdr><variables><uuid>" UUID "</uuid><caller_id_name/><destination_number />"
	"</variables></cdr>",
	"<cdr><callflow><caller_profile><uuid>" UUID "</uuid><originator/>"
	"<caller_id_number>&#x31;00</caller_id_number></caller_profile>"
	"<times><created_time>7</created_time></times></callflow>"
	"<callflow><caller_profile><caller_id_number>2</caller_id_number></caller_profile>"
	"</callflow></cdr>",
	"<cdr><a.b-c_d x1='1' x2=\"2\"/>" VARS "<_x></_x></cdr>",
};

/* Well-formed XML outside the subset: declined (expat decides). */
static const char *const outside[] = {
	"\xEF\xBB\xBF<cdr>" VARS "</cdr>",
	"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><cdr>" VARS "</cdr>",
	"<?xml version=\"1.1\"?><cdr>" VARS "</cdr>",
	"<!-- c --><cdr>" VARS "</cdr>",
	"<cdr>" VARS "<!-- c --></cdr>",
	"<cdr>" VARS "</cdr><!-- c -->",
	"<cdr><?pi x?>" VARS "</cdr>",
	"<cdr>" VARS "<x><![CDATA[a]]></x></cdr>",
	"<cdr xmlns:fs=\"urn:x\">" VARS "<fs:x/></cdr>",
	"<cdr>" VARS "<caf\xC3\xA9/></cdr>",
	"<cdr>" VARS "<x>\xC2\x85</x></cdr>",
	"<cdr>" VARS "<x>\x7F</x></cdr>",
	"<cdr>" VARS "<x>\xEF\xB7\x90</x></cdr>",
	"<cdr>" VARS "<x>&#x85;</x></cdr>",
	"<cdr>" VARS "<x>&#123456789;</x></cdr>",
};

/* Not well-formed: declined by the fast path and rejected by expat. */
static const char *const broken[] = {
	"",
	"   ",
	"<cdr>" VARS,
	"<cdr>" VARS "</cdx>",
	"<cdr>" VARS "</cdr></cdr>",
	"<cdr>" VARS "</cdr><cdr/>",
	"<cdr>" VARS "</cdr>junk",
	"junk<cdr>" VARS "</cdr>",
	" <?xml version=\"1.0\"?><cdr>" VARS "</cdr>",
	"<cdr a='1' a='2'>" VARS "</cdr>",
	"<cdr a='1'b='2'>" VARS "</cdr>",
	"<cdr a='<'>" VARS "</cdr>",
	"<cdr a=1>" VARS "</cdr>",
	"<cdr a='1>" VARS "</cdr>",
	"<cdr>" VARS "<x>]]></x></cdr>",
	"<cdr>" VARS "<x>&nbsp;</x></cdr>",
	"<cdr>" VARS "<x>&#0;</x></cdr>",
	"<cdr>" VARS "<x>&#xD800;</x></cdr>",
	"<cdr>" VARS "<x>&#x110000;</x></cdr>",
	"<cdr>" VARS "<x>&#;</x></cdr>",
	"<cdr>" VARS "<x>&amp</x></cdr>",
	"<cdr>" VARS "<x>a & b</x></cdr>",
	"<cdr>" VARS "<x>\x01</x></cdr>",
	"<cdr>" VARS "<x>\xC3</x></cdr>",
	"<cdr>" VARS "<x>\xED\xA0\x80</x></cdr>",
	"<cdr>" VARS "<x>\xEF\xBF\xBE</x></cdr>",
	"<cdr>" VARS "< x/></cdr>",
	"<cdr>" VARS "</ cdr>",
	"<cdr>" VARS "<x / ></cdr>",
	"<cdr>" VARS "<1x/></cdr>",
	"<?xml version=\"1.0\"?><?xml version=\"1.0\"?><cdr>" VARS "</cdr>",
	"<?xml version=\"1.0\"encoding=\"UTF-8\"?><cdr>" VARS "</cdr>",
	"<?xml?><cdr>" VARS "</cdr>",
};

static void test_constructs(void **state)
{
	(void)state;
	char label[32];
	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++) {
		snprintf(label, sizeof(label), "inside[%zu]", i);
		if (!agree(inside[i], strlen(inside[i]), label))
			fail_msg("%s declined", label);
	}
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		snprintf(label, sizeof(label), "outside[%zu]", i);
		if (agree(outside[i], strlen(outside[i]), label))
			fail_msg("%s accepted", label);
	}
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct cdr_record r;
		char err[256];
		snprintf(label, sizeof(label), "broken[%zu]", i);
		if (agree(broken[i], strlen(broken[i]), label))
			fail_msg("%s accepted", label);
		/* the case itself must really be malformed */
		if (cdr_parse_xml_expat(broken[i], strlen(broken[i]), &r, err, sizeof(err)) == 0)
			fail_msg("%s: expat accepts it, the test case is wrong", label);
	}
	/* a NUL byte anywhere */
	static const char nul[] = "<cdr>" VARS "<x>a\0b</x></cdr>";
	assert_int_equal(agree(nul, sizeof(nul) - 1, "nul"), 0);
}

/* One character in text (kept: caller_profile is not URL-decoded), in a
 * root attribute and as a character reference in both. */
static int try_char(const char *chr, const char *label)
{
	char doc[512];
	int taken = 0;
	int n = snprintf(doc, sizeof(doc), "<cdr switchname='a%sb'>" VARS "</cdr>", chr);
	taken += agree(doc, (size_t)n, label);
	n = snprintf(doc, sizeof(doc),
		     "<cdr>" VARS "<callflow><caller_profile><caller_id_name>"
		     "a%sb</caller_id_name></caller_profile></callflow></cdr>",
		     chr);
	taken += agree(doc, (size_t)n, label);
	return taken;
}

static void test_every_code_point(void **state)
{
	(void)state;
	size_t taken = 0;
	char chr[16], label[48];
	for (uint32_t cp = 1; cp <= 0x10FFFF; cp += cp < 0x10000 ? 1 : 7) {
		size_t n = cdr_utf8_put(cp, chr); /* surrogates too: must decline */
		chr[n] = '\0';
		snprintf(label, sizeof(label), "U+%04X", (unsigned)cp);
		taken += (size_t)try_char(chr, label);
		snprintf(chr, sizeof(chr), cp % 2 ? "&#%u;" : "&#x%X;", (unsigned)cp);
		snprintf(label, sizeof(label), "reference to U+%04X", (unsigned)cp);
		taken += (size_t)try_char(chr, label);
	}
	/* most of Unicode is plain text: the fast path must take it */
	print_message("# fast path took %zu of the character cases\n", taken);
	assert_true(taken > 400000);
}

static void test_every_byte(void **state)
{
	(void)state;
	char chr[2], label[32];
	for (int b = 1; b < 256; b++) {
		chr[0] = (char)b;
		chr[1] = '\0';
		snprintf(label, sizeof(label), "byte 0x%02X", b);
		try_char(chr, label);
	}
}

/* Every prefix of a real document: never accepted unless it is whole. */
static void test_truncations(void **state)
{
	(void)state;
	size_t len;
	char *doc = slurp("test/daemon/cdr-fixtures", "ccm_incoming-call-cdr.xml", &len);
	size_t end = len;
	while (end > 0 && (doc[end - 1] == '\n' || doc[end - 1] == ' '))
		end--;
	char label[32];
	for (size_t cut = 0; cut < end; cut++) {
		snprintf(label, sizeof(label), "cut at %zu", cut);
		if (agree(doc, cut, label))
			fail_msg("%s accepted", label);
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_cdrs),        cmocka_unit_test(test_constructs),
		cmocka_unit_test(test_every_code_point), cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_truncations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
