/*
 * flom: the lock delay of a daemon that starts over a crashed predecessor
 * (issue 11, item 3). The holders of the dead daemon may still run their
 * commands for a grace period; until a deadline, lock requests are held
 * back here, then handed to the lock table in the order they came. No I/O:
 * the daemon answers a held request "queued" (or "busy" when it cannot
 * wait) itself.
 */
#ifndef FLOM_HOLDBACK_H
#define FLOM_HOLDBACK_H

#include <glib.h>
#include "locktable.h"

typedef struct holdback holdback;

holdback *holdback_new(void);
void holdback_free(holdback *h);

/* Hold every request until until_us (monotonic); 0 grants at once. */
void holdback_start(holdback *h, gint64 until_us);
/* The deadline (monotonic us), or 0 when requests go through. */
gint64 holdback_until(const holdback *h);
gboolean holdback_active(const holdback *h, gint64 now_us);

/* Keep a copy of req (its strings and client too). */
void holdback_add(holdback *h, const lt_lock_request *req);
/* The owner left before the deadline: forget its request. */
void holdback_forget(holdback *h, guint64 owner);
/*
 * Past the deadline: every request to lt in order, its answers in events
 * (but "queued" and "waiting for the resource": the owner heard "queued"
 * already, and an original client takes a second answer for a grant);
 * afterwards requests go through.
 */
void holdback_flush(holdback *h, lt_table *lt, gint64 now_real_us, GArray *events);

#endif
