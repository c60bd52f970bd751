/*
 * flom: --debug-feature=NAME, the multicast debugger.
 *
 * A server joins the group and answers HELLO with WELCOME; a client sends
 * HELLO to the group and waits for the answer. Their two stdout lines are the
 * original's; with FLOM_TRACE_MASK=0x10000 every socket step goes to the
 * trace (stderr): net.c sets the sockets up and shows its steps through a
 * hook. Other datagrams on the group (a dynamic-mode daemon's announcements)
 * are traced and skipped, never answered: answering one would report a
 * working path that the client never tested. With -V their count is printed
 * on exit. Unlike the original client, which waits for ever when a firewall
 * eats the datagram, ours resends -D times every -I ms and then says on
 * stderr what most likely went wrong.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "debug_features.h"
#include "debug_tls.h"
#include "flom.h"
#include "net.h"
#include "trace.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DF_HELLO "HELLO"
#define DF_WELCOME "WELCOME"

typedef struct df_feature {
	const char *name;
	int family;
	gboolean server;
} df_feature;

static const df_feature df_features[] = {
	{ "ipv6.multicast.server", AF_INET6, TRUE },
	{ "ipv6.multicast.client", AF_INET6, FALSE },
	{ "ipv4.multicast.server", AF_INET, TRUE },
	{ "ipv4.multicast.client", AF_INET, FALSE },
};

typedef struct df_ctx {
	const df_feature *f;
	const flom_config *cfg;
	net_addr group;
	unsigned ifindex;
	int fd;
	unsigned ignored;  /* datagrams received that were not the expected one */
} df_ctx;

/* Trace lines carry the feature's name, as the original's carried its
 * function's name. */
static void df_trace(const df_ctx *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void df_trace(const df_ctx *c, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	if (!TRACE_ON(TRACE_DEBUG_FEATURES))
		return;
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	trace_printf(c->f->name, "%s", text);
}

static void df_trace_addr(const df_ctx *c, const char *what, const net_addr *a)
{
	g_autofree char *d = NULL;

	if (!TRACE_ON(TRACE_DEBUG_FEATURES))
		return;
	d = net_addr_describe((const struct sockaddr *)&a->ss, a->len);
	df_trace(c, "%s: %s", what, d);
}

/* A datagram as text: printable ASCII kept, anything else as \xNN. */
static char *df_printable(const char *buf, size_t len)
{
	GString *s = g_string_sized_new(len);

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			g_string_append_c(s, (char)ch);
		else
			g_string_append_printf(s, "\\x%02x", ch);
	}
	return g_string_free(s, FALSE);
}

static const char *df_family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static const char *df_example_group(int family)
{
	return family == AF_INET6 ? "ff02::1" : "224.0.0.1";
}

static const df_feature *df_lookup(const char *name)
{
	for (size_t i = 0; name && i < G_N_ELEMENTS(df_features); i++)
		if (g_ascii_strcasecmp(name, df_features[i].name) == 0)
			return &df_features[i];
	return NULL;
}

static void df_list_known(const char *name)
{
	fprintf(stderr, "flom: unknown debug feature '%s'; the known ones are:\n", name ? name : "");
	for (size_t i = 0; i < G_N_ELEMENTS(df_features); i++)
		fprintf(stderr, "  %s\n", df_features[i].name);
	fprintf(stderr, "  tls.server\n  tls.client\n");
}

/* net.c's steps into this feature's trace. */
static void df_step(gpointer data, const char *step)
{
	df_trace(data, "%s", step);
}

/* Why the group cannot serve this feature, the way a user can act on it. */
static void df_group_problem(const df_ctx *c, const GError *e)
{
	const char *text = c->cfg->multicast_address;
	int family = c->f->family;

	if (e->domain == NET_ERROR && e->code == EAFNOSUPPORT)
		fprintf(stderr, "flom: %s needs an %s multicast group, '%s' is an %s address; "
			"use %s.multicast.%s, or for example -A %s\n", c->f->name,
			df_family_name(family), text,
			df_family_name(family == AF_INET6 ? AF_INET : AF_INET6),
			family == AF_INET6 ? "ipv4" : "ipv6", c->f->server ? "server" : "client",
			df_example_group(family));
	else
		fprintf(stderr, "flom: %s\n", e->message);
}

static int df_resolve_group(df_ctx *c)
{
	const flom_config *cfg = c->cfg;
	g_autoptr(GError) e = NULL;

	if (!cfg->multicast_address || !*cfg->multicast_address) {
		fprintf(stderr, "flom: %s needs a multicast group: -A GROUP (for example -A %s)\n",
			c->f->name, df_example_group(c->f->family));
		return -1;
	}
	df_trace(c, "multicast address='%s', multicast port=%d", cfg->multicast_address,
		 cfg->multicast_port);
	c->ifindex = cfg->network_interface_index;
	if (net_mcast_group_family(cfg->multicast_address, cfg->multicast_port, c->f->family,
				   c->ifindex, &c->group, &e) < 0) {
		df_group_problem(c, e);
		return -1;
	}
	if (c->ifindex && net_addr_is_node_local(&c->group))
		fprintf(stderr, "flom: warning: %s is a node-local group (ff01::/16): its datagrams "
			"never leave this host, whatever -n %s says; use ff02::1 to reach the other "
			"hosts of the link\n", cfg->multicast_address, cfg->network_interface);
	return 0;
}

/* ---- server ---- */

/* One datagram, waiting until deadline (monotonic us, <0: for ever): its
 * length, -1 on an error (reported), -2 at the deadline. */
static ssize_t df_receive(df_ctx *c, char *buf, size_t size, net_addr *from, gint64 deadline)
{
	for (;;) {
		int rc = net_wait_readable(c->fd, deadline);
		ssize_t n;

		if (rc < 0) {
			fprintf(stderr, "flom: poll: %s\n", g_strerror(errno));
			return -1;
		}
		if (rc == 0)
			return -2;
		memset(from, 0, sizeof(*from));
		from->len = sizeof(from->ss);
		n = recvfrom(c->fd, buf, size, MSG_TRUNC | MSG_DONTWAIT,
			     (struct sockaddr *)&from->ss, &from->len);
		if (n >= 0)
			return n > (ssize_t)size ? (ssize_t)size : n;
		if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
			fprintf(stderr, "flom: recvfrom: %s\n", g_strerror(errno));
			return -1;
		}
	}
}

static void df_trace_datagram(const df_ctx *c, const char *what, const char *buf, size_t len,
			      const net_addr *from)
{
	g_autofree char *text = NULL;

	if (!TRACE_ON(TRACE_DEBUG_FEATURES))
		return;
	text = df_printable(buf, len);
	df_trace(c, "%s '%s'", what, text);
	trace_hex(c->f->name, "datagram bytes ", buf, len);
	df_trace_addr(c, "address returned by recvfrom()", from);
}

/* Whether the datagram is exactly word. */
static gboolean df_is(const char *buf, ssize_t n, const char *word)
{
	return (size_t)n == strlen(word) && memcmp(buf, word, (size_t)n) == 0;
}

/* The first HELLO (its length, or -1); other datagrams are traced, counted
 * and skipped. */
static ssize_t df_wait_hello(df_ctx *c, char *buf, size_t size, net_addr *from)
{
	df_trace(c, "multicast server created, waiting for a datagram...");
	for (;;) {
		ssize_t n = df_receive(c, buf, size, from, -1);

		if (n < 0)
			return -1;
		df_trace_datagram(c, "arrived datagram", buf, (size_t)n, from);
		if (df_is(buf, n, DF_HELLO))
			return n;
		c->ignored++;
		df_trace(c, "not '%s': ignored (%u so far), waiting for another datagram...",
			 DF_HELLO, c->ignored);
	}
}

static int df_server(df_ctx *c)
{
	char buf[FLOM_DATAGRAM_MAX];
	g_autoptr(GError) e = NULL;
	net_addr from;
	ssize_t n;

	c->fd = net_mcast_listen(&c->group, c->ifindex, &e);
	if (c->fd < 0) {
		fprintf(stderr, "flom: %s\n", e->message);
		return FLOM_EXIT_DEBUG_FAILED;
	}
	if (df_wait_hello(c, buf, sizeof(buf), &from) < 0)
		return FLOM_EXIT_DEBUG_FAILED;
	printf("Arrived datagram is '%s'\n", DF_HELLO);
	fflush(stdout);
	df_trace(c, "sending '%s' to the client...", DF_WELCOME);
	n = sendto(c->fd, DF_WELCOME, strlen(DF_WELCOME), 0, (struct sockaddr *)&from.ss, from.len);
	if (n < 0) {
		g_autofree char *to = net_addr_to_string(&from);

		fprintf(stderr, "flom: cannot send '%s' to %s: %s\n", DF_WELCOME, to,
			g_strerror(errno));
		return FLOM_EXIT_DEBUG_FAILED;
	}
	df_trace(c, "sent_bytes=%zd, welcome_msg_len=%zu", n, strlen(DF_WELCOME));
	printf("Sent datagram is '%s'\n", DF_WELCOME);
	fflush(stdout);
	return FLOM_EXIT_OK;
}

/* ---- client ---- */

static int df_send_hello(df_ctx *c)
{
	ssize_t n;

	df_trace(c, "sending '%s' to the server...", DF_HELLO);
	df_trace_addr(c, "destination address", &c->group);
	n = sendto(c->fd, DF_HELLO, strlen(DF_HELLO), 0, (struct sockaddr *)&c->group.ss,
		   c->group.len);
	if (n < 0) {
		int e = errno;
		g_autofree char *to = net_addr_to_string(&c->group);

		fprintf(stderr, "flom: cannot send '%s' to %s: %s\n", DF_HELLO, to, g_strerror(e));
		if (e == ENETUNREACH || e == ENODEV || e == EHOSTUNREACH)
			fprintf(stderr, "flom: no route for this group: name the interface with "
				"-n IFACE%s\n", c->group.ss.ss_family == AF_INET ?
				", or add a route (ip route add 224.0.0.0/4 dev IFACE)" : "");
		return -1;
	}
	df_trace(c, "sent_bytes=%zd, hello_msg_len=%zu", n, strlen(DF_HELLO));
	return 0;
}

/*
 * Wait until deadline (monotonic us, <0 for ever) for WELCOME: 1 when it
 * came, 0 at the deadline, -1 on a socket error. Other datagrams are shown,
 * counted and skipped.
 */
static int df_wait_welcome(df_ctx *c, gint64 deadline)
{
	char buf[FLOM_DATAGRAM_MAX];

	df_trace(c, "waiting for an answer from the server...");
	for (;;) {
		g_autofree char *text = NULL;
		g_autofree char *who = NULL;
		net_addr from;
		ssize_t n = df_receive(c, buf, sizeof(buf), &from, deadline);

		if (n == -2)
			return 0;
		if (n < 0)
			return -1;
		df_trace_datagram(c, "received", buf, (size_t)n, &from);
		if (df_is(buf, n, DF_WELCOME)) {
			printf("Arrived datagram is '%s'\n", DF_WELCOME);
			fflush(stdout);
			return 1;
		}
		c->ignored++;
		text = df_printable(buf, (size_t)n);
		who = net_addr_to_string(&from);
		fprintf(stderr, "flom: ignoring an unexpected datagram '%s' from %s\n", text, who);
	}
}

/* The client got no answer: say what was tried and what usually explains
 * it, most likely first. */
static void df_diagnose(const df_ctx *c, int attempts)
{
	const flom_config *cfg = c->cfg;
	gboolean v6 = c->group.ss.ss_family == AF_INET6;
	int port = net_addr_port(&c->group);
	g_autofree char *ifname = c->ifindex ? net_ifname(c->ifindex) : NULL;
	const char *g = cfg->multicast_address;

	fprintf(stderr, "flom: no answer from group %s port %d: %d datagram(s) '%s' sent, "
		"%" G_GINT64_FORMAT " ms waited after each\n", g, port, attempts, DF_HELLO,
		cfg->discovery_timeout);
	fprintf(stderr, "flom: interface: %s; hop limit: %d\n",
		ifname ? ifname : "chosen by the routing table (no -n given)", cfg->discovery_ttl);
	if (net_addr_is_node_local(&c->group))
		fprintf(stderr, "flom: %s is a node-local group (ff01::/16): its datagrams never leave "
			"this host, so only a server on this very host can answer; use ff02::1 to "
			"reach the other hosts of the link\n", g);
	fprintf(stderr, "flom: likely causes, most likely first:\n");
	fprintf(stderr, "flom:  1. a firewall on the server's host drops UDP to port %d (or on this "
		"host drops the answer):\n", port);
	fprintf(stderr, "flom:     look for a DROP or REJECT rule with '%s -L INPUT -n -v' "
		"(udp dpt:%d, or a final REJECT of everything)\n", v6 ? "ip6tables" : "iptables",
		port);
	fprintf(stderr, "flom:     or with 'nft list ruleset' (a rule like 'udp dport %d drop', "
		"or an input chain with policy drop)\n", port);
	if (v6)
		fprintf(stderr, "flom:  2. a node-local group: ff01::/16 never leaves the host it is "
			"sent from%s\n", net_addr_is_node_local(&c->group) ?
			" (this is the case here)" : "; the group here is not one");
	else
		fprintf(stderr, "flom:  2. a group the network does not carry: 224.0.0.0/24 stays on "
			"the local link, and a host needs a route for 224.0.0.0/4\n");
	fprintf(stderr, "flom:  3. a hop limit too small: %d is not enough when a router separates "
		"the hosts; raise --discovery-ttl, with a group wider than the link (%s is never "
		"routed)\n", cfg->discovery_ttl, v6 ? "ff02::/16" : "224.0.0.0/24");
	fprintf(stderr, "flom:  4. nothing listening: start 'flom --debug-feature=%s.multicast.server "
		"-A %s%s' on the other host first (same -P port)\n", v6 ? "ipv6" : "ipv4", g,
		ifname ? " -n IFACE" : "");
}

static int df_client(df_ctx *c)
{
	int attempts = c->cfg->discovery_attempts;
	gint64 timeout = c->cfg->discovery_timeout;
	g_autoptr(GError) e = NULL;

	/* An ephemeral port: the server answers to whatever port we use. */
	c->fd = net_mcast_sender(&c->group, c->ifindex, c->cfg->discovery_ttl, &e);
	if (c->fd < 0) {
		fprintf(stderr, "flom: %s\n", e->message);
		return FLOM_EXIT_DEBUG_FAILED;
	}
	/* A negative count means for ever (config_check refuses 0). */
	for (int i = 0; attempts < 0 || i < attempts; i++) {
		int got;

		if (df_send_hello(c) < 0)
			return FLOM_EXIT_DEBUG_FAILED;
		if (i == 0) {
			printf("Sent datagram is '%s'\n", DF_HELLO);
			fflush(stdout);
		} else {
			fprintf(stderr, "flom: no answer within %" G_GINT64_FORMAT " ms, '%s' sent again "
				"(attempt %d)\n", timeout, DF_HELLO, i + 1);
		}
		got = df_wait_welcome(c, timeout < 0 ? -1 : g_get_monotonic_time() + timeout * 1000);
		if (got != 0)
			return got > 0 ? FLOM_EXIT_OK : FLOM_EXIT_DEBUG_FAILED;
	}
	df_diagnose(c, attempts);
	return FLOM_EXIT_DEBUG_FAILED;
}

int debug_features_run(const flom_config *cfg)
{
	const df_feature *f = df_lookup(cfg->debug_feature);
	df_ctx c;
	int rc;

	TRACE(TRACE_DEBUG_FEATURES, "name='%s'", cfg->debug_feature ? cfg->debug_feature : "");
	if (debug_tls_feature(cfg->debug_feature) >= 0)
		return debug_tls_run(cfg, debug_tls_feature(cfg->debug_feature) == 1);
	if (!f) {
		df_list_known(cfg->debug_feature);
		return FLOM_EXIT_DEBUG_FAILED;
	}
	memset(&c, 0, sizeof(c));
	c.f = f;
	c.cfg = cfg;
	c.fd = -1;
	net_set_step_hook(df_step, &c);
	if (df_resolve_group(&c) < 0) {
		rc = FLOM_EXIT_DEBUG_FAILED;
	} else {
		rc = f->server ? df_server(&c) : df_client(&c);
		/* -V: what was received and skipped, after the seeds' lines. */
		if (cfg->verbose)
			printf("Ignored %u datagram(s) other than '%s'\n", c.ignored,
			       f->server ? DF_HELLO : DF_WELCOME);
	}
	net_set_step_hook(NULL, NULL);
	if (c.fd >= 0)
		close(c.fd);
	df_trace(&c, "exit status %d", rc);
	return rc;
}
