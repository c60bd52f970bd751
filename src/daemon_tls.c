/*
 * flom: the daemon's side of TLS. Handshakes proceed inside the loop like any
 * other I/O, bounded by the request timeout (conn_arm_deadline), so a silent
 * or slow peer costs only its own connection; peer ids and manager ids are
 * checked against the client's certificate.
 */
#include "config.h"
#include "daemon_int.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "trace.h"

void daemon_tls_start(daemon_state *d, conn *c)
{
	g_autoptr(GError) err = NULL;

	c->tls = tls_conn_new(d->tls, c->fd, &err);
	if (!c->tls) {
		conn_drop(d, c, "%s", err->message);
		return;
	}
	c->handshaking = TRUE;
	c->want = POLLIN;
	conn_watch_output(d, c);
}

/*
 * A plain flom client on a TLS daemon: its first byte is the '<' of a
 * message, which no TLS record starts with. It gets, in plain text, the one
 * answer it understands (rc NO_TLS_CONNECTION), so it can say what is wrong.
 */
static gboolean daemon_tls_refuse_plain(daemon_state *d, conn *c)
{
	char first;
	flom_msg m;

	if (recv(c->fd, &first, 1, MSG_PEEK | MSG_DONTWAIT) != 1 || first != '<')
		return FALSE;
	/* Read its request first: closing over unread bytes would reset the
	 * connection before the answer is read. */
	(void)!recv(c->fd, d->scratch, sizeof(d->scratch), MSG_DONTWAIT);
	msg_make_answer(&m, MSG_STEP_ANSWER, d->cfg->unique_id, FLOM_RC_NO_TLS, NULL, FALSE, 0);
	g_string_truncate(d->encoded, 0);
	msg_encode(&m, d->encoded);
	msg_clear(&m);
	(void)!send(c->fd, d->encoded->str, d->encoded->len, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(c->fd, SHUT_WR);
	conn_drop(d, c, "it does not speak TLS, this daemon does");
	return TRUE;
}

void daemon_tls_handshake(daemon_state *d, conn *c)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *cn = NULL;
	int r;

	if (daemon_tls_refuse_plain(d, c))
		return;
	r = tls_handshake(c->tls, &c->want, &err);
	if (r < 0) {
		conn_drop(d, c, "%s", err->message);
		return;
	}
	if (r == 0) {
		conn_watch_output(d, c);
		return;
	}
	c->handshaking = FALSE;
	c->want = 0;
	conn_watch_output(d, c);
	cn = tls_peer_cn(c->tls);
	TRACE(TRACE_TLS, "conn %" G_GUINT64_FORMAT ": TLS with certificate CN '%s'", c->id, cn);
	/* The request may have come with the handshake's last flight. */
	conn_read(d, c);
}

gboolean daemon_tls_hello_on_plain(daemon_state *d, conn *c, const char *buf, size_t len)
{
	if (c->tls || c->state != CONN_NEW || c->partial_len > 0 || !tls_looks_like_record(buf, len))
		return FALSE;
	conn_drop(d, c, "it speaks TLS, this daemon does not");
	return TRUE;
}

gboolean daemon_tls_peer_id_ok(daemon_state *d, conn *c, const char *peerid)
{
	g_autofree char *cn = NULL;

	if (!c->tls || !d->cfg->tls_check_peer_id)
		return TRUE;
	cn = tls_peer_cn(c->tls);
	if (g_strcmp0(cn, peerid) == 0)
		return TRUE;
	trace_syslog(LOG_WARNING, "refused %s: its certificate CN '%s' is not the unique id '%s' it sent",
	       c->peer_str, cn ? cn : "", peerid ? peerid : "");
	d->dropped++;
	return FALSE;
}

gboolean daemon_tls_may_manage(const daemon_state *d, const conn *c)
{
	g_autofree char *cn = c->tls ? tls_peer_cn(c->tls) : NULL;
	g_auto(GStrv) ids = NULL;

	if (!cn || !*cn)
		return FALSE;
	if (g_strcmp0(cn, d->cfg->unique_id) == 0)
		return TRUE;
	ids = g_strsplit(d->cfg->tls_allowed_manager_ids ? d->cfg->tls_allowed_manager_ids : "", ";", -1);
	for (char **id = ids; *id; id++)
		if (strcmp(g_strstrip(*id), cn) == 0)
			return TRUE;
	return FALSE;
}
