/*
 * flom: addresses and sockets. Every socket returned is close-on-exec;
 * listening and daemon-side sockets are non-blocking.
 */
#ifndef FLOM_NET_H
#define FLOM_NET_H

#include <sys/socket.h>
#include <sys/types.h>
#include <glib.h>

typedef struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
} net_addr;

/* "1.2.3.4:28015", "[fe80::1%eth0]:28015", "/tmp/sock" (g_free). */
char *net_addr_to_string(const net_addr *a);
/* Only the IP text, with "%iface" for a scoped IPv6 address (g_free). */
char *net_addr_ip_string(const net_addr *a);
int net_addr_port(const net_addr *a);
void net_addr_set_port(net_addr *a, int port);
gboolean net_addr_equal(const net_addr *a, const net_addr *b);
/* Whether the address is loopback (127/8, ::1, ::ffff:127.x). */
gboolean net_addr_is_loopback(const net_addr *a);

/* Copy an IPv4 or IPv6 getaddrinfo result into *out; FALSE for others. */
struct addrinfo;
gboolean net_addr_from_ai(const struct addrinfo *ai, net_addr *out);

/* Give a scoped IPv6 address (link-local, or a link- or node-local group)
 * that has no scope id the interface ifindex; others are left as they are. */
void net_addr_apply_scope(net_addr *a, unsigned ifindex);

/* if_nametoindex, 0 when unknown. */
unsigned net_ifindex(const char *ifname);

/*
 * getaddrinfo wrapper: all results for host:port (host NULL = wildcard with
 * passive). ifindex != 0 forces IPv6 and sets the scope id of link-local
 * results; "fe80::1%eth0" is accepted too. GArray of net_addr (g_array_unref).
 */
GArray *net_resolve(const char *host, int port, int socktype, gboolean passive,
		    unsigned ifindex, GError **err);

/* Wait until fd is readable or deadline_us (g_get_monotonic_time(); <0: no
 * deadline) passes: 1 readable, 0 deadline reached, -1 error (errno). */
int net_wait_readable(int fd, gint64 deadline_us);
/* The same for any poll events (POLLIN, POLLOUT). */
int net_wait(int fd, short events, gint64 deadline_us);

/* UNIX stream sockets. connect: -1 with errno kept (ENOENT, ECONNREFUSED tell
 * "no daemon"). listen: removes a stale socket file, binds with mode. */
int net_unix_connect(const char *path, GError **err);
int net_unix_listen(const char *path, mode_t mode, GError **err);

/* TCP. connect tries every result of host in order; TCP_NODELAY set.
 * timeout_ms < 0: the kernel's. */
int net_tcp_connect(const char *host, int port, unsigned ifindex, int timeout_ms, GError **err);
int net_tcp_connect_addr(const net_addr *a, int timeout_ms, GError **err);
/* Listen on host:port (host NULL: wildcard of family, port 0: ephemeral);
 * the bound address is stored in *bound when not NULL. A host this machine
 * does not have fails with a message naming the address. */
int net_tcp_listen(const char *host, int port, int family, unsigned ifindex,
		   net_addr *bound, GError **err);
/* SO_KEEPALIVE with TCP_KEEPIDLE/INTVL/CNT, on IPv4 and IPv6 alike. */
int net_tcp_keepalive(int fd, int idle_s, int intvl_s, int probes);
/* TCP_USER_TIMEOUT: unacknowledged data, or keepalive probes, abort the
 * connection once ms passed without a segment from the peer. */
int net_tcp_user_timeout(int fd, gint64 ms);
/* How long (ms) since the peer last acknowledged anything on TCP socket
 * fd (answers to our keepalive probes count), or -1. */
gint64 net_tcp_silent_ms(int fd);

/* Multicast (UDP).
 * net_mcast_group: parse and check a group address (224.0.0.0/4, ff00::/8)
 * and port into *group. */
int net_mcast_group(const char *group, int port, unsigned ifindex, net_addr *out, GError **err);
/* A socket bound to wildcard:port of the group's family (SO_REUSEADDR),
 * joined to the group on ifindex, or on every multicast-capable interface
 * when ifindex is 0. Non-blocking. */
int net_mcast_listen(const net_addr *group, unsigned ifindex, GError **err);
/* A socket to send to the group: bound to wildcard:0, hop limit / TTL set,
 * outgoing interface ifindex when not 0, loopback on. */
int net_mcast_sender(const net_addr *group, unsigned ifindex, int ttl, GError **err);

/* ---- added by the net module (new declarations only) ---- */

/* GError domain of this module: the code is the errno value that failed
 * (ECONNREFUSED / ENOENT: nobody listens; ETIMEDOUT: no discovery reply). */
#define NET_ERROR (net_error_quark())
GQuark net_error_quark(void);


/* 224.0.0.0/4 or ff00::/8; node-local: ff01::/16 (never leaves the host). */
gboolean net_addr_is_multicast(const net_addr *a);
gboolean net_addr_is_node_local(const net_addr *a);

/* net_mcast_group for one family (AF_UNSPEC: any). Codes: EAFNOSUPPORT when
 * the name has addresses of the other family only, EINVAL when it is no
 * group, EADDRNOTAVAIL when it does not resolve. */
int net_mcast_group_family(const char *group, int port, int family, unsigned ifindex,
			   net_addr *out, GError **err);

/* "addrlen=28; IPv6 address, sin6_port=28015, ..., sin6_scope_id=2 (eth0)",
 * the seeds' way of showing an address in a trace (g_free). */
char *net_addr_describe(const struct sockaddr *sa, socklen_t len);
/* Name of interface ifindex, or its number when it has none (g_free). */
char *net_ifname(unsigned ifindex);

/*
 * Steps of a multicast socket setup (resolve, socket, options, bind, joins),
 * for the multicast debugger's trace: each step is a line of text given to
 * the hook when one is set, else traced under TRACE_NET. NULL removes it.
 */
typedef void (*net_step_hook)(gpointer data, const char *step);
void net_set_step_hook(net_step_hook hook, gpointer data);

#endif
