/*
 * flom: what the codec's files share and nobody else sees: the error
 * helpers, the tokens of the XML reader (msg_xml.c) and the value parsers
 * the element decoder (msg_decode.c) applies to them.
 */
#ifndef FLOM_MSG_PRIVATE_H
#define FLOM_MSG_PRIVATE_H

#include <stddef.h>
#include <string.h>
#include <glib.h>
#include "msg.h"

#define MSG_TRAILER_LEN (sizeof(MSG_TRAILER) - 1)
/* The XML declaration FLoM writes (ours and the original). */
#define MSG_XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>"

/* Attributes of <resource>, and which verb accepts them. */
#define MSG_RES_LOCK_ALLOWED (MSG_RES_NAME | MSG_RES_MODE | MSG_RES_WAIT | MSG_RES_QUANTITY | \
			      MSG_RES_CREATE | MSG_RES_LIFESPAN)
#define MSG_RES_UNLOCK_ALLOWED (MSG_RES_NAME | MSG_RES_ROLLBACK)

/* The steps of the daemon's answers to a lock request. */
static inline gboolean msg_step_is_lock_answer(gint64 step)
{
	return step == MSG_STEP_ANSWER || step == MSG_STEP_LATER_ANSWER ||
	       step == MSG_STEP_LAST_ANSWER;
}

/* Set err (MSG_ERROR, code) and return -1. */
int msg_fail(GError **err, msg_error_code code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* A short printable copy of untrusted bytes for an error message (g_free). */
char *msg_snippet(const char *s, size_t len);

/* Tokens point into the input (or the parser's arena) and own nothing, so a
 * message decodes without an allocation per attribute. */
typedef struct {
	const char *name;        /* points into the input */
	size_t name_len;
	const char *value;       /* entities decoded: the raw bytes when there were
				  * none, else a copy in the parser's arena; not
				  * NUL-terminated */
	size_t value_len;
} msg_attr;

typedef struct {
	const char *name;        /* points into the input */
	size_t name_len;
	unsigned n_attrs;
	guint64 seen;            /* names seen, a bit per (first byte, length) */
	gboolean empty;          /* written <x .../> */
	msg_attr attrs[MSG_ATTRS_MAX]; /* the first n_attrs are set */
} msg_tag;

typedef struct {
	const char *p;
	const char *end;
	const char *start;
	/* Values whose entities were decoded, allocated on the first one:
	 * every entity is at least as long as its expansion, so what all the
	 * values of a message need fits in its length. */
	char *arena;
	size_t arena_used;
} msg_parser;

static inline gboolean msg_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Inline so that strlen and memcmp of a literal fold into a few compares. */
static inline gboolean msg_eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, strlen(lit)) == 0;
}

static inline gboolean msg_skip_space(msg_parser *ps)
{
	const char *from = ps->p;

	while (ps->p < ps->end && msg_is_space(*ps->p))
		ps->p++;
	return ps->p != from;
}

static inline gboolean msg_at(const msg_parser *ps, const char *lit)
{
	return (size_t)(ps->end - ps->p) >= strlen(lit) && memcmp(ps->p, lit, strlen(lit)) == 0;
}

/* ---- the XML reader (msg_xml.c) ---- */
void msg_parser_clear(msg_parser *ps);
int msg_truncated(GError **err);
/* No NUL, no control character but tab/newline/CR, valid UTF-8. */
int msg_check_bytes(const char *buf, size_t len, GError **err);
/* "<?xml ... ?>" at ps->p: checked and skipped. */
int msg_parse_decl(msg_parser *ps, GError **err);
int msg_parse_start_tag(msg_parser *ps, msg_tag *t, GError **err);
/* "</name>" at ps->p, name being the open element. */
int msg_parse_end_tag(msg_parser *ps, const char *name, size_t name_len, GError **err);
/* Whitespace then the end tag of t. */
int msg_parse_child_content(msg_parser *ps, const msg_tag *t, GError **err);

/* ---- attribute values (msg_xml.c); elem names the element in messages ---- */
int msg_parse_int(const char *elem, const msg_attr *a, gint64 *out, GError **err);
int msg_parse_uint(const char *elem, const msg_attr *a, guint64 *out, GError **err);
/* A copy of a's value (at most max bytes) into *out. */
int msg_take_string(const char *elem, const msg_attr *a, size_t max, char **out, GError **err);
/* The base64 resource name of a into m->name. */
int msg_take_name(flom_msg *m, const msg_attr *a, GError **err);
/* The same into *out (a name other than the resource's: filter). */
int msg_take_b64_name(const msg_attr *a, char **out, GError **err);

/* ---- our extensions (msg_status.c): 1 taken, 0 not ours, -1 bad ---- */
/* <resource pid uid user host status filter> of a lock request */
int msg_take_resource_ours(flom_msg *m, msg_attr *a, GError **err);
/* <answer ext holder-pid holder-uid holder-user holder-host holder-since> */
int msg_take_answer_ours(flom_msg *m, msg_attr *a, GError **err);
/* <command pid/> and the status records: 0 or -1 */
int msg_apply_command(flom_msg *m, msg_tag *t, GError **err);
int msg_apply_record(flom_msg *m, msg_tag *t, GError **err);
gboolean msg_is_record(const char *name, size_t len);

#endif
