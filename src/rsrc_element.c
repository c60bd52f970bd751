/*
 * flom: which elements a grant may carry. The client appends the element to
 * the command line and exports it, so it must come from the request, never
 * from whoever answered: a member of the requested set, a decimal value for
 * a sequence, a text shaped by the timestamp format; nothing for the other
 * types.
 */
#include <string.h>

#include "flom.h"
#include "rsrc_name.h"

/* What one strftime conversion may produce in a grant: printable text only
 * (%n and %t would bring control characters, which no element may hold);
 * '%' because strftime copies a conversion it does not know. */
#define ELEMENT_CONVERSION_RE "[A-Za-z0-9 :+./,%-]*"

gboolean rsrc_type_has_elements(rsrc_type type)
{
	return type == RSRC_SET || type == RSRC_SEQUENCE || type == RSRC_TIMESTAMP;
}

static gboolean element_in_set(const char *name, const char *element)
{
	g_auto(GStrv) members = rsrc_name_set_elements(name);

	return members && g_strv_contains((const char *const *)members, element);
}

/* A sequence value: 1, 2, 3... in decimal, no sign, no leading zero, and
 * within the 64-bit counter of the daemon. */
static gboolean element_is_sequence_value(const char *element)
{
	guint64 value;

	if (element[0] < '1' || element[0] > '9' || strlen(element) > 20)
		return FALSE;
	return g_ascii_string_to_unsigned(element, 10, 1, G_MAXUINT64, &value, NULL);
}

/* The pattern of a timestamp format: literal characters as they are, each
 * conversion as printable text, each #f...#ffffff as '.' and that many
 * digits (rsrc_timestamp.c). */
static char *element_timestamp_pattern(const char *format)
{
	GString *re = g_string_new("^");

	for (const char *p = format; *p; p++) {
		int digits = 0;

		if (p[0] == '%' && p[1] != '\0' && p[1] != '%') {
			/* adjacent conversions are one run of text (and no
			 * backtracking between them) */
			if (!g_str_has_suffix(re->str, ELEMENT_CONVERSION_RE))
				g_string_append(re, ELEMENT_CONVERSION_RE);
			p++;
			/* %Ex and %Ox: a modifier and its conversion */
			if ((p[0] == 'E' || p[0] == 'O') && p[1] != '\0')
				p++;
			continue;
		}
		if (p[0] == '#')
			while (digits < 6 && p[1 + digits] == 'f')
				digits++;
		if (digits > 0) {
			g_string_append_printf(re, "\\.[0-9]{%d}", digits);
			p += digits;
			continue;
		}
		if (p[0] == '%')
			p++; /* "%%" is one literal '%' */
		g_string_append_printf(re, "\\x%02x", (unsigned char)*p);
	}
	g_string_append_c(re, '$');
	return g_string_free(re, FALSE);
}

static gboolean element_is_timestamp(const char *name, const char *element)
{
	g_autofree char *format = rsrc_name_timestamp_format(name);
	g_autofree char *pattern = NULL;

	if (!format)
		return FALSE;
	pattern = element_timestamp_pattern(format);
	return g_regex_match_simple(pattern, element, G_REGEX_RAW, 0);
}

int rsrc_name_element_check(const char *name, const char *element)
{
	rsrc_type type = rsrc_name_classify(name);

	if (!rsrc_type_has_elements(type))
		return element == NULL || *element == '\0' ? 0 : -1;
	if (element == NULL || *element == '\0' || strlen(element) > FLOM_ELEMENT_MAX)
		return -1;
	switch (type) {
	case RSRC_SET:
		return element_in_set(name, element) ? 0 : -1;
	case RSRC_SEQUENCE:
		return element_is_sequence_value(element) ? 0 : -1;
	default:
		return element_is_timestamp(name, element) ? 0 : -1;
	}
}
