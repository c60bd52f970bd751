/*
 * Unit tests of the wire codec, second part: a table of malformed input and
 * msg_check_request.
 */

#include <string.h>

#include "msg_fx.h"

/* ---- malformed input ----------------------------------------------------- */

typedef struct {
	const char *what;
	const char *bytes;
	size_t len;          /* 0: strlen(bytes) */
	const char *expect;  /* a piece of the error message */
} bad_case;

#define RES_OK "<resource name=\"bXlyZXM=\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>"
#define LOCK_OK LOCK8 SESSION RES_OK END

static const bad_case bad_cases[] = {
	{ "empty", "", 0, "empty message" },
	{ "whitespace only", " \n\t ", 0, "truncated" },
	{ "declaration only", H, 0, "truncated" },
	{ "truncated in a tag", LOCK8 SESSION "<resource name=\"bXly", 0, "truncated" },
	{ "truncated trailer", LOCK8 SESSION RES_OK "</msg", 0, "truncated" },
	{ "no trailer", LOCK8 SESSION RES_OK, 0, "truncated" },
	{ "level 2", H "<msg level=\"2\" verb=\"1\" step=\"8\">" SESSION RES_OK END, 0, "unsupported protocol level 2" },
	{ "level missing", H "<msg verb=\"1\" step=\"8\">" SESSION RES_OK END, 0, "missing protocol level" },
	{ "level junk", H "<msg level=\"3x\" verb=\"1\" step=\"8\">" SESSION RES_OK END, 0, "not an integer" },
	{ "unknown verb", H "<msg level=\"3\" verb=\"7\" step=\"8\"></msg>", 0, "unknown verb 7" },
	{ "verb 0", H "<msg level=\"3\" verb=\"0\" step=\"8\"></msg>", 0, "unknown verb 0" },
	{ "verb missing", H "<msg level=\"3\" step=\"8\"></msg>", 0, "missing attribute 'verb'" },
	{ "step missing", H "<msg level=\"3\" verb=\"4\"></msg>", 0, "missing attribute 'step'" },
	{ "lock step 12", H "<msg level=\"3\" verb=\"1\" step=\"12\">" SESSION RES_OK END, 0, "unknown step 12 for verb 1" },
	{ "unlock step 16", H "<msg level=\"3\" verb=\"2\" step=\"16\"><resource name=\"bXlyZXM=\" rollback=\"0\" />" END, 0, "unknown step 16 for verb 2" },
	{ "unknown msg attribute", H "<msg level=\"3\" verb=\"4\" step=\"8\" id=\"1\"></msg>", 0, "attribute 'id' not allowed in <msg>" },
	{ "root not msg", H "<message level=\"3\" verb=\"4\" step=\"8\"></message>", 0, "root element must be <msg>" },
	{ "root self-closing", H "<msg level=\"3\" verb=\"4\" step=\"8\"/>", 0, "must be closed by </msg>" },
	{ "base64 length", LOCK8 SESSION "<resource name=\"bXlyZXM\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "not valid base64" },
	{ "base64 character", LOCK8 SESSION "<resource name=\"bXly*XM=\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "not valid base64" },
	{ "base64 padding inside", LOCK8 SESSION "<resource name=\"bX==ZXM=\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "not valid base64" },
	{ "base64 non-canonical", LOCK8 SESSION "<resource name=\"bXlyZXN=\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "not valid base64" },
	{ "base64 space", LOCK8 SESSION "<resource name=\"bXly ZXM=\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "not valid base64" },
	{ "name with NUL", LOCK8 SESSION "<resource name=\"YQBi\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "NUL" },
	{ "unknown entity", LOCK8 "<session peerid=\"&foo;\"/>" RES_OK END, 0, "invalid entity '&foo;'" },
	{ "unterminated entity", LOCK8 "<session peerid=\"a&amp b\"/>" RES_OK END, 0, "invalid entity" },
	{ "bare ampersand", LOCK8 "<session peerid=\"a & b\"/>" RES_OK END, 0, "invalid entity" },
	{ "NUL entity", LOCK8 "<session peerid=\"&#0;\"/>" RES_OK END, 0, "invalid entity" },
	{ "control entity", LOCK8 "<session peerid=\"&#1;\"/>" RES_OK END, 0, "invalid entity" },
	{ "surrogate entity", LOCK8 "<session peerid=\"&#xD800;\"/>" RES_OK END, 0, "invalid entity" },
	{ "entity beyond Unicode", LOCK8 "<session peerid=\"&#x110000;\"/>" RES_OK END, 0, "invalid entity" },
	{ "entity too long", LOCK8 "<session peerid=\"&#00000000065;\"/>" RES_OK END, 0, "invalid entity" },
	{ "empty char ref", LOCK8 "<session peerid=\"&#x;\"/>" RES_OK END, 0, "invalid entity" },
	{ "junk after number", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\"5x\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "attribute 'mode' of <resource> is not an integer: '5x'" },
	{ "empty number", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\"\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "not an integer" },
	{ "space in number", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\" 5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "not an integer" },
	{ "plus sign", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\"+5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "not an integer" },
	{ "lone minus", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\"-\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "not an integer" },
	{ "number beyond gint64", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\"5\" wait=\"99999999999999999999\" create=\"1\" lifespan=\"0\"/>" END, 0, "attribute 'wait' of <resource> out of range" },
	{ "negative token", ANSWER16 SESSION "<answer rc=\"0\" token=\"-1\"/>" END, 0, "not an unsigned integer" },
	{ "token beyond guint64", ANSWER16 SESSION "<answer rc=\"0\" token=\"18446744073709551616\"/>" END, 0, "out of range" },
	{ "duplicate attribute", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\"5\" mode=\"0\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, 0, "duplicate attribute 'mode' in <resource>" },
	{ "duplicate msg attribute", H "<msg level=\"3\" verb=\"4\" verb=\"4\" step=\"8\"></msg>", 0, "duplicate attribute 'verb'" },
	{ "duplicate element", LOCK8 SESSION SESSION RES_OK END, 0, "duplicate element <session>" },
	{ "nested element", LOCK8 "<session peerid=\"x\"><resource name=\"bXlyZXM=\"/></session>" RES_OK END, 0, "element nested in <session>" },
	{ "nested unknown element", LOCK8 SESSION RES_OK "<a><b/></a>" END, 0, "element nested in <a>" },
	{ "text in msg", LOCK8 "hello" SESSION RES_OK END, 0, "text content in <msg>" },
	{ "text in child", LOCK8 "<session peerid=\"x\">text</session>" RES_OK END, 0, "text content in <session>" },
	{ "binary garbage", "\x8f\xff\xfe\x80<msg>\xc3", 0, "not valid UTF-8" },
	{ "NUL byte", LOCK8 SESSION "<resource name=\"bXlyZXM=\"\0 mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, sizeof(LOCK8 SESSION "<resource name=\"bXlyZXM=\"\0 mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END) - 1, "NUL byte at offset" },
	{ "NUL terminator", LOCK_OK "\0", sizeof(LOCK_OK), "NUL byte at offset" },
	{ "control character", LOCK8 "<session peerid=\"a\x01\"/>" RES_OK END, 0, "control character 0x01" },
	{ "invalid UTF-8", LOCK8 "<session peerid=\"\xc3\x28\"/>" RES_OK END, 0, "not valid UTF-8" },
	{ "overlong UTF-8", LOCK8 "<session peerid=\"\xc0\xbc\"/>" RES_OK END, 0, "not valid UTF-8" },
	{ "encoding latin-1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><msg level=\"3\" verb=\"4\" step=\"8\"></msg>", 0, "unsupported encoding 'ISO-8859-1'" },
	{ "declaration attribute", "<?xml version=\"1.0\" foo=\"bar\"?><msg level=\"3\" verb=\"4\" step=\"8\"></msg>", 0, "unknown attribute 'foo' in the XML declaration" },
	{ "declaration unclosed", "<?xml version=\"1.0\" <msg level=\"3\" verb=\"4\" step=\"8\"></msg>", 0, "malformed XML declaration" },
	{ "rollback in lock", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\" rollback=\"0\"/>" END, 0, "attribute 'rollback' not allowed in a lock request" },
	{ "mode in unlock", UNLOCK8 "<resource name=\"bXlyZXM=\" rollback=\"0\" mode=\"5\" />" END, 0, "attribute 'mode' not allowed in an unlock request" },
	{ "quantity in unlock", UNLOCK8 "<resource name=\"bXlyZXM=\" quantity=\"1\" />" END, 0, "attribute 'quantity' not allowed in an unlock request" },
	{ "unknown network attribute", DISC16 "<network address=\"\" port=\"1\" scope=\"2\"/>" END, 0, "attribute 'scope' not allowed in <network>" },
	{ "unknown shutdown attribute", MNGMNT8 SESSION "<shutdown immediate=\"0\" force=\"1\"/>" END, 0, "attribute 'force' not allowed in <shutdown>" },
	{ "unknown session attribute", MNGMNT8 "<session peerid=\"x\" user=\"root\"/><shutdown immediate=\"0\"/>" END, 0, "attribute 'user' not allowed in <session>" },
	{ "unknown element with attributes", LOCK8 SESSION RES_OK "<extra a=\"1\"/>" END, 0, "unknown element <extra> with attributes" },
	{ "resource in discover", H "<msg level=\"3\" verb=\"4\" step=\"8\"><resource name=\"bXlyZXM=\"/></msg>", 0, "element <resource> not allowed in verb 4 step 8" },
	{ "answer in lock request", LOCK8 SESSION RES_OK "<answer rc=\"0\"/>" END, 0, "element <answer> not allowed in verb 1 step 8" },
	{ "session in step 24", H "<msg level=\"3\" verb=\"1\" step=\"24\">" SESSION "<answer rc=\"0\"/>" END, 0, "element <session> not allowed in verb 1 step 24" },
	{ "network in ping", H "<msg level=\"3\" verb=\"3\" step=\"8\"><network address=\"\" port=\"1\"/></msg>", 0, "element <network> not allowed" },
	{ "shutdown in lock", LOCK8 SESSION RES_OK "<shutdown immediate=\"1\"/>" END, 0, "element <shutdown> not allowed" },
	{ "lock without resource", LOCK8 SESSION END, 0, "missing element <resource> in verb 1 step 8" },
	{ "unlock without resource", UNLOCK8 END, 0, "missing element <resource>" },
	{ "answer missing", ANSWER16 SESSION END, 0, "missing element <answer>" },
	{ "network missing", DISC16 END, 0, "missing element <network>" },
	{ "management without shutdown", MNGMNT8 SESSION END, 0, "missing element <shutdown>" },
	{ "resource without name", LOCK8 SESSION "<resource mode=\"5\"/>" END, 0, "missing attribute 'name' in <resource>" },
	{ "answer without rc", ANSWER16 SESSION "<answer element=\"red\"/>" END, 0, "missing attribute 'rc' in <answer>" },
	{ "network without address", DISC16 "<network port=\"1\"/>" END, 0, "missing attribute 'address' in <network>" },
	{ "network without port", DISC16 "<network address=\"\"/>" END, 0, "missing attribute 'port' in <network>" },
	{ "shutdown without immediate", MNGMNT8 SESSION "<shutdown/>" END, 0, "missing attribute 'immediate' in <shutdown>" },
	{ "session without peerid", LOCK8 "<session/>" RES_OK END, 0, "missing attribute 'peerid' in <session>" },
	{ "bytes after trailer", LOCK_OK " ", 0, "1 bytes after </msg>" },
	{ "two messages", LOCK_OK LOCK_OK, 0, "bytes after </msg>" },
	{ "unquoted value", LOCK8 SESSION "<resource name=bXlyZXM= mode=\"5\"/>" END, 0, "value is not quoted" },
	{ "missing equals", LOCK8 SESSION "<resource name \"bXlyZXM=\"/>" END, 0, "expected '='" },
	{ "unterminated value", LOCK8 SESSION "<resource name=\"bXlyZXM=/>" END, 0, "truncated" },
	{ "raw < in value", LOCK8 "<session peerid=\"a<b\"/>" RES_OK END, 0, "'<' in an attribute value" },
	{ "no space between attributes", H "<msg level=\"3\" verb=\"4\"step=\"8\"></msg>", 0, "missing space before attribute" },
	{ "comment", LOCK8 "<!-- hi -->" SESSION RES_OK END, 0, "comments, CDATA and DOCTYPE are not allowed" },
	{ "doctype", "<!DOCTYPE msg [<!ENTITY a \"b\">]>" LOCK_OK, 0, "comments, CDATA and DOCTYPE are not allowed" },
	{ "processing instruction", LOCK8 "<?php x ?>" SESSION RES_OK END, 0, "processing instructions are not allowed" },
	{ "xml-like PI", "<?xml-stylesheet href=\"a\"?>" LOCK_OK, 0, "processing instructions are not allowed" },
	{ "mismatched end tag", LOCK8 "<session peerid=\"x\"></sessio>" RES_OK END, 0, "closing tag </sessio> does not match <session>" },
	{ "space in the trailer", LOCK8 SESSION RES_OK "</msg >", 0, "must end with exactly </msg>" },
	{ "child named msg", LOCK8 SESSION RES_OK "<msg></msg>" END, 0, "<msg> nested in <msg>" },
	{ "session in management answer", H "<msg level=\"3\" verb=\"5\" step=\"16\">" SESSION "<answer rc=\"-27\"/>" END, 0, "element <session> not allowed in verb 5 step 16" },
	{ "management answer without answer", H "<msg level=\"3\" verb=\"5\" step=\"16\"></msg>", 0, "missing element <answer>" },
	{ "daemon without holders", H "<msg level=\"3\" verb=\"4\" step=\"24\"><daemon id=\"x\" started=\"1\" pid=\"2\" state=\"1\"/>" END, 0, "missing attribute 'holders' in <daemon>" },
	{ "daemon without id", H "<msg level=\"3\" verb=\"4\" step=\"24\"><daemon started=\"1\" pid=\"2\" state=\"1\" holders=\"0\"/>" END, 0, "missing attribute 'id' in <daemon>" },
	{ "daemon state 7", H "<msg level=\"3\" verb=\"4\" step=\"24\"><daemon id=\"x\" started=\"1\" pid=\"2\" state=\"7\" holders=\"0\"/>" END, 0, "<daemon> attribute out of range" },
	{ "daemon unknown attribute", H "<msg level=\"3\" verb=\"4\" step=\"24\"><daemon id=\"x\" started=\"1\" pid=\"2\" state=\"1\" holders=\"0\" tcp=\"1\"/>" END, 0, "attribute 'tcp' not allowed in <daemon>" },
	{ "daemon port 65536", H "<msg level=\"3\" verb=\"4\" step=\"24\"><daemon id=\"x\" started=\"1\" pid=\"2\" state=\"1\" holders=\"0\" port=\"65536\"/>" END, 0, "<daemon> attribute out of range" },
	{ "daemon port -1", H "<msg level=\"3\" verb=\"4\" step=\"24\"><daemon id=\"x\" started=\"1\" pid=\"2\" state=\"1\" holders=\"0\" port=\"-1\"/>" END, 0, "<daemon> attribute out of range" },
	{ "daemon in discover request", H "<msg level=\"3\" verb=\"4\" step=\"8\"><daemon id=\"x\" started=\"1\" pid=\"2\" state=\"1\" holders=\"0\"/>" END, 0, "element <daemon> not allowed in verb 4 step 8" },
	{ "discover step 32", H "<msg level=\"3\" verb=\"4\" step=\"32\"></msg>", 0, "unknown step 32 for verb 4" },
	{ "wrong root end tag", LOCK8 SESSION RES_OK "</msgs>", 0, "closing tag </msgs> does not match <msg>" },
	{ "space after <", LOCK8 "< session peerid=\"x\"/>" RES_OK END, 0, "invalid name" },
	{ "peer id too long", LOCK8 "<session peerid=\"01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890\"/>" RES_OK END, 0, "attribute 'peerid' of <session> too long (131 bytes, at most 128)" },
	{ "too many attributes", LOCK8 SESSION "<resource name=\"bXlyZXM=\" a=\"\" b=\"\" c=\"\" d=\"\" e=\"\" f=\"\" g=\"\" h=\"\" i=\"\" j=\"\" k=\"\" l=\"\" m=\"\" n=\"\" o=\"\" p=\"\"/>" END, 0, "too many attributes in <resource>" },
	{ "malformed tag end", LOCK8 "<session peerid=\"x\" / >" RES_OK END, 0, "malformed tag <session>" },
};

static void test_bad_case(gconstpointer data)
{
	const bad_case *c = data;
	size_t len = c->len ? c->len : strlen(c->bytes);
	g_autofree char *e = decode_err(c->bytes, len);

	if (!strstr(e, c->expect))
		g_error("%s: error '%s' does not contain '%s'", c->what, e, c->expect);
}
/* A forbidden byte at any offset is found there, whether it falls in the
 * blocks msg_check_bytes takes whole or in the tail it takes byte by byte. */
static void test_bad_byte_every_offset(void)
{
	static const struct {
		char byte;
		const char *expect;
		gboolean at_offset; /* the expected text ends with the offset */
	} bytes[] = {
		{ '\0', "NUL byte at offset ", TRUE },
		{ '\x01', "control character 0x01 at offset ", TRUE },
		{ '\x1f', "control character 0x1f at offset ", TRUE },
		{ '\xc3', "message is not valid UTF-8", FALSE },
		{ '\xff', "message is not valid UTF-8", FALSE },
	};
	const char *good = LOCK_OK;
	size_t len = strlen(good);

	for (size_t b = 0; b < G_N_ELEMENTS(bytes); b++) {
		for (size_t at = 0; at < len; at++) {
			g_autofree char *bad = g_strdup(good);
			g_autofree char *e = NULL;
			g_autofree char *want = NULL;

			bad[at] = bytes[b].byte;
			e = decode_err(bad, len);
			want = bytes[b].at_offset ? g_strdup_printf("%s%zu", bytes[b].expect, at)
						  : g_strdup(bytes[b].expect);
			g_assert_cmpstr(e, ==, want);
		}
	}
}

/* Values whose entities are decoded share one buffer the size of the
 * message: sixteen attributes of entities only (the longest, a 10-byte
 * reference to a 4-byte character), near the largest message. */
static void test_entities_fill(void)
{
	const char *ref = "&#x10FFFF;";
	g_autoptr(GString) in = g_string_new(LOCK8 "<resource name=\"bXlyZXM=\"");
	flom_msg m;

	for (char a = 'a'; a < 'a' + MSG_ATTRS_MAX - 1; a++) {
		g_string_append_printf(in, " %c=\"", a);
		for (int i = 0; i < 24; i++)
			g_string_append(in, ref);
		g_string_append(in, "&amp;\"");
	}
	g_string_append(in, "/>" END);
	g_assert_cmpuint(in->len, >, FLOM_MSG_MAX - 512);
	g_assert_cmpuint(in->len, <=, FLOM_MSG_MAX);
	decode_ok(in->str, &m);
	g_assert_cmpstr(m.name, ==, "myres");
	msg_clear(&m);
}

/* ---- msg_check_request --------------------------------------------------- */

typedef struct {
	const char *what;
	const char *bytes;
	const char *expect; /* NULL: accepted */
} check_case;

static const check_case check_cases[] = {
	{ "lock", LOCK_OK, NULL },
	{ "lock numeric", LOCK8 SESSION "<resource name=\"Zm9vWzNd\" wait=\"1\" quantity=\"2\" create=\"1\" lifespan=\"0\"/>" END, NULL },
	{ "lock without session", LOCK8 RES_OK END, NULL },
	{ "lock with only a name", LOCK8 "<resource name=\"bXlyZXM=\"/>" END, NULL },
	{ "lock empty name", LOCK8 "<resource name=\"\"/>" END, NULL },
	{ "lock bounds", LOCK8 "<resource name=\"bXlyZXM=\" mode=\"0\" wait=\"0\" quantity=\"2147483647\" create=\"0\" lifespan=\"2147483647\"/>" END, NULL },
	{ "unlock", UNLOCK8 "<resource name=\"bXlyZXM=\" rollback=\"1\" />" END, NULL },
	{ "shutdown", MNGMNT8 SESSION "<shutdown immediate=\"1\"/>" END, NULL },
	{ "shutdown without session", MNGMNT8 "<shutdown immediate=\"0\"/>" END, NULL },
	{ "mode 9", LOCK8 "<resource name=\"bXlyZXM=\" mode=\"9\"/>" END, "attribute 'mode' out of range: 9" },
	{ "mode -1", LOCK8 "<resource name=\"bXlyZXM=\" mode=\"-1\"/>" END, "attribute 'mode' out of range: -1" },
	{ "wait 2", LOCK8 "<resource name=\"bXlyZXM=\" wait=\"2\"/>" END, "attribute 'wait' out of range: 2" },
	{ "create -1", LOCK8 "<resource name=\"bXlyZXM=\" create=\"-1\"/>" END, "attribute 'create' out of range: -1" },
	{ "quantity 0", LOCK8 "<resource name=\"Zm9vWzNd\" quantity=\"0\"/>" END, "attribute 'quantity' out of range: 0" },
	{ "quantity negative", LOCK8 "<resource name=\"Zm9vWzNd\" quantity=\"-5\"/>" END, "attribute 'quantity' out of range: -5" },
	{ "quantity too big", LOCK8 "<resource name=\"Zm9vWzNd\" quantity=\"2147483648\"/>" END, "attribute 'quantity' out of range: 2147483648" },
	{ "lifespan negative", LOCK8 "<resource name=\"bXlyZXM=\" lifespan=\"-1\"/>" END, "attribute 'lifespan' out of range: -1" },
	{ "lifespan huge", LOCK8 "<resource name=\"bXlyZXM=\" lifespan=\"9223372036854775807\"/>" END, "attribute 'lifespan' out of range" },
	{ "rollback 2", UNLOCK8 "<resource name=\"bXlyZXM=\" rollback=\"2\" />" END, "attribute 'rollback' out of range: 2" },
	{ "immediate 2", MNGMNT8 "<shutdown immediate=\"2\"/>" END, "attribute 'immediate' out of range: 2" },
	{ "answer 16", ANSWER16 SESSION "<answer rc=\"0\"/>" END, "daemon message" },
	{ "answer 24", H "<msg level=\"3\" verb=\"1\" step=\"24\"><answer rc=\"0\"/>" END, "daemon message" },
	{ "ping 16", H "<msg level=\"3\" verb=\"3\" step=\"16\"></msg>", "ping messages are not accepted" },
	{ "ping 8", H "<msg level=\"3\" verb=\"3\" step=\"8\"></msg>", "ping messages are not accepted" },
	{ "discover on a stream", H "<msg level=\"3\" verb=\"4\" step=\"8\"></msg>", "only as UDP datagrams" },
	{ "discover reply", DISC16 "<network address=\"\" port=\"1\"/>" END, "only as UDP datagrams" },
	{ "daemon announcement", H "<msg level=\"3\" verb=\"4\" step=\"24\"><daemon id=\"x\" started=\"1\" pid=\"2\" state=\"1\" holders=\"0\"/>" END, "only as UDP datagrams" },
	{ "management answer", H "<msg level=\"3\" verb=\"5\" step=\"16\"><answer rc=\"-27\"/>" END, "management answer (step 16) is a daemon message" },
};

static void test_check_case(gconstpointer data)
{
	const check_case *c = data;
	GError *err = NULL;
	flom_msg m;
	int rc;

	decode_ok(c->bytes, &m);
	rc = msg_check_request(&m, &err);
	if (!c->expect) {
		g_assert_no_error(err);
		g_assert_cmpint(rc, ==, 0);
	} else {
		g_assert_cmpint(rc, ==, -1);
		g_assert_error(err, MSG_ERROR, MSG_ERROR_REQUEST);
		if (!strstr(err->message, c->expect))
			g_error("%s: error '%s' does not contain '%s'", c->what, err->message, c->expect);
		g_error_free(err);
	}
	msg_clear(&m);
}

/* Structures built by hand, which decode can never produce. */
static void test_check_built(void)
{
	GError *err = NULL;
	flom_msg m;

	msg_init(&m);
	g_assert_cmpint(msg_check_request(&m, &err), ==, -1);
	g_assert_error(err, MSG_ERROR, MSG_ERROR_REQUEST);
	g_clear_error(&err);

	msg_make_lock(&m, PEER, "x", FLOM_LOCK_MODE_EX, TRUE, 1, TRUE, 0);
	g_assert_cmpint(msg_check_request(&m, &err), ==, 0);
	g_free(m.name);
	m.name = NULL;
	g_assert_cmpint(msg_check_request(&m, &err), ==, -1);
	g_assert_nonnull(strstr(err->message, "without a resource name"));
	g_clear_error(&err);
	msg_clear(&m);

	msg_make_lock(&m, PEER, "x", FLOM_LOCK_MODE_EX, TRUE, 1, TRUE, 0);
	m.verb = 9;
	g_assert_cmpint(msg_check_request(&m, &err), ==, -1);
	g_assert_cmpstr(err->message, ==, "unknown verb 9");
	g_clear_error(&err);
	msg_clear(&m);

	msg_make_shutdown(&m, PEER, TRUE);
	m.has_shutdown = FALSE;
	g_assert_cmpint(msg_check_request(&m, &err), ==, -1);
	g_assert_nonnull(strstr(err->message, "without <shutdown>"));
	g_clear_error(&err);
	msg_clear(&m);

	/* the constructors' own requests pass */
	msg_make_unlock(&m, "x", TRUE);
	g_assert_cmpint(msg_check_request(&m, &err), ==, 0);
	msg_clear(&m);
	msg_make_shutdown(&m, "", FALSE);
	g_assert_cmpint(msg_check_request(&m, &err), ==, 0);
	msg_clear(&m);
	g_assert_no_error(err);
}

void msg_bad_add_tests(void)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		g_autofree char *path = g_strdup_printf("/msg/bad/%03zu", i);

		g_test_add_data_func(path, &bad_cases[i], test_bad_case);
	}
	for (i = 0; i < G_N_ELEMENTS(check_cases); i++) {
		g_autofree char *path = g_strdup_printf("/msg/check/%02zu", i);

		g_test_add_data_func(path, &check_cases[i], test_check_case);
	}
	g_test_add_func("/msg/bad/byte-every-offset", test_bad_byte_every_offset);
	g_test_add_func("/msg/entities-fill", test_entities_fill);
	g_test_add_func("/msg/check/built", test_check_built);
}
