/*
 * flom: UDP multicast: groups, joins, the sockets of discovery.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "net.h"
#include "net_private.h"
#include "flom.h"
#include "trace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

static const char *net_family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : family == AF_INET ? "IPv4" : "other";
}

static void net_step_ai(int n, const struct addrinfo *p)
{
	g_autofree char *d = NULL;

	if (!net_stepping())
		return;
	d = net_addr_describe(p->ai_addr, p->ai_addrlen);
	net_step("getaddrinfo() result %d: ai_family=%d (%s), ai_socktype=%d, ai_protocol=%d; "
		 "address %s", n, p->ai_family, net_family_name(p->ai_family), p->ai_socktype,
		 p->ai_protocol, d);
}

static int net_mcast_check_args(const char *group, int port, GError **err)
{
	if (!group || !*group) {
		g_set_error(err, NET_ERROR, EINVAL, "no multicast group given (-A GROUP)");
		errno = EINVAL;
		return -1;
	}
	if (port < 1 || port > 65535) {
		g_set_error(err, NET_ERROR, EINVAL, "multicast port %d is out of range (1..65535)",
			    port);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* The first multicast result of family (AF_UNSPEC: any) into *out; sets
 * *other_family when a result of the other family was skipped. */
static gboolean net_mcast_pick(const struct addrinfo *res, int family, net_addr *out,
			       gboolean *other_family)
{
	int n = 0;

	for (const struct addrinfo *p = res; p; p = p->ai_next)
		net_step_ai(++n, p);
	for (const struct addrinfo *p = res; p; p = p->ai_next) {
		net_addr a;

		if (!net_addr_from_ai(p, &a))
			continue;
		if (family != AF_UNSPEC && a.ss.ss_family != family) {
			*other_family = TRUE;
			continue;
		}
		if (net_addr_is_multicast(&a)) {
			*out = a;
			return TRUE;
		}
	}
	return FALSE;
}

int net_mcast_group_family(const char *group, int port, int family, unsigned ifindex,
			   net_addr *out, GError **err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				  .ai_protocol = IPPROTO_UDP, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	gboolean found, other_family = FALSE;
	char service[16];
	int rc;

	if (net_mcast_check_args(group, port, err) < 0)
		return -1;
	g_snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(group, service, &hints, &res);
	if (rc != 0) {
		g_set_error(err, NET_ERROR, EADDRNOTAVAIL, "cannot resolve multicast group '%s': %s",
			    group, rc == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(rc));
		errno = EADDRNOTAVAIL;
		return -1;
	}
	found = net_mcast_pick(res, family, out, &other_family);
	freeaddrinfo(res);
	if (found) {
		net_addr_apply_scope(out, ifindex);
		return 0;
	}
	if (family == AF_UNSPEC)
		g_set_error(err, NET_ERROR, EINVAL,
			    "'%s' is not a multicast group (224.0.0.0/4 or ff00::/8)", group);
	else if (other_family)
		g_set_error(err, NET_ERROR, EAFNOSUPPORT, "'%s' is not an %s address", group,
			    net_family_name(family));
	else
		g_set_error(err, NET_ERROR, EINVAL, "'%s' is not an %s multicast group (%s)", group,
			    net_family_name(family), family == AF_INET6 ? "ff00::/8" : "224.0.0.0/4");
	errno = err && *err ? (*err)->code : EINVAL;
	return -1;
}

int net_mcast_group(const char *group, int port, unsigned ifindex, net_addr *out, GError **err)
{
	return net_mcast_group_family(group, port, AF_UNSPEC, ifindex, out, err);
}

static GArray *net_mcast_ifindexes(void)
{
	struct ifaddrs *ifs = NULL;
	GArray *out = g_array_new(FALSE, FALSE, sizeof(unsigned));

	if (getifaddrs(&ifs) < 0)
		return out;
	for (struct ifaddrs *p = ifs; p && out->len < FLOM_MULTICAST_SOCKETS_MAX; p = p->ifa_next) {
		unsigned idx;
		gboolean seen = FALSE;

		if (!(p->ifa_flags & IFF_UP) || !(p->ifa_flags & IFF_MULTICAST))
			continue;
		idx = if_nametoindex(p->ifa_name);
		if (idx == 0)
			continue;
		for (guint i = 0; i < out->len && !seen; i++)
			seen = g_array_index(out, unsigned, i) == idx;
		if (!seen)
			g_array_append_val(out, idx);
	}
	freeifaddrs(ifs);
	return out;
}

static int net_mcast_join(int fd, const net_addr *group, unsigned ifindex)
{
	if (group->ss.ss_family == AF_INET) {
		struct ip_mreqn mr;

		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr = ((const struct sockaddr_in *)&group->ss)->sin_addr;
		mr.imr_address.s_addr = htonl(INADDR_ANY);
		mr.imr_ifindex = (int)ifindex;
		return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
	}
	if (group->ss.ss_family == AF_INET6) {
		struct ipv6_mreq mr;

		memset(&mr, 0, sizeof(mr));
		mr.ipv6mr_multiaddr = ((const struct sockaddr_in6 *)&group->ss)->sin6_addr;
		mr.ipv6mr_interface = ifindex;
		return setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr));
	}
	errno = EAFNOSUPPORT;
	return -1;
}

static int net_mcast_set_interface(int fd, int family, unsigned ifindex)
{
	if (family == AF_INET) {
		struct ip_mreqn mr;

		memset(&mr, 0, sizeof(mr));
		mr.imr_ifindex = (int)ifindex;
		return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
	}
	return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex));
}

/* Receive only the groups this socket joined, not every group some other
 * socket of the host joined on the same port (Linux default). */
static void net_mcast_only_joined(int fd, int family)
{
	if (family == AF_INET) {
#ifdef IP_MULTICAST_ALL
		(void)net_setopt_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0);
#endif
	} else {
#ifdef IPV6_MULTICAST_ALL
		(void)net_setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
#endif
	}
}

/* The group's address without its scope, as the user wrote it. */
static void net_group_text(const net_addr *group, char *out, size_t size)
{
	const void *ip = group->ss.ss_family == AF_INET6
		? (const void *)&((const struct sockaddr_in6 *)&group->ss)->sin6_addr
		: (const void *)&((const struct sockaddr_in *)&group->ss)->sin_addr;

	if (!inet_ntop(group->ss.ss_family, ip, out, (socklen_t)size))
		g_strlcpy(out, "?", size);
}

static int net_mcast_join_step(int fd, const net_addr *group, const char *gtext, unsigned n)
{
	g_autofree char *ifname = net_ifname(n);
	int e;

	net_step("joining group '%s' on interface %s (index %u) with %s", gtext, ifname, n,
		 group->ss.ss_family == AF_INET6 ? "IPV6_JOIN_GROUP" : "IP_ADD_MEMBERSHIP");
	if (net_mcast_join(fd, group, n) == 0)
		return 0;
	e = errno;
	net_step("joining on %s failed: %s", ifname, g_strerror(e));
	errno = e;
	return -1;
}

/* Join on ifindex, or on every up multicast interface; 0 when at least one
 * join worked. */
static int net_mcast_join_all(int fd, const net_addr *group, unsigned ifindex, GError **err)
{
	char gtext[INET6_ADDRSTRLEN];
	g_autoptr(GArray) idx = NULL;
	guint joined = 0;
	int e = ENODEV;

	net_group_text(group, gtext, sizeof(gtext));
	net_step("activating multicast...");
	if (ifindex) {
		if (net_mcast_join_step(fd, group, gtext, ifindex) == 0)
			return 0;
		return net_fail(err, errno, "cannot join group %s on interface %u", gtext, ifindex);
	}
	idx = net_mcast_ifindexes();
	for (guint i = 0; i < idx->len; i++) {
		if (net_mcast_join_step(fd, group, gtext, g_array_index(idx, unsigned, i)) == 0)
			joined++;
		else
			e = errno;
	}
	/* No usable interface listed: let the kernel pick one by its routes. */
	if (joined == 0) {
		net_step("no multicast interface joined: letting the kernel choose one");
		if (net_mcast_join(fd, group, 0) == 0)
			joined++;
		else
			e = errno;
	}
	if (joined == 0)
		return net_fail(err, e, "cannot join group %s on any interface", gtext);
	return 0;
}

/* A UDP socket of family, with a step for the trace. */
static int net_udp_socket(int family, int flags)
{
	net_step("creating a new socket...");
	return socket(family, SOCK_DGRAM | SOCK_CLOEXEC | flags, IPPROTO_UDP);
}

/* Bind the wildcard of family on port; the steps show the address asked for
 * and the one obtained. */
static int net_bind_wildcard(int fd, int family, int port)
{
	net_addr any, got;

	net_addr_wildcard(&any, family, port);
	if (net_stepping()) {
		g_autofree char *d = net_addr_describe((struct sockaddr *)&any.ss, any.len);

		net_step("binding to address: %s", d);
	}
	if (bind(fd, (struct sockaddr *)&any.ss, any.len) < 0)
		return -1;
	memset(&got, 0, sizeof(got));
	got.len = sizeof(got.ss);
	if (net_stepping() && getsockname(fd, (struct sockaddr *)&got.ss, &got.len) == 0) {
		g_autofree char *d = net_addr_describe((struct sockaddr *)&got.ss, got.len);

		net_step("address returned by getsockname() after bind(): %s", d);
	}
	return 0;
}

int net_mcast_listen(const net_addr *group, unsigned ifindex, GError **err)
{
	int family = group->ss.ss_family;
	g_autofree char *gname = net_addr_to_string(group);
	int fd, e;

	fd = net_udp_socket(family, SOCK_NONBLOCK);
	if (fd < 0)
		return net_fail(err, errno, "socket() for group %s", gname);
	/* Several daemons (and the debug server) may listen on one host. */
	if (NET_SETOPT(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		goto fail;
	if (family == AF_INET6 && NET_SETOPT(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0)
		goto fail;
	net_mcast_only_joined(fd, family);
	if (net_bind_wildcard(fd, family, net_addr_port(group)) < 0)
		goto fail;
	if (net_mcast_join_all(fd, group, ifindex, err) < 0) {
		net_close_keep_errno(fd);
		return -1;
	}
	TRACE(TRACE_NET, "listening on group %s (fd %d)", gname, fd);
	return fd;
fail:
	e = errno;
	close(fd);
	return net_fail(err, e, "cannot listen on group %s", gname);
}

/* The outgoing interface of a sender socket. */
static int net_mcast_sender_interface(int fd, int family, unsigned ifindex)
{
	g_autofree char *ifname = net_ifname(ifindex);

	net_step("setting %s to interface %s (index %u)",
		 family == AF_INET6 ? "IPV6_MULTICAST_IF" : "IP_MULTICAST_IF (ip_mreqn)", ifname,
		 ifindex);
	return net_mcast_set_interface(fd, family, ifindex);
}

int net_mcast_sender(const net_addr *group, unsigned ifindex, int ttl, GError **err)
{
	int family = group->ss.ss_family;
	g_autofree char *gname = net_addr_to_string(group);
	int fd, e;

	if (ttl < 0 || ttl > FLOM_MULTICAST_TTL_MAX) {
		g_set_error(err, NET_ERROR, EINVAL, "multicast hop limit %d is out of range (0..%d)",
			    ttl, FLOM_MULTICAST_TTL_MAX);
		errno = EINVAL;
		return -1;
	}
	fd = net_udp_socket(family, 0);
	if (fd < 0)
		return net_fail(err, errno, "socket() for group %s", gname);
	/* As the original's debug client: harmless on an ephemeral port. */
	if (NET_SETOPT(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		goto fail;
	if (family == AF_INET) {
		if (NET_SETOPT(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl) < 0 ||
		    NET_SETOPT(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 1) < 0)
			goto fail;
	} else {
		if (NET_SETOPT(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl) < 0 ||
		    NET_SETOPT(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1) < 0)
			goto fail;
	}
	if (ifindex && net_mcast_sender_interface(fd, family, ifindex) < 0)
		goto fail;
	if (net_bind_wildcard(fd, family, 0) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	return net_fail(err, e, "cannot prepare a socket for group %s", gname);
}
