/*
 * flom: the keeper of an etcd lease (see etcd_keeper.h).
 *
 * Times: a keepalive sent at T and answered proves the lease lives until at
 * least T + TTL (the server counts from when it received it, later than T).
 * So with last_ok = the send time of the last answered keepalive, the command
 * must be dead by last_ok + TTL - margin ("the end"): SIGTERM at the end
 * minus the grace period, SIGKILL at the end at the latest. The grace period
 * is capped at half of TTL - margin, so keepalives get the other half to
 * recover before anything is stopped.
 */
#include "etcd_keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flom.h"
#include "trace.h"
#include "etcd_lib.h"

typedef struct keeper_run {
	etcd_http *h;
	gint64 lease, ttl_ms, grace_ms;
	gint64 last_ok;         /* send time of the last answered keepalive */
	gint64 next_ka;         /* when to send the next one */
	gint64 term_at;         /* 0 until the group is being stopped */
	pid_t group;            /* the command's process group, 0 until known */
	int in_fd, out_fd;
	gboolean flom_gone;
	char *why;              /* why the lease is at risk */
} keeper_run;

gint64 etcd_keeper_interval(gint64 ttl_ms)
{
	return MAX(ttl_ms / 4, 100);
}

gint64 etcd_keeper_grace(gint64 ttl_ms, gint64 grace_ms)
{
	return MIN(grace_ms, (ttl_ms - FLOM_ETCD_LEASE_MARGIN_MS) / 2);
}

static gint64 keeper_end(const keeper_run *k)
{
	return k->last_ok + k->ttl_ms - FLOM_ETCD_LEASE_MARGIN_MS;
}

static void keeper_keepalive(keeper_run *k)
{
	g_autofree char *body = g_strdup_printf("{\"ID\":\"%" G_GINT64_FORMAT "\"}", k->lease);
	g_autoptr(GError) err = NULL;
	gint64 sent = etcd_now_ms();
	/* Never block past the moment the command must be stopped. */
	gint64 budget = MAX(keeper_end(k) - etcd_keeper_grace(k->ttl_ms, k->grace_ms) - sent, 50);
	JsonObject *o = etcd_http_post(k->h, "/v3/lease/keepalive", body, budget, &err);
	JsonObject *result = o && json_object_has_member(o, "result") ?
		json_object_get_object_member(o, "result") : NULL;

	if (result && etcd_int_member(result, "TTL") > 0) {
		k->last_ok = sent;
		k->next_ka = sent + etcd_keeper_interval(k->ttl_ms);
	} else if (o) {
		/* Answered, but the lease is gone (revoked, or expired): no
		 * margin is left at all. */
		k->last_ok = G_MININT64 / 2;
		g_free(k->why);
		k->why = g_strdup("the lease expired or was revoked");
	} else {
		g_free(k->why);
		k->why = g_strdup(err->message);
		k->next_ka = etcd_now_ms() + FLOM_ETCD_KEEPALIVE_RETRY_MS;
	}
	if (o)
		json_object_unref(o);
}

static gboolean keeper_group_gone(const keeper_run *k)
{
	return k->group <= 0 || (kill(-k->group, 0) < 0 && errno == ESRCH);
}

/* Start stopping the command: SIGTERM now (SIGKILL follows in keeper_step). */
static void keeper_stop_group(keeper_run *k, const char *what)
{
	k->term_at = etcd_now_ms();
	/* flom's loss descriptor first: when flom reaps the command, it must
	 * already see why it ended. */
	if (k->out_fd >= 0) {
		close(k->out_fd);
		k->out_fd = -1;
	}
	if (k->group > 0) {
		fprintf(stderr, "flom: %s: stopping the command (process group %d)\n", what, (int)k->group);
		kill(-k->group, SIGTERM);
	}
}

/* Read what flom (or the command) wrote: FALSE when flom said "done". */
static gboolean keeper_read(keeper_run *k)
{
	pid_t v;
	ssize_t n = read(k->in_fd, &v, sizeof(v));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return TRUE;
	if (n == (ssize_t)sizeof(v)) {
		if (v == 0)
			return FALSE;
		k->group = v;
		return TRUE;
	}
	k->flom_gone = TRUE; /* EOF, or garbage: flom is gone */
	close(k->in_fd);
	k->in_fd = -1;
	if (k->term_at == 0)
		keeper_stop_group(k, "flom ended without releasing its etcd lock");
	return TRUE;
}

/* One pass: deadlines first, then a keepalive if due. FALSE: done. */
static gboolean keeper_step(keeper_run *k, gint64 now)
{
	gint64 end = keeper_end(k);

	if (k->term_at == 0 && now >= end - etcd_keeper_grace(k->ttl_ms, k->grace_ms)) {
		g_autofree char *what = g_strdup_printf("etcd lease %" G_GINT64_MODIFIER "x may expire "
							"(%s)", k->lease, k->why ? k->why : "no answer");
		keeper_stop_group(k, what);
	}
	if (k->term_at != 0) {
		if (keeper_group_gone(k))
			return FALSE;
		if (now >= MIN(k->term_at + k->grace_ms, end)) {
			kill(-k->group, SIGKILL);
			return FALSE;
		}
	}
	if (now >= k->next_ka)
		keeper_keepalive(k);
	return TRUE;
}

static int keeper_poll_ms(const keeper_run *k, gint64 now)
{
	gint64 wake = MIN(k->next_ka, keeper_end(k) - etcd_keeper_grace(k->ttl_ms, k->grace_ms));

	if (k->term_at != 0)
		wake = MIN(wake, now + 20); /* watch the group go */
	return (int)CLAMP(wake - now, 0, 1000);
}

static void keeper_revoke(keeper_run *k)
{
	g_autofree char *body = g_strdup_printf("{\"ID\":\"%" G_GINT64_FORMAT "\"}", k->lease);
	JsonObject *o = etcd_http_post(k->h, "/v3/lease/revoke", body, FLOM_ETCD_REQUEST_TIMEOUT_MS, NULL);

	if (o)
		json_object_unref(o);
}

static G_GNUC_NORETURN void keeper_main(keeper_run *k)
{
	static const int quiet[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };

	/* A watchdog: the signals meant for flom's group are not for it; it
	 * ends when flom says so, or after stopping the command. */
	for (size_t i = 0; i < G_N_ELEMENTS(quiet); i++)
		signal(quiet[i], SIG_IGN);
	for (;;) {
		struct pollfd p = { .fd = k->in_fd, .events = POLLIN };
		gint64 now = etcd_now_ms();

		if (!keeper_step(k, now))
			break;
		now = etcd_now_ms();
		if (poll(&p, k->in_fd >= 0 ? 1 : 0, keeper_poll_ms(k, now)) > 0 && !keeper_read(k))
			_exit(0);
	}
	if (k->flom_gone)
		keeper_revoke(k); /* the command is gone: let the next holder in now */
	_exit(0);
}

static void keeper_child(keeper_run *k, int a[2], int b[2])
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	close(a[1]);
	close(b[0]);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	k->in_fd = a[0];
	k->out_fd = b[1];
	etcd_http_forget_connections(k->h);
	keeper_main(k);
}

int etcd_keeper_start(etcd_keeper *k, etcd_http *h, gint64 lease, gint64 ttl_ms, gint64 sent_ms,
		      gint64 grace_ms, GError **err)
{
	keeper_run run = { h, lease, ttl_ms, grace_ms, sent_ms,
			   sent_ms + etcd_keeper_interval(ttl_ms), 0, 0, -1, -1, FALSE, NULL };
	int a[2], b[2];

	if (pipe2(a, O_CLOEXEC) < 0 || pipe2(b, O_CLOEXEC) < 0) {
		g_set_error(err, ETCD_ERROR, errno, "pipe: %s", g_strerror(errno));
		return -1;
	}
	fflush(NULL);
	k->pid = fork();
	if (k->pid == 0)
		keeper_child(&run, a, b);
	close(a[0]);
	close(b[1]);
	if (k->pid < 0) {
		g_set_error(err, ETCD_ERROR, errno, "fork: %s", g_strerror(errno));
		close(a[1]);
		close(b[0]);
		k->pid = 0;
		return -1;
	}
	k->to_keeper = a[1];
	k->from_keeper = b[0];
	fcntl(b[0], F_SETFL, fcntl(b[0], F_GETFL) | O_NONBLOCK);
	return 0;
}

void etcd_keeper_done(etcd_keeper *k)
{
	pid_t done = 0;

	if (k->pid <= 0 || k->told)
		return;
	k->told = TRUE;
	if (write(k->to_keeper, &done, sizeof(done)) < 0)
		TRACE(TRACE_CLIENT, "keeper already gone: %s", g_strerror(errno));
}

void etcd_keeper_stop(etcd_keeper *k)
{
	if (k->pid <= 0)
		return;
	etcd_keeper_done(k);
	close(k->to_keeper);
	close(k->from_keeper);
	while (waitpid(k->pid, NULL, 0) < 0 && errno == EINTR)
		;
	k->pid = 0;
}
