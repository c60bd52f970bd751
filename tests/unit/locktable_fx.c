/* The lock table's test fixture: see locktable_fx.h. */
#include "locktable_fx.h"

void fx_setup(fx *f, gconstpointer data)
{
	(void)data;
	f->t = lt_new();
	f->ev = lt_events_new();
	f->now = T0;
}

void fx_teardown(fx *f, gconstpointer data)
{
	(void)data;
	lt_events_clear(f->ev);
	g_array_free(f->ev, TRUE);
	lt_free(f->t);
}

lt_lock_request req_default(guint64 owner, const char *name)
{
	lt_lock_request r = {
		.owner = owner,
		.name = name,
		.mode = FLOM_LOCK_MODE_EX,
		.quantity = 1,
		.wait = TRUE,
		.create = TRUE,
		.idle_lifespan_ms = 0,
		.peer = "local",
	};
	return r;
}

/* Send r; return the rc of the requester's event, which must come first. */
int lock_req(fx *f, const lt_lock_request *r)
{
	lt_event *e;

	lt_events_clear(f->ev);
	lt_request(f->t, r, f->now, f->ev);
	g_assert_cmpuint(f->ev->len, >=, 1);
	e = &g_array_index(f->ev, lt_event, 0);
	g_assert_cmpuint(e->owner, ==, r->owner);
	if (e->rc != FLOM_RC_OK)
		g_assert_cmpuint(e->token, ==, 0);
	return e->rc;
}

int lock_mode(fx *f, guint64 owner, const char *name, int mode, gboolean wait)
{
	lt_lock_request r = req_default(owner, name);

	r.mode = (flom_lock_mode)mode;
	r.wait = wait;
	return lock_req(f, &r);
}

int lock(fx *f, guint64 owner, const char *name)
{
	return lock_mode(f, owner, name, EX, TRUE);
}

/* As the daemon does: the release, then the tick at the end of its pass
 * (hierarchical queues are scanned there). */
void unlock(fx *f, guint64 owner, gboolean rollback)
{
	lt_events_clear(f->ev);
	lt_release(f->t, owner, rollback, f->now, f->ev);
	lt_tick(f->t, f->now, f->ev);
}

void tick(fx *f, gint64 now)
{
	f->now = now;
	lt_events_clear(f->ev);
	lt_tick(f->t, now, f->ev);
}

const lt_event *ev_find(fx *f, guint64 owner)
{
	for (guint i = 0; i < f->ev->len; i++) {
		const lt_event *e = &g_array_index(f->ev, lt_event, i);

		if (e->owner == owner)
			return e;
	}
	return NULL;
}

/* rc of owner's event in the last call, or NO_EVENT */
int ev_rc(fx *f, guint64 owner)
{
	const lt_event *e = ev_find(f, owner);

	return e != NULL ? e->rc : NO_EVENT;
}

const char *ev_element(fx *f, guint64 owner)
{
	const lt_event *e = ev_find(f, owner);

	g_assert_nonnull(e);
	return e->element;
}

int lock_q(fx *f, guint64 owner, const char *name, gint64 q, gboolean wait)
{
	lt_lock_request r = req_default(owner, name);

	r.quantity = q;
	r.wait = wait;
	return lock_req(f, &r);
}
