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
	return g_test_run();
}
