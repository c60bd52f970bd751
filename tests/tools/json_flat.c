/*
 * json_flat: a JSON document as one "PATH=VALUE" line per node, so that a
 * shell test can check it with grep and awk (tests/cli/status.sh).
 *
 * Usage: json_flat FILE
 *
 * PATH is jq's: "." the document, ".[0]" an element, ".[0].name" a member.
 * VALUE is "[N]" for an array of N elements, "{N}" for an object of N
 * members, and the JSON text of anything else ("db" with its quotes, 42,
 * null, true). Nodes come in document order, a container before its
 * children. Exit status: 0, 1 when FILE is not one JSON document, 2 usage.
 *
 * json-glib builds the tree, but its parser forgives what a JSON reader may
 * refuse (comments, single quotes, raw control characters in strings, bad
 * escapes, leading zeros, hexadecimal, a second document), so the text is
 * first checked against RFC 8259 here: a status document must be one that
 * every reader accepts.
 */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

/* Deeper than any status document; bounds the recursion. */
#define STRICT_DEPTH_MAX 64

/* ---- the strict check (RFC 8259), on the bytes of the file ---- */

typedef struct strict {
	const char *p;
	const char *end;
	int depth;
} strict;

static gboolean strict_value(strict *s);

static void strict_ws(strict *s)
{
	while (s->p < s->end && strchr(" \t\n\r", *s->p) && *s->p)
		s->p++;
}

/* Take c if it comes next. */
static gboolean strict_take(strict *s, char c)
{
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return TRUE;
	}
	return FALSE;
}

static gboolean strict_word(strict *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return FALSE;
	s->p += n;
	return TRUE;
}

/* One or more digits. */
static gboolean strict_digits(strict *s)
{
	const char *start = s->p;

	while (s->p < s->end && g_ascii_isdigit(*s->p))
		s->p++;
	return s->p > start;
}

static gboolean strict_number(strict *s)
{
	strict_take(s, '-');
	if (!strict_take(s, '0') && !strict_digits(s))
		return FALSE;
	if (strict_take(s, '.') && !strict_digits(s))
		return FALSE;
	if (strict_take(s, 'e') || strict_take(s, 'E')) {
		if (!strict_take(s, '+'))
			strict_take(s, '-');
		return strict_digits(s);
	}
	return TRUE;
}

static gboolean strict_string(strict *s)
{
	if (!strict_take(s, '"'))
		return FALSE;
	while (s->p < s->end) {
		unsigned char c = (unsigned char)*s->p++;

		if (c == '"')
			return TRUE;
		if (c < 0x20)
			return FALSE;
		if (c != '\\')
			continue;
		if (s->p >= s->end)
			return FALSE;
		c = (unsigned char)*s->p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++)
				if (s->p >= s->end || !g_ascii_isxdigit(*s->p++))
					return FALSE;
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return FALSE;
		}
	}
	return FALSE;
}

/* The elements of an array or the members of an object, after its opening
 * bracket, up to its closing one. */
static gboolean strict_items(strict *s, gboolean members, char close)
{
	strict_ws(s);
	if (strict_take(s, close))
		return TRUE;
	do {
		strict_ws(s);
		if (members) {
			if (!strict_string(s))
				return FALSE;
			strict_ws(s);
			if (!strict_take(s, ':'))
				return FALSE;
		}
		if (!strict_value(s))
			return FALSE;
		strict_ws(s);
	} while (strict_take(s, ','));
	return strict_take(s, close);
}

static gboolean strict_value(strict *s)
{
	gboolean ok;
	char open;

	strict_ws(s);
	if (s->p >= s->end)
		return FALSE;
	switch (*s->p) {
	case '[':
	case '{':
		if (++s->depth > STRICT_DEPTH_MAX)
			return FALSE;
		open = *s->p++;
		ok = strict_items(s, open == '{', open == '{' ? '}' : ']');
		s->depth--;
		return ok;
	case '"':
		return strict_string(s);
	case 't':
		return strict_word(s, "true");
	case 'f':
		return strict_word(s, "false");
	case 'n':
		return strict_word(s, "null");
	default:
		return strict_number(s);
	}
}

/* Whether text is one JSON document and nothing else, in UTF-8. */
static gboolean strict_document(const char *text, gsize len)
{
	strict s = { .p = text, .end = text + len };

	if (!g_utf8_validate(text, (gssize)len, NULL) || !strict_value(&s))
		return FALSE;
	strict_ws(&s);
	return s.p == s.end;
}

/* ---- the flat listing ---- */

static void flat_print(JsonNode *node, const char *path);

static void flat_member(JsonObject *object, const char *name, JsonNode *node, gpointer path)
{
	g_autofree char *child = g_strdup_printf("%s.%s", (const char *)path, name);

	(void)object;
	flat_print(node, child);
}

static void flat_element(JsonArray *array, guint i, JsonNode *node, gpointer path)
{
	g_autofree char *child = g_strdup_printf("%s[%u]", (const char *)path, i);

	(void)array;
	flat_print(node, child);
}

/* path is "" for the document; it is shown with jq's leading dot. */
static void flat_print(JsonNode *node, const char *path)
{
	const char *shown = path[0] == '.' ? "" : ".";

	switch (JSON_NODE_TYPE(node)) {
	case JSON_NODE_ARRAY:
		printf("%s%s=[%u]\n", shown, path, json_array_get_length(json_node_get_array(node)));
		json_array_foreach_element(json_node_get_array(node), flat_element, (gpointer)path);
		break;
	case JSON_NODE_OBJECT:
		printf("%s%s={%u}\n", shown, path, json_object_get_size(json_node_get_object(node)));
		json_object_foreach_member(json_node_get_object(node), flat_member, (gpointer)path);
		break;
	default: {
		g_autofree char *text = json_to_string(node, FALSE);

		printf("%s%s=%s\n", shown, path, text);
	}
	}
}

int main(int argc, char **argv)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	gsize len;

	if (argc != 2) {
		fputs("usage: json_flat FILE\n", stderr);
		return 2;
	}
	if (!g_file_get_contents(argv[1], &text, &len, &error)) {
		fprintf(stderr, "json_flat: %s\n", error->message);
		return 1;
	}
	if (!strict_document(text, len)) {
		fprintf(stderr, "json_flat: %s: not one strict JSON document\n", argv[1]);
		return 1;
	}
	if (!json_parser_load_from_data(parser, text, (gssize)len, &error)) {
		fprintf(stderr, "json_flat: %s: %s\n", argv[1], error->message);
		return 1;
	}
	if (!json_parser_get_root(parser)) {
		fprintf(stderr, "json_flat: %s: no JSON document\n", argv[1]);
		return 1;
	}
	flat_print(json_parser_get_root(parser), "");
	return 0;
}
