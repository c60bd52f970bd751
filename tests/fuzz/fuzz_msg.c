/*
 * Fuzz target: bytes a peer writes on a stream (UNIX or TCP).
 *
 * Beyond "no crash, no leak, no undefined behaviour", it checks the codec's
 * promises: msg_frame() finds exactly the first trailer within the bound; a
 * decoded message re-encodes into one frame that decodes to the same fields
 * and re-encodes to the same bytes; a request the daemon accepts still passes
 * after the round trip.
 */

#include <string.h>
#include <glib.h>

#include "fuzz.h"
#include "msg.h"

/* The first "</msg>" in buf[0..len), or NULL. */
static const char *fuzz_find_trailer(const char *buf, size_t len)
{
	return memmem(buf, len, MSG_TRAILER, strlen(MSG_TRAILER));
}

static void fuzz_check_frame(const char *buf, size_t len)
{
	gssize n = msg_frame(buf, len);
	const char *t = fuzz_find_trailer(buf, MIN(len, (size_t)FLOM_MSG_MAX));
	size_t want = t ? (size_t)(t - buf) + strlen(MSG_TRAILER) : 0;

	if (n > 0) {
		FUZZ_CHECK(t != NULL && (size_t)n == want);
		FUZZ_CHECK((size_t)n <= len && n <= FLOM_MSG_MAX);
	} else if (n == 0) {
		FUZZ_CHECK(t == NULL && len < FLOM_MSG_MAX);
	} else {
		FUZZ_CHECK(n == -1 && t == NULL && len >= FLOM_MSG_MAX);
	}
}

static gboolean fuzz_streq0(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

/* b is the decoding of the encoding of a: the fields the encoding carries
 * are equal, the others took msg_init()'s defaults. */
static void fuzz_check_same(const flom_msg *a, const flom_msg *b)
{
	FUZZ_CHECK(b->level == a->level && b->verb == a->verb && b->step == a->step);
	FUZZ_CHECK(b->has_session == a->has_session && fuzz_streq0(b->peerid, a->peerid));
	FUZZ_CHECK(b->has_resource == a->has_resource && fuzz_streq0(b->name, a->name));
	if (a->has_resource && a->verb == MSG_VERB_LOCK) {
		unsigned attrs = msg_lock_attrs(a->name);

		FUZZ_CHECK(b->res_attrs == attrs);
		FUZZ_CHECK(!(attrs & MSG_RES_MODE) || b->mode == a->mode);
		FUZZ_CHECK(!(attrs & MSG_RES_QUANTITY) || b->quantity == a->quantity);
		FUZZ_CHECK(b->wait == a->wait && b->create == a->create &&
			   b->lifespan == a->lifespan);
	} else if (a->has_resource) {
		FUZZ_CHECK(b->res_attrs == (MSG_RES_NAME | MSG_RES_ROLLBACK));
		FUZZ_CHECK(b->rollback == a->rollback);
	} else {
		FUZZ_CHECK(b->res_attrs == 0);
	}
	FUZZ_CHECK(b->has_answer == a->has_answer && b->rc == a->rc);
	FUZZ_CHECK(fuzz_streq0(b->element, a->element));
	FUZZ_CHECK(b->has_token == a->has_token && b->token == a->token);
	FUZZ_CHECK(b->has_network == a->has_network && fuzz_streq0(b->address, a->address) &&
		   b->port == a->port);
	FUZZ_CHECK(b->has_shutdown == a->has_shutdown && b->immediate == a->immediate);
	FUZZ_CHECK(b->has_daemon == a->has_daemon && fuzz_streq0(b->daemon_id, a->daemon_id));
	FUZZ_CHECK(b->daemon_started == a->daemon_started && b->daemon_pid == a->daemon_pid &&
		   b->daemon_state == a->daemon_state && b->daemon_holders == a->daemon_holders);
}

static void fuzz_decode(const char *buf, size_t len)
{
	flom_msg m, m2;
	GError *err = NULL;
	GString *out, *out2;
	gboolean request_ok;

	if (msg_decode(buf, len, &m, &err) < 0) {
		FUZZ_CHECK(err != NULL && err->domain == MSG_ERROR && err->message[0] != '\0');
		FUZZ_CHECK(m.name == NULL && m.peerid == NULL && m.element == NULL &&
			   m.address == NULL);
		g_error_free(err);
		return;
	}
	FUZZ_CHECK(err == NULL);
	FUZZ_CHECK(m.level == MSG_LEVEL);
	/* a message that decodes is one whole frame */
	FUZZ_CHECK(msg_frame(buf, len) == (gssize)len);

	request_ok = msg_check_request(&m, &err) == 0;
	FUZZ_CHECK(request_ok == (err == NULL));
	g_clear_error(&err);

	out = g_string_new(NULL);
	msg_encode(&m, out);
	/* escaping may grow a value beyond the bound; then there is nothing to
	 * compare (our own messages stay far below it) */
	if (out->len <= FLOM_MSG_MAX) {
		FUZZ_CHECK(msg_frame(out->str, out->len) == (gssize)out->len);
		if (msg_decode(out->str, out->len, &m2, &err) < 0) {
			fprintf(stderr, "re-decode failed: %s\n%s\n", err->message, out->str);
			FUZZ_CHECK(!"the encoding of a decoded message decodes");
		}
		fuzz_check_same(&m, &m2);
		FUZZ_CHECK(!request_ok || msg_check_request(&m2, NULL) == 0);
		out2 = g_string_new(NULL);
		msg_encode(&m2, out2);
		FUZZ_CHECK(out2->len == out->len && memcmp(out2->str, out->str, out->len) == 0);
		g_string_free(out2, TRUE);
		msg_clear(&m2);
	}
	g_string_free(out, TRUE);
	msg_clear(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	gssize n;

	fuzz_check_frame(buf, size);
	/* the whole input, as a datagram or an over-long stream would give it */
	fuzz_decode(buf, size);
	/* and what a stream reader would hand over */
	n = msg_frame(buf, size);
	if (n > 0 && (size_t)n != size)
		fuzz_decode(buf, (size_t)n);
	return 0;
}
