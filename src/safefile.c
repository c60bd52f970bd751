/* flom: files in shared directories, opened without trusting them. */
#include "config.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(flom-safefile-error-quark, safefile_error)

#define SAFEFILE_WHAT_TO_DO "remove it, or choose another path with -s PATH"

char *safefile_describe_uid(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw && pw->pw_name)
		return g_strdup_printf("user %s (uid %u)", pw->pw_name, (unsigned)uid);
	return g_strdup_printf("uid %u", (unsigned)uid);
}

static gboolean safefile_trusted_uid(uid_t uid)
{
	return uid == geteuid() || uid == 0;
}

static const char *safefile_kind(mode_t mode)
{
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a special file";
}

/* "PATH is KIND of OWNER, not ...: ..." */
static int safefile_refuse(GError **err, const char *path, const struct stat *st,
			   const char *why, const char *what_to_do)
{
	g_autofree char *owner = safefile_describe_uid(st->st_uid);

	g_set_error(err, SAFEFILE_ERROR, EPERM, "%s is %s of %s, %s: flom does not trust it; %s",
		    path, safefile_kind(st->st_mode), owner, why, what_to_do);
	errno = EPERM;
	return -1;
}

/* Nobody else may replace a file in the directory: sticky, or writable by
 * its (trusted) owner only. */
static int safefile_check_dir(const char *path, GError **err)
{
	g_autofree char *dir = g_path_get_dirname(path);
	struct stat st;

	if (lstat(dir, &st) < 0) {
		g_set_error(err, SAFEFILE_ERROR, errno, "cannot inspect %s: %s", dir,
			    g_strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode) && ((st.st_mode & S_ISVTX) ||
				    (safefile_trusted_uid(st.st_uid) && !(st.st_mode & 022))))
		return 0;
	return safefile_refuse(err, dir, &st, "which others may write and is not sticky",
			       "choose a socket in a private directory with -s PATH");
}

gboolean safefile_dir_vouches(const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);
	struct stat st;

	/* Only its owner and group may create a file there: a socket of
	 * another user there was put by someone the directory admits. */
	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && !(st.st_mode & S_IWOTH);
}

int safefile_check_socket(const char *path, gboolean check_owner, gboolean check_dir,
			  GError **err)
{
	struct stat st;

	if (check_dir && safefile_check_dir(path, err) < 0)
		return -1;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		g_set_error(err, SAFEFILE_ERROR, errno, "cannot inspect %s: %s", path,
			    g_strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode))
		return safefile_refuse(err, path, &st, "not a socket", SAFEFILE_WHAT_TO_DO);
	if (check_owner && !safefile_trusted_uid(st.st_uid)) {
		if (!check_dir && safefile_dir_vouches(path))
			return 2;
		return safefile_refuse(err, path, &st, "not yours or root's", SAFEFILE_WHAT_TO_DO);
	}
	return 1;
}

int safefile_check_listener(int fd, const char *path, GError **err)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	g_autofree char *owner = NULL;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		g_set_error(err, SAFEFILE_ERROR, errno, "cannot identify the daemon on %s: %s",
			    path, g_strerror(errno));
		return -1;
	}
	if (safefile_trusted_uid(cred.uid))
		return 0;
	owner = safefile_describe_uid(cred.uid);
	g_set_error(err, SAFEFILE_ERROR, EPERM,
		    "the process listening on %s runs as %s, not as you or root: flom does not "
		    "trust it; choose another path with -s PATH", path, owner);
	errno = EPERM;
	return -1;
}

/* An open file flom may use: regular, one link, and (unless any owner is
 * fine) this user's or root's. */
static int safefile_check_fd(int fd, const char *path, gboolean any_owner, GError **err)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		g_set_error(err, SAFEFILE_ERROR, errno, "cannot inspect %s: %s", path,
			    g_strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return safefile_refuse(err, path, &st, "not a regular file", SAFEFILE_WHAT_TO_DO);
	if (st.st_nlink != 1)
		return safefile_refuse(err, path, &st, "with another name (a hard link)",
				       SAFEFILE_WHAT_TO_DO);
	if (!any_owner && !safefile_trusted_uid(st.st_uid))
		return safefile_refuse(err, path, &st, "not yours or root's", SAFEFILE_WHAT_TO_DO);
	return 0;
}

/* open() without following a link, with a message that says so. */
static int safefile_open(const char *path, int flags, mode_t mode, GError **err)
{
	int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	struct stat st;

	if (fd >= 0)
		return fd;
	if (errno == ELOOP && lstat(path, &st) == 0)
		return safefile_refuse(err, path, &st, "not a file", SAFEFILE_WHAT_TO_DO);
	if (errno == EACCES && lstat(path, &st) == 0 && !safefile_trusted_uid(st.st_uid))
		return safefile_refuse(err, path, &st, "not yours or root's", SAFEFILE_WHAT_TO_DO);
	g_set_error(err, SAFEFILE_ERROR, errno, "cannot open %s: %s", path, g_strerror(errno));
	return -1;
}

int safefile_open_lock(const char *path, gboolean shared, GError **err)
{
	int fd = safefile_open(path, O_RDWR | O_CREAT, shared ? 0666 : 0600, err);
	struct stat st;

	if (fd < 0)
		return -1;
	if (safefile_check_fd(fd, path, shared, err) < 0) {
		close(fd);
		return -1;
	}
	/* Whatever the umask, every user may start a shared daemon; set on the
	 * descriptor, and only on our own file. */
	if (shared && fstat(fd, &st) == 0 && st.st_uid == geteuid())
		(void)fchmod(fd, 0666);
	return fd;
}

int safefile_open_existing(const char *path)
{
	return open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
}

int safefile_open_write(const char *path, gboolean append, GError **err)
{
	int fd = safefile_open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : 0), 0644, err);

	if (fd < 0)
		return -1;
	if (safefile_check_fd(fd, path, FALSE, err) < 0) {
		close(fd);
		return -1;
	}
	/* Truncated only now that it is known to be ours. */
	if (!append && ftruncate(fd, 0) < 0) {
		g_set_error(err, SAFEFILE_ERROR, errno, "cannot truncate %s: %s", path,
			    g_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
