/* Unit tests of the etcd backend's grant rule and key layout (etcd_decide),
 * and of its status records (etcd_status). */
#include <stdio.h>
#include <string.h>

#include "etcd_decide.h"
#include "etcd_status.h"
#include "msg.h"
#include "status.h"

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

/* --status --etcd: keys in create order become the status records. */
static void test_status_records(void)
{
	etcd_claim ex = C(EX, 1), pr = C(PR, 1);
	g_autofree char *v_ex = etcd_claim_value(&ex, "h1", "u1", 10, 1000);
	g_autofree char *v_pr = etcd_claim_value(&pr, "h2", "u2", 20, 2000);
	const etcd_status_key keys[] = {
		{ "/flom/R/a1", v_ex, 5 },
		{ "/flom/R/b2", "", 6 },          /* etcdctl lock /flom/R */
		{ "/flom/R/c3", v_pr, 7 },
		{ "/flom/S.T/d4", v_ex, 8 },
		{ "/flom/S.T/e/1", "/flom/S.T/d4", 9 }, /* d4 claims element T */
		{ "/flom/R/counter", "3", 10 },
		{ "/flom/junk", "", 11 },
		{ "/flom//a/b", "", 12 },
	};
	g_autoptr(GPtrArray) r = etcd_status_records("/flom/", keys, G_N_ELEMENTS(keys), FALSE, 5000000);
	static const char *const want[][4] = {
		/* record, state, token, element */
		{ "rsrc", NULL, NULL, NULL },
		{ "owner", "holding", "5", NULL },
		{ "owner", "waiting", "0", NULL },
		{ "owner", "waiting", "0", NULL },
		{ "rsrc", NULL, NULL, NULL },
		{ "owner", "holding", "8", "T" },
		{ "end", NULL, NULL, NULL },
	};
	g_autofree char *table = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&table, &len);

	g_assert_cmpuint(r->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < r->len; i++) {
		const flom_msg *m = g_ptr_array_index(r, i);

		g_assert_cmpstr(m->record, ==, want[i][0]);
		g_assert_cmpstr(msg_field(m, "state"), ==, want[i][1]);
		g_assert_cmpstr(msg_field(m, "token"), ==, want[i][2]);
		g_assert_cmpstr(msg_field(m, "element"), ==, want[i][3]);
	}
	g_assert_cmpstr(msg_field(g_ptr_array_index(r, 1), "pid"), ==, "10");
	g_assert_cmpstr(msg_field(g_ptr_array_index(r, 1), "requested"), ==, "1000000");
	g_assert_cmpstr(msg_field(g_ptr_array_index(r, 3), "user"), ==, "u2");
	g_assert_cmpstr(msg_field(g_ptr_array_index(r, 6), "count"), ==, "2");
	g_assert_cmpint(status_print(r, STATUS_FORMAT_TABLE, FALSE, out), ==, 0);
	fclose(out);
	/* the foreign request is known by its lease, and waits in line */
	g_assert_nonnull(strstr(table, "R         simple  waiting  EX    ?     lease b2"));
	g_assert_nonnull(strstr(table, "S.T       set     holding"));
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
	g_test_add_func("/etcd/status_records", test_status_records);
	return g_test_run();
}
