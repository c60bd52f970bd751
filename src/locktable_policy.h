/*
 * flom: inside the lock table. One grant policy per resource type, each in
 * its own rsrc_*.c file, behind the small table of functions lt_policy.
 *
 * locktable.c owns the resources, the owners, the queues, the FIFO rule, the
 * events and the timers; a policy only answers "can this owner be granted
 * now", takes and gives back what a grant uses (modes, units, an element, a
 * value) and says when time alone could change its answer.
 */
#ifndef FLOM_LOCKTABLE_POLICY_H
#define FLOM_LOCKTABLE_POLICY_H

#include <glib.h>
#include "flom.h"
#include "locktable.h"
#include "rsrc_name.h"

typedef struct lt_policy lt_policy;
typedef struct lt_resource lt_resource;
typedef struct lt_owner lt_owner;

/* Counters of one resource key (locktable_stats.c). They outlive the resource
 * object, so that a resource used now and then (a cron job's) shows its
 * history; the dead ones kept are bounded by FLOM_COUNTERS_KEPT_MAX, the
 * oldest forgotten first. */
typedef struct lt_stats {
	char *key;
	lt_counters c;
	GList *dead_link;         /* in the set's dead queue while its resource is gone */
} lt_stats;

typedef struct lt_stats_set {
	GHashTable *by_key;       /* key -> lt_stats* */
	GQueue dead;              /* lt_stats* of dead resources, oldest first */
} lt_stats_set;

void lt_stats_init(lt_stats_set *set);
void lt_stats_fini(lt_stats_set *set);
/* The counters of a resource being created (kept ones are revived). */
lt_stats *lt_stats_attach(lt_stats_set *set, const char *key);
/* Its resource is gone: keep the counters a while. */
void lt_stats_detach(lt_stats_set *set, lt_stats *st);
/* A grant after waiting us; a release after holding us. */
void lt_stats_add_wait(lt_stats *st, gint64 us);
void lt_stats_add_hold(lt_stats *st, gint64 us);

/* One connection's request, and what it was granted. Everything a status
 * query shows is here: peer, mode, quantity, since, element. */
struct lt_owner {
	guint64 id;
	/* name, key and peer are in the owner's own allocation (owner_new) */
	char *name;               /* the raw name it asked */
	char *key;                /* its resource's key (see lt_resource) */
	rsrc_type type;
	char *peer;
	flom_lock_mode mode;
	gint64 quantity;
	gboolean wait;
	gint64 idle_lifespan_ms;
	gint64 requested_us;      /* when the request arrived */
	gint64 since_us;          /* when it was granted (holders), else 0 */
	lt_owner_state state;
	lt_resource *rsrc;        /* NULL while parked */
	GList *link;              /* in holders, waiters or its incubator queue */
	char *element;            /* what the grant returned, or NULL */
	guint64 token;            /* of its grant */
	flom_client_info client;
	/* per-policy state of this owner */
	gint64 slot;              /* set: element index; sequence: value */
	gpointer node;            /* hierarchical: its path node */
};

/* A live resource object. For hierarchical names one object serves every
 * path under one first component; its key is "/" + that component, which no
 * other type's name can be. Every other type's key is the name itself. */
struct lt_resource {
	char *key;
	rsrc_type type;
	const lt_policy *policy;
	GQueue holders;           /* lt_owner*, in grant order */
	GQueue waiters;           /* lt_owner*, FIFO */
	gint64 idle_lifespan_ms;  /* from the creating request */
	gboolean idle;
	gint64 idle_deadline_us;
	gint64 wake_us;           /* its key in the table's timer tree, or G_MAXINT64 */
	guint64 serial;           /* breaks ties between equal wake times */
	lt_stats *stats;          /* its counters, kept by key in the table */
	/* Selective queues: waiters the holders would admit but a waiter ahead
	 * blocks (an upper bound, exact after each scan). While it is 0 a
	 * waiter that leaves can let nobody in: no rescan. */
	guint queue_only;
	gboolean scan_pending;    /* a departure may let waiters in: lt_tick scans */
	gpointer state;           /* the policy's own */
};

struct lt_policy {
	rsrc_type type;
	/* Parse the name's parameters into r->state: 0, or -1 when the name
	 * cannot make a resource (answered FLOM_RC_INVALID_NAME). */
	int (*init)(lt_resource *r, const char *name, gint64 now_us);
	void (*fini)(lt_resource *r);
	/* Check a request against this resource and prepare the owner's
	 * per-policy state: FLOM_RC_OK or the refusal (IMPOSSIBLE,
	 * INVALID_REQUEST). NULL: every request is admitted. */
	int (*admit)(lt_resource *r, lt_owner *o);
	/* Undo admit when the owner leaves, whatever its state. May be NULL. */
	void (*forget)(lt_resource *r, lt_owner *o);
	/* Whether o can be granted now, against the holders only. */
	gboolean (*can_grant)(const lt_resource *r, const lt_owner *o, gint64 now_us);
	/* Take what the grant uses; set o->element when the type returns one.
	 * 0, or -1 when the grant cannot be made after all (the owner gets
	 * FLOM_RC_INVALID_NAME and is dropped). */
	int (*grant)(lt_resource *r, lt_owner *o, gint64 now_us);
	/* Give back what o held; rollback as the client sent it (TRUE too for a
	 * disconnect). */
	void (*release)(lt_resource *r, lt_owner *o, gboolean rollback);
	/*
	 * Queue discipline. NULL (every type but hierarchical): strict FIFO, any
	 * waiter blocks a newcomer and the release scan stops at the first
	 * waiter that cannot be granted. Non-NULL: a waiter blocks only the later
	 * requests it conflicts with; queue_mark adds (TRUE) or removes (FALSE) a
	 * waiter from the set queue_blocks looks at.
	 */
	gboolean (*queue_blocks)(const lt_resource *r, const lt_owner *o);
	void (*queue_mark)(lt_resource *r, lt_owner *o, gboolean add);
	/* When time alone may let a waiter in (absolute us, > now_us), or
	 * G_MAXINT64. May be NULL. */
	gint64 (*next_timer)(const lt_resource *r, gint64 now_us);
};

extern const lt_policy lt_policy_simple;
extern const lt_policy lt_policy_numeric;
extern const lt_policy lt_policy_set;
extern const lt_policy lt_policy_hier;
extern const lt_policy lt_policy_sequence;
extern const lt_policy lt_policy_timestamp;

/* The VMS DLM compatibility of a held and a requested mode (both in range). */
gboolean lt_modes_compatible(flom_lock_mode held, flom_lock_mode requested);

/* Whether a mode held according to counts[] (holders per mode) lets mode in. */
gboolean lt_mode_counts_admit(const guint counts[FLOM_LOCK_MODE_N], flom_lock_mode mode);

#endif
