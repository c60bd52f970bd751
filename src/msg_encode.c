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

#define MSG_XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>"

/* ------------------------------------------------------------------------ */
/* encoding                                                                 */

/* The original wrote values raw (reference §11.8); escaping keeps ordinary
 * values byte-identical and makes the others round-trip instead of breaking
 * the document. Control characters become character references so that a
 * value never carries a raw one. */
static void msg_append_escaped(GString *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		case '\'': g_string_append(out, "&apos;"); break;
		default:
			if (c < 0x20)
				g_string_append_printf(out, "&#%u;", c);
			else
				g_string_append_c(out, (char)c);
		}
	}
}

/* g_string_append_len for bytes that usually fit: glib before 2.76 takes
 * its general insert path for every append. */
static void msg_put(GString *out, const char *s, size_t n)
{
	if (out->len + n >= out->allocated_len) {
		g_string_append_len(out, s, (gssize)n);
		return;
	}
	memcpy(out->str + out->len, s, n);
	out->len += n;
	out->str[out->len] = '\0';
}

static void msg_puts(GString *out, const char *s)
{
	msg_put(out, s, strlen(s));
}

/* Decimal digits without printf: the daemon encodes an answer per lock, and
 * printf's format machinery was a third of its instructions per cycle. */
static void msg_append_uint(GString *out, guint64 value)
{
	char digits[24];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	msg_put(out, digits + i, sizeof(digits) - i);
}

/* ' PREFIXATTR="' */
static void msg_append_attr_open(GString *out, const char *prefix, const char *attr)
{
	g_string_append_c(out, ' ');
	msg_puts(out, prefix);
	msg_puts(out, attr);
	msg_put(out, "=\"", 2);
}

static void msg_append_pattr_str(GString *out, const char *prefix, const char *attr,
				 const char *value)
{
	msg_append_attr_open(out, prefix, attr);
	msg_append_escaped(out, value);
	g_string_append_c(out, '"');
}

static void msg_append_pattr_int(GString *out, const char *prefix, const char *attr, gint64 value)
{
	msg_append_attr_open(out, prefix, attr);
	if (value < 0)
		g_string_append_c(out, '-');
	msg_append_uint(out, value < 0 ? -(guint64)value : (guint64)value);
	g_string_append_c(out, '"');
}

static void msg_append_attr_str(GString *out, const char *attr, const char *value)
{
	msg_append_pattr_str(out, "", attr, value);
}

static void msg_append_attr_int(GString *out, const char *attr, gint64 value)
{
	msg_append_pattr_int(out, "", attr, value);
}

static void msg_append_b64(GString *out, const char *attr, const char *value)
{
	const char *n = value ? value : "";
	g_autofree char *b64 = g_base64_encode((const guchar *)n, strlen(n));

	msg_append_attr_open(out, "", attr);
	msg_puts(out, b64);
	g_string_append_c(out, '"');
}

static void msg_append_name(GString *out, const char *name)
{
	msg_append_b64(out, "name", name);
}

/* Ours (msg_status.c): who asks (lock request) or holds (answer). */
static void msg_append_client(GString *out, const char *prefix, const flom_client_info *c)
{
	if (c->pid > 0)
		msg_append_pattr_int(out, prefix, "pid", c->pid);
	if (c->uid >= 0)
		msg_append_pattr_int(out, prefix, "uid", c->uid);
	if (c->user)
		msg_append_pattr_str(out, prefix, "user", c->user);
	if (c->host)
		msg_append_pattr_str(out, prefix, "host", c->host);
}

static void msg_encode_record(const flom_msg *m, GString *out)
{
	g_string_append_printf(out, "<%s", m->record);
	for (guint i = 0; m->fields && i + 1 < m->fields->len; i += 2)
		msg_append_attr_str(out, g_ptr_array_index(m->fields, i),
				    g_ptr_array_index(m->fields, i + 1));
	g_string_append(out, "/>");
}

static void msg_encode_session(const flom_msg *m, GString *out)
{
	if (!m->has_session)
		return;
	g_string_append(out, "<session");
	msg_append_attr_str(out, "peerid", m->peerid ? m->peerid : "");
	g_string_append(out, "/>");
}

static void msg_encode_lock_resource(const flom_msg *m, GString *out)
{
	unsigned attrs = msg_lock_attrs(m->name);

	if (!m->has_resource)
		return;
	/* The order is the original's: name mode wait quantity create lifespan. */
	g_string_append(out, "<resource");
	msg_append_name(out, m->name);
	if (attrs & MSG_RES_MODE)
		msg_append_attr_int(out, "mode", m->mode);
	msg_append_attr_int(out, "wait", m->wait);
	if (attrs & MSG_RES_QUANTITY)
		msg_append_attr_int(out, "quantity", m->quantity);
	msg_append_attr_int(out, "create", m->create);
	msg_append_attr_int(out, "lifespan", m->lifespan);
	msg_append_client(out, "", &m->client);
	if (m->status) {
		msg_append_attr_int(out, "status", m->status);
		if (m->filter)
			msg_append_b64(out, "filter", m->filter);
	}
	g_string_append(out, "/>");
}

static void msg_encode_unlock_resource(const flom_msg *m, GString *out)
{
	if (!m->has_resource)
		return;
	g_string_append(out, "<resource");
	msg_append_name(out, m->name);
	msg_append_attr_int(out, "rollback", m->rollback);
	/* The original's unlock template has a space before "/>". */
	g_string_append(out, " />");
}

static void msg_encode_answer(const flom_msg *m, GString *out)
{
	if (!m->has_answer)
		return;
	g_string_append(out, "<answer");
	msg_append_attr_int(out, "rc", m->rc);
	if (m->element)
		msg_append_attr_str(out, "element", m->element);
	if (m->has_token) {
		msg_append_attr_open(out, "", "token");
		msg_append_uint(out, m->token);
		g_string_append_c(out, '"');
	}
	if (m->ext > 0)
		msg_append_attr_int(out, "ext", m->ext);
	if (m->has_release)
		msg_append_attr_int(out, "release", m->release_ms);
	if (m->has_holder) {
		msg_append_client(out, "holder-", &m->holder);
		msg_append_attr_int(out, "holder-since", m->holder_since);
	}
	g_string_append(out, "/>");
}

void msg_encode(const flom_msg *m, GString *out)
{
	g_string_append(out, MSG_XML_DECL);
	g_string_append(out, "<msg");
	msg_append_attr_int(out, "level", MSG_LEVEL);
	msg_append_attr_int(out, "verb", m->verb);
	msg_append_attr_int(out, "step", m->step);
	g_string_append_c(out, '>');
	if (m->verb == MSG_VERB_LOCK && m->step == MSG_STEP_REQUEST) {
		msg_encode_session(m, out);
		msg_encode_lock_resource(m, out);
	} else if (m->verb == MSG_VERB_LOCK && m->step == MSG_STEP_COMMAND) {
		g_string_append(out, "<command");
		msg_append_attr_int(out, "pid", m->client.command_pid);
		g_string_append(out, "/>");
	} else if (m->verb == MSG_VERB_STATUS && m->record) {
		msg_encode_record(m, out);
	} else if (m->verb == MSG_VERB_LOCK && msg_step_is_lock_answer(m->step)) {
		if (m->step == MSG_STEP_ANSWER)
			msg_encode_session(m, out);
		msg_encode_answer(m, out);
	} else if (m->verb == MSG_VERB_UNLOCK && m->step == MSG_STEP_REQUEST) {
		msg_encode_unlock_resource(m, out);
	} else if (m->verb == MSG_VERB_DISCOVER && m->step == MSG_STEP_ANSWER && m->has_network) {
		g_string_append(out, "<network");
		msg_append_attr_str(out, "address", m->address ? m->address : "");
		msg_append_attr_int(out, "port", m->port);
		g_string_append(out, "/>");
	} else if (m->verb == MSG_VERB_DISCOVER && m->step == MSG_DISCOVER_STEP_DAEMON) {
		g_string_append(out, "<daemon");
		msg_append_attr_str(out, "id", m->daemon_id ? m->daemon_id : "");
		msg_append_attr_int(out, "started", m->daemon_started);
		msg_append_attr_int(out, "pid", m->daemon_pid);
		msg_append_attr_int(out, "state", m->daemon_state);
		msg_append_attr_int(out, "holders", m->daemon_holders);
		if (m->daemon_port > 0)
			msg_append_attr_int(out, "port", m->daemon_port);
		if (m->daemon_group)
			msg_append_attr_str(out, "group", m->daemon_group);
		g_string_append(out, "/>");
	} else if (m->verb == MSG_VERB_MNGMNT && m->step == MSG_STEP_ANSWER) {
		msg_encode_answer(m, out);
	} else if (m->verb == MSG_VERB_MNGMNT && m->step == MSG_STEP_REQUEST) {
		msg_encode_session(m, out);
		if (m->has_shutdown) {
			g_string_append(out, "<shutdown");
			msg_append_attr_int(out, "immediate", m->immediate);
			g_string_append(out, "/>");
		}
	}
	g_string_append(out, MSG_TRAILER);
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
