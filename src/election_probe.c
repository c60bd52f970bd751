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

struct election_probe {
	loop *loop;
	loop_watch *watch;
	int fd;
	gboolean connected;
	GString *out;          /* the question, encoded */
	gsize sent;
	char in[FLOM_MSG_MAX];
	gsize in_len;
	gint64 deadline;
	char *peer;
	election_probe_fn fn;
	gpointer data;
};

/* Report once; the owner frees p in fn. */
static void election_probe_done(election_probe *p, const flom_msg *answer, const char *why)
{
	p->fn(answer, why, p->data);
}

static void election_probe_fail(election_probe *p, const char *what, int err)
{
	g_autofree char *why = err ? g_strdup_printf("%s: %s", what, g_strerror(err)) : g_strdup(what);

	election_probe_done(p, NULL, why);
}

/* The first complete message in, or failure when none can come. */
static void election_probe_read(election_probe *p)
{
	g_autoptr(GError) err = NULL;
	flom_msg m;
	ssize_t n = recv(p->fd, p->in + p->in_len, sizeof(p->in) - p->in_len, MSG_DONTWAIT);
	gssize framed;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		election_probe_fail(p, n == 0 ? "closed without an answer" : "read", n == 0 ? 0 : errno);
		return;
	}
	p->in_len += (gsize)n;
	framed = msg_frame(p->in, p->in_len);
	if (framed == 0 && p->in_len < sizeof(p->in))
		return;
	msg_init(&m);
	if (framed <= 0 || msg_decode(p->in, (gsize)framed, &m, &err) < 0 || !m.has_daemon)
		election_probe_fail(p, "its answer is no daemon's announcement", 0);
	else
		election_probe_done(p, &m, NULL);
	msg_clear(&m);
}

static void election_probe_on_io(int fd, short revents, gpointer data)
{
	election_probe *p = data;
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	ssize_t n;

	if (!p->connected) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr != 0) {
			election_probe_fail(p, "connect", soerr ? soerr : errno);
			return;
		}
		p->connected = TRUE;
	}
	if (p->sent < p->out->len) {
		n = send(fd, p->out->str + p->sent, p->out->len - p->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			election_probe_fail(p, "send", errno);
			return;
		}
		p->sent += n > 0 ? (gsize)n : 0;
		loop_set_events(p->loop, p->watch, p->sent < p->out->len ? POLLOUT : POLLIN);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		election_probe_read(p);
}

election_probe *election_probe_start(loop *l, const net_addr *to, const flom_msg *ask,
				     election_probe_fn fn, gpointer data, GError **err)
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
	close(p->fd);
	g_string_free(p->out, TRUE);
	g_free(p->peer);
	g_free(p);
}
