/*
 * flom: bounds for greedy peers. A connection that holds, waits for or
 * manages nothing must finish its part within RequestTimeout, and one TCP
 * address holds at most MaxPeerConnections: idle or half-sent connections
 * cannot take the daemon's descriptors from everyone else.
 *
 * Every deadline is now + RequestTimeout, so arming in time order keeps the
 * queue of armed connections sorted: arming, disarming and expiring cost O(1)
 * a connection, with no scan of all of them.
 */
#include "config.h"
#include "daemon_int.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "trace.h"

static void conn_disarm(daemon_state *d, conn *c)
{
	if (c->deadline_link) {
		g_queue_delete_link(&d->deadlines, c->deadline_link);
		c->deadline_link = NULL;
	}
	c->deadline = 0;
}

void conn_arm_deadline(daemon_state *d, conn *c)
{
	conn_disarm(d, c);
	/* holders, waiters and an accepted manager take as long as they need */
	if (c->state == CONN_LOCKING || c->state == CONN_MANAGER)
		return;
	c->deadline = g_get_monotonic_time() + d->cfg->request_timeout * 1000;
	g_queue_push_tail(&d->deadlines, c);
	c->deadline_link = d->deadlines.tail;
}

static const char *conn_late_for(const conn *c)
{
	if (c->handshaking)
		return "no TLS handshake";
	return c->state == CONN_NEW ? "no complete request" : "not closed after its answer";
}

gint64 daemon_expire_conns(daemon_state *d, gint64 now_mono)
{
	conn *c;

	while ((c = g_queue_peek_head(&d->deadlines)) != NULL && c->deadline <= now_mono) {
		const char *late = conn_late_for(c);

		conn_disarm(d, c);
		conn_drop(d, c, "%s within %" G_GINT64_FORMAT " ms", late, d->cfg->request_timeout);
	}
	return c ? c->deadline : G_MAXINT64;
}

gboolean daemon_peer_admit(daemon_state *d, conn *c)
{
	guint n;

	if (c->is_unix)
		return TRUE;
	c->peer_ip = net_addr_ip_string(&c->peer);
	n = GPOINTER_TO_UINT(g_hash_table_lookup(d->peer_conns, c->peer_ip));
	if (n >= (guint)d->cfg->max_peer_connections) {
		TRACE(TRACE_CONN, "refused a connection from %s: it has %u already", c->peer_str, n);
		return FALSE;
	}
	g_hash_table_insert(d->peer_conns, g_strdup(c->peer_ip), GUINT_TO_POINTER(n + 1));
	return TRUE;
}

void conn_bounds_forget(daemon_state *d, conn *c)
{
	guint n;

	conn_disarm(d, c);
	if (!c->peer_ip)
		return;
	n = GPOINTER_TO_UINT(g_hash_table_lookup(d->peer_conns, c->peer_ip));
	if (n <= 1)
		g_hash_table_remove(d->peer_conns, c->peer_ip);
	else
		g_hash_table_insert(d->peer_conns, g_strdup(c->peer_ip), GUINT_TO_POINTER(n - 1));
}

/* As a flood goes (connections down to a quarter of their peak, and again
 * each quarter down to none), give the freed heap back to the system: glibc
 * keeps it otherwise, and the daemon would stay as large as the worst flood
 * it met. A few trims a flood, each O(heap). */
void daemon_trim_memory(daemon_state *d)
{
	guint n = g_hash_table_size(d->conns);

	if (n > d->conns_peak) {
		d->conns_peak = n;
		return;
	}
	if ((d->conns_peak < FLOM_TRIM_CONNS_MIN && !d->trimming) || n > d->conns_peak / 4)
		return;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	TRACE(TRACE_DAEMON, "%u connections after a peak of %u: memory trimmed", n, d->conns_peak);
	d->trimming = n > 0;
	d->conns_peak = n;
}

void daemon_bounds_init(daemon_state *d)
{
	d->peer_conns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_queue_init(&d->deadlines);
}

void daemon_bounds_cleanup(daemon_state *d)
{
	g_hash_table_destroy(d->peer_conns);
	g_queue_clear(&d->deadlines);
}
