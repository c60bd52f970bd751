/*
 * Unit tests of the lock table with a fake clock: every call gets now_us
 * from the test, never from the system.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "locktable_fx.h"

/* ---- lock modes ---- */

/* The DLM matrix written out again here, from the reference table, so the
 * test does not read the table under test. Row: held, column: requested. */
static const char *const matrix[FLOM_LOCK_MODE_N] = {
	/* NL CR CW PR PW EX */
	"YYYYYY",   /* NL */
	"YYYYYN",   /* CR */
	"YYYNNN",   /* CW */
	"YYNYNN",   /* PR */
	"YYNNNN",   /* PW */
	"YNNNNN",   /* EX */
};

static void test_mode_matrix(fx *f, gconstpointer data)
{
	(void)data;
	for (int held = 0; held < FLOM_LOCK_MODE_N; held++) {
		for (int asked = 0; asked < FLOM_LOCK_MODE_N; asked++) {
			gboolean ok = matrix[held][asked] == 'Y';

			/* wait=0: granted or busy, nothing kept when busy */
			g_assert_cmpint(lock_mode(f, 1, "R", held, TRUE), ==, FLOM_RC_OK);
			g_assert_cmpint(lock_mode(f, 2, "R", asked, FALSE), ==,
					ok ? FLOM_RC_OK : FLOM_RC_BUSY);
			g_assert_cmpuint(lt_owner_count(f->t), ==, ok ? 2 : 1);
			unlock(f, 2, FALSE);
			/* wait=1: granted or queued, then granted on release */
			g_assert_cmpint(lock_mode(f, 2, "R", asked, TRUE), ==,
					ok ? FLOM_RC_OK : FLOM_RC_ENQUEUED);
			unlock(f, 1, FALSE);
			g_assert_cmpint(ev_rc(f, 2), ==, ok ? NO_EVENT : FLOM_RC_OK);
			unlock(f, 2, FALSE);
			g_assert_cmpuint(lt_owner_count(f->t), ==, 0);
		}
	}
}

/* A reader queued behind a writer never overtakes it (the original let it,
 * reference §4.5 UC5 1/9; we keep the queue FIFO, §11 item 21). */
static void test_fifo_reader_behind_writer(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock_mode(f, 1, "R", PR, TRUE), ==, FLOM_RC_OK);
	g_assert_cmpint(lock_mode(f, 3, "R", PW, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_mode(f, 2, "R", PR, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_mode(f, 4, "R", PR, FALSE), ==, FLOM_RC_BUSY);
	g_assert_cmpint(lock_mode(f, 5, "R", NL, FALSE), ==, FLOM_RC_BUSY);
	unlock(f, 1, FALSE);
	g_assert_cmpint(ev_rc(f, 3), ==, FLOM_RC_OK);
	g_assert_cmpint(ev_rc(f, 2), ==, NO_EVENT);
	unlock(f, 3, FALSE);
	g_assert_cmpint(ev_rc(f, 2), ==, FLOM_RC_OK);
	unlock(f, 2, FALSE);
	g_assert_cmpuint(lt_owner_count(f->t), ==, 0);
}

/* On release, grant from the head while the head can be granted, and stop
 * at the first waiter that cannot. */
static void test_fifo_grant_run(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock_mode(f, 1, "R", EX, TRUE), ==, FLOM_RC_OK);
	g_assert_cmpint(lock_mode(f, 2, "R", PR, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_mode(f, 3, "R", CR, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_mode(f, 4, "R", PW, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_mode(f, 5, "R", PR, TRUE), ==, FLOM_RC_ENQUEUED);
	unlock(f, 1, FALSE);
	g_assert_cmpuint(f->ev->len, ==, 2);
	g_assert_cmpuint(g_array_index(f->ev, lt_event, 0).owner, ==, 2);
	g_assert_cmpuint(g_array_index(f->ev, lt_event, 1).owner, ==, 3);
	g_assert_cmpint(ev_rc(f, 2), ==, FLOM_RC_OK);
	g_assert_cmpint(ev_rc(f, 3), ==, FLOM_RC_OK);
	unlock(f, 2, FALSE);
	g_assert_cmpint(ev_rc(f, 4), ==, FLOM_RC_OK);  /* PW with a CR holder */
	g_assert_cmpint(ev_rc(f, 5), ==, NO_EVENT);    /* PR waits for the PW */
	unlock(f, 4, FALSE);
	g_assert_cmpint(ev_rc(f, 5), ==, FLOM_RC_OK);
}

/* Release (disconnect) at every position: holder, head, middle, tail. */
static void test_disconnect_positions(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock_mode(f, 1, "R", PR, TRUE), ==, FLOM_RC_OK);
	g_assert_cmpint(lock_mode(f, 2, "R", EX, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_mode(f, 3, "R", PR, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_mode(f, 4, "R", EX, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_mode(f, 5, "R", PR, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_mode(f, 6, "R", PR, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpuint(lt_owner_count(f->t), ==, 6);

	/* tail leaves: nothing changes for the others */
	unlock(f, 6, TRUE);
	g_assert_cmpuint(f->ev->len, ==, 0);
	g_assert_null(lt_owner_resource(f->t, 6));
	/* middle (EX 4) leaves: 5 is still behind the EX head */
	unlock(f, 4, TRUE);
	g_assert_cmpuint(f->ev->len, ==, 0);
	/* head (EX 2) leaves: 3 and 5 (PR) join the PR holder */
	unlock(f, 2, TRUE);
	g_assert_cmpint(ev_rc(f, 3), ==, FLOM_RC_OK);
	g_assert_cmpint(ev_rc(f, 5), ==, FLOM_RC_OK);
	g_assert_cmpuint(lt_owner_count(f->t), ==, 3);

	/* a holder leaves: the waiter it blocked gets it */
	g_assert_cmpint(lock_mode(f, 7, "R", EX, TRUE), ==, FLOM_RC_ENQUEUED);
	unlock(f, 1, TRUE);
	unlock(f, 3, TRUE);
	g_assert_cmpuint(f->ev->len, ==, 0);
	unlock(f, 5, TRUE);
	g_assert_cmpint(ev_rc(f, 7), ==, FLOM_RC_OK);
	g_assert_cmpstr(lt_owner_resource(f->t, 7), ==, "R");
	unlock(f, 7, FALSE);
	g_assert_cmpuint(lt_owner_count(f->t), ==, 0);
	/* unknown owners are ignored */
	unlock(f, 42, FALSE);
	g_assert_cmpuint(f->ev->len, ==, 0);
}

static void test_independent_resources(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock(f, 1, "R1"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 2, "R2"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 3, "R1"), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock(f, 4, "_RESOURCE"), ==, FLOM_RC_OK);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 3);
	unlock(f, 2, FALSE);
	g_assert_cmpuint(f->ev->len, ==, 0);
	unlock(f, 1, FALSE);
	g_assert_cmpint(ev_rc(f, 3), ==, FLOM_RC_OK);
}

/* ---- hierarchical (reference §10.12) ---- */

typedef struct {
	guint64 owner;
	const char *name;   /* NULL: release owner instead */
	int mode;
	int rc;             /* the requester's rc */
	guint64 woken[3];   /* owners granted by this step (0-terminated) */
} hier_step;

#define HIER_STEPS_MAX 8

typedef struct {
	const char *title;
	hier_step steps[HIER_STEPS_MAX];
} hier_case;

#define REL(o, ...) { (o), NULL, 0, 0, { __VA_ARGS__ } }

static const hier_case hier_cases[] = {
	{ "UC14 1/6", {
		{ 1, "/apple", EX, FLOM_RC_OK, { 0 } },
		{ 2, "/pear", EX, FLOM_RC_OK, { 0 } },
		{ 3, "/banana", EX, FLOM_RC_OK, { 0 } } } },
	{ "UC14 2/6", {
		{ 1, "/apple", EX, FLOM_RC_OK, { 0 } },
		{ 2, "/apple/pear", EX, FLOM_RC_ENQUEUED, { 0 } },
		{ 3, "/apple/pear/banana", EX, FLOM_RC_ENQUEUED, { 0 } },
		REL(1, 2),
		REL(2, 3) } },
	{ "UC14 3/6", {
		{ 1, "/apple/pear/banana", EX, FLOM_RC_OK, { 0 } },
		{ 2, "/apple/pear", EX, FLOM_RC_ENQUEUED, { 0 } },
		{ 3, "/apple", EX, FLOM_RC_ENQUEUED, { 0 } },
		REL(1, 2),
		REL(2, 3) } },
	{ "UC14 4/6", {
		{ 1, "/apple", CR, FLOM_RC_OK, { 0 } },
		{ 2, "/apple/pear/banana", PW, FLOM_RC_OK, { 0 } },
		{ 3, "/apple/pear", CR, FLOM_RC_OK, { 0 } } } },
	{ "UC14 5/6", {
		{ 1, "/apple/pear/banana", CR, FLOM_RC_OK, { 0 } },
		{ 2, "/apple/pear", CR, FLOM_RC_OK, { 0 } },
		{ 3, "/apple", PR, FLOM_RC_OK, { 0 } } } },
	{ "UC14 6/6", {
		{ 1, "/apple/pear/banana", EX, FLOM_RC_OK, { 0 } },
		{ 2, "/apple/watermelon", EX, FLOM_RC_OK, { 0 } },
		{ 3, "/apple/watermelon/bilberry", EX, FLOM_RC_ENQUEUED, { 0 } },
		REL(1),
		REL(2, 3) } },
	{ "UC15 1/8", {
		{ 1, "/foo/bar", PR, FLOM_RC_OK, { 0 } },
		{ 2, "/foo/blue/apple", EX, FLOM_RC_OK, { 0 } } } },
	{ "UC15 2/8", {
		{ 1, "/foo/bar", PR, FLOM_RC_OK, { 0 } },
		{ 2, "/foo/bar/apple", EX, FLOM_RC_ENQUEUED, { 0 } },
		REL(1, 2) } },
	{ "UC15 3/8", {
		{ 1, "/foo/bar/apple", EX, FLOM_RC_OK, { 0 } },
		{ 2, "/foo/bar", PR, FLOM_RC_ENQUEUED, { 0 } },
		REL(1, 2) } },
	{ "UC15 4/8", {
		{ 1, "/foo/bar", PR, FLOM_RC_OK, { 0 } },
		{ 2, "/foo/bar/fruit/apple", EX, FLOM_RC_ENQUEUED, { 0 } },
		REL(1, 2) } },
	{ "UC15 5/8", {
		{ 1, "/foo/bar/fruit/apple", EX, FLOM_RC_OK, { 0 } },
		{ 2, "/foo/bar", PR, FLOM_RC_ENQUEUED, { 0 } },
		REL(1, 2) } },
	{ "UC15 6/8", {
		{ 1, "/foo/bar", PR, FLOM_RC_OK, { 0 } },
		{ 2, "/foo/bar/fruit", PR, FLOM_RC_OK, { 0 } },
		{ 3, "/foo", PR, FLOM_RC_OK, { 0 } } } },
	{ "UC15 7/8", {
		{ 1, "/foo/bar", PR, FLOM_RC_OK, { 0 } },
		{ 2, "/foo/blue/apple", EX, FLOM_RC_OK, { 0 } },
		{ 3, "/foo", PR, FLOM_RC_ENQUEUED, { 0 } },
		REL(1),
		REL(2, 3) } },
	{ "UC15 8/8", {
		{ 1, "/foo/bar", PR, FLOM_RC_OK, { 0 } },
		{ 2, "/foo", PR, FLOM_RC_OK, { 0 } },
		{ 3, "/foo/blue/apple", EX, FLOM_RC_ENQUEUED, { 0 } },
		REL(1),
		REL(2, 3) } },
	/* the FIFO rule of hierarchical resources: a waiter blocks only the
	 * later requests it conflicts with by path and mode */
	{ "selective FIFO", {
		{ 1, "/a/b", EX, FLOM_RC_OK, { 0 } },
		{ 2, "/a", PR, FLOM_RC_ENQUEUED, { 0 } },   /* EX descendant */
		{ 3, "/a/c", PR, FLOM_RC_OK, { 0 } },       /* PR vs waiting PR: fine */
		{ 4, "/a/d", EX, FLOM_RC_ENQUEUED, { 0 } }, /* waiter 2 is in the way */
		{ 5, "/a/b/x", CR, FLOM_RC_ENQUEUED, { 0 } }, /* holder 1 */
		{ 6, "/a/e", NL, FLOM_RC_OK, { 0 } },       /* NL conflicts with nothing */
		REL(1, 2, 5),    /* 4 stays: holder PR /a now */
		REL(2, 4) } },
	{ "waiters in order on one path", {
		{ 1, "/a/b", EX, FLOM_RC_OK, { 0 } },
		{ 2, "/a/b", PR, FLOM_RC_ENQUEUED, { 0 } },
		{ 3, "/a/b/c", EX, FLOM_RC_ENQUEUED, { 0 } },
		{ 4, "/a/b", PR, FLOM_RC_ENQUEUED, { 0 } },  /* behind the EX waiter */
		REL(1, 2),
		REL(2, 3),
		REL(3, 4) } },
};

static void hier_run_case(fx *f, const hier_case *c)
{
	for (guint i = 0; i < HIER_STEPS_MAX; i++) {
		const hier_step *s = &c->steps[i];

		if (s->owner == 0)
			break;
		if (s->name != NULL) {
			int rc = lock_mode(f, s->owner, s->name, s->mode, TRUE);

			if (rc != s->rc)
				g_error("%s step %u: owner %" G_GUINT64_FORMAT " %s rc %d, expected %d",
					c->title, i, s->owner, s->name, rc, s->rc);
			continue;
		}
		unlock(f, s->owner, FALSE);
		for (guint w = 0; w < G_N_ELEMENTS(s->woken) && s->woken[w] != 0; w++)
			if (ev_rc(f, s->woken[w]) != FLOM_RC_OK)
				g_error("%s step %u: owner %" G_GUINT64_FORMAT " not granted",
					c->title, i, s->woken[w]);
		{
			guint n = 0;

			while (n < G_N_ELEMENTS(s->woken) && s->woken[n] != 0)
				n++;
			if (f->ev->len != n)
				g_error("%s step %u: %u grants, expected %u", c->title, i, f->ev->len, n);
		}
	}
}

static void test_hier_cases(fx *f, gconstpointer data)
{
	(void)data;
	for (guint i = 0; i < G_N_ELEMENTS(hier_cases); i++) {
		lt_table *old = f->t;

		f->t = lt_new();
		hier_run_case(f, &hier_cases[i]);
		lt_free(f->t);
		f->t = old;
	}
}

/* One object per root; unlock of every path leaves no trace after reaping. */
static void test_hier_objects(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock(f, 1, "/a/b/c"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 2, "/a/x"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 3, "/b"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 4, "/ab"), ==, FLOM_RC_OK);   /* not under /a */
	g_assert_cmpuint(lt_resource_count(f->t), ==, 3);
	g_assert_cmpint(lock(f, 5, "/a/b"), ==, FLOM_RC_ENQUEUED);
	unlock(f, 5, TRUE);   /* a waiter disconnects: its node goes away */
	g_assert_cmpint(lock_mode(f, 6, "/a/b", EX, FALSE), ==, FLOM_RC_BUSY);
	unlock(f, 1, FALSE);
	g_assert_cmpint(lock_mode(f, 6, "/a/b", EX, FALSE), ==, FLOM_RC_OK);
	unlock(f, 6, FALSE);
	unlock(f, 2, FALSE);
	unlock(f, 3, FALSE);
	unlock(f, 4, FALSE);
	tick(f, f->now + FLOM_RESOURCE_IDLE_MIN_MS * MS);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 0);
	g_assert_true(lt_is_empty(f->t));
}

/* A waiter that leaves lets in the waiters it alone blocked (the holders
 * admit them), and only a rescan that can grant someone is made: waiters
 * blocked by a holder stay queued, in order, however many leave. */
static void test_hier_waiter_leaves(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock(f, 1, "/a/x"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 2, "/a"), ==, FLOM_RC_ENQUEUED);      /* the holder blocks it */
	g_assert_cmpint(lock(f, 3, "/a/y"), ==, FLOM_RC_ENQUEUED);    /* waiter 2 blocks it */
	for (guint64 o = 10; o < 1010; o++)
		g_assert_cmpint(lock(f, o, "/a/x"), ==, FLOM_RC_ENQUEUED); /* the holder blocks them */
	for (guint64 o = 10; o < 1010; o++) {
		unlock(f, o, TRUE);
		g_assert_cmpuint(f->ev->len, ==, 0);
	}
	unlock(f, 2, TRUE);
	g_assert_cmpint(ev_rc(f, 3), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 4, "/a/x/z"), ==, FLOM_RC_ENQUEUED);
	unlock(f, 1, FALSE);
	g_assert_cmpint(ev_rc(f, 4), ==, FLOM_RC_OK);
}

/* N departures before one tick (a daemon's pass) cost one scan of the
 * queue, not N. Waiters on a deep path that the holders admit but a waiter
 * ahead blocks (where any departure could let someone in) leave together;
 * then N readers of a deep path leave together while N writers wait. Quadratic
 * work would take minutes here; the bound is wide for a loaded machine. */
static void test_hier_leave_together(fx *f, gconstpointer data)
{
	enum { N = 20000 };
	g_autoptr(GString) deep = g_string_new("");
	g_autoptr(GTimer) timer = NULL;
	g_autofree char *waiters_path = NULL;
	g_autofree char *readers_path = NULL;

	(void)data;
	for (int i = 2; i < FLOM_HIER_DEPTH_MAX; i++)
		g_string_append_printf(deep, "/level%02d", i);
	waiters_path = g_strconcat("/a/y", deep->str, NULL);
	readers_path = g_strconcat("/b/y", deep->str, NULL);
	g_assert_cmpint(lock(f, 1, "/a/x"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 2, "/a"), ==, FLOM_RC_ENQUEUED);
	for (guint64 o = 10; o < 10 + N; o++)
		g_assert_cmpint(lock(f, o, waiters_path), ==, FLOM_RC_ENQUEUED);
	for (guint64 o = 100000; o < 100000 + N; o++)
		g_assert_cmpint(lock_mode(f, o, readers_path, FLOM_LOCK_MODE_PR, TRUE), ==, FLOM_RC_OK);
	for (guint64 o = 200000; o < 200000 + N; o++)
		g_assert_cmpint(lock(f, o, readers_path), ==, FLOM_RC_ENQUEUED);
	timer = g_timer_new();
	lt_events_clear(f->ev);
	for (guint64 o = 10; o < 10 + N; o++)
		lt_release(f->t, o, TRUE, f->now, f->ev);
	g_assert_cmpuint(f->ev->len, ==, 0);
	g_assert_cmpint(lt_next_deadline(f->t), <=, f->now);
	tick(f, f->now);
	g_assert_cmpuint(f->ev->len, ==, 0);                /* the holder still blocks 2 */
	for (guint64 o = 100000; o < 100000 + N; o++)
		lt_release(f->t, o, FALSE, f->now, f->ev);
	g_assert_cmpuint(f->ev->len, ==, 0);
	tick(f, f->now);
	g_assert_cmpuint(f->ev->len, ==, 1);                /* the first writer */
	g_assert_cmpint(ev_rc(f, 200000), ==, FLOM_RC_OK);
	g_test_message("%d waiters, then %d holders left together: %.3f s", N, N,
		       g_timer_elapsed(timer, NULL));
	g_assert_cmpfloat(g_timer_elapsed(timer, NULL), <, 10.0);
	unlock(f, 1, FALSE);
	g_assert_cmpint(ev_rc(f, 2), ==, FLOM_RC_OK);
}

/* ---- numeric ---- */


static void test_numeric(fx *f, gconstpointer data)
{
	(void)data;
	/* UC10 1/3: the third of foo[2] waits */
	g_assert_cmpint(lock_q(f, 1, "foo[2]", 1, TRUE), ==, FLOM_RC_OK);
	g_assert_cmpint(lock_q(f, 2, "foo[2]", 1, TRUE), ==, FLOM_RC_OK);
	g_assert_cmpint(lock_q(f, 3, "foo[2]", 1, FALSE), ==, FLOM_RC_BUSY);
	/* UC10 3/3: two units wanted, waits for both */
	g_assert_cmpint(lock_q(f, 3, "foo[2]", 2, TRUE), ==, FLOM_RC_ENQUEUED);
	/* impossible whatever wait says, and nothing kept */
	g_assert_cmpint(lock_q(f, 4, "foo[2]", 3, TRUE), ==, FLOM_RC_IMPOSSIBLE);
	g_assert_cmpint(lock_q(f, 4, "foo[2]", 3, FALSE), ==, FLOM_RC_IMPOSSIBLE);
	g_assert_null(lt_owner_resource(f->t, 4));
	/* a one-unit request does not overtake the two-unit waiter */
	g_assert_cmpint(lock_q(f, 4, "foo[2]", 1, TRUE), ==, FLOM_RC_ENQUEUED);
	unlock(f, 1, FALSE);
	g_assert_cmpuint(f->ev->len, ==, 0);
	unlock(f, 2, FALSE);
	g_assert_cmpint(ev_rc(f, 3), ==, FLOM_RC_OK);
	g_assert_cmpint(ev_rc(f, 4), ==, NO_EVENT);
	unlock(f, 3, FALSE);
	g_assert_cmpint(ev_rc(f, 4), ==, FLOM_RC_OK);
	/* foo[3] is another resource */
	g_assert_cmpint(lock_q(f, 5, "foo[3]", 3, FALSE), ==, FLOM_RC_OK);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 2);
	/* a creator refused as impossible leaves no resource */
	g_assert_cmpint(lock_q(f, 6, "bar[1]", 2, TRUE), ==, FLOM_RC_IMPOSSIBLE);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 2);
}

static void test_numeric_quantity_range(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock_q(f, 1, "foo[2]", 0, TRUE), ==, FLOM_RC_INVALID_REQUEST);
	g_assert_cmpint(lock_q(f, 1, "foo[2]", -5, TRUE), ==, FLOM_RC_INVALID_REQUEST);
	g_assert_cmpint(lock_q(f, 1, "foo[2]", G_MININT64, TRUE), ==, FLOM_RC_INVALID_REQUEST);
	g_assert_cmpint(lock_q(f, 1, "foo[2]", G_MAXINT64, TRUE), ==, FLOM_RC_IMPOSSIBLE);
	g_assert_cmpuint(lt_owner_count(f->t), ==, 0);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 0);
	/* the largest capacity and quantity */
	g_assert_cmpint(lock_q(f, 1, "big[2147483647]", G_MAXINT32, TRUE), ==, FLOM_RC_OK);
	g_assert_cmpint(lock_q(f, 2, "big[2147483647]", 1, FALSE), ==, FLOM_RC_BUSY);
	/* quantity means nothing to other types */
	g_assert_cmpint(lock_q(f, 3, "plain", 0, TRUE), ==, FLOM_RC_OK);
}

/* ---- set ---- */

static void test_set_rotation(fx *f, gconstpointer data)
{
	(void)data;
	/* UC12 and UC13 (2/2): red, green, blue; then green while red and
	 * blue are busy and the index is back at 0 */
	g_assert_cmpint(lock(f, 1, "red.green.blue"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 1), ==, "red");
	g_assert_cmpint(lock(f, 2, "red.green.blue"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 2), ==, "green");
	g_assert_cmpint(lock(f, 3, "red.green.blue"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 3), ==, "blue");
	unlock(f, 2, FALSE);
	g_assert_cmpint(lock(f, 4, "red.green.blue"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 4), ==, "green");
	/* index now 1: red freed, the scan from green and blue (busy) wraps */
	unlock(f, 1, FALSE);
	g_assert_cmpint(lock(f, 5, "red.green.blue"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 5), ==, "red");
	/* index 2: all busy; a waiter gets the first element freed */
	g_assert_cmpint(lock_mode(f, 6, "red.green.blue", EX, FALSE), ==, FLOM_RC_BUSY);
	g_assert_cmpint(lock(f, 6, "red.green.blue"), ==, FLOM_RC_ENQUEUED);
	unlock(f, 4, FALSE);
	g_assert_cmpint(ev_rc(f, 6), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 6), ==, "green");
}

/* The index moves by one per grant, not to just after the element taken:
 * when the scan had to skip busy elements the two differ. */
static void test_set_index_by_one(fx *f, gconstpointer data)
{
	static const struct { guint64 owner; const char *element; } grants[] = {
		{ 1, "a" }, { 2, "b" }, { 0, NULL }, { 3, "c" }, { 4, "d" }, { 5, "a" },
	};

	(void)data;
	for (guint i = 0; i < G_N_ELEMENTS(grants); i++) {
		if (grants[i].owner == 0) {
			unlock(f, 1, FALSE);
			continue;
		}
		g_assert_cmpint(lock(f, grants[i].owner, "a.b.c.d"), ==, FLOM_RC_OK);
		g_assert_cmpstr(ev_element(f, grants[i].owner), ==, grants[i].element);
	}
	/* all busy, index 1; free c and d */
	unlock(f, 3, FALSE);
	unlock(f, 4, FALSE);
	g_assert_cmpint(lock(f, 6, "a.b.c.d"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 6), ==, "c");    /* skipped b; index 2 */
	unlock(f, 6, FALSE);
	g_assert_cmpint(lock(f, 7, "a.b.c.d"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 7), ==, "c");    /* from index 2, not 3 */
}

/* UC13 (1/2): three holders, a fourth -o 0 is busy, and once all are gone a
 * fifth (resource still alive) gets red: a busy refusal does not move the
 * index. */
static void test_set_busy_then_red(fx *f, gconstpointer data)
{
	(void)data;
	for (guint64 o = 1; o <= 3; o++)
		g_assert_cmpint(lock(f, o, "red.green.blue"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock_mode(f, 4, "red.green.blue", EX, FALSE), ==, FLOM_RC_BUSY);
	for (guint64 o = 1; o <= 3; o++)
		unlock(f, o, FALSE);
	f->now += 500 * MS;
	g_assert_cmpint(lock(f, 5, "red.green.blue"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 5), ==, "red");
}

/* ---- sequence (reference §10.13) ---- */

/* Run the 13 commands of UC18 3/6 and 4/6 one after the other; return the
 * values the "echo" ones printed. */
static char *sequence_run(fx *f, const char *name)
{
	/* t: true, e: echo (prints the value), f: false (rollback) */
	static const char script[] = "tttettefefete";
	GString *out = g_string_new(NULL);
	guint64 owner = 100;

	for (const char *c = script; *c != '\0'; c++, owner++) {
		lt_lock_request r = req_default(owner, name);

		r.idle_lifespan_ms = 1000;
		g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
		if (*c == 'e')
			g_string_append_printf(out, "%s%s", out->len > 0 ? " " : "",
					       ev_element(f, owner));
		f->now += 10 * MS;
		unlock(f, owner, *c == 'f');
		f->now += 10 * MS;
		tick(f, f->now);
	}
	return g_string_free(out, FALSE);
}

static void test_sequence_transactional(fx *f, gconstpointer data)
{
	g_autofree char *values = sequence_run(f, "_S_a[1]");

	(void)data;
	g_assert_cmpstr(values, ==, "4 7 8 9 11");
}

static void test_sequence_plain(fx *f, gconstpointer data)
{
	g_autofree char *values = sequence_run(f, "_s_a[1]");

	(void)data;
	g_assert_cmpstr(values, ==, "4 7 9 11 13");
}

/* UC18 (5/6) and (6/6): three slots, a fourth waits; rollbacks on _s_ give
 * nothing back, on _S_ the value goes to the next grant. */
static void test_sequence_slots(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock(f, 1, "_s_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 2, "_s_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 3, "_s_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 4, "_s_a[3]"), ==, FLOM_RC_ENQUEUED);
	unlock(f, 2, TRUE);
	g_assert_cmpstr(ev_element(f, 4), ==, "4");
	unlock(f, 4, FALSE);
	unlock(f, 1, FALSE);
	unlock(f, 3, FALSE);
	f->now += 1000 * MS - 1;       /* idle just under a second: kept */
	tick(f, f->now);
	g_assert_cmpint(lock(f, 5, "_s_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 5), ==, "5");

	g_assert_cmpint(lock(f, 11, "_S_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 11), ==, "1");
	g_assert_cmpint(lock(f, 12, "_S_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 13, "_S_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 14, "_S_a[3]"), ==, FLOM_RC_ENQUEUED);
	unlock(f, 12, TRUE);                          /* 2 rolled back */
	g_assert_cmpstr(ev_element(f, 14), ==, "2");
	unlock(f, 14, FALSE);                         /* 2 committed */
	g_assert_cmpint(lock(f, 15, "_S_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 15), ==, "4");
	unlock(f, 11, FALSE);
	unlock(f, 15, FALSE);
	unlock(f, 13, TRUE);                          /* 3 rolled back */
	g_assert_cmpint(lock(f, 16, "_S_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 16), ==, "3");
	/* several rolled back values come back oldest first */
	g_assert_cmpint(lock(f, 17, "_S_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 18, "_S_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 18), ==, "6");
	unlock(f, 18, TRUE);
	unlock(f, 16, TRUE);
	g_assert_cmpint(lock(f, 19, "_S_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 19), ==, "6");
	g_assert_cmpint(lock(f, 20, "_S_a[3]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 20), ==, "3");
}

/* A disconnect of a waiter returns nothing (it had no value); an _S_ holder
 * that disconnects (rollback=TRUE from the daemon) gives its value back. */
static void test_sequence_disconnect(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock(f, 1, "_S_q[1]"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 2, "_S_q[1]"), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock(f, 3, "_S_q[1]"), ==, FLOM_RC_ENQUEUED);
	unlock(f, 2, TRUE);
	g_assert_cmpuint(f->ev->len, ==, 0);
	unlock(f, 1, TRUE);
	g_assert_cmpstr(ev_element(f, 3), ==, "1");
	unlock(f, 3, FALSE);
	g_assert_cmpint(lock(f, 4, "_S_q[1]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 4), ==, "2");
}

int main(int argc, char **argv)
{
	/* timestamps format local time: fix the zone so the texts are known */
	g_setenv("TZ", "UTC", TRUE);
	tzset();
	g_test_init(&argc, &argv, NULL);
	ADD("modes/matrix", test_mode_matrix);
	ADD("fifo/reader_behind_writer", test_fifo_reader_behind_writer);
	ADD("fifo/grant_run", test_fifo_grant_run);
	ADD("fifo/disconnect_positions", test_disconnect_positions);
	ADD("simple/independent", test_independent_resources);
	ADD("hier/cases", test_hier_cases);
	ADD("hier/objects", test_hier_objects);
	ADD("hier/waiter_leaves", test_hier_waiter_leaves);
	ADD("hier/leave_together", test_hier_leave_together);
	ADD("numeric/queue", test_numeric);
	ADD("numeric/quantity_range", test_numeric_quantity_range);
	ADD("set/rotation", test_set_rotation);
	ADD("set/busy_then_red", test_set_busy_then_red);
	ADD("set/index_by_one", test_set_index_by_one);
	ADD("sequence/transactional", test_sequence_transactional);
	ADD("sequence/plain", test_sequence_plain);
	ADD("sequence/slots", test_sequence_slots);
	ADD("sequence/disconnect", test_sequence_disconnect);
	locktable_life_add_tests();
	return g_test_run();
}
