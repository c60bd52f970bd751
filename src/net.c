/*
 * flom: addresses and sockets (UNIX, TCP, UDP multicast).
 *
 * Every descriptor is created close-on-exec (SOCK_CLOEXEC) so the command
 * flom runs never inherits a daemon's or a client's socket. Errors carry the
 * failing errno as their code in NET_ERROR, and errno is left set, so callers
 * can tell "no daemon there" (ENOENT, ECONNREFUSED) from real failures.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "net.h"
#include "flom.h"
#include "trace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

GQuark net_error_quark(void)
{
	return g_quark_from_static_string("flom-net-error-quark");
}

/* Set err from errno e (left in errno for the caller) with a formatted
 * context; returns -1 so that failure paths read "return net_fail(...)". */
static int net_fail(GError **err, int e, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int net_fail(GError **err, int e, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *what = NULL;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, NET_ERROR, e, "%s: %s", what, g_strerror(e));
	errno = e;
	return -1;
}

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
static gboolean net_addr_lacks_scope(const net_addr *a)
{
	const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->ss;

	return a->ss.ss_family == AF_INET6 && s->sin6_scope_id == 0 &&
	       IN6_IS_ADDR_LINKLOCAL(&s->sin6_addr);
}

static void net_addr_wildcard(net_addr *a, int family, int port)
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
		if (a.ss.ss_family == AF_INET6 && ifindex) {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a.ss;

			if (s->sin6_scope_id == 0 && net_in6_needs_scope(&s->sin6_addr))
				s->sin6_scope_id = ifindex;
		}
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

/* ---- descriptors ---- */

int net_wait_readable(int fd, gint64 deadline_us)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int wait_ms = -1, rc;

		if (deadline_us >= 0) {
			gint64 left = deadline_us - g_get_monotonic_time();

			if (left <= 0)
				return 0;
			wait_ms = (int)MIN((left + 999) / 1000, G_MAXINT);
		}
		rc = poll(&p, 1, wait_ms);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

int net_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

static int net_set_block(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ? -1 : 0;
}

int net_set_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0 ? -1 : 0;
}

static int net_setopt_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

static void net_close_keep_errno(int fd)
{
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
}

/* ---- UNIX sockets ---- */

static int net_unix_addr(const char *path, struct sockaddr_un *sun, GError **err)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (!path || !*path || strlen(path) >= sizeof(sun->sun_path)) {
		g_set_error(err, NET_ERROR, ENAMETOOLONG,
			    "socket name '%s' is empty or longer than %zu bytes", path ? path : "",
			    sizeof(sun->sun_path) - 1);
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path));
	return 0;
}

int net_unix_connect(const char *path, GError **err)
{
	struct sockaddr_un sun;
	int fd;

	if (net_unix_addr(path, &sun, err) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		net_fail(err, errno, "socket(AF_UNIX)");
		return -1;
	}
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		close(fd);
		net_fail(err, e, "cannot connect to %s", path);
		return -1;
	}
	return fd;
}

/* A socket file nobody listens on is left by a daemon that died; anything
 * else at that path is not ours to remove. */
static int net_unix_remove_stale(const char *path, const struct sockaddr_un *sun, GError **err)
{
	struct stat st;
	int fd, rc, e;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : net_fail(err, errno, "cannot inspect %s", path);
	if (!S_ISSOCK(st.st_mode)) {
		g_set_error(err, NET_ERROR, EEXIST, "%s exists and is not a socket", path);
		errno = EEXIST;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return net_fail(err, errno, "socket(AF_UNIX)");
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	e = errno;
	close(fd);
	if (rc == 0) {
		g_set_error(err, NET_ERROR, EADDRINUSE, "a daemon already listens on %s", path);
		errno = EADDRINUSE;
		return -1;
	}
	if (e != ECONNREFUSED)
		return net_fail(err, e, "cannot probe %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return net_fail(err, errno, "cannot remove stale socket %s", path);
	TRACE(TRACE_NET, "removed stale socket %s", path);
	return 0;
}

int net_unix_listen(const char *path, mode_t mode, GError **err)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, rc, e;

	if (net_unix_addr(path, &sun, err) < 0)
		return -1;
	if (net_unix_remove_stale(path, &sun, err) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return net_fail(err, errno, "socket(AF_UNIX)");
	/* The umask makes the file never more open than mode, even for the
	 * instant between bind and chmod. */
	old = umask(0777 & ~mode);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	umask(old);
	if (rc < 0) {
		close(fd);
		return net_fail(err, e, "cannot bind %s", path);
	}
	if (chmod(path, mode) < 0 || listen(fd, FLOM_LISTEN_BACKLOG) < 0) {
		e = errno;
		close(fd);
		unlink(path);
		return net_fail(err, e, "cannot listen on %s", path);
	}
	return fd;
}

/* ---- TCP ---- */

/* Wait for a non-blocking connect; 0 or -1 with errno. */
static int net_connect_wait(int fd, int timeout_ms)
{
	gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int soerr = 0;

	for (;;) {
		int wait_ms = -1, rc;

		if (deadline >= 0) {
			gint64 left = deadline - g_get_monotonic_time();

			wait_ms = left <= 0 ? 0 : (int)((left + 999) / 1000);
		}
		rc = poll(&p, 1, wait_ms);
		if (rc > 0)
			break;
		if (rc == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -1;
	if (soerr) {
		errno = soerr;
		return -1;
	}
	return 0;
}

/* A connect to a port in the ephemeral range of this very host can connect
 * the socket to itself (TCP simultaneous open): that is no daemon. */
static gboolean net_is_self_connect(int fd)
{
	net_addr l, r;

	memset(&l, 0, sizeof(l));
	memset(&r, 0, sizeof(r));
	l.len = r.len = sizeof(l.ss);
	if (getsockname(fd, (struct sockaddr *)&l.ss, &l.len) < 0 ||
	    getpeername(fd, (struct sockaddr *)&r.ss, &r.len) < 0)
		return FALSE;
	return net_addr_equal(&l, &r);
}

/* A non-blocking TCP socket for a; a link-local address without its
 * interface is refused first, with what to do about it. */
static int net_tcp_socket(const net_addr *a, const char *what, const char *name, GError **err)
{
	int fd;

	if (net_addr_lacks_scope(a)) {
		g_set_error(err, NET_ERROR, EINVAL,
			    "cannot %s %s: a link-local address needs an interface (-n IFACE)",
			    what, name);
		errno = EINVAL;
		return -1;
	}
	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
	if (fd < 0)
		return net_fail(err, errno, "socket() for %s", name);
	return fd;
}

int net_tcp_connect_addr(const net_addr *a, int timeout_ms, GError **err)
{
	g_autofree char *name = net_addr_to_string(a);
	int fd = net_tcp_socket(a, "connect to", name, err), e;

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		if ((errno != EINPROGRESS && errno != EINTR) || net_connect_wait(fd, timeout_ms) < 0)
			goto fail;
	}
	if (net_is_self_connect(fd)) {
		errno = ECONNREFUSED;
		goto fail;
	}
	if (net_set_block(fd) < 0 || net_setopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1) < 0)
		goto fail;
	TRACE(TRACE_NET, "connected to %s (fd %d)", name, fd);
	return fd;
fail:
	e = errno;
	close(fd);
	net_fail(err, e, "cannot connect to %s", name);
	return -1;
}

int net_tcp_connect(const char *host, int port, unsigned ifindex, int timeout_ms, GError **err)
{
	g_autoptr(GArray) addrs = net_resolve(host, port, SOCK_STREAM, FALSE, ifindex, err);
	GError *last = NULL;
	int fd = -1;

	if (!addrs)
		return -1;
	/* Every result in order: a name may have an address that does not
	 * answer before one that does. */
	for (guint i = 0; i < addrs->len && fd < 0; i++) {
		g_clear_error(&last);
		fd = net_tcp_connect_addr(&g_array_index(addrs, net_addr, i), timeout_ms, &last);
	}
	if (fd < 0) {
		int e = last ? last->code : ECONNREFUSED;

		g_propagate_error(err, last);
		errno = e;
		return -1;
	}
	g_clear_error(&last);
	return fd;
}

static int net_tcp_listen_addr(const net_addr *a, gboolean wildcard, net_addr *bound, GError **err)
{
	g_autofree char *name = net_addr_to_string(a);
	int fd = net_tcp_socket(a, "listen on", name, err), e;

	if (fd < 0)
		return -1;
	if (net_setopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		goto fail;
	/* The IPv6 wildcard serves IPv4 clients too (dynamic mode). */
	if (wildcard && a->ss.ss_family == AF_INET6)
		(void)net_setopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		e = errno;
		close(fd);
		if (e == EADDRNOTAVAIL) {
			g_autofree char *ip = net_addr_ip_string(a);

			g_set_error(err, NET_ERROR, e,
				    "cannot listen on %s: %s is not an address of this host", name, ip);
			errno = e;
			return -1;
		}
		return net_fail(err, e, "cannot bind %s", name);
	}
	if (listen(fd, FLOM_LISTEN_BACKLOG) < 0)
		goto fail;
	if (bound) {
		memset(bound, 0, sizeof(*bound));
		bound->len = sizeof(bound->ss);
		if (getsockname(fd, (struct sockaddr *)&bound->ss, &bound->len) < 0)
			goto fail;
	}
	TRACE(TRACE_NET, "listening on %s (fd %d)", name, fd);
	return fd;
fail:
	e = errno;
	close(fd);
	return net_fail(err, e, "cannot listen on %s", name);
}

int net_tcp_listen(const char *host, int port, int family, unsigned ifindex,
		   net_addr *bound, GError **err)
{
	g_autoptr(GArray) addrs = NULL;
	GError *last = NULL;
	int fd = -1;

	if (!host || !*host) {
		net_addr any;

		net_addr_wildcard(&any, family == AF_INET ? AF_INET : AF_INET6, port);
		return net_tcp_listen_addr(&any, TRUE, bound, err);
	}
	addrs = net_resolve(host, port, SOCK_STREAM, TRUE, ifindex, err);
	if (!addrs)
		return -1;
	for (guint i = 0; i < addrs->len && fd < 0; i++) {
		const net_addr *a = &g_array_index(addrs, net_addr, i);

		if (family != AF_UNSPEC && a->ss.ss_family != family)
			continue;
		g_clear_error(&last);
		fd = net_tcp_listen_addr(a, FALSE, bound, &last);
	}
	if (fd < 0) {
		if (!last)
			g_set_error(&last, NET_ERROR, EAFNOSUPPORT,
				    "'%s' has no address of the requested family", host);
		errno = last->code;
		g_propagate_error(err, last);
		return -1;
	}
	return fd;
}

int net_tcp_keepalive(int fd, int idle_s, int intvl_s, int probes)
{
	/* The same options exist for IPv4 and IPv6 sockets (the original
	 * only set them on IPv4, so IPv6 peers were never probed). */
	if (net_setopt_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1) < 0)
		return -1;
	if (idle_s > 0 && net_setopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle_s) < 0)
		return -1;
	if (intvl_s > 0 && net_setopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, intvl_s) < 0)
		return -1;
	if (probes > 0 && net_setopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT, probes) < 0)
		return -1;
	return 0;
}

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
		if (a.ss.ss_family == AF_INET6 && ifindex) {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a.ss;

			if (s->sin6_scope_id == 0 && net_in6_needs_scope(&s->sin6_addr))
				s->sin6_scope_id = ifindex;
		}
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

	if (ttl < 0 || ttl > 255) {
		g_set_error(err, NET_ERROR, EINVAL, "multicast hop limit %d is out of range (0..255)",
			    ttl);
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
