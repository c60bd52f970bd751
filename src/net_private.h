/*
 * flom: what the files of the socket layer (net.c, net_addr.c,
 * net_mcast.c) share and nobody else sees.
 */
#ifndef FLOM_NET_PRIVATE_H
#define FLOM_NET_PRIVATE_H

#include <glib.h>
#include "net.h"

/* Set err (NET_ERROR, code e, "context: strerror(e)") and errno to e;
 * returns -1 so that failure paths read "return net_fail(...)". */
int net_fail(GError **err, int e, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
int net_setopt_int(int fd, int level, int name, int value);
/* close(fd) when fd >= 0, errno kept for the caller. */
void net_close_keep_errno(int fd);

/* Whether a step is shown (a hook is set, or TRACE_NET is on). */
gboolean net_stepping(void);
void net_step(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* setsockopt of an int, shown as a step "setting NAME to value V". */
int net_setopt_step(int fd, int level, int name, const char *optname, int value);
#define NET_SETOPT(fd, level, name, value) net_setopt_step((fd), (level), (name), #name, (value))

/* family's wildcard address with port. */
void net_addr_wildcard(net_addr *a, int family, int port);
/* A link-local IPv6 address without its scope id: the kernel would not know
 * the interface. */
gboolean net_addr_lacks_scope(const net_addr *a);

#endif
