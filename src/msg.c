/*
 * flom: wire messages (FLoM protocol level 3): construction and errors.
 *
 * The codec's rooms: msg.c builds messages, msg_encode.c writes and frames
 * them, msg_xml.c reads the XML of untrusted input into tokens and values,
 * msg_decode.c turns those into a flom_msg checked for shape, msg_check.c
 * applies a daemon's semantic checks to a client's request.
 */
#include "msg.h"
#include "msg_private.h"

#include <stdarg.h>
#include <string.h>

#include "rsrc_name.h"
#include "trace.h"

G_DEFINE_QUARK(flom-msg-error-quark, msg_error)

/* ------------------------------------------------------------------------ */
/* construction                                                             */

void msg_init(flom_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->level = -1;
	m->verb = MSG_VERB_NONE;
	m->step = -1;
	m->mode = FLOM_LOCK_MODE_EX;
	m->wait = 1;
	m->quantity = 1;
	m->create = 1;
	m->lifespan = 0;
	m->rollback = 0;
	m->rc = 0;
	m->port = 0;
	m->immediate = 0;
	m->client = (flom_client_info)FLOM_CLIENT_INFO_INIT;
	m->holder = (flom_client_info)FLOM_CLIENT_INFO_INIT;
}

/* Most of a message's strings are NULL: no call for those (three messages a
 * lock cycle are cleared). */
static inline void msg_free(char *s)
{
	if (s)
		g_free(s);
}

void msg_clear(flom_msg *m)
{
	msg_free(m->peerid);
	msg_free(m->name);
	msg_free(m->element);
	msg_free(m->address);
	msg_free(m->daemon_id);
	msg_free(m->daemon_group);
	msg_free(m->filter);
	msg_free(m->record);
	if (m->fields)
		g_ptr_array_free(m->fields, TRUE);
	flom_client_info_clear(&m->client);
	flom_client_info_clear(&m->holder);
	msg_init(m);
}

static void msg_header(flom_msg *m, int verb, int step)
{
	msg_init(m);
	m->level = MSG_LEVEL;
	m->verb = verb;
	m->step = step;
}

unsigned msg_lock_attrs(const char *name)
{
	switch (rsrc_name_classify(name ? name : "")) {
	case RSRC_NUMERIC:
		return MSG_RES_NAME | MSG_RES_WAIT | MSG_RES_QUANTITY | MSG_RES_CREATE |
		       MSG_RES_LIFESPAN;
	case RSRC_SET:
	case RSRC_SEQUENCE:
	case RSRC_TIMESTAMP:
		return MSG_RES_NAME | MSG_RES_WAIT | MSG_RES_CREATE | MSG_RES_LIFESPAN;
	case RSRC_SIMPLE:
	case RSRC_HIER:
	case RSRC_INVALID:
	default:
		/* An invalid name never leaves our client; if a caller encodes
		 * one anyway, the simple layout is as good as any. */
		return MSG_RES_NAME | MSG_RES_MODE | MSG_RES_WAIT | MSG_RES_CREATE |
		       MSG_RES_LIFESPAN;
	}
}

void msg_make_lock(flom_msg *m, const char *peerid, const char *name,
		   flom_lock_mode mode, gboolean wait, gint64 quantity,
		   gboolean create, gint64 lifespan)
{
	msg_header(m, MSG_VERB_LOCK, MSG_STEP_REQUEST);
	m->has_session = TRUE;
	m->peerid = g_strdup(peerid ? peerid : "");
	m->has_resource = TRUE;
	m->name = g_strdup(name ? name : "");
	m->res_attrs = msg_lock_attrs(m->name);
	m->mode = mode;
	m->wait = wait ? 1 : 0;
	m->quantity = quantity;
	m->create = create ? 1 : 0;
	m->lifespan = lifespan;
}

void msg_make_answer(flom_msg *m, int step, const char *peerid, int rc,
		     const char *element, gboolean has_token, guint64 token)
{
	msg_header(m, MSG_VERB_LOCK, step);
	/* Only the first answer names the daemon (reference §7.3). */
	if (step == MSG_STEP_ANSWER) {
		m->has_session = TRUE;
		m->peerid = g_strdup(peerid ? peerid : "");
	}
	m->has_answer = TRUE;
	m->rc = rc;
	m->element = g_strdup(element);
	m->has_token = has_token;
	m->token = has_token ? token : 0;
}

void msg_make_daemon(flom_msg *m, const char *id, gint64 started, gint64 pid,
		     int state, gint64 holders)
{
	msg_header(m, MSG_VERB_DISCOVER, MSG_DISCOVER_STEP_DAEMON);
	m->has_daemon = TRUE;
	m->daemon_id = g_strdup(id ? id : "");
	m->daemon_started = started;
	m->daemon_pid = pid;
	m->daemon_state = state;
	m->daemon_holders = holders;
}

void msg_make_manage_answer(flom_msg *m, int rc)
{
	msg_header(m, MSG_VERB_MNGMNT, MSG_STEP_ANSWER);
	m->has_answer = TRUE;
	m->rc = rc;
}

void msg_make_unlock(flom_msg *m, const char *name, gboolean rollback)
{
	msg_header(m, MSG_VERB_UNLOCK, MSG_STEP_REQUEST);
	m->has_resource = TRUE;
	m->name = g_strdup(name ? name : "");
	m->res_attrs = MSG_RES_NAME | MSG_RES_ROLLBACK;
	m->rollback = rollback ? 1 : 0;
}

void msg_make_discover(flom_msg *m)
{
	msg_header(m, MSG_VERB_DISCOVER, MSG_STEP_REQUEST);
}

void msg_make_discover_reply(flom_msg *m, const char *address, unsigned port)
{
	msg_header(m, MSG_VERB_DISCOVER, MSG_STEP_ANSWER);
	m->has_network = TRUE;
	m->address = g_strdup(address ? address : "");
	m->port = port;
}

void msg_make_shutdown(flom_msg *m, const char *peerid, gboolean immediate)
{
	msg_header(m, MSG_VERB_MNGMNT, MSG_STEP_REQUEST);
	m->has_session = TRUE;
	m->peerid = g_strdup(peerid ? peerid : "");
	m->has_shutdown = TRUE;
	m->immediate = immediate ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* errors                                                                   */

int msg_fail(GError **err, msg_error_code code, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, MSG_ERROR, code, text);
	g_free(text);
	return -1;
}

/* A short printable copy of untrusted bytes for an error message. */
char *msg_snippet(const char *s, size_t len)
{
	g_autofree char *head = g_strndup(s, MIN(len, (size_t)MSG_SNIPPET_MAX));
	g_autofree char *esc = trace_escape(head, -1);

	return g_strconcat(esc, len > MSG_SNIPPET_MAX ? "..." : "", NULL);
}
