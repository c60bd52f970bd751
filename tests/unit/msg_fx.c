/* The wire codec tests' shared decode helpers (see msg_fx.h). */
#include "msg_fx.h"

#include <string.h>

void decode_ok(const char *bytes, flom_msg *m)
{
	GError *err = NULL;
	int rc = msg_decode(bytes, strlen(bytes), m, &err);

	g_assert_no_error(err);
	g_assert_cmpint(rc, ==, 0);
}

char *decode_err(const char *bytes, size_t len)
{
	GError *err = NULL;
	flom_msg m;
	char *text;

	g_assert_cmpint(msg_decode(bytes, len, &m, &err), ==, -1);
	g_assert_nonnull(err);
	g_assert_true(err->domain == MSG_ERROR);
	g_assert_cmpstr(err->message, !=, "");
	/* a failed decode leaves nothing allocated */
	g_assert_null(m.name);
	g_assert_null(m.peerid);
	g_assert_null(m.element);
	g_assert_null(m.address);
	text = g_strdup(err->message);
	g_error_free(err);
	return text;
}
