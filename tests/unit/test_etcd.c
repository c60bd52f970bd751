/* Unit tests of the etcd backend's grant rule and key layout (etcd_decide). */
#include <string.h>

#include "etcd_decide.h"

#define C(m, q) { FLOM_LOCK_MODE_##m, (q), FALSE }
static const etcd_claim foreign = { FLOM_LOCK_MODE_EX, 1, TRUE };

static void test_simple_modes(void)
{
	etcd_claim pr = C(PR, 1), ex = C(EX, 1), cr = C(CR, 1), nl = C(NL, 1);
	etcd_claim held_pr[] = { C(PR, 1), C(PR, 1) };

	g_assert_cmpint(etcd_decide(RSRC_SIMPLE, 1, &ex, NULL, 0), ==, ETCD_GRANT);
	g_assert_cmpint(etcd_decide(RSRC_SIMPLE, 1, &pr, held_pr, 2), ==, ETCD_GRANT);
	g_assert_cmpint(etcd_decide(RSRC_SIMPLE, 1, &ex, held_pr, 2), ==, ETCD_WAIT);
	g_assert_cmpint(etcd_decide(RSRC_SIMPLE, 1, &cr, &ex, 1), ==, ETCD_WAIT);
	g_assert_cmpint(etcd_decide(RSRC_SIMPLE, 1, &nl, &ex, 1), ==, ETCD_GRANT);
	/* etcdctl's keys (empty value) are exclusive. */
	g_assert_cmpint(etcd_decide(RSRC_SIMPLE, 1, &cr, &foreign, 1), ==, ETCD_WAIT);
	g_assert_cmpint(etcd_decide(RSRC_SIMPLE, 1, &nl, &foreign, 1), ==, ETCD_GRANT);
}

/* Strict FIFO: an earlier waiter blocks a later compatible request too,
 * because every earlier key counts, held or not. */
static void test_fifo(void)
{
	etcd_claim pr = C(PR, 1);
	etcd_claim earlier[] = { C(PR, 1), C(EX, 1) }; /* a holder, then a waiter */

	g_assert_cmpint(etcd_decide(RSRC_SIMPLE, 1, &pr, earlier, 2), ==, ETCD_WAIT);
}

static void test_numeric(void)
{
	etcd_claim one = C(EX, 1), two = C(EX, 2), three = C(EX, 3);
	etcd_claim held[] = { C(EX, 1) };

	g_assert_cmpint(etcd_decide(RSRC_NUMERIC, 2, &one, held, 1), ==, ETCD_GRANT);
	g_assert_cmpint(etcd_decide(RSRC_NUMERIC, 2, &two, held, 1), ==, ETCD_WAIT);
	g_assert_cmpint(etcd_decide(RSRC_NUMERIC, 2, &two, NULL, 0), ==, ETCD_GRANT);
	g_assert_cmpint(etcd_decide(RSRC_NUMERIC, 2, &three, NULL, 0), ==, ETCD_NEVER);
	g_assert_cmpint(etcd_decide(RSRC_NUMERIC, 5, &one, &foreign, 1), ==, ETCD_WAIT);
}

static void test_slots(void)
{
	etcd_claim me = C(EX, 1);
	etcd_claim two[] = { C(EX, 1), C(EX, 1) };

	g_assert_cmpint(etcd_decide(RSRC_SET, 3, &me, two, 2), ==, ETCD_GRANT);
	g_assert_cmpint(etcd_decide(RSRC_SET, 2, &me, two, 2), ==, ETCD_WAIT);
	g_assert_cmpint(etcd_decide(RSRC_SEQUENCE, 2, &me, two, 1), ==, ETCD_GRANT);
	g_assert_cmpint(etcd_decide(RSRC_HIER, 1, &me, NULL, 0), ==, ETCD_UNSUPPORTED);
	g_assert_cmpint(etcd_capacity("red.green.blue", RSRC_SET), ==, 3);
	g_assert_cmpint(etcd_capacity("pool[7]", RSRC_NUMERIC), ==, 7);
	g_assert_cmpint(etcd_capacity("/a/b", RSRC_HIER), ==, -1);
}

static void test_values(void)
{
	etcd_claim c = C(PW, 3), back;
	g_autofree char *v = etcd_claim_value(&c, "host\"x", "user", 42, 1000);

	etcd_claim_parse(v, &back);
	g_assert_cmpint(back.mode, ==, FLOM_LOCK_MODE_PW);
	g_assert_cmpint(back.quantity, ==, 3);
	g_assert_false(back.foreign);
	etcd_claim_parse("", &back);
	g_assert_true(back.foreign);
	etcd_claim_parse("{\"mode\":\"XX\"}", &back);
	g_assert_true(back.foreign);
	etcd_claim_parse("{\"mode\":\"CR\",\"quantity\":0}", &back);
	g_assert_true(back.foreign);
	etcd_claim_parse("[1,2", &back);
	g_assert_true(back.foreign);
}

/* etcd's lock service layout: "<name>/<lease id in hex>". */
static void test_lock_keys(void)
{
	g_assert_true(etcd_is_lock_key("/flom/R/2991a22b98a5a90c", "/flom/R/"));
	g_assert_false(etcd_is_lock_key("/flom/R/e/0", "/flom/R/"));
	g_assert_false(etcd_is_lock_key("/flom/R/counter", "/flom/R/"));
	g_assert_false(etcd_is_lock_key("/flom/R/", "/flom/R/"));
	g_assert_false(etcd_is_lock_key("/flom/R/2991A22B98A5A90C", "/flom/R/"));
	g_assert_false(etcd_is_lock_key("/flom/R/12345678901234567", "/flom/R/"));
	g_assert_false(etcd_is_lock_key("/flom/S/1", "/flom/R/"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/etcd/simple_modes", test_simple_modes);
	g_test_add_func("/etcd/fifo", test_fifo);
	g_test_add_func("/etcd/numeric", test_numeric);
	g_test_add_func("/etcd/slots", test_slots);
	g_test_add_func("/etcd/values", test_values);
	g_test_add_func("/etcd/lock_keys", test_lock_keys);
	return g_test_run();
}
