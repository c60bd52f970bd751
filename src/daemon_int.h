/*
 * flom: what the files of the daemon share (daemon.c: requests, listeners,
 * election glue, idle exit, the loop; daemon_conn.c: connections). Not an
 * interface for any other module: they include daemon.h.
 */
#ifndef FLOM_DAEMON_INT_H
#define FLOM_DAEMON_INT_H

#include <sys/types.h>
#include <glib.h>

#include "config.h"
#include "discovery.h"
#include "election.h"
#include "holdback.h"
#include "locktable.h"
#include "loop.h"
#include "msg.h"
#include "net.h"
#include "tls.h"

typedef enum {
	CONN_NEW,       /* nothing received yet */
	CONN_LOCKING,   /* request known to the lock table (held, queued, parked) */
	CONN_UNLOCKED,  /* unlock received: waiting for the client to close */
	CONN_FINISHED,  /* final refusal sent: waiting for the client to close */
	CONN_MANAGER,   /* accepted management request: closed when acted */
} conn_state;

struct daemon_state;

typedef struct conn {
	struct daemon_state *d;
	guint64 id;
	int fd;
	loop_watch *watch;
	gboolean closed;       /* conn_close()d: freed by the loop after the pass */
	conn_state state;
	gboolean is_unix;
	uid_t uid;             /* peer uid (UNIX sockets) */
	pid_t pid;             /* peer pid (UNIX sockets) */
	net_addr peer;
	char *peer_str;
	char *resource;        /* the name it asked for */
	int answers_sent;      /* first answer is step 16, the later ones 24 */
	tls_conn *tls;         /* the TLS session, when the daemon has TLS */
	gboolean handshaking;  /* TLS handshake not finished yet */
	short want;            /* poll event the TLS session waits for */
	gint64 deadline;       /* monotonic us: closed then (conn_arm_deadline); 0 none */
	GList *deadline_link;  /* in d->deadlines while armed */
	char *peer_ip;         /* TCP: the address counted against MaxPeerConnections */
	char *partial;         /* bytes of an incomplete message, or NULL */
	size_t partial_len;
	size_t unread;         /* bytes read with MSG_PEEK, still in the socket */
	GString *out;          /* answers the socket did not take yet, or NULL */
	gboolean closing;      /* close once out is flushed */
} conn;

typedef struct daemon_state {
	const flom_config *cfg;
	int listen_fd;
	char *socket_path;        /* UNIX mode: file to remove at exit */
	char *lock_path;
	char *serving_path;       /* TCP and dynamic mode: our file while we serve */
	discovery_responder *disc;
	tls_ctx *tls;             /* credentials when TLS is on, else NULL */
	lt_table *lt;
	GArray *events;
	loop *loop;
	loop_watch *listen_watch;
	loop_timer *wakeup;       /* the next deadline of the daemon's own */
	GHashTable *conns;        /* id -> conn, open ones only */
	guint64 next_id;
	gint64 idle_since;        /* monotonic us; 0 while busy */
	gboolean quiescing;
	gboolean idle_exit;       /* idle: listener closed, exit when the last client goes */
	election *election;       /* dynamic mode (multicast only), else NULL */
	gboolean stop;
	guint64 dropped;          /* malformed messages and refused connections */
	gboolean sending;         /* inside daemon_send_events() */
	gint64 user_timeout_ms;   /* TCP_USER_TIMEOUT of client connections */
	gint64 release_ms;        /* told to our clients in a grant (safety.h) */
	holdback *hb;             /* lock delay after a crashed predecessor */
	guint max_conns;          /* MaxConnections, within the descriptor limit */
	int spare_fd;             /* given up to accept and close when out of fds */
	char scratch[FLOM_MSG_MAX]; /* one read at a time: idle connections own no buffer */
	GString *encoded;
	GHashTable *peer_conns;   /* TCP peer address -> its connections (GUINT) */
	GQueue deadlines;         /* conn* with a deadline, earliest first */
	guint conns_peak;         /* most connections since the last trim */
	gboolean trimming;        /* a flood is going: trim at each quarter */
	guint64 passes;           /* loop passes so far */
	guint64 listen_pass;      /* the last pass the listener was ready in */
} daemon_state;

/* ---- daemon_conn.c: connections ---- */

/* Accept at most max of the connections waiting on the listener (until
 * none is left) and read what they sent. */
void daemon_accept(daemon_state *d, int max);
/* The listener's callback: one connection, or a batch while they queue. */
void daemon_on_listener(int fd, short revents, gpointer data);
/* Queue m for c and send what the socket takes; a peer that does not read
 * loses its connection. */
void conn_send(daemon_state *d, conn *c, const flom_msg *m);
/* The same for bytes already encoded, keeping at most cap of them queued. */
void conn_send_bytes(daemon_state *d, conn *c, const GString *e, gsize cap);
/* Answer c's request with a refusal rc (step 16). */
void conn_refuse(daemon_state *d, conn *c, int rc);
/* Close c: its lock or place in a queue is released (rolled back), the
 * grants that makes are sent; c itself is freed after the loop pass. */
void conn_close(daemon_state *d, conn *c);
/* Release what c holds or waits for. */
void daemon_release(daemon_state *d, conn *c, gboolean rollback);
/* Send the answers the lock table queued in d->events (re-entrant). */
void daemon_send_events(daemon_state *d);

/* Close c for what it sent (or did not send): counted, logged, traced. */
void conn_drop(daemon_state *d, conn *c, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Read what c sent and dispatch its complete messages. */
void conn_read(daemon_state *d, conn *c);
/* The poll events c waits for now. */
void conn_watch_output(daemon_state *d, conn *c);

/* ---- daemon_bounds.c: greedy peers ---- */

/* A connection that is no holder, waiter or accepted manager must finish its
 * part (a complete request, or closing after its answer) within
 * RequestTimeout; called on accept and after each request. */
void conn_arm_deadline(daemon_state *d, conn *c);
/* Close the connections past their deadline; the next deadline, or
 * G_MAXINT64. */
gint64 daemon_expire_conns(daemon_state *d, gint64 now_mono);
/* Whether one more TCP connection from c's address fits MaxPeerConnections
 * (counted when it does). */
gboolean daemon_peer_admit(daemon_state *d, conn *c);
/* c is closing: out of the deadlines and its address's count. */
void conn_bounds_forget(daemon_state *d, conn *c);
/* Once a flood of connections is over, free memory goes back to the system. */
void daemon_trim_memory(daemon_state *d);
void daemon_bounds_init(daemon_state *d);
void daemon_bounds_cleanup(daemon_state *d);

/* ---- daemon_tls.c: the daemon's side of TLS ---- */

/* Start the session of a new connection; its handshake then proceeds in the
 * loop (daemon_tls_handshake), bounded by the connection's deadline. */
void daemon_tls_start(daemon_state *d, conn *c);
void daemon_tls_handshake(daemon_state *d, conn *c);
/* A plain daemon: c's first bytes are a TLS record (dropped: TRUE). */
gboolean daemon_tls_hello_on_plain(daemon_state *d, conn *c, const char *buf, size_t len);
/* --tls-check-peer-id: c's certificate names the id it sent (else logged). */
gboolean daemon_tls_peer_id_ok(daemon_state *d, conn *c, const char *peerid);
/* c's certificate CN is this daemon's id or one of TlsAllowedManagerIds. */
gboolean daemon_tls_may_manage(const daemon_state *d, const conn *c);

/* ---- daemon.c ---- */

/* One complete message from c. Anything unexpected costs only c. */
void daemon_dispatch(daemon_state *d, conn *c, const char *buf, size_t len);

#endif
