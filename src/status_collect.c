/*
 * flom: the daemon's side of `flom --status` (see status_collect.h).
 *
 * One pass over the lock table gathers resources and owners; owners are
 * grouped by their resource key, resources sorted by key, so the answer reads
 * the same way twice. Names travel in base64 as on the rest of the wire.
 */
#include "status_collect.h"

#include <string.h>

#include "rsrc_name.h"

typedef struct status_rsrc {
	lt_resource_info info;   /* info.key points into the table */
	gboolean exists;
	GArray *owners;          /* lt_owner_info, in the table's order */
} status_rsrc;

typedef struct status_pass {
	const status_query *q;
	char *filter_key;        /* lt_resource_key(q->filter) */
	GHashTable *by_key;      /* key -> status_rsrc* */
} status_pass;

static void status_rsrc_free(gpointer data)
{
	status_rsrc *r = data;

	g_array_unref(r->owners);
	g_free(r);
}

static status_rsrc *status_rsrc_get(status_pass *p, const char *key)
{
	status_rsrc *r = g_hash_table_lookup(p->by_key, key);

	if (r == NULL) {
		r = g_new0(status_rsrc, 1);
		r->info.key = key;
		r->info.type = rsrc_type_name(rsrc_name_classify(key));
		r->owners = g_array_new(FALSE, FALSE, sizeof(lt_owner_info));
		g_hash_table_insert(p->by_key, (gpointer)key, r);
	}
	return r;
}

static gboolean status_wanted(const status_pass *p, const char *key)
{
	return p->q->filter == NULL || g_strcmp0(p->filter_key, key) == 0;
}

static void status_take_resource(const lt_resource_info *info, gpointer data)
{
	status_pass *p = data;
	status_rsrc *r;

	if (!status_wanted(p, info->key))
		return;
	r = status_rsrc_get(p, info->key);
	r->info = *info;
	r->exists = TRUE;
}

static void status_take_owner(const lt_owner_info *info, gpointer data)
{
	status_pass *p = data;

	if (status_wanted(p, info->resource))
		g_array_append_val(status_rsrc_get(p, info->resource)->owners, *info);
}

/* Someone who may not see everything sees the resources where they take part. */
static gboolean status_visible(const status_pass *p, const status_rsrc *r)
{
	if (p->q->see_all)
		return TRUE;
	for (guint i = 0; i < r->owners->len; i++) {
		const lt_owner_info *o = &g_array_index(r->owners, lt_owner_info, i);

		if (p->q->asker_uid >= 0 && o->client->uid == p->q->asker_uid)
			return TRUE;
	}
	return FALSE;
}

static void status_field_text(flom_msg *m, const char *name, const char *value)
{
	g_autofree char *valid = value ? g_utf8_make_valid(value, -1) : NULL;

	if (valid)
		msg_add_field(m, name, valid);
}

static void status_field_b64(flom_msg *m, const char *name, const char *value)
{
	g_autofree char *b64 = g_base64_encode((const guchar *)value, strlen(value));

	msg_add_field(m, name, b64);
}

static void status_emit(flom_msg *m, GString *out)
{
	msg_encode(m, out);
	msg_clear(m);
}

static void status_emit_rsrc(const status_rsrc *r, GString *out)
{
	static const lt_counters none;
	const lt_counters *c = r->exists ? r->info.counters : &none;
	flom_msg m;

	msg_make_record(&m, "rsrc");
	status_field_b64(&m, "name", r->info.key);
	msg_add_field(&m, "type", r->info.type);
	msg_add_field_int(&m, "exists", r->exists);
	msg_add_field_int(&m, "grants", (gint64)MIN(c->grants, (guint64)G_MAXINT64));
	msg_add_field_int(&m, "wait-total", c->wait_total_us);
	msg_add_field_int(&m, "wait-max", c->wait_max_us);
	msg_add_field_int(&m, "hold-total", c->hold_total_us);
	msg_add_field_int(&m, "hold-max", c->hold_max_us);
	status_emit(&m, out);
}

static const char *status_state_name(lt_owner_state state)
{
	switch (state) {
	case LT_OWNER_HOLDING: return "holding";
	case LT_OWNER_WAITING: return "waiting";
	case LT_OWNER_PARKED:
	default: return "parked";
	}
}

static void status_emit_owner(const lt_owner_info *o, GString *out)
{
	const flom_client_info *ci = o->client;
	flom_msg m;

	msg_make_record(&m, "owner");
	msg_add_field(&m, "state", status_state_name(o->state));
	status_field_b64(&m, "name", o->name);
	msg_add_field_int(&m, "mode", o->mode);
	msg_add_field_int(&m, "quantity", o->quantity);
	status_field_text(&m, "element", o->element);
	msg_add_field_int(&m, "token", (gint64)MIN(o->token, (guint64)G_MAXINT64));
	msg_add_field_int(&m, "requested", o->requested_us);
	msg_add_field_int(&m, "since", o->since_us);
	status_field_text(&m, "peer", o->peer);
	msg_add_field_int(&m, "pid", ci->pid);
	msg_add_field_int(&m, "command-pid", ci->command_pid);
	msg_add_field_int(&m, "uid", ci->uid);
	status_field_text(&m, "user", ci->user);
	status_field_text(&m, "host", ci->host);
	status_emit(&m, out);
}

static void status_emit_end(int rc, gint64 count, gboolean truncated, gint64 now_us, GString *out)
{
	flom_msg m;

	msg_make_record(&m, "end");
	msg_add_field_int(&m, "rc", rc);
	msg_add_field_int(&m, "count", count);
	msg_add_field_int(&m, "truncated", truncated);
	msg_add_field_int(&m, "now", now_us);
	status_emit(&m, out);
}

static gint status_cmp_key(gconstpointer a, gconstpointer b)
{
	return strcmp((*(const status_rsrc *const *)a)->info.key,
		      (*(const status_rsrc *const *)b)->info.key);
}

static GPtrArray *status_sorted(GHashTable *by_key)
{
	GPtrArray *sorted = g_ptr_array_sized_new(g_hash_table_size(by_key));
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, by_key);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(sorted, v);
	g_ptr_array_sort(sorted, status_cmp_key);
	return sorted;
}

void status_collect(const lt_table *t, const status_query *q, GString *out)
{
	status_pass p = { .q = q };
	g_autoptr(GPtrArray) sorted = NULL;
	gboolean truncated = FALSE;
	gint64 count = 0;

	p.filter_key = q->filter ? lt_resource_key(q->filter) : NULL;
	p.by_key = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, status_rsrc_free);
	lt_foreach_resource(t, status_take_resource, &p);
	lt_foreach_owner(t, status_take_owner, &p);
	sorted = status_sorted(p.by_key);
	for (guint i = 0; i < sorted->len && !truncated; i++) {
		const status_rsrc *r = g_ptr_array_index(sorted, i);

		if (!status_visible(&p, r))
			continue;
		status_emit_rsrc(r, out);
		for (guint k = 0; k < r->owners->len && !truncated; k++) {
			status_emit_owner(&g_array_index(r->owners, lt_owner_info, k), out);
			truncated = out->len > q->max_bytes;
		}
		count++;
		truncated = truncated || out->len > q->max_bytes;
	}
	status_emit_end(FLOM_RC_OK, count, truncated, q->now_us, out);
	g_hash_table_destroy(p.by_key);
	g_free(p.filter_key);
}

void status_refusal(int rc, GString *out)
{
	status_emit_end(rc, 0, FALSE, g_get_real_time(), out);
}

void status_fill_answer(const lt_table *t, guint64 owner, int rc, flom_msg *m)
{
	lt_owner_info h;

	m->ext = MSG_EXT_LEVEL;
	if (rc != FLOM_RC_ENQUEUED || lt_oldest_holder(t, owner, &h) < 0)
		return;
	m->has_holder = TRUE;
	flom_client_info_copy(&m->holder, h.client);
	m->holder_since = h.since_us;
}

void status_check_claims(const flom_client_info *claimed, gint64 cred_pid, gint64 cred_uid,
			 const char *this_host, flom_client_info *out)
{
	flom_client_info_copy(out, claimed);
	out->command_pid = 0;   /* told after the grant */
	if (cred_uid < 0)
		return;
	out->pid = cred_pid;
	if (out->uid != cred_uid) {
		out->uid = cred_uid;
		g_clear_pointer(&out->user, g_free);
	}
	if (g_strcmp0(out->host, this_host) != 0) {
		g_free(out->host);
		out->host = g_strdup(this_host);
	}
}
