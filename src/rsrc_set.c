/*
 * flom: set resources e1.e2...: each element is held by at most one owner,
 * and a grant returns the element's name. A rotating start index (initially
 * 0) decides which free element comes next: the scan starts at the index and
 * the index then advances by exactly one, whichever element was taken
 * (reference §4.3: with red and blue busy and the index back at 0, the next
 * grant is green).
 */
#include "locktable_policy.h"

typedef struct {
	char **elements;
	guint n;
	guint index;
	guint busy_count;
	gboolean *busy;
} set_state;

static int set_init(lt_resource *r, const char *name, gint64 now_us)
{
	set_state *s;
	char **elements;

	(void)now_us;
	elements = rsrc_name_set_elements(name);
	if (elements == NULL)
		return -1;
	s = g_new0(set_state, 1);
	s->elements = elements;
	s->n = g_strv_length(elements);
	s->busy = g_new0(gboolean, s->n);
	r->state = s;
	return 0;
}

static void set_fini(lt_resource *r)
{
	set_state *s = r->state;

	g_strfreev(s->elements);
	g_free(s->busy);
	g_free(s);
	r->state = NULL;
}

static gboolean set_can_grant(const lt_resource *r, const lt_owner *o, gint64 now_us)
{
	const set_state *s = r->state;

	(void)o;
	(void)now_us;
	return s->busy_count < s->n;
}

static int set_grant(lt_resource *r, lt_owner *o, gint64 now_us)
{
	set_state *s = r->state;
	guint i;

	(void)now_us;
	for (i = 0; i < s->n; i++) {
		guint e = (s->index + i) % s->n;

		if (!s->busy[e]) {
			s->busy[e] = TRUE;
			s->busy_count++;
			s->index = (s->index + 1) % s->n;
			o->slot = e;
			o->element = g_strdup(s->elements[e]);
			return 0;
		}
	}
	/* can_grant said an element was free */
	g_return_val_if_reached(-1);
}

static void set_release(lt_resource *r, lt_owner *o, gboolean rollback)
{
	set_state *s = r->state;

	(void)rollback;
	g_assert(o->slot >= 0 && (guint64)o->slot < s->n && s->busy[o->slot]);
	s->busy[o->slot] = FALSE;
	s->busy_count--;
}

const lt_policy lt_policy_set = {
	.type = RSRC_SET,
	.init = set_init,
	.fini = set_fini,
	.can_grant = set_can_grant,
	.grant = set_grant,
	.release = set_release,
};
