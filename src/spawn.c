/*
 * flom: starting a daemon without races (doc/design.md, "Starting a daemon
 * without races"): the start lock, the detached fork and the ready pipe.
 */
#include "config.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "net.h"
#include "safefile.h"
#include "trace.h"

static spawn_server_fn spawn_server;

/* Set in the client before it forks a daemon, read by that daemon. */
static gboolean spawn_predecessor_gone;

void spawn_note_predecessor_died(void)
{
	spawn_predecessor_gone = TRUE;
}

gboolean spawn_predecessor_died(void)
{
	return spawn_predecessor_gone;
}

void spawn_set_server(spawn_server_fn serve)
{
	spawn_server = serve;
}

/* ---------------------------------------------------------------- start lock */

char *spawn_lock_path(const char *socket_name)
{
	return g_strconcat(socket_name, ".lock", NULL);
}

char *spawn_group_lock_path(const char *group, int port)
{
	char *name = g_strdup_printf("/tmp/flom-dynamic-%s-%d", group, port);

	g_strdelimit(name + strlen("/tmp/"), "/:%", '_');
	return name;
}

char *spawn_serving_path(const flom_config *cfg)
{
	g_autofree char *base = NULL;

	if (cfg->unicast_address) {
		base = g_strdup_printf("/tmp/flom-tcp-%s-%d", cfg->unicast_address, cfg->unicast_port);
		g_strdelimit(base + strlen("/tmp/"), "/:%", '_');
	} else if (cfg->multicast_address) {
		base = spawn_group_lock_path(cfg->multicast_address, cfg->multicast_port);
	} else {
		return NULL;
	}
	return g_strconcat(base, ".serving", NULL);
}

int spawn_lock(const char *path, gboolean shared, gboolean *waited, GError **err)
{
	gint64 deadline = g_get_monotonic_time() / 1000 + FLOM_START_LOCK_TIMEOUT_MS;
	int pause_ms = 1;
	int fd = safefile_open_lock(path, shared, err);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			g_set_error(err, NET_ERROR, errno, "flock %s: %s", path, g_strerror(errno));
			close(fd);
			return -1;
		}
		if (g_get_monotonic_time() / 1000 > deadline) {
			g_set_error(err, NET_ERROR, ETIMEDOUT,
				    "another process holds %s for too long", path);
			close(fd);
			return -1;
		}
		g_usleep(pause_ms * 1000);
		pause_ms = MIN(pause_ms * 2, FLOM_START_LOCK_PAUSE_MAX_MS);
		*waited = TRUE;
	}
	return fd;
}

void spawn_unlock(int fd)
{
	flock(fd, LOCK_UN);
	close(fd);
}

gboolean spawn_try_lock_for_exit(const char *path)
{
	int fd = safefile_open_existing(path);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return FALSE;
	}
	/* fd stays open (and locked) until the process exits, so starters
	 * wait for us instead of racing our last clients. */
	return TRUE;
}

/* ---------------------------------------------------------------- ready pipe */

static void spawn_write_line(int fd, const char *line)
{
	(void)!write(fd, line, strlen(line));
	close(fd);
}

void spawn_report_ready(int ready_fd, unsigned port)
{
	g_autofree char *line = g_strdup_printf("OK %u\n", port);

	spawn_write_line(ready_fd, line);
}

void spawn_report_failure(int ready_fd, const GError *err)
{
	g_autofree char *line = g_strdup_printf("%s %s\n",
		g_error_matches(err, NET_ERROR, EADDRINUSE) ? "BUSY" : "ERR", err->message);

	spawn_write_line(ready_fd, line);
}

static int spawn_read_ready(int fd, GError **err)
{
	char buf[FLOM_READY_LINE_MAX];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	g_strchomp(buf);
	if (g_str_has_prefix(buf, "OK"))
		return 0;
	if (g_str_has_prefix(buf, "BUSY ")) {
		g_set_error(err, NET_ERROR, EADDRINUSE, "%s", buf + 5);
		return -1;
	}
	g_set_error(err, NET_ERROR, EIO, "cannot start a daemon: %s",
		    len > 4 ? buf + 4 : "it exited before it was ready");
	return -1;
}

/* ---------------------------------------------------------------- fork */

/* The daemon's process: detached, stdio on /dev/null, only the pipe open. */
static void spawn_detach(const flom_config *cfg, int ready_fd)
{
	int null = open("/dev/null", O_RDWR);

	if (chdir("/") < 0)
		_exit(FLOM_EXIT_GENERIC);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (ready_fd > 3)
		close_range(3, ready_fd - 1, 0);
	close_range(ready_fd + 1, ~0U, 0);
	trace_close();
	if (cfg->daemon_trace_file) {
		if (trace_open_file_default(cfg->daemon_trace_file, cfg->append_trace_file,
					    TRACE_DAEMON, NULL) < 0)
			trace_set_mask(0);
	} else {
		trace_set_mask(0);
	}
	openlog("flom", LOG_PID, LOG_DAEMON);
}

/*
 * The middle of the double fork, so that the daemon is no child of the
 * client (whose monitor reaps every child it has) and, no session leader,
 * can never acquire a terminal. It runs vforked: it borrows the client's
 * memory instead of copying its page tables and faulting on every page it
 * writes, which made a cold start cost milliseconds more; so it only calls
 * setsid and fork, and exits. The daemon gets memory of its own.
 */
static G_NORETURN void spawn_middle(const flom_config *cfg, int ready_fd)
{
	setsid();
	if (fork() != 0)
		_exit(0); /* also when fork failed: the client reads no "OK" */
	spawn_detach(cfg, ready_fd);
	_exit(spawn_server(cfg, ready_fd));
}

int spawn_daemon(const flom_config *cfg, GError **err)
{
	int p[2];
	pid_t pid;
	int rc;

	g_return_val_if_fail(spawn_server != NULL, -1);
	if (pipe2(p, O_CLOEXEC) < 0) {
		g_set_error(err, NET_ERROR, errno, "pipe: %s", g_strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = vfork();
	if (pid < 0) {
		g_set_error(err, NET_ERROR, errno, "vfork: %s", g_strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0)
		spawn_middle(cfg, p[1]);
	close(p[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	rc = spawn_read_ready(p[0], err);
	close(p[0]);
	return rc;
}
