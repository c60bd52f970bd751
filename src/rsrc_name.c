/*
 * flom: resource names.
 *
 * The grammar is the original's (reference §4.1), written by hand instead of
 * with regcomp(): the original's [[:alpha:]] depended on the daemon's locale,
 * so a name valid for one process could be invalid for another. Here ALPHA is
 * ASCII letters and DIGIT ASCII digits, whatever the locale; a hand-written
 * matcher also needs no compiled state shared between threads.
 *
 * Shapes, tried in this order (first match wins, whole string):
 *   1 simple        _RESOURCE | ALPHA ALNUM*
 *   2 numeric       ALPHA ALNUM* '[' DIGIT+ ']'
 *   3 set           ALPHA ALNUM* ('.' ALPHA ALNUM*)+
 *   4 hierarchical  ('/' [^/]+)+
 *   5 sequence      '_' [sS] '_' ALPHA ALNUM* '[' DIGIT+ ']'
 *   6 timestamp     '_t_' [%#ALPHA] [%#.:ALNUM]* '[' DIGIT+ ']'
 */
#include <string.h>

#include "flom.h"
#include "rsrc_name.h"

#define RSRC_NAME_DEFAULT "_RESOURCE"

static gboolean is_alpha(char c)
{
	return g_ascii_isalpha(c);
}

static gboolean is_alnum(char c)
{
	return g_ascii_isalnum(c);
}

/* ALPHA ALNUM* at s; returns the number of bytes matched (0: no match). */
static size_t match_word(const char *s)
{
	size_t n = 0;

	if (!is_alpha(s[0]))
		return 0;
	for (n = 1; is_alnum(s[n]); n++)
		;
	return n;
}

/* '[' DIGIT+ ']' ending exactly at the end of s; bytes matched or 0. */
static size_t match_capacity_tail(const char *s)
{
	size_t n;

	if (s[0] != '[' || !g_ascii_isdigit(s[1]))
		return 0;
	for (n = 1; g_ascii_isdigit(s[n]); n++)
		;
	if (s[n] != ']' || s[n + 1] != '\0')
		return 0;
	return n + 1;
}

static gboolean match_simple(const char *name)
{
	size_t n;

	if (strcmp(name, RSRC_NAME_DEFAULT) == 0)
		return TRUE;
	n = match_word(name);
	return n > 0 && name[n] == '\0';
}

static gboolean match_numeric(const char *name)
{
	size_t n = match_word(name);

	return n > 0 && match_capacity_tail(name + n) > 0;
}

static gboolean match_set(const char *name)
{
	size_t n = match_word(name);
	unsigned dots = 0;

	if (n == 0)
		return FALSE;
	while (name[n] == '.') {
		size_t w = match_word(name + n + 1);

		if (w == 0)
			return FALSE;
		n += 1 + w;
		dots++;
	}
	return dots > 0 && name[n] == '\0';
}

static gboolean match_hier(const char *name)
{
	const char *p = name;

	if (*p != '/')
		return FALSE;
	while (*p == '/') {
		p++;
		if (*p == '/' || *p == '\0')
			return FALSE;     /* empty component or trailing '/' */
		while (*p != '/' && *p != '\0')
			p++;
	}
	return TRUE;
}

static gboolean match_sequence(const char *name)
{
	size_t n;

	if (name[0] != '_' || (name[1] != 's' && name[1] != 'S') || name[2] != '_')
		return FALSE;
	n = match_word(name + 3);
	return n > 0 && match_capacity_tail(name + 3 + n) > 0;
}

static gboolean is_format_char(char c)
{
	return c == '%' || c == '#' || c == '.' || c == ':' || is_alnum(c);
}

/* Length of F in _t_F[N], or 0 when the name is not a timestamp. */
static size_t timestamp_format_len(const char *name)
{
	const char *f;
	size_t n;

	if (strncmp(name, "_t_", 3) != 0)
		return 0;
	f = name + 3;
	if (f[0] != '%' && f[0] != '#' && !is_alpha(f[0]))
		return 0;
	for (n = 1; is_format_char(f[n]); n++)
		;
	return match_capacity_tail(f + n) > 0 ? n : 0;
}

static rsrc_type classify_shape(const char *name)
{
	if (match_simple(name))
		return RSRC_SIMPLE;
	if (match_numeric(name))
		return RSRC_NUMERIC;
	if (match_set(name))
		return RSRC_SET;
	if (match_hier(name))
		return RSRC_HIER;
	if (match_sequence(name))
		return RSRC_SEQUENCE;
	if (timestamp_format_len(name) > 0)
		return RSRC_TIMESTAMP;
	return RSRC_INVALID;
}

/* Components = slashes; each one is a node of the daemon's tree. */
guint rsrc_name_hier_depth(const char *name)
{
	guint depth = 0;

	for (const char *p = name; *p != '\0'; p++)
		depth += (*p == '/');
	return depth;
}

/* Whether the parameters a shape carries are usable: a capacity in range, a
 * bounded set, a timestamp format with a grain. Checking them here lets the
 * client refuse a name before it reaches any daemon. */
static gboolean parameters_valid(rsrc_type type, const char *name)
{
	gint64 cap;
	gint64 grain;

	switch (type) {
	case RSRC_NUMERIC:
	case RSRC_SEQUENCE:
		return rsrc_name_capacity(name, &cap) == 0;
	case RSRC_SET: {
		/* elements = dots + 1; count without allocating */
		const char *p;
		guint64 elements = 1;

		for (p = name; *p != '\0'; p++)
			elements += (*p == '.');
		return elements <= FLOM_SET_ELEMENTS_MAX;
	}
	case RSRC_HIER:
		return rsrc_name_hier_depth(name) <= FLOM_HIER_DEPTH_MAX;
	case RSRC_TIMESTAMP: {
		g_autofree char *fmt = rsrc_name_timestamp_format(name);

		return rsrc_name_capacity(name, &cap) == 0 &&
			rsrc_name_timestamp_grain(fmt, &grain) == 0;
	}
	default:
		return TRUE;
	}
}

rsrc_type rsrc_name_classify(const char *name)
{
	rsrc_type type;

	if (name == NULL || strnlen(name, FLOM_RESOURCE_NAME_MAX + 1) > FLOM_RESOURCE_NAME_MAX)
		return RSRC_INVALID;
	type = classify_shape(name);
	if (type != RSRC_INVALID && !parameters_valid(type, name))
		return RSRC_INVALID;
	return type;
}

const char *rsrc_type_name(rsrc_type type)
{
	switch (type) {
	case RSRC_SIMPLE:
		return "simple";
	case RSRC_NUMERIC:
		return "numeric";
	case RSRC_SET:
		return "set";
	case RSRC_HIER:
		return "hierarchical";
	case RSRC_SEQUENCE:
		return "sequence";
	case RSRC_TIMESTAMP:
		return "timestamp";
	default:
		return "invalid";
	}
}

int rsrc_name_capacity(const char *name, gint64 *out)
{
	const char *open;
	const char *p;
	gint64 value = 0;

	if (name == NULL || strnlen(name, FLOM_RESOURCE_NAME_MAX + 1) > FLOM_RESOURCE_NAME_MAX)
		return -1;
	open = strrchr(name, '[');
	if (open == NULL || match_capacity_tail(open) == 0)
		return -1;
	/* decimal, leading zeros allowed; stop as soon as it leaves the range
	 * so no overflow can happen however many digits follow */
	for (p = open + 1; *p != ']'; p++) {
		value = value * 10 + (*p - '0');
		if (value > FLOM_NUMERIC_MAX)
			return -1;
	}
	if (value < 1)
		return -1;
	*out = value;
	return 0;
}

gboolean rsrc_name_is_transactional(const char *name)
{
	return name != NULL && strncmp(name, "_S_", 3) == 0;
}

char **rsrc_name_set_elements(const char *name)
{
	if (name == NULL || rsrc_name_classify(name) != RSRC_SET)
		return NULL;
	return g_strsplit(name, ".", -1);
}

char *rsrc_name_timestamp_format(const char *name)
{
	size_t n;

	if (name == NULL || strnlen(name, FLOM_RESOURCE_NAME_MAX + 1) > FLOM_RESOURCE_NAME_MAX)
		return NULL;
	n = timestamp_format_len(name);
	if (n == 0)
		return NULL;
	return g_strndup(name + 3, n);
}

/* Whether strftime conversion c appears in format ("%%" is a literal percent,
 * not the start of a conversion; %E and %O modifiers are looked through). */
static gboolean has_conversion(const char *format, const char *convs)
{
	const char *p;

	for (p = format; *p != '\0'; p++) {
		char c;

		if (*p != '%')
			continue;
		c = *++p;
		if (c == '\0')
			break;
		if (c == '%')
			continue;
		if ((c == 'E' || c == 'O') && is_alpha(p[1]))
			c = *++p;
		if (strchr(convs, c) != NULL)
			return TRUE;
	}
	return FALSE;
}

int rsrc_name_timestamp_grain(const char *format, gint64 *grain_us)
{
	if (format == NULL)
		return -1;
	/* Any #f...#ffffff gives 100 ms: the original's detection keeps its last
	 * hit, "#f", which every longer form contains. Clients depend on the
	 * resulting pace, so it is kept. */
	if (strstr(format, "#f") != NULL)
		*grain_us = 100 * G_TIME_SPAN_MILLISECOND;
	else if (has_conversion(format, "crsSTX"))
		*grain_us = G_TIME_SPAN_SECOND;
	else if (has_conversion(format, "MR"))
		*grain_us = G_TIME_SPAN_MINUTE;
	else if (has_conversion(format, "HI"))
		*grain_us = G_TIME_SPAN_HOUR;
	else
		return -1;
	return 0;
}

char *rsrc_name_hier_root(const char *name)
{
	const char *end;

	if (name == NULL || !match_hier(name))
		return NULL;
	end = strchr(name + 1, '/');
	if (end == NULL)
		return g_strdup(name + 1);
	return g_strndup(name + 1, (gsize)(end - (name + 1)));
}
