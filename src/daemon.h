/* flom: the daemon role: one thread, one poll() loop. */
#ifndef FLOM_DAEMON_H
#define FLOM_DAEMON_H

#include <glib.h>
#include "config.h"

/* Serve cfg in this process: set up, report to the starter on ready_fd
 * (spawn_report_*; -1 in the foreground: errors go to stderr), loop until
 * told to stop or idle. Returns the exit status (a spawn_server_fn). */
int daemon_serve(const flom_config *cfg, int ready_fd);

/* Run a daemon in this process, in the foreground (service managers).
 * Returns the exit status. */
int daemon_run_foreground(const flom_config *cfg);

#endif
