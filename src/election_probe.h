/*
 * flom: asking a rival daemon over TCP who it is, without blocking the loop.
 *
 * The election believes no datagram about a serving rival: before it retires
 * for one, it connects to the address and port the announcement named, sends
 * its own announcement, and reads the rival's (see election_confirms). This
 * module only does that exchange; deciding is the election's.
 */
#ifndef FLOM_ELECTION_PROBE_H
#define FLOM_ELECTION_PROBE_H

#include <glib.h>
#include "loop.h"
#include "msg.h"
#include "net.h"
#include "tls.h"

typedef struct election_probe election_probe;

/* Called once: answer is the first message the rival sent (a <daemon>), or
 * NULL with why. The owner frees the probe then (from inside is fine). */
typedef void (*election_probe_fn)(const flom_msg *answer, const char *why, gpointer data);

/* Connect to to (over TLS with tls, the daemons' credentials, when not
 * NULL), send ask, wait for one message. NULL with err when the connection
 * cannot even start. No deadline of its own: the owner frees the probe at
 * election_probe_deadline() (monotonic us). */
election_probe *election_probe_start(loop *l, const net_addr *to, tls_ctx *tls,
				     const flom_msg *ask, election_probe_fn fn, gpointer data,
				     GError **err);
gint64 election_probe_deadline(const election_probe *p);
/* Whom it asks ("[fe80::1%eth0]:40000"). */
const char *election_probe_peer(const election_probe *p);
void election_probe_free(election_probe *p);

#endif
