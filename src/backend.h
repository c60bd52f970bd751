/*
 * flom: the client's seam between "how a lock is taken" and "what runs under
 * it". A backend connects, locks (with the -o deadline), hands the monitor a
 * descriptor whose closing means the lock is lost, and unlocks. The monitor,
 * the exit statuses, the lost-lock rules and the environment variables are
 * written once, in client.c and monitor.c, for every backend.
 */
#ifndef FLOM_BACKEND_H
#define FLOM_BACKEND_H

#include <glib.h>
#include "config.h"

typedef struct backend_grant {
	char *element;          /* FLOM_LOCKED_ELEMENT, or NULL (g_free) */
	guint64 token;          /* FLOM_LOCK_TOKEN, 0 if none */
	int loss_fd;            /* readable or closed when the lock is lost */
	const char *loss_reason; /* the lost-lock line's reason when it closes */
	int notify_fd;          /* the command writes its pid here before exec, or -1 */
	void (*started)(pid_t pid, gpointer data); /* the command exists (may be NULL) */
	gpointer started_data;
	void *state;            /* the backend's own */
	gboolean inherit_loss_fd; /* the command inherits loss_fd (monitor_lock.inherit_fd) */
	gboolean short_grace;   /* grace_ms replaces the configured grace period */
	gint64 grace_ms;        /* shorter, so that the command is stopped in time */
	gint64 silence_ms;      /* > 0: the lock is lost when the daemon has not
				 * answered for this long (monitor_lock) */
} backend_grant;

typedef struct backend_ops {
	/* Lock per cfg: FLOM_EXIT_OK with *g filled, or the exit status (the
	 * message is printed). */
	int (*acquire)(const flom_config *cfg, backend_grant *g);
	/* After the command: unlock (rollback when it failed) and free g's
	 * state; lost: the lock was lost while it ran. 0, or -1 (printed). */
	int (*release)(const flom_config *cfg, backend_grant *g, gboolean rollback, gboolean lost);
} backend_ops;

extern const backend_ops backend_daemon;   /* client.c */
#ifdef FLOM_WITH_ETCD
extern const backend_ops backend_etcd;     /* backend_etcd.c */
#endif

/* The exit status of a refused lock (FLOM_RC_BUSY...), its message printed. */
int client_refusal_status(int rc, const flom_config *cfg);

#endif
