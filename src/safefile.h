/*
 * flom: files in shared directories, opened without trusting them.
 *
 * Another user may plant a file, a symbolic link, a hard link or a socket
 * where flom expects its own (the default socket lives in /tmp). Nothing
 * here follows a link, changes a file it does not own, or removes anything;
 * a refusal says, in one line, what is there, whose it is and what to do.
 */
#ifndef FLOM_SAFEFILE_H
#define FLOM_SAFEFILE_H

#include <sys/types.h>
#include <glib.h>

/* GError domain of refusals (code: an errno value, EPERM for trust). */
#define SAFEFILE_ERROR safefile_error_quark()
GQuark safefile_error_quark(void);

/* Whether PATH's directory admits no file from others than its owner and
 * group (not world-writable): a shared -s socket of another user there is
 * trusted, as the users the directory admits chose to share it. */
gboolean safefile_dir_vouches(const char *path);

/*
 * Look at the UNIX socket PATH before connecting: 0 when nothing is there,
 * 1 when it is a socket flom may use, 2 when it is another user's socket in
 * a directory that vouches for it (explicit paths only), -1 (err)
 * otherwise. CHECK_OWNER: it must belong to this user or root (or be
 * vouched for). CHECK_DIR (the per-user default path): its directory must
 * be sticky or private.
 */
int safefile_check_socket(const char *path, gboolean check_owner, gboolean check_dir,
			  GError **err);

/* After connect: the process that listens on fd runs as this user or root
 * (SO_PEERCRED, no race with a file swapped under the path). */
int safefile_check_listener(int fd, const char *path, GError **err);

/*
 * Open (create) the start lock PATH for flock: never through a link, a
 * regular file with one link. SHARED (an explicit -s): another user's lock
 * file is fine, and ours is made 0666 on the descriptor so every user may
 * start; otherwise it must be ours (or root's). -1 with err.
 */
int safefile_open_lock(const char *path, gboolean shared, GError **err);

/* Open an existing lock file for flock, without following a link. */
int safefile_open_existing(const char *path);

/*
 * Open PATH for writing (trace files): created 0644 (less by the umask),
 * never through a link, an existing file only when it is a regular file of
 * this user with one link; truncated unless APPEND. -1 with err.
 */
int safefile_open_write(const char *path, gboolean append, GError **err);

/* "user NAME (uid N)" for messages (g_free). */
char *safefile_describe_uid(uid_t uid);

#endif
