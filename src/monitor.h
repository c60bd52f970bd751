/* flom: run the command while the lock is held. */
#ifndef FLOM_MONITOR_H
#define FLOM_MONITOR_H

#include <glib.h>
#include "config.h"

typedef struct monitor_lock {
	const char *resource_name;
	const char *element;   /* appended as the last argument, or NULL */
	guint64 token;         /* FLOM_LOCK_TOKEN, 0 if the daemon sent none */
	int fd;                /* the lock connection: its loss is watched */
	/* Called once the command's process exists (may be NULL). */
	void (*started)(pid_t pid, gpointer data);
	gpointer started_data;
} monitor_lock;

/*
 * fork/exec cfg->command (plus the element), forward SIGINT, SIGTERM and
 * SIGHUP to it (except those in cfg->ignored_signals), and wait. Returns the
 * command's status, 128+signal when it was killed, 97 when it could not be
 * executed. *lost is set when the lock connection broke while it ran (the
 * command was then handled per cfg->on_lock_lost).
 */
int monitor_run(const flom_config *cfg, const monitor_lock *lock, gboolean *lost);

#endif
