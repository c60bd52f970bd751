/*
 * flom: per-resource counters of the lock table (grants, waits, holds), kept
 * by resource key for the daemon's life. See lt_stats in locktable_policy.h.
 */
#include "locktable.h"
#include "locktable_policy.h"

static void stats_free(gpointer data)
{
	lt_stats *st = data;

	g_free(st->key);
	g_free(st);
}

void lt_stats_init(lt_stats_set *set)
{
	set->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, stats_free);
	g_queue_init(&set->dead);
}

void lt_stats_fini(lt_stats_set *set)
{
	g_queue_clear(&set->dead);
	g_hash_table_destroy(set->by_key);
}

lt_stats *lt_stats_attach(lt_stats_set *set, const char *key)
{
	lt_stats *st = g_hash_table_lookup(set->by_key, key);

	if (st == NULL) {
		st = g_new0(lt_stats, 1);
		st->key = g_strdup(key);
		g_hash_table_insert(set->by_key, st->key, st);
	} else if (st->dead_link != NULL) {
		g_queue_delete_link(&set->dead, st->dead_link);
		st->dead_link = NULL;
	}
	return st;
}

void lt_stats_detach(lt_stats_set *set, lt_stats *st)
{
	g_queue_push_tail(&set->dead, st);
	st->dead_link = set->dead.tail;
	while (set->dead.length > FLOM_COUNTERS_KEPT_MAX) {
		lt_stats *old = g_queue_pop_head(&set->dead);

		g_hash_table_remove(set->by_key, old->key);
	}
}

/* Saturating: sums of microseconds cannot overflow in practice, but a
 * counter must never wrap. */
static void stats_add(gint64 *total, gint64 *max, gint64 us)
{
	us = MAX(us, 0);   /* the wall clock may step back */
	*total = *total > G_MAXINT64 - us ? G_MAXINT64 : *total + us;
	*max = MAX(*max, us);
}

void lt_stats_add_wait(lt_stats *st, gint64 us)
{
	st->c.grants++;
	stats_add(&st->c.wait_total_us, &st->c.wait_max_us, us);
}

void lt_stats_add_hold(lt_stats *st, gint64 us)
{
	stats_add(&st->c.hold_total_us, &st->c.hold_max_us, us);
}
