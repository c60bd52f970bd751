/*
 * flom: the daemon's process title, what `ps -o args` shows. Only the
 * argument area changes: /proc/PID/comm (and so `ps -C flom`, pgrep) stays
 * "flom".
 */
#ifndef FLOM_PROCTITLE_H
#define FLOM_PROCTITLE_H

#include "config.h"

/* Remember where the arguments live; call first thing in main(). */
void proctitle_init(int argc, char **argv);

/* "flom daemon: SOCKET" or "flom daemon: ADDRESS:PORT" (and the discovery
 * group); port is the one the daemon listens on. Overwrites argv and moves
 * the environment away: call only in the daemon, once set up. */
void proctitle_set_daemon(const flom_config *cfg, unsigned port);

#endif
