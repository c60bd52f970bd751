/*
 * Unit tests of issue 13: our wire attributes (client claims, holder in a
 * queued answer, command pid, status records), the lock table's counters,
 * the daemon's status collector and the client's rendering.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "locktable.h"
#include "msg.h"
#include "status.h"
#include "status_collect.h"

#define H "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>"
#define T0 (G_GINT64_CONSTANT(1700000000) * G_TIME_SPAN_SECOND)
#define SEC G_TIME_SPAN_SECOND

static char *encode(const flom_msg *m)
{
	GString *s = g_string_new(NULL);

	msg_encode(m, s);
	return g_string_free(s, FALSE);
}

static void decode_ok(const char *bytes, flom_msg *m)
{
	g_autoptr(GError) err = NULL;

	g_assert_cmpint(msg_decode(bytes, strlen(bytes), m, &err), ==, 0);
	g_assert_no_error(err);
}

/* ---- codec ---- */

static void test_probe_bytes(void)
{
	g_auto(flom_msg) m;
	g_autofree char *bytes = NULL;

	msg_make_status_request(&m, "id", "db");
	bytes = encode(&m);
	/* a lock request of an invalid name, wait=0 create=0: harmless to an
	 * original daemon, and under its 512-byte buffer */
	g_assert_cmpstr(bytes, ==, H "<msg level=\"3\" verb=\"1\" step=\"8\"><session peerid=\"id\"/>"
			"<resource name=\"ZmxvbSBzdGF0dXM=\" mode=\"5\" wait=\"0\" create=\"0\" lifespan=\"0\" "
			"status=\"1\" filter=\"ZGI=\"/></msg>");
	msg_clear(&m);
	decode_ok(bytes, &m);
	g_assert_cmpint(m.status, ==, 1);
	g_assert_cmpstr(m.filter, ==, "db");
	g_assert_cmpstr(m.name, ==, MSG_STATUS_PROBE_NAME);
	g_assert_cmpint(msg_check_request(&m, NULL), ==, 0);
}

static void test_claims_roundtrip(void)
{
	g_auto(flom_msg) m;
	g_autofree char *bytes = NULL;

	msg_make_lock(&m, "id", "db", FLOM_LOCK_MODE_PR, TRUE, 1, TRUE, 0);
	m.client.pid = 42;
	m.client.uid = 1000;
	m.client.user = g_strdup("al\"ice");
	m.client.host = g_strdup("box");
	bytes = encode(&m);
	g_assert_nonnull(strstr(bytes, " lifespan=\"0\" pid=\"42\" uid=\"1000\" user=\"al&quot;ice\" host=\"box\"/>"));
	msg_clear(&m);
	decode_ok(bytes, &m);
	g_assert_cmpint(m.client.pid, ==, 42);
	g_assert_cmpint(m.client.uid, ==, 1000);
	g_assert_cmpstr(m.client.user, ==, "al\"ice");
	g_assert_cmpstr(m.client.host, ==, "box");
	g_assert_cmpint(m.status, ==, 0);
	g_assert_cmpint(msg_check_request(&m, NULL), ==, 0);
}

static void test_claims_ignored_in_unlock(void)
{
	g_auto(flom_msg) m;

	decode_ok(H "<msg level=\"3\" verb=\"2\" step=\"8\"><resource name=\"ZGI=\" rollback=\"0\" "
		  "pid=\"x\" user=\"u\" status=\"1\" /></msg>", &m);
	g_assert_cmpint(m.client.pid, ==, 0);
	g_assert_null(m.client.user);
	g_assert_cmpint(m.status, ==, 0);
	g_assert_cmpint(msg_check_request(&m, NULL), ==, 0);
}

static void test_holder_in_answer(void)
{
	g_auto(flom_msg) m;
	g_autofree char *bytes = NULL;

	msg_make_answer(&m, 16, "id", FLOM_RC_ENQUEUED, NULL, FALSE, 0);
	m.ext = MSG_EXT_LEVEL;
	m.has_holder = TRUE;
	m.holder.pid = 7;
	m.holder.uid = 0;
	m.holder.user = g_strdup("root");
	m.holder.host = g_strdup("h");
	m.holder_since = 123;
	bytes = encode(&m);
	g_assert_cmpstr(bytes, ==, H "<msg level=\"3\" verb=\"1\" step=\"16\"><session peerid=\"id\"/>"
			"<answer rc=\"1\" ext=\"1\" holder-pid=\"7\" holder-uid=\"0\" holder-user=\"root\" "
			"holder-host=\"h\" holder-since=\"123\"/></msg>");
	msg_clear(&m);
	decode_ok(bytes, &m);
	g_assert_true(m.has_holder);
	g_assert_cmpint(m.ext, ==, 1);
	g_assert_cmpint(m.holder.pid, ==, 7);
	g_assert_cmpstr(m.holder.user, ==, "root");
	g_assert_cmpint(m.holder_since, ==, 123);
}

static void test_command_message(void)
{
	g_auto(flom_msg) m;
	g_autofree char *bytes = NULL;

	msg_make_command(&m, 4242);
	bytes = encode(&m);
	g_assert_cmpstr(bytes, ==, H "<msg level=\"3\" verb=\"1\" step=\"40\"><command pid=\"4242\"/></msg>");
	msg_clear(&m);
	decode_ok(bytes, &m);
	g_assert_cmpint(m.client.command_pid, ==, 4242);
	g_assert_cmpint(msg_check_request(&m, NULL), ==, 0);
}

static void test_bad_ours(void)
{
	static const char *const bad[] = {
		H "<msg level=\"3\" verb=\"1\" step=\"40\"><command pid=\"0\"/></msg>",
		H "<msg level=\"3\" verb=\"1\" step=\"40\"><command/></msg>",
		H "<msg level=\"3\" verb=\"1\" step=\"40\"><command pid=\"1\" x=\"2\"/></msg>",
		H "<msg level=\"3\" verb=\"6\" step=\"16\"></msg>",
		H "<msg level=\"3\" verb=\"6\" step=\"24\"><end rc=\"0\"/></msg>",
		H "<msg level=\"3\" verb=\"6\" step=\"16\"><rsrc/><end rc=\"0\"/></msg>",
		H "<msg level=\"3\" verb=\"1\" step=\"8\"><resource name=\"ZGI=\" filter=\"*\"/></msg>",
		H "<msg level=\"3\" verb=\"1\" step=\"16\"><answer rc=\"1\" holder-pid=\"p\"/></msg>",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_auto(flom_msg) m;
		g_autoptr(GError) err = NULL;

		g_assert_cmpint(msg_decode(bad[i], strlen(bad[i]), &m, &err), ==, -1);
		g_assert_nonnull(err);
	}
}

static void test_check_ours(void)
{
	static const char *const bad[] = {
		H "<msg level=\"3\" verb=\"1\" step=\"8\"><resource name=\"ZGI=\" status=\"2\"/></msg>",
		H "<msg level=\"3\" verb=\"1\" step=\"8\"><resource name=\"ZGI=\" pid=\"-1\"/></msg>",
		H "<msg level=\"3\" verb=\"1\" step=\"8\"><resource name=\"ZGI=\" uid=\"-2\"/></msg>",
		H "<msg level=\"3\" verb=\"6\" step=\"16\"><end rc=\"0\"/></msg>",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_auto(flom_msg) m;

		decode_ok(bad[i], &m);
		g_assert_cmpint(msg_check_request(&m, NULL), ==, -1);
	}
}

static void test_record_roundtrip(void)
{
	g_auto(flom_msg) m;
	g_autofree char *bytes = NULL;

	msg_make_record(&m, "owner");
	msg_add_field(&m, "user", "a<b");
	msg_add_field_int(&m, "pid", -3);
	bytes = encode(&m);
	g_assert_cmpstr(bytes, ==, H "<msg level=\"3\" verb=\"6\" step=\"16\"><owner user=\"a&lt;b\" pid=\"-3\"/></msg>");
	msg_clear(&m);
	decode_ok(bytes, &m);
	g_assert_cmpstr(m.record, ==, "owner");
	g_assert_cmpstr(msg_field(&m, "user"), ==, "a<b");
	g_assert_cmpstr(msg_field(&m, "pid"), ==, "-3");
	g_assert_null(msg_field(&m, "host"));
}

/* ---- lock table ---- */

typedef struct {
	lt_table *t;
	GArray *ev;
} fx;

static void fx_setup(fx *f, gconstpointer data)
{
	(void)data;
	f->t = lt_new();
	f->ev = lt_events_new();
}

static void fx_teardown(fx *f, gconstpointer data)
{
	(void)data;
	lt_events_clear(f->ev);
	g_array_free(f->ev, TRUE);
	lt_free(f->t);
}

static void lock(fx *f, guint64 owner, const char *name, flom_lock_mode mode, gint64 uid, gint64 now)
{
	flom_client_info ci = { .pid = (gint64)owner * 100, .uid = uid, .user = "u", .host = "h" };
	lt_lock_request r = {
		.owner = owner, .name = name, .mode = mode, .quantity = 1, .wait = TRUE,
		.create = TRUE, .peer = "local", .client = &ci,
	};

	lt_events_clear(f->ev);
	lt_request(f->t, &r, now, f->ev);
}

static void release(fx *f, guint64 owner, gint64 now)
{
	lt_events_clear(f->ev);
	lt_release(f->t, owner, FALSE, now, f->ev);
}

static void count_visit(const lt_resource_info *info, gpointer data)
{
	*(lt_counters *)data = *info->counters;
}

static void test_counters(fx *f, gconstpointer data)
{
	lt_counters c = { 0 };
	lt_owner_info h;

	(void)data;
	lock(f, 1, "db", FLOM_LOCK_MODE_EX, 0, T0);
	lock(f, 2, "db", FLOM_LOCK_MODE_EX, 0, T0 + 1 * SEC);
	g_assert_cmpint(lt_oldest_holder(f->t, 2, &h), ==, 0);
	g_assert_cmpuint(h.owner, ==, 1);
	g_assert_cmpint(h.client->pid, ==, 100);
	g_assert_cmpint(h.since_us, ==, T0);
	g_assert_cmpint(lt_set_command_pid(f->t, 1, 555), ==, 0);
	g_assert_cmpint(lt_set_command_pid(f->t, 9, 555), ==, -1);
	release(f, 1, T0 + 4 * SEC);   /* held 4 s; 2 waited 3 s */
	release(f, 2, T0 + 5 * SEC);   /* held 1 s */
	lt_foreach_resource(f->t, count_visit, &c);
	g_assert_cmpuint(c.grants, ==, 2);
	g_assert_cmpint(c.wait_total_us, ==, 3 * SEC);
	g_assert_cmpint(c.wait_max_us, ==, 3 * SEC);
	g_assert_cmpint(c.hold_total_us, ==, 5 * SEC);
	g_assert_cmpint(c.hold_max_us, ==, 4 * SEC);
	/* the resource is reaped; its counters come back with it */
	lt_tick(f->t, T0 + 60 * SEC, f->ev);
	g_assert_cmpuint(lt_resource_count(f->t), ==, 0);
	lock(f, 3, "db", FLOM_LOCK_MODE_EX, 0, T0 + 61 * SEC);
	lt_foreach_resource(f->t, count_visit, &c);
	g_assert_cmpuint(c.grants, ==, 3);
	g_assert_cmpint(c.hold_max_us, ==, 4 * SEC);
}

static void test_counters_bounded(fx *f, gconstpointer data)
{
	lt_counters c = { 0 };

	(void)data;
	lock(f, 1, "first", FLOM_LOCK_MODE_EX, 0, T0);
	release(f, 1, T0);
	for (guint64 i = 0; i <= FLOM_COUNTERS_KEPT_MAX; i++) {
		g_autofree char *name = g_strdup_printf("r%" G_GUINT64_FORMAT, i);

		lock(f, 10 + i, name, FLOM_LOCK_MODE_EX, 0, T0);
		release(f, 10 + i, T0);
	}
	lt_tick(f->t, T0 + 60 * SEC, f->ev);
	lock(f, 2, "first", FLOM_LOCK_MODE_EX, 0, T0 + 61 * SEC);
	lt_foreach_resource(f->t, count_visit, &c);
	g_assert_cmpuint(c.grants, ==, 1);   /* the oldest dead counters were forgotten */
}

/* ---- collector ---- */

static GPtrArray *decode_all(const GString *s)
{
	GPtrArray *recs = g_ptr_array_new();
	size_t off = 0;

	while (off < s->len) {
		gssize len = msg_frame(s->str + off, s->len - off);
		flom_msg *m = g_new0(flom_msg, 1);

		g_assert_cmpint(len, >, 0);
		g_assert_cmpint(msg_decode(s->str + off, (size_t)len, m, NULL), ==, 0);
		g_ptr_array_add(recs, m);
		off += (size_t)len;
	}
	return recs;
}

static void free_all(GPtrArray *recs)
{
	for (guint i = 0; i < recs->len; i++) {
		msg_clear(g_ptr_array_index(recs, i));
		g_free(g_ptr_array_index(recs, i));
	}
	g_ptr_array_free(recs, TRUE);
}

static const char *rec(GPtrArray *recs, guint i, const char *field)
{
	return msg_field(g_ptr_array_index(recs, i), field);
}

static void test_collect(fx *f, gconstpointer data)
{
	g_autoptr(GString) out = g_string_new(NULL);
	status_query q = { .see_all = TRUE, .asker_uid = -1, .now_us = T0 + 9 * SEC, .max_bytes = 1 << 20 };
	GPtrArray *recs;

	(void)data;
	lock(f, 1, "zz", FLOM_LOCK_MODE_EX, 0, T0);
	lock(f, 2, "db", FLOM_LOCK_MODE_PR, 0, T0);
	lock(f, 3, "db", FLOM_LOCK_MODE_EX, 1000, T0 + SEC);
	lock(f, 4, "db", FLOM_LOCK_MODE_CR, 1000, T0 + 2 * SEC);
	status_collect(f->t, &q, out);
	recs = decode_all(out);
	/* db (sorted first): holder 2, waiters 3 then 4; zz: holder 1; end */
	g_assert_cmpuint(recs->len, ==, 7);
	g_assert_cmpstr(((flom_msg *)g_ptr_array_index(recs, 0))->record, ==, "rsrc");
	g_assert_cmpstr(rec(recs, 0, "name"), ==, "ZGI=");
	g_assert_cmpstr(rec(recs, 1, "state"), ==, "holding");
	g_assert_cmpstr(rec(recs, 1, "pid"), ==, "200");
	g_assert_cmpstr(rec(recs, 2, "state"), ==, "waiting");
	g_assert_cmpstr(rec(recs, 2, "pid"), ==, "300");
	g_assert_cmpstr(rec(recs, 3, "pid"), ==, "400");
	g_assert_cmpstr(rec(recs, 4, "name"), ==, "eno=");
	g_assert_cmpstr(((flom_msg *)g_ptr_array_index(recs, 6))->record, ==, "end");
	g_assert_cmpstr(rec(recs, 6, "count"), ==, "2");
	g_assert_cmpstr(rec(recs, 6, "truncated"), ==, "0");
	free_all(recs);

	/* uid 1000 may not see all: only db, where it waits; -r zz: only zz */
	g_string_truncate(out, 0);
	q.see_all = FALSE;
	q.asker_uid = 1000;
	status_collect(f->t, &q, out);
	recs = decode_all(out);
	g_assert_cmpuint(recs->len, ==, 5);
	g_assert_cmpstr(rec(recs, 0, "name"), ==, "ZGI=");
	free_all(recs);
	g_string_truncate(out, 0);
	q.see_all = TRUE;
	q.filter = "zz";
	status_collect(f->t, &q, out);
	recs = decode_all(out);
	g_assert_cmpuint(recs->len, ==, 3);
	g_assert_cmpstr(rec(recs, 0, "name"), ==, "eno=");
	free_all(recs);

	/* past max_bytes it stops, and says so */
	g_string_truncate(out, 0);
	q.filter = NULL;
	q.max_bytes = 1;
	status_collect(f->t, &q, out);
	recs = decode_all(out);
	g_assert_cmpuint(recs->len, ==, 3);
	g_assert_cmpstr(rec(recs, 2, "truncated"), ==, "1");
	free_all(recs);
}

static void test_claims_checked(void)
{
	flom_client_info claimed = { .pid = 1, .uid = 0, .user = (char *)"root", .host = (char *)"elsewhere" };
	g_auto(flom_client_info) out = FLOM_CLIENT_INFO_INIT;

	status_check_claims(&claimed, 4321, 1000, "here", &out);
	g_assert_cmpint(out.pid, ==, 4321);
	g_assert_cmpint(out.uid, ==, 1000);
	g_assert_null(out.user);     /* the claimed name was another uid's */
	g_assert_cmpstr(out.host, ==, "here");
	flom_client_info_clear(&out);
	claimed.uid = 1000;
	claimed.user = (char *)"alice";
	status_check_claims(&claimed, 4321, 1000, "here", &out);
	g_assert_cmpstr(out.user, ==, "alice");
	flom_client_info_clear(&out);
	status_check_claims(&claimed, 0, -1, "here", &out);   /* TCP: as claimed */
	g_assert_cmpint(out.pid, ==, 1);
	g_assert_cmpstr(out.host, ==, "elsewhere");
}

/* ---- rendering ---- */

static char *render(fx *f, status_format format)
{
	g_autoptr(GString) out = g_string_new(NULL);
	status_query q = { .see_all = TRUE, .asker_uid = -1, .now_us = T0 + 9 * SEC, .max_bytes = 1 << 20 };
	GPtrArray *recs;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	status_collect(f->t, &q, out);
	recs = decode_all(out);
	g_assert_cmpint(status_print(recs, format, TRUE, fp), ==, 0);
	fclose(fp);
	free_all(recs);
	return text;
}

static void test_render(fx *f, gconstpointer data)
{
	char *table, *json;

	(void)data;
	table = render(f, STATUS_FORMAT_JSON);
	g_assert_cmpstr(table, ==, "[]\n");
	free(table);
	lock(f, 1, "/we\"ird\n", FLOM_LOCK_MODE_EX, 0, T0);
	lock(f, 2, "/we\"ird\n", FLOM_LOCK_MODE_EX, 0, T0 + SEC);
	table = render(f, STATUS_FORMAT_TABLE);
	json = render(f, STATUS_FORMAT_JSON);
	/* control characters never reach the terminal */
	g_assert_nonnull(strstr(table, "\n/we\"ird?  hierarchical  holding  EX"));
	g_assert_nonnull(strstr(table, "GRANTS"));
	g_assert_nonnull(strstr(json, "\"name\": \"/we\\\"ird\\u000a\""));
	g_assert_nonnull(strstr(json, "\"waited_ms\": 8000"));
	g_assert_nonnull(strstr(json, "\"requested\": \"2023-11-14T22:13:21.000Z\""));
	free(table);
	free(json);
}

static void test_notice(void)
{
	g_auto(flom_msg) m;
	g_autofree char *a = NULL, *b = NULL, *c = NULL;

	msg_init(&m);
	m.rc = FLOM_RC_ENQUEUED;
	a = status_wait_notice("db", &m);
	g_assert_cmpstr(a, ==, "flom: waiting for db");
	m.has_holder = TRUE;
	m.holder.pid = 12;
	m.holder.uid = 7;
	m.holder.host = g_strdup("box");
	m.holder_since = g_get_real_time();
	b = status_wait_notice("db", &m);
	g_assert_true(g_str_has_prefix(b, "flom: waiting for db, held by uid=7@box pid 12 since "));
	m.rc = FLOM_RC_WAIT_RESOURCE;
	c = status_wait_notice("db", &m);
	g_assert_cmpstr(c, ==, "flom: waiting for db, which does not exist yet");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/status/msg/probe", test_probe_bytes);
	g_test_add_func("/status/msg/claims", test_claims_roundtrip);
	g_test_add_func("/status/msg/claims-unlock", test_claims_ignored_in_unlock);
	g_test_add_func("/status/msg/holder", test_holder_in_answer);
	g_test_add_func("/status/msg/command", test_command_message);
	g_test_add_func("/status/msg/bad", test_bad_ours);
	g_test_add_func("/status/msg/check", test_check_ours);
	g_test_add_func("/status/msg/record", test_record_roundtrip);
	g_test_add("/status/lt/counters", fx, NULL, fx_setup, test_counters, fx_teardown);
	g_test_add("/status/lt/counters-bounded", fx, NULL, fx_setup, test_counters_bounded, fx_teardown);
	g_test_add("/status/collect", fx, NULL, fx_setup, test_collect, fx_teardown);
	g_test_add_func("/status/claims", test_claims_checked);
	g_test_add("/status/render", fx, NULL, fx_setup, test_render, fx_teardown);
	g_test_add_func("/status/notice", test_notice);
	return g_test_run();
}
