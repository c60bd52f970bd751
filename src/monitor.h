/* flom: run the command while the lock is held. */
#ifndef FLOM_MONITOR_H
#define FLOM_MONITOR_H

#include <glib.h>
#include "config.h"

typedef struct monitor_lock {
	const char *resource_name;
	const char *element;   /* appended as the last argument, or NULL */
	guint64 token;         /* FLOM_LOCK_TOKEN, 0 if the daemon sent none */
	int fd;                /* the lock connection: its loss is watched, and
				* the command inherits it (see monitor_run) */
	/* Called once the command's process exists (may be NULL). */
	void (*started)(pid_t pid, gpointer data);
	gpointer started_data;
	gint64 grace_ms;       /* SIGTERM to SIGKILL when the lock is lost: the
				* configured grace period, or less when the
				* daemon's release deadline needs it */
	const char *loss_reason; /* why fd closed, when the backend knows better */
	int notify_fd;         /* >= 0: the command writes its pid there before exec */
	gboolean inherit_fd;   /* the command keeps fd open (a daemon's lock
				* connection); etcd's keeper watches flom instead */
	gint64 silence_ms;     /* > 0: fd is TCP, and the lock counts as lost when
				* the daemon has not answered our keepalive
				* probes for this long. flom decides, not the
				* kernel: an abort would reset the connection,
				* and a daemon that heard the reset would grant
				* the lock while the command still runs its
				* grace period. */
} monitor_lock;

/*
 * fork/exec cfg->command (plus the element), forward SIGINT, SIGTERM and
 * SIGHUP to it (except those in cfg->ignored_signals), and wait. Returns the
 * command's status, 128+signal when it was killed, 97 when it could not be
 * executed. *lost is set when the lock connection broke while it ran (the
 * command was then handled per cfg->on_lock_lost).
 */
int monitor_run(const flom_config *cfg, const monitor_lock *lock, gboolean *lost);

/*
 * Stop the process group pgid: SIGTERM (and SIGCONT, so that a stopped
 * command sees it), then SIGKILL once grace_ms passed while any member is
 * left. Blocks until the group is gone (at most grace_ms plus
 * FLOM_KILL_WAIT_MS). Children of this process that end meanwhile are reaped;
 * the status of pgid itself, when it is one of them, goes to *wstatus (may be
 * NULL). 0 when the group is gone, -1 when a member survived SIGKILL (a
 * process stuck in the kernel).
 */
int monitor_stop_group(pid_t pgid, gint64 grace_ms, int *wstatus);

#endif
