/*
 * flom: the dynamic-mode election. The rule is election_decide(); the rest
 * carries its answers out (doc/election.md tells the story).
 */
#include "config.h"
#include "election.h"

#include <syslog.h>
#include <unistd.h>

#include "trace.h"

/* ---------------------------------------------------------------- the rule */

gboolean election_precedes(gint64 a_started, const char *a_id, gint64 a_pid,
			   gint64 b_started, const char *b_id, gint64 b_pid)
{
	int c = g_strcmp0(a_id, b_id);

	if (a_started != b_started)
		return a_started < b_started;
	if (c != 0)
		return c < 0;
	return a_pid < b_pid;
}

static gboolean election_is_self(const election_self *me, const flom_msg *m)
{
	return m->daemon_pid == me->pid && m->daemon_started == me->started_us &&
	       g_strcmp0(m->daemon_id, me->id) == 0;
}

election_action election_decide(const election_self *me, guint my_holders, const flom_msg *m)
{
	gboolean peer_first;

	if (election_is_self(me, m))
		return ELECTION_IGNORE; /* our own, looped back */
	if (me->state == MSG_DAEMON_RETIRING || m->daemon_state == MSG_DAEMON_RETIRING)
		return ELECTION_IGNORE;
	peer_first = election_precedes(m->daemon_started, m->daemon_id, m->daemon_pid,
				       me->started_us, me->id, me->pid);
	if (me->state == MSG_DAEMON_SETTLING)
		return m->daemon_state == MSG_DAEMON_SERVING || peer_first
		       ? ELECTION_STEP_DOWN : ELECTION_ANNOUNCE;
	/* A serving daemon never yields to a newcomer: it will step down. */
	if (m->daemon_state == MSG_DAEMON_SETTLING)
		return ELECTION_ANNOUNCE;
	/* Two serving daemons: the one holding fewer locks, then the younger. */
	if (my_holders < m->daemon_holders || (my_holders == m->daemon_holders && peer_first))
		return ELECTION_RETIRE;
	return ELECTION_ANNOUNCE;
}

/* ---------------------------------------------------------------- the glue */

struct election {
	const flom_config *cfg;
	discovery_responder *disc;
	loop *loop;
	election_self me;
	election_ops ops;
	gpointer data;
	loop_timer *timer;
	gint64 settle_until;   /* monotonic us */
	gint64 next_announce;  /* monotonic us */
};

static void election_arm(election *e)
{
	gint64 next = e->next_announce;

	if (e->me.state == MSG_DAEMON_SETTLING)
		next = MIN(next, e->settle_until);
	loop_timer_arm(e->timer, e->me.state == MSG_DAEMON_RETIRING ? G_MAXINT64 : next);
}

static void election_announce(election *e)
{
	flom_msg m;

	msg_make_daemon(&m, e->me.id, e->me.started_us, e->me.pid, e->me.state,
			e->ops.holders(e->data));
	discovery_responder_announce(e->disc, &m);
	msg_clear(&m);
	e->next_announce = g_get_monotonic_time() + e->cfg->discovery_timeout * 1000;
	election_arm(e);
}

static void election_leave(election *e, const char *how, const char *why)
{
	syslog(LOG_NOTICE, "%s: %s", how, why);
	TRACE(TRACE_DAEMON, "%s: %s", how, why);
	e->me.state = MSG_DAEMON_RETIRING;
	election_arm(e);
}

static void election_act(election *e, election_action action)
{
	const char *why = "another daemon serves this group";

	switch (action) {
	case ELECTION_IGNORE:
		break;
	case ELECTION_ANNOUNCE:
		election_announce(e);
		break;
	case ELECTION_STEP_DOWN:
		election_leave(e, "stepping down", why);
		discovery_responder_silence(e->disc);
		e->ops.step_down(e->data);
		break;
	case ELECTION_RETIRE:
		election_leave(e, "retiring", why);
		election_announce(e); /* the others learn it at once */
		discovery_responder_silence(e->disc);
		e->ops.retire(e->data);
		break;
	}
}

static void election_on_peer(const flom_msg *m, const net_addr *from, gpointer data)
{
	election *e = data;

	(void)from;
	election_act(e, election_decide(&e->me, e->ops.holders(e->data), m));
}

static void election_tick(gpointer data)
{
	election *e = data;
	gint64 now = g_get_monotonic_time();

	if (e->me.state == MSG_DAEMON_SETTLING && now >= e->settle_until) {
		e->me.state = MSG_DAEMON_SERVING;
		syslog(LOG_NOTICE, "serving the group %s port %d", e->cfg->multicast_address,
		       e->cfg->multicast_port);
		election_announce(e);
	} else if (e->me.state != MSG_DAEMON_RETIRING && now >= e->next_announce) {
		election_announce(e);
	} else {
		election_arm(e);
	}
}

election *election_start(const flom_config *cfg, discovery_responder *disc, loop *l,
			 const election_ops *ops, gpointer data, GError **err)
{
	election *e = g_new0(election, 1);

	e->cfg = cfg;
	e->disc = disc;
	e->me = (election_self){ .id = cfg->unique_id, .started_us = g_get_real_time(),
				 .pid = getpid(), .state = MSG_DAEMON_SETTLING };
	e->ops = *ops;
	e->data = data;
	e->loop = l;
	e->timer = loop_timer_new(l, election_tick, e);
	e->settle_until = g_get_monotonic_time() +
			  FLOM_SETTLE_TIMEOUTS * cfg->discovery_timeout * 1000;
	if (discovery_responder_on_daemon(disc, election_on_peer, e, err) < 0) {
		election_free(e);
		return NULL;
	}
	election_announce(e);
	return e;
}

void election_free(election *e)
{
	if (!e)
		return;
	loop_timer_free(e->loop, e->timer);
	g_free(e);
}

int election_state(const election *e)
{
	return e->me.state;
}
