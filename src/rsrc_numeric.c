/*
 * flom: numeric resources name[N]: N units, a request takes quantity units.
 * foo[2] and foo[3] are different resources (the key is the whole name).
 */
#include "locktable_policy.h"

typedef struct {
	gint64 capacity;
	gint64 locked;
} numeric_state;

static int numeric_init(lt_resource *r, const char *name, gint64 now_us)
{
	numeric_state *s;
	gint64 cap;

	(void)now_us;
	if (rsrc_name_capacity(name, &cap) != 0)
		return -1;
	s = g_new0(numeric_state, 1);
	s->capacity = cap;
	r->state = s;
	return 0;
}

static void numeric_fini(lt_resource *r)
{
	g_free(r->state);
	r->state = NULL;
}

static int numeric_admit(lt_resource *r, lt_owner *o)
{
	const numeric_state *s = r->state;

	/* a quantity below 1 would give units back while held (the original's
	 * bug §11.4); the codec refuses it too */
	if (o->quantity < 1)
		return FLOM_RC_INVALID_REQUEST;
	if (o->quantity > s->capacity)
		return FLOM_RC_IMPOSSIBLE;
	return FLOM_RC_OK;
}

static gboolean numeric_can_grant(const lt_resource *r, const lt_owner *o, gint64 now_us)
{
	const numeric_state *s = r->state;

	(void)now_us;
	return s->capacity - s->locked >= o->quantity;
}

static int numeric_grant(lt_resource *r, lt_owner *o, gint64 now_us)
{
	numeric_state *s = r->state;

	(void)now_us;
	s->locked += o->quantity;
	return 0;
}

static void numeric_release(lt_resource *r, lt_owner *o, gboolean rollback)
{
	numeric_state *s = r->state;

	(void)rollback;
	g_assert(s->locked >= o->quantity);
	s->locked -= o->quantity;
}

const lt_policy lt_policy_numeric = {
	.type = RSRC_NUMERIC,
	.init = numeric_init,
	.fini = numeric_fini,
	.admit = numeric_admit,
	.can_grant = numeric_can_grant,
	.grant = numeric_grant,
	.release = numeric_release,
};
