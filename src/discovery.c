/*
 * flom: finding a daemon by UDP multicast (DISCOVER, verb 4).
 *
 * Unlike the original, the client trusts only a well-formed reply that comes
 * back to the socket it sent from, from the group's port, and keeps waiting
 * through garbage until the attempt's deadline; the daemon drops malformed
 * datagrams instead of dying or closing its discovery socket.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "discovery.h"
#include "flom.h"
#include "msg.h"
#include "trace.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct discovery_responder {
	GArray *fds;        /* of int */
	GString *reply;     /* the encoded answer, the same for every request */
	guint64 dropped;
	gboolean silent;    /* stepping down: discovery is no longer answered */
	net_addr group;
	unsigned ifindex;
	int ttl;
	int send_fd;        /* announcements to the group, or -1 */
	discovery_daemon_fn on_daemon;
	gpointer on_daemon_data;
};

/* ---- parsing ---- */

gboolean discovery_is_request(const char *buf, size_t len)
{
	flom_msg m;
	gboolean ok;

	if (!buf || len == 0 || len > FLOM_DATAGRAM_MAX)
		return FALSE;
	msg_init(&m);
	ok = msg_decode(buf, len, &m, NULL) == 0 && m.level == MSG_LEVEL &&
	     m.verb == MSG_VERB_DISCOVER && m.step == MSG_STEP_REQUEST && !m.has_network &&
	     !m.has_resource && !m.has_answer && !m.has_session && !m.has_shutdown;
	msg_clear(&m);
	return ok;
}

int discovery_parse_reply(const char *buf, size_t len, char **address, int *port)
{
	flom_msg m;
	int rc = -1;

	*address = NULL;
	*port = 0;
	if (!buf || len == 0 || len > FLOM_DATAGRAM_MAX)
		return -1;
	msg_init(&m);
	if (msg_decode(buf, len, &m, NULL) == 0 && m.level == MSG_LEVEL &&
	    m.verb == MSG_VERB_DISCOVER && m.step == MSG_STEP_ANSWER && m.has_network && m.address &&
	    m.port >= 1 && m.port <= 65535) {
		*address = g_strdup(m.address);
		*port = (int)m.port;
		rc = 0;
	}
	msg_clear(&m);
	return rc;
}

/* ---- client ---- */

/* The TCP endpoint named by a reply: its address, or the sender itself when
 * the address is empty (dynamic mode). A link-local answer without a scope
 * takes the scope the reply came in on. */
static int discovery_endpoint(const char *address, int port, const net_addr *src,
			      unsigned ifindex, net_addr *daemon, GError **err)
{
	g_autoptr(GArray) addrs = NULL;

	if (!*address) {
		*daemon = *src;
		net_addr_set_port(daemon, port);
		return 0;
	}
	addrs = net_resolve(address, port, SOCK_STREAM, FALSE, ifindex, err);
	if (!addrs)
		return -1;
	*daemon = g_array_index(addrs, net_addr, 0);
	if (src->ss.ss_family == AF_INET6)
		net_addr_apply_scope(daemon, ((const struct sockaddr_in6 *)&src->ss)->sin6_scope_id);
	return 0;
}

/* Whether a datagram can be an answer to what we sent: from the group's
 * family and port (the responder answers from its group socket). */
static gboolean discovery_plausible_source(const net_addr *src, const net_addr *group)
{
	return src->ss.ss_family == group->ss.ss_family &&
	       net_addr_port(src) == net_addr_port(group) && !net_addr_is_multicast(src);
}

static gboolean discovery_in(const GArray *addrs, const net_addr *a)
{
	for (guint i = 0; addrs && i < addrs->len; i++)
		if (net_addr_equal(&g_array_index(addrs, net_addr, i), a))
			return TRUE;
	return FALSE;
}

static void discovery_report(const flom_config *cfg, const char *from, const char *reply,
			     const net_addr *daemon)
{
	if (cfg->verbose) {
		printf("reply from %s/%d is '%s'\n", cfg->multicast_address, cfg->multicast_port,
		       reply);
		fflush(stdout);
	}
	if (TRACE_ON(TRACE_NET)) {
		g_autofree char *to = net_addr_to_string(daemon);

		TRACE(TRACE_NET, "reply from %s: daemon at %s", from, to);
	}
}

/*
 * Wait until deadline (monotonic µs; <0: for ever) for a usable reply on fd,
 * one that names no daemon in skip: 1 with *daemon filled, 0 at the
 * deadline, -1 on a socket error.
 */
static int discovery_wait_reply(int fd, const flom_config *cfg, const net_addr *group,
				const GArray *skip, gint64 deadline, net_addr *daemon, GError **err)
{
	char buf[FLOM_DATAGRAM_MAX + 1];

	for (;;) {
		g_autofree char *address = NULL;
		g_autofree char *from = NULL;
		GError *bad = NULL;
		net_addr src;
		int port;
		ssize_t n = net_wait_readable(fd, deadline);

		if (n <= 0) {
			if (n < 0)
				g_set_error(err, NET_ERROR, errno, "poll on the discovery socket: %s",
					    g_strerror(errno));
			return (int)n;
		}
		memset(&src, 0, sizeof(src));
		src.len = sizeof(src.ss);
		n = recvfrom(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&src.ss, &src.len);
		if (n < 0) {
			/* ICMP errors from earlier sends surface here: not fatal. */
			TRACE(TRACE_NET, "recvfrom: %s", g_strerror(errno));
			continue;
		}
		from = net_addr_to_string(&src);
		if (n > FLOM_DATAGRAM_MAX) {
			TRACE(TRACE_NET, "dropped a %zd-byte datagram from %s", n, from);
			continue;
		}
		buf[n] = '\0';
		if (!discovery_plausible_source(&src, group) ||
		    discovery_parse_reply(buf, (size_t)n, &address, &port) < 0) {
			TRACE(TRACE_NET, "ignored a datagram from %s that is no discovery reply", from);
			TRACE_HEX(TRACE_NET, "ignored datagram ", buf, (size_t)n);
			continue;
		}
		if (discovery_endpoint(address, port, &src, cfg->network_interface_index, daemon,
				       &bad) < 0) {
			if (cfg->verbose)
				fprintf(stderr, "flom: ignoring the reply of %s: %s\n", from,
					bad->message);
			g_clear_error(&bad);
			continue;
		}
		if (discovery_in(skip, daemon)) {
			TRACE(TRACE_NET, "reply from %s names a daemon already tried", from);
			continue;
		}
		discovery_report(cfg, from, buf, daemon);
		return 1;
	}
}

static void discovery_close_keep_errno(int fd)
{
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
}

/* Send the request once per attempt and wait the attempt's time for a reply;
 * 0 with *daemon, or -1 with err set. */
static int discovery_attempts(int fd, const flom_config *cfg, const net_addr *group,
			      const GString *req, const GArray *skip, net_addr *daemon, GError **err)
{
	for (int i = 0; cfg->discovery_attempts < 0 || i < cfg->discovery_attempts; i++) {
		gint64 deadline = cfg->discovery_timeout < 0 ? -1 :
				  g_get_monotonic_time() + cfg->discovery_timeout * 1000;
		int got;

		if (cfg->verbose) {
			printf("sending UDP multicast datagram to %s/%d ('%s')\n",
			       cfg->multicast_address, cfg->multicast_port, req->str);
			fflush(stdout);
		}
		if (sendto(fd, req->str, req->len, 0, (const struct sockaddr *)&group->ss,
			   group->len) < 0) {
			g_autofree char *g = net_addr_to_string(group);
			int e = errno;

			g_set_error(err, NET_ERROR, e, "cannot send a discovery datagram to %s: %s",
				    g, g_strerror(e));
			return -1;
		}
		got = discovery_wait_reply(fd, cfg, group, skip, deadline, daemon, err);
		if (got != 0)
			return got > 0 ? 0 : -1;
		if (cfg->verbose) {
			printf("no reply from %s/%d\n", cfg->multicast_address, cfg->multicast_port);
			fflush(stdout);
		}
	}
	g_set_error(err, NET_ERROR, ETIMEDOUT,
		    "no daemon answered on multicast group %s/%d (%d attempts of %" G_GINT64_FORMAT
		    " ms)", cfg->multicast_address, cfg->multicast_port, cfg->discovery_attempts,
		    cfg->discovery_timeout);
	return -1;
}

int discovery_query(const flom_config *cfg, const GArray *skip, net_addr *daemon, GError **err)
{
	unsigned ifindex = cfg->network_interface_index;
	g_autoptr(GString) req = g_string_new(NULL);
	GError *local = NULL;
	net_addr group;
	flom_msg m;
	int fd, rc;

	if (net_mcast_group(cfg->multicast_address, cfg->multicast_port, ifindex, &group, err) < 0)
		return -1;
	fd = net_mcast_sender(&group, ifindex, cfg->discovery_ttl, err);
	if (fd < 0)
		return -1;
	msg_init(&m);
	msg_make_discover(&m);
	msg_encode(&m, req);
	msg_clear(&m);
	rc = discovery_attempts(fd, cfg, &group, req, skip, daemon, &local);
	discovery_close_keep_errno(fd);
	if (rc < 0) {
		errno = local->code;
		g_propagate_error(err, local);
	}
	return rc;
}

/* ---- daemon ---- */

discovery_responder *discovery_responder_new(const flom_config *cfg, const char *reply_address,
					     unsigned tcp_port, GError **err)
{
	discovery_responder *r;
	net_addr group;
	flom_msg m;
	int fd;

	if (tcp_port < 1 || tcp_port > 65535) {
		g_set_error(err, NET_ERROR, EINVAL, "TCP port %u is out of range", tcp_port);
		return NULL;
	}
	if (net_mcast_group(cfg->multicast_address, cfg->multicast_port,
			    cfg->network_interface_index, &group, err) < 0)
		return NULL;
	fd = net_mcast_listen(&group, cfg->network_interface_index, err);
	if (fd < 0)
		return NULL;
	r = g_new0(discovery_responder, 1);
	r->fds = g_array_new(FALSE, FALSE, sizeof(int));
	g_array_append_val(r->fds, fd);
	r->reply = g_string_new(NULL);
	r->group = group;
	r->ifindex = cfg->network_interface_index;
	r->ttl = cfg->discovery_ttl;
	r->send_fd = -1;
	msg_init(&m);
	msg_make_discover_reply(&m, reply_address ? reply_address : "", tcp_port);
	msg_encode(&m, r->reply);
	msg_clear(&m);
	TRACE(TRACE_NET, "answering discovery with '%s'", r->reply->str);
	return r;
}

void discovery_responder_free(discovery_responder *r)
{
	if (!r)
		return;
	for (guint i = 0; i < r->fds->len; i++)
		close(g_array_index(r->fds, int, i));
	g_array_unref(r->fds);
	if (r->send_fd >= 0)
		close(r->send_fd);
	g_string_free(r->reply, TRUE);
	g_free(r);
}

int discovery_responder_on_daemon(discovery_responder *r, discovery_daemon_fn fn, gpointer data,
				  GError **err)
{
	r->send_fd = net_mcast_sender(&r->group, r->ifindex, r->ttl, err);
	if (r->send_fd < 0)
		return -1;
	r->on_daemon = fn;
	r->on_daemon_data = data;
	return 0;
}

void discovery_responder_announce(discovery_responder *r, const flom_msg *m)
{
	g_autoptr(GString) out = g_string_new(NULL);

	msg_encode(m, out);
	if (r->send_fd >= 0 && sendto(r->send_fd, out->str, out->len, 0,
				      (struct sockaddr *)&r->group.ss, r->group.len) < 0)
		TRACE(TRACE_NET, "cannot announce to the group: %s", g_strerror(errno));
}

void discovery_responder_silence(discovery_responder *r)
{
	r->silent = TRUE;
}

/* Another daemon of the group speaking: hand it to the daemon. */
static gboolean discovery_take_daemon(discovery_responder *r, const char *buf, size_t len,
				      const net_addr *src)
{
	flom_msg m;
	gboolean taken = FALSE;

	if (!r->on_daemon || len > FLOM_DATAGRAM_MAX)
		return FALSE;
	if (msg_decode(buf, len, &m, NULL) == 0) {
		taken = m.verb == MSG_VERB_DISCOVER && m.has_daemon;
		if (taken)
			r->on_daemon(&m, src, r->on_daemon_data);
		msg_clear(&m);
	}
	return taken;
}

const GArray *discovery_responder_fds(const discovery_responder *r)
{
	return r->fds;
}

guint64 discovery_responder_dropped(const discovery_responder *r)
{
	return r->dropped;
}

/* One datagram per call: the poll loop calls again while more are queued,
 * so a flood cannot starve the daemon's TCP clients. */
void discovery_responder_handle(discovery_responder *r, int fd)
{
	char buf[FLOM_DATAGRAM_MAX + 1];
	g_autofree char *from = NULL;
	net_addr src;
	ssize_t n;

	memset(&src, 0, sizeof(src));
	src.len = sizeof(src.ss);
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&src.ss,
		     &src.len);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			TRACE(TRACE_NET, "recvfrom on fd %d: %s", fd, g_strerror(errno));
		return;
	}
	if (n <= FLOM_DATAGRAM_MAX && discovery_take_daemon(r, buf, (size_t)n, &src))
		return;
	from = net_addr_to_string(&src);
	if (r->silent)
		return;
	if (n > FLOM_DATAGRAM_MAX || !discovery_is_request(buf, (size_t)n) ||
	    net_addr_is_multicast(&src) || net_addr_port(&src) == 0) {
		r->dropped++;
		TRACE(TRACE_NET, "dropped a %zd-byte datagram from %s (%" G_GUINT64_FORMAT
		      " dropped so far)", n, from, r->dropped);
		return;
	}
	if (sendto(fd, r->reply->str, r->reply->len, 0, (struct sockaddr *)&src.ss, src.len) < 0) {
		TRACE(TRACE_NET, "cannot answer %s: %s", from, g_strerror(errno));
		return;
	}
	TRACE(TRACE_NET, "answered discovery from %s", from);
}
