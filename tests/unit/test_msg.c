/*
 * Unit tests of the wire codec: the original's exact bytes (reference §7.3
 * and the captures), decoding, encoding and framing (malformed input and
 * msg_check_request are in test_msg_bad.c).
 */

#include <string.h>

#include "msg_fx.h"

/* ---- helpers ------------------------------------------------------------ */

static void assert_str_eq0(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		g_assert_true(a == b);
	else
		g_assert_cmpstr(a, ==, b);
}

/* Every field of two messages, so that "decode gives the fields" is checked
 * against what the constructor was told. */
static void assert_msg_equal(const flom_msg *a, const flom_msg *b)
{
	g_assert_cmpint(a->level, ==, b->level);
	g_assert_cmpint(a->verb, ==, b->verb);
	g_assert_cmpint(a->step, ==, b->step);
	g_assert_cmpint(a->has_session, ==, b->has_session);
	assert_str_eq0(a->peerid, b->peerid);
	g_assert_cmpint(a->has_resource, ==, b->has_resource);
	g_assert_cmpuint(a->res_attrs, ==, b->res_attrs);
	assert_str_eq0(a->name, b->name);
	g_assert_cmpint(a->mode, ==, b->mode);
	g_assert_cmpint(a->wait, ==, b->wait);
	g_assert_cmpint(a->quantity, ==, b->quantity);
	g_assert_cmpint(a->create, ==, b->create);
	g_assert_cmpint(a->lifespan, ==, b->lifespan);
	g_assert_cmpint(a->rollback, ==, b->rollback);
	g_assert_cmpint(a->has_answer, ==, b->has_answer);
	g_assert_cmpint(a->rc, ==, b->rc);
	assert_str_eq0(a->element, b->element);
	g_assert_cmpint(a->has_token, ==, b->has_token);
	g_assert_cmpuint(a->token, ==, b->token);
	g_assert_cmpint(a->has_release, ==, b->has_release);
	g_assert_cmpint(a->release_ms, ==, b->release_ms);
	g_assert_cmpint(a->has_network, ==, b->has_network);
	assert_str_eq0(a->address, b->address);
	g_assert_cmpint(a->port, ==, b->port);
	g_assert_cmpint(a->has_shutdown, ==, b->has_shutdown);
	g_assert_cmpint(a->immediate, ==, b->immediate);
	g_assert_cmpint(a->has_daemon, ==, b->has_daemon);
	assert_str_eq0(a->daemon_id, b->daemon_id);
	g_assert_cmpint(a->daemon_started, ==, b->daemon_started);
	g_assert_cmpint(a->daemon_pid, ==, b->daemon_pid);
	g_assert_cmpint(a->daemon_state, ==, b->daemon_state);
	g_assert_cmpint(a->daemon_holders, ==, b->daemon_holders);
	g_assert_cmpint(a->daemon_port, ==, b->daemon_port);
	assert_str_eq0(a->daemon_group, b->daemon_group);
}

static char *encode(const flom_msg *m)
{
	GString *out = g_string_new(NULL);

	msg_encode(m, out);
	return g_string_free(out, FALSE);
}


/* ---- the original's messages --------------------------------------------- */

typedef struct {
	const char *name;
	const char *bytes;
	void (*make)(flom_msg *m);
} wire_case;

static void mk_lock_default(flom_msg *m)
{
	msg_make_lock(m, PEER, "_RESOURCE", FLOM_LOCK_MODE_EX, TRUE, 1, TRUE, 0);
}

static void mk_lock_myres(flom_msg *m)
{
	msg_make_lock(m, PEER, "myres", FLOM_LOCK_MODE_EX, TRUE, 1, TRUE, 0);
}

static void mk_lock_myres_nowait(flom_msg *m)
{
	msg_make_lock(m, PEER, "myres", FLOM_LOCK_MODE_EX, FALSE, 1, TRUE, 0);
}

static void mk_lock_myres_nocreate(flom_msg *m)
{
	msg_make_lock(m, PEER, "myres", FLOM_LOCK_MODE_EX, FALSE, 1, FALSE, 0);
}

static void mk_lock_numeric(flom_msg *m)
{
	msg_make_lock(m, PEER, "foo[3]", FLOM_LOCK_MODE_EX, TRUE, 2, TRUE, 0);
}

static void mk_lock_set(flom_msg *m)
{
	msg_make_lock(m, PEER, "red.green.blue", FLOM_LOCK_MODE_EX, TRUE, 1, TRUE, 0);
}

static void mk_lock_hier(flom_msg *m)
{
	msg_make_lock(m, PEER, "/a/b/c", FLOM_LOCK_MODE_PR, TRUE, 1, TRUE, 0);
}

static void mk_lock_sequence(flom_msg *m)
{
	msg_make_lock(m, PEER, "_s_seq[3]", FLOM_LOCK_MODE_EX, TRUE, 1, TRUE, 0);
}

static void mk_lock_timestamp(flom_msg *m)
{
	msg_make_lock(m, "", "_t_a%S#fff[1]", FLOM_LOCK_MODE_EX, FALSE, 1, TRUE, 2000);
}

static void mk_answer_16_ok(flom_msg *m)
{
	msg_make_answer(m, 16, PEER, FLOM_RC_OK, NULL, FALSE, 0);
}

static void mk_answer_16_queued(flom_msg *m)
{
	msg_make_answer(m, 16, PEER, FLOM_RC_ENQUEUED, NULL, FALSE, 0);
}

static void mk_answer_16_busy(flom_msg *m)
{
	msg_make_answer(m, 16, PEER, FLOM_RC_BUSY, NULL, FALSE, 0);
}

static void mk_answer_16_red(flom_msg *m)
{
	msg_make_answer(m, 16, PEER, FLOM_RC_OK, "red", FALSE, 0);
}

static void mk_answer_16_seq(flom_msg *m)
{
	msg_make_answer(m, 16, PEER, FLOM_RC_OK, "1", FALSE, 0);
}

static void mk_answer_24_ok(flom_msg *m)
{
	msg_make_answer(m, 24, PEER, FLOM_RC_OK, NULL, FALSE, 0);
}

static void mk_answer_24_element(flom_msg *m)
{
	msg_make_answer(m, 24, NULL, FLOM_RC_OK, "green", FALSE, 0);
}

static void mk_answer_16_invalid(flom_msg *m)
{
	msg_make_answer(m, 16, PEER, FLOM_RC_INVALID_NAME, NULL, FALSE, 0);
}

static void mk_answer_16_token(flom_msg *m)
{
	msg_make_answer(m, 16, PEER, FLOM_RC_OK, "red", TRUE, 42);
}

static void mk_answer_24_release(flom_msg *m)
{
	msg_make_answer(m, 24, NULL, FLOM_RC_OK, NULL, TRUE, 5);
	m->has_release = TRUE;
	m->release_ms = 9000;
}

static void mk_answer_24_token(flom_msg *m)
{
	msg_make_answer(m, 24, NULL, FLOM_RC_OK, NULL, TRUE, G_MAXUINT64);
}

static void mk_unlock(flom_msg *m)
{
	msg_make_unlock(m, "myres", FALSE);
}

static void mk_unlock_rollback(flom_msg *m)
{
	msg_make_unlock(m, "_s_seq[3]", TRUE);
}

static void mk_unlock_set(flom_msg *m)
{
	msg_make_unlock(m, "red.green.blue", FALSE);
}

static void mk_discover(flom_msg *m)
{
	msg_make_discover(m);
}

static void mk_discover_reply(flom_msg *m)
{
	msg_make_discover_reply(m, "", 33625);
}

static void mk_discover_reply_addr(flom_msg *m)
{
	msg_make_discover_reply(m, "192.0.2.1", 28015);
}

static void mk_shutdown_quiesce(flom_msg *m)
{
	msg_make_shutdown(m, PEER, FALSE);
}

static void mk_shutdown_immediate(flom_msg *m)
{
	msg_make_shutdown(m, PEER, TRUE);
}

/* ours: the daemon refuses a management request */
static void mk_manage_answer(flom_msg *m)
{
	msg_make_manage_answer(m, FLOM_RC_SHUTTING_DOWN);
}

/* ours: a dynamic-mode daemon announcing itself to its group */
static void mk_daemon(flom_msg *m)
{
	msg_make_daemon(m, PEER, G_GINT64_CONSTANT(1763683200123456), 4242, MSG_DAEMON_SERVING, 3);
}

/* ours: the same with the port where it can be asked, and over TCP its group */
static void mk_daemon_port(flom_msg *m)
{
	mk_daemon(m);
	m->daemon_port = 40123;
}

static void mk_daemon_group(flom_msg *m)
{
	mk_daemon_port(m);
	m->daemon_group = g_strdup("ff02::1 port 28015");
}

static const wire_case wire_cases[] = {
	/* reference §7.3 example (default invocation) */
	{ "lock-default", LOCK8 SESSION "<resource name=\"X1JFU09VUkNF\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, mk_lock_default },
	/* captures tcp_mitm_A..D, unix_mitm */
	{ "lock-simple", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\"5\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, mk_lock_myres },
	{ "lock-simple-wait0", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\"5\" wait=\"0\" create=\"1\" lifespan=\"0\"/>" END, mk_lock_myres_nowait },
	{ "lock-simple-create0", LOCK8 SESSION "<resource name=\"bXlyZXM=\" mode=\"5\" wait=\"0\" create=\"0\" lifespan=\"0\"/>" END, mk_lock_myres_nocreate },
	{ "lock-numeric", LOCK8 SESSION "<resource name=\"Zm9vWzNd\" wait=\"1\" quantity=\"2\" create=\"1\" lifespan=\"0\"/>" END, mk_lock_numeric },
	{ "lock-set", LOCK8 SESSION "<resource name=\"cmVkLmdyZWVuLmJsdWU=\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, mk_lock_set },
	{ "lock-hier", LOCK8 SESSION "<resource name=\"L2EvYi9j\" mode=\"3\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, mk_lock_hier },
	{ "lock-sequence", LOCK8 SESSION "<resource name=\"X3Nfc2VxWzNd\" wait=\"1\" create=\"1\" lifespan=\"0\"/>" END, mk_lock_sequence },
	/* §7.3 template for timestamps (empty peer id allowed) */
	{ "lock-timestamp", LOCK8 "<session peerid=\"\"/><resource name=\"X3RfYSVTI2ZmZlsxXQ==\" wait=\"0\" create=\"1\" lifespan=\"2000\"/>" END, mk_lock_timestamp },
	{ "answer16-ok", ANSWER16 SESSION "<answer rc=\"0\"/>" END, mk_answer_16_ok },
	{ "answer16-queued", ANSWER16 SESSION "<answer rc=\"1\"/>" END, mk_answer_16_queued },
	{ "answer16-busy", ANSWER16 SESSION "<answer rc=\"4\"/>" END, mk_answer_16_busy },
	{ "answer16-element", ANSWER16 SESSION "<answer rc=\"0\" element=\"red\"/>" END, mk_answer_16_red },
	{ "answer16-sequence", ANSWER16 SESSION "<answer rc=\"0\" element=\"1\"/>" END, mk_answer_16_seq },
	{ "answer16-invalid-name", ANSWER16 SESSION "<answer rc=\"-14\"/>" END, mk_answer_16_invalid },
	{ "answer24-ok", H "<msg level=\"3\" verb=\"1\" step=\"24\"><answer rc=\"0\"/>" END, mk_answer_24_ok },
	{ "answer24-element", H "<msg level=\"3\" verb=\"1\" step=\"24\"><answer rc=\"0\" element=\"green\"/>" END, mk_answer_24_element },
	/* ours: the fencing token after rc and element */
	{ "answer16-token", ANSWER16 SESSION "<answer rc=\"0\" element=\"red\" token=\"42\"/>" END, mk_answer_16_token },
	{ "answer24-token", H "<msg level=\"3\" verb=\"1\" step=\"24\"><answer rc=\"0\" token=\"18446744073709551615\"/>" END, mk_answer_24_token },
	/* ours: the daemon's release deadline (ms) in a grant over TCP */
	{ "answer24-release", H "<msg level=\"3\" verb=\"1\" step=\"24\"><answer rc=\"0\" token=\"5\" release=\"9000\"/>" END, mk_answer_24_release },
	{ "unlock", UNLOCK8 "<resource name=\"bXlyZXM=\" rollback=\"0\" />" END, mk_unlock },
	{ "unlock-rollback", UNLOCK8 "<resource name=\"X3Nfc2VxWzNd\" rollback=\"1\" />" END, mk_unlock_rollback },
	{ "unlock-set", UNLOCK8 "<resource name=\"cmVkLmdyZWVuLmJsdWU=\" rollback=\"0\" />" END, mk_unlock_set },
	/* udp_discovery capture */
	{ "discover", H "<msg level=\"3\" verb=\"4\" step=\"8\"></msg>", mk_discover },
	{ "discover-reply", DISC16 "<network address=\"\" port=\"33625\"/>" END, mk_discover_reply },
	{ "discover-reply-address", DISC16 "<network address=\"192.0.2.1\" port=\"28015\"/>" END, mk_discover_reply_addr },
	/* tcp_mitm_E */
	{ "shutdown-quiesce", MNGMNT8 SESSION "<shutdown immediate=\"0\"/>" END, mk_shutdown_quiesce },
	{ "shutdown-immediate", MNGMNT8 SESSION "<shutdown immediate=\"1\"/>" END, mk_shutdown_immediate },
	{ "manage-answer", H "<msg level=\"3\" verb=\"5\" step=\"16\"><answer rc=\"-27\"/>" END, mk_manage_answer },
	{ "daemon-announce", H "<msg level=\"3\" verb=\"4\" step=\"24\"><daemon id=\"" PEER "\" started=\"1763683200123456\" pid=\"4242\" state=\"1\" holders=\"3\"/>" END, mk_daemon },
	{ "daemon-announce-port", H "<msg level=\"3\" verb=\"4\" step=\"24\"><daemon id=\"" PEER "\" started=\"1763683200123456\" pid=\"4242\" state=\"1\" holders=\"3\" port=\"40123\"/>" END, mk_daemon_port },
	{ "daemon-identity", H "<msg level=\"3\" verb=\"4\" step=\"24\"><daemon id=\"" PEER "\" started=\"1763683200123456\" pid=\"4242\" state=\"1\" holders=\"3\" port=\"40123\" group=\"ff02::1 port 28015\"/>" END, mk_daemon_group },
};

static void test_wire_case(gconstpointer data)
{
	const wire_case *c = data;
	flom_msg made, decoded, again;
	g_autofree char *bytes = NULL;
	g_autofree char *bytes2 = NULL;

	/* encode -> exact bytes */
	c->make(&made);
	bytes = encode(&made);
	g_assert_cmpstr(bytes, ==, c->bytes);
	/* framing sees exactly one message */
	g_assert_cmpint(msg_frame(c->bytes, strlen(c->bytes)), ==, (gssize)strlen(c->bytes));
	/* decode -> the constructor's fields */
	decode_ok(c->bytes, &decoded);
	assert_msg_equal(&decoded, &made);
	/* round trip */
	bytes2 = encode(&decoded);
	g_assert_cmpstr(bytes2, ==, c->bytes);
	decode_ok(bytes2, &again);
	assert_msg_equal(&again, &decoded);
	msg_clear(&made);
	msg_clear(&decoded);
	msg_clear(&again);
}

/* Field by field, for the captured lock and answers (not only via the
 * constructors). */
static void test_decode_fields(void)
{
	flom_msg m;

	decode_ok(LOCK8 SESSION "<resource name=\"Zm9vWzNd\" wait=\"1\" quantity=\"2\" create=\"1\" lifespan=\"0\"/>" END, &m);
	g_assert_cmpint(m.level, ==, 3);
	g_assert_cmpint(m.verb, ==, MSG_VERB_LOCK);
	g_assert_cmpint(m.step, ==, 8);
	g_assert_true(m.has_session);
	g_assert_cmpstr(m.peerid, ==, PEER);
	g_assert_true(m.has_resource);
	g_assert_cmpstr(m.name, ==, "foo[3]");
	g_assert_cmpuint(m.res_attrs, ==, MSG_RES_NAME | MSG_RES_WAIT | MSG_RES_QUANTITY | MSG_RES_CREATE | MSG_RES_LIFESPAN);
	g_assert_cmpint(m.wait, ==, 1);
	g_assert_cmpint(m.quantity, ==, 2);
	g_assert_cmpint(m.create, ==, 1);
	g_assert_cmpint(m.lifespan, ==, 0);
	g_assert_false(m.has_answer);
	msg_clear(&m);

	decode_ok(ANSWER16 SESSION "<answer rc=\"0\" element=\"red\" token=\"7\"/>" END, &m);
	g_assert_cmpint(m.verb, ==, MSG_VERB_LOCK);
	g_assert_cmpint(m.step, ==, 16);
	g_assert_true(m.has_answer);
	g_assert_cmpint(m.rc, ==, 0);
	g_assert_cmpstr(m.element, ==, "red");
	g_assert_true(m.has_token);
	g_assert_cmpuint(m.token, ==, 7);
	msg_clear(&m);

	/* what an original client sends is taken without a token */
	decode_ok(H "<msg level=\"3\" verb=\"1\" step=\"24\"><answer rc=\"1\"/>" END, &m);
	g_assert_cmpint(m.rc, ==, 1);
	g_assert_false(m.has_session);
	g_assert_false(m.has_token);
	g_assert_null(m.element);
	msg_clear(&m);

	decode_ok(UNLOCK8 "<resource name=\"bXlyZXM=\" rollback=\"1\" />" END, &m);
	g_assert_cmpstr(m.name, ==, "myres");
	g_assert_cmpuint(m.res_attrs, ==, MSG_RES_NAME | MSG_RES_ROLLBACK);
	g_assert_cmpint(m.rollback, ==, 1);
	msg_clear(&m);

	decode_ok(DISC16 "<network address=\"\" port=\"41929\"/>" END, &m);
	g_assert_true(m.has_network);
	g_assert_cmpstr(m.address, ==, "");
	g_assert_cmpint(m.port, ==, 41929);
	msg_clear(&m);
}

/* The XML a decoder must take although our encoder never writes it. */
static void test_decode_lenient_syntax(void)
{
	static const char *const ok[] = {
		/* no declaration, attributes in any order, single quotes */
		"<msg step='8' verb='2' level='3'><resource rollback='0' name='bXlyZXM='/></msg>",
		/* whitespace everywhere it is allowed */
		"  \n" H " \r\n<msg\tlevel = \"3\"\nverb=\"2\" step=\"8\" >\n  <resource name=\"bXlyZXM=\"\n rollback=\"0\"/>\n</msg>",
		/* declaration variants */
		"<?xml version='1.0'?>" "<msg level=\"3\" verb=\"2\" step=\"8\"><resource name=\"bXlyZXM=\" rollback=\"0\"/></msg>",
		"<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>" "<msg level=\"3\" verb=\"2\" step=\"8\"><resource name=\"bXlyZXM=\" rollback=\"0\"/></msg>",
		/* child with an (empty) end tag */
		UNLOCK8 "<resource name=\"bXlyZXM=\" rollback=\"0\"></resource>" END,
		UNLOCK8 "<resource name=\"bXlyZXM=\" rollback=\"0\">  </resource >" END,
		/* unknown empty elements are ignored */
		UNLOCK8 "<extra/><resource name=\"bXlyZXM=\" rollback=\"0\" /><other></other>" END,
		/* unknown attributes of <resource> are ignored (reference §7.4) */
		UNLOCK8 "<resource name=\"bXlyZXM=\" rollback=\"0\" colour=\"blue\" />" END,
		/* encoded attribute values */
		UNLOCK8 "<resource name=\"bXly&#90;XM=\" rollback=\"&#x30;\" />" END,
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(ok); i++) {
		flom_msg m;

		decode_ok(ok[i], &m);
		g_assert_cmpint(m.verb, ==, MSG_VERB_UNLOCK);
		g_assert_cmpstr(m.name, ==, "myres");
		g_assert_cmpint(m.rollback, ==, 0);
		msg_clear(&m);
	}
}

static void test_entities(void)
{
	flom_msg m, m2;
	g_autofree char *bytes = NULL;

	decode_ok(ANSWER16 "<session peerid='&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#xe9;&#x1F600;\"'/>"
		  "<answer rc=\"0\" element=\"a'b\"/>" END, &m);
	g_assert_cmpstr(m.peerid, ==, "&<>\"'AB\xc3\xa9\xf0\x9f\x98\x80\"");
	g_assert_cmpstr(m.element, ==, "a'b");
	msg_clear(&m);

	/* encoding escapes exactly what needs it, and everything round-trips */
	msg_make_answer(&m, 16, "a\"b", 0, "x<y>&z' \t\n\r", TRUE, 1);
	bytes = encode(&m);
	g_assert_cmpstr(bytes, ==, ANSWER16 "<session peerid=\"a&quot;b\"/>"
			"<answer rc=\"0\" element=\"x&lt;y&gt;&amp;z&apos; &#9;&#10;&#13;\" token=\"1\"/>" END);
	decode_ok(bytes, &m2);
	assert_msg_equal(&m2, &m);
	msg_clear(&m);
	msg_clear(&m2);
}

/* Resource names: any bytes but NUL, up to FLOM_RESOURCE_NAME_MAX. */
static void test_names(void)
{
	static const char *const names[] = {
		"", "a", "\xc3\xa9t\xc3\xa9", "\xff\xfe\x01 <&>\"'", "/x/y z/\xe2\x82\xac",
	};
	g_autofree char *longest = g_strnfill(FLOM_RESOURCE_NAME_MAX, 'n');
	gsize i;

	for (i = 0; i <= G_N_ELEMENTS(names); i++) {
		const char *name = i < G_N_ELEMENTS(names) ? names[i] : longest;
		flom_msg m, d;
		g_autofree char *bytes = NULL;

		msg_make_unlock(&m, name, FALSE);
		bytes = encode(&m);
		decode_ok(bytes, &d);
		g_assert_cmpstr(d.name, ==, name);
		msg_clear(&m);
		msg_clear(&d);
		msg_make_lock(&m, PEER, name, FLOM_LOCK_MODE_CR, TRUE, 1, TRUE, 0);
		bytes = (g_free(bytes), encode(&m));
		g_assert_cmpint(msg_frame(bytes, strlen(bytes)), ==, (gssize)strlen(bytes));
		decode_ok(bytes, &d);
		assert_msg_equal(&d, &m);
		msg_clear(&m);
		msg_clear(&d);
	}
}

/* Which attributes a lock request carries depends on the name (§7.3). */
static void test_lock_attrs(void)
{
	const unsigned simple = MSG_RES_NAME | MSG_RES_MODE | MSG_RES_WAIT | MSG_RES_CREATE | MSG_RES_LIFESPAN;
	const unsigned numeric = MSG_RES_NAME | MSG_RES_WAIT | MSG_RES_QUANTITY | MSG_RES_CREATE | MSG_RES_LIFESPAN;
	const unsigned plain = MSG_RES_NAME | MSG_RES_WAIT | MSG_RES_CREATE | MSG_RES_LIFESPAN;

	g_assert_cmpuint(msg_lock_attrs("_RESOURCE"), ==, simple);
	g_assert_cmpuint(msg_lock_attrs("RA123"), ==, simple);
	g_assert_cmpuint(msg_lock_attrs("/apple/pear"), ==, simple);
	g_assert_cmpuint(msg_lock_attrs("RA123[23]"), ==, numeric);
	g_assert_cmpuint(msg_lock_attrs("red.green"), ==, plain);
	g_assert_cmpuint(msg_lock_attrs("_S_bar[3]"), ==, plain);
	g_assert_cmpuint(msg_lock_attrs("_t_foo.%D.%T[4]"), ==, plain);
}

static void test_numbers(void)
{
	flom_msg m;
	g_autofree char *big = NULL;

	decode_ok(ANSWER16 "<answer rc=\"-9223372036854775808\" token=\"0\"/>" END, &m);
	g_assert_cmpint(m.rc, ==, G_MININT64);
	g_assert_cmpuint(m.token, ==, 0);
	msg_clear(&m);
	decode_ok(ANSWER16 "<answer rc=\"9223372036854775807\" token=\"18446744073709551615\"/>" END, &m);
	g_assert_cmpint(m.rc, ==, G_MAXINT64);
	g_assert_cmpuint(m.token, ==, G_MAXUINT64);
	msg_clear(&m);
	/* leading zeros are digits like any other */
	decode_ok(ANSWER16 "<answer rc=\"-0004\"/>" END, &m);
	g_assert_cmpint(m.rc, ==, -4);
	msg_clear(&m);
	big = decode_err(ANSWER16 "<answer rc=\"9223372036854775808\"/>" END, strlen(ANSWER16 "<answer rc=\"9223372036854775808\"/>" END));
	g_assert_nonnull(strstr(big, "out of range"));
}

/* ---- framing ------------------------------------------------------------- */

static const char *wire_bytes(const char *name)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(wire_cases); i++)
		if (strcmp(wire_cases[i].name, name) == 0)
			return wire_cases[i].bytes;
	g_assert_not_reached();
	return NULL;
}

static void test_frame_split(void)
{
	const char *a = wire_bytes("lock-simple");
	const char *b = wire_bytes("unlock");
	g_autofree char *both = g_strconcat(a, b, NULL);
	size_t la = strlen(a), lb = strlen(b), total = la + lb;
	size_t k, chunk;

	/* every prefix of the first message needs more bytes */
	for (k = 0; k <= total; k++) {
		gssize n = msg_frame(both, k);

		g_assert_cmpint(n, ==, k < la ? 0 : (gssize)la);
	}
	g_assert_cmpint(msg_frame(both + la, lb), ==, (gssize)lb);

	/* a reader fed in chunks of every size gets both messages intact */
	for (chunk = 1; chunk <= total; chunk++) {
		GString *in = g_string_new(NULL);
		size_t fed = 0;
		int got = 0;

		while (fed < total || in->len > 0) {
			gssize n;
			size_t take = MIN(chunk, total - fed);

			g_string_append_len(in, both + fed, (gssize)take);
			fed += take;
			while ((n = msg_frame(in->str, in->len)) > 0) {
				flom_msg m;
				GError *err = NULL;

				g_assert_cmpint(msg_decode(in->str, (size_t)n, &m, &err), ==, 0);
				g_assert_no_error(err);
				g_assert_cmpint(m.verb, ==, got == 0 ? MSG_VERB_LOCK : MSG_VERB_UNLOCK);
				g_assert_cmpstr(m.name, ==, "myres");
				msg_clear(&m);
				g_string_erase(in, 0, n);
				got++;
			}
			g_assert_cmpint(n, ==, 0);
			if (fed == total)
				g_assert_cmpuint(in->len, ==, 0);
		}
		g_assert_cmpint(got, ==, 2);
		g_string_free(in, TRUE);
	}
}

static void test_frame_oversize(void)
{
	char *buf = g_malloc(FLOM_MSG_MAX + 64);

	memset(buf, ' ', FLOM_MSG_MAX + 64);
	g_assert_cmpint(msg_frame(buf, 0), ==, 0);
	g_assert_cmpint(msg_frame(buf, FLOM_MSG_MAX - 1), ==, 0);
	g_assert_cmpint(msg_frame(buf, FLOM_MSG_MAX), ==, -1);
	g_assert_cmpint(msg_frame(buf, FLOM_MSG_MAX + 64), ==, -1);
	/* a trailer ending exactly at the bound is a message */
	memcpy(buf + FLOM_MSG_MAX - 6, "</msg>", 6);
	g_assert_cmpint(msg_frame(buf, FLOM_MSG_MAX), ==, FLOM_MSG_MAX);
	g_assert_cmpint(msg_frame(buf, FLOM_MSG_MAX + 64), ==, FLOM_MSG_MAX);
	/* one byte later it is not */
	memset(buf, ' ', FLOM_MSG_MAX + 64);
	memcpy(buf + FLOM_MSG_MAX - 5, "</msg>", 6);
	g_assert_cmpint(msg_frame(buf, FLOM_MSG_MAX + 1), ==, -1);
	/* partial trailers and lookalikes are not trailers */
	g_assert_cmpint(msg_frame("<msg></msg", 10), ==, 0);
	g_assert_cmpint(msg_frame("</MSG></ms", 10), ==, 0);
	g_assert_cmpint(msg_frame("<</msg>>", 8), ==, 7);
	g_free(buf);
}

static void test_decode_too_long(void)
{
	GString *s = g_string_new(UNLOCK8 "<resource name=\"bXlyZXM=\" rollback=\"0\" />");
	g_autofree char *e = NULL;

	while (s->len < FLOM_MSG_MAX)
		g_string_append_c(s, ' ');
	g_string_append(s, END);
	e = decode_err(s->str, s->len);
	g_assert_nonnull(strstr(e, "too long"));
	g_string_free(s, TRUE);
}

/* Long values: bounds of element and name. */
static void test_bad_long_values(void)
{
	g_autofree char *element = g_strnfill(FLOM_ELEMENT_MAX + 1, 'e');
	g_autofree char *name = g_strnfill(FLOM_RESOURCE_NAME_MAX + 1, 'n');
	g_autofree char *b64 = g_base64_encode((const guchar *)name, strlen(name));
	g_autofree char *m1 = g_strconcat(ANSWER16 "<answer rc=\"0\" element=\"", element, "\"/>" END, NULL);
	g_autofree char *m2 = g_strconcat(UNLOCK8 "<resource name=\"", b64, "\" rollback=\"0\" />" END, NULL);
	g_autofree char *e1 = decode_err(m1, strlen(m1));
	g_autofree char *e2 = decode_err(m2, strlen(m2));

	g_assert_nonnull(strstr(e1, "attribute 'element' of <answer> too long"));
	g_assert_nonnull(strstr(e2, "resource name too long"));
}

int main(int argc, char **argv)
{
	gsize i;

	g_test_init(&argc, &argv, NULL);
	for (i = 0; i < G_N_ELEMENTS(wire_cases); i++) {
		g_autofree char *path = g_strdup_printf("/msg/wire/%s", wire_cases[i].name);

		g_test_add_data_func(path, &wire_cases[i], test_wire_case);
	}
	g_test_add_func("/msg/decode/fields", test_decode_fields);
	g_test_add_func("/msg/decode/lenient-syntax", test_decode_lenient_syntax);
	g_test_add_func("/msg/decode/entities", test_entities);
	g_test_add_func("/msg/decode/names", test_names);
	g_test_add_func("/msg/decode/numbers", test_numbers);
	g_test_add_func("/msg/decode/too-long", test_decode_too_long);
	g_test_add_func("/msg/decode/long-values", test_bad_long_values);
	g_test_add_func("/msg/encode/lock-attrs", test_lock_attrs);
	g_test_add_func("/msg/frame/split", test_frame_split);
	g_test_add_func("/msg/frame/oversize", test_frame_oversize);
	msg_bad_add_tests();
	return g_test_run();
}
