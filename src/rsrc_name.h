/* flom: resource names: which type a name denotes, and its parameters. */
#ifndef FLOM_RSRC_NAME_H
#define FLOM_RSRC_NAME_H

#include <glib.h>

typedef enum {
	RSRC_INVALID = 0,
	RSRC_SIMPLE,       /* _RESOURCE, or ALPHA ALNUM*            */
	RSRC_NUMERIC,      /* name[N]                               */
	RSRC_SET,          /* a.b.c                                 */
	RSRC_HIER,         /* /a/b                                  */
	RSRC_SEQUENCE,     /* _s_name[N], _S_name[N] (transactional) */
	RSRC_TIMESTAMP,    /* _t_FORMAT[N]                          */
} rsrc_type;

/* The type of a name by the original's grammar (first match wins). Names
 * longer than FLOM_RESOURCE_NAME_MAX are invalid, and so are names whose
 * parameters are unusable: a capacity outside 1..FLOM_NUMERIC_MAX, more than
 * FLOM_SET_ELEMENTS_MAX set elements, a timestamp format without a grain,
 * a hierarchical path deeper than FLOM_HIER_DEPTH_MAX components.
 * ALPHA and DIGIT are ASCII whatever the locale. */
rsrc_type rsrc_name_classify(const char *name);
/* The levels of a hierarchical name (its slashes). */
guint rsrc_name_hier_depth(const char *name);
const char *rsrc_type_name(rsrc_type type);

/* The N of name[N], _s_x[N], _S_x[N], _t_F[N]: 0 on success, -1 if absent or
 * out of range (N must be 1..FLOM_NUMERIC_MAX). */
int rsrc_name_capacity(const char *name, gint64 *out);

/* Whether a sequence name is transactional (_S_). */
gboolean rsrc_name_is_transactional(const char *name);

/* Elements of a set name, NULL-terminated (g_strfreev). */
char **rsrc_name_set_elements(const char *name);

/* The timestamp format of _t_FORMAT[N] (g_free). */
char *rsrc_name_timestamp_format(const char *name);

/* The minimum distance between two timestamps issued for FORMAT (after the
 * #f...#ffffff fraction rule of the original): 0 and *grain_us set, or -1
 * when the format has no time field fine enough (an invalid resource). */
int rsrc_name_timestamp_grain(const char *format, gint64 *grain_us);

/* Whether grants of TYPE carry an element (set, sequence, timestamp). */
gboolean rsrc_type_has_elements(rsrc_type type);

/* Whether a grant of NAME may carry ELEMENT (NULL: none): a member of the
 * set, a sequence value, a text of the timestamp's format; none (or empty)
 * for the other types. 0 when allowed, -1 when not. */
int rsrc_name_element_check(const char *name, const char *element);

/* First path component of a hierarchical name: "/a/b" -> "a" (g_free). */
char *rsrc_name_hier_root(const char *name);

#endif
