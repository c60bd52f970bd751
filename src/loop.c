/*
 * flom: the reactor, with a ppoll() back end. See loop.h for the contract;
 * the deferred destroy is what keeps a pass from touching freed memory when
 * one close leads to others (a release grants a waiter that is gone, whose
 * close releases again...).
 */
#include "config.h"
#include "loop.h"

#include <errno.h>
#include <poll.h>

#include "flom.h"

struct loop_watch {
	int fd;
	short events;
	gboolean removed;
	gboolean last;         /* called after the other ready watches */
	loop_io_fn fn;
	gpointer data;
	GDestroyNotify destroy;
};

struct loop_timer {
	gint64 when_us;        /* G_MAXINT64: disarmed */
	loop_timer_fn fn;
	gpointer data;
};

struct loop {
	GPtrArray *watches;    /* of loop_watch, in the order they were added */
	GPtrArray *timers;     /* of loop_timer */
	guint removed;         /* watches waiting for their destroy */
	GArray *pfds;          /* of struct pollfd: the current wait */
	GPtrArray *ready;      /* the watch of each pfds entry */
	GArray *late;          /* of guint: ready pfds entries of last watches */
};

loop *loop_new(void)
{
	loop *l = g_new0(loop, 1);

	l->watches = g_ptr_array_new();
	l->timers = g_ptr_array_new_with_free_func(g_free);
	l->pfds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
	l->ready = g_ptr_array_new();
	l->late = g_array_new(FALSE, FALSE, sizeof(guint));
	return l;
}

static void loop_watch_destroy(loop_watch *w)
{
	if (w->destroy)
		w->destroy(w->data);
	g_free(w);
}

void loop_free(loop *l)
{
	if (!l)
		return;
	for (guint i = 0; i < l->watches->len; i++)
		loop_watch_destroy(g_ptr_array_index(l->watches, i));
	g_ptr_array_free(l->watches, TRUE);
	g_ptr_array_free(l->timers, TRUE);
	g_array_free(l->pfds, TRUE);
	g_ptr_array_free(l->ready, TRUE);
	g_array_free(l->late, TRUE);
	g_free(l);
}

loop_watch *loop_add(loop *l, int fd, short events, loop_io_fn fn, gpointer data,
		     GDestroyNotify destroy)
{
	loop_watch *w = g_new0(loop_watch, 1);

	w->fd = fd;
	w->events = events;
	w->fn = fn;
	w->data = data;
	w->destroy = destroy;
	g_ptr_array_add(l->watches, w);
	return w;
}

void loop_set_events(loop *l, loop_watch *w, short events)
{
	(void)l; /* an epoll back end would tell the kernel here */
	w->events = events;
}

void loop_set_last(loop *l, loop_watch *w)
{
	(void)l;
	w->last = TRUE;
}

void loop_remove(loop *l, loop_watch *w)
{
	if (w->removed)
		return;
	w->removed = TRUE;
	l->removed++;
}

/* Between passes: nobody holds a pointer from the last one any more. One
 * sweep keeps the order of the others. */
static void loop_purge(loop *l)
{
	guint kept = 0;

	if (l->removed == 0)
		return;
	for (guint i = 0; i < l->watches->len; i++) {
		loop_watch *w = g_ptr_array_index(l->watches, i);

		if (w->removed)
			loop_watch_destroy(w);
		else
			l->watches->pdata[kept++] = w;
	}
	g_ptr_array_set_size(l->watches, kept);
	l->removed = 0;
}

loop_timer *loop_timer_new(loop *l, loop_timer_fn fn, gpointer data)
{
	loop_timer *t = g_new0(loop_timer, 1);

	t->when_us = G_MAXINT64;
	t->fn = fn;
	t->data = data;
	g_ptr_array_add(l->timers, t);
	return t;
}

void loop_timer_arm(loop_timer *t, gint64 when_us)
{
	t->when_us = when_us;
}

void loop_timer_free(loop *l, loop_timer *t)
{
	g_ptr_array_remove(l->timers, t);
}

/* Milliseconds until the earliest timer, rounded up (waking early only costs
 * one more pass), at most FLOM_LOOP_WAIT_MAX_MS; -1 when none is armed. */
static int loop_timeout_ms(const loop *l, gint64 now_us)
{
	gint64 next = G_MAXINT64;

	for (guint i = 0; i < l->timers->len; i++)
		next = MIN(next, ((loop_timer *)g_ptr_array_index(l->timers, i))->when_us);
	if (next == G_MAXINT64)
		return -1;
	return (int)MIN((MAX(0, next - now_us) + 999) / 1000, FLOM_LOOP_WAIT_MAX_MS);
}

static void loop_build_pollfds(loop *l)
{
	g_array_set_size(l->pfds, 0);
	g_ptr_array_set_size(l->ready, 0);
	for (guint i = 0; i < l->watches->len; i++) {
		loop_watch *w = g_ptr_array_index(l->watches, i);
		struct pollfd p = { .fd = w->fd, .events = w->events };

		if (w->events == 0)
			continue;
		g_array_append_val(l->pfds, p);
		g_ptr_array_add(l->ready, w);
	}
}

static void loop_call(loop *l, guint i)
{
	const struct pollfd *p = &g_array_index(l->pfds, struct pollfd, i);
	loop_watch *w = g_ptr_array_index(l->ready, i);

	/* Removed earlier in this pass: w is still allocated, but its owner
	 * is done with it. */
	if (!w->removed)
		w->fn(p->fd, p->revents, w->data);
}

/* The n ready watches in the order they were added, the last ones after. */
static void loop_handle_ready(loop *l, int n)
{
	g_array_set_size(l->late, 0);
	for (guint i = 0; i < l->pfds->len && n > 0; i++) {
		if (!g_array_index(l->pfds, struct pollfd, i).revents)
			continue;
		n--;
		if (((loop_watch *)g_ptr_array_index(l->ready, i))->last)
			g_array_append_val(l->late, i);
		else
			loop_call(l, i);
	}
	for (guint j = 0; j < l->late->len; j++)
		loop_call(l, g_array_index(l->late, guint, j));
}

static void loop_fire_timers(loop *l, gint64 now_us)
{
	for (guint i = 0; i < l->timers->len; i++) {
		loop_timer *t = g_ptr_array_index(l->timers, i);

		if (t->when_us > now_us)
			continue;
		t->when_us = G_MAXINT64; /* one-shot: fn arms it again */
		if (t->fn)
			t->fn(t->data);
	}
}

int loop_run_once(loop *l, const sigset_t *waitmask)
{
	int timeout, n;
	struct timespec ts;

	loop_purge(l);
	loop_build_pollfds(l);
	timeout = loop_timeout_ms(l, g_get_monotonic_time());
	ts = (struct timespec){ timeout / 1000, (timeout % 1000) * 1000000L };
	n = ppoll((struct pollfd *)l->pfds->data, l->pfds->len, timeout < 0 ? NULL : &ts, waitmask);
	if (n < 0 && errno != EINTR)
		return -1;
	if (n > 0)
		loop_handle_ready(l, n);
	loop_fire_timers(l, g_get_monotonic_time());
	return 0;
}
