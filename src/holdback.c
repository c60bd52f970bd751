/* flom: requests held back during a lock delay (see holdback.h). */
#include "config.h"
#include "holdback.h"

#include "flom.h"

struct holdback {
	gint64 until_us;
	GQueue held;   /* of held_request */
};

/* A request with copies of what it points to. */
typedef struct held_request {
	lt_lock_request req;
	flom_client_info client;
} held_request;

holdback *holdback_new(void)
{
	holdback *h = g_new0(holdback, 1);

	g_queue_init(&h->held);
	return h;
}

static void held_request_free(gpointer p)
{
	held_request *r = p;

	g_free((char *)r->req.name);
	g_free((char *)r->req.peer);
	flom_client_info_clear(&r->client);
	g_free(r);
}

void holdback_free(holdback *h)
{
	if (!h)
		return;
	g_queue_clear_full(&h->held, held_request_free);
	g_free(h);
}

void holdback_start(holdback *h, gint64 until_us)
{
	h->until_us = until_us;
}

gint64 holdback_until(const holdback *h)
{
	return h->until_us;
}

gboolean holdback_active(const holdback *h, gint64 now_us)
{
	return h->until_us != 0 && now_us < h->until_us;
}

void holdback_add(holdback *h, const lt_lock_request *req)
{
	held_request *r = g_new0(held_request, 1);

	r->req = *req;
	r->req.name = g_strdup(req->name);
	r->req.peer = g_strdup(req->peer);
	r->client = (flom_client_info)FLOM_CLIENT_INFO_INIT;
	if (req->client)
		flom_client_info_copy(&r->client, req->client);
	r->req.client = req->client ? &r->client : NULL;
	g_queue_push_tail(&h->held, r);
}

void holdback_forget(holdback *h, guint64 owner)
{
	for (GList *l = h->held.head; l; l = l->next) {
		held_request *r = l->data;

		if (r->req.owner == owner) {
			held_request_free(r);
			g_queue_delete_link(&h->held, l);
			return;
		}
	}
}

/* Drop the waiting answers to owner from events[from...]. */
static void holdback_drop_waiting(GArray *events, guint from, guint64 owner)
{
	for (guint i = from; i < events->len;) {
		lt_event *e = &g_array_index(events, lt_event, i);

		if (e->owner == owner && (e->rc == FLOM_RC_ENQUEUED || e->rc == FLOM_RC_WAIT_RESOURCE)) {
			g_array_remove_index(events, i); /* its clear func frees the element */
		} else {
			i++;
		}
	}
}

void holdback_flush(holdback *h, lt_table *lt, gint64 now_real_us, GArray *events)
{
	held_request *r;

	h->until_us = 0;
	while ((r = g_queue_pop_head(&h->held)) != NULL) {
		guint from = events->len;

		lt_request(lt, &r->req, now_real_us, events);
		holdback_drop_waiting(events, from, r->req.owner);
		held_request_free(r);
	}
}
