/*
 * flom: starting a daemon. The start lock (one starter at a time per socket
 * or group), the fork into a detached process, and the ready pipe through
 * which the new daemon tells its starter that it listens, or why not.
 *
 * The server itself is not called from here: main registers it
 * (spawn_set_server), so that the client starts a daemon without knowing
 * the daemon's module, and the daemon uses the start lock and the ready pipe
 * without a circle between the two.
 */
#ifndef FLOM_SPAWN_H
#define FLOM_SPAWN_H

#include <glib.h>
#include "config.h"

/* Serve cfg in this (detached) process; report on ready_fd with
 * spawn_report_*; return the exit status. */
typedef int (*spawn_server_fn)(const flom_config *cfg, int ready_fd);
void spawn_set_server(spawn_server_fn serve);

/*
 * Fork a detached daemon for cfg (setsid, double fork, stdio on /dev/null,
 * only the ready pipe kept open) and return once it listens: 0, or -1 with
 * err saying why it could not start (NET_ERROR EADDRINUSE: the address is
 * taken, maybe by a daemon another client is starting).
 */
int spawn_daemon(const flom_config *cfg, GError **err);

/* A client saw its daemon vanish (closed before any grant): a daemon this
 * process starts next applies the lock delay (it is forked, not exec'd). */
void spawn_note_predecessor_died(void);
gboolean spawn_predecessor_died(void);

/* The daemon's side of the ready pipe: it listens (port: its TCP port, 0
 * for a UNIX socket), or it cannot start. Closes ready_fd. */
void spawn_report_ready(int ready_fd, unsigned port);
void spawn_report_failure(int ready_fd, const GError *err);

/* "<socket>.lock": serializes daemon start and idle exit on one host. */
char *spawn_lock_path(const char *socket_name);
/* The start lock of a dynamic-mode group and port on this host. */
char *spawn_group_lock_path(const char *group, int port);
/* The file a TCP or dynamic-mode daemon keeps on this host while it serves
 * (its successor's sign of a crash: see daemon.c), NULL for a UNIX socket,
 * whose own file tells. */
char *spawn_serving_path(const flom_config *cfg);
/*
 * Take the start lock at path (created with mode 0666 when shared, else
 * 0600), waiting at most FLOM_START_LOCK_TIMEOUT_MS for another starter;
 * *waited tells whether someone else held it. The locked descriptor, or -1
 * with err.
 */
int spawn_lock(const char *path, gboolean shared, gboolean *waited, GError **err);
void spawn_unlock(int fd);
/* For the idle daemon: whether nobody is starting or connecting (the lock
 * was free and is now held until this process exits, or there is no lock
 * file), FALSE when a starter holds it. */
gboolean spawn_try_lock_for_exit(const char *path);

#endif
