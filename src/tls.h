/*
 * flom: TLS with mutual authentication (OpenSSL). Every OpenSSL call of the
 * program is in tls.c; the others see a stream of bytes on a descriptor,
 * plain or TLS, through tls_io_*().
 *
 * Both sides present a certificate and verify the other's against one CA
 * file; TLS 1.2 is the oldest version accepted. Everything is non-blocking:
 * an operation that cannot finish says which poll event (POLLIN or POLLOUT)
 * it waits for, so a reactor can wait for the right one.
 */
#ifndef FLOM_TLS_H
#define FLOM_TLS_H

#include <glib.h>

typedef struct tls_ctx tls_ctx;   /* credentials of one side */
typedef struct tls_conn tls_conn; /* one TLS session over a socket */

/* GError domain of this module. */
#define TLS_ERROR (tls_error_quark())
GQuark tls_error_quark(void);
typedef enum {
	TLS_ERROR_CREDENTIALS = 1, /* a file cannot be used */
	TLS_ERROR_HANDSHAKE,       /* the handshake failed (verification...) */
	TLS_ERROR_IO,              /* an error after the handshake */
	TLS_ERROR_DEADLINE,        /* the other side did not finish in time */
} tls_error_code;

/*
 * Load a certificate, its private key and the CA file that verifies peers.
 * server: the peer must present a certificate (a client always must).
 * NULL with err naming the file and the problem.
 */
tls_ctx *tls_ctx_new(const char *cert, const char *key, const char *ca, gboolean server,
		     GError **err);
void tls_ctx_free(tls_ctx *ctx);

/* A session over fd, which it makes non-blocking (not closed by
 * tls_conn_free). */
tls_conn *tls_conn_new(tls_ctx *ctx, int fd, GError **err);
void tls_conn_free(tls_conn *c);

/*
 * One step of the handshake: 1 done, 0 not yet (*want: POLLIN or POLLOUT to
 * wait for), -1 failed (err says why: the certificate or CA at fault, or that
 * the peer closed or spoke something other than TLS).
 */
int tls_handshake(tls_conn *c, short *want, GError **err);

/* CN of the peer's verified certificate (g_free), NULL before the handshake. */
char *tls_peer_cn(const tls_conn *c);

/* Send close_notify if the socket takes it now (never waits). */
void tls_close_notify(tls_conn *c);

/*
 * The byte stream: tls NULL means a plain socket. Read/write: >0 bytes, 0 the
 * peer closed (read only), -1 with errno EAGAIN and *want set when it would
 * block, else -1 with err.
 */
gssize tls_io_read(int fd, tls_conn *tls, void *buf, size_t len, short *want, GError **err);
gssize tls_io_write(int fd, tls_conn *tls, const void *buf, size_t len, short *want,
		    GError **err);
/* Whether decrypted bytes wait inside the session (poll would not see them). */
gboolean tls_io_pending(const tls_conn *tls);
/*
 * For callers that may block (clients, debug features), until deadline_us
 * (monotonic, <0: none); a deadline that passes is a TLS_ERROR_DEADLINE.
 * handshake: 0 or -1. write_all: 0 or -1. read_wait: >0 bytes, 0 closed, -1.
 */
int tls_handshake_wait(int fd, tls_conn *c, gint64 deadline_us, GError **err);
int tls_io_write_all(int fd, tls_conn *tls, const void *buf, size_t len, gint64 deadline_us,
		     GError **err);
gssize tls_io_read_wait(int fd, tls_conn *tls, void *buf, size_t len, gint64 deadline_us,
			GError **err);

/* "certificate '/x/peer.pem' (subject ..., issuer ...), CA file '/x/ca.pem'
 * (subject ...)": what this side presents and trusts (g_free). */
char *tls_ctx_describe(const tls_ctx *ctx);

/* The protocols this build accepts, for -v ("TLSv1.2, TLSv1.3 ..."). */
const char *tls_protocols(void);

/* Whether a peer's first bytes look like a TLS record (handshake or alert):
 * a plain side can tell its peer that the other side speaks TLS. */
gboolean tls_looks_like_record(const void *buf, size_t len);

#endif
