/* flom: the user at the other end of a TCP connection from this host. */
#include "config.h"
#include "peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* One endpoint as the kernel's tables hold it: family, 16 address bytes
 * (IPv4 in the first 4), port. An IPv4-mapped IPv6 address is IPv4: the
 * client's socket is an IPv4 one even when our listener is IPv6. */
typedef struct {
	int family;
	guint8 addr[16];
	guint16 port;
} peer_end;

static void peer_end_of(const net_addr *a, peer_end *e)
{
	memset(e, 0, sizeof(*e));
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&a->ss;

		e->family = AF_INET;
		memcpy(e->addr, &s->sin_addr, 4);
		e->port = ntohs(s->sin_port);
	} else if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->ss;

		e->port = ntohs(s->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr)) {
			e->family = AF_INET;
			memcpy(e->addr, &s->sin6_addr.s6_addr[12], 4);
		} else {
			e->family = AF_INET6;
			memcpy(e->addr, &s->sin6_addr, 16);
		}
	}
}

static gboolean peer_same_ip(const peer_end *a, const peer_end *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

gboolean peer_is_local_host(const net_addr *a)
{
	struct ifaddrs *list = NULL;
	gboolean found = FALSE;
	peer_end want;

	if (net_addr_is_loopback(a))
		return TRUE;
	peer_end_of(a, &want);
	if (want.family == 0 || getifaddrs(&list) < 0)
		return FALSE;
	for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
		net_addr mine = { .len = sizeof(mine.ss) };
		peer_end e;

		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
				     i->ifa_addr->sa_family != AF_INET6))
			continue;
		memcpy(&mine.ss, i->ifa_addr, i->ifa_addr->sa_family == AF_INET
		       ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		peer_end_of(&mine, &e);
		found = peer_same_ip(&e, &want);
	}
	freeifaddrs(list);
	return found;
}

/* ---- NETLINK_SOCK_DIAG: one exact lookup by the 4-tuple ---- */

static int peer_diag_ask(int fd, const peer_end *src, const peer_end *dst)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST;
	msg.req.sdiag_family = (guint8)src->family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = ~0U;
	/* The socket we look for is the client's: its source is the peer. */
	msg.req.id.idiag_sport = htons(src->port);
	msg.req.id.idiag_dport = htons(dst->port);
	memcpy(msg.req.id.idiag_src, src->addr, sizeof(msg.req.id.idiag_src));
	memcpy(msg.req.id.idiag_dst, dst->addr, sizeof(msg.req.id.idiag_dst));
	msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	return sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0
	       ? -1 : 0;
}

static int peer_diag_uid(const peer_end *src, const peer_end *dst, uid_t *uid)
{
	union {
		struct nlmsghdr nlh;
		char buf[1024];
	} in;
	struct timeval tv = { 1, 0 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	ssize_t n;
	int rc = -1;

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (peer_diag_ask(fd, src, dst) < 0)
		goto out;
	n = recv(fd, in.buf, sizeof(in.buf), 0);
	if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct inet_diag_msg)) &&
	    NLMSG_OK(&in.nlh, (size_t)n) && in.nlh.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
		const struct inet_diag_msg *m = NLMSG_DATA(&in.nlh);

		*uid = m->idiag_uid;
		rc = 0;
	}
out:
	close(fd);
	return rc;
}

/* ---- /proc/net/tcp{,6}: the same lookup by reading the table ---- */

/* "0100007F:1F40" as the table prints an endpoint (addresses in the
 * kernel's byte order, printed word by word). */
static void peer_proc_format(const peer_end *e, char *out, size_t size)
{
	GString *s = g_string_sized_new(48);
	int words = e->family == AF_INET ? 1 : 4;

	for (int w = 0; w < words; w++) {
		guint32 v;

		memcpy(&v, e->addr + 4 * w, 4);
		g_string_append_printf(s, "%08X", v);
	}
	g_string_append_printf(s, ":%04X", e->port);
	g_strlcpy(out, s->str, size);
	g_string_free(s, TRUE);
}

static int peer_proc_uid(const peer_end *src, const peer_end *dst, uid_t *uid)
{
	const char *table = src->family == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6";
	char want_local[64], want_remote[64], line[512];
	FILE *f = fopen(table, "re");
	int rc = -1;

	if (!f)
		return -1;
	peer_proc_format(src, want_local, sizeof(want_local));
	peer_proc_format(dst, want_remote, sizeof(want_remote));
	while (rc < 0 && fgets(line, sizeof(line), f)) {
		char local[64], remote[64];
		unsigned u;

		if (sscanf(line, " %*d: %63s %63s %*x %*x:%*x %*x:%*x %*x %u", local, remote, &u) == 3 &&
		    strcmp(local, want_local) == 0 && strcmp(remote, want_remote) == 0) {
			*uid = (uid_t)u;
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

int peer_tcp_uid(const net_addr *peer, const net_addr *local, uid_t *uid)
{
	peer_end src, dst;

	peer_end_of(peer, &src);
	peer_end_of(local, &dst);
	if (src.family == 0 || src.family != dst.family)
		return -1;
	if (peer_diag_uid(&src, &dst, uid) == 0)
		return 0;
	return peer_proc_uid(&src, &dst, uid);
}
