/*
 * fake_daemon --original: a stand-in for an original FLoM 1.7.2 daemon, for
 * the compatibility checks of our client (tests/cli/status.sh).
 *
 * It answers the way the reference (sections 7.3-7.6) and the captures
 * show, and it dies the way the original dies: a first message other than a
 * lock or a management request, a message it cannot parse, an unknown
 * element with attributes, or anything but an unlock after a grant ends the
 * process with "KILLED: why" in the log, as the original's main loop ends.
 * Messages of 512 bytes or more are dropped with the connection, as the
 * original's buffer does. Every message received is logged, one a line.
 */
#include "fake_daemon.h"

#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ORIGINAL_PEERID "3d1219c7c4c5404aaa1f6d2a48adfda4"
#define ORIGINAL_RC_INVALID_NAME (-14)
#define ALPHA "[A-Za-z]"
#define ALNUM "[A-Za-z0-9]"

/* The resource name grammar (reference section 4.1), in order. */
static const char *const grammar[] = {
	"_RESOURCE|" ALPHA ALNUM "*",
	ALPHA ALNUM "*\\[[0-9]+\\]",
	ALPHA ALNUM "*(\\." ALPHA ALNUM "*)+",
	"(/[^/]+)+",
	"_[sS]_" ALPHA ALNUM "*\\[[0-9]+\\]",
	"_t_[%#A-Za-z][%#.:A-Za-z0-9]*\\[[0-9]+\\]",
};
/* The elements the original knows; any other one with attributes kills it. */
static const char *const known[] = {
	"msg", "session", "resource", "answer", "network", "shutdown", NULL
};
/* A start tag (or an empty-element tag) and its attributes, as the
 * original's parser sees them. */
#define TAG_PATTERN "<([A-Za-z_]+)((?:\\s+[A-Za-z_-]+=\"[^\"]*\")*)\\s*/?>"
#define ATTR_PATTERN "([A-Za-z_-]+)=\"([^\"]*)\""

/* One element of a message: its name and its attributes. */
typedef struct element {
	char *name;
	GHashTable *attrs;
} element;

static _Noreturn void original_die(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void original_die(const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fake_log("KILLED: %s", why);
	_exit(1);
}

static void element_free(gpointer p)
{
	element *e = p;

	g_free(e->name);
	g_hash_table_unref(e->attrs);
	g_free(e);
}

static GRegex *regex_new(const char *pattern)
{
	GRegex *re = g_regex_new(pattern, G_REGEX_OPTIMIZE, 0, NULL);

	g_assert(re);
	return re;
}

/* The element of one tag match: group 1 its name, group 2 its attributes. */
static element *element_new(const GMatchInfo *tag)
{
	static GRegex *attr_re;
	element *e = g_new0(element, 1);
	g_autofree char *attrs = g_match_info_fetch(tag, 2);
	GMatchInfo *m;

	if (!attr_re)
		attr_re = regex_new(ATTR_PATTERN);
	e->name = g_match_info_fetch(tag, 1);
	e->attrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_regex_match(attr_re, attrs, 0, &m);
	for (; g_match_info_matches(m); g_match_info_next(m, NULL))
		g_hash_table_insert(e->attrs, g_match_info_fetch(m, 1), g_match_info_fetch(m, 2));
	g_match_info_free(m);
	return e;
}

/* Log the message, then its elements in order (the first one is <msg>);
 * what the original cannot parse kills it. */
static GPtrArray *original_parse(const GString *data)
{
	static GRegex *tag_re;
	g_autofree char *text = g_utf8_make_valid(data->str, (gssize)data->len);
	GPtrArray *elems = g_ptr_array_new_with_free_func(element_free);
	GMatchInfo *m;

	if (!tag_re)
		tag_re = regex_new(TAG_PATTERN);
	fake_log("%s", text);
	g_regex_match(tag_re, text, 0, &m);
	for (; g_match_info_matches(m); g_match_info_next(m, NULL))
		g_ptr_array_add(elems, element_new(m));
	g_match_info_free(m);
	if (elems->len == 0 || strcmp(((element *)elems->pdata[0])->name, "msg") ||
	    !g_str_has_prefix(text, FAKE_HEADER))
		original_die("not a message");
	for (guint i = 0; i < elems->len; i++) {
		const element *e = elems->pdata[i];

		if (!g_strv_contains(known, e->name) && g_hash_table_size(e->attrs) > 0)
			original_die("unknown element <%s> with attributes", e->name);
	}
	return elems;
}

/* An attribute of the <msg> element ("None" in the log when missing). */
static const char *head_attr(const GPtrArray *elems, const char *name)
{
	const char *v = g_hash_table_lookup(((element *)elems->pdata[0])->attrs, name);

	return v ? v : "None";
}

/* The last child element called name (a later one replaces an earlier). */
static const element *child(const GPtrArray *elems, const char *name)
{
	for (guint i = elems->len; i > 1; i--) {
		const element *e = elems->pdata[i - 1];

		if (!strcmp(e->name, name))
			return e;
	}
	return NULL;
}

static gboolean head_is(const GPtrArray *elems, const char *verb, const char *step)
{
	return !strcmp(head_attr(elems, "verb"), verb) && !strcmp(head_attr(elems, "step"), step);
}

static void original_answer(int fd, int step, int rc)
{
	g_autofree char *msg = g_strdup_printf(
		FAKE_HEADER "<msg level=\"3\" verb=\"1\" step=\"%d\">%s<answer rc=\"%d\"/></msg>",
		step, step == 16 ? "<session peerid=\"" ORIGINAL_PEERID "\"/>" : "", rc);

	fake_send(fd, msg);
}

/* Whether the base64 name of a lock request is in the original's grammar. */
static gboolean name_is_valid(const char *b64)
{
	gsize len;
	g_autofree guchar *raw = g_base64_decode(b64, &len);
	g_autofree char *name = g_utf8_make_valid((const char *)raw, (gssize)len);

	for (gsize i = 0; i < G_N_ELEMENTS(grammar); i++) {
		g_autofree char *whole = g_strdup_printf("\\A(?:%s)\\z", grammar[i]);

		if (g_regex_match_simple(whole, name, 0, 0))
			return TRUE;
	}
	return FALSE;
}

/* Whether a resource element has no attribute but those of an unlock. */
static gboolean unlock_attrs_only(const element *res)
{
	GHashTableIter it;
	gpointer key;

	if (!res)
		return TRUE;
	g_hash_table_iter_init(&it, res->attrs);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (strcmp(key, "name") && strcmp(key, "rollback"))
			return FALSE;
	return TRUE;
}

/* After a grant the original accepts only an unlock. */
static void original_after_grant(int fd)
{
	g_autoptr(GString) data = g_string_new(NULL);
	g_autoptr(GPtrArray) elems = NULL;

	if (fake_read_msg(fd, data, FAKE_ORIGINAL_BUFFER) != FAKE_READ_MSG)
		return;
	elems = original_parse(data);
	if (!head_is(elems, "2", "8") || !unlock_attrs_only(child(elems, "resource")))
		original_die("after a grant: verb %s step %s", head_attr(elems, "verb"),
			     head_attr(elems, "step"));
}

void fake_original_serve(int fd)
{
	g_autoptr(GString) data = g_string_new(NULL);
	g_autoptr(GPtrArray) elems = NULL;
	const element *res;
	const char *name;
	int rc = fake_read_msg(fd, data, FAKE_ORIGINAL_BUFFER);

	if (rc == FAKE_READ_EOF)
		return;
	if (rc == FAKE_READ_LONG) {
		fake_log("DROPPED: message of %d bytes or more", FAKE_ORIGINAL_BUFFER);
		return;
	}
	elems = original_parse(data);
	if (head_is(elems, "5", "8") && child(elems, "shutdown")) {
		fake_log("SHUTDOWN");
		_exit(0);
	}
	res = child(elems, "resource");
	if (!head_is(elems, "1", "8") || !res)
		original_die("first message verb %s step %s", head_attr(elems, "verb"),
			     head_attr(elems, "step"));
	name = g_hash_table_lookup(res->attrs, "name");
	if (!name_is_valid(name ? name : "")) {
		original_answer(fd, 16, ORIGINAL_RC_INVALID_NAME);
		shutdown(fd, SHUT_WR);
		return;
	}
	original_answer(fd, 16, 0);
	original_after_grant(fd);
}
