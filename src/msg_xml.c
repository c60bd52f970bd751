/*
 * flom: the XML reader under the message decoder.
 *
 * A small hand-written reader rather than GMarkup: input comes from anyone
 * who can reach the socket, so it accepts the narrow dialect the protocol
 * uses (one root <msg>, childless children) and never recurses. Tokens point
 * into the input; only values with entities are copied, decoded, into one
 * buffer per message (msg_parser.arena).
 */
#include "msg.h"
#include "msg_private.h"

#include <stddef.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* tokens                                                                   */

void msg_parser_clear(msg_parser *ps)
{
	g_free(ps->arena);
	ps->arena = NULL;
	ps->arena_used = 0;
}

/* Which bytes may start (MSG_NAME_START) or continue (MSG_NAME_CHAR) a name:
 * a table, as names are most of what the reader walks byte by byte. */
enum { MSG_NAME_CHAR = 1, MSG_NAME_START = 2 };

static const guint8 msg_name_class[256] = {
	['a' ... 'z'] = MSG_NAME_START | MSG_NAME_CHAR,
	['A' ... 'Z'] = MSG_NAME_START | MSG_NAME_CHAR,
	['_'] = MSG_NAME_START | MSG_NAME_CHAR,
	[':'] = MSG_NAME_START | MSG_NAME_CHAR,
	['0' ... '9'] = MSG_NAME_CHAR,
	['-'] = MSG_NAME_CHAR,
	['.'] = MSG_NAME_CHAR,
};

static gboolean msg_is_name_start(char c)
{
	return (msg_name_class[(unsigned char)c] & MSG_NAME_START) != 0;
}

static gboolean msg_is_name_char(char c)
{
	return (msg_name_class[(unsigned char)c] & MSG_NAME_CHAR) != 0;
}

int msg_truncated(GError **err)
{
	return msg_fail(err, MSG_ERROR_SYNTAX, "truncated message");
}

static int msg_unexpected(const msg_parser *ps, char c, const char *where, GError **err)
{
	g_autofree char *got = NULL;

	if (ps->p >= ps->end)
		return msg_truncated(err);
	got = msg_snippet(ps->p, 1);
	return msg_fail(err, MSG_ERROR_SYNTAX, "expected '%c' %s at offset %td, found '%s'",
			c, where, ps->p - ps->start, got);
}

/* Inline: the usual case is one compare, the errors are out of line. */
static inline int msg_expect(msg_parser *ps, char c, const char *where, GError **err)
{
	if (ps->p >= ps->end || *ps->p != c)
		return msg_unexpected(ps, c, where, err);
	ps->p++;
	return 0;
}

/* Whether the 8 bytes of w are all printable ASCII (0x20..0x7f): no byte
 * borrows in the subtraction unless one is below 0x20, and that one then
 * sets its top bit, as any byte from 0x80 does in w itself. */
static gboolean msg_word_printable(guint64 w)
{
	const guint64 ones = G_GUINT64_CONSTANT(0x0101010101010101);
	const guint64 tops = G_GUINT64_CONSTANT(0x8080808080808080);

	return (((w - ones * 0x20) | w) & tops) == 0;
}

/* Bytes no message may contain, whatever their place: XML 1.0 allows no NUL
 * and no control character but tab, newline and carriage return; the
 * declared encoding is UTF-8. Sixteen bytes at a time while they are
 * printable ASCII, the usual case; byte by byte otherwise. */
int msg_check_bytes(const char *buf, size_t len, GError **err)
{
	gboolean ascii = TRUE;
	size_t i = 0;

	while (i < len) {
		guint64 w[2];
		size_t stop;

		if (len - i >= sizeof(w)) {
			memcpy(w, buf + i, sizeof(w));
			if (msg_word_printable(w[0]) && msg_word_printable(w[1])) {
				i += sizeof(w);
				continue;
			}
		}
		for (stop = MIN(len, i + sizeof(w)); i < stop; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (c >= 0x20) {
				ascii = ascii && c < 0x80;
				continue;
			}
			if (c == 0)
				return msg_fail(err, MSG_ERROR_SYNTAX, "NUL byte at offset %zu", i);
			if (!msg_is_space((char)c))
				return msg_fail(err, MSG_ERROR_SYNTAX,
						"control character 0x%02x at offset %zu", c, i);
		}
	}
	/* ASCII, the usual case, is UTF-8 already */
	if (!ascii && !g_utf8_validate(buf, (gssize)len, NULL))
		return msg_fail(err, MSG_ERROR_SYNTAX, "message is not valid UTF-8");
	return 0;
}

static int msg_bad_name(const msg_parser *ps, GError **err)
{
	g_autofree char *got = NULL;

	if (ps->p >= ps->end)
		return msg_truncated(err);
	got = msg_snippet(ps->p, 1);
	return msg_fail(err, MSG_ERROR_SYNTAX, "invalid name at offset %td: '%s'",
			ps->p - ps->start, got);
}

static inline int msg_parse_name(msg_parser *ps, const char **name, size_t *len, GError **err)
{
	const char *from = ps->p;

	if (ps->p >= ps->end || !msg_is_name_start(*ps->p))
		return msg_bad_name(ps, err);
	while (++ps->p < ps->end && msg_is_name_char(*ps->p))
		;
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

/* Decode the entity at s (its '&', at most len bytes) to out: how many
 * bytes it takes in the input (*in_len) and in out (*out_len). */
static int msg_entity(const char *s, size_t len, char *out, size_t *in_len, size_t *out_len,
		      GError **err)
{
	const char *body = s + 1;
	const char *semi = memchr(body, ';', MIN(len - 1, (size_t)MSG_ENTITY_MAX + 1));
	size_t blen = semi ? (size_t)(semi - body) : 0;
	gunichar cp;

	*out_len = 1;
	if (!semi) {
		g_autofree char *got = msg_snippet(s, len);

		return msg_fail(err, MSG_ERROR_SYNTAX, "invalid entity '%s'", got);
	}
	if (msg_eq(body, blen, "amp"))
		*out = '&';
	else if (msg_eq(body, blen, "lt"))
		*out = '<';
	else if (msg_eq(body, blen, "gt"))
		*out = '>';
	else if (msg_eq(body, blen, "quot"))
		*out = '"';
	else if (msg_eq(body, blen, "apos"))
		*out = '\'';
	else if (blen > 0 && body[0] == '#' && (cp = msg_char_ref(body, blen)) != 0)
		*out_len = (size_t)g_unichar_to_utf8(cp, out);
	else {
		g_autofree char *got = msg_snippet(s, blen + 2);

		return msg_fail(err, MSG_ERROR_SYNTAX, "invalid entity '%s'", got);
	}
	*in_len = blen + 2;
	return 0;
}

/* Decode the entities of s (len bytes) into the parser's arena. */
static int msg_unescape(msg_parser *ps, const char *s, size_t len, msg_attr *a, GError **err)
{
	size_t size = (size_t)(ps->end - ps->start);
	char *out;
	size_t i = 0, o = 0;

	if (!ps->arena)
		ps->arena = g_malloc(size);
	/* cannot happen: values are disjoint parts of the input */
	if (ps->arena_used + len > size)
		return msg_fail(err, MSG_ERROR_SYNTAX, "attribute values too long");
	out = ps->arena + ps->arena_used;
	while (i < len) {
		size_t in_len = 0, n = 0;

		if (s[i] == '<')
			return msg_fail(err, MSG_ERROR_SYNTAX, "'<' in an attribute value");
		if (s[i] != '&') {
			out[o++] = s[i++];
			continue;
		}
		if (msg_entity(s + i, len - i, out + o, &in_len, &n, err) < 0)
			return -1;
		i += in_len;
		o += n;
	}
	a->value = out;
	a->value_len = o;
	ps->arena_used += o;
	return 0;
}

/* Whether t already has an attribute named as a. t->seen has a bit per
 * (first byte, length) of its names: a name no earlier one can equal costs
 * no comparison. */
static gboolean msg_attr_duplicate(msg_tag *t, const msg_attr *a)
{
	guint64 bit = G_GUINT64_CONSTANT(1) << (((unsigned char)a->name[0] + a->name_len * 7) % 64);
	unsigned i;

	if (!(t->seen & bit)) {
		t->seen |= bit;
		return FALSE;
	}
	for (i = 0; i < t->n_attrs; i++)
		if (t->attrs[i].name_len == a->name_len &&
		    memcmp(t->attrs[i].name, a->name, a->name_len) == 0)
			return TRUE;
	return FALSE;
}

/* The quoted value at ps->p into a: one pass finds the closing quote and
 * whether an entity or a '<' needs a closer look. */
static int msg_parse_value(msg_parser *ps, msg_tag *t, msg_attr *a, GError **err)
{
	const char *s, *close;
	char quote;
	gboolean plain = TRUE;

	if (ps->p >= ps->end)
		return msg_truncated(err);
	quote = *ps->p;
	if (quote != '"' && quote != '\'')
		return msg_fail(err, MSG_ERROR_SYNTAX, "attribute '%.*s' value is not quoted",
				(int)MIN(a->name_len, (size_t)MSG_SNIPPET_MAX), a->name);
	s = ++ps->p;
	for (close = s; close < ps->end && *close != quote; close++)
		plain = plain && *close != '&' && *close != '<';
	if (close == ps->end)
		return msg_truncated(err);
	if (msg_attr_duplicate(t, a))
		return msg_fail(err, MSG_ERROR_SYNTAX, "duplicate attribute '%.*s' in <%.*s>",
				(int)MIN(a->name_len, (size_t)MSG_SNIPPET_MAX), a->name,
				(int)MIN(t->name_len, (size_t)MSG_SNIPPET_MAX), t->name);
	ps->p = close + 1;
	if (plain) {
		a->value = s;
		a->value_len = (size_t)(close - s);
		return 0;
	}
	return msg_unescape(ps, s, (size_t)(close - s), a, err);
}

/* Attributes of a start tag (or of the XML declaration) up to the first
 * character that cannot start one; the caller checks the terminator. */
static int msg_parse_attrs(msg_parser *ps, msg_tag *t, GError **err)
{
	for (;;) {
		gboolean spaced = msg_skip_space(ps);
		msg_attr *a;

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
		if (msg_parse_value(ps, t, a, err) < 0)
			return -1;
		t->n_attrs++;
	}
}

/* "<?xml version="1.0" encoding="UTF-8" ?>": optional, checked, ignored. */
static int msg_parse_any_decl(msg_parser *ps, GError **err)
{
	msg_tag t = { .name = "xml", .name_len = 3, .n_attrs = 0 };
	unsigned i;

	ps->p += strlen("<?xml");
	if (ps->p < ps->end && !msg_is_space(*ps->p))
		return msg_fail(err, MSG_ERROR_SYNTAX, "processing instructions are not allowed");
	if (msg_parse_attrs(ps, &t, err) < 0)
		return -1;
	if (!msg_at(ps, "?>")) {
		if (ps->p + 1 >= ps->end)
			return msg_truncated(err);
		return msg_fail(err, MSG_ERROR_SYNTAX, "malformed XML declaration");
	}
	ps->p += 2;
	for (i = 0; i < t.n_attrs; i++) {
		const msg_attr *a = &t.attrs[i];

		if (msg_eq(a->name, a->name_len, "encoding")) {
			if (a->value_len != 5 || g_ascii_strncasecmp(a->value, "UTF-8", 5) != 0) {
				g_autofree char *v = msg_snippet(a->value, a->value_len);

				return msg_fail(err, MSG_ERROR_SYNTAX, "unsupported encoding '%s'", v);
			}
		} else if (!msg_eq(a->name, a->name_len, "version") &&
			   !msg_eq(a->name, a->name_len, "standalone")) {
			return msg_fail(err, MSG_ERROR_SYNTAX,
					"unknown attribute '%.*s' in the XML declaration",
					(int)MIN(a->name_len, (size_t)MSG_SNIPPET_MAX), a->name);
		}
	}
	return 0;
}

int msg_parse_decl(msg_parser *ps, GError **err)
{
	/* What FLoM writes, ours and the original: nothing to check. */
	if (msg_at(ps, MSG_XML_DECL)) {
		ps->p += strlen(MSG_XML_DECL);
		return 0;
	}
	return msg_parse_any_decl(ps, err);
}

/* A start tag at ps->p ("<name attrs>" or "<name attrs/>"). */
int msg_parse_start_tag(msg_parser *ps, msg_tag *t, GError **err)
{
	t->n_attrs = 0;
	t->seen = 0;
	t->empty = FALSE;
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
int msg_parse_end_tag(msg_parser *ps, const char *name, size_t name_len, GError **err)
{
	const char *got = NULL;
	size_t got_len = 0;

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
int msg_parse_child_content(msg_parser *ps, const msg_tag *t, GError **err)
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
/* values                                                                   */

int msg_parse_int(const char *elem, const msg_attr *a, gint64 *out, GError **err)
{
	const char *s = a->value;
	gboolean neg = a->value_len > 0 && *s == '-';
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

int msg_parse_uint(const char *elem, const msg_attr *a, guint64 *out, GError **err)
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
int msg_take_string(const char *elem, const msg_attr *a, size_t max, char **out, GError **err)
{
	if (a->value_len > max)
		return msg_fail(err, MSG_ERROR_SYNTAX,
				"attribute '%.*s' of <%s> too long (%zu bytes, at most %zu)",
				(int)a->name_len, a->name, elem, a->value_len, max);
	g_free(*out);
	*out = g_strndup(a->value, a->value_len);
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

int msg_take_name(flom_msg *m, const msg_attr *a, GError **err)
{
	return msg_take_b64_name(a, &m->name, err);
}

int msg_take_b64_name(const msg_attr *a, char **out, GError **err)
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
	g_free(*out);
	*out = name;
	return 0;
}

