/*
 * Fuzz target: a UDP datagram on the discovery port or socket.
 *
 * Both discovery parsers must agree with the codec under the datagram bound:
 * a request is exactly a decodable DISCOVER/8, a reply exactly a decodable
 * DISCOVER/16 with a port in 1..65535, and the reply's address is the
 * decoded one.
 */

#include <string.h>
#include <glib.h>

#include "discovery.h"
#include "fuzz.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	gboolean fits = size > 0 && size <= FLOM_DATAGRAM_MAX;
	gboolean decoded = FALSE;
	gboolean is_request;
	char *address = (char *)"unset";
	int port = -1;
	int reply_rc;
	flom_msg m;

	msg_init(&m);
	if (fits) {
		GError *err = NULL;

		decoded = msg_decode(buf, size, &m, &err) == 0;
		FUZZ_CHECK(decoded == (err == NULL));
		g_clear_error(&err);
	}

	is_request = discovery_is_request(buf, size);
	FUZZ_CHECK(is_request ==
		   (decoded && m.verb == MSG_VERB_DISCOVER && m.step == 8));

	reply_rc = discovery_parse_reply(buf, size, &address, &port);
	if (decoded && m.verb == MSG_VERB_DISCOVER && m.step == 16 && m.port >= 1 &&
	    m.port <= 65535) {
		FUZZ_CHECK(reply_rc == 0);
		FUZZ_CHECK(address != NULL && strcmp(address, m.address) == 0);
		FUZZ_CHECK(port == m.port);
		g_free(address);
	} else {
		FUZZ_CHECK(reply_rc == -1);
	}
	FUZZ_CHECK(!(is_request && reply_rc == 0));
	msg_clear(&m);
	return 0;
}
