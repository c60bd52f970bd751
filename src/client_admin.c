/*
 * flom: the client's management (-x, -X) and status (--status) requests.
 */
#include "config.h"
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "client_int.h"
#ifdef FLOM_WITH_ETCD
#include "etcd_status.h"
#endif
#include "msg.h"
#include "net.h"
#include "peer.h"
#include "status.h"
#include "trace.h"

/* ------------------------------------------------------------ management */

/* Why the daemon refused, and how to allow it, in one line: who may manage
 * depends on where the request comes from. */
static void client_manage_refused(const flom_config *cfg, int fd)
{
	net_addr peer = { .len = sizeof(peer.ss) };
	g_autofree char *who = client_daemon_name(cfg, fd);

	if (getpeername(fd, (struct sockaddr *)&peer.ss, &peer.len) == 0 &&
	    peer.ss.ss_family != AF_UNIX && !peer_is_local_host(&peer))
		fprintf(stderr, "flom: the daemon at %s refused the shutdown request: it takes "
			"management from other hosts only when started with --allow-remote-management "
			"(AllowRemoteManagement=yes in [Daemon]); run flom -x on its host instead\n", who);
	else
		fprintf(stderr, "flom: the daemon at %s refused the shutdown request: only the user "
			"who started it, or root, may stop it; run flom -x as that user or as root\n",
			who);
}

/* -x waits while holders finish. The daemon is acting as long as it answers
 * a status request on another connection (any answer will do: an original
 * daemon takes it for a lock request); a peer that answers nothing is not. */
static gboolean client_daemon_alive(const flom_config *cfg)
{
	client_conn *cc = g_new0(client_conn, 1);
	gboolean alive = FALSE;
	flom_msg m;

	cc->fd = -1;
	msg_make_status_request(&m, cfg->unique_id, NULL);
	if (client_open(cc, cfg, FALSE, TRUE, NULL) == 0 && client_send(cc, &m, NULL) == 0) {
		msg_clear(&m);
		alive = client_recv(cc, &m, client_now_ms() + cfg->answer_timeout, NULL) == 1;
	}
	msg_clear(&m);
	client_conn_free(cc);
	return alive;
}

/* What the daemon did with the request (r, *m: client_recv's). */
static int client_manage_outcome(const flom_config *cfg, const client_conn *cc, int r,
				 const flom_msg *m, const GError *err)
{
	switch (r) {
	case 0:
		return FLOM_EXIT_OK;
	case -2: {
		g_autofree char *who = client_daemon_name(cfg, cc->fd);

		fprintf(stderr, "flom: the daemon at %s did not act on the shutdown request within %"
			G_GINT64_FORMAT " ms (--answer-timeout)\n", who, cfg->answer_timeout);
		break;
	}
	case 1:
		if (m->rc == FLOM_RC_NO_TLS)
			fprintf(stderr, "flom: %s\n", CLIENT_NO_TLS);
		else
			client_manage_refused(cfg, cc->fd);
		TRACE(TRACE_CLIENT, "management refused: rc=%" G_GINT64_FORMAT, m->rc);
		break;
	default:
		fprintf(stderr, "flom: unexpected answer to the shutdown request: %s\n",
			err ? err->message : "timeout");
		break;
	}
	return FLOM_EXIT_GENERIC;
}

int client_manage(const flom_config *cfg)
{
	g_autoptr(GError) err = NULL;
	client_conn *cc = g_new0(client_conn, 1);
	int status = FLOM_EXIT_GENERIC, r;
	flom_msg m;

	cc->fd = -1;
	if (client_open(cc, cfg, FALSE, TRUE, &err) < 0) {
		fprintf(stderr, "flom: %s\n", err->message);
		goto out;
	}
	msg_make_shutdown(&m, cfg->unique_id, cfg->immediate_exit);
	if (client_send(cc, &m, &err) < 0) {
		fprintf(stderr, "flom: cannot send the shutdown request: %s\n", err->message);
		msg_clear(&m);
		goto out;
	}
	/* The daemon closes the connection once it acted; an answer first
	 * means it refused. -X acts at once; -x once holders and waiters are
	 * done, and the daemon stays alive meanwhile. */
	do {
		msg_clear(&m);
		msg_init(&m);
		r = client_recv(cc, &m, client_now_ms() + cfg->answer_timeout, &err);
	} while (r == -2 && !cfg->immediate_exit && client_daemon_alive(cfg));
	status = client_manage_outcome(cfg, cc, r, &m, err);
	msg_clear(&m);
out:
	client_conn_free(cc);
	return status;
}

/* ------------------------------------------------------------ status */

/* Read the status records up to "end": 1, 0 when the daemon is no daemon of
 * ours (it answered the probe as a lock request), -1 on error (printed). */
static int client_status_records(client_conn *cc, GPtrArray *records)
{
	gint64 deadline = client_now_ms() + FLOM_STATUS_TIMEOUT_MS;

	for (;;) {
		g_autoptr(GError) err = NULL;
		flom_msg *m = g_new0(flom_msg, 1);
		int r = client_recv(cc, m, deadline, &err);

		if (r == 1 && m->verb == MSG_VERB_LOCK) {
			msg_clear(m);
			g_free(m);
			return 0;
		}
		if (r != 1 || m->verb != MSG_VERB_STATUS) {
			fprintf(stderr, "flom: no complete status answer from the daemon: %s\n",
				r == 0 ? "connection closed" : r == -2 ? "timeout"
				: err ? err->message : "unexpected message");
			msg_clear(m);
			g_free(m);
			return -1;
		}
		g_ptr_array_add(records, m);
		if (g_strcmp0(m->record, "end") == 0)
			return 1;
	}
}

static void client_msg_free(gpointer m)
{
	msg_clear(m);
	g_free(m);
}

/* --status --etcd: the cluster's keys, no daemon. */
static int client_etcd_status(const flom_config *cfg)
{
#ifdef FLOM_WITH_ETCD
	return etcd_status(cfg);
#else
	(void)cfg;
	fprintf(stderr, "flom: this flom was built without etcd support (configure --without-etcd)\n");
	return FLOM_EXIT_GENERIC;
#endif
}

int client_status(const flom_config *cfg)
{
	if (cfg->etcd_endpoints)
		return client_etcd_status(cfg);

	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func(client_msg_free);
	client_conn *cc = g_new0(client_conn, 1);
	/* the default name means no -r: every resource */
	const char *filter = g_strcmp0(cfg->resource_name, FLOM_DEFAULT_RESOURCE_NAME) == 0
			     ? NULL : cfg->resource_name;
	int status = FLOM_EXIT_GENERIC, r = -1;
	flom_msg m;

	cc->fd = -1;
	if (client_open(cc, cfg, FALSE, TRUE, &err) < 0) {
		fprintf(stderr, "flom: %s\n", err->message);
		goto out;
	}
	msg_make_status_request(&m, cfg->unique_id, filter);
	if (client_send(cc, &m, &err) < 0)
		fprintf(stderr, "flom: cannot send the status request: %s\n", err->message);
	else if ((r = client_status_records(cc, records)) == 0)
		fprintf(stderr, "flom: this daemon does not report status (an original FLoM daemon?)\n");
	else if (r > 0)
		status = status_print(records, cfg->status, cfg->verbose, stdout);
	msg_clear(&m);
out:
	client_conn_free(cc);
	return status;
}
