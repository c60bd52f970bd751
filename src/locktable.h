/*
 * flom: the lock table. Pure: no sockets, no clock of its own.
 *
 * The daemon feeds it events (a request, a release, a disconnect, the time)
 * and sends the answers it returns. Owners are opaque ids (one per
 * connection). Queues are strictly FIFO: a request is granted only if it is
 * compatible with every holder and nothing waits ahead of it. Hierarchical
 * resources refine "nothing waits ahead": only an earlier waiter on the same
 * root that conflicts with the request by path and mode holds it back (see
 * rsrc_hier.c).
 *
 * Times are microseconds of g_get_real_time(): timestamps resources format the
 * wall clock, and fencing tokens must grow across daemon restarts.
 */
#ifndef FLOM_LOCKTABLE_H
#define FLOM_LOCKTABLE_H

#include <glib.h>
#include "flom.h"

typedef struct lt_table lt_table;

typedef struct lt_lock_request {
	guint64 owner;            /* unique for the daemon's life */
	const char *name;         /* raw resource name */
	flom_lock_mode mode;      /* simple and hierarchical only */
	gint64 quantity;          /* numeric only */
	gboolean wait;
	gboolean create;
	gint64 idle_lifespan_ms;  /* used by the request that creates the resource */
	const char *peer;         /* who asks, for status ("host/port", "local"...) */
	const flom_client_info *client; /* pid, user, host it claims (checked); may be NULL */
} lt_lock_request;

/* One answer to send: to owner, rc as on the wire. */
typedef struct lt_event {
	guint64 owner;
	int rc;                   /* FLOM_RC_*: OK, ENQUEUED, WAIT_RESOURCE, BUSY,
				     CANT_WAIT, IMPOSSIBLE, INVALID_NAME,
				     INVALID_REQUEST (a value out of range) */
	char *element;            /* set element, sequence value, timestamp; or NULL */
	guint64 token;            /* fencing token of a grant (rc OK), else 0 */
} lt_event;

/* events: a GArray of lt_event; lt_events_clear() frees the elements. */
GArray *lt_events_new(void);
void lt_events_clear(GArray *events);

lt_table *lt_new(void);
void lt_free(lt_table *t);
/* Resources alive at most (default and ceiling FLOM_RESOURCES_MAX): a
 * request that would create one more is refused FLOM_RC_TOO_MANY. */
void lt_set_max_resources(lt_table *t, guint max);

/*
 * A new request. Exactly one event for req->owner is appended first (granted,
 * queued, parked, busy, can't wait, impossible, invalid); grants to other
 * owners may follow (an incubated request whose resource this one creates).
 * After a final refusal (BUSY, CANT_WAIT, IMPOSSIBLE, INVALID_NAME,
 * INVALID_REQUEST) the table keeps nothing of the owner. At most one request
 * per owner: a second one from an owner the table knows gets INVALID_REQUEST
 * and leaves the first as it was.
 * events: a GArray from lt_events_new(); the answers are appended.
 */
void lt_request(lt_table *t, const lt_lock_request *req, gint64 now_us, GArray *events);

/*
 * The owner unlocked (rollback as it sent it) or went away (the daemon passes
 * rollback=TRUE for a disconnect without unlock). Whether it held or waited,
 * it is gone afterwards; the grants this makes possible are appended, except
 * on a hierarchical resource: there they come with the next lt_tick, due at
 * once (lt_next_deadline), which serves every departure before it with one
 * scan of the queue. A caller ticks after each batch of releases.
 */
void lt_release(lt_table *t, guint64 owner, gboolean rollback, gint64 now_us, GArray *events);

/* Whether owner is known (holding, waiting or parked), and the name it asked. */
const char *lt_owner_resource(const lt_table *t, guint64 owner);

/* Timers: timestamp grains that free a waiter, idle resources to reap,
 * hierarchical queues to scan after departures. */
void lt_tick(lt_table *t, gint64 now_us, GArray *events);
/* When lt_tick has work next (absolute, us), or G_MAXINT64. */
gint64 lt_next_deadline(const lt_table *t);

/* What a status query shows of one owner. The strings belong to the table
 * and stay valid until the next call that changes it. */
typedef enum {
	LT_OWNER_PARKED = 0,      /* in the incubator: its resource does not exist */
	LT_OWNER_WAITING,
	LT_OWNER_HOLDING,
} lt_owner_state;

typedef struct lt_owner_info {
	guint64 owner;
	lt_owner_state state;
	const char *name;         /* as asked */
	const char *resource;     /* the object: the name, or "/root" (hierarchical) */
	const char *peer;
	flom_lock_mode mode;
	gint64 quantity;
	gint64 requested_us;      /* when the request arrived */
	gint64 since_us;          /* when it was granted (holders), else 0 */
	const char *element;      /* what the grant returned, or NULL */
	guint64 token;            /* fencing token of the grant (holders), else 0 */
	const flom_client_info *client;
} lt_owner_info;

typedef void (*lt_owner_visit)(const lt_owner_info *info, gpointer data);

/* Every owner: per resource its holders in grant order then its waiters in
 * queue order; then the parked owners in arrival order per name. The
 * resources come in no particular order. visit must not change the table. */
void lt_foreach_owner(const lt_table *t, lt_owner_visit visit, gpointer data);

/* The holder that has held owner's resource longest (the one a waiter names
 * when it says what it waits for): 0 and *info filled, or -1 when owner is
 * unknown or its resource has no holder. */
int lt_oldest_holder(const lt_table *t, guint64 owner, lt_owner_info *info);

/* Whether someone waits in the queue of owner's resource. */
gboolean lt_owner_has_waiters(const lt_table *t, guint64 owner);

/* The command pid a holder reported after its grant: 0, or -1 if unknown. */
int lt_set_command_pid(lt_table *t, guint64 owner, gint64 pid);

/* Counters of one resource key since the daemon started (they outlive the
 * resource object; see FLOM_COUNTERS_KEPT_MAX). Waits count granted requests:
 * from the request to its grant. Holds count releases. */
typedef struct lt_counters {
	guint64 grants;
	gint64 wait_total_us, wait_max_us;
	gint64 hold_total_us, hold_max_us;
} lt_counters;

typedef struct lt_resource_info {
	const char *key;          /* the name, or "/root" (hierarchical) */
	const char *type;         /* rsrc_type_name() */
	guint holders, waiters;
	const lt_counters *counters;
} lt_resource_info;

typedef void (*lt_resource_visit)(const lt_resource_info *info, gpointer data);

/* Every live resource, in no particular order. visit must not change the table. */
void lt_foreach_resource(const lt_table *t, lt_resource_visit visit, gpointer data);

/* The key of the resource object NAME locks (what lt_owner_info.resource and
 * lt_resource_info.key hold), or NULL when NAME is invalid. g_free. */
char *lt_resource_key(const char *name);

/* Until when (us) resources created with an explicit idle lifespan (-i) want
 * to outlive their last user, so the daemon should too; 0 if none. */
gint64 lt_keep_until(const lt_table *t);

/* No resource alive and nobody parked: the daemon may exit when idle. */
gboolean lt_is_empty(const lt_table *t);
guint lt_resource_count(const lt_table *t);
/* Holders plus waiters plus parked, over all resources. */
guint lt_owner_count(const lt_table *t);

#endif
