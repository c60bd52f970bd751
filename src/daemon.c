/*
 * flom: the daemon. One thread, one loop (loop.c) over non-blocking sockets:
 * requests, listeners, the election's side of the daemon, idle exit and
 * quiesce; the connections themselves are in daemon_conn.c.
 *
 * The loop knows descriptors and deadlines; the lock table decides grants; the
 * codec knows bytes. Each connection carries at most one lock request, like
 * the original's clients.
 */
#include "config.h"
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon_int.h"
#include "peer.h"
#include "proctitle.h"
#include "safefile.h"
#include "safety.h"
#include "spawn.h"
#include "status_collect.h"
#include "trace.h"

static volatile sig_atomic_t daemon_signal;

static void daemon_on_signal(int sig)
{
	daemon_signal = sig;
}

/* ---------------------------------------------------------------- requests */

/* During the lock delay: "queued" now, granted (or not) once it is over;
 * "busy" at once for a request that cannot wait. */
static void daemon_hold_request(daemon_state *d, const lt_lock_request *req)
{
	lt_event e = { .owner = req->owner, .rc = req->wait ? FLOM_RC_ENQUEUED : FLOM_RC_BUSY };

	if (req->wait)
		holdback_add(d->hb, req);
	g_array_append_val(d->events, e);
}

/* Absent attributes hold msg_init()'s defaults; the lock table checks the
 * name and the ranges. */
static void daemon_handle_lock(daemon_state *d, conn *c, const flom_msg *m)
{
	g_auto(flom_client_info) ci = FLOM_CLIENT_INFO_INIT;
	lt_lock_request req = {
		.owner = c->id,
		.name = m->name,
		.mode = (flom_lock_mode)m->mode,
		.quantity = m->quantity,
		.wait = m->wait != 0,
		.create = m->create != 0,
		.idle_lifespan_ms = MIN(m->lifespan, d->cfg->max_resource_idle),
		.peer = c->peer_str,
		.client = &ci,
	};

	status_check_claims(&m->client, c->pid, c->is_unix ? (gint64)c->uid : -1,
			    g_get_host_name(), &ci);
	if (d->quiescing) {
		conn_refuse(d, c, FLOM_RC_SHUTTING_DOWN);
		return;
	}
	if (!daemon_tls_peer_id_ok(d, c, m->peerid)) {
		conn_refuse(d, c, FLOM_RC_REFUSED);
		return;
	}
	c->resource = g_strdup(m->name);
	c->state = CONN_LOCKING;
	if (holdback_active(d->hb, g_get_monotonic_time()))
		daemon_hold_request(d, &req);
	else
		lt_request(d->lt, &req, g_get_real_time(), d->events);
	daemon_send_events(d);
}

/* The user at the other end of c, when the kernel knows it: SO_PEERCRED on
 * a UNIX socket; the socket table for TCP from this host. */
static gboolean conn_peer_uid(const conn *c, uid_t *uid)
{
	net_addr local = { .len = sizeof(local.ss) };

	if (c->is_unix) {
		*uid = c->uid;
		return c->uid != (uid_t)-1;
	}
	if (getsockname(c->fd, (struct sockaddr *)&local.ss, &local.len) < 0)
		return FALSE;
	return peer_tcp_uid(&c->peer, &local, uid) == 0;
}

/* Who may manage (and see status): on this host, the daemon's own user and
 * root, on every transport; another host only with AllowRemoteManagement. */
static gboolean daemon_may_manage(const daemon_state *d, const conn *c)
{
	uid_t uid;

	if (daemon_tls_may_manage(d, c))
		return TRUE;
	if (!c->is_unix && !peer_is_local_host(&c->peer))
		return d->cfg->allow_remote_management;
	if (!conn_peer_uid(c, &uid))
		return FALSE; /* a local peer the kernel does not know: nobody's */
	return uid == geteuid() || uid == 0;
}

static void daemon_collect_parked(const lt_owner_info *info, gpointer data)
{
	if (info->state == LT_OWNER_PARKED)
		g_array_append_val((GArray *)data, info->owner);
}

/* Once quiescing, nobody may create a resource any more: requests parked
 * for a missing one would wait for ever. They are sent away (closed: see
 * daemon_send_events); a client that asks again hears the refusal. */
static void daemon_refuse_parked(daemon_state *d)
{
	g_autoptr(GArray) parked = g_array_new(FALSE, FALSE, sizeof(guint64));

	lt_foreach_owner(d->lt, daemon_collect_parked, parked);
	for (guint i = 0; i < parked->len; i++) {
		guint64 id = g_array_index(parked, guint64, i);
		conn *c = g_hash_table_lookup(d->conns, &id);

		lt_release(d->lt, id, TRUE, g_get_real_time(), d->events);
		if (c) {
			c->state = CONN_NEW;
			conn_refuse(d, c, FLOM_RC_SHUTTING_DOWN);
		}
	}
}

static void daemon_handle_manage(daemon_state *d, conn *c, const flom_msg *m)
{
	flom_msg answer;

	if (!daemon_tls_peer_id_ok(d, c, m->peerid) || !daemon_may_manage(d, c)) {
		syslog(LOG_WARNING, "refused %s shutdown from %s",
		       m->immediate ? "immediate" : "quiesce", c->peer_str);
		d->dropped++;
		msg_make_manage_answer(&answer, FLOM_RC_REFUSED);
		c->state = CONN_FINISHED;
		c->closing = TRUE;
		conn_send(d, c, &answer);
		msg_clear(&answer);
		return;
	}
	syslog(LOG_NOTICE, "%s shutdown requested by %s",
	       m->immediate ? "immediate" : "quiesce", c->peer_str);
	c->state = CONN_MANAGER;
	if (m->immediate) {
		d->stop = TRUE;
	} else {
		d->quiescing = TRUE;
		daemon_refuse_parked(d);
	}
}

/* The command pid a holder tells. Over a UNIX socket it must be a child of
 * the connected process (SO_PEERCRED), or it is not shown. */
static void daemon_handle_command(daemon_state *d, conn *c, gint64 pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%" G_GINT64_FORMAT "/stat", pid);
	g_autofree char *stat = NULL;
	const char *paren;
	int ppid = -1;

	if (c->is_unix && (!g_file_get_contents(path, &stat, NULL, NULL) ||
			   (paren = strrchr(stat, ')')) == NULL ||
			   sscanf(paren, ") %*c %d", &ppid) != 1 || ppid != c->pid)) {
		TRACE(TRACE_DAEMON, "command pid %" G_GINT64_FORMAT " is no child of %d: not shown",
		      pid, (int)c->pid);
		return;
	}
	lt_set_command_pid(d->lt, c->id, pid);
}

/* Status follows the management rule; a UNIX peer that may not manage still
 * sees the resources it takes part in. */
static void daemon_handle_status(daemon_state *d, conn *c, const flom_msg *m)
{
	g_autoptr(GString) out = g_string_new(NULL);
	status_query q = {
		.filter = m->filter,
		.see_all = daemon_may_manage(d, c),
		.asker_uid = c->is_unix ? (gint64)c->uid : -1,
		.now_us = g_get_real_time(),
		.max_bytes = FLOM_STATUS_BYTES_MAX,
	};

	if (q.see_all || c->is_unix) {
		status_collect(d->lt, &q, out);
	} else {
		syslog(LOG_WARNING, "refused status to %s", c->peer_str);
		status_refusal(FLOM_RC_REFUSED, out);
	}
	c->state = CONN_FINISHED;
	c->closing = TRUE;
	conn_send_bytes(d, c, out, 2 * FLOM_STATUS_BYTES_MAX);
}

static void daemon_handle_unlock(daemon_state *d, conn *c, const flom_msg *m)
{
	if (g_strcmp0(m->name, c->resource) != 0) {
		trace_syslog(LOG_WARNING, "unlock of '%s' on a connection that locked '%s': closed",
		       m->name, c->resource);
		d->dropped++;
		conn_close(d, c);
		return;
	}
	daemon_release(d, c, m->rollback != 0);
	c->state = CONN_UNLOCKED;
	daemon_send_events(d);
	/* Nothing follows an unlock: close now rather than one more poll pass
	 * and read for the client's end of file (what the client waits for).
	 * TLS waits for it: its close_notify would still be unread. */
	if (!c->tls)
		conn_close(d, c);
}

/* Another daemon of the group asks who we are before it believes our
 * announcements: our announcement, with our group, then the close. */
static void daemon_answer_rival(daemon_state *d, conn *c)
{
	flom_msg answer;

	election_identity(d->election, &answer);
	c->state = CONN_FINISHED;
	c->closing = TRUE;
	conn_arm_deadline(d, c);
	conn_send(d, c, &answer);
	msg_clear(&answer);
}

void daemon_dispatch(daemon_state *d, conn *c, const char *buf, size_t len)
{
	g_autoptr(GError) err = NULL;
	flom_msg m;

	msg_init(&m);
	TRACE(TRACE_CONN, "conn %" G_GUINT64_FORMAT " -> %.*s", c->id, (int)len, buf);
	if (msg_decode(buf, len, &m, &err) < 0)
		goto bad;
	if (c->state == CONN_NEW && m.has_daemon && d->election) {
		daemon_answer_rival(d, c);
		msg_clear(&m);
		return;
	}
	if (msg_check_request(&m, &err) < 0)
		goto bad;
	if (c->state == CONN_NEW && m.verb == MSG_VERB_LOCK && m.status)
		daemon_handle_status(d, c, &m);
	else if (c->state == CONN_NEW && m.verb == MSG_VERB_LOCK && m.step == MSG_STEP_REQUEST)
		daemon_handle_lock(d, c, &m);
	else if (c->state == CONN_LOCKING && m.verb == MSG_VERB_LOCK && m.step == MSG_STEP_COMMAND)
		daemon_handle_command(d, c, m.client.command_pid);
	else if (c->state == CONN_NEW && m.verb == MSG_VERB_MNGMNT)
		daemon_handle_manage(d, c, &m);
	else if (c->state == CONN_LOCKING && m.verb == MSG_VERB_UNLOCK)
		daemon_handle_unlock(d, c, &m);
	else {
		g_set_error(&err, MSG_ERROR, 0, "verb %d step %d not expected now", m.verb, m.step);
		goto bad;
	}
	if (!c->closed)
		conn_arm_deadline(d, c);
	msg_clear(&m);
	return;
bad:
	msg_clear(&m);
	conn_drop(d, c, "%s", err->message);
}

/* ---------------------------------------------------------------- listeners */

static gboolean daemon_socket_is_shared(const flom_config *cfg)
{
	g_autofree char *def = config_default_socket_name();

	return g_strcmp0(cfg->socket_name, def) != 0;
}

static int daemon_listen(daemon_state *d, char **reply_address, unsigned *port, char **where, GError **err)
{
	const flom_config *cfg = d->cfg;
	net_addr bound;

	if (cfg->unicast_address == NULL && cfg->multicast_address == NULL) {
		mode_t mode = daemon_socket_is_shared(cfg) ? 0666 : 0600;
		struct stat st;

		/* A socket file left behind: its daemon crashed, or exited while
		 * holders held locks (daemon_cleanup). */
		if (lstat(cfg->socket_name, &st) == 0 && S_ISSOCK(st.st_mode))
			spawn_note_predecessor_died();
		d->listen_fd = net_unix_listen(cfg->socket_name, mode, err);
		if (d->listen_fd < 0)
			return -1;
		d->socket_path = g_strdup(cfg->socket_name);
		d->lock_path = spawn_lock_path(cfg->socket_name);
		*where = g_strdup(cfg->socket_name);
		return 0;
	}
	if (cfg->unicast_address) {
		d->listen_fd = net_tcp_listen(cfg->unicast_address, cfg->unicast_port, AF_UNSPEC,
					      cfg->network_interface_index, &bound, err);
		*reply_address = g_strdup(cfg->unicast_address);
	} else {
		/* Dynamic mode: the group's family, wildcard address, ephemeral
		 * port; discovery tells clients to use our source address. */
		net_addr group;

		if (net_mcast_group(cfg->multicast_address, cfg->multicast_port,
				    cfg->network_interface_index, &group, err) < 0)
			return -1;
		d->listen_fd = net_tcp_listen(NULL, 0, group.ss.ss_family,
					      cfg->network_interface_index, &bound, err);
		*reply_address = g_strdup("");
	}
	if (d->listen_fd < 0)
		return -1;
	*port = net_addr_port(&bound);
	*where = net_addr_to_string(&bound);
	return 0;
}

static int daemon_election_start(daemon_state *d, unsigned port, GError **err);

/* TCP and dynamic mode leave no socket file: a daemon keeps a file on this
 * host while it serves, removed when it exits with no holder. One found
 * there tells of a predecessor that crashed (or left holders); this daemon
 * takes it over when it is this user's. */
static void daemon_serving_mark(daemon_state *d)
{
	g_autofree char *path = spawn_serving_path(d->cfg);
	struct stat st;
	int fd;

	if (!path)
		return;
	/* Another user's file says nothing of our predecessor (and must not
	 * be able to delay our grants). */
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid())
		spawn_note_predecessor_died();
	fd = safefile_open_write(path, FALSE, NULL);
	if (fd < 0)
		return;
	close(fd);
	d->serving_path = g_steal_pointer(&path);
}

/* Over a crashed predecessor, its holders' commands may run for their grace
 * period yet (they are stopped once their connection broke): grant nothing
 * before that, plus a margin. A clean start grants at once. */
static void daemon_lock_delay_start(daemon_state *d)
{
	gint64 delay_ms = d->cfg->grace_period + FLOM_HOLDER_MARGIN_MS;

	daemon_serving_mark(d);
	if (!spawn_predecessor_died())
		return;
	syslog(LOG_NOTICE, "started over a crashed daemon: no grant for %" G_GINT64_FORMAT " ms",
	       delay_ms);
	TRACE(TRACE_DAEMON, "lock delay of %" G_GINT64_FORMAT " ms", delay_ms);
	holdback_start(d->hb, g_get_monotonic_time() + delay_ms * 1000);
}

/* The lock delay is over: the requests held back go to the lock table. */
static void daemon_lock_delay_tick(daemon_state *d, gint64 now_mono)
{
	if (holdback_until(d->hb) == 0 || holdback_active(d->hb, now_mono))
		return;
	TRACE(TRACE_DAEMON, "lock delay over");
	holdback_flush(d->hb, d->lt, g_get_real_time(), d->events);
}

static void daemon_on_discovery(int fd, short revents, gpointer data)
{
	daemon_state *d = data;

	(void)revents;
	discovery_responder_handle(d->disc, fd);
}

/* No new connection from now on (those in the kernel's queue are reset). */
static void daemon_close_listener(daemon_state *d)
{
	if (d->listen_fd < 0)
		return;
	loop_remove(d->loop, d->listen_watch);
	d->listen_watch = NULL;
	close(d->listen_fd);
	d->listen_fd = -1;
}

static int daemon_setup(daemon_state *d, unsigned *port, char **where, GError **err)
{
	g_autofree char *reply_address = NULL;

	*port = 0;
	/* Before listening: a daemon whose files do not work never starts. */
	if (config_tls_enabled(d->cfg)) {
		d->tls = tls_ctx_new(d->cfg->tls_certificate, d->cfg->tls_private_key,
				     d->cfg->tls_ca_certificate, TRUE, err);
		if (!d->tls)
			return -1;
	}
	if (daemon_listen(d, &reply_address, port, where, err) < 0)
		return -1;
	daemon_lock_delay_start(d);
	d->listen_watch = loop_add(d->loop, d->listen_fd, POLLIN, daemon_on_listener, d, NULL);
	/* what was read in a pass is answered before new connections come */
	loop_set_last(d->loop, d->listen_watch);
	if (d->cfg->multicast_address) {
		const GArray *fds;

		d->disc = discovery_responder_new(d->cfg, reply_address, *port, err);
		if (!d->disc)
			return -1;
		fds = discovery_responder_fds(d->disc);
		for (guint i = 0; i < fds->len; i++)
			loop_add(d->loop, g_array_index(fds, int, i), POLLIN, daemon_on_discovery, d, NULL);
		syslog(LOG_INFO, "answering discovery on %s port %d", d->cfg->multicast_address,
		       d->cfg->multicast_port);
	}
	if (d->cfg->multicast_address && !d->cfg->unicast_address)
		return daemon_election_start(d, *port, err);
	return 0;
}

/* ---------------------------------------------------------------- election */

/* MSG_DAEMON_*: where the daemon stands in its group (always serving
 * outside dynamic mode). */
static int daemon_role(const daemon_state *d)
{
	return d->election ? election_state(d->election) : MSG_DAEMON_SERVING;
}

static void daemon_count_holder(const lt_owner_info *info, gpointer data)
{
	if (info->state == LT_OWNER_HOLDING)
		(*(guint *)data)++;
}

static guint daemon_holders(gpointer data)
{
	daemon_state *d = data;
	guint holders = 0;

	lt_foreach_owner(d->lt, daemon_count_holder, &holders);
	return holders;
}

/* Settling daemon that lost: nothing was granted, leave at once. */
static void daemon_step_down(gpointer data)
{
	((daemon_state *)data)->stop = TRUE;
}

static void daemon_collect_waiting(const lt_owner_info *info, gpointer data)
{
	if (info->state != LT_OWNER_HOLDING)
		g_array_append_val((GArray *)data, info->owner);
}

/* Serving daemon that lost to another serving one (a healed partition): no
 * new requests, waiters go and ask the group again, holders finish. */
static void daemon_retire(gpointer data)
{
	daemon_state *d = data;
	g_autoptr(GArray) waiting = g_array_new(FALSE, FALSE, sizeof(guint64));
	GHashTableIter it;
	gpointer v;

	daemon_close_listener(d);
	/* Release every waiter first and drop the grants that makes: they go
	 * to connections closed right after, which never see them. */
	lt_foreach_owner(d->lt, daemon_collect_waiting, waiting);
	for (guint i = 0; i < waiting->len; i++)
		lt_release(d->lt, g_array_index(waiting, guint64, i), TRUE, g_get_real_time(), d->events);
	lt_events_clear(d->events);
	for (guint i = 0; i < waiting->len; i++) {
		guint64 id = g_array_index(waiting, guint64, i);
		conn *c = g_hash_table_lookup(d->conns, &id);

		if (c) {
			c->state = CONN_FINISHED;
			conn_close(d, c);
		}
	}
	g_hash_table_iter_init(&it, d->conns);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (((conn *)v)->state == CONN_NEW)
			((conn *)v)->closing = TRUE;
}

static int daemon_election_start(daemon_state *d, unsigned port, GError **err)
{
	static const election_ops ops = {
		.holders = daemon_holders,
		.step_down = daemon_step_down,
		.retire = daemon_retire,
	};

	d->election = election_start(d->cfg, d->disc, d->loop, port, &ops, d, err);
	return d->election ? 0 : -1;
}

/* ---------------------------------------------------------------- idle exit */

/* No connection: the lifespan counts from here. Resources kept only by the
 * default retention die with the daemon; an explicit -i keeps it longer
 * (lt_keep_until). */
static gboolean daemon_is_idle(const daemon_state *d)
{
	return g_hash_table_size(d->conns) == 0;
}

/* Whether the idle daemon may go now. In UNIX mode it takes the start lock
 * first, so that no client is starting or connecting while it removes its
 * socket; a client that connected just before is still served (idle_exit). */
static gboolean daemon_try_idle_exit(daemon_state *d)
{
	if (!d->lock_path)
		return TRUE;
	if (!spawn_try_lock_for_exit(d->lock_path))
		return FALSE;   /* someone is starting or connecting: stay */
	unlink(d->socket_path);
	g_clear_pointer(&d->socket_path, g_free);
	daemon_accept(d, FLOM_ACCEPT_BATCH);
	daemon_close_listener(d);
	d->idle_exit = TRUE;
	return daemon_is_idle(d);
}

static void daemon_update_idle(daemon_state *d, gint64 now_mono)
{
	/* Settling is not idleness: its clients wait in the listen queue. */
	if (!daemon_is_idle(d) || daemon_role(d) == MSG_DAEMON_SETTLING) {
		d->idle_since = 0;
		return;
	}
	if (d->idle_since == 0)
		d->idle_since = now_mono;
	if (d->idle_exit) {
		d->stop = TRUE;
		return;
	}
	if (d->cfg->daemon_lifespan < 0)
		return;
	if (now_mono - d->idle_since < d->cfg->daemon_lifespan * 1000)
		return;
	if (g_get_real_time() < lt_keep_until(d->lt))
		return;
	if (d->quiescing || daemon_try_idle_exit(d))
		d->stop = TRUE;
}

/* ---------------------------------------------------------------- loop */

/* The earliest deadline of the daemon's own (monotonic us), or G_MAXINT64:
 * the lock table's (wall clock) and the idle lifespan. The election keeps
 * its own timer. */
static gint64 daemon_next_deadline(const daemon_state *d, gint64 now_mono)
{
	gint64 now_real = g_get_real_time();
	gint64 next = G_MAXINT64;
	gint64 lt_next = lt_next_deadline(d->lt);

	if (lt_next != G_MAXINT64)
		next = now_mono + MAX(0, lt_next - now_real);
	if (d->idle_since && d->cfg->daemon_lifespan >= 0) {
		next = MIN(next, d->idle_since + d->cfg->daemon_lifespan * 1000);
		if (lt_keep_until(d->lt) > 0)
			next = MIN(next, now_mono + MAX(0, lt_keep_until(d->lt) - now_real));
	}
	if (d->quiescing || d->idle_exit)
		next = MIN(next, now_mono + FLOM_QUIESCE_CHECK_MS * 1000);
	if (holdback_until(d->hb))
		next = MIN(next, holdback_until(d->hb));
	return next;
}

/* What the next wait watches: a settling daemon leaves new connections in
 * the kernel's queue (if it steps down, closing the listener resets them
 * and their clients ask the group again, having been granted nothing). */
static void daemon_prepare_wait(daemon_state *d)
{
	gint64 now = g_get_monotonic_time();
	gint64 next = daemon_next_deadline(d, now);

	if (d->listen_watch)
		loop_set_events(d->loop, d->listen_watch,
				daemon_role(d) == MSG_DAEMON_SETTLING ? 0 : POLLIN);

	/* connections without a request (or TLS handshake) in time */
	next = MIN(next, daemon_expire_conns(d, now));
	loop_timer_arm(d->wakeup, next);
}

/* Quiescing: once nobody holds or waits, the daemon leaves. */
static void daemon_check_quiesce(daemon_state *d)
{
	GHashTableIter it;
	gpointer v;

	if (!d->quiescing && daemon_role(d) != MSG_DAEMON_RETIRING)
		return;
	g_hash_table_iter_init(&it, d->conns);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		conn *c = v;

		if (c->state == CONN_LOCKING)
			return;
	}
	d->stop = TRUE;
}

static void daemon_loop(daemon_state *d, const sigset_t *waitmask)
{
	while (!d->stop) {
		d->passes++;
		daemon_prepare_wait(d);
		if (loop_run_once(d->loop, waitmask) < 0) {
			syslog(LOG_ERR, "poll: %s", g_strerror(errno));
			break;
		}
		if (daemon_signal == SIGTERM || daemon_signal == SIGINT) {
			syslog(LOG_NOTICE, "signal %d: exiting", (int)daemon_signal);
			break;
		}
		daemon_lock_delay_tick(d, g_get_monotonic_time());
		lt_tick(d->lt, g_get_real_time(), d->events);
		daemon_send_events(d);
		daemon_check_quiesce(d);
		daemon_trim_memory(d);
		daemon_update_idle(d, g_get_monotonic_time());
	}
}

/* ---------------------------------------------------------------- life */

static void daemon_init(daemon_state *d, const flom_config *cfg)
{
	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->listen_fd = -1;
	d->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	d->user_timeout_ms = safety_user_timeout_ms(cfg->tcp_keepalive_time, cfg->tcp_keepalive_intvl,
						    cfg->tcp_keepalive_probes, cfg->grace_period);
	d->release_ms = safety_release_ms(cfg->tcp_keepalive_time, cfg->tcp_keepalive_intvl,
					  cfg->tcp_keepalive_probes, cfg->grace_period);
	d->hb = holdback_new();
	d->lt = lt_new();
	lt_set_max_resources(d->lt, (guint)cfg->max_resources);
	d->events = lt_events_new();
	d->encoded = g_string_sized_new(256);
	d->loop = loop_new();
	d->wakeup = loop_timer_new(d->loop, NULL, NULL);
	/* The loop owns the connections (conn_free once a pass is over). */
	d->conns = g_hash_table_new(g_int64_hash, g_int64_equal);
	daemon_bounds_init(d);
}

/* Close every connection (holders notice at once), remove the socket. */
static void daemon_cleanup(daemon_state *d)
{
	guint holders = daemon_holders(d);

	g_hash_table_destroy(d->conns);
	daemon_bounds_cleanup(d);
	election_free(d->election);
	loop_free(d->loop);
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	if (d->spare_fd >= 0)
		close(d->spare_fd);
	/* With holders, the socket file stays as a crash leaves it: the next
	 * daemon waits until their commands are surely stopped. */
	if (d->socket_path && holders == 0)
		unlink(d->socket_path);
	if (d->serving_path && holders == 0)
		unlink(d->serving_path);
	if (d->disc)
		discovery_responder_free(d->disc);
	tls_ctx_free(d->tls);
	lt_events_clear(d->events);
	g_array_unref(d->events);
	lt_free(d->lt);
	holdback_free(d->hb);
	g_free(d->socket_path);
	g_free(d->lock_path);
	g_free(d->serving_path);
	g_string_free(d->encoded, TRUE);
	syslog(LOG_NOTICE, "exiting (%" G_GUINT64_FORMAT " inputs dropped)", d->dropped);
}

static void daemon_signals(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = daemon_on_signal };
	sigset_t block;

	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Signals arrive only inside ppoll(), never between a check and a wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
}

/* Room for MaxConnections sockets plus the daemon's own descriptors; when
 * the hard limit does not allow it, fewer connections. */
static void daemon_fit_fd_limit(daemon_state *d)
{
	const rlim_t reserve = FLOM_DAEMON_FDS_RESERVED + FLOM_MULTICAST_SOCKETS_MAX;
	rlim_t want = (rlim_t)d->cfg->max_connections + reserve;
	struct rlimit rl;

	d->max_conns = (guint)d->cfg->max_connections;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : MIN(want, rl.rlim_max);
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < want) {
		d->max_conns = rl.rlim_cur > reserve ? (guint)(rl.rlim_cur - reserve) : 1;
		syslog(LOG_WARNING, "open file limit %lu: at most %u connections",
		       (unsigned long)rl.rlim_cur, d->max_conns);
	}
}

int daemon_serve(const flom_config *cfg, int ready_fd)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *where = NULL;
	daemon_state d;
	sigset_t waitmask;
	unsigned port;

	daemon_init(&d, cfg);
	daemon_signals(&waitmask);
	daemon_fit_fd_limit(&d);
	if (daemon_setup(&d, &port, &where, &err) < 0) {
		if (ready_fd >= 0)
			spawn_report_failure(ready_fd, err);
		else
			fprintf(stderr, "flom: %s\n", err->message);
		syslog(LOG_ERR, "cannot start: %s", err->message);
		daemon_cleanup(&d);
		return FLOM_EXIT_GENERIC;
	}
	/* The starter waits; the log (time zone, /dev/log) and the title can. */
	if (ready_fd >= 0)
		spawn_report_ready(ready_fd, port);
	syslog(LOG_INFO, "listening on %s %s", d.socket_path ? "UNIX socket" : "TCP", where);
	syslog(LOG_NOTICE, "ready (pid %d)", (int)getpid());
	proctitle_set_daemon(cfg, port);
	daemon_loop(&d, &waitmask);
	daemon_cleanup(&d);
	return FLOM_EXIT_OK;
}

int daemon_run_foreground(const flom_config *cfg)
{
	openlog("flom", LOG_PID | LOG_PERROR, LOG_DAEMON);
	return daemon_serve(cfg, -1);
}
