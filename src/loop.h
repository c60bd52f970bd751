/*
 * flom: the reactor. It knows descriptors, event masks, deadlines and
 * callbacks; nothing about connections, the protocol or locks.
 *
 * A pass is everything between two waits: the callbacks of the descriptors
 * that were ready, then the timers that are due, then whatever the owner does
 * before calling loop_run_once() again. A watch removed during a pass gets no
 * callback any more, but it and its data stay valid until the next wait
 * starts: only then is its destroy function called. Code of the pass may go
 * on using an object it just closed, and a ready list built before a close
 * never points at freed memory.
 *
 * The back end (ppoll today) is hidden: loop_add/loop_set_events/loop_remove
 * are what an epoll back end needs too.
 */
#ifndef FLOM_LOOP_H
#define FLOM_LOOP_H

#include <signal.h>
#include <glib.h>

typedef struct loop loop;
typedef struct loop_watch loop_watch;
typedef struct loop_timer loop_timer;

/* revents: POLLIN, POLLOUT, POLLHUP, POLLERR as poll(2) reports them. */
typedef void (*loop_io_fn)(int fd, short revents, gpointer data);
typedef void (*loop_timer_fn)(gpointer data);

loop *loop_new(void);
/* Destroys every watch's data (removed or not) and frees the timers. */
void loop_free(loop *l);

/*
 * Watch fd for events (POLLIN, POLLOUT; 0 = not now). destroy (may be NULL)
 * gets data once the watch is removed and the pass is over, or at
 * loop_free(). The loop never closes fd: destroy does, when it owns it.
 */
loop_watch *loop_add(loop *l, int fd, short events, loop_io_fn fn, gpointer data,
		     GDestroyNotify destroy);
/* Change what a watch waits for (e.g. POLLOUT while output is queued). */
void loop_set_events(loop *l, loop_watch *w, short events);
/* Its callback comes after those of every other ready watch of a pass
 * (a listener: the answers to what was read go out before new work). */
void loop_set_last(loop *l, loop_watch *w);
/* No callback from now on; destroy(data) when the next wait starts. */
void loop_remove(loop *l, loop_watch *w);

/* A one-shot deadline on the monotonic clock (g_get_monotonic_time). fn may
 * be NULL: the deadline then only ends the wait, for the owner's own work
 * after the pass. A new timer is disarmed. */
loop_timer *loop_timer_new(loop *l, loop_timer_fn fn, gpointer data);
/* Fire at when_us (monotonic, us); G_MAXINT64 disarms. Re-arming replaces. */
void loop_timer_arm(loop_timer *t, gint64 when_us);
/* Not from inside the timer's own callback. */
void loop_timer_free(loop *l, loop_timer *t);

/*
 * One pass: destroy what was removed, wait (with waitmask as the signal mask,
 * so signals blocked elsewhere arrive only here) until a descriptor is ready
 * or the earliest timer is due, then run the callbacks. 0 after a pass or an
 * interrupted wait, -1 with errno when the wait itself failed.
 */
int loop_run_once(loop *l, const sigset_t *waitmask);

#endif
