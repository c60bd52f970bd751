/*
 * flom: `flom --status --etcd=...`: the keys under the prefix, shown as the
 * status records a daemon sends (status.h prints them).
 *
 * etcd holds one key per request, ordered by create revision, with the
 * value flom wrote (host, user, pid, mode, quantity, when it asked). Who
 * holds and who waits follows from the grant rule (etcd_decide) applied in
 * that order, as every waiter applies it for itself. etcd keeps no grant
 * time: a holder's "since" is when it asked. Keys of etcd's own lock service
 * (empty value) are exclusive, known only by their lease.
 */
#ifndef FLOM_ETCD_STATUS_H
#define FLOM_ETCD_STATUS_H

#include <glib.h>
#include "config.h"

typedef struct etcd_status_key {
	const char *key;        /* the whole key */
	const char *value;
	gint64 create_revision;
} etcd_status_key;

/*
 * The status records (flom_msg*, the last one "end") of KEYS, sorted by
 * create revision, found under PREFIX. Keys that are no request of a
 * resource flom supports with etcd are left out; set element claims give
 * their holder's element. truncated: etcd had more keys than were read.
 */
GPtrArray *etcd_status_records(const char *prefix, const etcd_status_key *keys, guint n,
			       gboolean truncated, gint64 now_us);

/* Ask the cluster and print, as client_status does: the exit status. */
int etcd_status(const flom_config *cfg);

#endif
