/*
 * flom: TLS with mutual authentication, the only user of OpenSSL.
 *
 * Compatible with FLoM 1.7.2 on the wire (the same framing inside TLS, both
 * sides verify against a CA file, the client must present a certificate),
 * stricter where it costs no interoperability: TLS 1.2 at least, no
 * renegotiation, no session tickets (a ticket arriving after the grant would
 * look like traffic on a lock connection that must stay silent).
 */
#include "tls.h"
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls_lib.h"

struct tls_ctx {
	SSL_CTX *ssl_ctx;
	gboolean server;
	char *cert, *ca;        /* for messages */
};

struct tls_conn {
	SSL *ssl;
	const tls_ctx *ctx;
	gboolean failed;        /* a fatal error: no close_notify any more */
	char *verify_problem;   /* why the peer's certificate was refused */
};

G_DEFINE_QUARK(flom-tls-error-quark, tls_error)

/* The OpenSSL error queue as one line (and emptied). */
static char *tls_error_queue(void)
{
	GString *s = g_string_new(NULL);
	unsigned long e;

	while ((e = ERR_get_error()) != 0) {
		const char *reason = ERR_reason_error_string(e);

		if (s->len)
			g_string_append(s, "; ");
		if (reason)
			g_string_append(s, reason);
		else
			g_string_append_printf(s, "error %#lx", e);
	}
	if (s->len == 0)
		g_string_append(s, "unknown OpenSSL error");
	return g_string_free(s, FALSE);
}

static void tls_fail(GError **err, tls_error_code code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void tls_fail(GError **err, tls_error_code code, const char *fmt, ...)
{
	g_autofree char *detail = tls_error_queue();
	g_autofree char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, TLS_ERROR, code, "%s: %s", what, detail);
}

/* ------------------------------------------------------------ credentials */

static char *tls_name_text(const X509_NAME *name)
{
	char buf[256];

	X509_NAME_oneline(name, buf, sizeof(buf));
	return g_strdup(buf);
}

/* Remember why the peer's certificate was refused, with its subject and
 * issuer, so the failure names the certificate and the CA at fault. */
static int tls_verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	tls_conn *c = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get0_cert(store);

	if (!ok && c && !c->verify_problem) {
		g_autofree char *subject = cert ? tls_name_text(X509_get_subject_name(cert)) : NULL;
		g_autofree char *issuer = cert ? tls_name_text(X509_get_issuer_name(cert)) : NULL;

		c->verify_problem = g_strdup_printf(
			"the peer's certificate (subject %s, issuer %s) is refused by CA file '%s': %s",
			subject ? subject : "?", issuer ? issuer : "?", c->ctx->ca,
			X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)));
	}
	return ok;
}

static int tls_ctx_load(tls_ctx *t, const char *key, GError **err)
{
	SSL_CTX *s = t->ssl_ctx;

	if (SSL_CTX_use_certificate_chain_file(s, t->cert) != 1) {
		tls_fail(err, TLS_ERROR_CREDENTIALS, "cannot use certificate file '%s'", t->cert);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(s, key, SSL_FILETYPE_PEM) != 1 &&
	    ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
		tls_fail(err, TLS_ERROR_CREDENTIALS, "cannot use private key file '%s'", key);
		return -1;
	}
	if (SSL_CTX_check_private_key(s) != 1) {
		tls_fail(err, TLS_ERROR_CREDENTIALS, "private key '%s' does not match certificate '%s'",
			 key, t->cert);
		return -1;
	}
	if (SSL_CTX_load_verify_locations(s, t->ca, NULL) != 1) {
		tls_fail(err, TLS_ERROR_CREDENTIALS, "cannot use CA certificate file '%s'", t->ca);
		return -1;
	}
	return 0;
}

tls_ctx *tls_ctx_new(const char *cert, const char *key, const char *ca, gboolean server,
		     GError **err)
{
	tls_ctx *t;
	int verify = SSL_VERIFY_PEER | (server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0);

	/* Every TLS session starts from a context: OpenSSL is opened here. */
	if (dynlib_open(&tls_lib, err) < 0)
		return NULL;
	t = g_new0(tls_ctx, 1);
	ERR_clear_error();
	t->server = server;
	t->cert = g_strdup(cert);
	t->ca = g_strdup(ca);
	t->ssl_ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!t->ssl_ctx) {
		tls_fail(err, TLS_ERROR_CREDENTIALS, "cannot create a TLS context");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(t->ssl_ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(t->ssl_ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* Messages carry their own end ("</msg>"): a close without close_notify
	 * is a close, as on a plain socket. */
	SSL_CTX_set_options(t->ssl_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	SSL_CTX_set_num_tickets(t->ssl_ctx, 0);
	SSL_CTX_set_session_cache_mode(t->ssl_ctx, SSL_SESS_CACHE_OFF);
	/* Unsent answers live in a buffer that moves as it drains. */
	SSL_CTX_set_mode(t->ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(t->ssl_ctx, verify, tls_verify_cb);
	if (tls_ctx_load(t, key, err) < 0)
		goto fail;
	if (server)
		SSL_CTX_set_client_CA_list(t->ssl_ctx, SSL_load_client_CA_file(ca));
	return t;
fail:
	tls_ctx_free(t);
	return NULL;
}

void tls_ctx_free(tls_ctx *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->ssl_ctx);
	g_free(t->cert);
	g_free(t->ca);
	g_free(t);
}

/* ------------------------------------------------------------ sessions */

tls_conn *tls_conn_new(tls_ctx *ctx, int fd, GError **err)
{
	tls_conn *c = g_new0(tls_conn, 1);

	ERR_clear_error();
	c->ctx = ctx;
	c->ssl = SSL_new(ctx->ssl_ctx);
	/* Every wait is the caller's poll(), never a blocking read in OpenSSL. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		g_set_error(err, TLS_ERROR, TLS_ERROR_IO, "fcntl: %s", g_strerror(errno));
		tls_conn_free(c);
		return NULL;
	}
	if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
		tls_fail(err, TLS_ERROR_IO, "cannot start a TLS session");
		tls_conn_free(c);
		return NULL;
	}
	SSL_set_app_data(c->ssl, c);
	if (ctx->server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	return c;
}

void tls_conn_free(tls_conn *c)
{
	if (!c)
		return;
	SSL_free(c->ssl);
	g_free(c->verify_problem);
	g_free(c);
}

/* What a failed handshake most likely means, from OpenSSL's reason. */
static const char *tls_handshake_hint(unsigned long e)
{
	int reason = ERR_GET_REASON(e);

	switch (reason) {
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_HTTP_REQUEST:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
	case SSL_R_RECORD_LENGTH_MISMATCH:
	case SSL_R_UNEXPECTED_RECORD:
		return "the peer does not speak TLS";
	case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
	case SSL_R_TLSV1_ALERT_DECRYPT_ERROR:
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
		return "the peer refused our certificate: it is not signed by the peer's CA, "
		       "or our private key does not match it";
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
		return "the peer accepts no TLS version we accept (at least TLS 1.2)";
	default:
		return NULL;
	}
}

/* A failed handshake or I/O as err: the peer's certificate problem first,
 * then the likely cause, then OpenSSL's words. */
static void tls_explain(tls_conn *c, int ssl_error, int ret, const char *what, GError **err)
{
	unsigned long first = ERR_peek_error();
	const char *hint = first ? tls_handshake_hint(first) : NULL;
	tls_error_code code = SSL_is_init_finished(c->ssl) ? TLS_ERROR_IO : TLS_ERROR_HANDSHAKE;

	c->failed = TRUE;
	if (c->verify_problem) {
		ERR_clear_error();
		g_set_error(err, TLS_ERROR, code, "%s: %s", what, c->verify_problem);
	} else if (ssl_error == SSL_ERROR_SYSCALL && first == 0) {
		g_set_error(err, TLS_ERROR, code, "%s: %s", what,
			    ret == 0 || errno == 0 || errno == ECONNRESET
			    ? "the peer closed the connection (it may not use TLS, or it refused us)"
			    : g_strerror(errno));
	} else if (hint) {
		g_autofree char *detail = tls_error_queue();

		g_set_error(err, TLS_ERROR, code, "%s: %s (%s)", what, hint, detail);
	} else {
		tls_fail(err, code, "%s", what);
	}
}

/* The outcome of an SSL call that returned ret <= 0: -1 with errno EAGAIN
 * and *want when it must wait, 0 closed cleanly, -2 failed (err). */
static int tls_outcome(tls_conn *c, int ret, const char *what, short *want, GError **err)
{
	int e = SSL_get_error(c->ssl, ret);

	switch (e) {
	case SSL_ERROR_WANT_READ:
		*want = POLLIN;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		*want = POLLOUT;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0 && errno == EINTR) {
			*want = POLLIN;
			errno = EAGAIN;
			return -1;
		}
		/* fall through */
	default:
		tls_explain(c, e, ret, what, err);
		return -2;
	}
}

int tls_handshake(tls_conn *c, short *want, GError **err)
{
	int ret;

	ERR_clear_error();
	errno = 0;
	ret = SSL_do_handshake(c->ssl);
	if (ret == 1)
		return 1;
	switch (tls_outcome(c, ret, "TLS handshake failed", want, err)) {
	case -1:
		return 0;
	case 0:
		c->failed = TRUE;
		g_set_error(err, TLS_ERROR, TLS_ERROR_HANDSHAKE, "TLS handshake failed: the peer "
			    "closed the connection (it may not use TLS, or it refused us)");
		return -1;
	default:
		return -1;
	}
}

char *tls_peer_cn(const tls_conn *c)
{
	X509 *cert = SSL_get0_peer_certificate(c->ssl);
	X509_NAME *name;
	int i;
	unsigned char *utf8 = NULL;
	char *cn = NULL;

	if (!cert)
		return NULL;
	name = X509_get_subject_name(cert);
	i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (i < 0)
		return g_strdup("");
	if (ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i))) < 0)
		return g_strdup("");
	cn = g_strdup((const char *)utf8);
	OPENSSL_free(utf8);
	return cn;
}

void tls_close_notify(tls_conn *c)
{
	if (!c || c->failed || !SSL_is_init_finished(c->ssl))
		return;
	ERR_clear_error();
	(void)SSL_shutdown(c->ssl);
	ERR_clear_error();
}

/* ------------------------------------------------------------ the stream */

static gssize tls_plain_result(gssize n, short want_if_blocked, short *want, GError **err)
{
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
		*want = want_if_blocked;
		errno = EAGAIN;
		return -1;
	}
	g_set_error(err, TLS_ERROR, TLS_ERROR_IO, "%s", g_strerror(errno));
	return -1;
}

gssize tls_io_read(int fd, tls_conn *tls, void *buf, size_t len, short *want, GError **err)
{
	int ret;

	if (!tls)
		return tls_plain_result(recv(fd, buf, len, MSG_DONTWAIT), POLLIN, want, err);
	ERR_clear_error();
	errno = 0;
	ret = SSL_read(tls->ssl, buf, (int)MIN(len, (size_t)G_MAXINT));
	if (ret > 0)
		return ret;
	switch (tls_outcome(tls, ret, "TLS read failed", want, err)) {
	case -1:
		return -1;
	case 0:
		return 0;
	default:
		errno = EPROTO;
		return -1;
	}
}

gssize tls_io_write(int fd, tls_conn *tls, const void *buf, size_t len, short *want,
		    GError **err)
{
	int ret;

	if (!tls)
		return tls_plain_result(send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL), POLLOUT,
					want, err);
	ERR_clear_error();
	errno = 0;
	ret = SSL_write(tls->ssl, buf, (int)MIN(len, (size_t)G_MAXINT));
	if (ret > 0)
		return ret;
	if (tls_outcome(tls, ret, "TLS write failed", want, err) == -1)
		return -1;
	if (err && !*err)
		g_set_error(err, TLS_ERROR, TLS_ERROR_IO, "TLS write failed: the peer closed");
	errno = EPROTO;
	return -1;
}

gboolean tls_io_pending(const tls_conn *tls)
{
	return tls && SSL_pending(tls->ssl) > 0;
}

/* ------------------------------------------------------------ blocking callers */

static int tls_wait_or_fail(int fd, short want, gint64 deadline_us, const char *what, GError **err)
{
	int r = net_wait(fd, want, deadline_us);

	if (r > 0)
		return 0;
	if (r == 0)
		g_set_error(err, TLS_ERROR, TLS_ERROR_DEADLINE, "%s: the peer did not answer in time",
			    what);
	else
		g_set_error(err, TLS_ERROR, TLS_ERROR_IO, "%s: %s", what, g_strerror(errno));
	return -1;
}

int tls_handshake_wait(int fd, tls_conn *c, gint64 deadline_us, GError **err)
{
	for (;;) {
		short want = POLLIN;
		int r = tls_handshake(c, &want, err);

		if (r != 0)
			return r > 0 ? 0 : -1;
		if (tls_wait_or_fail(fd, want, deadline_us, "TLS handshake failed", err) < 0)
			return -1;
	}
}

int tls_io_write_all(int fd, tls_conn *tls, const void *buf, size_t len, gint64 deadline_us,
		     GError **err)
{
	const char *p = buf;

	while (len > 0) {
		short want = POLLOUT;
		gssize n = tls_io_write(fd, tls, p, len, &want, err);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EAGAIN) {
			if (tls_wait_or_fail(fd, want, deadline_us, "send", err) < 0)
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

gssize tls_io_read_wait(int fd, tls_conn *tls, void *buf, size_t len, gint64 deadline_us,
			GError **err)
{
	for (;;) {
		short want = POLLIN;
		gssize n = tls_io_read(fd, tls, buf, len, &want, err);

		if (n >= 0 || errno != EAGAIN)
			return n;
		if (tls_wait_or_fail(fd, want, deadline_us, "receive", err) < 0)
			return -1;
	}
}

/* ------------------------------------------------------------ facts */

static char *tls_cert_describe(X509 *cert)
{
	g_autofree char *subject = tls_name_text(X509_get_subject_name(cert));
	g_autofree char *issuer = tls_name_text(X509_get_issuer_name(cert));

	return g_strdup_printf("subject %s, issuer %s", subject, issuer);
}

char *tls_ctx_describe(const tls_ctx *t)
{
	X509 *own = SSL_CTX_get0_certificate(t->ssl_ctx);
	STACK_OF(X509_NAME) *cas = SSL_load_client_CA_file(t->ca);
	g_autofree char *own_text = own ? tls_cert_describe(own) : g_strdup("none");
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "certificate '%s' (%s), CA file '%s' (", t->cert, own_text, t->ca);
	for (int i = 0; cas && i < sk_X509_NAME_num(cas); i++) {
		g_autofree char *name = tls_name_text(sk_X509_NAME_value(cas, i));

		g_string_append_printf(s, "%ssubject %s", i ? "; " : "", name);
	}
	g_string_append_c(s, ')');
	sk_X509_NAME_pop_free(cas, X509_NAME_free);
	ERR_clear_error();
	return g_string_free(s, FALSE);
}

const char *tls_protocols(void)
{
	static char text[320];
	g_autoptr(GError) err = NULL;

	if (text[0])
		return text;
	/* --version prints, even where OpenSSL is missing. */
	if (dynlib_open(&tls_lib, &err) < 0)
		g_snprintf(text, sizeof(text), "TLSv1.2, TLSv1.3 (%s)", err->message);
	else
		g_snprintf(text, sizeof(text), "TLSv1.2, TLSv1.3 (%s)", OpenSSL_version(OPENSSL_VERSION));
	return text;
}

gboolean tls_looks_like_record(const void *buf, size_t len)
{
	const unsigned char *b = buf;

	/* content type handshake (22) or alert (21), then major version 3 */
	return len >= 2 && (b[0] == 22 || b[0] == 21) && b[1] == 3;
}
