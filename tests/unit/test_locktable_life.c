/*
 * Unit tests of the lock table, second part: timestamps, the incubator, idle
 * lifespans, tokens, bounds and status (fake clock, as in test_locktable.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "locktable_fx.h"

/* ---- timestamp ---- */

static void test_timestamp_format(fx *f, gconstpointer data)
{
	(void)data;
	f->now = T0 + 5 * G_TIME_SPAN_SECOND + 495123;     /* 22:13:25.495123 */
	g_assert_cmpint(lock(f, 1, "_t_a%S#fff[2]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 1), ==, "a25.495");
	f->now += 100 * MS;
	g_assert_cmpint(lock(f, 2, "_t_x%H:%M:%S#ffffff#f#ffffffff[1]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 2), ==, "x22:13:25.595123.5.595123ff");
	f->now = T0 + 5 * MS;
	g_assert_cmpint(lock(f, 3, "_t_%Y%m%d%H%M%S#ff[1]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 3), ==, "20231114221320.00");
}

/* One slot: the second holder waits for the slot and for a new second. */
static void test_timestamp_grain(fx *f, gconstpointer data)
{
	(void)data;
	f->now = T0 + 200 * MS;
	g_assert_cmpint(lock(f, 1, "_t_s%S[1]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 1), ==, "s20");
	g_assert_cmpint(lock(f, 2, "_t_s%S[1]"), ==, FLOM_RC_ENQUEUED);
	/* no timer while the slot is taken: only the idle reaper is absent */
	g_assert_cmpint(lt_next_deadline(f->t), ==, G_MAXINT64);
	f->now = T0 + 300 * MS;
	unlock(f, 1, FALSE);
	g_assert_cmpuint(f->ev->len, ==, 0);           /* same second */
	g_assert_cmpint(lt_next_deadline(f->t), ==, T0 + G_TIME_SPAN_SECOND);
	g_assert_cmpint(lock_mode(f, 3, "_t_s%S[1]", EX, FALSE), ==, FLOM_RC_BUSY);
	tick(f, T0 + G_TIME_SPAN_SECOND - 1);
	g_assert_cmpuint(f->ev->len, ==, 0);
	tick(f, T0 + G_TIME_SPAN_SECOND);
	g_assert_cmpint(ev_rc(f, 2), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 2), ==, "s21");
	g_assert_cmpint(lt_next_deadline(f->t), ==, G_MAXINT64);
}

/* Four slots, 100 ms grain: five requests at once get five distinct values,
 * one per grain, each waiter woken at its grain boundary. */
static void test_timestamp_unique(fx *f, gconstpointer data)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint granted = 0;

	(void)data;
	f->now = T0 + 30 * MS;
	for (guint64 o = 1; o <= 5; o++) {
		int rc = lock(f, o, "_t_u%S#ff[4]");

		g_assert_cmpint(rc, ==, o == 1 ? FLOM_RC_OK : FLOM_RC_ENQUEUED);
		if (rc == FLOM_RC_OK) {
			g_hash_table_add(seen, g_strdup(ev_element(f, o)));
			granted++;
		}
	}
	for (guint round = 1; round <= 4; round++) {
		gint64 next = lt_next_deadline(f->t);

		g_assert_cmpint(next, ==, T0 + round * 100 * MS);
		tick(f, next);
		g_assert_cmpuint(f->ev->len, ==, 1);
		for (guint i = 0; i < f->ev->len; i++) {
			const lt_event *e = &g_array_index(f->ev, lt_event, i);

			g_assert_cmpint(e->rc, ==, FLOM_RC_OK);
			g_hash_table_add(seen, g_strdup(e->element));
			granted++;
		}
		if (round == 3) {
			/* slots full (owners 1-4): no grain timer */
			g_assert_cmpint(lt_next_deadline(f->t), ==, G_MAXINT64);
			f->now = T0 + 350 * MS;
			unlock(f, 1, FALSE);
			g_assert_cmpuint(f->ev->len, ==, 0); /* grain of owner 4 */
		}
	}
	g_assert_cmpuint(granted, ==, 5);
	g_assert_cmpuint(g_hash_table_size(seen), ==, 5);
}

/* A format whose text cannot fit an element is refused at creation. */
static void test_timestamp_too_long(fx *f, gconstpointer data)
{
	GString *name = g_string_new("_t_");

	(void)data;
	while (name->len < 800)
		g_string_append(name, "%c");
	g_string_append(name, "[1]");
	g_assert_cmpint(lock(f, 1, name->str), ==, FLOM_RC_INVALID_NAME);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 0);
	g_assert_cmpuint(lt_owner_count(f->t), ==, 0);
	g_string_free(name, TRUE);
}

/* ---- incubator ---- */

static int lock_nocreate(fx *f, guint64 owner, const char *name, int mode, gboolean wait)
{
	lt_lock_request r = req_default(owner, name);

	r.create = FALSE;
	r.mode = (flom_lock_mode)mode;
	r.wait = wait;
	return lock_req(f, &r);
}

static void test_incubator(fx *f, gconstpointer data)
{
	lt_lock_request creator = req_default(10, "RES");

	(void)data;
	g_assert_cmpint(lock_nocreate(f, 1, "RES", CR, FALSE), ==, FLOM_RC_CANT_WAIT);
	g_assert_true(lt_is_empty(f->t));
	g_assert_cmpint(lock_nocreate(f, 1, "RES", CR, TRUE), ==, FLOM_RC_WAIT_RESOURCE);
	g_assert_cmpint(lock_nocreate(f, 2, "RES", EX, TRUE), ==, FLOM_RC_WAIT_RESOURCE);
	g_assert_cmpint(lock_nocreate(f, 3, "RES", CW, TRUE), ==, FLOM_RC_WAIT_RESOURCE);
	g_assert_cmpint(lock_nocreate(f, 4, "OTHER", EX, TRUE), ==, FLOM_RC_WAIT_RESOURCE);
	g_assert_false(lt_is_empty(f->t));
	g_assert_cmpuint(lt_resource_count(f->t), ==, 0);
	g_assert_cmpuint(lt_owner_count(f->t), ==, 4);
	g_assert_cmpstr(lt_owner_resource(f->t, 2), ==, "RES");

	/* the creator is served first, then the parked in arrival order */
	creator.mode = FLOM_LOCK_MODE_PR;
	creator.idle_lifespan_ms = 2000;
	g_assert_cmpint(lock_req(f, &creator), ==, FLOM_RC_OK);
	g_assert_cmpuint(f->ev->len, ==, 4);
	g_assert_cmpuint(g_array_index(f->ev, lt_event, 1).owner, ==, 1);
	g_assert_cmpuint(g_array_index(f->ev, lt_event, 2).owner, ==, 2);
	g_assert_cmpuint(g_array_index(f->ev, lt_event, 3).owner, ==, 3);
	g_assert_cmpint(ev_rc(f, 1), ==, FLOM_RC_OK);         /* CR with PR */
	g_assert_cmpint(ev_rc(f, 2), ==, FLOM_RC_ENQUEUED);   /* EX */
	g_assert_cmpint(ev_rc(f, 3), ==, FLOM_RC_ENQUEUED);   /* behind the EX */
	g_assert_cmpuint(lt_owner_count(f->t), ==, 5);

	unlock(f, 10, FALSE);
	g_assert_cmpuint(f->ev->len, ==, 0);
	unlock(f, 1, FALSE);
	g_assert_cmpint(ev_rc(f, 2), ==, FLOM_RC_OK);
	unlock(f, 2, FALSE);
	g_assert_cmpint(ev_rc(f, 3), ==, FLOM_RC_OK);
	unlock(f, 3, FALSE);

	/* create=0 on an existing (idle, kept by -i 2000) resource is normal */
	f->now += 1500 * MS;
	tick(f, f->now);
	g_assert_cmpint(lock_nocreate(f, 5, "RES", EX, FALSE), ==, FLOM_RC_OK);
	/* a parked owner that disconnects leaves nothing */
	unlock(f, 4, TRUE);
	g_assert_null(lt_owner_resource(f->t, 4));
	g_assert_cmpint(lock(f, 6, "OTHER"), ==, FLOM_RC_OK);
	g_assert_cmpuint(f->ev->len, ==, 1);
}

/* Hierarchical: parked on any path of a root, handed to the object of that
 * root whatever path creates it. */
static void test_incubator_hier(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock_nocreate(f, 1, "/res/foo", EX, TRUE), ==, FLOM_RC_WAIT_RESOURCE);
	g_assert_cmpint(lock_nocreate(f, 2, "/res", CR, TRUE), ==, FLOM_RC_WAIT_RESOURCE);
	g_assert_cmpint(lock_nocreate(f, 3, "/other/x", EX, TRUE), ==, FLOM_RC_WAIT_RESOURCE);
	g_assert_cmpint(lock_mode(f, 10, "/res/bar", EX, TRUE), ==, FLOM_RC_OK);
	g_assert_cmpint(ev_rc(f, 1), ==, FLOM_RC_OK);          /* sibling */
	g_assert_cmpint(ev_rc(f, 2), ==, FLOM_RC_ENQUEUED);    /* ancestor of EX */
	g_assert_cmpint(ev_rc(f, 3), ==, NO_EVENT);
	unlock(f, 10, FALSE);
	g_assert_cmpuint(f->ev->len, ==, 0);
	unlock(f, 1, FALSE);
	g_assert_cmpint(ev_rc(f, 2), ==, FLOM_RC_OK);
}

/* A creator refused (impossible) creates nothing and the parked stay. */
static void test_incubator_refused_creator(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock_nocreate(f, 1, "N[2]", EX, TRUE), ==, FLOM_RC_WAIT_RESOURCE);
	g_assert_cmpint(lock_q(f, 2, "N[2]", 5, TRUE), ==, FLOM_RC_IMPOSSIBLE);
	g_assert_cmpuint(f->ev->len, ==, 1);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 0);
	g_assert_cmpstr(lt_owner_resource(f->t, 1), ==, "N[2]");
	g_assert_cmpint(lock_q(f, 3, "N[2]", 2, TRUE), ==, FLOM_RC_OK);
	g_assert_cmpint(ev_rc(f, 1), ==, FLOM_RC_ENQUEUED);
}

/* ---- idle lifespan ---- */

/* The daemon outlives only resources created with an explicit -i. */
static void test_idle_keep_until(fx *f, gconstpointer data)
{
	lt_lock_request r = req_default(1, "kept");

	g_assert_cmpint(lt_keep_until(f->t), ==, 0);
	g_assert_cmpint(lock(f, 2, "plain"), ==, FLOM_RC_OK);
	unlock(f, 2, FALSE);
	g_assert_cmpint(lt_keep_until(f->t), ==, 0);   /* default retention only */
	r.idle_lifespan_ms = 5000;
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
	g_assert_cmpint(lt_keep_until(f->t), ==, 0);   /* held: not idle yet */
	f->now += 10 * MS;
	unlock(f, 1, FALSE);
	g_assert_cmpint(lt_keep_until(f->t), ==, f->now + 5000 * MS);
	(void)data;
}

static void test_idle_reap(fx *f, gconstpointer data)
{
	lt_lock_request r = req_default(1, "_s_x[1]");

	(void)data;
	r.idle_lifespan_ms = 0;   /* the minimum applies */
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 1), ==, "1");
	g_assert_cmpint(lt_next_deadline(f->t), ==, G_MAXINT64);
	unlock(f, 1, FALSE);
	g_assert_cmpint(lt_next_deadline(f->t), ==, T0 + FLOM_RESOURCE_IDLE_MIN_MS * MS);

	/* before the deadline: state kept, and a new idle period starts */
	f->now = T0 + 500 * MS;
	r.owner = 2;
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 2), ==, "2");
	g_assert_cmpint(lt_next_deadline(f->t), ==, G_MAXINT64);
	unlock(f, 2, FALSE);
	g_assert_cmpint(lt_next_deadline(f->t), ==, f->now + FLOM_RESOURCE_IDLE_MIN_MS * MS);
	tick(f, f->now + FLOM_RESOURCE_IDLE_MIN_MS * MS - 1);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 1);
	tick(f, f->now + 1);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 0);
	g_assert_true(lt_is_empty(f->t));
	g_assert_cmpint(lt_next_deadline(f->t), ==, G_MAXINT64);

	/* after: a new object, the sequence restarts */
	r.owner = 3;
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 3), ==, "1");
}

/* FLoM 1.7.2 keeps a released resource at least 2 s: its sequence gives the
 * next value to a client that comes 1.5 s after the last release (ours once
 * forgot it after 1 s and started again at 1). */
static void test_idle_original_retention(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock(f, 1, "_s_keep[1]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 1), ==, "1");
	unlock(f, 1, FALSE);
	tick(f, T0 + 1500 * MS);
	g_assert_cmpint(lock(f, 2, "_s_keep[1]"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 2), ==, "2");
	unlock(f, 2, FALSE);
	tick(f, T0 + 1500 * MS + 1999 * MS);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 1);
}

/* The creating request's lifespan counts, later requests' do not. */
static void test_idle_lifespan_of_creator(fx *f, gconstpointer data)
{
	lt_lock_request r = req_default(1, "A");
	lt_lock_request s = req_default(2, "A");

	(void)data;
	r.idle_lifespan_ms = 2500;
	s.idle_lifespan_ms = 60000;
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
	unlock(f, 1, FALSE);
	g_assert_cmpint(lock_req(f, &s), ==, FLOM_RC_OK);
	unlock(f, 2, FALSE);
	g_assert_cmpint(lt_next_deadline(f->t), ==, T0 + 2500 * MS);
	/* an enormous lifespan saturates instead of overflowing */
	r.owner = 3;
	r.name = "B";
	r.idle_lifespan_ms = G_MAXINT64;
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
	unlock(f, 3, FALSE);
	g_assert_cmpint(lt_next_deadline(f->t), ==, T0 + 2500 * MS);
	tick(f, T0 + 2500 * MS);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 1);   /* B stays */
	/* negative lifespans mean the minimum */
	r.owner = 4;
	r.name = "C";
	r.idle_lifespan_ms = -5;
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
	unlock(f, 4, FALSE);
	g_assert_cmpint(lt_next_deadline(f->t), ==, f->now + FLOM_RESOURCE_IDLE_MIN_MS * MS);
}

/* Deadlines of many resources: the earliest is reported, and one tick reaps
 * exactly the due ones. */
static void test_idle_many(fx *f, gconstpointer data)
{
	enum { N = 5000, B = FLOM_RESOURCE_IDLE_MIN_MS };  /* lifespans above the minimum */

	(void)data;
	for (guint i = 0; i < N; i++) {
		char name[32];
		lt_lock_request r;

		g_snprintf(name, sizeof(name), "r%u", i);
		r = req_default(i + 1, name);
		r.idle_lifespan_ms = B + (gint64)(N - i);   /* last: earliest */
		g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
		unlock(f, i + 1, FALSE);
	}
	g_assert_cmpuint(lt_resource_count(f->t), ==, N);
	g_assert_cmpint(lt_next_deadline(f->t), ==, T0 + (B + 1) * MS);
	tick(f, T0 + (B + N / 2) * MS);
	g_assert_cmpuint(lt_resource_count(f->t), ==, N - N / 2);
	g_assert_cmpint(lt_next_deadline(f->t), ==, T0 + (B + N / 2 + 1) * MS);
	tick(f, T0 + (B + N) * MS);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 0);
}

/* ---- tokens ---- */

static guint64 grant_token(fx *f, guint64 owner, const char *name)
{
	const lt_event *e;

	g_assert_cmpint(lock(f, owner, name), ==, FLOM_RC_OK);
	e = ev_find(f, owner);
	return e->token;
}

static void test_tokens(fx *f, gconstpointer data)
{
	guint64 last = 0;
	guint64 tok;
	lt_table *later;

	(void)data;
	/* many grants in the same microsecond, on different resources */
	for (guint64 o = 1; o <= 20; o++) {
		tok = grant_token(f, o, o % 2 ? "X" : "Y.Z");
		g_assert_cmpuint(tok, >, last);
		g_assert_cmpuint(tok, >=, (guint64)T0 * 4);
		last = tok;
		unlock(f, o, FALSE);
	}
	/* a grant made by a release carries a token too */
	g_assert_cmpint(lock(f, 30, "X"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 31, "X"), ==, FLOM_RC_ENQUEUED);
	unlock(f, 30, FALSE);
	tok = ev_find(f, 31)->token;
	g_assert_cmpuint(tok, >, last);
	last = tok;
	/* the clock going back does not make tokens go back */
	f->now = T0 - 3600 * G_TIME_SPAN_SECOND;
	unlock(f, 31, FALSE);
	tok = grant_token(f, 32, "X");
	g_assert_cmpuint(tok, >, last);

	/* a daemon started later (a new table) issues larger tokens: a restart
	 * takes far longer than the grants made use of the 4 tokens per
	 * microsecond of wall clock */
	later = lt_new();
	{
		GArray *ev = lt_events_new();
		lt_lock_request r = req_default(1, "X");

		lt_request(later, &r, T0 + G_TIME_SPAN_SECOND, ev);
		g_assert_cmpint(g_array_index(ev, lt_event, 0).rc, ==, FLOM_RC_OK);
		g_assert_cmpuint(g_array_index(ev, lt_event, 0).token, >, tok);
		lt_events_clear(ev);
		g_array_free(ev, TRUE);
	}
	lt_free(later);
}

/* ---- bounds and bad values ---- */

static void test_out_of_range(fx *f, gconstpointer data)
{
	lt_lock_request r = req_default(1, "R");

	(void)data;
	r.mode = (flom_lock_mode)6;
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_INVALID_REQUEST);
	r.mode = (flom_lock_mode)-1;
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_INVALID_REQUEST);
	r.name = "/a/b";
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_INVALID_REQUEST);
	r.mode = (flom_lock_mode)G_MAXINT;
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_INVALID_REQUEST);
	g_assert_cmpuint(lt_owner_count(f->t), ==, 0);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 0);
	g_assert_null(lt_owner_resource(f->t, 1));

	/* bad names */
	r = req_default(1, NULL);
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_INVALID_NAME);
	r.name = "bad name";
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_INVALID_NAME);
	r.name = "foo[0]";
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_INVALID_NAME);
	r.name = "_t_%D[1]";
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_INVALID_NAME);
	r.create = FALSE;
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_INVALID_NAME);
	g_assert_true(lt_is_empty(f->t));

	/* a second request from an owner is refused; the first stays */
	r = req_default(1, "R");
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
	r.name = "S";
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_INVALID_REQUEST);
	g_assert_cmpstr(lt_owner_resource(f->t, 1), ==, "R");
	g_assert_cmpuint(lt_resource_count(f->t), ==, 1);
}

static void test_waiters_max(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock(f, 1, "W"), ==, FLOM_RC_OK);
	for (guint64 o = 2; o < 2 + FLOM_WAITERS_MAX; o++)
		g_assert_cmpint(lock(f, o, "W"), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock(f, 2 + FLOM_WAITERS_MAX, "W"), ==, FLOM_RC_BUSY);
	g_assert_cmpuint(lt_owner_count(f->t), ==, 1 + FLOM_WAITERS_MAX);
	/* room again after one leaves */
	unlock(f, 1, FALSE);
	g_assert_cmpint(ev_rc(f, 2), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 2 + FLOM_WAITERS_MAX, "W"), ==, FLOM_RC_ENQUEUED);
}

static void test_resources_max(fx *f, gconstpointer data)
{
	char name[32];

	(void)data;
	for (guint i = 0; i < FLOM_RESOURCES_MAX; i++) {
		g_snprintf(name, sizeof(name), "r%u", i);
		g_assert_cmpint(lock(f, i + 1, name), ==, FLOM_RC_OK);
	}
	g_assert_cmpint(lock(f, FLOM_RESOURCES_MAX + 1, "one.more"), ==, FLOM_RC_TOO_MANY);
	g_assert_null(lt_owner_resource(f->t, FLOM_RESOURCES_MAX + 1));
	/* existing resources still serve */
	g_assert_cmpint(lock(f, FLOM_RESOURCES_MAX + 2, "r7"), ==, FLOM_RC_ENQUEUED);
	/* reaping makes room */
	unlock(f, 1, FALSE);
	tick(f, f->now + FLOM_RESOURCE_IDLE_MIN_MS * MS);
	g_assert_cmpuint(lt_resource_count(f->t), ==, FLOM_RESOURCES_MAX - 1);
	g_assert_cmpint(lock(f, FLOM_RESOURCES_MAX + 1, "one.more"), ==, FLOM_RC_OK);
}

/* A smaller table, as [Daemon] MaxResources makes it: full is "too many",
 * never "busy", for a new name with or without wait. */
static void test_resources_configured(fx *f, gconstpointer data)
{
	(void)data;
	lt_set_max_resources(f->t, 2);
	g_assert_cmpint(lock(f, 1, "a"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 2, "b"), ==, FLOM_RC_OK);
	g_assert_cmpint(lock(f, 3, "c"), ==, FLOM_RC_TOO_MANY);
	g_assert_cmpint(lock_mode(f, 4, "c", EX, FALSE), ==, FLOM_RC_TOO_MANY);
	g_assert_cmpint(lock(f, 5, "/h/x"), ==, FLOM_RC_TOO_MANY);
	g_assert_cmpint(lock(f, 6, "a"), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 2);
}

static void test_incubator_max(fx *f, gconstpointer data)
{
	(void)data;
	for (guint64 o = 1; o <= FLOM_INCUBATOR_MAX; o++)
		g_assert_cmpint(lock_nocreate(f, o, o % 2 ? "P" : "Q", EX, TRUE), ==,
				FLOM_RC_WAIT_RESOURCE);
	g_assert_cmpint(lock_nocreate(f, FLOM_INCUBATOR_MAX + 1, "P", EX, TRUE), ==, FLOM_RC_TOO_MANY);
	g_assert_cmpuint(lt_owner_count(f->t), ==, FLOM_INCUBATOR_MAX);
	/* creating P hands over half of them (one granted, the rest queued) */
	g_assert_cmpint(lock_mode(f, FLOM_INCUBATOR_MAX + 2, "P", NL, TRUE), ==, FLOM_RC_OK);
	g_assert_cmpuint(f->ev->len, ==, 1 + FLOM_INCUBATOR_MAX / 2);
	g_assert_cmpint(ev_rc(f, 1), ==, FLOM_RC_OK);
	g_assert_cmpint(ev_rc(f, 3), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_nocreate(f, FLOM_INCUBATOR_MAX + 1, "Q", EX, TRUE), ==,
			FLOM_RC_WAIT_RESOURCE);
}

/* ---- status ---- */

static void status_collect(const lt_owner_info *i, gpointer data)
{
	g_ptr_array_add(data, g_strdup_printf("%" G_GUINT64_FORMAT " %d %s %s %s %d %" G_GINT64_FORMAT
					      " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s",
					      i->owner, (int)i->state, i->name, i->resource, i->peer,
					      (int)i->mode, i->quantity, i->requested_us - T0,
					      i->since_us > 0 ? i->since_us - T0 : -1,
					      i->element != NULL ? i->element : "-"));
}

static gint status_index(GPtrArray *lines, const char *line)
{
	for (guint i = 0; i < lines->len; i++)
		if (strcmp(g_ptr_array_index(lines, i), line) == 0)
			return (gint)i;
	g_error("status line \"%s\" missing", line);
	return -1;
}

static void test_status(fx *f, gconstpointer data)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	lt_lock_request r = req_default(1, "a.b");

	(void)data;
	r.peer = "host1/1234";
	g_assert_cmpint(lock_req(f, &r), ==, FLOM_RC_OK);
	f->now += 1;
	g_assert_cmpint(lock(f, 2, "a.b"), ==, FLOM_RC_OK);
	f->now += 1;
	g_assert_cmpint(lock(f, 3, "a.b"), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_mode(f, 4, "/r/x", CR, TRUE), ==, FLOM_RC_OK);
	f->now += 1;
	g_assert_cmpint(lock_mode(f, 5, "/r", EX, TRUE), ==, FLOM_RC_ENQUEUED);
	g_assert_cmpint(lock_nocreate(f, 6, "P[3]", EX, TRUE), ==, FLOM_RC_WAIT_RESOURCE);
	g_assert_cmpint(lock_q(f, 7, "N[3]", 2, TRUE), ==, FLOM_RC_OK);

	lt_foreach_owner(f->t, status_collect, lines);
	g_assert_cmpuint(lines->len, ==, 7);
	g_assert_cmpint(status_index(lines, "1 2 a.b a.b host1/1234 5 1 0 0 a"), <,
			status_index(lines, "2 2 a.b a.b local 5 1 1 1 b"));
	g_assert_cmpint(status_index(lines, "2 2 a.b a.b local 5 1 1 1 b"), <,
			status_index(lines, "3 1 a.b a.b local 5 1 2 -1 -"));
	g_assert_cmpint(status_index(lines, "4 2 /r/x /r local 1 1 2 2 -"), <,
			status_index(lines, "5 1 /r /r local 5 1 3 -1 -"));
	status_index(lines, "6 0 P[3] P[3] local 5 1 3 -1 -");
	status_index(lines, "7 2 N[3] N[3] local 5 2 3 3 -");
}

/* What the daemon asks before it peeks at a holder's message. */
static void test_has_waiters(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_false(lt_owner_has_waiters(f->t, 1)); /* unknown owner */
	g_assert_cmpint(lock(f, 1, "R"), ==, FLOM_RC_OK);
	g_assert_false(lt_owner_has_waiters(f->t, 1));
	g_assert_cmpint(lock(f, 2, "R"), ==, FLOM_RC_ENQUEUED);
	g_assert_true(lt_owner_has_waiters(f->t, 1));
	g_assert_cmpint(lock(f, 3, "S"), ==, FLOM_RC_OK);
	g_assert_false(lt_owner_has_waiters(f->t, 3)); /* another resource */
	unlock(f, 1, FALSE);
	g_assert_cmpint(ev_rc(f, 2), ==, FLOM_RC_OK);
	g_assert_false(lt_owner_has_waiters(f->t, 2));
	g_assert_false(lt_owner_has_waiters(f->t, 1)); /* gone */
}

/* lt_events_clear frees the elements: run under valgrind/ASan to see it. */
static void test_events_clear(fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(lock(f, 1, "a.b"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 1), ==, "a");
	lt_events_clear(f->ev);
	g_assert_cmpuint(f->ev->len, ==, 0);
	g_assert_cmpint(lock(f, 2, "a.b"), ==, FLOM_RC_OK);
	g_assert_cmpstr(ev_element(f, 2), ==, "b");
}

void locktable_life_add_tests(void)
{
	ADD("timestamp/format", test_timestamp_format);
	ADD("timestamp/grain", test_timestamp_grain);
	ADD("timestamp/unique", test_timestamp_unique);
	ADD("timestamp/too_long", test_timestamp_too_long);
	ADD("incubator/handover", test_incubator);
	ADD("incubator/hier", test_incubator_hier);
	ADD("incubator/refused_creator", test_incubator_refused_creator);
	ADD("idle/reap", test_idle_reap);
	ADD("idle/original_retention", test_idle_original_retention);
	ADD("idle/keep_until", test_idle_keep_until);
	ADD("idle/lifespan_of_creator", test_idle_lifespan_of_creator);
	ADD("idle/many", test_idle_many);
	ADD("tokens/increasing", test_tokens);
	ADD("bounds/out_of_range", test_out_of_range);
	ADD("bounds/waiters_max", test_waiters_max);
	ADD("bounds/resources_max", test_resources_max);
	ADD("bounds/resources_max_configured", test_resources_configured);
	ADD("bounds/incubator_max", test_incubator_max);
	ADD("events/clear", test_events_clear);
	ADD("owners/has_waiters", test_has_waiters);
	ADD("status/foreach", test_status);
}
