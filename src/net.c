/*
 * flom: sockets: descriptors, UNIX and TCP (addresses: net_addr.c;
 * multicast: net_mcast.c).
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
#include "net_private.h"
#include "flom.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

GQuark net_error_quark(void)
{
	return g_quark_from_static_string("flom-net-error-quark");
}

int net_fail(GError **err, int e, const char *fmt, ...)
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

/* ---- steps ---- */

static net_step_hook net_hook;
static gpointer net_hook_data;

void net_set_step_hook(net_step_hook hook, gpointer data)
{
	net_hook = hook;
	net_hook_data = data;
}

gboolean net_stepping(void)
{
	return net_hook != NULL || TRACE_ON(TRACE_NET);
}

void net_step(const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	if (!net_stepping())
		return;
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (net_hook)
		net_hook(net_hook_data, text);
	else
		TRACE(TRACE_NET, "%s", text);
}

int net_setopt_step(int fd, int level, int name, const char *optname, int value)
{
	net_step("setting %s to value %d", optname, value);
	return net_setopt_int(fd, level, name, value);
}

/* ---- descriptors ---- */

int net_wait_readable(int fd, gint64 deadline_us)
{
	return net_wait(fd, POLLIN, deadline_us);
}

int net_wait(int fd, short events, gint64 deadline_us)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
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

static int net_set_block(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ? -1 : 0;
}

int net_setopt_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

void net_close_keep_errno(int fd)
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
	/* Another user's socket is never ours to remove, stale or not. */
	if (st.st_uid != geteuid()) {
		g_set_error(err, NET_ERROR, EPERM,
			    "%s is another user's socket (uid %u): left alone", path,
			    (unsigned)st.st_uid);
		errno = EPERM;
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
	/* bind() creates the file with exactly mode through the umask: no
	 * chmod through the path afterwards (it could follow a link). */
	old = umask(0777 & ~mode);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	umask(old);
	if (rc < 0) {
		close(fd);
		return net_fail(err, e, "cannot bind %s", path);
	}
	if (listen(fd, FLOM_LISTEN_BACKLOG) < 0) {
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

int net_tcp_user_timeout(int fd, gint64 ms)
{
	return net_setopt_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, (int)CLAMP(ms, 0, G_MAXINT));
}

gint64 net_tcp_silent_ms(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	return ti.tcpi_last_ack_recv;
}
