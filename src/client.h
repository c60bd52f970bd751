/* flom: the client role: reach a daemon, lock, run the command, unlock. */
#ifndef FLOM_CLIENT_H
#define FLOM_CLIENT_H

#include "config.h"

/* Lock, run cfg->command, unlock. Returns flom's exit status. */
int client_run(const flom_config *cfg);

/* -x / -X: ask the reachable daemon to quiesce or to exit now; waits until it
 * acted. 0 on success, 99 when refused or unreachable. */
int client_manage(const flom_config *cfg);

/* --status: print what the reachable daemon holds and queues (table or
 * JSON; -r: one resource). 0, or 99 when unreachable, refused, or when the
 * daemon does not report status (an original FLoM daemon). */
int client_status(const flom_config *cfg);

#endif
