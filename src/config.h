/*
 * flom: the effective configuration.
 *
 * Layers, each overriding the previous key by key: built-in defaults <
 * SYSCONFDIR/flom.conf < ~/.flom < -c FILE < command line. One table of keys
 * (config.c) drives the key file reader, the command line and the -V dump.
 */
#ifndef FLOM_CONFIG_H
#define FLOM_CONFIG_H

#include <stdio.h>
#include <glib.h>
#include "flom.h"

typedef enum {
	FLOM_ON_LOCK_LOST_TERMINATE = 0, /* SIGTERM the command's process group */
	FLOM_ON_LOCK_LOST_WARN = 1,      /* only print the notice */
} flom_on_lock_lost;

typedef struct flom_config {
	/* [Trace] */
	char *daemon_trace_file;
	char *command_trace_file;
	gboolean append_trace_file;
	gboolean verbose;
	/* [Resource] */
	char *resource_name;          /* never NULL: "_RESOURCE" by default */
	gint64 resource_timeout;      /* ms; <0 forever, 0 try once */
	gint64 resource_quantity;
	flom_lock_mode lock_mode;
	gboolean resource_create;
	gint64 resource_idle_lifespan; /* ms */
	/* [Daemon] */
	char *socket_name;            /* NULL until config_check() fills the default */
	gint64 daemon_lifespan;       /* ms; >0 idle exit, 0 never start, <0 forever */
	char *unicast_address;
	int unicast_port;
	char *multicast_address;
	int multicast_port;
	char *mount_point_vfs;
	gboolean allow_remote_management; /* Daemon/AllowRemoteManagement */
	int max_connections;              /* Daemon/MaxConnections */
	gint64 request_timeout;           /* Daemon/RequestTimeout, ms: also the TLS handshake bound */
	int max_peer_connections;         /* Daemon/MaxPeerConnections (TCP, per address) */
	gint64 max_resource_idle;         /* Daemon/MaxResourceIdle, ms: cap of -i */
	int max_resources;                /* Daemon/MaxResources */
	/* [Monitor] */
	guint32 ignored_signals;      /* bit n set = signal n (1..31) ignored */
	flom_on_lock_lost on_lock_lost; /* Monitor/OnLockLost */
	gint64 grace_period;          /* ms from SIGTERM to SIGKILL of the command */
	/* [Network] */
	char *network_interface;
	int discovery_attempts;       /* <0: for ever (debug features) */
	gint64 discovery_timeout;     /* ms per attempt */
	int discovery_ttl;
	int tcp_keepalive_time;
	int tcp_keepalive_intvl;
	int tcp_keepalive_probes;
	gint64 answer_timeout;        /* Network/AnswerTimeout, ms: connect, first answer, -x/-X */
	/* [TLS]: on for this side when the three files are set */
	char *tls_certificate;
	char *tls_private_key;
	char *tls_ca_certificate;
	gboolean tls_check_peer_id;
	char *tls_allowed_manager_ids;    /* TLS/TlsAllowedManagerIds: "id;id" */
	/* [Etcd]: with endpoints, locks live in an etcd cluster (no daemon) */
	char *etcd_endpoints;         /* comma-separated URLs, or NULL */
	char *etcd_prefix;            /* NULL: FLOM_ETCD_DEFAULT_PREFIX */
	gint64 etcd_lease_ttl;        /* seconds */
	char *etcd_ca_certificate;
	char *etcd_certificate;
	char *etcd_private_key;

	/* command line only */
	char **command;               /* NULL-terminated argv of the command, or NULL */
	gboolean show_version;
	gboolean signal_list;
	gboolean print_unique_id;
	gboolean quiesce_exit;        /* -x */
	gboolean immediate_exit;      /* -X */
	gboolean foreground;          /* --foreground: run a daemon, do not fork */
	int status;                   /* --status[=json]: a status_format (status.h) */
	char *debug_feature;

	/* derived by config_check() */
	char *unique_id;              /* this host's id, 32 lower-case hex digits */
	unsigned network_interface_index; /* if_nametoindex(-n), 0 if none */
} flom_config;

/* Built-in defaults. */
void config_init(flom_config *cfg);
void config_clear(flom_config *cfg);

/*
 * Parse argv (the command follows "--"), load the configuration files and
 * apply the command line over them. On error: message in err (one line,
 * naming the option, or the file and key), caller exits 99. With -v,
 * --signal-list or --unique-id the files are not read, so these work even
 * when a file is broken.
 */
int config_load(flom_config *cfg, int argc, char **argv, GError **err);

/* Load one key file over cfg (used by config_load and the unit tests). */
int config_load_file(flom_config *cfg, const char *path, GError **err);

/* Consistency checks and derived values (default socket path, unique id...). */
int config_check(flom_config *cfg, GError **err);

/* The -V dump: "[Group]/Key=value" lines in the original's order. */
void config_dump(const flom_config *cfg, FILE *out);

/* --signal-list table. */
void config_print_signal_list(FILE *out);
/* Version block of -v. */
void config_print_version(FILE *out);

/* Parsers shared by the command line and the key files. */
int config_parse_bool(const char *s, gboolean *out);
int config_parse_lock_mode(const char *s, flom_lock_mode *out);
const char *config_lock_mode_name(flom_lock_mode mode);
int config_parse_signal(const char *s); /* 1..31, or -1 */

/* This host's stable id: /etc/machine-id, else /var/lib/dbus/machine-id,
 * else a random id generated once and kept in $HOME/.flom-machine-id. */
char *config_unique_id(void);
/* The same search over CANDIDATES (NULL-terminated) then KEEP, which is
 * created when no file holds an id (the unit tests use it). NULL only when
 * KEEP is NULL and no candidate holds an id. */
char *config_unique_id_search(const char *const *candidates, const char *keep);

/* Whether this side speaks TLS: the three files are configured. */
gboolean config_tls_enabled(const flom_config *cfg);

/* This user's name from the password database (looked up once), or NULL. */
const char *config_user_name(void);

/* Default UNIX socket for this user. */
char *config_default_socket_name(void);

#endif
