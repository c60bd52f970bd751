/*
 * flom: the lock conversation with an etcd cluster (--etcd), behind the
 * client's backend seam (backend.h).
 *
 * Layout, the same as etcd's own lock service (v3lock, `etcdctl lock`): a
 * request is the key "<Prefix><resource>/<lease id in hex>", put with the
 * lease of this flom, so that `etcdctl lock <Prefix><resource>` and flom
 * exclude each other on exclusive locks. The value says what the key asks
 * (etcd_decide.h); the key's create revision orders the queue and is the
 * fencing token. A waiter ranges the keys, decides (etcd_decide), and when it
 * must wait, watches the prefix from the revision it saw: no polling, and no
 * event between the range and the watch can be missed.
 *
 * Set elements are claimed with keys "<Prefix><resource>/e/<index>" and
 * sequence values come from "<Prefix><resource>/counter" (and, for _S_,
 * values given back under ".../reuse/"); none of them is a lock key.
 */
#include "backend.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "etcd_decide.h"
#include "etcd_http.h"
#include "etcd_keeper.h"
#include "rsrc_name.h"
#include "trace.h"
#include "etcd_lib.h"

typedef struct etcd_lock {
	etcd_http *h;
	etcd_keeper keeper;
	gint64 lease;
	gint64 ttl_ms;
	char *prefix;           /* "<Prefix><resource>/" */
	char *key;              /* this request's key */
	gint64 rev;             /* its create revision, 0 until known */
	rsrc_type type;
	gint64 capacity;
	etcd_claim me;
	gint64 deadline;        /* -o, absolute ms; <0: none */
} etcd_lock;

/* Outcomes of the steps of a lock, beyond 0 = done. */
enum { STEP_FAILED = -1, STEP_LOST = -2 };

static char *etcd_body_id(gint64 id)
{
	return g_strdup_printf("{\"ID\":\"%" G_GINT64_FORMAT "\"}", id);
}

/* Whether the keeper gave the lease up (its pipe closed). */
static gboolean etcd_lease_lost(const etcd_lock *l)
{
	char c;

	return l->keeper.pid > 0 && read(l->keeper.from_keeper, &c, 1) == 0;
}

/*
 * A request that may fail on every member for a while (a leader election, a
 * member restarting): retried until it works, the lease is at risk (the
 * keeper closed its pipe) or the -o deadline passed. NULL with err then.
 */
static JsonObject *etcd_call(etcd_lock *l, const char *path, const char *body, GError **err)
{
	for (;;) {
		g_autoptr(GError) e = NULL;
		JsonObject *o = etcd_http_post(l->h, path, body, FLOM_ETCD_REQUEST_TIMEOUT_MS, &e);

		if (o || !g_error_matches(e, ETCD_ERROR, EIO) || l->keeper.pid <= 0 ||
		    etcd_lease_lost(l) || (l->deadline >= 0 && etcd_now_ms() >= l->deadline)) {
			if (!o)
				g_propagate_error(err, g_steal_pointer(&e));
			return o;
		}
		TRACE(TRACE_CLIENT, "retrying %s: %s", path, e->message);
		g_usleep(FLOM_ETCD_KEEPALIVE_RETRY_MS * 1000);
	}
}

/* ------------------------------------------------------------ preparing */

static int etcd_check(const flom_config *cfg, etcd_lock *l, GError **err)
{
	const char *prefix = cfg->etcd_prefix ? cfg->etcd_prefix : FLOM_ETCD_DEFAULT_PREFIX;

	l->type = rsrc_name_classify(cfg->resource_name);
	if (l->type == RSRC_HIER || l->type == RSRC_TIMESTAMP) {
		g_set_error(err, ETCD_ERROR, ENOTSUP, "%s resources are not supported with --etcd (%s)",
			    rsrc_type_name(l->type), l->type == RSRC_HIER
			    ? "a path conflicts with its ancestors and descendants: one lock would "
			      "watch and order keys across many prefixes"
			    : "timestamps must be unique and increasing across hosts, which needs "
			      "one clock");
		return -1;
	}
	if (strlen(prefix) > FLOM_ETCD_PREFIX_MAX) {
		g_set_error(err, ETCD_ERROR, EINVAL, "the etcd prefix is longer than %d bytes",
			    FLOM_ETCD_PREFIX_MAX);
		return -1;
	}
	l->capacity = etcd_capacity(cfg->resource_name, l->type);
	l->prefix = g_strconcat(prefix, cfg->resource_name, "/", NULL);
	l->me = (etcd_claim){ cfg->lock_mode, cfg->resource_quantity, FALSE };
	l->deadline = cfg->resource_timeout > 0 ? etcd_now_ms() + cfg->resource_timeout : -1;
	l->h = etcd_http_new(cfg->etcd_endpoints, cfg->etcd_ca_certificate, cfg->etcd_certificate,
			     cfg->etcd_private_key, err);
	return l->h ? 0 : -1;
}

static int etcd_grant_lease(const flom_config *cfg, etcd_lock *l, GError **err)
{
	g_autofree char *body = g_strdup_printf("{\"TTL\":\"%" G_GINT64_FORMAT "\"}", cfg->etcd_lease_ttl);
	gint64 sent = etcd_now_ms();
	JsonObject *o = etcd_http_post(l->h, "/v3/lease/grant", body,
					 FLOM_ETCD_REQUEST_TIMEOUT_MS * FLOM_ETCD_ENDPOINTS_MAX, err);

	if (!o)
		return -1;
	l->lease = etcd_int_member(o, "ID");
	/* etcd may raise a short TTL; it never lowers one. */
	l->ttl_ms = 1000 * MAX(etcd_int_member(o, "TTL"), cfg->etcd_lease_ttl);
	json_object_unref(o);
	if (l->lease == 0) {
		g_set_error(err, ETCD_ERROR, EPROTO, "etcd granted no lease");
		return -1;
	}
	l->key = g_strdup_printf("%s%" G_GINT64_MODIFIER "x", l->prefix, l->lease);
	return etcd_keeper_start(&l->keeper, l->h, l->lease, l->ttl_ms, sent, cfg->grace_period, err);
}

/* ------------------------------------------------------------ deciding */

static char *etcd_op_put(const char *key, const char *value, gint64 lease)
{
	g_autofree char *k64 = etcd_b64(key), *v64 = etcd_b64(value);

	return g_strdup_printf("{\"request_put\":{\"key\":\"%s\",\"value\":\"%s\",\"lease\":\"%"
			       G_GINT64_FORMAT "\"}}", k64, v64, lease);
}

/* The "kvs" of a range reply (absent when there are none). */
static JsonArray *etcd_kvs(JsonObject *o)
{
	JsonNode *n = json_object_get_member(o, "kvs");

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

/* Collect the lock keys before ours from a range reply. -1: ours is gone. */
static int etcd_earlier(etcd_lock *l, JsonArray *kvs, GArray *earlier)
{
	for (guint i = 0; kvs && i < json_array_get_length(kvs); i++) {
		JsonObject *kv = json_array_get_object_element(kvs, i);
		g_autofree char *key = etcd_b64_member(kv, "key");
		g_autofree char *value = NULL;
		etcd_claim c;

		if (!key || !etcd_is_lock_key(key, l->prefix))
			continue;
		if (strcmp(key, l->key) == 0) {
			l->rev = etcd_int_member(kv, "create_revision");
			return 0;
		}
		value = etcd_b64_member(kv, "value");
		etcd_claim_parse(value, &c);
		g_array_append_val(earlier, c);
	}
	return -1;
}

/* The body of a range of the resource's keys, oldest first (once ours is
 * known, later keys are of no interest). */
static char *etcd_range_body(const etcd_lock *l)
{
	g_autofree char *end = etcd_prefix_end(l->prefix);
	g_autofree char *p64 = etcd_b64(l->prefix), *e64 = etcd_b64(end);
	g_autofree char *max = l->rev ? g_strdup_printf(",\"max_create_revision\":\"%" G_GINT64_FORMAT
							"\"", l->rev) : g_strdup("");

	return g_strdup_printf("{\"key\":\"%s\",\"range_end\":\"%s\",\"sort_order\":\"ASCEND\","
			       "\"sort_target\":\"CREATE\"%s}", p64, e64, max);
}

/* Decide from a range reply RANGE (its kvs). */
static int etcd_decide_reply(etcd_lock *l, JsonObject *range, etcd_verdict *v, GError **err)
{
	g_autoptr(GArray) earlier = g_array_new(FALSE, FALSE, sizeof(etcd_claim));

	if (etcd_earlier(l, range ? etcd_kvs(range) : NULL, earlier) < 0) {
		g_set_error(err, ETCD_ERROR, ENOENT, "the lock request %s vanished from etcd (the lease expired)",
			    l->key);
		return STEP_LOST;
	}
	*v = etcd_decide(l->type, l->capacity, &l->me, (etcd_claim *)earlier->data, earlier->len);
	return 0;
}

/* Member NAME of O when it is an object, else NULL (O may be NULL). */
static JsonObject *etcd_object_member(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

/* The header revision of a reply. */
static gint64 etcd_revision(JsonObject *o)
{
	return etcd_int_member(etcd_object_member(o, "header"), "revision");
}

/* Range the resource's keys, decide. *seen: the revision the range saw. */
static int etcd_decide_now(etcd_lock *l, etcd_verdict *v, gint64 *seen, GError **err)
{
	g_autofree char *body = etcd_range_body(l);
	JsonObject *o = etcd_call(l, "/v3/kv/range", body, err);
	int rc;

	if (!o)
		return STEP_FAILED;
	*seen = etcd_revision(o);
	rc = etcd_decide_reply(l, o, v, err);
	json_object_unref(o);
	return rc;
}

/*
 * Put this request's key and range the resource's keys in one transaction
 * (one round trip, one raft entry): the range sees the put, so the reply
 * says at once where the key stands. A retry after a lost reply puts the
 * same key again, which keeps its create revision.
 */
static int etcd_put_decide(etcd_lock *l, etcd_verdict *v, gint64 *seen, GError **err)
{
	g_autofree char *value = etcd_claim_value(&l->me, g_get_host_name(), g_get_user_name(),
						  (long)getpid(), g_get_real_time() / 1000);
	g_autofree char *op = etcd_op_put(l->key, value, l->lease), *range = etcd_range_body(l);
	g_autofree char *body = g_strdup_printf("{\"success\":[%s,{\"request_range\":%s}]}", op, range);
	JsonObject *o = etcd_call(l, "/v3/kv/txn", body, err);
	JsonNode *replies;
	JsonObject *reply = NULL;
	int rc;

	if (!o)
		return STEP_FAILED;
	*seen = etcd_revision(o);
	replies = json_object_get_member(o, "responses");
	if (replies && JSON_NODE_HOLDS_ARRAY(replies) &&
	    json_array_get_length(json_node_get_array(replies)) == 2)
		reply = etcd_object_member(json_array_get_object_element(json_node_get_array(replies), 1),
					   "response_range");
	if (reply) {
		rc = etcd_decide_reply(l, reply, v, err);
	} else {
		g_set_error(err, ETCD_ERROR, EPROTO, "etcd's transaction reply has no range");
		rc = STEP_FAILED;
	}
	json_object_unref(o);
	return rc;
}

/* Wait for a change under the prefix after revision SEEN: 1 changed (or the
 * stream broke: look again), 0 the -o deadline passed, STEP_LOST. */
static int etcd_wait_change(etcd_lock *l, gint64 seen, GError **err)
{
	g_autofree char *end = etcd_prefix_end(l->prefix);
	g_autofree char *p64 = etcd_b64(l->prefix), *e64 = etcd_b64(end);
	g_autofree char *body = g_strdup_printf("{\"create_request\":{\"key\":\"%s\",\"range_end\":\"%s\","
						"\"start_revision\":\"%" G_GINT64_FORMAT "\"}}",
						p64, e64, seen + 1);
	g_autoptr(GError) e = NULL;
	etcd_watch *w = etcd_watch_start(l->h, body, &e);
	int r = w ? etcd_watch_wait(w, l->keeper.from_keeper, l->deadline, &e) : -1;

	etcd_watch_free(w);
	if (r == 2 && etcd_lease_lost(l)) {
		g_set_error(err, ETCD_ERROR, EIO, "the etcd lease could not be kept alive");
		return STEP_LOST;
	}
	if (r < 0) {
		TRACE(TRACE_CLIENT, "watch: %s", e ? e->message : "failed");
		g_usleep(FLOM_ETCD_KEEPALIVE_RETRY_MS * 1000);
	}
	return r == 0 ? 0 : 1;
}

/* Wait for a change after SEEN: -1 to look again, else the exit status
 * (98 when the -o deadline passed, printed; 99 when the lease is lost). */
static int etcd_wait_more(const flom_config *cfg, etcd_lock *l, gint64 seen, GError **err)
{
	int r = etcd_wait_change(l, seen, err);

	if (r == STEP_LOST)
		return FLOM_EXIT_GENERIC;
	if (r == 0) {
		fprintf(stderr, "The lock was not obtained because timeout (%" G_GINT64_FORMAT
			" milliseconds) expired\n", cfg->resource_timeout);
		return FLOM_EXIT_BUSY;
	}
	return -1;
}

/* Wait until granted: FLOM_EXIT_OK, or an exit status (printed, or in err). */
static int etcd_wait_grant(const flom_config *cfg, etcd_lock *l, GError **err)
{
	for (;;) {
		etcd_verdict v = ETCD_WAIT;
		gint64 seen = 0;
		/* The first look comes with the put itself. */
		int r = l->rev ? etcd_decide_now(l, &v, &seen, err) : etcd_put_decide(l, &v, &seen, err);

		if (r < 0)
			return FLOM_EXIT_GENERIC;
		if (v == ETCD_GRANT)
			return FLOM_EXIT_OK;
		if (v == ETCD_NEVER)
			return client_refusal_status(FLOM_RC_IMPOSSIBLE, cfg);
		if (cfg->resource_timeout == 0)
			return client_refusal_status(FLOM_RC_BUSY, cfg);
		TRACE(TRACE_CLIENT, "queued: %s (revision %" G_GINT64_FORMAT ") waits for earlier keys",
		      l->key, l->rev);
		r = etcd_wait_more(cfg, l, seen, err);
		if (r >= 0)
			return r;
	}
}

/* -e no: wait until someone else has a request on the resource. */
static int etcd_wait_exists(const flom_config *cfg, etcd_lock *l, GError **err)
{
	g_autofree char *end = etcd_prefix_end(l->prefix);
	g_autofree char *p64 = etcd_b64(l->prefix), *e64 = etcd_b64(end);
	g_autofree char *body = g_strdup_printf("{\"key\":\"%s\",\"range_end\":\"%s\"}", p64, e64);

	for (;;) {
		JsonObject *o = etcd_call(l, "/v3/kv/range", body, err);
		JsonArray *kvs;
		gint64 seen;
		gboolean found = FALSE;
		int r;

		if (!o)
			return FLOM_EXIT_GENERIC;
		kvs = etcd_kvs(o);
		for (guint i = 0; kvs && i < json_array_get_length(kvs) && !found; i++) {
			g_autofree char *key = etcd_b64_member(json_array_get_object_element(kvs, i), "key");

			found = key && etcd_is_lock_key(key, l->prefix);
		}
		seen = etcd_revision(o);
		json_object_unref(o);
		if (found)
			return FLOM_EXIT_OK;
		if (cfg->resource_timeout == 0)
			return client_refusal_status(FLOM_RC_CANT_WAIT, cfg);
		r = etcd_wait_more(cfg, l, seen, err);
		if (r >= 0)
			return r;
	}
}

/* ------------------------------------------------------------ elements and values */

/* One comparison on KEY's TARGET revision == REV, then OP if it holds: 1
 * when it held, 0 when not, -1 with err. */
static int etcd_txn(etcd_lock *l, const char *key, const char *target, gint64 rev, const char *op,
		    GError **err)
{
	g_autofree char *k64 = etcd_b64(key);
	g_autofree char *field = g_ascii_strdown(target, -1);
	g_autofree char *body = g_strdup_printf("{\"compare\":[{\"key\":\"%s\",\"result\":\"EQUAL\","
						"\"target\":\"%s\",\"%s_revision\":\"%" G_GINT64_FORMAT "\"}],"
						"\"success\":[%s]}", k64, target, field, rev, op);
	JsonObject *o = etcd_call(l, "/v3/kv/txn", body, err);
	int rc;

	if (!o)
		return -1;
	rc = json_object_get_boolean_member_with_default(o, "succeeded", FALSE) ? 1 : 0;
	json_object_unref(o);
	return rc;
}

/* A set element: the first one nobody claims. At most capacity requests are
 * granted at once and each claims one element (claims go with the lease), so
 * one is free; a race with another new holder only means trying again. */
static int etcd_take_element(const flom_config *cfg, etcd_lock *l, char **element, GError **err)
{
	g_auto(GStrv) elements = rsrc_name_set_elements(cfg->resource_name);

	for (int attempt = 0; attempt < FLOM_ETCD_CLAIM_ATTEMPTS; attempt++) {
		for (guint i = 0; elements[i]; i++) {
			g_autofree char *claim = g_strdup_printf("%se/%u", l->prefix, i);
			g_autofree char *op = etcd_op_put(claim, l->key, l->lease);
			int r = etcd_txn(l, claim, "CREATE", 0, op, err);

			if (r < 0)
				return -1;
			if (r == 1) {
				*element = g_strdup(elements[i]);
				return 0;
			}
		}
	}
	g_set_error(err, ETCD_ERROR, EAGAIN, "no free element of %s after %d rounds",
		    cfg->resource_name, FLOM_ETCD_CLAIM_ATTEMPTS);
	return -1;
}

/* The first key under FROM (by create revision): 1 with key, value and mod
 * revision, 0 when there is none. */
static int etcd_first(etcd_lock *l, const char *from, char **key, char **value, gint64 *mod,
		      GError **err)
{
	g_autofree char *end = etcd_prefix_end(from);
	g_autofree char *p64 = etcd_b64(from), *e64 = etcd_b64(end);
	g_autofree char *body = g_strdup_printf("{\"key\":\"%s\",\"range_end\":\"%s\",\"limit\":\"1\","
						"\"sort_order\":\"ASCEND\",\"sort_target\":\"CREATE\"}", p64, e64);
	JsonObject *o = etcd_call(l, "/v3/kv/range", body, err);
	JsonArray *kvs;
	int rc = 0;

	if (!o)
		return -1;
	kvs = etcd_kvs(o);
	if (kvs && json_array_get_length(kvs) > 0) {
		JsonObject *kv = json_array_get_object_element(kvs, 0);

		*key = etcd_b64_member(kv, "key");
		*value = etcd_b64_member(kv, "value");
		*mod = etcd_int_member(kv, "mod_revision");
		rc = *key ? 1 : 0;
	}
	json_object_unref(o);
	return rc;
}

/* _S_: a value given back by a rollback, oldest first. 1 taken, 0 none. */
static int etcd_reuse_value(etcd_lock *l, char **element, GError **err)
{
	g_autofree char *from = g_strconcat(l->prefix, "reuse/", NULL);

	for (int attempt = 0; attempt < FLOM_ETCD_CLAIM_ATTEMPTS; attempt++) {
		g_autofree char *key = NULL, *value = NULL, *k64 = NULL, *op = NULL;
		gint64 mod = 0;
		int r = etcd_first(l, from, &key, &value, &mod, err);

		if (r <= 0)
			return r;
		k64 = etcd_b64(key);
		op = g_strdup_printf("{\"request_delete_range\":{\"key\":\"%s\"}}", k64);
		r = etcd_txn(l, key, "MOD", mod, op, err);
		if (r != 0) {
			if (r == 1)
				*element = g_steal_pointer(&value);
			return r;
		}
	}
	return 0;
}

/* The next value of the sequence's counter (compare-and-swap on its mod
 * revision; 0 is skipped, as the daemon does). */
static int etcd_next_value(etcd_lock *l, char **element, GError **err)
{
	g_autofree char *counter = g_strconcat(l->prefix, "counter", NULL);

	for (int attempt = 0; attempt < FLOM_ETCD_CLAIM_ATTEMPTS; attempt++) {
		g_autofree char *key = NULL, *value = NULL, *next = NULL, *op = NULL;
		gint64 mod = 0;
		guint64 v;
		int r = etcd_first(l, counter, &key, &value, &mod, err);

		if (r < 0)
			return -1;
		v = (r == 1 && value ? g_ascii_strtoull(value, NULL, 10) : 0) + 1;
		if (v == 0)
			v = 1;
		next = g_strdup_printf("%" G_GUINT64_FORMAT, v);
		op = etcd_op_put(counter, next, 0);
		r = etcd_txn(l, counter, "MOD", r == 1 ? mod : 0, op, err);
		if (r < 0)
			return -1;
		if (r == 1) {
			*element = g_steal_pointer(&next);
			return 0;
		}
	}
	g_set_error(err, ETCD_ERROR, EAGAIN, "the sequence counter %s changed %d times in a row",
		    counter, FLOM_ETCD_CLAIM_ATTEMPTS);
	return -1;
}

static int etcd_take(const flom_config *cfg, etcd_lock *l, char **element, GError **err)
{
	int r;

	if (l->type == RSRC_SET)
		return etcd_take_element(cfg, l, element, err);
	if (l->type != RSRC_SEQUENCE)
		return 0;
	if (rsrc_name_is_transactional(cfg->resource_name)) {
		r = etcd_reuse_value(l, element, err);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	return etcd_next_value(l, element, err);
}

/* _S_ rolled back: the value goes to the reuse queue (no lease: it must
 * outlive this flom). */
static void etcd_give_back(etcd_lock *l, const char *element)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *key = g_strdup_printf("%sreuse/%s", l->prefix, element);
	g_autofree char *op = etcd_op_put(key, element, 0);

	if (etcd_txn(l, key, "CREATE", 0, op, &err) < 0)
		fprintf(stderr, "flom: cannot give sequence value %s back: %s\n", element, err->message);
}

/* ------------------------------------------------------------ the seam */

static void etcd_lock_free(etcd_lock *l, gboolean report)
{
	g_autoptr(GError) err = NULL;

	/* Nothing of ours runs any more: the keeper exits while the lease is
	 * revoked, not after. */
	etcd_keeper_done(&l->keeper);
	if (l->lease && l->h) {
		g_autofree char *body = etcd_body_id(l->lease);
		JsonObject *o = etcd_http_post(l->h, "/v3/lease/revoke", body,
					       FLOM_ETCD_REQUEST_TIMEOUT_MS * 2, &err);

		if (o)
			json_object_unref(o);
		else if (report)
			fprintf(stderr, "flom: cannot release the etcd lock (it ends with its lease "
				"in %" G_GINT64_FORMAT " s): %s\n", l->ttl_ms / 1000, err->message);
	}
	etcd_keeper_stop(&l->keeper);
	etcd_http_free(l->h);
	g_free(l->prefix);
	g_free(l->key);
	g_free(l);
}

static int etcd_lock_steps(const flom_config *cfg, etcd_lock *l, char **element, GError **err)
{
	int status;

	if (etcd_check(cfg, l, err) < 0 || etcd_grant_lease(cfg, l, err) < 0)
		return FLOM_EXIT_GENERIC;
	if (!cfg->resource_create) {
		status = etcd_wait_exists(cfg, l, err);
		if (status != FLOM_EXIT_OK)
			return status;
	}
	status = etcd_wait_grant(cfg, l, err);
	if (status == FLOM_EXIT_OK && etcd_take(cfg, l, element, err) < 0)
		status = FLOM_EXIT_GENERIC;
	return status;
}

static int etcd_acquire(const flom_config *cfg, backend_grant *g)
{
	g_autoptr(GError) err = NULL;
	etcd_lock *l = g_new0(etcd_lock, 1);
	char *element = NULL;
	int status = etcd_lock_steps(cfg, l, &element, &err);

	if (status != FLOM_EXIT_OK) {
		if (err)
			fprintf(stderr, "flom: etcd: %s\n", err->message);
		g_free(element);
		etcd_lock_free(l, FALSE); /* a request that gives up leaves no key */
		return status;
	}
	TRACE(TRACE_CLIENT, "granted %s at revision %" G_GINT64_FORMAT, l->key, l->rev);
	etcd_http_idle(l->h);
	*g = (backend_grant){ element, (guint64)l->rev, l->keeper.from_keeper,
			      "the etcd lease could not be kept alive", l->keeper.to_keeper, NULL, NULL, l, FALSE, FALSE, 0, 0 };
	return FLOM_EXIT_OK;
}

static int etcd_release(const flom_config *cfg, backend_grant *g, gboolean rollback, gboolean lost)
{
	etcd_lock *l = g->state;

	if (rollback && !lost && g->element && l->type == RSRC_SEQUENCE &&
	    rsrc_name_is_transactional(cfg->resource_name))
		etcd_give_back(l, g->element);
	etcd_lock_free(l, !lost);
	return 0;
}

const backend_ops backend_etcd = { etcd_acquire, etcd_release };
