/*
 * flom: etcd's v3 HTTP/JSON gateway through libcurl and json-glib.
 *
 * Knows endpoints, requests and replies; nothing of locks. Every request is
 * tried on the current endpoint, then on each other one once: a member that
 * is down, cut off or without quorum is skipped.
 */
#ifndef FLOM_ETCD_HTTP_H
#define FLOM_ETCD_HTTP_H

#include <glib.h>
#include <json-glib/json-glib.h>

#define ETCD_ERROR (etcd_error_quark())
GQuark etcd_error_quark(void);

typedef struct etcd_http etcd_http;
typedef struct etcd_watch etcd_watch;

/* Endpoints: comma-separated http:// or https:// URLs. The TLS files may be
 * NULL (the system's CAs, no client certificate). NULL with err when an
 * endpoint is malformed. */
etcd_http *etcd_http_new(const char *endpoints, const char *ca_file, const char *cert_file,
			 const char *key_file, GError **err);
void etcd_http_free(etcd_http *h);
/* No request for a while (a command runs): let go of the handle, whose
 * internal descriptors are not close-on-exec; the connections (close-on-exec)
 * stay open for the next request. */
void etcd_http_idle(etcd_http *h);
/* After fork(): the child stops using the parent's connections (which it
 * shares) without closing them, and opens its own. */
void etcd_http_forget_connections(etcd_http *h);

/* POST the JSON BODY to PATH (/v3/...) within timeout_ms in all (each
 * attempt also within FLOM_ETCD_REQUEST_TIMEOUT_MS); the reply's root object
 * (json_object_unref), or NULL with err. */
JsonObject *etcd_http_post(etcd_http *h, const char *path, const char *body, gint64 timeout_ms,
			   GError **err);

/* A watch stream (POST /v3/watch with BODY). */
etcd_watch *etcd_watch_start(etcd_http *h, const char *body, GError **err);
/*
 * Wait until the stream delivers a message after its "created" one (1), the
 * absolute monotonic deadline_ms passes (0; <0: none), extra_fd (>= 0)
 * becomes readable or closes (2), or the stream fails (-1 with err).
 */
int etcd_watch_wait(etcd_watch *w, int extra_fd, gint64 deadline_ms, GError **err);
void etcd_watch_free(etcd_watch *w);

/* Helpers for the gateway's encodings. */
char *etcd_b64(const char *s);                    /* g_free */
char *etcd_b64_member(JsonObject *o, const char *member); /* decoded text, or NULL */
gint64 etcd_int_member(JsonObject *o, const char *member); /* "123" or 123; 0 if absent */
/* The key just after every key that starts with PREFIX (a range end). */
char *etcd_prefix_end(const char *prefix);

gint64 etcd_now_ms(void);

#endif
