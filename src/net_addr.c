/*
 * flom: addresses: printing, comparing, classifying and resolving them.
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
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

/* ---- addresses ---- */

static gboolean net_in6_needs_scope(const struct in6_addr *a)
{
	return IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MC_LINKLOCAL(a) ||
	       IN6_IS_ADDR_MC_NODELOCAL(a);
}

static void net_scope_name(unsigned scope, char *out, size_t size)
{
	char name[IF_NAMESIZE];

	if (if_indextoname(scope, name))
		g_strlcpy(out, name, size);
	else
		g_snprintf(out, size, "%u", scope);
}

char *net_ifname(unsigned ifindex)
{
	char name[IF_NAMESIZE + 16];

	net_scope_name(ifindex, name, sizeof(name));
	return g_strdup(name);
}

char *net_addr_describe(const struct sockaddr *sa, socklen_t len)
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

char *net_addr_ip_string(const net_addr *a)
{
	char ip[INET6_ADDRSTRLEN];
	char scope[IF_NAMESIZE + 16];

	switch (a->ss.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&a->ss;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		return g_strdup(ip);
	}
	case AF_INET6: {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->ss;

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		if (s->sin6_scope_id == 0)
			return g_strdup(ip);
		net_scope_name(s->sin6_scope_id, scope, sizeof(scope));
		return g_strdup_printf("%s%%%s", ip, scope);
	}
	case AF_UNIX: {
		const struct sockaddr_un *s = (const struct sockaddr_un *)&a->ss;

		return g_strndup(s->sun_path, sizeof(s->sun_path));
	}
	default:
		return g_strdup_printf("(address family %d)", a->ss.ss_family);
	}
}

char *net_addr_to_string(const net_addr *a)
{
	g_autofree char *ip = net_addr_ip_string(a);

	switch (a->ss.ss_family) {
	case AF_INET:
		return g_strdup_printf("%s:%d", ip, net_addr_port(a));
	case AF_INET6:
		return g_strdup_printf("[%s]:%d", ip, net_addr_port(a));
	default:
		return g_steal_pointer(&ip);
	}
}

int net_addr_port(const net_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return -1;
}

void net_addr_set_port(net_addr *a, int port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
	else if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
}

gboolean net_addr_equal(const net_addr *a, const net_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return FALSE;
	switch (a->ss.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *x = (const struct sockaddr_in *)&a->ss;
		const struct sockaddr_in *y = (const struct sockaddr_in *)&b->ss;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->ss;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->ss;

		return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
		       IN6_ARE_ADDR_EQUAL(&x->sin6_addr, &y->sin6_addr);
	}
	case AF_UNIX: {
		const struct sockaddr_un *x = (const struct sockaddr_un *)&a->ss;
		const struct sockaddr_un *y = (const struct sockaddr_un *)&b->ss;

		return strncmp(x->sun_path, y->sun_path, sizeof(x->sun_path)) == 0;
	}
	default:
		return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
	}
}

gboolean net_addr_is_loopback(const net_addr *a)
{
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&a->ss;

		return (ntohl(s->sin_addr.s_addr) >> 24) == 127;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->ss;

		if (IN6_IS_ADDR_LOOPBACK(&s->sin6_addr))
			return TRUE;
		return IN6_IS_ADDR_V4MAPPED(&s->sin6_addr) && s->sin6_addr.s6_addr[12] == 127;
	}
	return FALSE;
}

gboolean net_addr_is_multicast(const net_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return IN_MULTICAST(ntohl(((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr));
	if (a->ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return FALSE;
}

gboolean net_addr_is_node_local(const net_addr *a)
{
	return a->ss.ss_family == AF_INET6 &&
	       IN6_IS_ADDR_MC_NODELOCAL(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

unsigned net_ifindex(const char *ifname)
{
	if (!ifname || !*ifname)
		return 0;
	return if_nametoindex(ifname);
}

/* A scoped IPv6 address (link-local, or a link/node-local group) without a
 * scope id cannot be used: the kernel would not know the interface. */
gboolean net_addr_lacks_scope(const net_addr *a)
{
	const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->ss;

	return a->ss.ss_family == AF_INET6 && s->sin6_scope_id == 0 &&
	       IN6_IS_ADDR_LINKLOCAL(&s->sin6_addr);
}

void net_addr_wildcard(net_addr *a, int family, int port)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&a->ss;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_ANY);
		a->len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a->ss;

		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_any;
		a->len = sizeof(*s);
	}
	net_addr_set_port(a, port);
}

void net_addr_apply_scope(net_addr *a, unsigned ifindex)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a->ss;

	if (a->ss.ss_family == AF_INET6 && ifindex && s->sin6_scope_id == 0 &&
	    net_in6_needs_scope(&s->sin6_addr))
		s->sin6_scope_id = ifindex;
}

gboolean net_addr_from_ai(const struct addrinfo *ai, net_addr *out)
{
	if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
	    ai->ai_addrlen > sizeof(out->ss))
		return FALSE;
	memset(out, 0, sizeof(*out));
	memcpy(&out->ss, ai->ai_addr, ai->ai_addrlen);
	out->len = ai->ai_addrlen;
	return TRUE;
}

GArray *net_resolve(const char *host, int port, int socktype, gboolean passive,
		    unsigned ifindex, GError **err)
{
	struct addrinfo hints, *res = NULL;
	char service[16];
	GArray *out;
	int rc;

	if (port < 0 || port > 65535) {
		g_set_error(err, NET_ERROR, EINVAL, "port %d is out of range (0..65535)", port);
		return NULL;
	}
	memset(&hints, 0, sizeof(hints));
	/* An interface only makes sense for IPv6 scopes, as in the original;
	 * AI_V4MAPPED keeps IPv4 literals and names usable with -n. */
	hints.ai_family = ifindex ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0) | (ifindex ? AI_V4MAPPED : 0);
	g_snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		int e = rc == EAI_SYSTEM ? errno : EADDRNOTAVAIL;

		g_set_error(err, NET_ERROR, e, "cannot resolve '%s': %s", host ? host : "*",
			    rc == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(rc));
		errno = e;
		return NULL;
	}
	out = g_array_new(FALSE, TRUE, sizeof(net_addr));
	for (struct addrinfo *p = res; p && out->len < FLOM_RESOLVE_RESULTS_MAX; p = p->ai_next) {
		net_addr a;

		if (!net_addr_from_ai(p, &a))
			continue;
		net_addr_apply_scope(&a, ifindex);
		g_array_append_val(out, a);
	}
	freeaddrinfo(res);
	if (out->len == 0) {
		g_array_unref(out);
		g_set_error(err, NET_ERROR, EADDRNOTAVAIL, "'%s' has no IPv4 or IPv6 address",
			    host ? host : "*");
		errno = EADDRNOTAVAIL;
		return NULL;
	}
	return out;
}
