/*
 * flom: what the daemon tells about its lock table, as wire records. No I/O:
 * the daemon sends the bytes, the unit tests read them back.
 */
#ifndef FLOM_STATUS_COLLECT_H
#define FLOM_STATUS_COLLECT_H

#include <glib.h>
#include "locktable.h"
#include "msg.h"

typedef struct status_query {
	const char *filter;      /* raw resource name: only its resource; NULL: all */
	gboolean see_all;        /* the asker may manage the daemon (root, owner) */
	gint64 asker_uid;        /* otherwise: only resources where this uid holds,
				    waits or is parked (-1: none at all) */
	gint64 now_us;           /* the daemon's clock, sent with the records */
	gsize max_bytes;         /* stop (truncated="1") past this many bytes */
} status_query;

/*
 * Append the encoded status answer to out: per resource (sorted by key) one
 * "rsrc" record, then one "owner" record per holder (grant order), waiter
 * (queue order) and parked request; resources that do not exist yet but have
 * parked requests come with exists="0". Last an "end" record with rc 0, the
 * number of resources, truncated and now. Field names: man/flom.1, STATUS.
 */
void status_collect(const lt_table *t, const status_query *q, GString *out);

/* The answer to a status request the daemon refuses: only an "end" record. */
void status_refusal(int rc, GString *out);

/* What our daemon adds to an answer for owner: its extension level, and for
 * a queued request the holder it waits for. */
void status_fill_answer(const lt_table *t, guint64 owner, int rc, flom_msg *m);

/*
 * The client info a daemon keeps for a lock request: what the client claims
 * (pid, uid, user, host), except that over a UNIX socket the kernel's
 * credentials (SO_PEERCRED pid and uid, this host) replace claims that
 * differ; a replaced uid drops the claimed user name. cred_uid < 0: no
 * credentials (TCP). out holds copies (flom_client_info_clear).
 */
void status_check_claims(const flom_client_info *claimed, gint64 cred_pid, gint64 cred_uid,
			 const char *this_host, flom_client_info *out);

#endif
