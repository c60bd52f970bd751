/*
 * flom: encoding and framing of wire messages.
 *
 * The encoder reproduces the original's templates byte for byte (reference
 * §7.3) and only adds escaping, which changes nothing for ordinary values.
 */
#include "msg.h"
#include "msg_private.h"

#include <stddef.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* encoding                                                                 */

/* g_string_append_len for bytes that usually fit: glib before 2.76 takes
 * its general insert path for every append. Inline, so that the length of
 * a literal is a constant and its copy a few moves. */
static inline void msg_put(GString *out, const char *s, size_t n)
{
	if (out->len + n >= out->allocated_len) {
		g_string_append_len(out, s, (gssize)n);
		return;
	}
	memcpy(out->str + out->len, s, n);
	out->len += n;
	out->str[out->len] = '\0';
}

static inline void msg_puts(GString *out, const char *s)
{
	msg_put(out, s, strlen(s));
}

/* Whether c is written as an entity or a character reference. */
static gboolean msg_needs_escape(unsigned char c)
{
	return c < 0x20 || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'';
}

/* The original wrote values raw (reference §11.8); escaping keeps ordinary
 * values byte-identical and makes the others round-trip instead of breaking
 * the document. Control characters become character references so that a
 * value never carries a raw one. Plain runs are copied whole. */
static void msg_append_escaped(GString *out, const char *s)
{
	while (s && *s) {
		const char *run = s;
		unsigned char c;

		while (*s && !msg_needs_escape((unsigned char)*s))
			s++;
		msg_put(out, run, (size_t)(s - run));
		c = (unsigned char)*s;
		if (c == '\0')
			break;
		s++;
		switch (c) {
		case '&': msg_puts(out, "&amp;"); break;
		case '<': msg_puts(out, "&lt;"); break;
		case '>': msg_puts(out, "&gt;"); break;
		case '"': msg_puts(out, "&quot;"); break;
		case '\'': msg_puts(out, "&apos;"); break;
		default: g_string_append_printf(out, "&#%u;", c);
		}
	}
}

/* ' NAME="', the opening of an attribute, and its length: a literal, so that
 * it is copied whole. */
#define MSG_ATTR(name) " " name "=\"", sizeof(" " name "=\"") - 1

typedef struct {
	const char *open;
	size_t len;
} msg_attr_open;

#define MSG_OPEN(name) { MSG_ATTR(name) }

/* open, then the decimal digits of magnitude (after a '-' when neg) and the
 * closing quote, without printf: the daemon encodes one or two answers per
 * lock, and printf's format machinery was a third of its instructions per
 * cycle. */
static void msg_append_digits(GString *out, const char *open, size_t open_len, gboolean neg,
			      guint64 magnitude)
{
	char text[24];
	size_t i = sizeof(text);

	text[--i] = '"';
	do {
		text[--i] = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude);
	if (neg)
		text[--i] = '-';
	msg_put(out, open, open_len);
	msg_put(out, text + i, sizeof(text) - i);
}

static void msg_append_int(GString *out, const char *open, size_t open_len, gint64 value)
{
	msg_append_digits(out, open, open_len, value < 0,
			  value < 0 ? -(guint64)value : (guint64)value);
}

static void msg_append_str(GString *out, const char *open, size_t open_len, const char *value)
{
	msg_put(out, open, open_len);
	msg_append_escaped(out, value);
	msg_put(out, "\"", 1);
}

static void msg_append_b64(GString *out, const char *open, size_t open_len, const char *value)
{
	const char *n = value ? value : "";
	g_autofree char *b64 = g_base64_encode((const guchar *)n, strlen(n));

	msg_put(out, open, open_len);
	msg_puts(out, b64);
	msg_put(out, "\"", 1);
}

/* Ours (msg_status.c): who asks (lock request) or holds (answer, with the
 * holder- prefix). */
static void msg_append_client(GString *out, gboolean holder, const flom_client_info *c)
{
	static const msg_attr_open names[2][4] = {
		{ MSG_OPEN("pid"), MSG_OPEN("uid"), MSG_OPEN("user"), MSG_OPEN("host") },
		{ MSG_OPEN("holder-pid"), MSG_OPEN("holder-uid"), MSG_OPEN("holder-user"),
		  MSG_OPEN("holder-host") },
	};
	const msg_attr_open *a = names[holder ? 1 : 0];

	if (c->pid > 0)
		msg_append_int(out, a[0].open, a[0].len, c->pid);
	if (c->uid >= 0)
		msg_append_int(out, a[1].open, a[1].len, c->uid);
	if (c->user)
		msg_append_str(out, a[2].open, a[2].len, c->user);
	if (c->host)
		msg_append_str(out, a[3].open, a[3].len, c->host);
}

static void msg_encode_record(const flom_msg *m, GString *out)
{
	g_string_append_printf(out, "<%s", m->record);
	for (guint i = 0; m->fields && i + 1 < m->fields->len; i += 2) {
		msg_put(out, " ", 1);
		msg_puts(out, g_ptr_array_index(m->fields, i));
		msg_append_str(out, "=\"", 2, g_ptr_array_index(m->fields, i + 1));
	}
	msg_puts(out, "/>");
}

static void msg_encode_session(const flom_msg *m, GString *out)
{
	if (!m->has_session)
		return;
	msg_puts(out, "<session");
	msg_append_str(out, MSG_ATTR("peerid"), m->peerid ? m->peerid : "");
	msg_puts(out, "/>");
}

static void msg_encode_lock_resource(const flom_msg *m, GString *out)
{
	unsigned attrs = msg_lock_attrs(m->name);

	if (!m->has_resource)
		return;
	/* The order is the original's: name mode wait quantity create lifespan. */
	msg_puts(out, "<resource");
	msg_append_b64(out, MSG_ATTR("name"), m->name);
	if (attrs & MSG_RES_MODE)
		msg_append_int(out, MSG_ATTR("mode"), m->mode);
	msg_append_int(out, MSG_ATTR("wait"), m->wait);
	if (attrs & MSG_RES_QUANTITY)
		msg_append_int(out, MSG_ATTR("quantity"), m->quantity);
	msg_append_int(out, MSG_ATTR("create"), m->create);
	msg_append_int(out, MSG_ATTR("lifespan"), m->lifespan);
	msg_append_client(out, FALSE, &m->client);
	if (m->status) {
		msg_append_int(out, MSG_ATTR("status"), m->status);
		if (m->filter)
			msg_append_b64(out, MSG_ATTR("filter"), m->filter);
	}
	msg_puts(out, "/>");
}

static void msg_encode_unlock_resource(const flom_msg *m, GString *out)
{
	if (!m->has_resource)
		return;
	msg_puts(out, "<resource");
	msg_append_b64(out, MSG_ATTR("name"), m->name);
	msg_append_int(out, MSG_ATTR("rollback"), m->rollback);
	/* The original's unlock template has a space before "/>". */
	msg_puts(out, " />");
}

static void msg_encode_answer(const flom_msg *m, GString *out)
{
	if (!m->has_answer)
		return;
	msg_puts(out, "<answer");
	msg_append_int(out, MSG_ATTR("rc"), m->rc);
	if (m->element)
		msg_append_str(out, MSG_ATTR("element"), m->element);
	if (m->has_token)
		msg_append_digits(out, MSG_ATTR("token"), FALSE, m->token);
	if (m->ext > 0)
		msg_append_int(out, MSG_ATTR("ext"), m->ext);
	if (m->has_release)
		msg_append_int(out, MSG_ATTR("release"), m->release_ms);
	if (m->has_holder) {
		msg_append_client(out, TRUE, &m->holder);
		msg_append_int(out, MSG_ATTR("holder-since"), m->holder_since);
	}
	msg_puts(out, "/>");
}

void msg_encode(const flom_msg *m, GString *out)
{
	msg_puts(out, MSG_XML_DECL);
	msg_puts(out, "<msg");
	msg_append_int(out, MSG_ATTR("level"), MSG_LEVEL);
	msg_append_int(out, MSG_ATTR("verb"), m->verb);
	msg_append_int(out, MSG_ATTR("step"), m->step);
	msg_put(out, ">", 1);
	if (m->verb == MSG_VERB_LOCK && m->step == MSG_STEP_REQUEST) {
		msg_encode_session(m, out);
		msg_encode_lock_resource(m, out);
	} else if (m->verb == MSG_VERB_LOCK && m->step == MSG_STEP_COMMAND) {
		msg_puts(out, "<command");
		msg_append_int(out, MSG_ATTR("pid"), m->client.command_pid);
		msg_puts(out, "/>");
	} else if (m->verb == MSG_VERB_STATUS && m->record) {
		msg_encode_record(m, out);
	} else if (m->verb == MSG_VERB_LOCK && msg_step_is_lock_answer(m->step)) {
		if (m->step == MSG_STEP_ANSWER)
			msg_encode_session(m, out);
		msg_encode_answer(m, out);
	} else if (m->verb == MSG_VERB_UNLOCK && m->step == MSG_STEP_REQUEST) {
		msg_encode_unlock_resource(m, out);
	} else if (m->verb == MSG_VERB_DISCOVER && m->step == MSG_STEP_ANSWER && m->has_network) {
		msg_puts(out, "<network");
		msg_append_str(out, MSG_ATTR("address"), m->address ? m->address : "");
		msg_append_int(out, MSG_ATTR("port"), m->port);
		msg_puts(out, "/>");
	} else if (m->verb == MSG_VERB_DISCOVER && m->step == MSG_DISCOVER_STEP_DAEMON) {
		msg_puts(out, "<daemon");
		msg_append_str(out, MSG_ATTR("id"), m->daemon_id ? m->daemon_id : "");
		msg_append_int(out, MSG_ATTR("started"), m->daemon_started);
		msg_append_int(out, MSG_ATTR("pid"), m->daemon_pid);
		msg_append_int(out, MSG_ATTR("state"), m->daemon_state);
		msg_append_int(out, MSG_ATTR("holders"), m->daemon_holders);
		if (m->daemon_port > 0)
			msg_append_int(out, MSG_ATTR("port"), m->daemon_port);
		if (m->daemon_group)
			msg_append_str(out, MSG_ATTR("group"), m->daemon_group);
		msg_puts(out, "/>");
	} else if (m->verb == MSG_VERB_MNGMNT && m->step == MSG_STEP_ANSWER) {
		msg_encode_answer(m, out);
	} else if (m->verb == MSG_VERB_MNGMNT && m->step == MSG_STEP_REQUEST) {
		msg_encode_session(m, out);
		if (m->has_shutdown) {
			msg_puts(out, "<shutdown");
			msg_append_int(out, MSG_ATTR("immediate"), m->immediate);
			msg_puts(out, "/>");
		}
	}
	msg_puts(out, MSG_TRAILER);
}

/* ------------------------------------------------------------------------ */
/* framing                                                                  */

gssize msg_frame(const char *buf, size_t len)
{
	size_t n = MIN(len, (size_t)FLOM_MSG_MAX);
	size_t i;

	for (i = 0; i + MSG_TRAILER_LEN <= n; i++) {
		const char *lt = memchr(buf + i, '<', n - i);

		if (!lt)
			break;
		i = (size_t)(lt - buf);
		if (i + MSG_TRAILER_LEN > n)
			break;
		if (memcmp(lt, MSG_TRAILER, MSG_TRAILER_LEN) == 0)
			return (gssize)(i + MSG_TRAILER_LEN);
	}
	return len >= FLOM_MSG_MAX ? -1 : 0;
}
