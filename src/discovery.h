/*
 * flom: finding a daemon by UDP multicast.
 *
 * Client: send DISCOVER to the group, -D attempts of -I ms each, take the
 * first well-formed reply. Daemon: answer every well-formed DISCOVER with the
 * address and port of its TCP listener, by unicast.
 */
#ifndef FLOM_DISCOVERY_H
#define FLOM_DISCOVERY_H

#include <glib.h>
#include "config.h"
#include "msg.h"
#include "net.h"

/*
 * Ask the group of cfg. On success *daemon is the TCP endpoint to connect to:
 * the reply's address, or when it is empty the reply's source address (with
 * its scope id), with the reply's port. Verbose mode prints the original's
 * lines. Replies that name a daemon in skip (GArray of net_addr, may be
 * NULL: those already tried) are ignored. -1 with err when nobody else
 * answered (or on a socket error).
 */
int discovery_query(const flom_config *cfg, const GArray *skip, net_addr *daemon, GError **err);

/* Pure parsing, shared by both sides and the fuzzers. A request is a
 * well-formed DISCOVER (verb 4, step 8, level 3). A reply: 0 with *address
 * (g_free; "" allowed) and *port 1..65535, -1 when malformed. */
gboolean discovery_is_request(const char *buf, size_t len);
int discovery_parse_reply(const char *buf, size_t len, char **address, int *port);

typedef struct discovery_responder discovery_responder;

/* Join the group of cfg; answer with reply_address ("" in dynamic mode) and
 * tcp_port. NULL with err on failure. */
discovery_responder *discovery_responder_new(const flom_config *cfg, const char *reply_address,
					     unsigned tcp_port, GError **err);
void discovery_responder_free(discovery_responder *r);
/* The sockets to poll for input. */
const GArray *discovery_responder_fds(const discovery_responder *r); /* of int */
/* Read what is waiting on fd and answer it; malformed datagrams are dropped
 * and counted, never fatal. */
void discovery_responder_handle(discovery_responder *r, int fd);
guint64 discovery_responder_dropped(const discovery_responder *r);

/* Dynamic mode: the daemons of one group hear each other (issue of split
 * brain). fn gets every announcement that arrives, our own included; the
 * sender socket is made here. -1 with err when it cannot be. */
typedef void (*discovery_daemon_fn)(const flom_msg *m, const net_addr *from, gpointer data);
int discovery_responder_on_daemon(discovery_responder *r, discovery_daemon_fn fn, gpointer data,
				  GError **err);
/* Send m (msg_make_daemon) to the group. */
void discovery_responder_announce(discovery_responder *r, const flom_msg *m);
/* Stop answering discovery: a daemon stepping down lets clients find another. */
void discovery_responder_silence(discovery_responder *r);

#endif
