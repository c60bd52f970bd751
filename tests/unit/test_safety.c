/* Unit tests of the timing rules of a lock held over TCP (src/safety.c) and
 * of the lock delay's held requests (src/holdback.c). */
#include "config.h"

#include <glib.h>

#include "flom.h"
#include "holdback.h"
#include "locktable.h"
#include "safety.h"

/* Linux's keepalive timer, one firing at a time (tcp_keepalive_timer):
 * ms from the last segment heard to the abort. */
static gint64 simulate_abort(int idle_s, int intvl_s, unsigned user_timeout_ms)
{
	gint64 t = (gint64)idle_s * 1000;
	int probes_out = 0;

	for (;;) {
		if (t >= user_timeout_ms && probes_out > 0)
			return t;
		probes_out++;
		t += (gint64)intvl_s * 1000;
	}
}

static void test_abort(void)
{
	g_assert_cmpint(safety_abort_ms(1, 1, 1000), ==, 2000);
	g_assert_cmpint(safety_abort_ms(2, 1, 3000), ==, 3000);
	g_assert_cmpint(safety_abort_ms(60, 10, 120000), ==, 120000);
	g_assert_cmpint(safety_abort_ms(60, 10, 1000), ==, 70000);
	for (int idle = 1; idle < 8; idle++)
		for (int intvl = 1; intvl < 8; intvl++)
			for (unsigned u = 500; u < 30000; u += 250)
				g_assert_cmpint(safety_abort_ms(idle, intvl, u), ==,
						simulate_abort(idle, intvl, u));
}

static void test_release(void)
{
	/* the keepalive bound when it is the longer... */
	g_assert_cmpint(safety_user_timeout_ms(60, 10, 6, 5000), ==, 120000);
	/* ...less the keepalive time, since the daemon's clock is refreshed
	 * only by the answers to its own probes */
	g_assert_cmpint(safety_release_ms(60, 10, 6, 5000), ==, 60000);
	/* else room for a detection and the grace period */
	g_assert_cmpint(safety_user_timeout_ms(2, 1, 2, 5000), ==,
			5000 + FLOM_HOLDER_MARGIN_MS + FLOM_DETECT_MIN_MS + 2000);
	g_assert_cmpint(safety_release_ms(2, 1, 2, 5000), ==,
			5000 + FLOM_HOLDER_MARGIN_MS + FLOM_DETECT_MIN_MS);
	g_assert_cmpint(safety_release_ms(1, 1, 1, 0), ==,
			FLOM_HOLDER_MARGIN_MS + FLOM_DETECT_MIN_MS);
}

/* The promise: whatever keepalive settings and grace periods both sides
 * have, the client's command is gone 1 s before the daemon's release. */
static void check_plan(int d_time, int d_intvl, int d_probes, gint64 d_grace,
		       int c_time, int c_intvl, int c_probes, gint64 c_grace)
{
	gint64 release = safety_release_ms(d_time, d_intvl, d_probes, d_grace);
	gint64 user_timeout = safety_user_timeout_ms(d_time, d_intvl, d_probes, d_grace);
	safety_plan p;

	/* The daemon aborts no sooner than user_timeout after it last heard
	 * from the client, which is at most d_time before the client last
	 * heard from it: release is what is left for the client. */
	g_assert_cmpint(release, <=, user_timeout - (gint64)d_time * 1000);
	g_assert_cmpint(user_timeout, >=, (gint64)(d_time + d_intvl * d_probes) * 1000);
	safety_client_plan(release, c_grace, c_time, c_intvl, c_probes, &p);
	g_assert_cmpint(p.detect_ms, ==, simulate_abort(p.idle_s, p.intvl_s, p.user_timeout_ms));
	g_assert_cmpint(p.detect_ms + p.grace_ms + 1000, <=, release);
	g_assert_cmpint(p.grace_ms, <=, c_grace);
	g_assert_cmpint(p.grace_ms, >=, 0);
	g_assert_cmpint(p.idle_s, >=, 1);
	g_assert_cmpint(p.intvl_s, >=, 1);
	g_assert_cmpint(p.user_timeout_ms, >=, 1000);
	/* a client's own shorter keepalive is never made longer */
	g_assert_cmpint(p.detect_ms, <=, MAX((gint64)(c_time + c_intvl * c_probes) * 1000,
					     FLOM_DETECT_MIN_MS));
	/* the configured grace period is kept whenever it fits */
	if (release - c_grace - FLOM_HOLDER_MARGIN_MS >= FLOM_DETECT_MIN_MS)
		g_assert_cmpint(p.grace_ms, ==, c_grace);
}

static void test_plan(void)
{
	static const int ka[][3] = {
		{ 1, 1, 1 }, { 1, 1, 2 }, { 2, 1, 2 }, { 5, 2, 3 }, { 60, 10, 6 },
		{ 7200, 75, 9 }, { 32767, 32767, 127 }, { 3, 7, 1 },
	};
	static const gint64 grace[] = { 0, 1, 999, 1000, 5000, 30000, 3600000 };

	for (guint a = 0; a < G_N_ELEMENTS(ka); a++)
		for (guint b = 0; b < G_N_ELEMENTS(ka); b++)
			for (guint g = 0; g < G_N_ELEMENTS(grace); g++)
				for (guint h = 0; h < G_N_ELEMENTS(grace); h++)
					check_plan(ka[a][0], ka[a][1], ka[a][2], grace[g],
						   ka[b][0], ka[b][1], ka[b][2], grace[h]);
}

static void test_plan_examples(void)
{
	safety_plan p;

	/* defaults on both sides: nothing shortened but the detection */
	safety_client_plan(safety_release_ms(60, 10, 6, 5000), 5000, 60, 10, 6, &p);
	g_assert_cmpint(p.grace_ms, ==, 5000);
	g_assert_cmpint(p.detect_ms, <=, 53000);
	/* a daemon with 2/1/2 and grace 1000 (release 5000), a client with a
	 * grace of 5000: the grace shrinks to fit */
	safety_client_plan(safety_release_ms(2, 1, 2, 1000), 5000, 60, 10, 6, &p);
	g_assert_cmpint(p.grace_ms, ==, 1000);
	g_assert_cmpint(p.detect_ms, ==, 2000);
}

static lt_lock_request hold_req(guint64 owner, const char *name, gboolean wait)
{
	lt_lock_request r = { .owner = owner, .name = name, .mode = FLOM_LOCK_MODE_EX, .quantity = 1,
			      .wait = wait, .create = TRUE, .peer = "test" };
	return r;
}

static int count_rc(const GArray *events, guint64 owner, int rc)
{
	int n = 0;

	for (guint i = 0; i < events->len; i++) {
		const lt_event *e = &g_array_index(events, lt_event, i);

		n += e->owner == owner && e->rc == rc;
	}
	return n;
}

/* Held requests reach the lock table in order once the delay is over, with
 * copies of their strings; a forgotten one never does; the owners, who
 * heard "queued" already, hear only grants and refusals. */
static void test_holdback(void)
{
	lt_table *lt = lt_new();
	GArray *events = lt_events_new();
	holdback *h = holdback_new();
	flom_client_info ci = { 10, 0, 1000, g_strdup("alice"), g_strdup("h1") };
	char name[] = "res";
	lt_lock_request r;

	g_assert_false(holdback_active(h, 1));
	holdback_start(h, 1000);
	g_assert_true(holdback_active(h, 999));
	g_assert_false(holdback_active(h, 1000));
	g_assert_cmpint(holdback_until(h), ==, 1000);
	r = hold_req(1, name, TRUE);
	r.client = &ci;
	holdback_add(h, &r);
	flom_client_info_clear(&ci);
	name[0] = 'X';  /* the held copy is its own */
	holdback_add(h, (r = hold_req(2, "res", TRUE), &r));
	holdback_add(h, (r = hold_req(3, "other", TRUE), &r));
	holdback_add(h, (r = hold_req(4, "res", TRUE), &r));
	holdback_forget(h, 3);
	holdback_flush(h, lt, g_get_real_time(), events);
	g_assert_cmpint(holdback_until(h), ==, 0);
	g_assert_false(holdback_active(h, 1));
	g_assert_cmpint(count_rc(events, 1, FLOM_RC_OK), ==, 1);
	g_assert_cmpint(count_rc(events, 3, FLOM_RC_OK), ==, 0);
	g_assert_cmpuint(events->len, ==, 1); /* 2 and 4: queued, said already */
	lt_events_clear(events);
	lt_release(lt, 1, FALSE, g_get_real_time(), events);
	g_assert_cmpint(count_rc(events, 2, FLOM_RC_OK), ==, 1);
	lt_events_clear(events);
	holdback_free(h);
	lt_free(lt);
	g_array_unref(events);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/safety/abort", test_abort);
	g_test_add_func("/safety/release", test_release);
	g_test_add_func("/safety/plan", test_plan);
	g_test_add_func("/safety/plan-examples", test_plan_examples);
	g_test_add_func("/safety/holdback", test_holdback);
	return g_test_run();
}
