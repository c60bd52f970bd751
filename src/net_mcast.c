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

/* ---- multicast ---- */

int net_mcast_group(const char *group, int port, unsigned ifindex, net_addr *out, GError **err)
{
	struct addrinfo hints, *res = NULL;
	int rc;

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
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(group, NULL, &hints, &res);
	if (rc != 0) {
		g_set_error(err, NET_ERROR, EADDRNOTAVAIL, "cannot resolve multicast group '%s': %s",
			    group, rc == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(rc));
		errno = EADDRNOTAVAIL;
		return -1;
	}
	rc = -1;
	for (struct addrinfo *p = res; p; p = p->ai_next) {
		net_addr a;

		if (!net_addr_from_ai(p, &a) || !net_addr_is_multicast(&a))
			continue;
		net_addr_set_port(&a, port);
		net_addr_apply_scope(&a, ifindex);
		*out = a;
		rc = 0;
		break;
	}
	freeaddrinfo(res);
	if (rc < 0) {
		g_set_error(err, NET_ERROR, EINVAL,
			    "'%s' is not a multicast group (224.0.0.0/4 or ff00::/8)", group);
		errno = EINVAL;
	}
	return rc;
}

GArray *net_mcast_ifindexes(void)
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

int net_mcast_join(int fd, const net_addr *group, unsigned ifindex)
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

int net_mcast_set_interface(int fd, int family, unsigned ifindex)
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

/* Join on ifindex, or on every up multicast interface; 0 when at least one
 * join worked. */
static int net_mcast_join_all(int fd, const net_addr *group, unsigned ifindex, GError **err)
{
	g_autofree char *gname = net_addr_ip_string(group);
	g_autoptr(GArray) idx = NULL;
	guint joined = 0;
	int e = ENODEV;

	if (ifindex) {
		if (net_mcast_join(fd, group, ifindex) == 0)
			return 0;
		return net_fail(err, errno, "cannot join group %s on interface %u", gname, ifindex);
	}
	idx = net_mcast_ifindexes();
	for (guint i = 0; i < idx->len; i++) {
		unsigned n = g_array_index(idx, unsigned, i);

		if (net_mcast_join(fd, group, n) == 0) {
			joined++;
			TRACE(TRACE_NET, "joined %s on interface %u", gname, n);
		} else {
			e = errno;
			TRACE(TRACE_NET, "cannot join %s on interface %u: %s", gname, n,
			      g_strerror(e));
		}
	}
	/* No usable interface listed: let the kernel pick one by its routes. */
	if (joined == 0 && net_mcast_join(fd, group, 0) == 0)
		joined++;
	else if (joined == 0)
		e = errno;
	if (joined == 0)
		return net_fail(err, e, "cannot join group %s on any interface", gname);
	return 0;
}

int net_mcast_listen(const net_addr *group, unsigned ifindex, GError **err)
{
	int family = group->ss.ss_family;
	g_autofree char *gname = net_addr_to_string(group);
	net_addr any;
	int fd, e;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	if (fd < 0)
		return net_fail(err, errno, "socket() for group %s", gname);
	/* Several daemons (and the debug server) may listen on one host. */
	if (net_setopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		goto fail;
	if (family == AF_INET6 && net_setopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0)
		goto fail;
	net_mcast_only_joined(fd, family);
	net_addr_wildcard(&any, family, net_addr_port(group));
	if (bind(fd, (struct sockaddr *)&any.ss, any.len) < 0)
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

int net_mcast_sender(const net_addr *group, unsigned ifindex, int ttl, GError **err)
{
	int family = group->ss.ss_family;
	g_autofree char *gname = net_addr_to_string(group);
	net_addr any;
	int fd, e;

	if (ttl < 0 || ttl > FLOM_MULTICAST_TTL_MAX) {
		g_set_error(err, NET_ERROR, EINVAL, "multicast hop limit %d is out of range (0..%d)",
			    ttl, FLOM_MULTICAST_TTL_MAX);
		errno = EINVAL;
		return -1;
	}
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return net_fail(err, errno, "socket() for group %s", gname);
	if (family == AF_INET) {
		if (net_setopt_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl) < 0 ||
		    net_setopt_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 1) < 0)
			goto fail;
	} else {
		if (net_setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl) < 0 ||
		    net_setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1) < 0)
			goto fail;
	}
	if (ifindex && net_mcast_set_interface(fd, family, ifindex) < 0)
		goto fail;
	net_addr_wildcard(&any, family, 0);
	if (bind(fd, (struct sockaddr *)&any.ss, any.len) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	return net_fail(err, e, "cannot prepare a socket for group %s", gname);
}
