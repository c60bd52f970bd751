/*
 * flom: simple resources (_RESOURCE, ALPHA ALNUM*): the six VMS DLM lock
 * modes. A request is compatible with the holders when it is compatible with
 * every mode held; counting holders per mode makes that check O(1) however
 * many hold the resource.
 */
#include "locktable_policy.h"

/* Reference §4.2; symmetric, so the order of the arguments does not matter
 * for the answer, only for reading. */
static const gboolean compat[FLOM_LOCK_MODE_N][FLOM_LOCK_MODE_N] = {
	/*            NL     CR     CW     PR     PW     EX   requested */
	/* NL */ { TRUE,  TRUE,  TRUE,  TRUE,  TRUE,  TRUE  },
	/* CR */ { TRUE,  TRUE,  TRUE,  TRUE,  TRUE,  FALSE },
	/* CW */ { TRUE,  TRUE,  TRUE,  FALSE, FALSE, FALSE },
	/* PR */ { TRUE,  TRUE,  FALSE, TRUE,  FALSE, FALSE },
	/* PW */ { TRUE,  TRUE,  FALSE, FALSE, FALSE, FALSE },
	/* EX */ { TRUE,  FALSE, FALSE, FALSE, FALSE, FALSE },
};

gboolean lt_modes_compatible(flom_lock_mode held, flom_lock_mode requested)
{
	g_return_val_if_fail((unsigned)held < FLOM_LOCK_MODE_N, FALSE);
	g_return_val_if_fail((unsigned)requested < FLOM_LOCK_MODE_N, FALSE);
	return compat[held][requested];
}

gboolean lt_mode_counts_admit(const guint counts[FLOM_LOCK_MODE_N], flom_lock_mode mode)
{
	for (int held = 0; held < FLOM_LOCK_MODE_N; held++)
		if (counts[held] > 0 && !lt_modes_compatible((flom_lock_mode)held, mode))
			return FALSE;
	return TRUE;
}

typedef struct {
	guint held[FLOM_LOCK_MODE_N];
} simple_state;

static int simple_init(lt_resource *r, const char *name, gint64 now_us)
{
	(void)name;
	(void)now_us;
	r->state = g_new0(simple_state, 1);
	return 0;
}

static void simple_fini(lt_resource *r)
{
	g_free(r->state);
	r->state = NULL;
}

static gboolean simple_can_grant(const lt_resource *r, const lt_owner *o, gint64 now_us)
{
	const simple_state *s = r->state;

	(void)now_us;
	return lt_mode_counts_admit(s->held, o->mode);
}

static int simple_grant(lt_resource *r, lt_owner *o, gint64 now_us)
{
	simple_state *s = r->state;

	(void)now_us;
	s->held[o->mode]++;
	return 0;
}

static void simple_release(lt_resource *r, lt_owner *o, gboolean rollback)
{
	simple_state *s = r->state;

	(void)rollback;
	g_assert(s->held[o->mode] > 0);
	s->held[o->mode]--;
}

const lt_policy lt_policy_simple = {
	.type = RSRC_SIMPLE,
	.init = simple_init,
	.fini = simple_fini,
	.can_grant = simple_can_grant,
	.grant = simple_grant,
	.release = simple_release,
};
