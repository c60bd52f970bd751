/*
 * flom: the etcd backend's grant rule, without I/O (unit-tested).
 *
 * Every request is one key under the resource's prefix; keys are ordered by
 * create revision. A request is granted when it is compatible with every
 * earlier key, held or waiting: that is strict FIFO, and it needs no one to
 * hand the lock over, since each waiter decides for itself from the keys.
 */
#ifndef FLOM_ETCD_DECIDE_H
#define FLOM_ETCD_DECIDE_H

#include <glib.h>
#include "flom.h"
#include "rsrc_name.h"

/* What one key asks, from its value. A key that is not ours (an `etcdctl
 * lock` key has an empty value) is foreign: exclusive, and the whole capacity. */
typedef struct etcd_claim {
	flom_lock_mode mode;
	gint64 quantity;
	gboolean foreign;
} etcd_claim;

typedef enum {
	ETCD_GRANT,
	ETCD_WAIT,
	ETCD_NEVER,     /* can never be granted (quantity over the capacity) */
	ETCD_UNSUPPORTED,
} etcd_verdict;

/*
 * Whether ME may hold resource NAME (of TYPE) given the EARLIER keys (any
 * order). Capacity: N of name[N] / sequences, the element count of a set.
 */
etcd_verdict etcd_decide(rsrc_type type, gint64 capacity, const etcd_claim *me,
			 const etcd_claim *earlier, guint n_earlier);

/* The capacity of NAME for etcd_decide (1 for simple resources); -1 when the
 * type is not supported with --etcd. */
gint64 etcd_capacity(const char *name, rsrc_type type);

/* The value flom stores in its key, and back. The value is JSON (host, pid,
 * user, mode, quantity, since) so that people and tools can read it. */
char *etcd_claim_value(const etcd_claim *c, const char *host, const char *user, long pid,
		       gint64 since_unix_ms);
void etcd_claim_parse(const char *value, etcd_claim *c);

/* Whether KEY (the full key) is a lock key of PREFIX ("<Prefix><name>/"): one
 * more path element, a lease id in lower-case hex. Anything else under the
 * prefix (set element claims, sequence counters) is not a request. */
gboolean etcd_is_lock_key(const char *key, const char *prefix);

#endif
