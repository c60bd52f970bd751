/*
 * flom: --debug-feature=tls.server / tls.client, as the original's.
 *
 * The server listens on -a/-p and takes one connection; both sides do the
 * TLS handshake with their [TLS] files, then exchange their unique ids, each
 * followed by "</msg>": the client first, the server answers. With
 * --tls-check-peer-id=yes each side checks that the CN of the other's
 * certificate is the id it sent. Exit 0 when everything worked, 1 otherwise,
 * with a diagnosis on stderr: what this side presents and trusts, which step
 * failed, and the likely causes, most likely first.
 */
#include "debug_tls.h"
#include "flom.h"
#include "net.h"
#include "tls.h"
#include "trace.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DT_TRAILER "</msg>"

typedef struct dt_ctx {
	const flom_config *cfg;
	const char *name;      /* feature name, for messages */
	gboolean server;
	tls_ctx *tls_ctx;
	tls_conn *tls;
	int fd;
	gint64 deadline;       /* monotonic us: the whole exchange */
	char *peer;            /* address of the other side */
} dt_ctx;

int debug_tls_feature(const char *name)
{
	if (name && g_ascii_strcasecmp(name, "tls.server") == 0)
		return 1;
	if (name && g_ascii_strcasecmp(name, "tls.client") == 0)
		return 0;
	return -1;
}

static void dt_say_this_side(const dt_ctx *c)
{
	g_autofree char *own = c->tls_ctx ? tls_ctx_describe(c->tls_ctx) : NULL;

	if (own)
		fprintf(stderr, "flom: %s: this side: %s\n", c->name, own);
}

/* The handshake failed: say what each likely cause would look like. */
static void dt_diagnose_handshake(const dt_ctx *c, const GError *err)
{
	const char *other = c->server ? "client" : "server";

	fprintf(stderr, "flom: %s: TLS handshake with %s failed: %s\n", c->name, c->peer,
		err->message);
	dt_say_this_side(c);
	fprintf(stderr, "flom: %s: likely causes, most likely first:\n", c->name);
	fprintf(stderr, "flom:  1. different CAs: the %s's certificate must be signed by the CA in "
		"'%s', and ours by the CA file the %s uses\n", other, c->cfg->tls_ca_certificate,
		other);
	fprintf(stderr, "flom:  2. a private key that does not belong to its certificate on the %s "
		"(this side's pair was checked when it was loaded)\n", other);
	fprintf(stderr, "flom:  3. the %s does not use TLS (all three of --tls-certificate, "
		"--tls-private-key, --tls-ca-certificate are needed on both sides)\n", other);
	fprintf(stderr, "flom:  4. an expired or not yet valid certificate, or a clock that is wrong "
		"on one side ('openssl x509 -noout -dates -in FILE')\n");
}

static void dt_diagnose_peer_id(const dt_ctx *c, const char *cn, const char *id)
{
	fprintf(stderr, "flom: %s: peer id check failed: the %s's certificate CN is '%s' but it "
		"sent the unique id '%s'\n", c->name, c->server ? "client" : "server", cn, id);
	fprintf(stderr, "flom: %s: with --tls-check-peer-id=yes the CN of each certificate must be "
		"the output of 'flom --unique-id' on the host that uses it\n", c->name);
}

/* ---------------------------------------------------------------- steps */

static int dt_fail(const dt_ctx *c, const char *what, const GError *err)
{
	fprintf(stderr, "flom: %s: %s: %s\n", c->name, what, err ? err->message : g_strerror(errno));
	return -1;
}

static int dt_accept(dt_ctx *c)
{
	g_autoptr(GError) err = NULL;
	net_addr bound, peer = { .len = sizeof(peer.ss) };
	int lfd = net_tcp_listen(c->cfg->unicast_address, c->cfg->unicast_port, AF_UNSPEC,
				 c->cfg->network_interface_index, &bound, &err);
	g_autofree char *where = NULL;

	if (lfd < 0)
		return dt_fail(c, "cannot listen", err);
	where = net_addr_to_string(&bound);
	TRACE(TRACE_DEBUG_FEATURES, "%s: listening on %s", c->name, where);
	/* Like the original, the server waits for its client as long as it takes. */
	while (c->fd < 0) {
		if (net_wait_readable(lfd, -1) < 0)
			break;
		c->fd = accept4(lfd, (struct sockaddr *)&peer.ss, &peer.len,
				SOCK_NONBLOCK | SOCK_CLOEXEC);
	}
	close(lfd);
	if (c->fd < 0)
		return dt_fail(c, "accept", NULL);
	c->peer = net_addr_to_string(&peer);
	return 0;
}

static int dt_connect(dt_ctx *c)
{
	g_autoptr(GError) err = NULL;
	const flom_config *cfg = c->cfg;
	gint64 left_ms = (c->deadline - g_get_monotonic_time()) / 1000;

	c->fd = net_tcp_connect(cfg->unicast_address ? cfg->unicast_address : "localhost",
				cfg->unicast_port, cfg->network_interface_index, (int)MAX(left_ms, 1),
				&err);
	if (c->fd < 0)
		return dt_fail(c, "cannot connect", err);
	c->peer = g_strdup_printf("%s port %d", cfg->unicast_address ? cfg->unicast_address
				  : "localhost", cfg->unicast_port);
	return 0;
}

static int dt_handshake(dt_ctx *c)
{
	g_autoptr(GError) err = NULL;

	c->tls = tls_conn_new(c->tls_ctx, c->fd, &err);
	if (!c->tls)
		return dt_fail(c, "TLS", err);
	if (tls_handshake_wait(c->fd, c->tls, c->deadline, &err) < 0) {
		dt_diagnose_handshake(c, err);
		return -1;
	}
	TRACE(TRACE_DEBUG_FEATURES, "%s: TLS handshake with %s done", c->name, c->peer);
	return 0;
}

/* The other side's id: the bytes before "</msg>" (g_free), NULL on failure. */
static char *dt_receive_id(dt_ctx *c)
{
	g_autoptr(GError) err = NULL;
	char buf[FLOM_PEERID_MAX + sizeof(DT_TRAILER)];
	size_t len = 0;

	while (!g_strstr_len(buf, len, DT_TRAILER)) {
		gssize n;

		if (len == sizeof(buf)) {
			fprintf(stderr, "flom: %s: no '%s' within %zu bytes\n", c->name, DT_TRAILER, len);
			return NULL;
		}
		n = tls_io_read_wait(c->fd, c->tls, buf + len, sizeof(buf) - len, c->deadline, &err);
		if (n <= 0) {
			fprintf(stderr, "flom: %s: no unique id from the %s: %s\n", c->name,
				c->server ? "client" : "server", n == 0 ? "it closed the connection "
				"(it may have refused our certificate or our id)" : err->message);
			return NULL;
		}
		len += (size_t)n;
	}
	printf("Arrived message is '%.*s'\n", (int)len, buf);
	fflush(stdout);
	return g_strndup(buf, (gsize)(g_strstr_len(buf, len, DT_TRAILER) - buf));
}

static int dt_send_id(dt_ctx *c)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = g_strconcat(c->cfg->unique_id, DT_TRAILER, NULL);

	if (tls_io_write_all(c->fd, c->tls, text, strlen(text), c->deadline, &err) < 0)
		return dt_fail(c, "cannot send the unique id", err);
	printf("Sent message is '%s'\n", text);
	fflush(stdout);
	return 0;
}

static int dt_check_peer(dt_ctx *c, const char *id)
{
	g_autofree char *cn = tls_peer_cn(c->tls);

	TRACE(TRACE_DEBUG_FEATURES, "%s: peer certificate CN '%s', peer id '%s'", c->name,
	      cn ? cn : "", id);
	if (!c->cfg->tls_check_peer_id || g_strcmp0(cn, id) == 0)
		return 0;
	dt_diagnose_peer_id(c, cn ? cn : "", id);
	return -1;
}

/* The exchange after the handshake: the client speaks first. */
static int dt_exchange(dt_ctx *c)
{
	g_autofree char *id = NULL;

	if (!c->server && dt_send_id(c) < 0)
		return -1;
	id = dt_receive_id(c);
	if (!id || dt_check_peer(c, id) < 0)
		return -1;
	if (c->server && dt_send_id(c) < 0)
		return -1;
	tls_close_notify(c->tls);
	return 0;
}

static int dt_start(dt_ctx *c)
{
	g_autoptr(GError) err = NULL;
	const flom_config *cfg = c->cfg;

	if (!config_tls_enabled(cfg)) {
		fprintf(stderr, "flom: %s needs --tls-certificate, --tls-private-key and "
			"--tls-ca-certificate (or the [TLS] keys)\n", c->name);
		return -1;
	}
	c->tls_ctx = tls_ctx_new(cfg->tls_certificate, cfg->tls_private_key,
				 cfg->tls_ca_certificate, c->server, &err);
	if (!c->tls_ctx)
		return dt_fail(c, "cannot use the TLS files", err);
	if (c->server && dt_accept(c) < 0)
		return -1;
	/* From the connection on, everything is bounded (a silent peer). */
	c->deadline = g_get_monotonic_time() + cfg->request_timeout * 1000;
	if (!c->server && dt_connect(c) < 0)
		return -1;
	return 0;
}

int debug_tls_run(const flom_config *cfg, gboolean server)
{
	dt_ctx c = { .cfg = cfg, .server = server, .fd = -1,
		     .name = server ? "tls.server" : "tls.client" };
	int rc = FLOM_EXIT_DEBUG_FAILED;

	if (dt_start(&c) == 0 && dt_handshake(&c) == 0 && dt_exchange(&c) == 0)
		rc = FLOM_EXIT_OK;
	tls_conn_free(c.tls);
	tls_ctx_free(c.tls_ctx);
	if (c.fd >= 0)
		close(c.fd);
	g_free(c.peer);
	TRACE(TRACE_DEBUG_FEATURES, "%s: exit status %d", c.name, rc);
	return rc;
}
