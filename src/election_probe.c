/*
 * flom: asking a rival daemon over TCP who it is (see election_probe.h).
 */
#include "config.h"
#include "election_probe.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flom.h"
#include "tls.h"

struct election_probe {
	loop *loop;
	loop_watch *watch;
	int fd;
	gboolean connected;
	tls_conn *tls;         /* when the daemons speak TLS, else NULL */
	gboolean handshaken;
	GString *out;          /* the question, encoded */
	gsize sent;
	char in[FLOM_MSG_MAX];
	gsize in_len;
	gint64 deadline;
	char *peer;
	election_probe_fn fn;
	gpointer data;
};

static void election_probe_fail(election_probe *p, const char *what, const GError *err)
{
	g_autofree char *why = err ? g_strdup_printf("%s: %s", what, err->message) : g_strdup(what);

	p->fn(NULL, why, p->data);
}

/* The first complete message read, or failure when none can come. TRUE
 * when the probe is over (reported). */
static gboolean election_probe_read(election_probe *p, short *want)
{
	g_autoptr(GError) err = NULL;
	g_auto(flom_msg) m;
	gssize n = tls_io_read(p->fd, p->tls, p->in + p->in_len, sizeof(p->in) - p->in_len, want,
			       &err);
	gssize framed;

	msg_init(&m);
	if (n < 0 && errno == EAGAIN)
		return FALSE;
	if (n <= 0) {
		election_probe_fail(p, n == 0 ? "closed without an answer" : "read", err);
		return TRUE;
	}
	p->in_len += (gsize)n;
	framed = msg_frame(p->in, p->in_len);
	if (framed == 0 && p->in_len < sizeof(p->in))
		return FALSE;
	if (framed <= 0 || msg_decode(p->in, (gsize)framed, &m, NULL) < 0 || !m.has_daemon)
		election_probe_fail(p, "its answer is no daemon's announcement", NULL);
	else
		p->fn(&m, NULL, p->data);
	return TRUE;
}

/* Connect, shake hands, send, read: as far as the socket lets us now. TRUE
 * when the probe is over; else *want is the event to wait for. */
static gboolean election_probe_step(election_probe *p, short *want)
{
	g_autoptr(GError) err = NULL;
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	gssize n;

	if (!p->connected) {
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr != 0) {
			g_set_error(&err, NET_ERROR, soerr, "%s", g_strerror(soerr ? soerr : errno));
			election_probe_fail(p, "connect", err);
			return TRUE;
		}
		p->connected = TRUE;
	}
	if (p->tls && !p->handshaken) {
		int rc = tls_handshake(p->tls, want, &err);

		if (rc <= 0) {
			if (rc < 0)
				election_probe_fail(p, "TLS", err);
			return rc < 0;
		}
		p->handshaken = TRUE;
	}
	while (p->sent < p->out->len) {
		n = tls_io_write(p->fd, p->tls, p->out->str + p->sent, p->out->len - p->sent, want,
				 &err);
		if (n < 0 && errno == EAGAIN)
			return FALSE;
		if (n < 0) {
			election_probe_fail(p, "send", err);
			return TRUE;
		}
		p->sent += (gsize)n;
	}
	do {
		if (election_probe_read(p, want))
			return TRUE;
	} while (tls_io_pending(p->tls));
	return FALSE;
}

static void election_probe_on_io(int fd, short revents, gpointer data)
{
	election_probe *p = data;
	short want = POLLIN;

	(void)fd;
	(void)revents;
	if (!election_probe_step(p, &want))
		loop_set_events(p->loop, p->watch, want);
}

election_probe *election_probe_start(loop *l, const net_addr *to, tls_ctx *tls,
				     const flom_msg *ask, election_probe_fn fn, gpointer data,
				     GError **err)
{
	election_probe *p;
	int fd = socket(to->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || (connect(fd, (const struct sockaddr *)&to->ss, to->len) < 0 &&
		       errno != EINPROGRESS)) {
		int e = errno;

		g_set_error(err, NET_ERROR, e, "%s: %s", fd < 0 ? "socket" : "connect", g_strerror(e));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = g_new0(election_probe, 1);
	p->loop = l;
	p->fd = fd;
	if (tls && !(p->tls = tls_conn_new(tls, fd, err))) {
		close(fd);
		g_free(p);
		return NULL;
	}
	p->out = g_string_new(NULL);
	msg_encode(ask, p->out);
	p->deadline = g_get_monotonic_time() + FLOM_ELECTION_PROBE_TIMEOUT_MS * 1000;
	p->peer = net_addr_to_string(to);
	p->fn = fn;
	p->data = data;
	p->watch = loop_add(l, fd, POLLOUT, election_probe_on_io, p, NULL);
	return p;
}

gint64 election_probe_deadline(const election_probe *p)
{
	return p->deadline;
}

const char *election_probe_peer(const election_probe *p)
{
	return p->peer;
}

/* The loop calls no removed watch back, so p may go at once (its destroy
 * function is NULL: the loop keeps no pointer to p it would use). */
void election_probe_free(election_probe *p)
{
	if (!p)
		return;
	loop_remove(p->loop, p->watch);
	tls_conn_free(p->tls);
	close(p->fd);
	g_string_free(p->out, TRUE);
	g_free(p->peer);
	g_free(p);
}
