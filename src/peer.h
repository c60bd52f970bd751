/*
 * flom: who is at the other end of a TCP connection. A connection from this
 * host (loopback or one of its own addresses) belongs to a local user the
 * kernel knows: its socket table says which uid owns the peer's socket.
 */
#ifndef FLOM_PEER_H
#define FLOM_PEER_H

#include <sys/types.h>
#include <glib.h>
#include "net.h"

/* Whether A is an address of this host: loopback, or an address of one of
 * its interfaces (an IPv4-mapped IPv6 address counts as its IPv4). */
gboolean peer_is_local_host(const net_addr *a);

/*
 * The uid owning the local socket at the other end of a TCP connection
 * whose ends are PEER (the remote side, on this host) and LOCAL (ours):
 * asked from the kernel by the exact 4-tuple (NETLINK_SOCK_DIAG), else read
 * from /proc/net/tcp and tcp6. 0 with *uid, -1 when not found.
 */
int peer_tcp_uid(const net_addr *peer, const net_addr *local, uid_t *uid);

#endif
