/* flom_send's UDP modes: datagrams to a port or group (-u), and a host that
 * answers whatever arrives on a group (-a). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flom_send.h"

static void udp_multicast_setup(int fd, const struct addrinfo *ai, const char *iface)
{
	unsigned idx = 0;
	int one = 1, ttl = 1;

	if (iface) {
		idx = if_nametoindex(iface);
		if (!idx)
			die(EXIT_USAGE, "%s: no such interface", iface);
	}
	if (ai->ai_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ai->ai_addr;

		if (!IN_MULTICAST(ntohl(sin->sin_addr.s_addr)))
			return;
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof one);
		if (idx) {
			struct ip_mreqn mr;

			memset(&mr, 0, sizeof mr);
			mr.imr_ifindex = (int)idx;
			if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) < 0)
				die(EXIT_IO, "IP_MULTICAST_IF: %s", strerror(errno));
		}
	} else if (ai->ai_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ai->ai_addr;

		if (!IN6_IS_ADDR_MULTICAST(&s6->sin6_addr))
			return;
		setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl);
		setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof one);
		if (idx && setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof idx) < 0)
			die(EXIT_IO, "IPV6_MULTICAST_IF: %s", strerror(errno));
	}
}

int run_udp(const options *o)
{
	struct addrinfo *res = resolve(o->target, SOCK_DGRAM);
	struct pollfd p;
	long deadline;
	int replies = 0, fd;

	if (o->len > SEND_DATAGRAM_MAX)
		die(EXIT_USAGE, "a datagram holds at most %d bytes", SEND_DATAGRAM_MAX);
	fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(EXIT_IO, "socket: %s", strerror(errno));
	udp_multicast_setup(fd, res, o->iface);
	for (long i = 0; i < o->repeat; i++) {
		if (i > 0 && o->drip_ms > 0)
			poll(NULL, 0, (int)o->drip_ms);
		if (sendto(fd, o->payload ? (const void *)o->payload : "", o->len, 0,
			   res->ai_addr, res->ai_addrlen) < 0)
			die(EXIT_IO, "sendto %s: %s", o->target, strerror(errno));
		if (o->verbose && o->drip_ms > 0)
			fprintf(stderr, "flom_send: sent %ld\n", i + 1);
	}
	freeaddrinfo(res);
	p.fd = fd;
	p.events = POLLIN;
	deadline = now_ms() + o->timeout_ms;
	for (;;) {
		char buf[SEND_DATAGRAM_MAX + 1];
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n < 0)
			continue; /* ICMP port unreachable and the like */
		replies++;
		if (!o->quiet) {
			fwrite(buf, 1, (size_t)n, stdout);
			fputc('\n', stdout);
			fflush(stdout);
		}
	}
	close(fd);
	if (o->verbose)
		fprintf(stderr, "flom_send: %d repl%s\n", replies, replies == 1 ? "y" : "ies");
	return replies ? EXIT_CLOSED : EXIT_OPEN;
}

/* Bind the wildcard of TARGET's family on its port and join its group. */
static int answer_socket(const struct addrinfo *ai, unsigned idx)
{
	struct sockaddr_storage any;
	int one = 1, fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die(EXIT_IO, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&any, 0, sizeof any);
	memcpy(&any, ai->ai_addr, ai->ai_addrlen);
	if (ai->ai_family == AF_INET6) {
		struct ipv6_mreq mr = { .ipv6mr_interface = idx };

		mr.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&any)->sin6_addr;
		((struct sockaddr_in6 *)&any)->sin6_addr = in6addr_any;
		((struct sockaddr_in6 *)&any)->sin6_scope_id = 0;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof mr) < 0)
			die(EXIT_IO, "IPV6_JOIN_GROUP: %s", strerror(errno));
	} else {
		struct ip_mreqn mr = { .imr_ifindex = (int)idx };

		mr.imr_multiaddr = ((struct sockaddr_in *)&any)->sin_addr;
		((struct sockaddr_in *)&any)->sin_addr.s_addr = htonl(INADDR_ANY);
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
			die(EXIT_IO, "IP_ADD_MEMBERSHIP: %s", strerror(errno));
	}
	if (bind(fd, (struct sockaddr *)&any, ai->ai_addrlen) < 0)
		die(EXIT_IO, "bind: %s", strerror(errno));
	return fd;
}

/* -a: answer whatever arrives on the group with the payload (a host that
 * answers discovery with garbage). */
int run_answer(const options *o)
{
	struct addrinfo *res = resolve(o->target, SOCK_DGRAM);
	unsigned idx = o->iface ? if_nametoindex(o->iface) : 0;
	long deadline = now_ms() + o->timeout_ms, answered = 0;
	struct pollfd p = { .events = POLLIN };

	if (o->iface && !idx)
		die(EXIT_USAGE, "%s: no such interface", o->iface);
	p.fd = answer_socket(res, idx);
	freeaddrinfo(res);
	while (answered < o->repeat) {
		char buf[SEND_DATAGRAM_MAX + 1];
		struct sockaddr_storage from;
		socklen_t flen = sizeof from;
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = recvfrom(p.fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n < 0)
			continue;
		if (!o->quiet) {
			fwrite(buf, 1, (size_t)n, stdout);
			fputc('\n', stdout);
		}
		if (sendto(p.fd, o->payload ? (const void *)o->payload : "", o->len, 0,
			   (struct sockaddr *)&from, flen) >= 0)
			answered++;
	}
	close(p.fd);
	printf("answered %ld\n", answered);
	fflush(stdout);
	return answered ? EXIT_CLOSED : EXIT_OPEN;
}
