/*
 * flom: the etcd backend's grant rule (see etcd_decide.h). The same
 * compatibility as the daemon's policies: DLM modes for simple resources,
 * units for numeric ones, one holder per element for sets and per slot for
 * sequences.
 */
#include "etcd_decide.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "config.h"
#include "locktable_policy.h"
#include "etcd_lib.h"

gint64 etcd_capacity(const char *name, rsrc_type type)
{
	g_auto(GStrv) elements = NULL;
	gint64 n = 1;

	switch (type) {
	case RSRC_SIMPLE:
		return 1;
	case RSRC_NUMERIC:
	case RSRC_SEQUENCE:
		return rsrc_name_capacity(name, &n) == 0 ? n : -1;
	case RSRC_SET:
		elements = rsrc_name_set_elements(name);
		return elements ? (gint64)g_strv_length(elements) : -1;
	default:
		return -1;
	}
}

static etcd_verdict etcd_decide_simple(const etcd_claim *me, const etcd_claim *earlier,
				       guint n_earlier)
{
	for (guint i = 0; i < n_earlier; i++) {
		flom_lock_mode held = earlier[i].foreign ? FLOM_LOCK_MODE_EX : earlier[i].mode;

		if (!lt_modes_compatible(held, me->mode))
			return ETCD_WAIT;
	}
	return ETCD_GRANT;
}

/* Units: every earlier key's quantity (a foreign key takes them all). */
static etcd_verdict etcd_decide_units(gint64 capacity, const etcd_claim *me,
				      const etcd_claim *earlier, guint n_earlier)
{
	gint64 used = 0;

	if (me->quantity > capacity)
		return ETCD_NEVER;
	for (guint i = 0; i < n_earlier; i++) {
		used += earlier[i].foreign ? capacity : MAX(earlier[i].quantity, 1);
		if (used + me->quantity > capacity)
			return ETCD_WAIT;
	}
	return ETCD_GRANT;
}

etcd_verdict etcd_decide(rsrc_type type, gint64 capacity, const etcd_claim *me,
			 const etcd_claim *earlier, guint n_earlier)
{
	switch (type) {
	case RSRC_SIMPLE:
		return etcd_decide_simple(me, earlier, n_earlier);
	case RSRC_NUMERIC:
		return etcd_decide_units(capacity, me, earlier, n_earlier);
	case RSRC_SET:
	case RSRC_SEQUENCE:
		/* One element or value each, whatever the keys say. */
		return (gint64)n_earlier < capacity ? ETCD_GRANT : ETCD_WAIT;
	default:
		return ETCD_UNSUPPORTED;
	}
}

char *etcd_claim_value(const etcd_claim *c, const char *host, const char *user, long pid,
		       gint64 since_unix_ms)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mode");
	json_builder_add_string_value(b, config_lock_mode_name(c->mode));
	json_builder_set_member_name(b, "quantity");
	json_builder_add_int_value(b, c->quantity);
	json_builder_set_member_name(b, "host");
	json_builder_add_string_value(b, host);
	json_builder_set_member_name(b, "user");
	json_builder_add_string_value(b, user);
	json_builder_set_member_name(b, "pid");
	json_builder_add_int_value(b, pid);
	json_builder_set_member_name(b, "since");
	json_builder_add_int_value(b, since_unix_ms);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

void etcd_claim_parse(const char *value, etcd_claim *c)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonNode *root;
	JsonObject *o;
	const char *mode;

	*c = (etcd_claim){ FLOM_LOCK_MODE_EX, 1, TRUE };
	if (!value || !*value || !json_parser_load_from_data(p, value, -1, NULL))
		return;
	root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return;
	o = json_node_get_object(root);
	mode = json_object_get_string_member_with_default(o, "mode", NULL);
	if (!mode || config_parse_lock_mode(mode, &c->mode) < 0)
		return;
	c->quantity = json_object_get_int_member_with_default(o, "quantity", 1);
	c->foreign = c->quantity < 1;
}

gboolean etcd_is_lock_key(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p;

	if (strncmp(key, prefix, n) != 0 || key[n] == '\0')
		return FALSE;
	for (p = key + n; *p; p++)
		if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
			return FALSE;
	return p - (key + n) <= 16;
}
