/*
 * flom: the keeper of an etcd lease. A small process forked from flom once
 * the lease exists: it sends the keepalives (one request each), and it is the
 * watchdog that stops the command's process group (SIGTERM, then SIGKILL
 * after the grace period) before the lease can expire: when keepalives fail
 * for too long, and when flom itself dies (its pipe closes) - then it also
 * revokes the lease, so the next holder need not wait for the TTL.
 *
 * Pipes: flom -> keeper carries pids (the command writes its own, see
 * monitor_lock.notify_fd) and 0 for "done, exit"; keeper -> flom is closed by
 * the keeper when the lease is lost or at risk (flom's loss descriptor).
 */
#ifndef FLOM_ETCD_KEEPER_H
#define FLOM_ETCD_KEEPER_H

#include <sys/types.h>
#include <glib.h>
#include "etcd_http.h"

typedef struct etcd_keeper {
	pid_t pid;              /* 0: not running */
	int to_keeper;          /* write end, close-on-exec */
	int from_keeper;        /* read end, close-on-exec, non-blocking */
	gboolean told;          /* "done" was sent */
} etcd_keeper;

/* Start keeping LEASE (granted TTL ttl_ms, granted by a request sent at
 * sent_ms) alive. grace_ms: from SIGTERM to SIGKILL. */
int etcd_keeper_start(etcd_keeper *k, etcd_http *h, gint64 lease, gint64 ttl_ms, gint64 sent_ms,
		      gint64 grace_ms, GError **err);
/* Tell it to exit (the command is over), without waiting. */
void etcd_keeper_done(etcd_keeper *k);
/* Tell it to exit if not yet told, and wait for it. */
void etcd_keeper_stop(etcd_keeper *k);

/* The request budget and the times derived from a TTL (ms). */
gint64 etcd_keeper_interval(gint64 ttl_ms);
gint64 etcd_keeper_grace(gint64 ttl_ms, gint64 grace_ms);

#endif
