/*
 * flom: the daemon's connections: accepting them within the descriptor
 * budget, reading and framing requests, queueing answers, closing. What a
 * request means is daemon.c's business (daemon_dispatch).
 */
#include "config.h"
#include "daemon_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "status_collect.h"
#include "trace.h"

/* ---------------------------------------------------------------- output */

/* POLLOUT only while answers wait for room in the socket; during a TLS
 * handshake, what the handshake waits for. */
void conn_watch_output(daemon_state *d, conn *c)
{
	loop_set_events(d->loop, c->watch, c->handshaking ? c->want
			: POLLIN | c->want | (c->out ? POLLOUT : 0));
}

void conn_drop(daemon_state *d, conn *c, const char *fmt, ...)
{
	g_autofree char *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	d->dropped++;
	trace_syslog(LOG_WARNING, "dropped connection from %s: %s", c->peer_str, why);
	TRACE(TRACE_DAEMON, "dropped conn %" G_GUINT64_FORMAT " from %s (%" G_GUINT64_FORMAT
	      " so far): %s", c->id, c->peer_str, d->dropped, why);
	conn_close(d, c);
}

static void conn_flush(daemon_state *d, conn *c)
{
	while (c->out && c->out->len > 0) {
		ssize_t n = tls_io_write(c->fd, c->tls, c->out->str, c->out->len, &c->want, NULL);

		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_close(d, c);
			return;
		}
		g_string_erase(c->out, 0, n);
	}
	if (c->out) {
		g_string_free(c->out, TRUE);
		c->out = NULL;
		conn_watch_output(d, c);
	}
	if (c->closing)
		conn_close(d, c);
}

/* Send e, keeping what the socket does not take yet, up to cap bytes. */
void conn_send_bytes(daemon_state *d, conn *c, const GString *e, gsize cap)
{
	ssize_t n = 0;

	if (!c->out) {
		/* Usual case: the socket takes it all, nothing is kept. */
		n = tls_io_write(c->fd, c->tls, e->str, e->len, &c->want, NULL);
		if (n < 0 && errno != EAGAIN) {
			conn_close(d, c);
			return;
		}
		n = MAX(n, 0);
		if ((size_t)n == e->len) {
			if (c->closing)
				conn_close(d, c);
			return;
		}
		c->out = g_string_sized_new(e->len - n);
		conn_watch_output(d, c);
	}
	g_string_append_len(c->out, e->str + n, e->len - n);
	if (c->out->len > cap) {
		/* A peer that does not read its answers loses its connection. */
		conn_close(d, c);
		return;
	}
	conn_flush(d, c);
}

void conn_send(daemon_state *d, conn *c, const flom_msg *m)
{
	g_string_truncate(d->encoded, 0);
	msg_encode(m, d->encoded);
	TRACE(TRACE_CONN, "conn %" G_GUINT64_FORMAT " <- %s", c->id, d->encoded->str);
	conn_send_bytes(d, c, d->encoded, FLOM_CONN_OUTBUF_MAX);
}

static gboolean rc_is_final_refusal(int rc)
{
	return rc != FLOM_RC_OK && rc != FLOM_RC_ENQUEUED && rc != FLOM_RC_WAIT_RESOURCE;
}

/* One answer of the lock table to its connection. */
static void daemon_send_event(daemon_state *d, const lt_event *e)
{
	conn *c = g_hash_table_lookup(d->conns, &e->owner);
	flom_msg m;
	int step;

	if (!c)
		return;
	step = c->answers_sent++ == 0 ? MSG_STEP_ANSWER : MSG_STEP_LATER_ANSWER;
	/* An original client takes any rc but 1 at step 24 for a grant
	 * (reference 11.20): a late refusal closes the connection instead;
	 * our client then asks again and hears it at step 16. */
	if (step == MSG_STEP_LATER_ANSWER && rc_is_final_refusal(e->rc)) {
		c->state = CONN_FINISHED;
		conn_close(d, c);
		return;
	}
	msg_make_answer(&m, step, d->cfg->unique_id, e->rc, e->element,
			e->rc == FLOM_RC_OK, e->token);
	status_fill_answer(d->lt, e->owner, e->rc, &m);
	if (e->rc == FLOM_RC_OK && !c->is_unix) {
		/* our client arms a shorter detection with it; others ignore it */
		m.has_release = TRUE;
		m.release_ms = d->release_ms;
	}
	if (rc_is_final_refusal(e->rc))
		c->state = CONN_FINISHED;
	conn_send(d, c, &m);
	msg_clear(&m);
}

/* Send what the lock table answered. Closing a connection releases its lock
 * and adds events while we send: a nested call returns at once and this
 * loop, which reads the length each time, sends them in order. */
void daemon_send_events(daemon_state *d)
{
	if (d->sending)
		return;
	d->sending = TRUE;
	for (guint i = 0; i < d->events->len; i++) {
		/* a copy: the array may grow (and move) under conn_close */
		lt_event e = g_array_index(d->events, lt_event, i);

		daemon_send_event(d, &e);
	}
	lt_events_clear(d->events);
	d->sending = FALSE;
}

void conn_refuse(daemon_state *d, conn *c, int rc)
{
	lt_event e = { .owner = c->id, .rc = rc };

	g_array_append_val(d->events, e);
	daemon_send_events(d);
}

/* ---------------------------------------------------------------- connections */

static void conn_free(conn *c)
{
	tls_close_notify(c->tls);
	tls_conn_free(c->tls);
	if (c->fd >= 0)
		close(c->fd);
	if (c->out)
		g_string_free(c->out, TRUE);
	g_free(c->partial);
	g_free(c->peer_str);
	g_free(c->peer_ip);
	g_free(c->resource);
	g_free(c);
}

void daemon_release(daemon_state *d, conn *c, gboolean rollback)
{
	holdback_forget(d->hb, c->id);
	lt_release(d->lt, c->id, rollback, g_get_real_time(), d->events);
}

/* Take from the socket the bytes conn_read() peeked: -1 when they are not
 * all there any more. */
static int conn_take_unread(conn *c)
{
	char sink[FLOM_MSG_MAX];
	size_t want = c->unread;

	c->unread = 0;
	return recv(c->fd, sink, want, MSG_DONTWAIT) == (ssize_t)want ? 0 : -1;
}

/* Close c; release its lock or its place in a queue (a disconnect without
 * unlock rolls a transactional sequence back). */
void conn_close(daemon_state *d, conn *c)
{
	if (c->closed)
		return;
	c->closed = TRUE;
	if (c->state == CONN_LOCKING) {
		daemon_release(d, c, TRUE);
		c->state = CONN_FINISHED;
	}
	conn_bounds_forget(d, c);
	g_hash_table_remove(d->conns, &c->id);
	/* Freed (conn_free) when the pass is over: callers up the stack and
	 * the loop's ready list may still hold c. */
	loop_remove(d->loop, c->watch);
	if (!c->tls) {
		/* the peer learns it now, not after the rest of the pass (TLS
		 * still has its close_notify to send: conn_free does both);
		 * bytes left unread would make it a reset */
		if (c->unread)
			(void)conn_take_unread(c);
		close(c->fd);
		c->fd = -1;
	}
	/* Grants this release made possible go to the others now. */
	daemon_send_events(d);
}

/* Keep what is left of an incomplete message with its connection. */
static void conn_keep_partial(conn *c, const char *buf, size_t len)
{
	g_clear_pointer(&c->partial, g_free);
	c->partial_len = len;
	if (len > 0)
		c->partial = g_memdup2(buf, len);
}

/* Frame and dispatch the len bytes of buf: 0, or -1 when c was closed. */
static int conn_consume(daemon_state *d, conn *c, char *buf, size_t len)
{
	for (;;) {
		gssize mlen = msg_frame(buf, len);

		if (mlen == 0) {
			conn_keep_partial(c, buf, len);
			return 0;
		}
		if (mlen < 0) {
			conn_drop(d, c, "message over %d bytes", FLOM_MSG_MAX);
			return -1;
		}
		daemon_dispatch(d, c, buf, mlen);
		if (c->closed)
			return -1;
		buf += mlen;
		len -= mlen;
	}
}

/*
 * A holder others wait for: its message (the unlock, most likely) is peeked,
 * acted on, and only then taken from the socket. Taking bytes wakes a sender
 * blocked in read() (the kernel tells it there is room to write again): it
 * would find nothing to read, but on this CPU it would run before the grant
 * its unlock gives to the next one in the queue.
 */
static gboolean conn_peeks(const daemon_state *d, const conn *c)
{
	return !c->tls && c->state == CONN_LOCKING && lt_owner_has_waiters(d->lt, c->id);
}

static ssize_t conn_recv(daemon_state *d, conn *c, char *buf, size_t size, GError **err)
{
	ssize_t n;

	if (!conn_peeks(d, c))
		return tls_io_read(c->fd, c->tls, buf, size, &c->want, err);
	n = recv(c->fd, buf, size, MSG_DONTWAIT | MSG_PEEK);
	if (n < 0 && errno == EWOULDBLOCK)
		errno = EAGAIN;
	c->unread = MAX(n, 0);
	return n;
}

void conn_read(daemon_state *d, conn *c)
{
	do {
		g_autoptr(GError) err = NULL;
		char *buf = d->scratch;
		size_t len = c->partial_len;
		ssize_t n;

		if (len > 0)
			memcpy(buf, c->partial, len);
		n = conn_recv(d, c, buf + len, sizeof(d->scratch) - len, &err);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0 && c->tls) {
			conn_drop(d, c, "%s", err->message);
			return;
		}
		if (n <= 0) {
			conn_close(d, c);
			return;
		}
		if (daemon_tls_hello_on_plain(d, c, buf + len, n) || conn_consume(d, c, buf, len + n) < 0)
			return;
		if (c->unread && conn_take_unread(c) < 0) {
			conn_close(d, c);
			return;
		}
		/* Decrypted bytes poll() cannot see: read them now. */
	} while (tls_io_pending(c->tls));
}

/* v in decimal, ending just before end; the first digit. */
static char *conn_digits(char *end, gint64 v)
{
	guint64 u = v < 0 ? -(guint64)v : (guint64)v;

	do {
		*--end = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--end = '-';
	return end;
}

/* "local pid P uid U", built by hand: g_strdup_printf took 1,400 of the
 * daemon's 20,000 instructions in a lock cycle (callgrind). */
static char *conn_local_name(pid_t pid, uid_t uid)
{
	char pid_s[24], uid_s[24];

	pid_s[23] = uid_s[23] = '\0';
	return g_strconcat("local pid ", conn_digits(pid_s + 23, pid), " uid ",
			   conn_digits(uid_s + 23, (int)uid), NULL);
}

static void conn_describe_peer(conn *c)
{
	if (c->is_unix) {
		struct ucred cred;
		socklen_t len = sizeof(cred);

		if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
			c->uid = cred.uid;
			c->pid = cred.pid;
			c->peer_str = conn_local_name(cred.pid, cred.uid);
		} else {
			c->uid = (uid_t)-1;
			c->peer_str = g_strdup("local");
		}
	} else {
		c->peer_str = net_addr_to_string(&c->peer);
	}
}

/* Out of descriptors: accept with the spare one and close at once, so the
 * peer learns it and the listener does not stay readable for ever. */
static void daemon_shed_connection(daemon_state *d)
{
	if (d->spare_fd >= 0)
		close(d->spare_fd);
	d->spare_fd = -1;
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd >= 0)
		close(fd);
	d->dropped++;
	d->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Keepalive, and a user timeout that bounds the release of a silent peer:
 * unacknowledged data (a grant sent to a dead waiter) stops the probes but
 * not the bound (safety.h). */
static void daemon_tcp_options(const daemon_state *d, int fd)
{
	net_tcp_keepalive(fd, d->cfg->tcp_keepalive_time, d->cfg->tcp_keepalive_intvl,
			  d->cfg->tcp_keepalive_probes);
	net_tcp_user_timeout(fd, d->user_timeout_ms);
}

static void daemon_on_conn(int fd, short revents, gpointer data)
{
	conn *c = data;

	(void)fd;
	if (c->handshaking) {
		daemon_tls_handshake(c->d, c);
		return;
	}
	c->want = 0;
	if (revents & POLLOUT)
		conn_flush(c->d, c);
	if (!c->closed && (revents & (POLLIN | POLLHUP | POLLERR)))
		conn_read(c->d, c);
}

/* A new connection fd from peer, within the bounds: it joins the loop and
 * what it sent already is read (a client writes its request right after
 * connecting: this spares one more wait and pass). */
static void daemon_add_conn(daemon_state *d, int fd, const net_addr *peer)
{
	conn *c = g_new0(conn, 1);

	c->d = d;
	c->id = ++d->next_id;
	c->fd = fd;
	c->peer = *peer;
	c->is_unix = peer->ss.ss_family == AF_UNIX;
	if (!c->is_unix)
		daemon_tcp_options(d, fd);
	conn_describe_peer(c);
	if (!daemon_peer_admit(d, c)) {
		/* one host cannot take every connection */
		d->dropped++;
		conn_free(c);
		return;
	}
	conn_arm_deadline(d, c);
	c->watch = loop_add(d->loop, fd, POLLIN, daemon_on_conn, c, (GDestroyNotify)conn_free);
	g_hash_table_insert(d->conns, &c->id, c);
	TRACE(TRACE_CONN, "conn %" G_GUINT64_FORMAT " from %s", c->id, c->peer_str);
	if (d->tls)
		daemon_tls_start(d, c);
	else
		conn_read(d, c);
}

void daemon_accept(daemon_state *d, int max)
{
	for (int i = 0; i < max; i++) {
		net_addr peer = { .len = sizeof(peer.ss) };
		int fd = accept4(d->listen_fd, (struct sockaddr *)&peer.ss, &peer.len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			daemon_shed_connection(d);
			continue;
		}
		if (fd < 0)
			return;
		if (g_hash_table_size(d->conns) >= d->max_conns) {
			d->dropped++;
			close(fd);
			continue;
		}
		daemon_add_conn(d, fd, &peer);
	}
}

/* One connection at a time while they come one by one: the listener stays
 * readable while more wait, and a second accept4() would mostly find none
 * (EAGAIN, a costly syscall in each cycle). Ready in consecutive passes, it
 * has a queue: a bounded batch then. */
void daemon_on_listener(int fd, short revents, gpointer data)
{
	daemon_state *d = data;
	gboolean queue = d->listen_pass + 1 == d->passes;

	(void)fd;
	(void)revents;
	d->listen_pass = d->passes;
	daemon_accept(d, queue ? FLOM_ACCEPT_BATCH : 1);
}
