/*
 * flom: `flom --status --etcd=...` (see etcd_status.h).
 */
#include "etcd_status.h"

#include <stdio.h>
#include <string.h>

#include "etcd_decide.h"
#include "etcd_http.h"
#include "msg.h"
#include "rsrc_name.h"
#include "status.h"
#include "etcd_lib.h"

/* The requests of one resource, in create-revision order. */
typedef struct es_rsrc {
	char *name;
	rsrc_type type;
	GArray *owners;         /* guint: indexes into the keys */
} es_rsrc;

typedef struct es_pass {
	const char *prefix;
	const etcd_status_key *keys;
	GHashTable *rsrcs;      /* name -> es_rsrc* */
	GHashTable *elements;   /* lock key -> the set element it claims */
	GPtrArray *records;
} es_pass;

/* What flom wrote in its key's value (etcd_claim_value). */
typedef struct es_who {
	char *host, *user;
	gint64 pid, asked_us;
} es_who;

static void es_rsrc_free(gpointer data)
{
	es_rsrc *r = data;

	g_array_free(r->owners, TRUE);
	g_free(r->name);
	g_free(r);
}

static void es_msg_free(gpointer m)
{
	msg_clear(m);
	g_free(m);
}

static flom_msg *es_record(es_pass *p, const char *record)
{
	flom_msg *m = g_new0(flom_msg, 1);

	msg_make_record(m, record);
	g_ptr_array_add(p->records, m);
	return m;
}

static void es_field_b64(flom_msg *m, const char *field, const char *text)
{
	g_autofree char *b64 = g_base64_encode((const guchar *)text, strlen(text));

	msg_add_field(m, field, b64);
}

static void es_field_text(flom_msg *m, const char *field, const char *text)
{
	g_autofree char *valid = text ? g_utf8_make_valid(text, -1) : NULL;

	if (valid)
		msg_add_field(m, field, valid);
}

/* ------------------------------------------------------------ sorting the keys */

/* The resource KEY belongs to ("<prefix><name>/..."), or NULL when it is
 * none that flom locks through etcd. g_free. */
static char *es_resource_of(const char *prefix, const char *key)
{
	const char *rel = key + strlen(prefix), *slash;
	char *name;
	rsrc_type t;

	if (!g_str_has_prefix(key, prefix) || !(slash = strchr(rel, '/')))
		return NULL;
	name = g_strndup(rel, (gsize)(slash - rel));
	t = rsrc_name_classify(name);
	if (t == RSRC_INVALID || t == RSRC_HIER || t == RSRC_TIMESTAMP) {
		g_free(name);
		return NULL;
	}
	return name;
}

/* A set element claim "<name>/e/<index>": remember which request has it. */
static void es_take_claim(es_pass *p, const char *name, const char *rest, const char *claimant)
{
	g_auto(GStrv) elements = rsrc_name_classify(name) == RSRC_SET ? rsrc_name_set_elements(name) : NULL;
	char *end = NULL;
	guint64 i;

	if (!elements || !g_str_has_prefix(rest, "e/"))
		return;
	i = g_ascii_strtoull(rest + 2, &end, 10);
	if (end && *end == '\0' && end != rest + 2 && i < g_strv_length(elements))
		g_hash_table_replace(p->elements, g_strdup(claimant), g_strdup(elements[i]));
}

static void es_sort_key(es_pass *p, guint i)
{
	const etcd_status_key *k = &p->keys[i];
	g_autofree char *name = es_resource_of(p->prefix, k->key);
	g_autofree char *own = NULL;
	es_rsrc *r;

	if (!name)
		return;
	own = g_strconcat(p->prefix, name, "/", NULL);
	if (!etcd_is_lock_key(k->key, own)) {
		es_take_claim(p, name, k->key + strlen(own), k->value ? k->value : "");
		return;
	}
	r = g_hash_table_lookup(p->rsrcs, name);
	if (!r) {
		r = g_new0(es_rsrc, 1);
		r->name = g_strdup(name);
		r->type = rsrc_name_classify(name);
		r->owners = g_array_new(FALSE, FALSE, sizeof(guint));
		g_hash_table_insert(p->rsrcs, r->name, r);
	}
	g_array_append_val(r->owners, i);
}

/* ------------------------------------------------------------ records */

static void es_who_parse(const char *value, es_who *w)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonNode *root;
	JsonObject *o;

	*w = (es_who){ NULL, NULL, 0, 0 };
	if (!value || !*value || !json_parser_load_from_data(parser, value, -1, NULL) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
		return;
	o = json_node_get_object(root);
	w->host = g_strdup(json_object_get_string_member_with_default(o, "host", NULL));
	w->user = g_strdup(json_object_get_string_member_with_default(o, "user", NULL));
	w->pid = json_object_get_int_member_with_default(o, "pid", 0);
	w->asked_us = json_object_get_int_member_with_default(o, "since", 0) * 1000;
}

/* The owner record of request I (of resource R), given its verdict. */
static void es_owner(es_pass *p, const es_rsrc *r, guint i, const etcd_claim *c, etcd_verdict v)
{
	const etcd_status_key *k = &p->keys[i];
	gboolean holding = v == ETCD_GRANT;
	flom_msg *m = es_record(p, "owner");
	g_autofree char *lease = g_strdup_printf("lease %s", strrchr(k->key, '/') + 1);
	es_who w;

	es_who_parse(k->value, &w);
	msg_add_field(m, "state", holding ? "holding" : "waiting");
	es_field_b64(m, "name", r->name);
	msg_add_field_int(m, "mode", c->mode);
	msg_add_field_int(m, "quantity", c->quantity);
	if (holding)
		es_field_text(m, "element", g_hash_table_lookup(p->elements, k->key));
	msg_add_field_int(m, "token", holding ? k->create_revision : 0);
	msg_add_field_int(m, "requested", w.asked_us);
	msg_add_field_int(m, "since", w.asked_us);
	es_field_text(m, "peer", lease);
	msg_add_field_int(m, "pid", w.pid);
	es_field_text(m, "user", w.user);
	es_field_text(m, "host", w.host);
	g_free(w.host);
	g_free(w.user);
}

/* The resource record, then one owner record per request: the grant rule
 * applied in create-revision order tells holders from waiters. */
static void es_emit_rsrc(es_pass *p, const es_rsrc *r)
{
	flom_msg *m = es_record(p, "rsrc");
	gint64 capacity = etcd_capacity(r->name, r->type);
	g_autofree etcd_claim *claims = g_new0(etcd_claim, r->owners->len);

	es_field_b64(m, "name", r->name);
	msg_add_field(m, "type", rsrc_type_name(r->type));
	msg_add_field_int(m, "exists", 1);
	for (guint j = 0; j < r->owners->len; j++) {
		guint i = g_array_index(r->owners, guint, j);

		etcd_claim_parse(p->keys[i].value, &claims[j]);
		es_owner(p, r, i, &claims[j], etcd_decide(r->type, capacity, &claims[j], claims, j));
	}
}

GPtrArray *etcd_status_records(const char *prefix, const etcd_status_key *keys, guint n,
			       gboolean truncated, gint64 now_us)
{
	es_pass p = { prefix, keys, g_hash_table_new_full(g_str_hash, g_str_equal, NULL, es_rsrc_free),
		      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
		      g_ptr_array_new_with_free_func(es_msg_free) };
	GList *names;
	flom_msg *end;

	for (guint i = 0; i < n; i++)
		es_sort_key(&p, i);
	names = g_list_sort(g_hash_table_get_keys(p.rsrcs), (GCompareFunc)strcmp);
	for (GList *l = names; l; l = l->next)
		es_emit_rsrc(&p, g_hash_table_lookup(p.rsrcs, l->data));
	end = es_record(&p, "end");
	msg_add_field_int(end, "rc", 0);
	msg_add_field_int(end, "count", g_list_length(names));
	msg_add_field_int(end, "truncated", truncated);
	msg_add_field_int(end, "now", now_us);
	g_list_free(names);
	g_hash_table_destroy(p.rsrcs);
	g_hash_table_destroy(p.elements);
	return p.records;
}

/* ------------------------------------------------------------ asking etcd */

/* Every key under FROM, oldest first, at most FLOM_ETCD_STATUS_KEYS_MAX. */
static JsonObject *es_range(etcd_http *h, const char *from, GError **err)
{
	g_autofree char *end = etcd_prefix_end(from);
	g_autofree char *f64 = etcd_b64(from), *e64 = etcd_b64(end);
	g_autofree char *body = g_strdup_printf("{\"key\":\"%s\",\"range_end\":\"%s\",\"sort_order\":"
						"\"ASCEND\",\"sort_target\":\"CREATE\",\"limit\":\"%d\"}",
						f64, e64, FLOM_ETCD_STATUS_KEYS_MAX);

	return etcd_http_post(h, "/v3/kv/range", body, FLOM_STATUS_TIMEOUT_MS, err);
}

static int es_print(const flom_config *cfg, const char *prefix, JsonObject *o)
{
	JsonNode *kvs = json_object_get_member(o, "kvs");
	JsonArray *a = kvs && JSON_NODE_HOLDS_ARRAY(kvs) ? json_node_get_array(kvs) : NULL;
	guint n = a ? json_array_get_length(a) : 0;
	g_autofree etcd_status_key *keys = g_new0(etcd_status_key, MAX(n, 1));
	g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) records = NULL;

	for (guint i = 0; i < n; i++) {
		JsonObject *kv = json_array_get_object_element(a, i);
		char *key = kv ? etcd_b64_member(kv, "key") : NULL;
		char *value = kv ? etcd_b64_member(kv, "value") : NULL;

		g_ptr_array_add(texts, key);
		g_ptr_array_add(texts, value);
		keys[i] = (etcd_status_key){ key ? key : "", value, etcd_int_member(kv, "create_revision") };
	}
	records = etcd_status_records(prefix, keys, n,
				      json_object_get_boolean_member_with_default(o, "more", FALSE),
				      g_get_real_time());
	/* no counters: etcd keeps none */
	return status_print(records, cfg->status, FALSE, stdout);
}

int etcd_status(const flom_config *cfg)
{
	const char *prefix = cfg->etcd_prefix ? cfg->etcd_prefix : FLOM_ETCD_DEFAULT_PREFIX;
	/* the default name means no -r: every resource */
	gboolean all = g_strcmp0(cfg->resource_name, FLOM_DEFAULT_RESOURCE_NAME) == 0;
	g_autofree char *from = all ? g_strdup(prefix) : g_strconcat(prefix, cfg->resource_name, "/", NULL);
	g_autoptr(GError) err = NULL;
	etcd_http *h = etcd_http_new(cfg->etcd_endpoints, cfg->etcd_ca_certificate, cfg->etcd_certificate,
				     cfg->etcd_private_key, &err);
	JsonObject *o = h ? es_range(h, from, &err) : NULL;
	int status = FLOM_EXIT_GENERIC;

	if (o) {
		status = es_print(cfg, prefix, o);
		json_object_unref(o);
	} else {
		fprintf(stderr, "flom: etcd: %s\n", err->message);
	}
	etcd_http_free(h);
	return status;
}
