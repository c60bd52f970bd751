/*
 * flom: --debug-feature=NAME, the multicast debugger.
 *
 * A server joins the group and answers the first datagram with WELCOME; a
 * client sends HELLO to the group and waits for the answer. Their two stdout
 * lines are the original's; with FLOM_TRACE_MASK=0x10000 every socket step
 * goes to the trace (stderr). Unlike the original client, which waits for
 * ever when a firewall eats the datagram, ours resends -D times every -I ms
 * and then says on stderr what most likely went wrong.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "debug_features.h"
#include "flom.h"
#include "net.h"
#include "trace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
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

/* "addrlen=28; IPv6 address, sin6_port=..., sin6_scope_id=2 (eth0)" */
static char *df_describe(const struct sockaddr *sa, socklen_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
		char ifname[IF_NAMESIZE + 3] = "";

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		if (s->sin6_scope_id && if_indextoname(s->sin6_scope_id, ifname + 2)) {
			ifname[0] = ' ';
			ifname[1] = '(';
			g_strlcat(ifname, ")", sizeof(ifname));
		}
		return g_strdup_printf("addrlen=%u; IPv6 address, sin6_port=%u, sin6_flowinfo=0x%x, "
				       "sin6_addr='%s', sin6_scope_id=%u%s", (unsigned)len,
				       ntohs(s->sin6_port), ntohl(s->sin6_flowinfo), ip,
				       s->sin6_scope_id, ifname);
	}
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		return g_strdup_printf("addrlen=%u; IPv4 address, sin_port=%u, sin_addr='%s'",
				       (unsigned)len, ntohs(s->sin_port), ip);
	}
	return g_strdup_printf("addrlen=%u; address family %d", (unsigned)len, sa->sa_family);
}

static void df_trace_addr(const df_ctx *c, const char *what, const net_addr *a)
{
	g_autofree char *d = NULL;

	if (!TRACE_ON(TRACE_DEBUG_FEATURES))
		return;
	d = df_describe((const struct sockaddr *)&a->ss, a->len);
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
}

static void df_trace_ai(const df_ctx *c, int n, const struct addrinfo *p)
{
	g_autofree char *d = NULL;

	if (!TRACE_ON(TRACE_DEBUG_FEATURES))
		return;
	d = df_describe(p->ai_addr, p->ai_addrlen);
	df_trace(c, "getaddrinfo() result %d: ai_family=%d (%s), ai_socktype=%d, ai_protocol=%d; "
		 "address %s", n, p->ai_family,
		 p->ai_family == AF_INET6 ? "IPv6" : p->ai_family == AF_INET ? "IPv4" : "other",
		 p->ai_socktype, p->ai_protocol, d);
}

/* Pick the group of the feature's family among the results; message and -1
 * when there is none. */
static int df_pick_group(df_ctx *c, const struct addrinfo *res)
{
	const char *text = c->cfg->multicast_address;
	gboolean other_family = FALSE, not_multicast = FALSE;

	for (const struct addrinfo *p = res; p; p = p->ai_next) {
		net_addr a;

		if (!net_addr_from_ai(p, &a))
			continue;
		if (p->ai_family != c->f->family) {
			other_family = TRUE;
			continue;
		}
		if (!net_addr_is_multicast(&a)) {
			not_multicast = TRUE;
			continue;
		}
		c->group = a;
		return 0;
	}
	if (other_family && !not_multicast)
		fprintf(stderr, "flom: %s needs an %s multicast group, '%s' is an %s address; "
			"use %s.multicast.%s, or for example -A %s\n", c->f->name,
			df_family_name(c->f->family), text,
			df_family_name(c->f->family == AF_INET6 ? AF_INET : AF_INET6),
			c->f->family == AF_INET6 ? "ipv4" : "ipv6", c->f->server ? "server" : "client",
			df_example_group(c->f->family));
	else
		fprintf(stderr, "flom: '%s' is not an %s multicast group (%s)\n", text,
			df_family_name(c->f->family),
			c->f->family == AF_INET6 ? "ff00::/8" : "224.0.0.0/4");
	return -1;
}

static int df_resolve_group(df_ctx *c)
{
	const flom_config *cfg = c->cfg;
	struct addrinfo hints, *res = NULL;
	char service[16];
	int rc, n = 0;

	if (!cfg->multicast_address || !*cfg->multicast_address) {
		fprintf(stderr, "flom: %s needs a multicast group: -A GROUP (for example -A %s)\n",
			c->f->name, df_example_group(c->f->family));
		return -1;
	}
	df_trace(c, "multicast address='%s', multicast port=%d", cfg->multicast_address,
		 cfg->multicast_port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_protocol = IPPROTO_UDP;
	hints.ai_flags = AI_NUMERICSERV;
	g_snprintf(service, sizeof(service), "%d", cfg->multicast_port);
	rc = getaddrinfo(cfg->multicast_address, service, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "flom: cannot resolve multicast group '%s': %s\n",
			cfg->multicast_address, rc == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (const struct addrinfo *p = res; p; p = p->ai_next)
		df_trace_ai(c, ++n, p);
	rc = df_pick_group(c, res);
	freeaddrinfo(res);
	return rc;
}

/* -n: the interface must exist; a scoped group gets its index. */
static int df_interface(df_ctx *c)
{
	const flom_config *cfg = c->cfg;
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&c->group.ss;

	c->ifindex = cfg->network_interface_index;
	if (cfg->network_interface && *cfg->network_interface && !c->ifindex)
		c->ifindex = net_ifindex(cfg->network_interface);
	if (cfg->network_interface && *cfg->network_interface && !c->ifindex) {
		fprintf(stderr, "flom: network interface '%s' does not exist\n",
			cfg->network_interface);
		return -1;
	}
	if (c->ifindex && c->group.ss.ss_family == AF_INET6 && s->sin6_scope_id == 0 &&
	    (IN6_IS_ADDR_MC_LINKLOCAL(&s->sin6_addr) || IN6_IS_ADDR_MC_NODELOCAL(&s->sin6_addr)))
		s->sin6_scope_id = c->ifindex;
	if (c->ifindex && net_addr_is_node_local(&c->group))
		fprintf(stderr, "flom: warning: %s is a node-local group (ff01::/16): its datagrams "
			"never leave this host, whatever -n %s says; use ff02::1 to reach the other "
			"hosts of the link\n", cfg->multicast_address, cfg->network_interface);
	return 0;
}

static char *df_ifname(unsigned ifindex)
{
	char name[IF_NAMESIZE];

	if (ifindex && if_indextoname(ifindex, name))
		return g_strdup(name);
	return g_strdup_printf("%u", ifindex);
}

static int df_setopt(const df_ctx *c, int level, int opt, const char *optname, int value)
{
	df_trace(c, "setting %s to value %d", optname, value);
	if (setsockopt(c->fd, level, opt, &value, sizeof(value)) < 0) {
		fprintf(stderr, "flom: setsockopt(%s, %d): %s\n", optname, value, g_strerror(errno));
		return -1;
	}
	return 0;
}

static int df_open(df_ctx *c)
{
	int family = c->group.ss.ss_family;

	df_trace(c, "creating a new socket...");
	c->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (c->fd < 0) {
		fprintf(stderr, "flom: socket(%s, SOCK_DGRAM): %s\n", df_family_name(family),
			g_strerror(errno));
		return -1;
	}
	return 0;
}

/* Bind the wildcard of the group's family and port; traces the address
 * asked for and the one obtained. */
static int df_bind(df_ctx *c, int port)
{
	int family = c->group.ss.ss_family;
	net_addr any, got;

	if (df_setopt(c, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 1) < 0)
		return -1;
	if (family == AF_INET6 && df_setopt(c, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY", 1) < 0)
		return -1;
	memset(&any, 0, sizeof(any));
	any.ss.ss_family = (sa_family_t)family;
	any.len = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	net_addr_set_port(&any, port);
	df_trace_addr(c, "binding to address", &any);
	if (bind(c->fd, (struct sockaddr *)&any.ss, any.len) < 0) {
		g_autofree char *where = net_addr_to_string(&any);

		fprintf(stderr, "flom: cannot bind %s: %s\n", where, g_strerror(errno));
		return -1;
	}
	memset(&got, 0, sizeof(got));
	got.len = sizeof(got.ss);
	if (getsockname(c->fd, (struct sockaddr *)&got.ss, &got.len) == 0)
		df_trace_addr(c, "address returned by getsockname() after bind()", &got);
	return 0;
}

/* ---- server ---- */

static int df_join(df_ctx *c)
{
	const char *gname = c->cfg->multicast_address;
	g_autoptr(GArray) idx = NULL;
	guint joined = 0;
	int e = ENODEV;

	df_trace(c, "activating multicast...");
	if (c->ifindex) {
		idx = g_array_new(FALSE, FALSE, sizeof(unsigned));
		g_array_append_val(idx, c->ifindex);
	} else {
		idx = net_mcast_ifindexes();
	}
	for (guint i = 0; i < idx->len; i++) {
		unsigned n = g_array_index(idx, unsigned, i);
		g_autofree char *ifname = df_ifname(n);

		df_trace(c, "joining group '%s' on interface %s (index %u) with %s", gname, ifname, n,
			 c->group.ss.ss_family == AF_INET6 ? "IPV6_JOIN_GROUP" : "IP_ADD_MEMBERSHIP");
		if (net_mcast_join(c->fd, &c->group, n) == 0) {
			joined++;
			continue;
		}
		e = errno;
		df_trace(c, "joining on %s failed: %s", ifname, g_strerror(e));
		if (c->ifindex)
			break;
	}
	if (joined == 0 && !c->ifindex) {
		df_trace(c, "no multicast interface joined: letting the kernel choose one");
		if (net_mcast_join(c->fd, &c->group, 0) == 0)
			joined++;
		else
			e = errno;
	}
	if (joined == 0) {
		fprintf(stderr, "flom: cannot join multicast group %s: %s\n", gname, g_strerror(e));
		return -1;
	}
	return 0;
}

/* Blocking receive of one datagram (retried on EINTR); its length or -1. */
static ssize_t df_receive(df_ctx *c, char *buf, size_t size, net_addr *from)
{
	ssize_t n;

	memset(from, 0, sizeof(*from));
	do {
		from->len = sizeof(from->ss);
		n = recvfrom(c->fd, buf, size, MSG_TRUNC, (struct sockaddr *)&from->ss, &from->len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		fprintf(stderr, "flom: recvfrom: %s\n", g_strerror(errno));
		return -1;
	}
	return n > (ssize_t)size ? (ssize_t)size : n;
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

static int df_server(df_ctx *c)
{
	char buf[FLOM_DATAGRAM_MAX];
	g_autofree char *text = NULL;
	net_addr from;
	ssize_t n;

	if (df_open(c) < 0 || df_bind(c, net_addr_port(&c->group)) < 0 || df_join(c) < 0)
		return FLOM_EXIT_DEBUG_FAILED;
	df_trace(c, "multicast server created, waiting for a datagram...");
	n = df_receive(c, buf, sizeof(buf), &from);
	if (n < 0)
		return FLOM_EXIT_DEBUG_FAILED;
	df_trace_datagram(c, "arrived datagram", buf, (size_t)n, &from);
	text = df_printable(buf, (size_t)n);
	printf("Arrived datagram is '%s'\n", text);
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

static int df_client_socket(df_ctx *c)
{
	int family = c->group.ss.ss_family;
	int ttl = c->cfg->discovery_ttl;

	if (ttl < 0 || ttl > 255) {
		fprintf(stderr, "flom: hop limit %d is out of range (0..255)\n", ttl);
		return -1;
	}
	if (df_open(c) < 0)
		return -1;
	if (family == AF_INET6) {
		if (df_setopt(c, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", ttl) < 0 ||
		    df_setopt(c, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP", 1) < 0)
			return -1;
	} else {
		if (df_setopt(c, IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL", ttl) < 0 ||
		    df_setopt(c, IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP", 1) < 0)
			return -1;
	}
	if (c->ifindex) {
		g_autofree char *ifname = df_ifname(c->ifindex);

		df_trace(c, "setting %s to interface %s (index %u)",
			 family == AF_INET6 ? "IPV6_MULTICAST_IF" : "IP_MULTICAST_IF (ip_mreqn)",
			 ifname, c->ifindex);
		if (net_mcast_set_interface(c->fd, family, c->ifindex) < 0) {
			fprintf(stderr, "flom: cannot send multicast through %s: %s\n", ifname,
				g_strerror(errno));
			return -1;
		}
	}
	/* An ephemeral port: the server answers to whatever port we use. */
	return df_bind(c, 0);
}

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
 * Wait until deadline (monotonic µs, <0 for ever) for WELCOME: 1 when it
 * came, 0 at the deadline, -1 on a socket error. Other datagrams are shown
 * and skipped.
 */
static int df_wait_welcome(df_ctx *c, gint64 deadline)
{
	char buf[FLOM_DATAGRAM_MAX];

	df_trace(c, "waiting for an answer from the server...");
	for (;;) {
		g_autofree char *text = NULL;
		int rc = net_wait_readable(c->fd, deadline);
		net_addr from;
		ssize_t n;

		if (rc < 0)
			fprintf(stderr, "flom: poll: %s\n", g_strerror(errno));
		if (rc <= 0)
			return rc;
		n = df_receive(c, buf, sizeof(buf), &from);
		if (n < 0)
			return -1;
		df_trace_datagram(c, "received", buf, (size_t)n, &from);
		text = df_printable(buf, (size_t)n);
		if ((size_t)n == strlen(DF_WELCOME) && memcmp(buf, DF_WELCOME, (size_t)n) == 0) {
			printf("Arrived datagram is '%s'\n", text);
			fflush(stdout);
			return 1;
		}
		{
			g_autofree char *who = net_addr_to_string(&from);

			fprintf(stderr, "flom: ignoring an unexpected datagram '%s' from %s\n", text,
				who);
		}
	}
}

/* The client got no answer: say what was tried and what usually explains
 * it, most likely first. */
static void df_diagnose(const df_ctx *c, int attempts)
{
	const flom_config *cfg = c->cfg;
	gboolean v6 = c->group.ss.ss_family == AF_INET6;
	int port = net_addr_port(&c->group);
	g_autofree char *ifname = c->ifindex ? df_ifname(c->ifindex) : NULL;
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

	if (df_client_socket(c) < 0)
		return FLOM_EXIT_DEBUG_FAILED;
	/* At least one datagram; a negative count means for ever. */
	if (attempts == 0)
		attempts = 1;
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
	if (!f) {
		df_list_known(cfg->debug_feature);
		return FLOM_EXIT_DEBUG_FAILED;
	}
	memset(&c, 0, sizeof(c));
	c.f = f;
	c.cfg = cfg;
	c.fd = -1;
	if (df_resolve_group(&c) < 0 || df_interface(&c) < 0)
		return FLOM_EXIT_DEBUG_FAILED;
	rc = f->server ? df_server(&c) : df_client(&c);
	if (c.fd >= 0)
		close(c.fd);
	df_trace(&c, "exit status %d", rc);
	return rc;
}
