/*
 * flom: the lock table (see locktable.h for the event model).
 *
 * Owners are found by id and resources by key with hash tables; holders and
 * waiters are GQueues whose links each owner remembers, so leaving is O(1).
 * Timers (idle resources to reap, timestamp grains that may free a waiter)
 * sit in one GTree ordered by wake time: lt_next_deadline reads its first
 * entry and lt_tick pops only the entries that are due, so no call scans all
 * resources or all owners.
 *
 * Grant policies live in rsrc_*.c behind lt_policy (locktable_policy.h);
 * this file applies the same rules to all of them:
 *  - a request is granted when the policy can grant it against the holders
 *    and no waiter ahead blocks it (any waiter for the strict FIFO types; the
 *    conflicting ones for hierarchical resources, see rsrc_hier.c);
 *  - on every departure the waiters are examined from the head, and for
 *    strict types the scan stops at the first one that cannot be granted;
 *  - a selective queue (hierarchical) is scanned whole, O(waiters x depth):
 *    a departure only marks it, and the next lt_tick (due at once) makes one
 *    scan for all the departures before it, so N holders or waiters leaving
 *    together cost one scan, not N; a waiter leaving while no waiter the
 *    holders admit is queued (queue_only == 0) lets nobody in and marks
 *    nothing;
 *  - every grant gets a fencing token larger than every token before it.
 */
#include <string.h>

#include "locktable.h"
#include "locktable_policy.h"
#include "trace.h"

struct lt_table {
	GHashTable *resources;    /* key -> lt_resource* (key owned by it) */
	GHashTable *owners;       /* &id -> lt_owner* (holding, waiting, parked) */
	GHashTable *incubator;    /* key -> GQueue* of parked lt_owner* */
	guint parked;
	guint max_resources;      /* lt_set_max_resources */
	GTree *timers;            /* lt_resource* ordered by (wake_us, serial) */
	guint64 last_token;
	guint64 next_serial;
	gint64 keep_until_us;     /* latest expiry of an idle resource with an explicit -i */
	lt_stats_set stats;       /* counters by key, of live and recently dead resources */
};

/* ---- events ---- */

static void lt_event_clear(gpointer data)
{
	lt_event *e = data;

	g_free(e->element);
	e->element = NULL;
}

GArray *lt_events_new(void)
{
	GArray *events = g_array_new(FALSE, TRUE, sizeof(lt_event));

	g_array_set_clear_func(events, lt_event_clear);
	return events;
}

void lt_events_clear(GArray *events)
{
	g_array_set_size(events, 0);
}

static void event_emit(GArray *events, guint64 owner, int rc, const char *element, guint64 token)
{
	lt_event e = {
		.owner = owner,
		.rc = rc,
		.element = g_strdup(element),
		.token = token,
	};

	g_array_append_val(events, e);
}

/* ---- policies and keys ---- */

static const lt_policy *policy_for(rsrc_type type)
{
	switch (type) {
	case RSRC_SIMPLE:
		return &lt_policy_simple;
	case RSRC_NUMERIC:
		return &lt_policy_numeric;
	case RSRC_SET:
		return &lt_policy_set;
	case RSRC_HIER:
		return &lt_policy_hier;
	case RSRC_SEQUENCE:
		return &lt_policy_sequence;
	case RSRC_TIMESTAMP:
		return &lt_policy_timestamp;
	default:
		return NULL;
	}
}

/* "/" + root for hierarchical names (all paths of a root share one object);
 * the name itself for the others. */
static char *resource_key(const char *name, rsrc_type type)
{
	g_autofree char *root = NULL;

	if (type != RSRC_HIER)
		return g_strdup(name);
	root = rsrc_name_hier_root(name);
	return g_strconcat("/", root, NULL);
}

/* ---- timers ---- */

static gint timer_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	const lt_resource *ra = a;
	const lt_resource *rb = b;

	(void)unused;
	if (ra->wake_us != rb->wake_us)
		return ra->wake_us < rb->wake_us ? -1 : 1;
	if (ra->serial != rb->serial)
		return ra->serial < rb->serial ? -1 : 1;
	return 0;
}

/* Move r to wake_us in the timer tree (G_MAXINT64: out of it). The tree's
 * order depends on wake_us, so r leaves it before the value changes. */
static void timer_set(lt_table *t, lt_resource *r, gint64 wake_us)
{
	if (r->wake_us == wake_us)
		return;
	if (r->wake_us != G_MAXINT64)
		g_tree_remove(t->timers, r);
	r->wake_us = wake_us;
	if (wake_us != G_MAXINT64)
		g_tree_insert(t->timers, r, r);
}

static gboolean timer_first_cb(gpointer key, gpointer value, gpointer data)
{
	(void)key;
	*(lt_resource **)data = value;
	return TRUE;   /* stop at the first: in-order, so the earliest */
}

static lt_resource *timer_first(const lt_table *t)
{
	lt_resource *first = NULL;

	/* g_tree_foreach reaches the first node in O(log n) and stops there
	 * (g_tree_node_first needs GLib 2.68) */
	g_tree_foreach(t->timers, timer_first_cb, &first);
	return first;
}

/* now + ms, saturating: a huge idle lifespan means "until the daemon ends". */
static gint64 time_after_ms(gint64 now_us, gint64 ms)
{
	if (ms > (G_MAXINT64 - 1 - now_us) / G_TIME_SPAN_MILLISECOND)
		return G_MAXINT64;
	return now_us + ms * G_TIME_SPAN_MILLISECOND;
}

/* The wake time of a resource whose selective queue waits for a scan: due at
 * any lt_tick, whatever the clock says. */
#define LT_WAKE_NOW 0

/* After anything changed on r: start or end its idle period, and put its
 * next wake time (reap, pending scan or policy timer) in the tree. */
static void resource_touch(lt_table *t, lt_resource *r, gint64 now_us)
{
	gboolean idle = r->holders.length == 0 && r->waiters.length == 0;
	gint64 wake = G_MAXINT64;

	if (idle && !r->idle) {
		gint64 ms = MAX(r->idle_lifespan_ms, FLOM_RESOURCE_IDLE_MIN_MS);

		r->idle_deadline_us = time_after_ms(now_us, ms);
		if (r->idle_lifespan_ms > 0)
			t->keep_until_us = MAX(t->keep_until_us, r->idle_deadline_us);
	}
	r->idle = idle;
	if (idle) {
		r->scan_pending = FALSE;
		wake = r->idle_deadline_us;
	} else if (r->scan_pending) {
		wake = LT_WAKE_NOW;
	} else if (r->policy->next_timer != NULL) {
		wake = r->policy->next_timer(r, now_us);
	}
	timer_set(t, r, wake);
}

/* ---- resources ---- */

static lt_resource *resource_new(lt_table *t, const lt_lock_request *req, rsrc_type type,
				 char *key, gint64 now_us)
{
	lt_resource *r = g_new0(lt_resource, 1);

	r->key = key;
	r->type = type;
	r->policy = policy_for(type);
	g_queue_init(&r->holders);
	g_queue_init(&r->waiters);
	r->idle_lifespan_ms = req->idle_lifespan_ms;
	r->wake_us = G_MAXINT64;
	r->serial = t->next_serial++;
	if (r->policy->init(r, req->name, now_us) != 0) {
		g_free(r->key);
		g_free(r);
		return NULL;
	}
	g_hash_table_insert(t->resources, r->key, r);
	r->stats = lt_stats_attach(&t->stats, r->key);
	TRACE(TRACE_LOCKTABLE, "created %s resource '%s'", rsrc_type_name(type), r->key);
	return r;
}

/* Only ever called on a resource nobody holds or waits for. */
static void resource_destroy(lt_table *t, lt_resource *r)
{
	g_assert(r->holders.length == 0 && r->waiters.length == 0);
	timer_set(t, r, G_MAXINT64);
	g_hash_table_remove(t->resources, r->key);
	lt_stats_detach(&t->stats, r->stats);
	TRACE(TRACE_LOCKTABLE, "removed resource '%s'", r->key);
	r->policy->fini(r);
	g_free(r->key);
	g_free(r);
}

/* ---- owners ---- */

/* Copy n bytes of s to *at and move *at past them. */
static char *owner_put(char **at, const char *s, size_t n)
{
	char *copy = memcpy(*at, s, n);

	*at += n;
	return copy;
}

/* The owner and its three strings are one allocation: they live exactly as
 * long, and a lock cycle makes one owner. */
static lt_owner *owner_new(const lt_lock_request *req, rsrc_type type, const char *key, gint64 now_us)
{
	const char *peer = req->peer != NULL ? req->peer : "";
	size_t name_n = strlen(req->name) + 1, key_n = strlen(key) + 1, peer_n = strlen(peer) + 1;
	lt_owner *o = g_malloc0(sizeof(*o) + name_n + key_n + peer_n);
	char *at = (char *)(o + 1);

	o->id = req->owner;
	o->name = owner_put(&at, req->name, name_n);
	o->key = owner_put(&at, key, key_n);
	o->type = type;
	o->peer = owner_put(&at, peer, peer_n);
	o->mode = req->mode;
	o->quantity = req->quantity;
	o->wait = req->wait;
	o->idle_lifespan_ms = req->idle_lifespan_ms;
	o->requested_us = now_us;
	o->slot = -1;
	o->client = (flom_client_info)FLOM_CLIENT_INFO_INIT;
	if (req->client != NULL)
		flom_client_info_copy(&o->client, req->client);
	return o;
}

static void owner_free(lt_owner *o)
{
	g_free(o->element);
	flom_client_info_clear(&o->client);
	g_free(o);
}

/* The owner leaves the table for good: out of the index, its policy state
 * undone. It must already be out of every queue. */
static void owner_drop(lt_table *t, lt_owner *o)
{
	g_hash_table_remove(t->owners, &o->id);
	if (o->rsrc != NULL && o->rsrc->policy->forget != NULL)
		o->rsrc->policy->forget(o->rsrc, o);
	owner_free(o);
}

static guint64 token_next(lt_table *t, gint64 now_us)
{
	guint64 clock = now_us > 0 ? (guint64)now_us * 4 : 0;

	/* the wall clock part keeps tokens growing across daemon restarts;
	 * the counter part keeps them strictly growing within one daemon */
	t->last_token = MAX(t->last_token + 1, clock);
	return t->last_token;
}

/* Make o a holder of r and tell it. 0, or -1 when the policy could not make
 * the grant after all: o was told and dropped. */
static int owner_grant(lt_table *t, lt_resource *r, lt_owner *o, gint64 now_us, GArray *events)
{
	if (r->policy->grant(r, o, now_us) != 0) {
		event_emit(events, o->id, FLOM_RC_INVALID_NAME, NULL, 0);
		owner_drop(t, o);
		return -1;
	}
	o->state = LT_OWNER_HOLDING;
	o->since_us = now_us;
	o->token = token_next(t, now_us);
	lt_stats_add_wait(r->stats, now_us - o->requested_us);
	g_queue_push_tail(&r->holders, o);
	o->link = r->holders.tail;
	g_hash_table_insert(t->owners, &o->id, o);
	event_emit(events, o->id, FLOM_RC_OK, o->element, o->token);
	TRACE(TRACE_LOCKTABLE, "owner %" G_GUINT64_FORMAT " holds '%s'%s%s", o->id, o->name,
	      o->element != NULL ? " element " : "", o->element != NULL ? o->element : "");
	return 0;
}

static void owner_enqueue(lt_table *t, lt_resource *r, lt_owner *o, GArray *events)
{
	o->state = LT_OWNER_WAITING;
	g_queue_push_tail(&r->waiters, o);
	o->link = r->waiters.tail;
	if (r->policy->queue_mark != NULL)
		r->policy->queue_mark(r, o, TRUE);
	g_hash_table_insert(t->owners, &o->id, o);
	event_emit(events, o->id, FLOM_RC_ENQUEUED, NULL, 0);
	TRACE(TRACE_LOCKTABLE, "owner %" G_GUINT64_FORMAT " waits for '%s' (%u waiting)",
	      o->id, o->name, r->waiters.length);
}

/* Refuse o with rc and forget it. */
static void owner_refuse(lt_table *t, lt_owner *o, int rc, GArray *events)
{
	event_emit(events, o->id, rc, NULL, 0);
	TRACE(TRACE_LOCKTABLE, "owner %" G_GUINT64_FORMAT " refused on '%s': rc %d", o->id, o->name, rc);
	owner_drop(t, o);
}

static gboolean waiter_ahead_blocks(const lt_resource *r, const lt_owner *o)
{
	if (r->policy->queue_blocks != NULL)
		return r->policy->queue_blocks(r, o);
	return r->waiters.length > 0;
}

/* A request (new or out of the incubator) meets its resource: granted,
 * queued, or refused. Exactly one event for o. */
static void lock_try(lt_table *t, lt_resource *r, lt_owner *o, gint64 now_us, GArray *events)
{
	int rc = r->policy->admit != NULL ? r->policy->admit(r, o) : FLOM_RC_OK;
	gboolean admitted;

	o->rsrc = r;
	if (rc != FLOM_RC_OK) {
		/* admit prepared nothing: nothing for forget to undo */
		o->rsrc = NULL;
		owner_refuse(t, o, rc, events);
		return;
	}
	admitted = r->policy->can_grant(r, o, now_us);
	if (admitted && !waiter_ahead_blocks(r, o)) {
		owner_grant(t, r, o, now_us, events);
	} else if (!o->wait || r->waiters.length >= FLOM_WAITERS_MAX) {
		owner_refuse(t, o, FLOM_RC_BUSY, events);
	} else {
		if (admitted)
			r->queue_only++;
		owner_enqueue(t, r, o, events);
	}
}

/* ---- waking waiters ---- */

static void waiter_grant(lt_table *t, lt_resource *r, lt_owner *w, gint64 now_us, GArray *events)
{
	g_queue_delete_link(&r->waiters, w->link);
	w->link = NULL;
	owner_grant(t, r, w, now_us, events);
}

/* Strict FIFO: grant from the head while the head can be granted. */
static void scan_strict(lt_table *t, lt_resource *r, gint64 now_us, GArray *events)
{
	lt_owner *w;

	while ((w = g_queue_peek_head(&r->waiters)) != NULL && r->policy->can_grant(r, w, now_us))
		waiter_grant(t, r, w, now_us, events);
}

/* Selective FIFO (hierarchical): each waiter in arrival order is granted
 * when the waiters still queued ahead of it do not block it and the holders
 * let it in. The marks are rebuilt as the scan goes, so a waiter is only
 * checked against the ones ahead of it that stay queued. */
static void scan_selective(lt_table *t, lt_resource *r, gint64 now_us, GArray *events)
{
	GList *l;
	GList *next;

	for (l = r->waiters.head; l != NULL; l = l->next)
		r->policy->queue_mark(r, l->data, FALSE);
	r->queue_only = 0;
	for (l = r->waiters.head; l != NULL; l = next) {
		lt_owner *w = l->data;
		gboolean admitted = r->policy->can_grant(r, w, now_us);

		next = l->next;
		if (admitted && !r->policy->queue_blocks(r, w)) {
			waiter_grant(t, r, w, now_us, events);
			continue;
		}
		r->policy->queue_mark(r, w, TRUE);
		if (admitted)
			r->queue_only++;
	}
}

static void resource_wake_waiters(lt_table *t, lt_resource *r, gint64 now_us, GArray *events)
{
	if (r->policy->queue_mark != NULL)
		scan_selective(t, r, now_us, events);
	else
		scan_strict(t, r, now_us, events);
}

/* ---- incubator ---- */

static void incubator_park(lt_table *t, lt_owner *o, GArray *events)
{
	GQueue *q = g_hash_table_lookup(t->incubator, o->key);

	if (q == NULL) {
		q = g_queue_new();
		g_hash_table_insert(t->incubator, g_strdup(o->key), q);
	}
	o->state = LT_OWNER_PARKED;
	g_queue_push_tail(q, o);
	o->link = q->tail;
	t->parked++;
	g_hash_table_insert(t->owners, &o->id, o);
	event_emit(events, o->id, FLOM_RC_WAIT_RESOURCE, NULL, 0);
	TRACE(TRACE_LOCKTABLE, "owner %" G_GUINT64_FORMAT " parked until '%s' exists", o->id, o->key);
}

static void incubator_unpark(lt_table *t, lt_owner *o)
{
	GQueue *q = g_hash_table_lookup(t->incubator, o->key);

	g_assert(q != NULL && o->state == LT_OWNER_PARKED);
	g_queue_delete_link(q, o->link);
	o->link = NULL;
	t->parked--;
	if (g_queue_is_empty(q))
		g_hash_table_remove(t->incubator, o->key);
}

/* r was just created: hand it every owner parked for its key, in arrival
 * order, each as if its request arrived now. */
static void incubator_hand_over(lt_table *t, lt_resource *r, gint64 now_us, GArray *events)
{
	GQueue *q;
	lt_owner *o;

	while ((q = g_hash_table_lookup(t->incubator, r->key)) != NULL &&
	       (o = g_queue_peek_head(q)) != NULL) {
		incubator_unpark(t, o);
		lock_try(t, r, o, now_us, events);
	}
}

/* ---- the API ---- */

lt_table *lt_new(void)
{
	lt_table *t = g_new0(lt_table, 1);

	t->resources = g_hash_table_new(g_str_hash, g_str_equal);
	t->owners = g_hash_table_new(g_int64_hash, g_int64_equal);
	t->incubator = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)g_queue_free);
	t->timers = g_tree_new_full(timer_cmp, NULL, NULL, NULL);
	t->max_resources = FLOM_RESOURCES_MAX;
	lt_stats_init(&t->stats);
	return t;
}

void lt_set_max_resources(lt_table *t, guint max)
{
	t->max_resources = CLAMP(max, 1, FLOM_RESOURCES_MAX);
}

void lt_free(lt_table *t)
{
	GHashTableIter it;
	gpointer value;

	if (t == NULL)
		return;
	/* owners first: forget() needs their resource still alive */
	g_hash_table_iter_init(&it, t->owners);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		lt_owner *o = value;

		if (o->rsrc != NULL && o->rsrc->policy->forget != NULL)
			o->rsrc->policy->forget(o->rsrc, o);
		owner_free(o);
	}
	g_hash_table_destroy(t->owners);
	g_hash_table_iter_init(&it, t->resources);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		lt_resource *r = value;

		r->policy->fini(r);
		g_queue_clear(&r->holders);
		g_queue_clear(&r->waiters);
		g_free(r->key);
		g_free(r);
	}
	g_hash_table_destroy(t->resources);
	g_hash_table_destroy(t->incubator);
	g_tree_destroy(t->timers);
	lt_stats_fini(&t->stats);
	g_free(t);
}

/* Range checks before anything is looked up or indexed: FLOM_RC_OK, or the
 * refusal of the request. */
static int request_check(const lt_table *t, const lt_lock_request *req, rsrc_type *type)
{
	if (req->name == NULL)
		return FLOM_RC_INVALID_NAME;
	*type = rsrc_name_classify(req->name);
	if (*type == RSRC_INVALID)
		return FLOM_RC_INVALID_NAME;
	if ((unsigned)req->mode >= FLOM_LOCK_MODE_N)
		return FLOM_RC_INVALID_REQUEST;
	if (*type == RSRC_NUMERIC && req->quantity < 1)
		return FLOM_RC_INVALID_REQUEST;
	if (g_hash_table_contains(t->owners, &req->owner))
		return FLOM_RC_INVALID_REQUEST;
	return FLOM_RC_OK;
}

/* No such resource: create it for a create=1 request, otherwise park the
 * owner (wait=1) or refuse. NULL when the request was answered here. */
static lt_resource *request_resource_missing(lt_table *t, const lt_lock_request *req, rsrc_type type,
					     const char *key, gint64 now_us, GArray *events)
{
	lt_resource *r;

	if (!req->create) {
		if (!req->wait)
			event_emit(events, req->owner, FLOM_RC_CANT_WAIT, NULL, 0);
		else if (t->parked >= FLOM_INCUBATOR_MAX)
			event_emit(events, req->owner, FLOM_RC_TOO_MANY, NULL, 0);
		else
			incubator_park(t, owner_new(req, type, key, now_us), events);
		return NULL;
	}
	if (g_hash_table_size(t->resources) >= t->max_resources) {
		/* not "busy": no holder will ever make room for this name */
		event_emit(events, req->owner, FLOM_RC_TOO_MANY, NULL, 0);
		return NULL;
	}
	r = resource_new(t, req, type, g_strdup(key), now_us);
	if (r == NULL)
		event_emit(events, req->owner, FLOM_RC_INVALID_NAME, NULL, 0);
	return r;
}

void lt_request(lt_table *t, const lt_lock_request *req, gint64 now_us, GArray *events)
{
	rsrc_type type = RSRC_INVALID;
	g_autofree char *key = NULL;
	lt_resource *r;
	gboolean created = FALSE;
	int rc = request_check(t, req, &type);

	if (rc != FLOM_RC_OK) {
		event_emit(events, req->owner, rc, NULL, 0);
		return;
	}
	key = resource_key(req->name, type);
	r = g_hash_table_lookup(t->resources, key);
	if (r == NULL) {
		r = request_resource_missing(t, req, type, key, now_us, events);
		if (r == NULL)
			return;
		created = TRUE;
	}
	lock_try(t, r, owner_new(req, type, key, now_us), now_us, events);
	if (created && r->holders.length == 0 && r->waiters.length == 0) {
		/* its creator was refused: leave no object behind, and leave the
		 * parked owners for a creator that can use it */
		resource_destroy(t, r);
		return;
	}
	if (created)
		incubator_hand_over(t, r, now_us, events);
	resource_touch(t, r, now_us);
}

void lt_release(lt_table *t, guint64 owner, gboolean rollback, gint64 now_us, GArray *events)
{
	lt_owner *o = g_hash_table_lookup(t->owners, &owner);
	gboolean holder;
	lt_resource *r;

	if (o == NULL)
		return;
	if (o->state == LT_OWNER_PARKED) {
		incubator_unpark(t, o);
		owner_drop(t, o);
		return;
	}
	r = o->rsrc;
	holder = o->state == LT_OWNER_HOLDING;
	if (holder) {
		r->policy->release(r, o, rollback);
		g_queue_delete_link(&r->holders, o->link);
		lt_stats_add_hold(r->stats, now_us - o->since_us);
	} else {
		if (r->policy->queue_mark != NULL)
			r->policy->queue_mark(r, o, FALSE);
		g_queue_delete_link(&r->waiters, o->link);
	}
	o->link = NULL;
	TRACE(TRACE_LOCKTABLE, "owner %" G_GUINT64_FORMAT " left '%s'%s", o->id, o->name,
	      rollback ? " (rollback)" : "");
	owner_drop(t, o);
	if (r->policy->queue_mark == NULL)
		scan_strict(t, r, now_us, events);
	else if (holder || r->queue_only > 0)
		r->scan_pending = TRUE;
	resource_touch(t, r, now_us);
}

const char *lt_owner_resource(const lt_table *t, guint64 owner)
{
	const lt_owner *o = g_hash_table_lookup(t->owners, &owner);

	return o != NULL ? o->name : NULL;
}

void lt_tick(lt_table *t, gint64 now_us, GArray *events)
{
	lt_resource *r;

	/* each pass either reaps r or moves its wake time past now_us
	 * (resource_touch), so the loop ends */
	while ((r = timer_first(t)) != NULL && r->wake_us <= now_us) {
		timer_set(t, r, G_MAXINT64);
		if (r->idle && r->idle_deadline_us <= now_us) {
			resource_destroy(t, r);
			continue;
		}
		r->scan_pending = FALSE;
		resource_wake_waiters(t, r, now_us, events);
		resource_touch(t, r, now_us);
	}
}

gint64 lt_next_deadline(const lt_table *t)
{
	const lt_resource *r = timer_first(t);

	return r != NULL ? r->wake_us : G_MAXINT64;
}

static void owner_info(const lt_owner *o, lt_owner_info *info)
{
	*info = (lt_owner_info){
		.owner = o->id,
		.state = o->state,
		.name = o->name,
		.resource = o->key,
		.peer = o->peer,
		.mode = o->mode,
		.quantity = o->quantity,
		.requested_us = o->requested_us,
		.since_us = o->since_us,
		.element = o->element,
		.token = o->token,
		.client = &o->client,
	};
}

static void owner_visit(const lt_owner *o, lt_owner_visit visit, gpointer data)
{
	lt_owner_info info;

	owner_info(o, &info);
	visit(&info, data);
}

static void queue_visit(const GQueue *q, lt_owner_visit visit, gpointer data)
{
	for (const GList *l = q->head; l != NULL; l = l->next)
		owner_visit(l->data, visit, data);
}

void lt_foreach_owner(const lt_table *t, lt_owner_visit visit, gpointer data)
{
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, t->resources);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		const lt_resource *r = value;

		queue_visit(&r->holders, visit, data);
		queue_visit(&r->waiters, visit, data);
	}
	g_hash_table_iter_init(&it, t->incubator);
	while (g_hash_table_iter_next(&it, NULL, &value))
		queue_visit(value, visit, data);
}

gint64 lt_keep_until(const lt_table *t)
{
	return t->keep_until_us;
}

gboolean lt_is_empty(const lt_table *t)
{
	return g_hash_table_size(t->resources) == 0 && t->parked == 0;
}

guint lt_resource_count(const lt_table *t)
{
	return g_hash_table_size(t->resources);
}

guint lt_owner_count(const lt_table *t)
{
	return g_hash_table_size(t->owners);
}

int lt_oldest_holder(const lt_table *t, guint64 owner, lt_owner_info *info)
{
	const lt_owner *o = g_hash_table_lookup(t->owners, &owner);
	const lt_owner *h;

	if (o == NULL || o->rsrc == NULL || (h = g_queue_peek_head(&o->rsrc->holders)) == NULL)
		return -1;
	owner_info(h, info);
	return 0;
}

gboolean lt_owner_has_waiters(const lt_table *t, guint64 owner)
{
	const lt_owner *o = g_hash_table_lookup(t->owners, &owner);

	return o != NULL && o->rsrc != NULL && !g_queue_is_empty(&o->rsrc->waiters);
}

int lt_set_command_pid(lt_table *t, guint64 owner, gint64 pid)
{
	lt_owner *o = g_hash_table_lookup(t->owners, &owner);

	if (o == NULL)
		return -1;
	o->client.command_pid = pid;
	return 0;
}

void lt_foreach_resource(const lt_table *t, lt_resource_visit visit, gpointer data)
{
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, t->resources);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		const lt_resource *r = value;
		lt_resource_info info = {
			.key = r->key,
			.type = rsrc_type_name(r->type),
			.holders = r->holders.length,
			.waiters = r->waiters.length,
			.counters = &r->stats->c,
		};

		visit(&info, data);
	}
}

char *lt_resource_key(const char *name)
{
	rsrc_type type = rsrc_name_classify(name);

	return type == RSRC_INVALID ? NULL : resource_key(name, type);
}
