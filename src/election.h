/*
 * flom: the dynamic-mode election, one daemon per multicast group (see
 * doc/election.md).
 *
 * Two layers. election_decide() is the rule itself, a pure function of this
 * daemon's state, one announcement heard on the group and the number of
 * locks this daemon holds: unit-tested without sockets. The glue below it
 * settles, announces on a timer of the loop, hears the group through the
 * discovery responder and carries the decisions out through the daemon's
 * callbacks; it never touches connections or the lock table itself.
 */
#ifndef FLOM_ELECTION_H
#define FLOM_ELECTION_H

#include <glib.h>
#include "config.h"
#include "discovery.h"
#include "loop.h"
#include "msg.h"

/* ---- the rule (pure) ---- */

/* Who this daemon is and where it stands (state: MSG_DAEMON_*). */
typedef struct election_self {
	const char *id;        /* unique id of this host */
	gint64 started_us;     /* wall clock at start: the identity compared */
	gint64 pid;
	int state;
} election_self;

typedef enum {
	ELECTION_IGNORE,       /* our own announcement, or a daemon that is leaving */
	ELECTION_ANNOUNCE,     /* answer at once: the other one will step down */
	ELECTION_STEP_DOWN,    /* settling, lost: leave before granting anything */
	ELECTION_RETIRE,       /* serving, lost: let holders finish, send waiters away */
} election_action;

/* Whether daemon a comes before daemon b: started earlier, then by host id,
 * then by pid. Every daemon of the group applies the same order. */
gboolean election_precedes(gint64 a_started, const char *a_id, gint64 a_pid,
			   gint64 b_started, const char *b_id, gint64 b_pid);

/* What to do about announcement m (msg_make_daemon's fields) when this
 * daemon is me and holds my_holders locks. */
election_action election_decide(const election_self *me, guint my_holders, const flom_msg *m);

/*
 * Whether announcement m can come from a rival at all (read before deciding
 * anything): a start time after the epoch and not in our future by more than
 * FLOM_ELECTION_CLOCK_SKEW_MS, a holder count no daemon exceeds.
 */
gboolean election_plausible(const flom_msg *m, gint64 now_real_us);

/*
 * Whether answer a, received over TCP from the address and port that
 * announcement m named, confirms m: the same daemon (host id, start time,
 * pid), serving our group (a's group equals group). Only a confirmed rival
 * can make a serving daemon retire, and then by what a says, not m.
 */
gboolean election_confirms(const flom_msg *m, const flom_msg *a, const char *group);

/* A token bucket: take() succeeds at most per_s times a second on average,
 * burst times at once. Zeroed = full. */
typedef struct election_bucket {
	gint64 spent_us;   /* credit used, in microseconds of refill */
	gint64 last_us;    /* monotonic time of the last take */
} election_bucket;
gboolean election_bucket_take(election_bucket *b, gint64 now_us, guint per_s, guint burst);

/* How long a new daemon settles (us), -I being timeout_ms: one -I when it
 * heard no rival (its starter's last discovery query runs meanwhile),
 * FLOM_SETTLE_TIMEOUTS of them once it heard one. */
gint64 election_settle_us(gint64 timeout_ms, gboolean heard_rival);

/* ---- the glue ---- */

/* What the daemon does for the election. */
typedef struct election_ops {
	guint (*holders)(gpointer data);   /* locks held for clients now */
	void (*step_down)(gpointer data);  /* leave at once: nothing was granted */
	void (*retire)(gpointer data);     /* no new clients, waiters go, holders finish */
} election_ops;

typedef struct election election;

/*
 * Settle (election_settle_us), then serve; announce on the group of disc now,
 * quickly while settling, then every discovery timeout, and when another
 * daemon speaks (rate-limited). A serving daemon retires only for a rival it
 * asked over TCP (election_confirms). port: this daemon's TCP port, where
 * rivals ask. NULL with err when the announcements cannot be sent.
 */
election *election_start(const flom_config *cfg, discovery_responder *disc, loop *l,
			 unsigned port, const election_ops *ops, gpointer data, GError **err);
/* The answer to a rival asking who we are (our announcement, group filled). */
void election_identity(const election *e, flom_msg *m);
void election_free(election *e);
/* MSG_DAEMON_SETTLING, SERVING or RETIRING (after a step down too). */
int election_state(const election *e);

#endif
