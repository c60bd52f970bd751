/*
 * flom: the client. Reach a daemon (start one when allowed), ask for the lock,
 * run the command through the monitor, unlock, and wait until the daemon has
 * seen the unlock, so the next command of a script finds the lock free.
 */
#include "config.h"
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "client_int.h"
#include "monitor.h"
#include "msg.h"
#include "net.h"
#include "peer.h"
#include "rsrc_name.h"
#include "safefile.h"
#include "safety.h"
#include "spawn.h"
#include "status.h"
#include "tls.h"
#include "trace.h"

/* Outcome of one lock conversation. */
typedef enum {
	LOCK_GRANTED,
	LOCK_RETRY,     /* closed before any grant: nothing held, try again */
	LOCK_FAILED,    /* exit_status says how */
} lock_result;


typedef struct grant {
	char *element;
	guint64 token;
	gint64 ext;     /* the daemon's extension level (0: an original) */
	gint64 release_ms; /* the daemon's release deadline, 0 when none (safety.h) */
	struct client_conn *cc; /* the lock connection */
} grant;

gint64 client_now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

void client_pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------ reaching a daemon */

static gboolean client_no_daemon_errno(int e)
{
	return e == ENOENT || e == ECONNREFUSED;
}

/* Connect to the UNIX socket; a lock request only to a daemon of this user
 * or root (a management request trusts nothing in the answer). */
static int client_unix_connect_checked(const flom_config *cfg, gboolean manage, GError **err)
{
	int fd = net_unix_connect(cfg->socket_name, err);

	if (fd >= 0 && !manage && !safefile_dir_vouches(cfg->socket_name) &&
	    safefile_check_listener(fd, cfg->socket_name, err) < 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

static int client_connect_unix(const flom_config *cfg, gboolean may_start, gboolean manage,
			       GError **err)
{
	g_autofree char *def = config_default_socket_name();
	g_autofree char *lock_path = spawn_lock_path(cfg->socket_name);
	gboolean shared = g_strcmp0(def, cfg->socket_name) != 0;
	g_autoptr(GError) first = NULL;
	gboolean waited = FALSE;
	int fd, lock_fd;

	/* Before trusting the path: what is there, and whose it is. */
	if (safefile_check_socket(cfg->socket_name, !manage, !shared, err) < 0)
		return -1;
	fd = client_unix_connect_checked(cfg, manage, &first);
	if (fd >= 0 || !client_no_daemon_errno(errno) || !may_start) {
		int e = errno;

		if (fd < 0 && client_no_daemon_errno(e) && !may_start)
			g_set_error(err, NET_ERROR, e,
				    "no daemon is listening on %s (and -d 0 does not start one)",
				    cfg->socket_name);
		else if (fd < 0)
			g_propagate_error(err, g_steal_pointer(&first));
		return fd;
	}
	lock_fd = spawn_lock(lock_path, shared, &waited, err);
	if (lock_fd < 0)
		return -1;
	/* Another client may have started one while we waited for the lock. */
	g_clear_error(&first);
	fd = client_unix_connect_checked(cfg, manage, &first);
	if (fd < 0 && client_no_daemon_errno(errno)) {
		if (spawn_daemon(cfg, err) == 0)
			fd = client_unix_connect_checked(cfg, manage, err);
	} else if (fd < 0) {
		g_propagate_error(err, g_steal_pointer(&first));
	}
	spawn_unlock(lock_fd);
	return fd;
}

static int client_tcp_connect_once(const flom_config *cfg, GError **err)
{
	return net_tcp_connect(cfg->unicast_address, cfg->unicast_port,
			       cfg->network_interface_index, (int)cfg->answer_timeout, err);
}

static int client_connect_tcp(const flom_config *cfg, gboolean may_start, GError **err)
{
	g_autoptr(GError) first = NULL;
	int fd = client_tcp_connect_once(cfg, &first);

	if (fd >= 0)
		return fd;
	if (!may_start) {
		g_set_error(err, NET_ERROR, ECONNREFUSED,
			    "no daemon reachable at %s port %d (and -d 0 does not start one): %s",
			    cfg->unicast_address, cfg->unicast_port, first->message);
		return -1;
	}
	if (spawn_daemon(cfg, err) < 0) {
		/* Address in use: someone else's daemon is starting there. */
		if (!g_error_matches(*err, NET_ERROR, EADDRINUSE))
			return -1;
		g_clear_error(err);
	}
	for (int pause = 1; pause <= 256; pause *= 2) {
		g_clear_error(err);
		fd = client_tcp_connect_once(cfg, err);
		if (fd >= 0)
			return fd;
		client_pause_ms(pause);
	}
	return -1;
}

static int client_connect(const flom_config *cfg, gboolean may_start, gboolean manage,
			  GError **err)
{
	int fd;

	if (cfg->unicast_address)
		fd = client_connect_tcp(cfg, may_start, err);
	else if (cfg->multicast_address)
		fd = client_connect_multicast(cfg, may_start, err);
	else
		fd = client_connect_unix(cfg, may_start, manage, err);
	if (fd >= 0 && cfg->unicast_address == NULL && cfg->multicast_address == NULL)
		return fd;
	if (fd >= 0)
		net_tcp_keepalive(fd, cfg->tcp_keepalive_time, cfg->tcp_keepalive_intvl,
				  cfg->tcp_keepalive_probes);
	return fd;
}

/* Reach a daemon and, with TLS, do the handshake (bounded by the request
 * timeout, so a silent daemon cannot hold us). The credentials are loaded
 * first: a bad file fails before any daemon is started. */
int client_open(client_conn *cc, const flom_config *cfg, gboolean may_start,
		       gboolean manage, GError **err)
{
	cc->in_len = 0;
	if (config_tls_enabled(cfg) && !cc->tls_ctx) {
		cc->tls_ctx = tls_ctx_new(cfg->tls_certificate, cfg->tls_private_key,
					  cfg->tls_ca_certificate, FALSE, err);
		if (!cc->tls_ctx)
			return -1;
	}
	cc->fd = client_connect(cfg, may_start, manage, err);
	if (cc->fd < 0 || !cc->tls_ctx)
		return cc->fd < 0 ? -1 : 0;
	TRACE(TRACE_TLS, "TLS handshake with the daemon");
	if (!(cc->tls = tls_conn_new(cc->tls_ctx, cc->fd, err)) ||
	    tls_handshake_wait(cc->fd, cc->tls, g_get_monotonic_time() + cfg->request_timeout * 1000,
			       err) < 0)
		return -1;
	TRACE(TRACE_TLS, "TLS handshake done");
	return 0;
}

static void client_disconnect(client_conn *cc)
{
	g_clear_pointer(&cc->tls, tls_conn_free);
	if (cc->fd >= 0)
		close(cc->fd);
	cc->fd = -1;
}

void client_conn_free(client_conn *cc)
{
	client_disconnect(cc);
	tls_ctx_free(cc->tls_ctx);
	g_free(cc);
}

/* ------------------------------------------------------------ messages */

int client_send(client_conn *cc, const flom_msg *m, GError **err)
{
	g_autoptr(GString) out = g_string_new(NULL);

	msg_encode(m, out);
	TRACE(TRACE_CLIENT, "-> %s", out->str);
	return tls_io_write_all(cc->fd, cc->tls, out->str, out->len, -1, err);
}

/* The connection closed before a complete message: a plain client that got
 * the start of a TLS record talks to a daemon that speaks TLS. */
static int client_closed(const client_conn *cc, GError **err)
{
	if (cc->tls || !tls_looks_like_record(cc->in, cc->in_len))
		return 0;
	g_set_error_literal(err, TLS_ERROR, TLS_ERROR_HANDSHAKE, CLIENT_NO_TLS);
	return -1;
}

/*
 * Next message from the daemon: 1 with *m, 0 when the connection closed,
 * -1 on a protocol or TLS error (err), -2 when deadline_ms (absolute, <0 =
 * none) passed.
 */
int client_recv(client_conn *cc, flom_msg *m, gint64 deadline_ms, GError **err)
{
	for (;;) {
		g_autoptr(GError) e = NULL;
		gssize len = msg_frame(cc->in, cc->in_len);
		gssize n;

		if (len < 0) {
			g_set_error(err, MSG_ERROR, 0, "answer over %d bytes", FLOM_MSG_MAX);
			return -1;
		}
		if (len > 0) {
			int rc = msg_decode(cc->in, len, m, err);

			TRACE(TRACE_CLIENT, "<- %.*s", (int)len, cc->in);
			memmove(cc->in, cc->in + len, cc->in_len - len);
			cc->in_len -= len;
			return rc < 0 ? -1 : 1;
		}
		n = tls_io_read_wait(cc->fd, cc->tls, cc->in + cc->in_len, sizeof(cc->in) - cc->in_len,
				     deadline_ms < 0 ? -1 : deadline_ms * 1000, &e);
		if (n < 0 && g_error_matches(e, TLS_ERROR, TLS_ERROR_DEADLINE))
			return -2;
		if (n < 0 && cc->tls) {
			g_propagate_error(err, g_steal_pointer(&e));
			return -1;
		}
		if (n <= 0)
			return client_closed(cc, err);
		cc->in_len += n;
	}
}

/* ------------------------------------------------------------ locking */

static lock_result client_refused(int rc, const flom_config *cfg, int *status)
{
	switch (rc) {
	case FLOM_RC_BUSY:
		fprintf(stderr, "Resource already locked, the lock cannot be obtained\n");
		*status = FLOM_EXIT_BUSY;
		break;
	case FLOM_RC_CANT_WAIT:
		fprintf(stderr, "The resource could be available in the future, but the requester can't wait\n");
		*status = FLOM_EXIT_CANT_WAIT;
		break;
	case FLOM_RC_IMPOSSIBLE:
		fprintf(stderr, "Resource will never satisfy the request, the lock cannot be obtained\n");
		*status = FLOM_EXIT_GENERIC;
		break;
	case FLOM_RC_INVALID_NAME:
		fprintf(stderr, "flom: the daemon rejected the resource name '%s'\n", cfg->resource_name);
		*status = FLOM_EXIT_GENERIC;
		break;
	case FLOM_RC_NO_TLS:
		fprintf(stderr, "flom: %s\n", CLIENT_NO_TLS);
		*status = FLOM_EXIT_GENERIC;
		break;
	case FLOM_RC_REFUSED:
		fprintf(stderr, "flom: the daemon refused this client%s\n", cfg->tls_check_peer_id ||
			config_tls_enabled(cfg) ? ": it checks TLS peer ids, and the CN of this client's "
			"certificate must be its unique id (flom --unique-id)" : "");
		*status = FLOM_EXIT_GENERIC;
		break;
	case FLOM_RC_TOO_MANY:
		fprintf(stderr, "flom: too many resources: the daemon keeps as many as it may; "
			"try again when some have expired\n");
		*status = FLOM_EXIT_GENERIC;
		break;
	case FLOM_RC_SHUTTING_DOWN:
		fprintf(stderr, "flom: the daemon is shutting down and takes no new lock request\n");
		*status = FLOM_EXIT_GENERIC;
		break;
	default:
		fprintf(stderr, "flom: the daemon refused the lock (rc=%d)\n", rc);
		*status = FLOM_EXIT_GENERIC;
		break;
	}
	return LOCK_FAILED;
}

/* Who asks, for the daemon's status (attributes an original daemon ignores);
 * left out when they would make the request too long for an original daemon. */
static char *client_claim_text(const char *s, size_t max)
{
	/* a daemon refuses longer ones: better none */
	return strlen(s) <= max && g_utf8_validate(s, -1, NULL) ? g_strdup(s) : NULL;
}

static void client_claims(flom_msg *m)
{
	g_autoptr(GString) bytes = g_string_new(NULL);

	m->client.pid = getpid();
	m->client.uid = getuid();
	m->client.user = config_user_name() ? client_claim_text(config_user_name(), FLOM_USER_MAX) : NULL;
	m->client.host = client_claim_text(g_get_host_name(), FLOM_HOST_MAX);
	msg_encode(m, bytes);
	if (bytes->len >= FLOM_ORIGINAL_DAEMON_MSG_MAX)
		flom_client_info_clear(&m->client);
}

/* The lock request, with who asks. */
static int client_send_lock(client_conn *cc, const flom_config *cfg)
{
	g_auto(flom_msg) m;

	msg_make_lock(&m, cfg->unique_id, cfg->resource_name, cfg->lock_mode,
		      cfg->resource_timeout != 0, cfg->resource_quantity,
		      cfg->resource_create, cfg->resource_idle_lifespan);
	client_claims(&m);
	return client_send(cc, &m, NULL);
}

/* The waiting notice: on a terminal, or always with -V; once. */
static gint64 client_notice_deadline(const flom_config *cfg, const flom_msg *queued,
				     gint64 notice_at, gint64 deadline)
{
	if (!queued || notice_at < 0 || !(cfg->verbose || isatty(STDERR_FILENO)))
		return deadline;
	return deadline < 0 ? notice_at : MIN(deadline, notice_at);
}

static void client_notice(const flom_config *cfg, const flom_msg *queued)
{
	g_autofree char *line = status_wait_notice(cfg->resource_name, queued);

	fprintf(stderr, "%s\n", line);
}

/* How long a daemon has to answer a lock request: a dynamic-mode daemon
 * that settles reads nothing for a while. */
static gint64 client_answer_timeout(const flom_config *cfg)
{
	if (cfg->multicast_address && !cfg->unicast_address)
		return cfg->answer_timeout + FLOM_SETTLE_TIMEOUTS * MAX(cfg->discovery_timeout, 0);
	return cfg->answer_timeout;
}

/* Who answered on fd, for messages: the socket path, or the peer address. */
char *client_daemon_name(const flom_config *cfg, int fd)
{
	net_addr peer = { .len = sizeof(peer.ss) };

	if (getpeername(fd, (struct sockaddr *)&peer.ss, &peer.len) < 0 ||
	    peer.ss.ss_family == AF_UNIX)
		return g_strdup(cfg->socket_name ? cfg->socket_name : "?");
	return net_addr_to_string(&peer);
}

/* The element of a grant must be one the request allows: flom passes it to
 * the command, so a daemon (or whoever listens in its place) must not choose
 * the command's arguments. */
static lock_result client_check_element(client_conn *cc, const flom_config *cfg, grant *g,
					int *status)
{
	g_autofree char *who = NULL, *shown = NULL;

	if (rsrc_name_element_check(cfg->resource_name, g->element) == 0) {
		if (!rsrc_type_has_elements(rsrc_name_classify(cfg->resource_name)))
			g_clear_pointer(&g->element, g_free); /* an empty one */
		return LOCK_GRANTED;
	}
	who = client_daemon_name(cfg, cc->fd);
	shown = trace_escape(g->element, -1);
	fprintf(stderr, "flom: protocol error: the daemon at %s granted resource '%s' with element "
		"'%s', which that resource cannot have; the command was not run\n",
		who, cfg->resource_name, shown);
	g_clear_pointer(&g->element, g_free);
	*status = FLOM_EXIT_GENERIC;
	return LOCK_FAILED;
}

static void client_bad_answer(const GError *err)
{
	if (err && err->domain == TLS_ERROR)
		fprintf(stderr, "flom: %s\n", err->message);
	else if (err)
		fprintf(stderr, "flom: unexpected answer from the daemon: %s\n", err->message);
	else
		fprintf(stderr, "flom: unexpected answer from the daemon: wrong verb or step\n");
}

/* --tls-check-peer-id: the daemon's certificate must name the id it sent in
 * its first answer. Says so when it does not. */
static gboolean client_peer_id_ok(const client_conn *cc, const flom_config *cfg, const flom_msg *m)
{
	g_autofree char *cn = NULL;

	if (!cc->tls || !cfg->tls_check_peer_id)
		return TRUE;
	cn = tls_peer_cn(cc->tls);
	if (g_strcmp0(cn, m->peerid) == 0)
		return TRUE;
	fprintf(stderr, "flom: TLS peer id check failed: the daemon's certificate CN is '%s' but it "
		"sent the unique id '%s'\n", cn ? cn : "", m->peerid ? m->peerid : "");
	return FALSE;
}

/* The peer took our request and said nothing: no daemon worth waiting for. */
static lock_result client_no_answer(const client_conn *cc, const flom_config *cfg, int *status)
{
	g_autofree char *who = client_daemon_name(cfg, cc->fd);

	fprintf(stderr, "flom: no answer from the daemon at %s within %" G_GINT64_FORMAT " ms\n",
		who, client_answer_timeout(cfg));
	*status = FLOM_EXIT_GENERIC;
	return LOCK_FAILED;
}

/* When to stop waiting for the next answer: a daemon answers a request at
 * once (queued or granted), within the answer timeout whatever -o says;
 * once it did, -o bounds the wait in its queue. */
static gint64 client_next_deadline(const flom_config *cfg, const flom_msg *queued,
				   gint64 notice_at, gint64 deadline, gint64 answer_by)
{
	if (queued)
		return client_notice_deadline(cfg, queued, notice_at, deadline);
	return deadline < 0 ? answer_by : MIN(deadline, answer_by);
}

/* A grant: what it carries, checked (m is cleared). */
static lock_result client_granted(client_conn *cc, const flom_config *cfg, grant *g, flom_msg *m,
				  int *status)
{
	g->element = g_steal_pointer(&m->element);
	g->token = m->has_token ? m->token : 0;
	g->ext = m->ext;
	g->release_ms = m->has_release ? m->release_ms : 0;
	msg_clear(m);
	return client_check_element(cc, cfg, g, status);
}

/* The lock conversation: request, then answers until granted or refused.
 * -o N bounds the whole wait (the original restarted it on every answer).
 * Queued, it says once whom it waits for (client_notice). */
static lock_result client_lock(client_conn *cc, const flom_config *cfg, grant *g, int *status)
{
	gint64 deadline = cfg->resource_timeout > 0 ? client_now_ms() + cfg->resource_timeout : -1;
	gint64 notice_at = client_now_ms() + FLOM_WAIT_NOTICE_MS;
	g_auto(flom_msg) queued = { 0 };
	gint64 answer_by = client_now_ms() + client_answer_timeout(cfg);
	gboolean answered = FALSE;
	flom_msg m;

	if (client_send_lock(cc, cfg) < 0)
		return LOCK_RETRY;
	for (;;) {
		g_autoptr(GError) err = NULL;
		int r;

		msg_init(&m);
		r = client_recv(cc, &m, client_next_deadline(cfg, answered ? &queued : NULL,
							     notice_at, deadline, answer_by), &err);
		if (r == -2 && !answered && client_now_ms() >= answer_by)
			return client_no_answer(cc, cfg, status);
		if (r == -2 && answered && (deadline < 0 || client_now_ms() < deadline)) {
			client_notice(cfg, &queued);
			notice_at = -1;
			continue;
		}
		if (r == -2) {
			fprintf(stderr, "The lock was not obtained because timeout (%" G_GINT64_FORMAT
				" milliseconds) expired\n", cfg->resource_timeout);
			*status = FLOM_EXIT_BUSY;
			return LOCK_FAILED;
		}
		if (r == 0)
			return LOCK_RETRY; /* nothing was granted: safe to ask again */
		if (r < 0 || m.verb != MSG_VERB_LOCK || !m.has_answer ||
		    m.step != (answered ? MSG_STEP_LATER_ANSWER : MSG_STEP_ANSWER) ||
		    (!answered && !client_peer_id_ok(cc, cfg, &m))) {
			client_bad_answer(err);
			msg_clear(&m);
			*status = FLOM_EXIT_GENERIC;
			return LOCK_FAILED;
		}
		answered = TRUE;
		if (m.rc == FLOM_RC_OK)
			return client_granted(cc, cfg, g, &m, status);
		if (m.rc != FLOM_RC_ENQUEUED && m.rc != FLOM_RC_WAIT_RESOURCE) {
			int rc = (int)m.rc;

			msg_clear(&m);
			return client_refused(rc, cfg, status);
		}
		/* the answer that queued it: the holder the notice names */
		msg_clear(&queued);
		queued = m;
	}
}

/* Send the unlock and wait until the daemon closed: it has released then. */
static int client_unlock(client_conn *cc, const flom_config *cfg, gboolean rollback)
{
	gint64 deadline = client_now_ms() + FLOM_SHUTDOWN_DRAIN_MS;
	flom_msg m;
	int rc;

	msg_make_unlock(&m, cfg->resource_name, rollback);
	rc = client_send(cc, &m, NULL);
	msg_clear(&m);
	tls_close_notify(cc->tls);
	shutdown(cc->fd, SHUT_WR);
	for (;;) {
		g_autoptr(GError) err = NULL;
		int r;

		msg_init(&m);
		r = client_recv(cc, &m, deadline, &err);
		msg_clear(&m);
		if (r != 1)
			break;
	}
	return rc;
}

/* Connect and lock, retrying when a daemon closed before granting anything
 * (it was exiting, or stepping down). */
static int client_acquire(const flom_config *cfg, client_conn *cc, grant *g)
{
	for (int attempt = 0; attempt < FLOM_CLIENT_CONNECT_RETRIES; attempt++) {
		g_autoptr(GError) err = NULL;
		int status = FLOM_EXIT_GENERIC;

		if (client_open(cc, cfg, cfg->daemon_lifespan != 0, FALSE, &err) < 0) {
			fprintf(stderr, "flom: %s\n", err->message);
			return FLOM_EXIT_GENERIC;
		}
		switch (client_lock(cc, cfg, g, &status)) {
		case LOCK_GRANTED:
			return FLOM_EXIT_OK;
		case LOCK_FAILED:
			return status;
		case LOCK_RETRY:
			TRACE(TRACE_CLIENT, "daemon closed before granting: attempt %d", attempt + 1);
			/* a daemon this client starts next may be starting over a
			 * crashed one whose holders still stop (lock delay) */
			spawn_note_predecessor_died();
			client_disconnect(cc);
			client_pause_ms(10 << attempt);
			break;
		}
	}
	fprintf(stderr, "flom: the daemon closed the connection before granting the lock\n");
	return FLOM_EXIT_GENERIC;
}

/* The command runs: a daemon of ours shows its pid in the status. An
 * original one would close the connection on any message but the unlock,
 * so it is told nothing. */
static void client_tell_command(pid_t pid, gpointer data)
{
	const grant *g = data;
	flom_msg m;

	if (g->ext < MSG_EXT_LEVEL)
		return;
	msg_make_command(&m, pid);
	if (client_send(g->cc, &m, NULL) < 0)
		TRACE(TRACE_CLIENT, "cannot send the command pid: %s", g_strerror(errno));
	msg_clear(&m);
}

/* ------------------------------------------------------------ the daemon backend */

/* Our daemon told when it releases a silent holder: detect the loss sooner,
 * so that the command is stopped first (safety.h). Sets the grace period to
 * use when it must be shorter than the configured one. */
static void client_arm_detection(const flom_config *cfg, int fd, gint64 release_ms,
				 backend_grant *bg)
{
	safety_plan p;

	if (release_ms <= 0)
		return;
	safety_client_plan(release_ms, cfg->grace_period, cfg->tcp_keepalive_time,
			   cfg->tcp_keepalive_intvl, cfg->tcp_keepalive_probes, &p);
	TRACE(TRACE_CLIENT, "release deadline %" G_GINT64_FORMAT " ms: keepalive %d/%d, user timeout"
	      " %u ms, loss detected within %" G_GINT64_FORMAT " ms, grace %" G_GINT64_FORMAT " ms",
	      release_ms, p.idle_s, p.intvl_s, p.user_timeout_ms, p.detect_ms, p.grace_ms);
	/* The keepalive probes; the silence that ends the lock is flom's to
	 * judge (monitor_lock.silence_ms): no TCP_USER_TIMEOUT here, and so
	 * many probes that the kernel never aborts first. */
	if (net_tcp_keepalive(fd, p.idle_s, p.intvl_s, p.probes) < 0)
		fprintf(stderr, "flom: cannot set the lock connection's keepalive: %s\n",
			g_strerror(errno));
	bg->short_grace = p.grace_ms < cfg->grace_period;
	bg->grace_ms = p.grace_ms;
	bg->silence_ms = p.detect_ms;   /* when the kernel would have given up */
}

typedef struct daemon_lock {
	client_conn *cc;
	grant g;
} daemon_lock;

static int client_daemon_acquire(const flom_config *cfg, backend_grant *bg)
{
	daemon_lock *dl = g_new0(daemon_lock, 1);
	int status;

	dl->cc = g_new0(client_conn, 1);
	dl->cc->fd = -1;
	status = client_acquire(cfg, dl->cc, &dl->g);
	if (status != FLOM_EXIT_OK) {
		g_free(dl->g.element);
		client_conn_free(dl->cc);
		g_free(dl);
		return status;
	}
	dl->g.cc = dl->cc;
	*bg = (backend_grant){ g_steal_pointer(&dl->g.element), dl->g.token, dl->cc->fd, NULL, -1,
			       client_tell_command, &dl->g, dl, TRUE, FALSE, 0, 0 };
	client_arm_detection(cfg, dl->cc->fd, dl->g.release_ms, bg);
	return FLOM_EXIT_OK;
}

static int client_daemon_release(const flom_config *cfg, backend_grant *bg, gboolean rollback,
				 gboolean lost)
{
	daemon_lock *dl = bg->state;
	int rc = 0;

	if (!lost && client_unlock(dl->cc, cfg, rollback) < 0) {
		fprintf(stderr, "flom: cannot send the unlock: %s\n", g_strerror(errno));
		rc = -1;
	}
	client_conn_free(dl->cc);
	g_free(dl);
	return rc;
}

const backend_ops backend_daemon = { client_daemon_acquire, client_daemon_release };

int client_refusal_status(int rc, const flom_config *cfg)
{
	int status = FLOM_EXIT_GENERIC;

	client_refused(rc, cfg, &status);
	return status;
}

static const backend_ops *client_backend(const flom_config *cfg)
{
	if (!cfg->etcd_endpoints)
		return &backend_daemon;
#ifdef FLOM_WITH_ETCD
	return &backend_etcd;
#else
	fprintf(stderr, "flom: this flom was built without etcd support (configure --without-etcd)\n");
	return NULL;
#endif
}

int client_run(const flom_config *cfg)
{
	const backend_ops *be = client_backend(cfg);
	backend_grant g = { .loss_fd = -1, .notify_fd = -1 };
	gboolean lost = FALSE;
	int status;

	if (!be)
		return FLOM_EXIT_GENERIC;
	status = be->acquire(cfg, &g);
	if (status != FLOM_EXIT_OK)
		return status;
	if (cfg->verbose && g.element)
		printf("Locked element is '%s'\n", g.element);
	{
		monitor_lock lock = { .resource_name = cfg->resource_name, .element = g.element,
				      .token = g.token, .fd = g.loss_fd, .started = g.started,
				      .started_data = g.started_data,
				      .grace_ms = g.short_grace ? g.grace_ms : cfg->grace_period,
				      .loss_reason = g.loss_reason, .notify_fd = g.notify_fd,
				      .inherit_fd = g.inherit_loss_fd, .silence_ms = g.silence_ms };

		status = monitor_run(cfg, &lock, &lost);
	}
	if (be->release(cfg, &g, status != 0, lost) < 0 || lost)
		status = FLOM_EXIT_GENERIC;
	g_free(g.element);
	return status;
}
