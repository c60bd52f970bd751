/*
 * flom: run the command while the lock is held, and watch the lock.
 *
 * The command runs in its own process group (given the terminal when flom had
 * it), so that a lost lock can stop the whole pipeline it started. flom waits
 * on a signalfd and on the lock connection at once: a signal for flom is
 * passed on, a broken connection means the lock is gone.
 */
#include "config.h"
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "net.h"
#include "trace.h"

static const int monitor_forwarded[] = { SIGINT, SIGTERM, SIGHUP };

static gboolean monitor_is_ignored(const flom_config *cfg, int sig)
{
	return sig >= 1 && sig <= 31 && (cfg->ignored_signals & (1u << sig));
}

/* The signals flom handles while the command runs: forwarded ones, ignored
 * ones, and SIGCHLD. They are blocked and read from a signalfd. */
static void monitor_signal_set(const flom_config *cfg, sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < G_N_ELEMENTS(monitor_forwarded); i++)
		sigaddset(set, monitor_forwarded[i]);
	for (int sig = 1; sig <= 31; sig++)
		if (monitor_is_ignored(cfg, sig) && sig != SIGKILL && sig != SIGSTOP)
			sigaddset(set, sig);
}

/* A signal ignored on entry (a background job's SIGINT) is discarded even
 * when blocked: take the default so the signalfd sees it. */
static void monitor_default_dispositions(const sigset_t *set)
{
	for (int sig = 1; sig <= 31; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sigismember(set, sig) == 1)
			signal(sig, SIG_DFL);
}

static gboolean monitor_owns_terminal(void)
{
	return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/* tcsetpgrp from a background group raises SIGTTOU unless it is blocked. */
static void monitor_give_terminal(pid_t pgrp)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	(void)tcsetpgrp(STDIN_FILENO, pgrp);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static char **monitor_argv(const flom_config *cfg, const monitor_lock *lock)
{
	guint n = g_strv_length(cfg->command);
	char **argv = g_new0(char *, n + 2);

	for (guint i = 0; i < n; i++)
		argv[i] = cfg->command[i];
	argv[n] = (char *)lock->element;
	return argv;
}

/* Tell a watcher (a backend's) which process group to stop if flom dies:
 * written by the command itself, before it runs anything. */
static void monitor_notify(int fd)
{
	pid_t pid = getpid();

	if (fd >= 0 && write(fd, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		_exit(FLOM_EXIT_CANT_EXECUTE);
}

static void monitor_exec_child(const flom_config *cfg, const monitor_lock *lock,
			       const sigset_t *oldmask, gboolean terminal)
{
	char **argv = monitor_argv(cfg, lock);
	char token[32];

	setpgid(0, 0);
	if (terminal)
		monitor_give_terminal(getpid());
	for (int sig = 1; sig <= 31; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	/* The command inherits the lock connection: when flom dies, the
	 * daemon sees it close only once the command (and what it started
	 * with the descriptor) is gone too, as with flock(1). */
	if (lock->fd >= 0 && lock->inherit_fd)
		(void)fcntl(lock->fd, F_SETFD, 0);
	setenv("FLOM_RESOURCE_NAME", lock->resource_name, 1);
	if (lock->element)
		setenv("FLOM_LOCKED_ELEMENT", lock->element, 1);
	else
		unsetenv("FLOM_LOCKED_ELEMENT");
	if (lock->token) {
		g_snprintf(token, sizeof(token), "%" G_GUINT64_FORMAT, lock->token);
		setenv("FLOM_LOCK_TOKEN", token, 1);
	} else {
		unsetenv("FLOM_LOCK_TOKEN");
	}
	monitor_notify(lock->notify_fd);
	execvp(argv[0], argv);
	fprintf(stderr, "flom: cannot execute '%s': %s\n", argv[0], g_strerror(errno));
	_exit(FLOM_EXIT_CANT_EXECUTE);
}

/* The command's environment: flom's, with the lock's variables. */
static char **monitor_environ(const monitor_lock *lock)
{
	char **env = g_get_environ();
	char token[32];

	env = g_environ_setenv(env, "FLOM_RESOURCE_NAME", lock->resource_name, TRUE);
	if (lock->element)
		env = g_environ_setenv(env, "FLOM_LOCKED_ELEMENT", lock->element, TRUE);
	else
		env = g_environ_unsetenv(env, "FLOM_LOCKED_ELEMENT");
	if (lock->token) {
		g_snprintf(token, sizeof(token), "%" G_GUINT64_FORMAT, lock->token);
		env = g_environ_setenv(env, "FLOM_LOCK_TOKEN", token, TRUE);
	} else {
		env = g_environ_unsetenv(env, "FLOM_LOCK_TOKEN");
	}
	return env;
}

/* What monitor_exec_child does, without fork's copy of flom's page tables
 * (a clone that shares them until the exec): its own process group, every
 * signal at its default, flom's mask, the lock connection inherited. Only
 * without a terminal to hand over or a watcher to tell (the child itself
 * does those). -1 when it failed: the fork path then does it again, with
 * its messages and execvp's shell for a script without "#!". As every
 * glibc posix_spawn, it leaves glibc's two internal signals (32, 33)
 * ignored in the command; a glibc program sets them up again itself. */
static pid_t monitor_spawn(const flom_config *cfg, const monitor_lock *lock,
			   const sigset_t *oldmask)
{
	g_autofree char **argv = monitor_argv(cfg, lock);
	g_auto(GStrv) env = monitor_environ(lock);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	pid_t pid;
	int rc;

	sigemptyset(&dfl);
	for (int sig = 1; sig <= 31; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaddset(&dfl, sig);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setsigmask(&attr, oldmask);
	posix_spawn_file_actions_init(&fa);
	/* dup2 onto itself clears close-on-exec (glibc 2.29, POSIX 2024) */
	if (lock->fd >= 0 && lock->inherit_fd)
		posix_spawn_file_actions_adddup2(&fa, lock->fd, lock->fd);
	rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		TRACE(TRACE_MONITOR, "posix_spawnp: %s: fork and exec instead", g_strerror(rc));
		return -1;
	}
	return pid;
}

static int monitor_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return FLOM_EXIT_GENERIC;
}

/* Whether the lock connection broke; reason set when it did. The daemon
 * sends nothing after a grant, so any readable event is examined. */
static gboolean monitor_lock_broken(const monitor_lock *lock, const char **reason)
{
	char buf[256];
	ssize_t n = read(lock->fd, buf, sizeof(buf));

	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return FALSE;
	*reason = n < 0 ? g_strerror(errno) :
		lock->loss_reason ? lock->loss_reason : "the daemon closed the connection";
	return TRUE;
}

static void monitor_pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Reap every child that ended (orphans of the command come to flom, its
 * subreaper); TRUE when pid was one of them. */
static gboolean monitor_reap(pid_t pid, int *wstatus)
{
	gboolean found = FALSE;
	int st;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == pid) {
			if (wstatus)
				*wstatus = st;
			found = TRUE;
		}
	}
	return found;
}

/* Whether a process of group pgid is left. Our children that ended are
 * reaped first, so zombies do not count. */
static gboolean monitor_group_alive(pid_t pgid, int *wstatus)
{
	(void)monitor_reap(pgid, wstatus);
	return kill(-pgid, 0) == 0 || errno != ESRCH;
}

/* Wait until group pgid is gone or deadline (monotonic ms) passed. */
static gboolean monitor_group_wait(pid_t pgid, gint64 deadline, int *wstatus)
{
	while (monitor_group_alive(pgid, wstatus)) {
		if (g_get_monotonic_time() / 1000 >= deadline)
			return FALSE;
		monitor_pause_ms(FLOM_STOP_POLL_MS);
	}
	return TRUE;
}

int monitor_stop_group(pid_t pgid, gint64 grace_ms, int *wstatus)
{
	gint64 now = g_get_monotonic_time() / 1000;

	TRACE(TRACE_MONITOR, "stopping process group %d (grace %" G_GINT64_FORMAT " ms)",
	      (int)pgid, grace_ms);
	kill(-pgid, SIGTERM);
	kill(-pgid, SIGCONT);
	if (monitor_group_wait(pgid, now + MAX(grace_ms, 0), wstatus))
		return 0;
	TRACE(TRACE_MONITOR, "grace period over: SIGKILL to process group %d", (int)pgid);
	kill(-pgid, SIGKILL);
	if (monitor_group_wait(pgid, g_get_monotonic_time() / 1000 + FLOM_KILL_WAIT_MS, wstatus))
		return 0;
	fprintf(stderr, "flom: process group %d survived SIGKILL\n", (int)pgid);
	return -1;
}

/* The lock is gone: say so; with OnLockLost=terminate the command's group
 * is stopped before this returns (the daemon's release deadline leaves room
 * for the grace period), and its status is in *wstatus. */
static gboolean monitor_lock_lost(const flom_config *cfg, const monitor_lock *lock, pid_t pid,
				  const char *reason, int *wstatus)
{
	fprintf(stderr, "flom: lock on %s lost: %s\n", lock->resource_name, reason);
	if (pid <= 0 || cfg->on_lock_lost != FLOM_ON_LOCK_LOST_TERMINATE)
		return FALSE;
	*wstatus = SIGKILL; /* as if killed, unless its own status is reaped */
	(void)monitor_stop_group(pid, lock->grace_ms, wstatus);
	return TRUE;
}

/* The command ended: a loss that came with its end still counts (a
 * backend's watchdog may have stopped it, and closed the lock, just now). */
static void monitor_last_look(const flom_config *cfg, const monitor_lock *lock, gboolean watching,
			      gboolean *lost)
{
	struct pollfd p = { .fd = lock->fd, .events = POLLIN };
	const char *reason;

	if (watching && poll(&p, 1, 0) > 0 && monitor_lock_broken(lock, &reason)) {
		int ignored;

		*lost = TRUE;
		(void)monitor_lock_lost(cfg, lock, 0, reason, &ignored);
	}
}

/* Whether the daemon has been silent for longer than lock->silence_ms. */
static gboolean monitor_daemon_silent(const monitor_lock *lock, const char **reason)
{
	static char text[96];
	gint64 silent = net_tcp_silent_ms(lock->fd);

	if (silent < lock->silence_ms)
		return FALSE;
	g_snprintf(text, sizeof(text), "no answer from the daemon for %" G_GINT64_FORMAT " ms",
		   silent);
	*reason = text;
	return TRUE;
}

/* Wait for the child; pass signals on; watch the lock. Returns the wait status. */
static int monitor_wait(const flom_config *cfg, const monitor_lock *lock, pid_t pid, int sfd,
			gboolean *lost)
{
	gboolean watching = lock->fd >= 0;
	int timeout = lock->silence_ms > 0 ? FLOM_SILENCE_CHECK_MS : -1;

	for (;;) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
				       { .fd = lock->fd, .events = POLLIN } };
		struct signalfd_siginfo si;
		int wstatus;

		if (monitor_reap(pid, &wstatus)) {
			monitor_last_look(cfg, lock, watching, lost);
			return wstatus;
		}
		if (poll(p, watching ? 2 : 1, watching ? timeout : -1) < 0 && errno != EINTR)
			return -1;
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			int sig = (int)si.ssi_signo;

			if (sig == SIGCHLD || monitor_is_ignored(cfg, sig))
				continue;
			TRACE(TRACE_MONITOR, "passing signal %d to the command", sig);
			kill(-pid, sig);
		}
		if (watching) {
			const char *reason;

			if (((p[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
			     monitor_lock_broken(lock, &reason)) ||
			    (lock->silence_ms > 0 && monitor_daemon_silent(lock, &reason))) {
				watching = FALSE;
				*lost = TRUE;
				if (monitor_lock_lost(cfg, lock, pid, reason, &wstatus))
					return wstatus;
			}
		}
	}
}

int monitor_run(const flom_config *cfg, const monitor_lock *lock, gboolean *lost)
{
	gboolean terminal = monitor_owns_terminal();
	sigset_t set, oldmask;
	int sfd, wstatus;
	pid_t pid;

	*lost = FALSE;
	/* Orphans of the command stay ours: stopping its group can then tell
	 * a live member from one that ended. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	monitor_signal_set(cfg, &set);
	monitor_default_dispositions(&set);
	sigprocmask(SIG_BLOCK, &set, &oldmask);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	fflush(NULL);
	pid = sfd < 0 || terminal || lock->notify_fd >= 0 ? -1 : monitor_spawn(cfg, lock, &oldmask);
	if (pid < 0)
		pid = sfd < 0 ? -1 : fork();
	if (pid == 0)
		monitor_exec_child(cfg, lock, &oldmask, terminal);
	if (pid < 0) {
		fprintf(stderr, "flom: cannot run the command: %s\n", g_strerror(errno));
		if (sfd >= 0)
			close(sfd);
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		return FLOM_EXIT_CANT_EXECUTE;
	}
	setpgid(pid, pid); /* as the child does: whoever runs first */
	if (lock->started)
		lock->started(pid, lock->started_data);
	if (terminal)
		monitor_give_terminal(pid);
	wstatus = monitor_wait(cfg, lock, pid, sfd, lost);
	if (terminal)
		monitor_give_terminal(getpgrp());
	close(sfd);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return wstatus < 0 ? FLOM_EXIT_GENERIC : monitor_status(wstatus);
}
