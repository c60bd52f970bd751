/*
 * flom: etcd's v3 HTTP/JSON gateway (see etcd_http.h).
 *
 * The gateway's ways: keys and values are base64 in JSON, 64-bit numbers come
 * back as strings, errors are an HTTP status with {"error","code","message"},
 * and a watch is one long response carrying one JSON message a line.
 */
#include "etcd_http.h"

#include <curl/curl.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flom.h"
#include "trace.h"
#include "etcd_lib.h"

G_DEFINE_QUARK(etcd-error-quark, etcd_error)

struct etcd_http {
	char **urls;            /* endpoints, without a trailing slash */
	guint n_urls;
	guint current;          /* the endpoint that answered last */
	CURLSH *share;          /* holds the connections between requests */
	CURL *easy;             /* kept while requests follow one another */
	char *ca_file, *cert_file, *key_file;
};

typedef struct reply_buf {
	GString *data;
	gboolean overflow;
} reply_buf;

/* A watch stream: only the number of complete messages matters. */
struct etcd_watch {
	CURLM *multi;
	CURL *easy;
	int depth;              /* JSON nesting outside strings */
	gboolean in_string, escaped;
	guint messages;
};

gint64 etcd_now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

static void etcd_global_init(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&done, 1);
	}
}

static int etcd_parse_urls(etcd_http *h, const char *endpoints, GError **err)
{
	g_auto(GStrv) parts = g_strsplit(endpoints, ",", -1);
	GPtrArray *urls = g_ptr_array_new();

	for (guint i = 0; parts[i]; i++) {
		char *u = g_strstrip(parts[i]);

		if (!*u)
			continue;
		gboolean bad = TRUE;

		if (urls->len >= FLOM_ETCD_ENDPOINTS_MAX) {
			g_set_error(err, ETCD_ERROR, EINVAL, "more than %d etcd endpoints",
				    FLOM_ETCD_ENDPOINTS_MAX);
		} else if ((!g_str_has_prefix(u, "http://") && !g_str_has_prefix(u, "https://")) ||
			   strlen(u) > FLOM_ETCD_URL_MAX) {
			g_set_error(err, ETCD_ERROR, EINVAL,
				    "etcd endpoint '%s' is not an http:// or https:// URL", u);
		} else {
			bad = FALSE;
		}
		if (bad) {
			g_ptr_array_free(urls, TRUE);
			return -1;
		}
		while (g_str_has_suffix(u, "/"))
			u[strlen(u) - 1] = '\0';
		g_ptr_array_add(urls, g_strdup(u));
	}
	if (urls->len == 0) {
		g_set_error(err, ETCD_ERROR, EINVAL, "no etcd endpoint given");
		g_ptr_array_free(urls, TRUE);
		return -1;
	}
	h->n_urls = urls->len;
	g_ptr_array_add(urls, NULL);
	h->urls = (char **)g_ptr_array_free(urls, FALSE);
	return 0;
}

/* The connections outlive the handle that made them (etcd_http_idle). */
static CURLSH *etcd_share_new(void)
{
	CURLSH *share = curl_share_init();

	curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	return share;
}

etcd_http *etcd_http_new(const char *endpoints, const char *ca_file, const char *cert_file,
			 const char *key_file, GError **err)
{
	etcd_http *h;

	/* Every use of etcd starts here: its libraries are opened now. */
	if (dynlib_open(&etcd_lib, err) < 0)
		return NULL;
	h = g_new0(etcd_http, 1);
	etcd_global_init();
	if (etcd_parse_urls(h, endpoints, err) < 0) {
		g_free(h);
		return NULL;
	}
	h->share = etcd_share_new();
	h->ca_file = g_strdup(ca_file);
	h->cert_file = g_strdup(cert_file);
	h->key_file = g_strdup(key_file);
	return h;
}

void etcd_http_free(etcd_http *h)
{
	if (!h)
		return;
	if (h->easy)
		curl_easy_cleanup(h->easy);
	curl_share_cleanup(h->share);
	g_strfreev(h->urls);
	g_free(h->ca_file);
	g_free(h->cert_file);
	g_free(h->key_file);
	g_free(h);
}

void etcd_http_idle(etcd_http *h)
{
	if (h->easy)
		curl_easy_cleanup(h->easy);
	h->easy = NULL;
}

void etcd_http_forget_connections(etcd_http *h)
{
	curl_socket_t fd = CURL_SOCKET_BAD;

	/* The parent's handles: cleaning them up here could disturb the
	 * parent's connection (a TLS close_notify); only this copy of its
	 * socket goes. */
	if (h->easy && curl_easy_getinfo(h->easy, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
	    fd != CURL_SOCKET_BAD)
		close(fd);
	h->easy = NULL;
	h->share = etcd_share_new();
}

static size_t etcd_reply_cb(char *data, size_t size, size_t n, void *user)
{
	reply_buf *rb = user;

	if (rb->data->len + size * n > FLOM_ETCD_REPLY_MAX) {
		rb->overflow = TRUE;
		return 0;
	}
	g_string_append_len(rb->data, data, (gssize)(size * n));
	return size * n;
}

/* Sockets close on exec: the connection stays open while the command runs
 * (the release reuses it) and the command inherits none of it. */
static curl_socket_t etcd_open_socket(void *user, curlsocktype purpose, struct curl_sockaddr *a)
{
	(void)user;
	(void)purpose;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Options every request of h shares: TLS files, no signals, bounded time. */
static void etcd_easy_setup(const etcd_http *h, CURL *e, const char *url, const char *body,
			    gint64 timeout_ms)
{
	static struct curl_slist *headers;

	if (!headers)
		headers = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, etcd_open_socket);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)MIN(timeout_ms, FLOM_ETCD_CONNECT_TIMEOUT_MS));
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (h->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file);
	if (h->cert_file)
		curl_easy_setopt(e, CURLOPT_SSLCERT, h->cert_file);
	if (h->key_file)
		curl_easy_setopt(e, CURLOPT_SSLKEY, h->key_file);
}

/* The message of an error reply, or the status. */
static char *etcd_error_text(long status, const GString *data)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonNode *root;

	if (json_parser_load_from_data(p, data->str, (gssize)data->len, NULL) &&
	    (root = json_parser_get_root(p)) && JSON_NODE_HOLDS_OBJECT(root)) {
		JsonObject *o = json_node_get_object(root);
		const char *m = json_object_get_string_member_with_default(o, "message", NULL);

		if (m)
			return g_strdup(m);
	}
	return g_strdup_printf("HTTP status %ld", status);
}

static JsonObject *etcd_parse_object(const GString *data, GError **err)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonNode *root;

	if (!json_parser_load_from_data(p, data->str, (gssize)data->len, err))
		return NULL;
	root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(err, ETCD_ERROR, EPROTO, "the reply is not a JSON object");
		return NULL;
	}
	return json_object_ref(json_node_get_object(root));
}

/*
 * One attempt on endpoint i: the reply object, or NULL with err. *next says
 * whether another member could do better (it could not be reached, timed
 * out, or has no leader); a refusal of the request itself is final.
 */
static JsonObject *etcd_post_once(etcd_http *h, guint i, const char *path, const char *body,
				  gint64 timeout_ms, gboolean *next, GError **err)
{
	g_autofree char *url = g_strconcat(h->urls[i], path, NULL);
	reply_buf rb = { g_string_new(NULL), FALSE };
	JsonObject *o = NULL;
	long status = 0;
	CURLcode rc;

	if (!h->easy)
		h->easy = curl_easy_init();
	curl_easy_reset(h->easy);
	etcd_easy_setup(h, h->easy, url, body, timeout_ms);
	curl_easy_setopt(h->easy, CURLOPT_SHARE, h->share);
	curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, etcd_reply_cb);
	curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, &rb);
	rc = curl_easy_perform(h->easy);
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
	TRACE(TRACE_CLIENT, "POST %s %s -> %d/%ld %.*s", url, body, (int)rc, status,
	      (int)MIN(rb.data->len, 400), rb.data->str);
	*next = TRUE;
	if (rc != CURLE_OK) {
		g_set_error(err, ETCD_ERROR, EIO, "%s: %s", h->urls[i],
			    rb.overflow ? "reply too long" : curl_easy_strerror(rc));
	} else if (status != 200) {
		g_autofree char *text = etcd_error_text(status, rb.data);

		*next = status >= 500;
		g_set_error(err, ETCD_ERROR, *next ? EIO : EINVAL, "%s: %s", h->urls[i], text);
	} else {
		o = etcd_parse_object(rb.data, err);
	}
	g_string_free(rb.data, TRUE);
	return o;
}

JsonObject *etcd_http_post(etcd_http *h, const char *path, const char *body, gint64 timeout_ms,
			   GError **err)
{
	GString *why = g_string_new(NULL);
	gint64 deadline = etcd_now_ms() + timeout_ms;
	JsonObject *o = NULL;

	for (guint n = 0; n < h->n_urls && !o && etcd_now_ms() < deadline; n++) {
		g_autoptr(GError) e = NULL;
		gboolean next;
		guint i = (h->current + n) % h->n_urls;
		gint64 left = MIN(deadline - etcd_now_ms(), FLOM_ETCD_REQUEST_TIMEOUT_MS);

		o = etcd_post_once(h, i, path, body, MAX(left, 1), &next, &e);
		if (o) {
			h->current = i;
		} else if (!next) {
			g_propagate_error(err, g_steal_pointer(&e));
			g_string_free(why, TRUE);
			return NULL;
		} else {
			g_string_append_printf(why, "%s%s", why->len ? "; " : "", e->message);
		}
	}
	if (!o) {
		h->current = (h->current + 1) % h->n_urls; /* start elsewhere next time */
		g_set_error(err, ETCD_ERROR, EIO, "no etcd endpoint answered: %s",
			    why->len ? why->str : "out of time");
	}
	g_string_free(why, TRUE);
	return o;
}

/* ------------------------------------------------------------ watch */

/* Count complete top-level JSON messages; the bytes are not kept. */
static size_t etcd_watch_cb(char *data, size_t size, size_t n, void *user)
{
	etcd_watch *w = user;

	for (size_t i = 0; i < size * n; i++) {
		char c = data[i];

		if (w->in_string) {
			if (w->escaped)
				w->escaped = FALSE;
			else if (c == '\\')
				w->escaped = TRUE;
			else if (c == '"')
				w->in_string = FALSE;
		} else if (c == '"') {
			w->in_string = TRUE;
		} else if (c == '{') {
			w->depth++;
		} else if (c == '}' && --w->depth == 0) {
			w->messages++;
		}
	}
	return size * n;
}

etcd_watch *etcd_watch_start(etcd_http *h, const char *body, GError **err)
{
	etcd_watch *w = g_new0(etcd_watch, 1);
	g_autofree char *url = g_strconcat(h->urls[h->current], "/v3/watch", NULL);

	w->multi = curl_multi_init();
	w->easy = curl_easy_init();
	/* No overall timeout: the stream lasts as long as the wait. */
	etcd_easy_setup(h, w->easy, url, body, 0);
	curl_easy_setopt(w->easy, CURLOPT_WRITEFUNCTION, etcd_watch_cb);
	curl_easy_setopt(w->easy, CURLOPT_WRITEDATA, w);
	if (curl_multi_add_handle(w->multi, w->easy) != CURLM_OK) {
		g_set_error(err, ETCD_ERROR, EIO, "cannot start a watch on %s", url);
		etcd_watch_free(w);
		return NULL;
	}
	TRACE(TRACE_CLIENT, "watch %s %s", url, body);
	return w;
}

/* Whether the transfer ended (then err says why). */
static gboolean etcd_watch_ended(etcd_watch *w, GError **err)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(w->multi, &left))) {
		if (m->msg == CURLMSG_DONE) {
			g_set_error(err, ETCD_ERROR, EIO, "the watch stream ended: %s",
				    curl_easy_strerror(m->data.result));
			return TRUE;
		}
	}
	return FALSE;
}

int etcd_watch_wait(etcd_watch *w, int extra_fd, gint64 deadline_ms, GError **err)
{
	for (;;) {
		struct curl_waitfd extra = { .fd = extra_fd, .events = CURL_WAIT_POLLIN };
		gint64 now = etcd_now_ms();
		int running, numfds = 0;
		long wait_ms = FLOM_ETCD_WATCH_POLL_MS;

		if (curl_multi_perform(w->multi, &running) != CURLM_OK) {
			g_set_error(err, ETCD_ERROR, EIO, "the watch stream failed");
			return -1;
		}
		if (w->messages > 1)
			return 1;
		if (etcd_watch_ended(w, err))
			return -1;
		if (deadline_ms >= 0 && now >= deadline_ms)
			return 0;
		if (deadline_ms >= 0)
			wait_ms = MIN(wait_ms, deadline_ms - now);
		curl_multi_wait(w->multi, extra_fd >= 0 ? &extra : NULL, extra_fd >= 0 ? 1 : 0,
				(int)wait_ms, &numfds);
		if (extra_fd >= 0 && (extra.revents & (CURL_WAIT_POLLIN | CURL_WAIT_POLLPRI)))
			return 2;
	}
}

void etcd_watch_free(etcd_watch *w)
{
	if (!w)
		return;
	if (w->multi && w->easy)
		curl_multi_remove_handle(w->multi, w->easy);
	if (w->easy)
		curl_easy_cleanup(w->easy);
	if (w->multi)
		curl_multi_cleanup(w->multi);
	g_free(w);
}

/* ------------------------------------------------------------ encodings */

char *etcd_b64(const char *s)
{
	return g_base64_encode((const guchar *)s, strlen(s));
}

char *etcd_b64_member(JsonObject *o, const char *member)
{
	const char *v = json_object_get_string_member_with_default(o, member, NULL);
	guchar *raw;
	gsize len;

	if (!v)
		return NULL;
	raw = g_base64_decode(v, &len);
	raw = g_realloc(raw, len + 1);
	raw[len] = '\0';
	return (char *)raw;
}

gint64 etcd_int_member(JsonObject *o, const char *member)
{
	JsonNode *n = o ? json_object_get_member(o, member) : NULL;
	const char *s;

	if (!n || !JSON_NODE_HOLDS_VALUE(n))
		return 0;
	if (json_node_get_value_type(n) != G_TYPE_STRING)
		return json_node_get_int(n);
	s = json_node_get_string(n);
	return s ? g_ascii_strtoll(s, NULL, 10) : 0;
}

char *etcd_prefix_end(const char *prefix)
{
	char *end = g_strdup(prefix);
	size_t n = strlen(end);

	/* Our prefixes end in '/' or text: the last byte is never 0xff. */
	end[n - 1] = (char)(end[n - 1] + 1);
	return end;
}
