/*
 * flom: constants shared by every module.
 *
 * Exit statuses and wire return codes are fixed by compatibility with FLoM
 * 1.7.2; every size, count and buffer bound of the program is named here and
 * nowhere else.
 */
#ifndef FLOM_H
#define FLOM_H

#include <glib.h>

/* ---- exit statuses of the flom command (compatible with the original) ---- */
enum {
	FLOM_EXIT_OK = 0,
	FLOM_EXIT_DEBUG_FAILED = 1,   /* debug feature failed or unknown */
	FLOM_EXIT_CANT_WAIT = 96,     /* resource missing, -e no and -o 0 */
	FLOM_EXIT_CANT_EXECUTE = 97,  /* no command, or it cannot be executed */
	FLOM_EXIT_BUSY = 98,          /* -o 0 on a busy resource, or -o N expired */
	FLOM_EXIT_GENERIC = 99,       /* configuration, connection, protocol */
};

/* ---- return codes carried by <answer rc="..."/> ---- */
enum {
	FLOM_RC_OK = 0,
	FLOM_RC_ENQUEUED = 1,
	FLOM_RC_WAIT_RESOURCE = 2,    /* parked in the incubator (create=0) */
	FLOM_RC_BUSY = 4,
	FLOM_RC_CANT_WAIT = 5,
	FLOM_RC_IMPOSSIBLE = 6,
	FLOM_RC_INVALID_NAME = -14,
	/* Ours: the daemon is quiescing and accepts no new lock request. An
	 * original client treats any unknown rc as a failure (exit 99). */
	FLOM_RC_SHUTTING_DOWN = -27,
	/* Ours: a value on the wire is out of range (mode, quantity...). */
	FLOM_RC_INVALID_REQUEST = -11,
	/* Ours: a management request from a peer that may not manage. */
	FLOM_RC_REFUSED = -23,
	/* A plain client on a daemon that speaks TLS (the original's
	 * NO_TLS_CONNECTION): the only plain bytes such a daemon sends. */
	FLOM_RC_NO_TLS = -24,
	/* Ours (the original's CONTAINER_FULL): the daemon holds as many
	 * resources as it may; an original client exits 99 on it. */
	FLOM_RC_TOO_MANY = -12,
};

/* ---- lock modes: VMS DLM, wire values of the original ---- */
typedef enum {
	FLOM_LOCK_MODE_NL = 0,
	FLOM_LOCK_MODE_CR = 1,
	FLOM_LOCK_MODE_CW = 2,
	FLOM_LOCK_MODE_PR = 3,
	FLOM_LOCK_MODE_PW = 4,
	FLOM_LOCK_MODE_EX = 5,
	FLOM_LOCK_MODE_N
} flom_lock_mode;

/* ---- defaults (built-in configuration) ---- */
#define FLOM_DEFAULT_RESOURCE_NAME   "_RESOURCE"
#define FLOM_DEFAULT_TIMEOUT_MS      (-1)
#define FLOM_DEFAULT_QUANTITY        1
#define FLOM_DEFAULT_LIFESPAN_MS     5000
#define FLOM_DEFAULT_PORT            28015
#define FLOM_DEFAULT_DISCOVERY_ATTEMPTS 2
#define FLOM_DEFAULT_DISCOVERY_TIMEOUT_MS 500
#define FLOM_DEFAULT_DISCOVERY_TTL   1
#define FLOM_DEFAULT_KEEPALIVE_TIME  60
#define FLOM_DEFAULT_KEEPALIVE_INTVL 10
#define FLOM_DEFAULT_KEEPALIVE_PROBES 6
#define FLOM_DEFAULT_MAX_CONNECTIONS 16384
#define FLOM_GRACE_PERIOD_DEFAULT 5000 /* ms from SIGTERM to SIGKILL of a command */
#define FLOM_GRACE_PERIOD_MAX   3600000 /* an hour */
#define FLOM_DEFAULT_REQUEST_TIMEOUT_MS 5000 /* a connection's first request, TLS handshake */
#define FLOM_ANSWER_TIMEOUT_DEFAULT 10000 /* ms a daemon has to accept and answer (client) */
#define FLOM_ETCD_DEFAULT_PREFIX     "/flom/"
#define FLOM_ETCD_DEFAULT_LEASE_TTL  10    /* seconds */
/* Greedy peers: one address holds at most this many TCP connections (well
 * below MaxConnections: one host cannot lock everyone out); a request's -i
 * is cut to this. */
#define FLOM_DEFAULT_MAX_PEER_CONNECTIONS 512
#define FLOM_DEFAULT_MAX_RESOURCE_IDLE_MS 3600000

/* ---- bounds: every size and count the program keeps ---- */
#define FLOM_MSG_MAX            4096   /* one framed message on a stream */
#define FLOM_DATAGRAM_MAX       1024   /* one discovery datagram */
#define FLOM_CONN_OUTBUF_MAX    16384  /* queued answers to one connection */
#define FLOM_RESOURCE_NAME_MAX  1024   /* raw resource name bytes */
#define FLOM_PEERID_MAX         128    /* unique id of a peer */
#define FLOM_ELEMENT_MAX        1024   /* set element, sequence or timestamp */
#define FLOM_SET_ELEMENTS_MAX   1024   /* elements of one set resource */
#define FLOM_CONFIG_KEY_MAX     64 /* longer unknown keys get no "did you mean" */
#define FLOM_DURATION_MAX_MS   G_GINT64_CONSTANT(1000000000000000) /* "1.5s" parsing: ~31,000 years */
#define FLOM_NUMERIC_MAX        G_MAXINT32 /* capacity of name[N] resources */
#define FLOM_WAITERS_MAX        65536  /* waiters queued on one resource */
#define FLOM_RESOURCES_MAX      100000 /* resources alive in one daemon */
#define FLOM_INCUBATOR_MAX      65536  /* connections parked for missing resources */
#define FLOM_LISTEN_BACKLOG     1024
#define FLOM_MULTICAST_SOCKETS_MAX 64  /* interfaces joined by one daemon */
#define FLOM_RESOLVE_RESULTS_MAX 32    /* getaddrinfo results kept */
#define FLOM_RESOURCE_IDLE_MIN_MS 2000 /* a released resource lives at least this (FLoM 1.7.2: 2 s) */
#define FLOM_CLIENT_CONNECT_RETRIES 5  /* connection closed before any answer */
#define FLOM_START_LOCK_TIMEOUT_MS 10000 /* waiting for another starter */
#define FLOM_START_LOCK_PAUSE_MAX_MS 50  /* longest pause between two tries */
#define FLOM_READY_LINE_MAX     512    /* a new daemon's report to its starter */
#define FLOM_SHUTDOWN_DRAIN_MS  2000   /* client reading EOF after unlock */
#define FLOM_SETTLE_TIMEOUTS    2      /* dynamic daemon that heard a rival: settle this many -I */
#define FLOM_SETTLE_QUIET_TIMEOUTS 1   /* ... that heard none: this many (its starter's last query runs meanwhile) */
#define FLOM_SETTLE_ANNOUNCE_MS 10     /* settling: first repeat of the announcement, doubling up to -I */
#define FLOM_ELECTION_PROBE_TIMEOUT_MS 1000 /* asking a rival over TCP who it is */
#define FLOM_ELECTION_PROBES_PER_S 2   /* rivals asked at most this often (one at a time) */
#define FLOM_ELECTION_PROBES_BURST 2
#define FLOM_ELECTION_ANSWERS_PER_S 20 /* announcements answered on the group at most this often */
#define FLOM_ELECTION_ANSWERS_BURST 5
#define FLOM_ELECTION_CLOCK_SKEW_MS 600000 /* a rival started this far in our future is implausible */
#define FLOM_HIER_DEPTH_MAX     32     /* components of a hierarchical name */
#define FLOM_TRIM_CONNS_MIN     1024   /* a peak of connections worth giving memory back after */
/* Linux refuses larger values for TCP_KEEPIDLE/TCP_KEEPINTVL and TCP_KEEPCNT
 * (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT): the configuration
 * rejects them rather than let the daemon's setsockopt() fail later. */
#define FLOM_KEEPALIVE_SECONDS_MAX 32767
#define FLOM_KEEPALIVE_PROBES_MAX 127
#define FLOM_MULTICAST_TTL_MAX  255    /* hop limit of a multicast datagram */
/* Daemon/MaxConnections cannot usefully exceed the kernel's default per
 * process descriptor ceiling (fs.nr_open). */
#define FLOM_MAX_CONNECTIONS_LIMIT 1048576
#define FLOM_UNIQUE_ID_LEN      32     /* hex digits of a host's unique id */
#define FLOM_ACCEPT_BATCH       64     /* connections accepted in one loop pass */
#define FLOM_DAEMON_FDS_RESERVED 16    /* daemon's own descriptors besides connections */
#define FLOM_QUIESCE_CHECK_MS   100    /* quiescing or exiting daemon: look again this often */
#define FLOM_LOOP_WAIT_MAX_MS   60000  /* longest single wait of the daemon's loop */

/* ---- bounds of the message decoder ---- */
#define MSG_ATTRS_MAX   16     /* attributes one element may carry */
#define MSG_ADDRESS_MAX 1024   /* decoded <network address=""> (a host name or an address) */
#define MSG_ENTITY_MAX  10     /* entity body between '&' and ';' ("#x0010FFFF") */
#define MSG_NUMBER_MAX  24     /* digits of an integer attribute (leading zeros included) */
#define MSG_SNIPPET_MAX 32     /* characters of untrusted input quoted in an error */
#define FLOM_USER_MAX           64     /* login name a client claims */
#define FLOM_HOST_MAX           255    /* host name a client claims */
#define FLOM_ORIGINAL_DAEMON_MSG_MAX 512 /* the original daemon drops longer messages */
#define FLOM_COUNTERS_KEPT_MAX  4096   /* counters of resources no longer alive */
#define FLOM_STATUS_BYTES_MAX   (4 * 1024 * 1024) /* one status answer (it stops past this) */
#define FLOM_WAIT_NOTICE_MS     1000   /* a waiting client says so after this */
#define FLOM_STATUS_TIMEOUT_MS  10000  /* flom --status waits this long for the answer */

/* ---- who asks for a lock (status shows it) ---- */
typedef struct flom_client_info {
	gint64 pid;           /* the flom client's process; 0 unknown */
	gint64 command_pid;   /* the command it runs; 0 until known */
	gint64 uid;           /* -1 unknown */
	char *user;           /* login name, or NULL */
	char *host;           /* host name, or NULL */
} flom_client_info;

#define FLOM_CLIENT_INFO_INIT { 0, 0, -1, NULL, NULL }

static inline void flom_client_info_copy(flom_client_info *dst, const flom_client_info *src)
{
	*dst = *src;
	dst->user = g_strdup(src->user);
	dst->host = g_strdup(src->host);
}

static inline void flom_client_info_clear(flom_client_info *c)
{
	g_free(c->user);
	g_free(c->host);
	*c = (flom_client_info)FLOM_CLIENT_INFO_INIT;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(flom_client_info, flom_client_info_clear)
#define FLOM_KILL_WAIT_MS       2000   /* after SIGKILL: the process group is gone */
/* A holder's command is gone this long before its daemon may grant the lock
 * to another (1 s promised, 2 s for latency, timers and a loaded host);
 * see safety.h. Also the margin of the lock delay after a crash. */
#define FLOM_HOLDER_MARGIN_MS   3000
#define FLOM_DETECT_MIN_MS      2000   /* shortest keepalive detection (1 s + 1 s) */
#define FLOM_STOP_POLL_MS       10     /* checking whether a stopped group is gone */
#define FLOM_SILENCE_CHECK_MS   200    /* how often a holder checks it still hears its daemon */

/* etcd backend */
#define FLOM_ETCD_ENDPOINTS_MAX 16     /* URLs in --etcd */
#define FLOM_ETCD_URL_MAX       512    /* one endpoint URL */
#define FLOM_ETCD_PREFIX_MAX    256    /* [Etcd] Prefix */
#define FLOM_ETCD_REPLY_MAX     (16 * 1024 * 1024) /* one gateway reply */
#define FLOM_ETCD_REQUEST_TIMEOUT_MS 2000 /* one request to one member */
#define FLOM_ETCD_CONNECT_TIMEOUT_MS 1000 /* connecting to one member */
#define FLOM_ETCD_WATCH_POLL_MS 1000   /* longest sleep of a watch wait */
#define FLOM_ETCD_LEASE_TTL_MIN 2      /* seconds: etcd raises shorter TTLs */
#define FLOM_ETCD_LEASE_TTL_MAX 3600
#define FLOM_ETCD_LEASE_MARGIN_MS 1000 /* the command is dead this long before the lease can expire */
#define FLOM_ETCD_KEEPALIVE_RETRY_MS 200 /* after a failed keepalive */
#define FLOM_ETCD_CLAIM_ATTEMPTS 64    /* set element / sequence value races */
#define FLOM_ETCD_STATUS_KEYS_MAX 20000 /* keys flom --status --etcd reads */

/* ---- trace modules (FLOM_TRACE_MASK bits) ---- */
enum {
	TRACE_MAIN      = 0x00000001,
	TRACE_CONFIG    = 0x00000002,
	TRACE_MONITOR   = 0x00000004,
	TRACE_CLIENT    = 0x00000008,
	TRACE_DAEMON    = 0x00000010,
	TRACE_CONN      = 0x00000020,
	TRACE_MSG       = 0x00000080,
	TRACE_LOCKTABLE = 0x00000100,
	TRACE_DEBUG_FEATURES = 0x00010000, /* the seeds' value, not 0x100000 */
	TRACE_MNGMNT    = 0x00040000,
	TRACE_TLS       = 0x00200000,
	TRACE_NET       = 0x00400000,
};

#endif /* FLOM_H */
