/*
 * flom: wire messages (FLoM protocol level 3).
 *
 * The encoder reproduces the original's templates byte for byte (reference
 * §7.3) and only adds escaping, which changes nothing for ordinary values.
 * The decoder is a small hand-written XML reader rather than GMarkup: input
 * comes from anyone who can reach the socket, so it accepts the narrow
 * dialect the protocol uses (one root <msg>, childless children), never
 * recurses, and allocates only copies of attribute values, which are never
 * longer than the input.
 */
#include "msg.h"

#include <stddef.h>
#include <stdarg.h>
#include <string.h>

#include "rsrc_name.h"

#define MSG_XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>"
#define MSG_TRAILER_LEN (sizeof(MSG_TRAILER) - 1)
/* Longest entity body between '&' and ';' we look at ("#x0010FFFF"). */
#define MSG_ENTITY_MAX 10
/* Longest digit string a gint64/guint64 attribute may have (leading zeros
 * included): more is junk, and it keeps error messages short. */
#define MSG_NUMBER_MAX 24
/* Characters of a value or a name quoted in an error message. */
#define MSG_SNIPPET_MAX 32

/* Attributes of <resource>, and which verb accepts them. */
#define MSG_RES_LOCK_ALLOWED (MSG_RES_NAME | MSG_RES_MODE | MSG_RES_WAIT | MSG_RES_QUANTITY | \
			      MSG_RES_CREATE | MSG_RES_LIFESPAN)
#define MSG_RES_UNLOCK_ALLOWED (MSG_RES_NAME | MSG_RES_ROLLBACK)

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
}

void msg_clear(flom_msg *m)
{
	g_free(m->peerid);
	g_free(m->name);
	g_free(m->element);
	g_free(m->address);
	g_free(m->daemon_id);
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
	msg_header(m, MSG_VERB_LOCK, 8);
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
	if (step == 16) {
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
	msg_header(m, MSG_VERB_MNGMNT, 16);
	m->has_answer = TRUE;
	m->rc = rc;
}

void msg_make_unlock(flom_msg *m, const char *name, gboolean rollback)
{
	msg_header(m, MSG_VERB_UNLOCK, 8);
	m->has_resource = TRUE;
	m->name = g_strdup(name ? name : "");
	m->res_attrs = MSG_RES_NAME | MSG_RES_ROLLBACK;
	m->rollback = rollback ? 1 : 0;
}

void msg_make_discover(flom_msg *m)
{
	msg_header(m, MSG_VERB_DISCOVER, 8);
}

void msg_make_discover_reply(flom_msg *m, const char *address, unsigned port)
{
	msg_header(m, MSG_VERB_DISCOVER, 16);
	m->has_network = TRUE;
	m->address = g_strdup(address ? address : "");
	m->port = port;
}

void msg_make_shutdown(flom_msg *m, const char *peerid, gboolean immediate)
{
	msg_header(m, MSG_VERB_MNGMNT, 8);
	m->has_session = TRUE;
	m->peerid = g_strdup(peerid ? peerid : "");
	m->has_shutdown = TRUE;
	m->immediate = immediate ? 1 : 0;
}

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

static void msg_append_attr_str(GString *out, const char *attr, const char *value)
{
	g_string_append_printf(out, " %s=\"", attr);
	msg_append_escaped(out, value);
	g_string_append_c(out, '"');
}

static void msg_append_attr_int(GString *out, const char *attr, gint64 value)
{
	g_string_append_printf(out, " %s=\"%" G_GINT64_FORMAT "\"", attr, value);
}

static void msg_append_name(GString *out, const char *name)
{
	const char *n = name ? name : "";
	g_autofree char *b64 = g_base64_encode((const guchar *)n, strlen(n));

	g_string_append_printf(out, " name=\"%s\"", b64);
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
	if (m->has_token)
		g_string_append_printf(out, " token=\"%" G_GUINT64_FORMAT "\"", m->token);
	g_string_append(out, "/>");
}

void msg_encode(const flom_msg *m, GString *out)
{
	g_string_append(out, MSG_XML_DECL);
	g_string_append_printf(out, "<msg level=\"%d\" verb=\"%d\" step=\"%d\">",
			       MSG_LEVEL, m->verb, m->step);
	if (m->verb == MSG_VERB_LOCK && m->step == 8) {
		msg_encode_session(m, out);
		msg_encode_lock_resource(m, out);
	} else if (m->verb == MSG_VERB_LOCK && (m->step == 16 || m->step == 24 || m->step == 32)) {
		if (m->step == 16)
			msg_encode_session(m, out);
		msg_encode_answer(m, out);
	} else if (m->verb == MSG_VERB_UNLOCK && m->step == 8) {
		msg_encode_unlock_resource(m, out);
	} else if (m->verb == MSG_VERB_DISCOVER && m->step == 16 && m->has_network) {
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
		g_string_append(out, "/>");
	} else if (m->verb == MSG_VERB_MNGMNT && m->step == 16) {
		msg_encode_answer(m, out);
	} else if (m->verb == MSG_VERB_MNGMNT && m->step == 8) {
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

/* ------------------------------------------------------------------------ */
/* decoding: errors                                                         */

static int msg_fail(GError **err, msg_error_code code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static int msg_fail(GError **err, msg_error_code code, const char *fmt, ...)
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
static char *msg_snippet(const char *s, size_t len)
{
	g_autofree char *head = g_strndup(s, MIN(len, (size_t)MSG_SNIPPET_MAX));
	g_autofree char *esc = g_strescape(head, NULL);

	return g_strconcat(esc, len > MSG_SNIPPET_MAX ? "..." : "", NULL);
}

/* ------------------------------------------------------------------------ */
/* decoding: tokens                                                         */

typedef struct {
	const char *name;        /* points into the input */
	size_t name_len;
	char *value;             /* entities decoded, NUL-terminated */
	size_t value_len;
} msg_attr;

typedef struct {
	const char *name;        /* points into the input */
	size_t name_len;
	msg_attr attrs[MSG_ATTRS_MAX];
	unsigned n_attrs;
	gboolean empty;          /* written <x .../> */
} msg_tag;

typedef struct {
	const char *p;
	const char *end;
	const char *start;
} msg_parser;

static void msg_tag_clear(msg_tag *t)
{
	unsigned i;

	for (i = 0; i < t->n_attrs; i++)
		g_free(t->attrs[i].value);
	memset(t, 0, sizeof(*t));
}

static gboolean msg_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static gboolean msg_is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static gboolean msg_is_name_char(char c)
{
	return msg_is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static gboolean msg_eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

static gboolean msg_skip_space(msg_parser *ps)
{
	const char *from = ps->p;

	while (ps->p < ps->end && msg_is_space(*ps->p))
		ps->p++;
	return ps->p != from;
}

static gboolean msg_at(const msg_parser *ps, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(ps->end - ps->p) >= n && memcmp(ps->p, lit, n) == 0;
}

static int msg_truncated(GError **err)
{
	return msg_fail(err, MSG_ERROR_SYNTAX, "truncated message");
}

static int msg_expect(msg_parser *ps, char c, const char *where, GError **err)
{
	if (ps->p >= ps->end)
		return msg_truncated(err);
	if (*ps->p != c) {
		g_autofree char *got = msg_snippet(ps->p, 1);

		return msg_fail(err, MSG_ERROR_SYNTAX, "expected '%c' %s at offset %td, found '%s'",
				c, where, ps->p - ps->start, got);
	}
	ps->p++;
	return 0;
}

/* Bytes no message may contain, whatever their place: XML 1.0 allows no NUL
 * and no control character but tab, newline and carriage return; the
 * declared encoding is UTF-8. */
static int msg_check_bytes(const char *buf, size_t len, GError **err)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == 0)
			return msg_fail(err, MSG_ERROR_SYNTAX, "NUL byte at offset %zu", i);
		if (c < 0x20 && !msg_is_space((char)c))
			return msg_fail(err, MSG_ERROR_SYNTAX,
					"control character 0x%02x at offset %zu", c, i);
	}
	if (!g_utf8_validate(buf, (gssize)len, NULL))
		return msg_fail(err, MSG_ERROR_SYNTAX, "message is not valid UTF-8");
	return 0;
}

static int msg_parse_name(msg_parser *ps, const char **name, size_t *len, GError **err)
{
	const char *from = ps->p;

	if (ps->p >= ps->end)
		return msg_truncated(err);
	if (!msg_is_name_start(*ps->p)) {
		g_autofree char *got = msg_snippet(ps->p, 1);

		return msg_fail(err, MSG_ERROR_SYNTAX, "invalid name at offset %td: '%s'",
				ps->p - ps->start, got);
	}
	while (ps->p < ps->end && msg_is_name_char(*ps->p))
		ps->p++;
	*name = from;
	*len = (size_t)(ps->p - from);
	return 0;
}

/* Value of the character reference body ("#65", "#x41"), 0 when invalid. */
static gunichar msg_char_ref(const char *s, size_t len)
{
	gunichar v = 0;
	size_t i = 1;
	gboolean hex = len > 1 && s[1] == 'x';

	if (hex)
		i++;
	if (i >= len)
		return 0;
	for (; i < len; i++) {
		int d = g_ascii_xdigit_value(s[i]);

		if (d < 0 || (!hex && d > 9))
			return 0;
		v = v * (hex ? 16 : 10) + (gunichar)d;
		if (v > 0x10FFFF)
			return 0;
	}
	/* The characters XML 1.0 allows (production Char). */
	if (v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) ||
	    (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF))
		return v;
	return 0;
}

/* Decode the entities of a raw attribute value. Every entity is at least as
 * long as its UTF-8 expansion, so the copy never outgrows the input. */
static char *msg_unescape(const char *s, size_t len, size_t *out_len, GError **err)
{
	char *out = g_malloc(len + 1);
	size_t i = 0, o = 0;

	while (i < len) {
		const char *semi;
		const char *body;
		size_t blen;
		gunichar cp;

		if (s[i] == '<') {
			msg_fail(err, MSG_ERROR_SYNTAX, "'<' in an attribute value");
			goto fail;
		}
		if (s[i] != '&') {
			out[o++] = s[i++];
			continue;
		}
		body = s + i + 1;
		semi = memchr(body, ';', MIN(len - i - 1, (size_t)MSG_ENTITY_MAX + 1));
		if (!semi) {
			g_autofree char *got = msg_snippet(s + i, len - i);

			msg_fail(err, MSG_ERROR_SYNTAX, "invalid entity '%s'", got);
			goto fail;
		}
		blen = (size_t)(semi - body);
		if (msg_eq(body, blen, "amp"))
			out[o++] = '&';
		else if (msg_eq(body, blen, "lt"))
			out[o++] = '<';
		else if (msg_eq(body, blen, "gt"))
			out[o++] = '>';
		else if (msg_eq(body, blen, "quot"))
			out[o++] = '"';
		else if (msg_eq(body, blen, "apos"))
			out[o++] = '\'';
		else if (blen > 0 && body[0] == '#' && (cp = msg_char_ref(body, blen)) != 0)
			o += (size_t)g_unichar_to_utf8(cp, out + o);
		else {
			g_autofree char *got = msg_snippet(s + i, blen + 2);

			msg_fail(err, MSG_ERROR_SYNTAX, "invalid entity '%s'", got);
			goto fail;
		}
		i += blen + 2;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
fail:
	g_free(out);
	return NULL;
}

/* Attributes of a start tag (or of the XML declaration) up to the first
 * character that cannot start one; the caller checks the terminator. */
static int msg_parse_attrs(msg_parser *ps, msg_tag *t, GError **err)
{
	for (;;) {
		gboolean spaced = msg_skip_space(ps);
		msg_attr *a;
		const char *close;
		char quote;
		unsigned i;

		if (ps->p >= ps->end)
			return msg_truncated(err);
		if (!msg_is_name_start(*ps->p))
			return 0;
		if (!spaced)
			return msg_fail(err, MSG_ERROR_SYNTAX,
					"missing space before attribute at offset %td",
					ps->p - ps->start);
		if (t->n_attrs == MSG_ATTRS_MAX)
			return msg_fail(err, MSG_ERROR_SYNTAX, "too many attributes in <%.*s>",
					(int)MIN(t->name_len, (size_t)MSG_SNIPPET_MAX), t->name);
		a = &t->attrs[t->n_attrs];
		if (msg_parse_name(ps, &a->name, &a->name_len, err) < 0)
			return -1;
		msg_skip_space(ps);
		if (msg_expect(ps, '=', "after an attribute name", err) < 0)
			return -1;
		msg_skip_space(ps);
		if (ps->p >= ps->end)
			return msg_truncated(err);
		quote = *ps->p;
		if (quote != '"' && quote != '\'')
			return msg_fail(err, MSG_ERROR_SYNTAX,
					"attribute '%.*s' value is not quoted",
					(int)MIN(a->name_len, (size_t)MSG_SNIPPET_MAX), a->name);
		ps->p++;
		close = memchr(ps->p, quote, (size_t)(ps->end - ps->p));
		if (!close)
			return msg_truncated(err);
		for (i = 0; i < t->n_attrs; i++) {
			if (t->attrs[i].name_len == a->name_len &&
			    memcmp(t->attrs[i].name, a->name, a->name_len) == 0)
				return msg_fail(err, MSG_ERROR_SYNTAX,
						"duplicate attribute '%.*s' in <%.*s>",
						(int)MIN(a->name_len, (size_t)MSG_SNIPPET_MAX), a->name,
						(int)MIN(t->name_len, (size_t)MSG_SNIPPET_MAX), t->name);
		}
		a->value = msg_unescape(ps->p, (size_t)(close - ps->p), &a->value_len, err);
		if (!a->value)
			return -1;
		t->n_attrs++;
		ps->p = close + 1;
	}
}

/* "<?xml version="1.0" encoding="UTF-8" ?>": optional, checked, ignored. */
static int msg_parse_decl(msg_parser *ps, GError **err)
{
	msg_tag t = { .name = "xml", .name_len = 3 };
	int rc = -1;
	unsigned i;

	ps->p += strlen("<?xml");
	if (ps->p < ps->end && !msg_is_space(*ps->p)) {
		msg_fail(err, MSG_ERROR_SYNTAX, "processing instructions are not allowed");
		goto out;
	}
	if (msg_parse_attrs(ps, &t, err) < 0)
		goto out;
	if (!msg_at(ps, "?>")) {
		if (ps->p + 1 >= ps->end)
			msg_truncated(err);
		else
			msg_fail(err, MSG_ERROR_SYNTAX, "malformed XML declaration");
		goto out;
	}
	ps->p += 2;
	for (i = 0; i < t.n_attrs; i++) {
		const msg_attr *a = &t.attrs[i];

		if (msg_eq(a->name, a->name_len, "encoding")) {
			if (g_ascii_strcasecmp(a->value, "UTF-8") != 0) {
				g_autofree char *v = msg_snippet(a->value, a->value_len);

				msg_fail(err, MSG_ERROR_SYNTAX, "unsupported encoding '%s'", v);
				goto out;
			}
		} else if (!msg_eq(a->name, a->name_len, "version") &&
			   !msg_eq(a->name, a->name_len, "standalone")) {
			msg_fail(err, MSG_ERROR_SYNTAX, "unknown attribute '%.*s' in the XML declaration",
				 (int)MIN(a->name_len, (size_t)MSG_SNIPPET_MAX), a->name);
			goto out;
		}
	}
	rc = 0;
out:
	msg_tag_clear(&t);
	return rc;
}

/* A start tag at ps->p ("<name attrs>" or "<name attrs/>"). */
static int msg_parse_start_tag(msg_parser *ps, msg_tag *t, GError **err)
{
	if (msg_expect(ps, '<', "to open an element", err) < 0)
		return -1;
	if (ps->p >= ps->end)
		return msg_truncated(err);
	if (*ps->p == '!')
		return msg_fail(err, MSG_ERROR_SYNTAX,
				"comments, CDATA and DOCTYPE are not allowed (offset %td)",
				ps->p - ps->start);
	if (*ps->p == '?')
		return msg_fail(err, MSG_ERROR_SYNTAX,
				"processing instructions are not allowed (offset %td)",
				ps->p - ps->start);
	if (msg_parse_name(ps, &t->name, &t->name_len, err) < 0)
		return -1;
	if (msg_parse_attrs(ps, t, err) < 0)
		return -1;
	if (msg_at(ps, "/>")) {
		t->empty = TRUE;
		ps->p += 2;
		return 0;
	}
	if (msg_at(ps, ">")) {
		ps->p++;
		return 0;
	}
	if (ps->p + 1 >= ps->end)
		return msg_truncated(err);
	return msg_fail(err, MSG_ERROR_SYNTAX, "malformed tag <%.*s> at offset %td",
			(int)MIN(t->name_len, (size_t)MSG_SNIPPET_MAX), t->name,
			ps->p - ps->start);
}

/* "</name>" with optional space before '>'; name must be the open one. */
static int msg_parse_end_tag(msg_parser *ps, const char *name, size_t name_len, GError **err)
{
	const char *got;
	size_t got_len;

	ps->p += 2; /* "</" */
	if (msg_parse_name(ps, &got, &got_len, err) < 0)
		return -1;
	if (got_len != name_len || memcmp(got, name, name_len) != 0)
		return msg_fail(err, MSG_ERROR_SYNTAX, "closing tag </%.*s> does not match <%.*s>",
				(int)MIN(got_len, (size_t)MSG_SNIPPET_MAX), got,
				(int)MIN(name_len, (size_t)MSG_SNIPPET_MAX), name);
	msg_skip_space(ps);
	return msg_expect(ps, '>', "to close an end tag", err);
}

/* What may sit between a child's start and end tags: whitespace only. */
static int msg_parse_child_content(msg_parser *ps, const msg_tag *t, GError **err)
{
	msg_skip_space(ps);
	if (ps->p >= ps->end)
		return msg_truncated(err);
	if (msg_at(ps, "</"))
		return msg_parse_end_tag(ps, t->name, t->name_len, err);
	if (*ps->p == '<')
		return msg_fail(err, MSG_ERROR_SHAPE, "element nested in <%.*s> (offset %td)",
				(int)MIN(t->name_len, (size_t)MSG_SNIPPET_MAX), t->name,
				ps->p - ps->start);
	return msg_fail(err, MSG_ERROR_SYNTAX, "text content in <%.*s> (offset %td)",
			(int)MIN(t->name_len, (size_t)MSG_SNIPPET_MAX), t->name,
			ps->p - ps->start);
}

/* ------------------------------------------------------------------------ */
/* decoding: values                                                         */

static int msg_parse_int(const char *elem, const msg_attr *a, gint64 *out, GError **err)
{
	const char *s = a->value;
	gboolean neg = *s == '-';
	guint64 v = 0;
	size_t i = neg ? 1 : 0;
	guint64 limit = neg ? (guint64)G_MAXINT64 + 1 : (guint64)G_MAXINT64;

	if (a->value_len == i || a->value_len > MSG_NUMBER_MAX)
		goto bad;
	for (; i < a->value_len; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		if (v > (limit - (guint64)(s[i] - '0')) / 10)
			goto range;
		v = v * 10 + (guint64)(s[i] - '0');
	}
	if (!neg)
		*out = (gint64)v;
	else if (v == (guint64)G_MAXINT64 + 1)
		*out = G_MININT64;
	else
		*out = -(gint64)v;
	return 0;
bad: {
	g_autofree char *got = msg_snippet(a->value, a->value_len);

	return msg_fail(err, MSG_ERROR_SYNTAX, "attribute '%.*s' of <%s> is not an integer: '%s'",
			(int)a->name_len, a->name, elem, got);
}
range:
	return msg_fail(err, MSG_ERROR_SYNTAX, "attribute '%.*s' of <%s> out of range",
			(int)a->name_len, a->name, elem);
}

static int msg_parse_uint(const char *elem, const msg_attr *a, guint64 *out, GError **err)
{
	guint64 v = 0;
	size_t i;

	if (a->value_len == 0 || a->value_len > MSG_NUMBER_MAX)
		goto bad;
	for (i = 0; i < a->value_len; i++) {
		char c = a->value[i];

		if (c < '0' || c > '9')
			goto bad;
		if (v > (G_MAXUINT64 - (guint64)(c - '0')) / 10)
			return msg_fail(err, MSG_ERROR_SYNTAX, "attribute '%.*s' of <%s> out of range",
					(int)a->name_len, a->name, elem);
		v = v * 10 + (guint64)(c - '0');
	}
	*out = v;
	return 0;
bad: {
	g_autofree char *got = msg_snippet(a->value, a->value_len);

	return msg_fail(err, MSG_ERROR_SYNTAX,
			"attribute '%.*s' of <%s> is not an unsigned integer: '%s'",
			(int)a->name_len, a->name, elem, got);
}
}

/* Take the decoded value of a string attribute, at most max bytes. */
static int msg_take_string(const char *elem, msg_attr *a, size_t max, char **out, GError **err)
{
	if (a->value_len > max)
		return msg_fail(err, MSG_ERROR_SYNTAX,
				"attribute '%.*s' of <%s> too long (%zu bytes, at most %zu)",
				(int)a->name_len, a->name, elem, a->value_len, max);
	g_free(*out);
	*out = a->value;
	a->value = NULL;
	return 0;
}

static int msg_b64_digit(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict RFC 4648 base64 (g_base64_decode skips invalid characters, which
 * would let two different texts name one resource). */
static int msg_b64_decode(const char *s, size_t len, char *out, size_t *out_len)
{
	size_t i, o = 0;

	if (len % 4 != 0)
		return -1;
	for (i = 0; i < len; i += 4) {
		gboolean last = i + 4 == len;
		int d[4];
		int pad = 0, k;
		guint32 bits = 0;

		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=' && last && k >= 2) {
				d[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0)
				return -1; /* data after padding */
			d[k] = msg_b64_digit(s[i + k]);
			if (d[k] < 0)
				return -1;
		}
		bits = ((guint32)d[0] << 18) | ((guint32)d[1] << 12) | ((guint32)d[2] << 6) |
		       (guint32)d[3];
		/* Bits the padding drops must be zero, so each name has one text. */
		if ((pad == 1 && (bits & 0xFF) != 0) || (pad == 2 && (bits & 0xFFFF) != 0))
			return -1;
		out[o++] = (char)(bits >> 16);
		if (pad < 2)
			out[o++] = (char)(bits >> 8);
		if (pad < 1)
			out[o++] = (char)bits;
	}
	out[o] = '\0';
	*out_len = o;
	return 0;
}

static int msg_take_name(flom_msg *m, const msg_attr *a, GError **err)
{
	char *name;
	size_t len;

	/* Checked before decoding so a long text costs nothing. */
	if (a->value_len / 4 * 3 > FLOM_RESOURCE_NAME_MAX + 2)
		return msg_fail(err, MSG_ERROR_SYNTAX, "resource name too long (more than %d bytes)",
				FLOM_RESOURCE_NAME_MAX);
	name = g_malloc(a->value_len / 4 * 3 + 1);
	if (msg_b64_decode(a->value, a->value_len, name, &len) < 0) {
		g_autofree char *got = msg_snippet(a->value, a->value_len);

		g_free(name);
		return msg_fail(err, MSG_ERROR_SYNTAX, "resource name is not valid base64: '%s'", got);
	}
	if (memchr(name, '\0', len)) {
		g_free(name);
		return msg_fail(err, MSG_ERROR_SYNTAX, "resource name contains a NUL byte");
	}
	if (len > FLOM_RESOURCE_NAME_MAX) {
		g_free(name);
		return msg_fail(err, MSG_ERROR_SYNTAX, "resource name too long (%zu bytes, at most %d)",
				len, FLOM_RESOURCE_NAME_MAX);
	}
	g_free(m->name);
	m->name = name;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* decoding: elements                                                       */

static int msg_unknown_attr(const char *elem, const msg_attr *a, GError **err)
{
	return msg_fail(err, MSG_ERROR_SHAPE, "attribute '%.*s' not allowed in <%s>",
			(int)MIN(a->name_len, (size_t)MSG_SNIPPET_MAX), a->name, elem);
}

static int msg_missing_attr(const char *elem, const char *attr, GError **err)
{
	return msg_fail(err, MSG_ERROR_SHAPE, "missing attribute '%s' in <%s>", attr, elem);
}

static int msg_apply_msg(flom_msg *m, msg_tag *t, GError **err)
{
	gint64 level = -1, verb = -1, step = -1;
	gboolean has_level = FALSE, has_verb = FALSE, has_step = FALSE;
	unsigned i;

	for (i = 0; i < t->n_attrs; i++) {
		const msg_attr *a = &t->attrs[i];

		if (msg_eq(a->name, a->name_len, "level")) {
			if (msg_parse_int("msg", a, &level, err) < 0)
				return -1;
			has_level = TRUE;
		} else if (msg_eq(a->name, a->name_len, "verb")) {
			if (msg_parse_int("msg", a, &verb, err) < 0)
				return -1;
			has_verb = TRUE;
		} else if (msg_eq(a->name, a->name_len, "step")) {
			if (msg_parse_int("msg", a, &step, err) < 0)
				return -1;
			has_step = TRUE;
		} else {
			return msg_unknown_attr("msg", a, err);
		}
	}
	/* The original accepts a missing level (reference §11.26); we do not. */
	if (!has_level)
		return msg_fail(err, MSG_ERROR_LEVEL, "missing protocol level");
	if (level != MSG_LEVEL)
		return msg_fail(err, MSG_ERROR_LEVEL, "unsupported protocol level %" G_GINT64_FORMAT,
				level);
	if (!has_verb)
		return msg_missing_attr("msg", "verb", err);
	if (!has_step)
		return msg_missing_attr("msg", "step", err);
	if (verb < MSG_VERB_LOCK || verb > MSG_VERB_MNGMNT)
		return msg_fail(err, MSG_ERROR_SHAPE, "unknown verb %" G_GINT64_FORMAT, verb);
	switch (verb) {
	case MSG_VERB_LOCK:
		if (step == 8 || step == 16 || step == 24 || step == 32)
			break;
		goto bad_step;
	case MSG_VERB_UNLOCK:
		if (step == 8)
			break;
		goto bad_step;
	case MSG_VERB_MNGMNT: /* 16: our answer to a refused request */
		if (step == 8 || step == 16)
			break;
		goto bad_step;
	case MSG_VERB_DISCOVER:
		if (step == 8 || step == 16 || step == MSG_DISCOVER_STEP_DAEMON)
			break;
		goto bad_step;
	default: /* ping */
		if (step == 8 || step == 16)
			break;
		goto bad_step;
	}
	m->level = (int)level;
	m->verb = (int)verb;
	m->step = (int)step;
	return 0;
bad_step:
	return msg_fail(err, MSG_ERROR_SHAPE, "unknown step %" G_GINT64_FORMAT " for verb %" G_GINT64_FORMAT,
			step, verb);
}

static int msg_apply_session(flom_msg *m, msg_tag *t, GError **err)
{
	unsigned i;

	for (i = 0; i < t->n_attrs; i++) {
		msg_attr *a = &t->attrs[i];

		if (!msg_eq(a->name, a->name_len, "peerid"))
			return msg_unknown_attr("session", a, err);
		if (msg_take_string("session", a, FLOM_PEERID_MAX, &m->peerid, err) < 0)
			return -1;
	}
	if (!m->peerid)
		return msg_missing_attr("session", "peerid", err);
	m->has_session = TRUE;
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
	size_t offset;
} msg_res_ints[] = {
	{ "mode", MSG_RES_MODE, offsetof(flom_msg, mode) },
	{ "wait", MSG_RES_WAIT, offsetof(flom_msg, wait) },
	{ "quantity", MSG_RES_QUANTITY, offsetof(flom_msg, quantity) },
	{ "create", MSG_RES_CREATE, offsetof(flom_msg, create) },
	{ "lifespan", MSG_RES_LIFESPAN, offsetof(flom_msg, lifespan) },
	{ "rollback", MSG_RES_ROLLBACK, offsetof(flom_msg, rollback) },
};

static int msg_apply_resource(flom_msg *m, msg_tag *t, GError **err)
{
	unsigned allowed = m->verb == MSG_VERB_LOCK ? MSG_RES_LOCK_ALLOWED : MSG_RES_UNLOCK_ALLOWED;
	unsigned i, k;

	for (i = 0; i < t->n_attrs; i++) {
		const msg_attr *a = &t->attrs[i];

		if (msg_eq(a->name, a->name_len, "name")) {
			if (msg_take_name(m, a, err) < 0)
				return -1;
			m->res_attrs |= MSG_RES_NAME;
			continue;
		}
		for (k = 0; k < G_N_ELEMENTS(msg_res_ints); k++)
			if (msg_eq(a->name, a->name_len, msg_res_ints[k].name))
				break;
		/* Unknown attributes are ignored, as by the original (§7.4). */
		if (k == G_N_ELEMENTS(msg_res_ints))
			continue;
		if (!(allowed & msg_res_ints[k].bit))
			return msg_fail(err, MSG_ERROR_SHAPE, "attribute '%s' not allowed in %s",
					msg_res_ints[k].name,
					m->verb == MSG_VERB_LOCK ? "a lock request" : "an unlock request");
		if (msg_parse_int("resource", a,
				  (gint64 *)((char *)m + msg_res_ints[k].offset), err) < 0)
			return -1;
		m->res_attrs |= msg_res_ints[k].bit;
	}
	if (!(m->res_attrs & MSG_RES_NAME))
		return msg_missing_attr("resource", "name", err);
	m->has_resource = TRUE;
	return 0;
}

static int msg_apply_answer(flom_msg *m, msg_tag *t, GError **err)
{
	gboolean has_rc = FALSE;
	unsigned i;

	for (i = 0; i < t->n_attrs; i++) {
		msg_attr *a = &t->attrs[i];

		if (msg_eq(a->name, a->name_len, "rc")) {
			if (msg_parse_int("answer", a, &m->rc, err) < 0)
				return -1;
			has_rc = TRUE;
		} else if (msg_eq(a->name, a->name_len, "element")) {
			if (msg_take_string("answer", a, FLOM_ELEMENT_MAX, &m->element, err) < 0)
				return -1;
		} else if (msg_eq(a->name, a->name_len, "token")) {
			if (msg_parse_uint("answer", a, &m->token, err) < 0)
				return -1;
			m->has_token = TRUE;
		}
		/* else: ignored, as by the original (§7.4) */
	}
	if (!has_rc)
		return msg_missing_attr("answer", "rc", err);
	m->has_answer = TRUE;
	return 0;
}

static int msg_apply_network(flom_msg *m, msg_tag *t, GError **err)
{
	gboolean has_port = FALSE;
	unsigned i;

	for (i = 0; i < t->n_attrs; i++) {
		msg_attr *a = &t->attrs[i];

		if (msg_eq(a->name, a->name_len, "address")) {
			if (msg_take_string("network", a, MSG_ADDRESS_MAX, &m->address, err) < 0)
				return -1;
		} else if (msg_eq(a->name, a->name_len, "port")) {
			if (msg_parse_int("network", a, &m->port, err) < 0)
				return -1;
			has_port = TRUE;
		} else {
			return msg_unknown_attr("network", a, err);
		}
	}
	if (!m->address)
		return msg_missing_attr("network", "address", err);
	if (!has_port)
		return msg_missing_attr("network", "port", err);
	m->has_network = TRUE;
	return 0;
}

/* <daemon id="" started="" pid="" state="" holders=""/>: all required. */
static int msg_apply_daemon(flom_msg *m, msg_tag *t, GError **err)
{
	static const char *const names[] = { "started", "pid", "state", "holders" };
	gint64 *fields[] = { &m->daemon_started, &m->daemon_pid, &m->daemon_state,
			     &m->daemon_holders };
	unsigned seen = 0;

	for (unsigned i = 0; i < t->n_attrs; i++) {
		msg_attr *a = &t->attrs[i];
		unsigned k;

		if (msg_eq(a->name, a->name_len, "id")) {
			if (msg_take_string("daemon", a, FLOM_PEERID_MAX, &m->daemon_id, err) < 0)
				return -1;
			continue;
		}
		for (k = 0; k < G_N_ELEMENTS(names); k++)
			if (msg_eq(a->name, a->name_len, names[k]))
				break;
		if (k == G_N_ELEMENTS(names))
			return msg_unknown_attr("daemon", a, err);
		if (msg_parse_int("daemon", a, fields[k], err) < 0)
			return -1;
		seen |= 1u << k;
	}
	if (!m->daemon_id)
		return msg_missing_attr("daemon", "id", err);
	for (unsigned k = 0; k < G_N_ELEMENTS(names); k++)
		if (!(seen & (1u << k)))
			return msg_missing_attr("daemon", names[k], err);
	if (m->daemon_state < MSG_DAEMON_SETTLING || m->daemon_state > MSG_DAEMON_RETIRING ||
	    m->daemon_pid <= 0 || m->daemon_holders < 0)
		return msg_fail(err, MSG_ERROR_SHAPE, "<daemon> attribute out of range");
	m->has_daemon = TRUE;
	return 0;
}

static int msg_apply_shutdown(flom_msg *m, msg_tag *t, GError **err)
{
	gboolean has_immediate = FALSE;
	unsigned i;

	for (i = 0; i < t->n_attrs; i++) {
		const msg_attr *a = &t->attrs[i];

		if (!msg_eq(a->name, a->name_len, "immediate"))
			return msg_unknown_attr("shutdown", a, err);
		if (msg_parse_int("shutdown", a, &m->immediate, err) < 0)
			return -1;
		has_immediate = TRUE;
	}
	if (!has_immediate)
		return msg_missing_attr("shutdown", "immediate", err);
	m->has_shutdown = TRUE;
	return 0;
}

typedef enum {
	MSG_CHILD_UNKNOWN,
	MSG_CHILD_SESSION,
	MSG_CHILD_RESOURCE,
	MSG_CHILD_ANSWER,
	MSG_CHILD_NETWORK,
	MSG_CHILD_SHUTDOWN,
	MSG_CHILD_DAEMON,
} msg_child;

static const char *const msg_child_names[] = {
	[MSG_CHILD_SESSION] = "session",
	[MSG_CHILD_RESOURCE] = "resource",
	[MSG_CHILD_ANSWER] = "answer",
	[MSG_CHILD_NETWORK] = "network",
	[MSG_CHILD_SHUTDOWN] = "shutdown",
	[MSG_CHILD_DAEMON] = "daemon",
};

/* The element a verb/step is about (required), or MSG_CHILD_UNKNOWN. */
static msg_child msg_main_child(int verb, int step)
{
	if ((verb == MSG_VERB_LOCK || verb == MSG_VERB_UNLOCK) && step == 8)
		return MSG_CHILD_RESOURCE;
	if (verb == MSG_VERB_LOCK)
		return MSG_CHILD_ANSWER;
	if (verb == MSG_VERB_DISCOVER && step == 16)
		return MSG_CHILD_NETWORK;
	if (verb == MSG_VERB_DISCOVER && step == MSG_DISCOVER_STEP_DAEMON)
		return MSG_CHILD_DAEMON;
	if (verb == MSG_VERB_MNGMNT)
		return step == 8 ? MSG_CHILD_SHUTDOWN : MSG_CHILD_ANSWER;
	return MSG_CHILD_UNKNOWN;
}

/* Whether the message already holds a child of that kind. */
static gboolean msg_has_child(const flom_msg *m, msg_child c)
{
	switch (c) {
	case MSG_CHILD_SESSION: return m->has_session;
	case MSG_CHILD_RESOURCE: return m->has_resource;
	case MSG_CHILD_ANSWER: return m->has_answer;
	case MSG_CHILD_NETWORK: return m->has_network;
	case MSG_CHILD_SHUTDOWN: return m->has_shutdown;
	case MSG_CHILD_DAEMON: return m->has_daemon;
	case MSG_CHILD_UNKNOWN:
	default: return FALSE;
	}
}

static int msg_apply_child(flom_msg *m, msg_tag *t, GError **err)
{
	msg_child c = MSG_CHILD_UNKNOWN;
	gboolean allowed;
	unsigned k;

	for (k = 1; k < G_N_ELEMENTS(msg_child_names); k++)
		if (msg_eq(t->name, t->name_len, msg_child_names[k]))
			c = (msg_child)k;
	if (msg_eq(t->name, t->name_len, "msg"))
		return msg_fail(err, MSG_ERROR_SHAPE, "<msg> nested in <msg>");
	if (c == MSG_CHILD_UNKNOWN) {
		/* Ignored when empty, invalid otherwise (reference §7.4). */
		if (t->n_attrs > 0)
			return msg_fail(err, MSG_ERROR_SHAPE, "unknown element <%.*s> with attributes",
					(int)MIN(t->name_len, (size_t)MSG_SNIPPET_MAX), t->name);
		return 0;
	}
	if (c == MSG_CHILD_SESSION)
		allowed = (m->verb == MSG_VERB_LOCK && (m->step == 8 || m->step == 16)) ||
			  (m->verb == MSG_VERB_MNGMNT && m->step == 8);
	else
		allowed = msg_main_child(m->verb, m->step) == c;
	if (!allowed)
		return msg_fail(err, MSG_ERROR_SHAPE, "element <%s> not allowed in verb %d step %d",
				msg_child_names[c], m->verb, m->step);
	if (msg_has_child(m, c))
		return msg_fail(err, MSG_ERROR_SHAPE, "duplicate element <%s>", msg_child_names[c]);
	switch (c) {
	case MSG_CHILD_SESSION: return msg_apply_session(m, t, err);
	case MSG_CHILD_RESOURCE: return msg_apply_resource(m, t, err);
	case MSG_CHILD_ANSWER: return msg_apply_answer(m, t, err);
	case MSG_CHILD_NETWORK: return msg_apply_network(m, t, err);
	case MSG_CHILD_SHUTDOWN: return msg_apply_shutdown(m, t, err);
	case MSG_CHILD_DAEMON: return msg_apply_daemon(m, t, err);
	case MSG_CHILD_UNKNOWN:
	default: return 0;
	}
}

/* The children of <msg> up to and including "</msg>". */
static int msg_parse_children(msg_parser *ps, flom_msg *m, GError **err)
{
	for (;;) {
		msg_tag t = { 0 };
		int rc;

		msg_skip_space(ps);
		if (ps->p >= ps->end)
			return msg_truncated(err);
		/* Exactly the trailer, so that framing a stream (which looks for
		 * these bytes) and decoding agree on where a message ends. */
		if (msg_at(ps, MSG_TRAILER)) {
			ps->p += MSG_TRAILER_LEN;
			return 0;
		}
		if (msg_at(ps, "</"))
			return msg_parse_end_tag(ps, "msg", 3, err) < 0
				       ? -1
				       : msg_fail(err, MSG_ERROR_SYNTAX,
						  "the message must end with exactly %s", MSG_TRAILER);
		if (*ps->p != '<')
			return msg_fail(err, MSG_ERROR_SYNTAX, "text content in <msg> (offset %td)",
					ps->p - ps->start);
		rc = msg_parse_start_tag(ps, &t, err);
		if (rc == 0 && !t.empty)
			rc = msg_parse_child_content(ps, &t, err);
		if (rc == 0)
			rc = msg_apply_child(m, &t, err);
		msg_tag_clear(&t);
		if (rc < 0)
			return -1;
	}
}

int msg_decode(const char *buf, size_t len, flom_msg *m, GError **err)
{
	msg_parser ps = { .p = buf, .end = buf + len, .start = buf };
	msg_tag root = { 0 };
	msg_child main_child;

	msg_init(m);
	if (len == 0) {
		msg_fail(err, MSG_ERROR_SYNTAX, "empty message");
		goto fail;
	}
	if (len > FLOM_MSG_MAX) {
		msg_fail(err, MSG_ERROR_SYNTAX, "message too long (%zu bytes, at most %d)", len,
			 FLOM_MSG_MAX);
		goto fail;
	}
	if (msg_check_bytes(buf, len, err) < 0)
		goto fail;
	msg_skip_space(&ps);
	if (msg_at(&ps, "<?xml") && msg_parse_decl(&ps, err) < 0)
		goto fail;
	msg_skip_space(&ps);
	if (ps.p >= ps.end) {
		msg_truncated(err);
		goto fail;
	}
	if (msg_parse_start_tag(&ps, &root, err) < 0)
		goto fail;
	if (!msg_eq(root.name, root.name_len, "msg")) {
		msg_fail(err, MSG_ERROR_SHAPE, "root element must be <msg>, not <%.*s>",
			 (int)MIN(root.name_len, (size_t)MSG_SNIPPET_MAX), root.name);
		goto fail;
	}
	if (root.empty) {
		msg_fail(err, MSG_ERROR_SYNTAX, "<msg/> must be closed by %s", MSG_TRAILER);
		goto fail;
	}
	if (msg_apply_msg(m, &root, err) < 0)
		goto fail;
	if (msg_parse_children(&ps, m, err) < 0)
		goto fail;
	if (ps.p != ps.end) {
		msg_fail(err, MSG_ERROR_SYNTAX, "%td bytes after %s", ps.end - ps.p, MSG_TRAILER);
		goto fail;
	}
	main_child = msg_main_child(m->verb, m->step);
	if (main_child != MSG_CHILD_UNKNOWN && !msg_has_child(m, main_child)) {
		msg_fail(err, MSG_ERROR_SHAPE, "missing element <%s> in verb %d step %d",
			 msg_child_names[main_child], m->verb, m->step);
		goto fail;
	}
	msg_tag_clear(&root);
	return 0;
fail:
	msg_tag_clear(&root);
	msg_clear(m);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* semantic checks of client requests                                       */

static int msg_check_range(const char *attr, gint64 v, gint64 lo, gint64 hi, GError **err)
{
	if (v < lo || v > hi)
		return msg_fail(err, MSG_ERROR_REQUEST, "attribute '%s' out of range: %" G_GINT64_FORMAT,
				attr, v);
	return 0;
}

static int msg_check_name(const flom_msg *m, const char *what, GError **err)
{
	if (!m->has_resource || !m->name || !(m->res_attrs & MSG_RES_NAME))
		return msg_fail(err, MSG_ERROR_REQUEST, "%s without a resource name", what);
	if (strlen(m->name) > FLOM_RESOURCE_NAME_MAX)
		return msg_fail(err, MSG_ERROR_REQUEST, "resource name too long");
	return 0;
}

static int msg_check_session(const flom_msg *m, GError **err)
{
	if (m->has_session && m->peerid && strlen(m->peerid) > FLOM_PEERID_MAX)
		return msg_fail(err, MSG_ERROR_REQUEST, "peer id too long");
	return 0;
}

static int msg_check_lock(const flom_msg *m, GError **err)
{
	unsigned a = m->res_attrs;

	if (m->step != 8)
		return msg_fail(err, MSG_ERROR_REQUEST,
				"lock answer (step %d) is a daemon message, not a request", m->step);
	if (msg_check_name(m, "lock request", err) < 0 || msg_check_session(m, err) < 0)
		return -1;
	if (a & MSG_RES_ROLLBACK)
		return msg_fail(err, MSG_ERROR_REQUEST, "attribute 'rollback' not allowed in a lock request");
	if ((a & MSG_RES_MODE) &&
	    msg_check_range("mode", m->mode, FLOM_LOCK_MODE_NL, FLOM_LOCK_MODE_EX, err) < 0)
		return -1;
	if ((a & MSG_RES_WAIT) && msg_check_range("wait", m->wait, 0, 1, err) < 0)
		return -1;
	if ((a & MSG_RES_CREATE) && msg_check_range("create", m->create, 0, 1, err) < 0)
		return -1;
	if ((a & MSG_RES_QUANTITY) &&
	    msg_check_range("quantity", m->quantity, 1, FLOM_NUMERIC_MAX, err) < 0)
		return -1;
	/* The original keeps lifespans in an int of milliseconds; the bound
	 * also keeps deadline arithmetic in the daemon far from overflow. */
	if ((a & MSG_RES_LIFESPAN) && msg_check_range("lifespan", m->lifespan, 0, G_MAXINT, err) < 0)
		return -1;
	return 0;
}

static int msg_check_unlock(const flom_msg *m, GError **err)
{
	if (msg_check_name(m, "unlock request", err) < 0)
		return -1;
	if (m->res_attrs & ~(unsigned)MSG_RES_UNLOCK_ALLOWED)
		return msg_fail(err, MSG_ERROR_REQUEST,
				"lock attributes not allowed in an unlock request");
	if ((m->res_attrs & MSG_RES_ROLLBACK) && msg_check_range("rollback", m->rollback, 0, 1, err) < 0)
		return -1;
	return 0;
}

static int msg_check_mngmnt(const flom_msg *m, GError **err)
{
	if (!m->has_shutdown)
		return msg_fail(err, MSG_ERROR_REQUEST, "management message without <shutdown>");
	if (msg_check_session(m, err) < 0)
		return -1;
	return msg_check_range("immediate", m->immediate, 0, 1, err);
}

int msg_check_request(const flom_msg *m, GError **err)
{
	if (m->level != MSG_LEVEL)
		return msg_fail(err, MSG_ERROR_REQUEST, "unsupported protocol level %d", m->level);
	switch (m->verb) {
	case MSG_VERB_LOCK:
		return msg_check_lock(m, err);
	case MSG_VERB_UNLOCK:
		if (m->step != 8)
			break;
		return msg_check_unlock(m, err);
	case MSG_VERB_MNGMNT:
		if (m->step != 8)
			return msg_fail(err, MSG_ERROR_REQUEST,
					"management answer (step %d) is a daemon message, not a request",
					m->step);
		return msg_check_mngmnt(m, err);
	case MSG_VERB_PING:
		return msg_fail(err, MSG_ERROR_REQUEST, "ping messages are not accepted (step %d)",
				m->step);
	case MSG_VERB_DISCOVER:
		return msg_fail(err, MSG_ERROR_REQUEST,
				"discovery messages are accepted only as UDP datagrams (step %d)",
				m->step);
	default:
		return msg_fail(err, MSG_ERROR_REQUEST, "unknown verb %d", m->verb);
	}
	return msg_fail(err, MSG_ERROR_REQUEST, "unknown step %d for verb %d", m->step, m->verb);
}
