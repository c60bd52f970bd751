/*
 * flom: sequence resources _s_name[N] and _S_name[N]: up to N holders, each
 * grant returns the next value of a counter as decimal text (1, 2, 3...; 0 is
 * skipped when the counter wraps). For a transactional _S_ sequence a value
 * released with rollback (or by a disconnect) is handed out again, oldest
 * first, before any new value; an _s_ sequence never reuses a value. The
 * counter lives as long as the resource object.
 *
 * The reuse queue cannot outgrow N: a value enters it only from a holder, and
 * a new value is drawn only when the queue is empty.
 */
#include "locktable_policy.h"

typedef struct {
	gint64 capacity;
	gboolean transactional;
	guint64 next;
	GQueue reuse;           /* guint64*, rolled-back values, FIFO */
} sequence_state;

static int sequence_init(lt_resource *r, const char *name, gint64 now_us)
{
	sequence_state *s;
	gint64 cap;

	(void)now_us;
	if (rsrc_name_capacity(name, &cap) != 0)
		return -1;
	s = g_new0(sequence_state, 1);
	s->capacity = cap;
	s->transactional = rsrc_name_is_transactional(name);
	s->next = 1;
	g_queue_init(&s->reuse);
	r->state = s;
	return 0;
}

static void sequence_fini(lt_resource *r)
{
	sequence_state *s = r->state;

	g_queue_clear_full(&s->reuse, g_free);
	g_free(s);
	r->state = NULL;
}

static gboolean sequence_can_grant(const lt_resource *r, const lt_owner *o, gint64 now_us)
{
	const sequence_state *s = r->state;

	(void)o;
	(void)now_us;
	return (gint64)r->holders.length < s->capacity;
}

static guint64 sequence_draw(sequence_state *s)
{
	guint64 *reused = g_queue_pop_head(&s->reuse);
	guint64 value;

	if (reused != NULL) {
		value = *reused;
		g_free(reused);
		return value;
	}
	value = s->next++;
	if (s->next == 0)
		s->next = 1;
	return value;
}

static int sequence_grant(lt_resource *r, lt_owner *o, gint64 now_us)
{
	guint64 value = sequence_draw(r->state);

	(void)now_us;
	o->slot = (gint64)value;
	o->element = g_strdup_printf("%" G_GUINT64_FORMAT, value);
	return 0;
}

static void sequence_release(lt_resource *r, lt_owner *o, gboolean rollback)
{
	sequence_state *s = r->state;
	guint64 *value;

	if (!s->transactional || !rollback)
		return;
	value = g_new(guint64, 1);
	*value = (guint64)o->slot;
	g_queue_push_tail(&s->reuse, value);
}

const lt_policy lt_policy_sequence = {
	.type = RSRC_SEQUENCE,
	.init = sequence_init,
	.fini = sequence_fini,
	.can_grant = sequence_can_grant,
	.grant = sequence_grant,
	.release = sequence_release,
};
