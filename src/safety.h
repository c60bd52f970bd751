/*
 * flom: the timing rules that keep a command from running without its lock
 * when a TCP peer goes silent (issue 11). Pure arithmetic, unit-tested.
 *
 * The daemon releases the lock of a silent peer no sooner than release_ms
 * after it last heard from it: keepalive probes and TCP_USER_TIMEOUT (which
 * also bounds unacknowledged data) abort the connection then, not before. It
 * tells our client release_ms in the grant. The client arms a shorter
 * detection and a grace period that fit, so that its command's process
 * group is gone FLOM_HOLDER_MARGIN_MS before the daemon could grant the lock
 * to anyone else.
 */
#ifndef FLOM_SAFETY_H
#define FLOM_SAFETY_H

#include <glib.h>

/* The daemon's TCP_USER_TIMEOUT (ms) for its keepalive settings (seconds,
 * count) and grace period: never shorter than its keepalive, and long
 * enough for a client to detect the loss and use that grace period. */
gint64 safety_user_timeout_ms(int ka_time, int ka_intvl, int ka_probes, gint64 grace_ms);

/* What the daemon tells its clients: the shortest time from the last
 * segment a client heard to the release. A peer's keepalive probe does not
 * refresh the daemon's clock (Linux drops it as out of window and only
 * acknowledges it): only the answers to its own probes do, so what it last
 * heard may be ka_time older than what the client last heard. */
gint64 safety_release_ms(int ka_time, int ka_intvl, int ka_probes, gint64 grace_ms);

typedef struct safety_plan {
	gint64 grace_ms;          /* the grace period to use: shortened when needed */
	int idle_s, intvl_s, probes; /* keepalive of the client's lock connection */
	unsigned user_timeout_ms; /* TCP_USER_TIMEOUT of that connection */
	gint64 detect_ms;         /* the kernel aborts it at most this long after
				   * it last heard from the daemon */
} safety_plan;

/* The client's plan for a grant that carried release_ms, with its own
 * configured grace period and keepalive settings (a shorter keepalive of
 * its own is kept). */
void safety_client_plan(gint64 release_ms, gint64 grace_ms, int ka_time, int ka_intvl,
			int ka_probes, safety_plan *p);

/* When Linux aborts an idle connection whose keepalive is idle_s/intvl_s and
 * TCP_USER_TIMEOUT user_timeout_ms (> 0): ms after the last segment heard. */
gint64 safety_abort_ms(int idle_s, int intvl_s, unsigned user_timeout_ms);

#endif
