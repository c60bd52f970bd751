/*
 * flom: the dynamic-mode election. The rule is election_decide(); the rest
 * carries its answers out (doc/election.md tells the story).
 */
#include "config.h"
#include "election.h"

#include <netinet/in.h>
#include <syslog.h>
#include <unistd.h>

#include "election_probe.h"
#include "net.h"
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

gboolean election_plausible(const flom_msg *m, gint64 now_real_us)
{
	return m->has_daemon && m->daemon_id && m->daemon_id[0] && m->daemon_started > 0 &&
	       m->daemon_started <= now_real_us + FLOM_ELECTION_CLOCK_SKEW_MS * G_GINT64_CONSTANT(1000) &&
	       m->daemon_holders <= FLOM_MAX_CONNECTIONS_LIMIT;
}

gboolean election_confirms(const flom_msg *m, const flom_msg *a, const char *group)
{
	return a->has_daemon && a->daemon_pid == m->daemon_pid &&
	       a->daemon_started == m->daemon_started &&
	       g_strcmp0(a->daemon_id, m->daemon_id) == 0 && group &&
	       g_strcmp0(a->daemon_group, group) == 0;
}

gboolean election_bucket_take(election_bucket *b, gint64 now_us, guint per_s, guint burst)
{
	gint64 cost = G_USEC_PER_SEC / MAX(per_s, 1);

	/* Credit comes back with time, up to burst takes. */
	b->spent_us = MAX(0, b->spent_us - (now_us - b->last_us));
	b->last_us = now_us;
	if (b->spent_us + cost > cost * (gint64)MAX(burst, 1))
		return FALSE;
	b->spent_us += cost;
	return TRUE;
}

gint64 election_settle_us(gint64 timeout_ms, gboolean heard_rival)
{
	return (heard_rival ? FLOM_SETTLE_TIMEOUTS : FLOM_SETTLE_QUIET_TIMEOUTS) * timeout_ms * 1000;
}

/* ---------------------------------------------------------------- the glue */

struct election {
	const flom_config *cfg;
	discovery_responder *disc;
	loop *loop;
	election_self me;
	unsigned port;         /* ours, in every announcement */
	char *group;           /* "ADDRESS port N", compared by rivals */
	election_ops ops;
	gpointer data;
	loop_timer *timer;
	gint64 started_mono;   /* us */
	gint64 settle_until;   /* monotonic us */
	gint64 next_announce;  /* monotonic us */
	guint settle_announces; /* sent while settling: their pace doubles */
	election_bucket answers, probes;
	election_probe *probe; /* asking a rival who it is, or NULL */
	tls_ctx *tls;          /* our credentials as a client, when daemons speak TLS */
	flom_msg probed;       /* the announcement being checked */
};

static void election_arm(election *e)
{
	gint64 next = e->next_announce;

	if (e->me.state == MSG_DAEMON_SETTLING)
		next = MIN(next, e->settle_until);
	if (e->me.state == MSG_DAEMON_RETIRING)
		next = G_MAXINT64;
	if (e->probe)
		next = MIN(next, election_probe_deadline(e->probe));
	loop_timer_arm(e->timer, next);
}

/* Our announcement: who we are, where we stand, where to ask us. */
static void election_self_msg(const election *e, flom_msg *m)
{
	msg_make_daemon(m, e->me.id, e->me.started_us, e->me.pid, e->me.state,
			e->ops.holders(e->data));
	m->daemon_port = e->port;
}

void election_identity(const election *e, flom_msg *m)
{
	election_self_msg(e, m);
	m->daemon_group = g_strdup(e->group);
}

/* Settling, the announcement is repeated soon and then less and less often
 * (a lost datagram costs little); serving, every -I. */
static gint64 election_pace_us(election *e)
{
	gint64 every = e->cfg->discovery_timeout * 1000;

	if (e->me.state != MSG_DAEMON_SETTLING)
		return every;
	return MIN(every, (gint64)FLOM_SETTLE_ANNOUNCE_MS * 1000 << MIN(e->settle_announces++, 20u));
}

static void election_announce(election *e)
{
	flom_msg m;

	election_self_msg(e, &m);
	discovery_responder_announce(e->disc, &m);
	msg_clear(&m);
	e->next_announce = g_get_monotonic_time() + election_pace_us(e);
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
		if (election_bucket_take(&e->answers, g_get_monotonic_time(),
					 FLOM_ELECTION_ANSWERS_PER_S, FLOM_ELECTION_ANSWERS_BURST))
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

static void election_probe_end(election *e)
{
	g_clear_pointer(&e->probe, election_probe_free);
	msg_clear(&e->probed);
	election_arm(e);
}

/* The rival answered (or not): only what it says over TCP counts now. */
static void election_on_probe(const flom_msg *answer, const char *why, gpointer data)
{
	election *e = data;
	g_autofree char *peer = g_strdup(election_probe_peer(e->probe));
	gboolean confirmed = answer && election_confirms(&e->probed, answer, e->group);
	election_action action = ELECTION_IGNORE;

	if (confirmed)
		action = election_decide(&e->me, e->ops.holders(e->data), answer);
	election_probe_end(e);
	if (!confirmed) {
		syslog(LOG_WARNING, "ignored an announcement naming %s: %s", peer,
		       why ? why : "another daemon, or another group, answers there");
		return;
	}
	TRACE(TRACE_DAEMON, "rival at %s confirmed over TCP", peer);
	election_act(e, action);
}

/* A serving daemon would lose to m: ask the daemon m names, at the source
 * address of the datagram and the port m gives, before believing it. */
static void election_verify(election *e, const flom_msg *m, const net_addr *from)
{
	g_autoptr(GError) err = NULL;
	net_addr to = *from;
	flom_msg ask;

	if (e->probe || m->daemon_port <= 0 ||
	    !election_bucket_take(&e->probes, g_get_monotonic_time(), FLOM_ELECTION_PROBES_PER_S,
				  FLOM_ELECTION_PROBES_BURST))
		return;
	net_addr_set_port(&to, (int)m->daemon_port);
	election_identity(e, &ask);
	e->probe = election_probe_start(e->loop, &to, e->tls, &ask, election_on_probe, e, &err);
	msg_clear(&ask);
	if (!e->probe) {
		syslog(LOG_WARNING, "ignored an announcement: %s", err->message);
		return;
	}
	msg_make_daemon(&e->probed, m->daemon_id, m->daemon_started, m->daemon_pid,
			(int)m->daemon_state, m->daemon_holders);
	election_arm(e);
}

static void election_on_peer(const flom_msg *m, const net_addr *from, gpointer data)
{
	election *e = data;
	election_action action;

	if (!election_plausible(m, g_get_real_time())) {
		TRACE(TRACE_DAEMON, "implausible announcement ignored");
		return;
	}
	action = election_decide(&e->me, e->ops.holders(e->data), m);
	if (e->me.state == MSG_DAEMON_SETTLING && action != ELECTION_IGNORE)
		e->settle_until = MAX(e->settle_until, e->started_mono +
				      election_settle_us(e->cfg->discovery_timeout, TRUE));
	if (action == ELECTION_RETIRE)
		election_verify(e, m, from);
	else
		election_act(e, action);
}

static void election_tick(gpointer data)
{
	election *e = data;
	gint64 now = g_get_monotonic_time();

	if (e->probe && now >= election_probe_deadline(e->probe))
		election_on_probe(NULL, "no answer in time", e);
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

/* "ADDRESS port N" of our group, the same string on every host (no scope). */
static char *election_group_name(const flom_config *cfg, GError **err)
{
	net_addr g;

	if (net_mcast_group(cfg->multicast_address, cfg->multicast_port, 0, &g, err) < 0)
		return NULL;
	if (g.ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&g.ss)->sin6_scope_id = 0;
	{
		g_autofree char *ip = net_addr_ip_string(&g);

		return g_strdup_printf("%s port %d", ip, cfg->multicast_port);
	}
}

election *election_start(const flom_config *cfg, discovery_responder *disc, loop *l,
			 unsigned port, const election_ops *ops, gpointer data, GError **err)
{
	election *e = g_new0(election, 1);

	e->cfg = cfg;
	e->disc = disc;
	e->me = (election_self){ .id = cfg->unique_id, .started_us = g_get_real_time(),
				 .pid = getpid(), .state = MSG_DAEMON_SETTLING };
	e->port = port;
	e->ops = *ops;
	e->data = data;
	e->loop = l;
	msg_init(&e->probed);
	e->timer = loop_timer_new(l, election_tick, e);
	e->started_mono = g_get_monotonic_time();
	e->settle_until = e->started_mono + election_settle_us(cfg->discovery_timeout, FALSE);
	e->group = election_group_name(cfg, err);
	if (e->group && config_tls_enabled(cfg))
		e->tls = tls_ctx_new(cfg->tls_certificate, cfg->tls_private_key,
				     cfg->tls_ca_certificate, FALSE, err);
	if (!e->group || (config_tls_enabled(cfg) && !e->tls) ||
	    discovery_responder_on_daemon(disc, election_on_peer, e, err) < 0) {
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
	g_clear_pointer(&e->probe, election_probe_free);
	msg_clear(&e->probed);
	loop_timer_free(e->loop, e->timer);
	tls_ctx_free(e->tls);
	g_free(e->group);
	g_free(e);
}

int election_state(const election *e)
{
	return e->me.state;
}
