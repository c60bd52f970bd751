/*
 * flom: hierarchical resources /a/b/c.
 *
 * One resource object per first path component: /a, /a/b and /a/b/c share
 * the object of root "a"; /a and /b are independent. Inside the object a tree
 * of path nodes counts, per lock mode, the holders at each node (own) and at
 * each node or below it (sub). A request for path P in mode M conflicts when
 * M is incompatible with a mode held at any ancestor of P, at P itself, or at
 * any descendant of P; siblings never conflict. With the counts that check
 * costs O(depth of P), whatever the number of holders.
 *
 * FIFO rule of this type (the only one that is not strictly head-first):
 * a request waits when it conflicts with a holder, or when it conflicts by
 * path AND mode with a request waiting ahead of it on the same root object.
 * Otherwise it is granted, even with waiters queued, because it cannot delay
 * any of them: none of them needs what it takes. On a release the waiters are
 * examined in arrival order and each is granted by the same rule, looking only
 * at the waiters still queued ahead of it. So a waiter is never overtaken by a
 * later request it conflicts with, and unrelated paths are never held up by a
 * queue on another branch (/apple/watermelon is not delayed by a writer
 * waiting for /apple/pear). The waiting requests are counted in the same tree
 * (queued, queued_sub), so this check costs O(depth) too.
 */
#include <string.h>

#include "locktable_policy.h"

typedef struct hier_node hier_node;

struct hier_node {
	char *component;
	hier_node *parent;
	GHashTable *children;     /* component -> hier_node*, created on demand */
	guint refs;               /* owners whose path ends here */
	guint held[FLOM_LOCK_MODE_N];
	guint held_sub[FLOM_LOCK_MODE_N];
	guint queued[FLOM_LOCK_MODE_N];
	guint queued_sub[FLOM_LOCK_MODE_N];
};

typedef struct {
	hier_node *root;
} hier_state;

static hier_node *hier_node_new(const char *component, hier_node *parent)
{
	hier_node *n = g_new0(hier_node, 1);

	n->component = g_strdup(component);
	n->parent = parent;
	return n;
}

static void hier_node_free(gpointer data)
{
	hier_node *n = data;

	if (n->children != NULL)
		g_hash_table_destroy(n->children);
	g_free(n->component);
	g_free(n);
}

static int hier_init(lt_resource *r, const char *name, gint64 now_us)
{
	g_autofree char *root = rsrc_name_hier_root(name);
	hier_state *s;

	(void)now_us;
	if (root == NULL)
		return -1;
	s = g_new0(hier_state, 1);
	s->root = hier_node_new(root, NULL);
	r->state = s;
	return 0;
}

static void hier_fini(lt_resource *r)
{
	hier_state *s = r->state;

	hier_node_free(s->root);
	g_free(s);
	r->state = NULL;
}

static hier_node *hier_child(hier_node *n, const char *component)
{
	hier_node *c;

	if (n->children == NULL)
		n->children = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, hier_node_free);
	c = g_hash_table_lookup(n->children, component);
	if (c == NULL) {
		c = hier_node_new(component, n);
		/* the key is the child's own copy: it lives exactly as long */
		g_hash_table_insert(n->children, c->component, c);
	}
	return c;
}

static int hier_admit(lt_resource *r, lt_owner *o)
{
	hier_state *s = r->state;
	g_auto(GStrv) parts = NULL;
	hier_node *n = s->root;

	/* "/a/b/c" splits into "", "a", "b", "c"; the key guarantees "a" is
	 * this object's root, checked again rather than trusted */
	parts = g_strsplit(o->name, "/", -1);
	if (parts[0] == NULL || parts[1] == NULL || strcmp(parts[1], s->root->component) != 0)
		return FLOM_RC_INVALID_REQUEST;
	for (guint i = 2; parts[i] != NULL; i++)
		n = hier_child(n, parts[i]);
	n->refs++;
	o->node = n;
	return FLOM_RC_OK;
}

static gboolean hier_node_unused(const hier_node *n)
{
	return n->refs == 0 && (n->children == NULL || g_hash_table_size(n->children) == 0);
}

/* Drop the owner's reference and the nodes nobody uses any more, so the tree
 * stays as small as the paths in use. */
static void hier_forget(lt_resource *r, lt_owner *o)
{
	hier_node *n = o->node;

	(void)r;
	if (n == NULL)
		return;
	o->node = NULL;
	g_assert(n->refs > 0);
	n->refs--;
	while (n->parent != NULL && hier_node_unused(n)) {
		hier_node *parent = n->parent;

		g_hash_table_remove(parent->children, n->component);
		n = parent;
	}
}

/* Whether mode at n conflicts with what the counts record: the modes at n
 * and below (sub), and the modes at each ancestor (own). */
static gboolean hier_conflicts(const hier_node *n, flom_lock_mode mode, gboolean queued)
{
	if (!lt_mode_counts_admit(queued ? n->queued_sub : n->held_sub, mode))
		return TRUE;
	for (const hier_node *a = n->parent; a != NULL; a = a->parent)
		if (!lt_mode_counts_admit(queued ? a->queued : a->held, mode))
			return TRUE;
	return FALSE;
}

/* Add (+1) or remove (-1) one mode at n in the held or queued counts. */
static void hier_count(hier_node *n, flom_lock_mode mode, gboolean queued, int delta)
{
	guint *own = queued ? n->queued : n->held;

	g_assert(delta > 0 || own[mode] > 0);
	own[mode] += (guint)delta;
	for (hier_node *a = n; a != NULL; a = a->parent) {
		guint *sub = queued ? a->queued_sub : a->held_sub;

		g_assert(delta > 0 || sub[mode] > 0);
		sub[mode] += (guint)delta;
	}
}

static gboolean hier_can_grant(const lt_resource *r, const lt_owner *o, gint64 now_us)
{
	(void)r;
	(void)now_us;
	return !hier_conflicts(o->node, o->mode, FALSE);
}

static int hier_grant(lt_resource *r, lt_owner *o, gint64 now_us)
{
	(void)r;
	(void)now_us;
	hier_count(o->node, o->mode, FALSE, +1);
	return 0;
}

static void hier_release(lt_resource *r, lt_owner *o, gboolean rollback)
{
	(void)r;
	(void)rollback;
	hier_count(o->node, o->mode, FALSE, -1);
}

static gboolean hier_queue_blocks(const lt_resource *r, const lt_owner *o)
{
	(void)r;
	return hier_conflicts(o->node, o->mode, TRUE);
}

static void hier_queue_mark(lt_resource *r, lt_owner *o, gboolean add)
{
	(void)r;
	hier_count(o->node, o->mode, TRUE, add ? +1 : -1);
}

const lt_policy lt_policy_hier = {
	.type = RSRC_HIER,
	.init = hier_init,
	.fini = hier_fini,
	.admit = hier_admit,
	.forget = hier_forget,
	.can_grant = hier_can_grant,
	.grant = hier_grant,
	.release = hier_release,
	.queue_blocks = hier_queue_blocks,
	.queue_mark = hier_queue_mark,
};
