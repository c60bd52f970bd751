/* flom: the daemon role: one thread, one poll() loop. */
#ifndef FLOM_DAEMON_H
#define FLOM_DAEMON_H

#include <glib.h>
#include "config.h"

/*
 * Fork a detached daemon for cfg (setsid, stdio on /dev/null, close-on-exec)
 * and return once it listens: 0, or -1 with err saying why it could not start
 * (the daemon reports through a ready pipe).
 */
int daemon_start(const flom_config *cfg, GError **err);

/* Run a daemon in this process, in the foreground (service managers).
 * Returns the exit status. */
int daemon_run_foreground(const flom_config *cfg);

/* "<socket>.lock": serializes daemon start and idle exit on one host. */
char *daemon_lock_path(const char *socket_name);

#endif
