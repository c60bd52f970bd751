/*
 * Unit tests of the election rule (election_decide): this daemon's state,
 * one announcement, this daemon's holder count -> what to do. No sockets,
 * no clock: every identity is spelled out.
 */
#include "flom.h"
#include "election.h"
#include "msg.h"

#define T0 G_GINT64_CONSTANT(1700000000000000)
#define ME_ID "host-m"
#define ME_PID 500

enum { SETTLING = MSG_DAEMON_SETTLING, SERVING = MSG_DAEMON_SERVING,
       RETIRING = MSG_DAEMON_RETIRING };

static election_self me_in(int state)
{
	return (election_self){ .id = ME_ID, .started_us = T0, .pid = ME_PID, .state = state };
}

/* What me (in state, holding holders locks) does when it hears a daemon
 * started at started on host id, pid pid, in peer_state with peer_holders. */
static election_action decide(int state, guint holders, gint64 started, const char *id,
			      gint64 pid, int peer_state, gint64 peer_holders)
{
	election_self me = me_in(state);
	election_action a;
	flom_msg m;

	msg_make_daemon(&m, id, started, pid, peer_state, peer_holders);
	a = election_decide(&me, holders, &m);
	msg_clear(&m);
	return a;
}

static void test_own_announcement(void)
{
	for (int state = SETTLING; state <= RETIRING; state++)
		g_assert_cmpint(decide(state, 0, T0, ME_ID, ME_PID, state, 0), ==, ELECTION_IGNORE);
	/* The same host and start time but another pid is someone else. */
	g_assert_cmpint(decide(SETTLING, 0, T0, ME_ID, ME_PID - 1, SETTLING, 0), ==,
			ELECTION_STEP_DOWN);
}

static void test_leaving_daemons_are_ignored(void)
{
	/* A retiring peer competes with nobody, even an elder one. */
	g_assert_cmpint(decide(SETTLING, 0, T0 - 1, "host-a", 1, RETIRING, 9), ==, ELECTION_IGNORE);
	g_assert_cmpint(decide(SERVING, 0, T0 - 1, "host-a", 1, RETIRING, 9), ==, ELECTION_IGNORE);
	/* A daemon that already left answers nobody. */
	g_assert_cmpint(decide(RETIRING, 0, T0 + 1, "host-z", 1, SETTLING, 0), ==, ELECTION_IGNORE);
	g_assert_cmpint(decide(RETIRING, 0, T0 - 1, "host-a", 1, SERVING, 0), ==, ELECTION_IGNORE);
}

static void test_settling_meets_serving(void)
{
	/* Even a younger serving daemon wins over a settling one. */
	g_assert_cmpint(decide(SETTLING, 0, T0 + 1000, "host-z", 9, SERVING, 0), ==,
			ELECTION_STEP_DOWN);
	g_assert_cmpint(decide(SETTLING, 0, T0 - 1000, "host-a", 1, SERVING, 3), ==,
			ELECTION_STEP_DOWN);
}

static void test_settling_meets_settling(void)
{
	/* The elder stays: start time first... */
	g_assert_cmpint(decide(SETTLING, 0, T0 - 1, "host-z", 9, SETTLING, 0), ==, ELECTION_STEP_DOWN);
	g_assert_cmpint(decide(SETTLING, 0, T0 + 1, "host-a", 1, SETTLING, 0), ==, ELECTION_ANNOUNCE);
	/* ...then the host id... */
	g_assert_cmpint(decide(SETTLING, 0, T0, "host-a", 9, SETTLING, 0), ==, ELECTION_STEP_DOWN);
	g_assert_cmpint(decide(SETTLING, 0, T0, "host-z", 1, SETTLING, 0), ==, ELECTION_ANNOUNCE);
	/* ...then the pid. */
	g_assert_cmpint(decide(SETTLING, 0, T0, ME_ID, ME_PID - 1, SETTLING, 0), ==,
			ELECTION_STEP_DOWN);
	g_assert_cmpint(decide(SETTLING, 0, T0, ME_ID, ME_PID + 1, SETTLING, 0), ==,
			ELECTION_ANNOUNCE);
}

static void test_serving_meets_settling(void)
{
	/* A serving daemon never yields to a newcomer, however old. */
	g_assert_cmpint(decide(SERVING, 0, T0 - 1000, "host-a", 1, SETTLING, 0), ==,
			ELECTION_ANNOUNCE);
	g_assert_cmpint(decide(SERVING, 5, T0 + 1000, "host-z", 9, SETTLING, 0), ==,
			ELECTION_ANNOUNCE);
}

static void test_serving_meets_serving(void)
{
	/* Fewer holders retires, whatever the ages. */
	g_assert_cmpint(decide(SERVING, 1, T0 + 1000, "host-z", 9, SERVING, 2), ==, ELECTION_RETIRE);
	g_assert_cmpint(decide(SERVING, 2, T0 - 1000, "host-a", 1, SERVING, 1), ==, ELECTION_ANNOUNCE);
	/* Equal: the younger retires. */
	g_assert_cmpint(decide(SERVING, 3, T0 - 1, "host-z", 9, SERVING, 3), ==, ELECTION_RETIRE);
	g_assert_cmpint(decide(SERVING, 3, T0 + 1, "host-a", 1, SERVING, 3), ==, ELECTION_ANNOUNCE);
	g_assert_cmpint(decide(SERVING, 0, T0, "host-a", 1, SERVING, 0), ==, ELECTION_RETIRE);
	g_assert_cmpint(decide(SERVING, 0, T0, "host-z", 1, SERVING, 0), ==, ELECTION_ANNOUNCE);
}

/* Two daemons that hear each other never both stay (nor both leave): the
 * rule is the same on both sides. */
static void test_both_sides_agree(void)
{
	static const struct { gint64 started; const char *id; gint64 pid; } who[] = {
		{ T0, "host-a", 10 }, { T0, "host-a", 11 }, { T0, "host-b", 10 },
		{ T0 + 1, "host-a", 10 }, { T0 - 1, "host-c", 1 },
	};
	static const int states[] = { SETTLING, SERVING };

	for (guint i = 0; i < G_N_ELEMENTS(who); i++)
	for (guint j = 0; j < G_N_ELEMENTS(who); j++)
	for (guint si = 0; si < 2; si++)
	for (guint sj = 0; sj < 2; sj++)
	for (guint hi = 0; hi < 3; hi++)
	for (guint hj = 0; hj < 3; hj++) {
		election_self a = { who[i].id, who[i].started, who[i].pid, states[si] };
		election_self b = { who[j].id, who[j].started, who[j].pid, states[sj] };
		guint ha = states[si] == SETTLING ? 0 : hi, hb = states[sj] == SETTLING ? 0 : hj;
		flom_msg ma, mb;
		election_action da, db;
		gboolean a_leaves, b_leaves;

		if (i == j)
			continue;
		msg_make_daemon(&ma, a.id, a.started_us, a.pid, a.state, ha);
		msg_make_daemon(&mb, b.id, b.started_us, b.pid, b.state, hb);
		da = election_decide(&a, ha, &mb);
		db = election_decide(&b, hb, &ma);
		a_leaves = da == ELECTION_STEP_DOWN || da == ELECTION_RETIRE;
		b_leaves = db == ELECTION_STEP_DOWN || db == ELECTION_RETIRE;
		g_assert_true(a_leaves != b_leaves);
		/* Only a settling daemon steps down, only a serving one retires. */
		g_assert_true(da != ELECTION_STEP_DOWN || a.state == SETTLING);
		g_assert_true(da != ELECTION_RETIRE || a.state == SERVING);
		msg_clear(&ma);
		msg_clear(&mb);
	}
}

static void test_precedes_is_an_order(void)
{
	g_assert_true(election_precedes(T0, "b", 2, T0 + 1, "a", 1));
	g_assert_false(election_precedes(T0 + 1, "a", 1, T0, "b", 2));
	g_assert_true(election_precedes(T0, "a", 2, T0, "b", 1));
	g_assert_true(election_precedes(T0, "a", 1, T0, "a", 2));
	g_assert_false(election_precedes(T0, "a", 1, T0, "a", 1));
}

/* What a datagram may claim before anything is decided about it. */
static void test_plausible(void)
{
	const gint64 now = T0 + 5 * G_USEC_PER_SEC;
	const gint64 skew = FLOM_ELECTION_CLOCK_SKEW_MS * G_GINT64_CONSTANT(1000);
	static const struct { gint64 started; gint64 holders; gboolean ok; } cases[] = {
		{ T0, 0, TRUE },
		{ T0, FLOM_MAX_CONNECTIONS_LIMIT, TRUE },
		{ T0, FLOM_MAX_CONNECTIONS_LIMIT + 1, FALSE },  /* more locks than a daemon can hold */
		{ T0, G_MAXINT64, FALSE },
		{ 0, 0, FALSE },                                 /* before the epoch */
		{ -5, 0, FALSE },
	};
	flom_msg m;

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		msg_make_daemon(&m, "host-a", cases[i].started, 7, SERVING, cases[i].holders);
		g_assert_cmpint(election_plausible(&m, now), ==, cases[i].ok);
		msg_clear(&m);
	}
	/* Clocks of two hosts differ a little, never by ten minutes. */
	msg_make_daemon(&m, "host-a", now + skew, 7, SERVING, 0);
	g_assert_true(election_plausible(&m, now));
	msg_clear(&m);
	msg_make_daemon(&m, "host-a", now + skew + 1, 7, SERVING, 0);
	g_assert_false(election_plausible(&m, now));
	msg_clear(&m);
	msg_make_daemon(&m, "", T0, 7, SERVING, 0);
	g_assert_false(election_plausible(&m, now));
	msg_clear(&m);
}

/* Only the daemon the announcement named, of our group, confirms it. */
static void test_confirms(void)
{
	const char *group = "ff02::1 port 28015";
	flom_msg heard, answer;

	msg_make_daemon(&heard, "host-a", T0, 7, SERVING, 999999);
	heard.daemon_port = 40000;
	msg_make_daemon(&answer, "host-a", T0, 7, SERVING, 2);
	answer.daemon_group = g_strdup(group);
	/* The holder count is the answer's: the datagram's is not believed. */
	g_assert_true(election_confirms(&heard, &answer, group));
	g_assert_false(election_confirms(&heard, &answer, "ff02::1 port 28016"));
	g_assert_false(election_confirms(&heard, &answer, NULL));
	answer.daemon_pid = 8;        /* another daemon answers at that port */
	g_assert_false(election_confirms(&heard, &answer, group));
	answer.daemon_pid = 7;
	answer.daemon_started = T0 + 1;
	g_assert_false(election_confirms(&heard, &answer, group));
	answer.daemon_started = T0;
	g_free(answer.daemon_id);
	answer.daemon_id = g_strdup("host-b");
	g_assert_false(election_confirms(&heard, &answer, group));
	g_free(answer.daemon_id);
	answer.daemon_id = g_strdup("host-a");
	g_clear_pointer(&answer.daemon_group, g_free); /* no group: not one of ours */
	g_assert_false(election_confirms(&heard, &answer, group));
	msg_clear(&heard);
	msg_clear(&answer);
}

static void test_bucket(void)
{
	election_bucket b = { 0 };
	gint64 t = T0;
	guint taken = 0;

	/* A burst of 3, then one every 500 ms (2 a second). */
	for (int i = 0; i < 10; i++)
		taken += election_bucket_take(&b, t, 2, 3);
	g_assert_cmpuint(taken, ==, 3);
	g_assert_false(election_bucket_take(&b, t + 499999, 2, 3));
	g_assert_true(election_bucket_take(&b, t + 500000, 2, 3));
	g_assert_false(election_bucket_take(&b, t + 500001, 2, 3));
	/* 30 s of a flood every 100 ms: about 2 a second pass, never more. */
	taken = 0;
	for (int i = 1; i <= 300; i++)
		taken += election_bucket_take(&b, t + 500000 + i * 100000, 2, 3);
	g_assert_cmpuint(taken, >=, 59);
	g_assert_cmpuint(taken, <=, 61);
	/* Long quiet refills only up to the burst. */
	t += G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC;
	taken = 0;
	for (int i = 0; i < 10; i++)
		taken += election_bucket_take(&b, t, 2, 3);
	g_assert_cmpuint(taken, ==, 3);
}

static void test_settle(void)
{
	/* Heard nobody: one -I (the starter's last query runs meanwhile);
	 * heard a rival: the whole FLOM_SETTLE_TIMEOUTS. */
	g_assert_cmpint(election_settle_us(500, FALSE), ==, FLOM_SETTLE_QUIET_TIMEOUTS * 500000);
	g_assert_cmpint(election_settle_us(500, TRUE), ==, FLOM_SETTLE_TIMEOUTS * 500000);
	g_assert_cmpint(election_settle_us(500, FALSE), <, election_settle_us(500, TRUE));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/election/own-announcement", test_own_announcement);
	g_test_add_func("/election/leaving-daemons-ignored", test_leaving_daemons_are_ignored);
	g_test_add_func("/election/settling-meets-serving", test_settling_meets_serving);
	g_test_add_func("/election/settling-meets-settling", test_settling_meets_settling);
	g_test_add_func("/election/serving-meets-settling", test_serving_meets_settling);
	g_test_add_func("/election/serving-meets-serving", test_serving_meets_serving);
	g_test_add_func("/election/both-sides-agree", test_both_sides_agree);
	g_test_add_func("/election/precedes", test_precedes_is_an_order);
	g_test_add_func("/election/plausible", test_plausible);
	g_test_add_func("/election/confirms", test_confirms);
	g_test_add_func("/election/bucket", test_bucket);
	g_test_add_func("/election/settle", test_settle);
	return g_test_run();
}
