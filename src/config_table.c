/*
 * flom: the table of settings and the built-in defaults.
 *
 * One table (config_keys) names every setting once: its key file group and
 * key, its type and field, its command line option and help. The key file
 * reader (config_file.c), the GOptionContext entries (config_cli.c), the copy
 * of command line values over the files and the -V dump (config.c) all walk
 * that table, so a setting cannot exist in one place and be forgotten in
 * another.
 */
#include "config.h"
#include "config_private.h"

#include <stddef.h>
#include <string.h>

#define OFF(field) offsetof(flom_config, field)
#define ANY_INT G_MININT, G_MAXINT

/*
 * The first 29 keys are in the order of the original's -V dump; our own keys
 * follow them so the original's lines stay a byte-identical prefix.
 */
const config_key config_keys[] = {
	{ "Trace", "DaemonTraceFile", KT_PATH, OFF(daemon_trace_file), "daemon-trace-file", 't', 0, 0, 0,
	  NULL, "FILE", "Trace file of a daemon started by this command" },
	{ "Trace", "CommandTraceFile", KT_PATH, OFF(command_trace_file), "command-trace-file", 'T', 0, 0, 0,
	  NULL, "FILE", "Trace file of this command (default stderr)" },
	{ "Trace", "AppendTraceFile", KT_BOOL, OFF(append_trace_file), "append-trace-file", 0, 0, 0, 0,
	  NULL, "yes|no", "Append to trace files instead of truncating them" },
	{ "Trace", "Verbose", KT_BOOL, OFF(verbose), "verbose", 'V', KF_CLI_FLAG, 0, 0,
	  NULL, NULL, "Print the configuration and what happens on stdout" },
	{ "Resource", "Name", KT_RESOURCE, OFF(resource_name), "resource-name", 'r', 0, 0, 0,
	  NULL, "NAME", "Resource to lock (default _RESOURCE)" },
	{ "Resource", "Timeout", KT_INT64, OFF(resource_timeout), "resource-timeout", 'o', 0, ANY_INT,
	  "resource timeout", "MS", "Wait at most MS milliseconds (or 1.5s, 2m...) for the lock; 0: do not wait; <0: wait forever" },
	{ "Resource", "Quantity", KT_INT64, OFF(resource_quantity), "resource-quantity", 'q', 0, 1, FLOM_NUMERIC_MAX,
	  "resource quantity", "N", "Units of a numeric resource to lock" },
	{ "Resource", "LockMode", KT_LOCK_MODE, OFF(lock_mode), "lock-mode", 'l', 0, 0, 0,
	  NULL, "MODE", "Lock mode: NL, CR, CW, PR, PW or EX (default EX)" },
	{ "Resource", "Create", KT_BOOL, OFF(resource_create), "resource-create", 'e', 0, 0, 0,
	  NULL, "yes|no", "Create the resource when it does not exist (default yes)" },
	{ "Resource", "IdleLifespan", KT_INT64, OFF(resource_idle_lifespan), "resource-idle-lifespan", 'i', 0,
	  0, G_MAXINT, "resource idle lifespan", "MS", "Keep a resource this command creates for MS milliseconds after its last use" },
	{ "Daemon", "SocketName", KT_SOCKET, OFF(socket_name), "socket-name", 's', 0, 0, 0,
	  NULL, "PATH", "UNIX socket of the daemon (default /tmp/flom-LOGIN)" },
	{ "Daemon", "Lifespan", KT_INT64, OFF(daemon_lifespan), "daemon-lifespan", 'd', 0, ANY_INT,
	  "daemon lifespan", "MS", "Daemon idle lifespan; 0: never start a daemon; <0: it never exits" },
	{ "Daemon", "UnicastAddress", KT_STRING, OFF(unicast_address), "unicast-address", 'a', 0, 0, 0,
	  NULL, "HOST", "Reach the daemon over TCP at HOST" },
	{ "Daemon", "UnicastPort", KT_INT, OFF(unicast_port), "unicast-port", 'p', 0, 1, 65535,
	  "unicast port", "PORT", "TCP port of the daemon (default 28015)" },
	{ "Daemon", "MulticastAddress", KT_STRING, OFF(multicast_address), "multicast-address", 'A', 0, 0, 0,
	  NULL, "GROUP", "Find the daemon with UDP multicast discovery on GROUP" },
	{ "Daemon", "MulticastPort", KT_INT, OFF(multicast_port), "multicast-port", 'P', 0, 1, 65535,
	  "multicast port", "PORT", "UDP port of multicast discovery (default 28015)" },
	{ "Daemon", "MountPointVFS", KT_DIR, OFF(mount_point_vfs), "mount-point-vfs", 'm', 0, 0, 0,
	  NULL, "DIR", "Accepted for compatibility: an existing directory (no file system is mounted)" },
	{ "Monitor", "IgnoredSignals", KT_SIGNALS, OFF(ignored_signals), "ignore-signal", 0, 0, 0, 0,
	  NULL, "SIGNAL", "Signal flom ignores while the command runs (repeatable; see --signal-list)" },
	{ "Network", "NetworkInterface", KT_IFACE, OFF(network_interface), "network-interface", 'n', 0, 0, 0,
	  NULL, "IFACE", "Network interface for IPv6 link-local addresses" },
	{ "Network", "DiscoveryAttempts", KT_INT, OFF(discovery_attempts), "discovery-attempts", 'D', 0, G_MININT, G_MAXINT,
	  "discovery attempts", "N", "Discovery datagrams to send (default 2; <0: for ever)" },
	{ "Network", "DiscoveryTimeout", KT_INT64, OFF(discovery_timeout), "discovery-timeout", 'I', 0, 0, G_MAXINT,
	  "discovery timeout", "MS", "Wait for a discovery reply, per attempt (default 500)" },
	{ "Network", "DiscoveryTTL", KT_INT, OFF(discovery_ttl), "discovery-ttl", 0, 0, 1, FLOM_MULTICAST_TTL_MAX,
	  "discovery TTL", "N", "Hop limit of discovery datagrams (default 1)" },
	{ "Network", "TcpKeepaliveTime", KT_INT, OFF(tcp_keepalive_time), "tcp-keepalive-time", 0, 0,
	  1, FLOM_KEEPALIVE_SECONDS_MAX, "TCP keepalive time", "SEC", "Idle seconds before TCP keepalive probes (default 60)" },
	{ "Network", "TcpKeepaliveIntvl", KT_INT, OFF(tcp_keepalive_intvl), "tcp-keepalive-intvl", 0, 0,
	  1, FLOM_KEEPALIVE_SECONDS_MAX, "TCP keepalive interval", "SEC", "Seconds between TCP keepalive probes (default 10)" },
	{ "Network", "TcpKeepaliveProbes", KT_INT, OFF(tcp_keepalive_probes), "tcp-keepalive-probes", 0, 0,
	  1, FLOM_KEEPALIVE_PROBES_MAX, "TCP keepalive probes", "N", "Unanswered probes before a connection is dropped (default 6)" },
	{ "TLS", "TlsCertificate", KT_REALPATH, OFF(tls_certificate), "tls-certificate", 0, 0, 0, 0,
	  NULL, "FILE", "PEM certificate of this side: TLS when the three files are set" },
	{ "TLS", "TlsPrivateKey", KT_REALPATH, OFF(tls_private_key), "tls-private-key", 0, 0, 0, 0,
	  NULL, "FILE", "PEM private key of the certificate" },
	{ "TLS", "TlsCaCertificate", KT_REALPATH, OFF(tls_ca_certificate), "tls-ca-certificate", 0, 0, 0, 0,
	  NULL, "FILE", "PEM CA certificate that must sign the peer's certificate" },
	{ "TLS", "TlsCheckPeerId", KT_BOOL, OFF(tls_check_peer_id), "tls-check-peer-id", 0, 0, 0, 0,
	  NULL, "yes|no", "Require the peer's certificate CN to be the unique id it sends" },
	/* ours */
	{ "Daemon", "AllowRemoteManagement", KT_BOOL, OFF(allow_remote_management), "allow-remote-management", 0, 0,
	  0, 0, NULL, "yes|no", "Daemon: accept -x/-X from other hosts (default no)" },
	{ "Daemon", "MaxConnections", KT_INT, OFF(max_connections), "max-connections", 0, 0, 1, FLOM_MAX_CONNECTIONS_LIMIT,
	  "maximum number of connections", "N", "Daemon: connections served at once (default 16384)" },
	{ "Daemon", "RequestTimeout", KT_INT64, OFF(request_timeout), "request-timeout", 0, 0, 1, G_MAXINT,
	  "request timeout", "MILLISECONDS",
	  "Close a connection that sent no complete request (or TLS handshake) in time (default 5000)" },
	{ "Network", "AnswerTimeout", KT_INT64, OFF(answer_timeout), "answer-timeout", 0, 0, 1, G_MAXINT,
	  "answer timeout", "MS",
	  "Give up on a daemon that does not accept or answer within MS milliseconds (default 10000)" },
	{ "TLS", "TlsAllowedManagerIds", KT_STRING, OFF(tls_allowed_manager_ids), "tls-allowed-manager-ids", 0, 0,
	  0, 0, NULL, "ID;ID...", "Daemon with TLS: certificate CNs that may manage it from other hosts" },
	{ "Daemon", "MaxPeerConnections", KT_INT, OFF(max_peer_connections), "max-peer-connections", 0, 0,
	  1, FLOM_MAX_CONNECTIONS_LIMIT, "maximum number of connections per peer", "N",
	  "Daemon: TCP connections served at once from one address (default 512)" },
	{ "Daemon", "MaxResourceIdle", KT_INT64, OFF(max_resource_idle), "max-resource-idle", 0, 0, 0, G_MAXINT,
	  "maximum resource idle lifespan", "MS", "Daemon: the longest -i a request may ask (default 3600000, one hour)" },
	{ "Daemon", "MaxResources", KT_INT, OFF(max_resources), "max-resources", 0, 0, 1, FLOM_RESOURCES_MAX,
	  "maximum number of resources", "N", "Daemon: resources kept at once (default and most 100000)" },
	{ "Monitor", "OnLockLost", KT_ON_LOCK_LOST, OFF(on_lock_lost), "on-lock-lost", 0, 0, 0, 0,
	  NULL, "terminate|warn", "When the lock is lost: terminate the command (default) or only warn" },
	{ "Monitor", "GracePeriod", KT_INT64, OFF(grace_period), "grace-period", 0, 0, 0, FLOM_GRACE_PERIOD_MAX,
	  "grace period", "MS", "After SIGTERM, SIGKILL the command's process group past MS milliseconds (default 5000)" },
	{ "Etcd", "Endpoints", KT_STRING, OFF(etcd_endpoints), "etcd", 0, 0, 0, 0,
	  NULL, "URL[,URL...]", "Keep the locks in this etcd cluster (no flom daemon)" },
	{ "Etcd", "Prefix", KT_STRING, OFF(etcd_prefix), "etcd-prefix", 0, 0, 0, 0,
	  NULL, "PREFIX", "Prefix of flom's keys in etcd (default /flom/)" },
	{ "Etcd", "LeaseTtl", KT_INT64, OFF(etcd_lease_ttl), "etcd-lease-ttl", 0, 0,
	  FLOM_ETCD_LEASE_TTL_MIN, FLOM_ETCD_LEASE_TTL_MAX, "etcd lease TTL", "SEC",
	  "Seconds an etcd lease outlives its last keepalive (default 10)" },
	{ "Etcd", "CaCertificate", KT_REALPATH, OFF(etcd_ca_certificate), "etcd-ca-certificate", 0, 0, 0, 0,
	  NULL, "FILE", "CA certificates for https etcd endpoints" },
	{ "Etcd", "Certificate", KT_REALPATH, OFF(etcd_certificate), "etcd-certificate", 0, 0, 0, 0,
	  NULL, "FILE", "Client certificate for https etcd endpoints" },
	{ "Etcd", "PrivateKey", KT_REALPATH, OFF(etcd_private_key), "etcd-private-key", 0, 0, 0, 0,
	  NULL, "FILE", "Private key of the client certificate" },
	/* command line only */
	{ NULL, NULL, KT_CONFIG_FILE, 0, "config-file", 'c', 0, 0, 0,
	  NULL, "FILE", "Read FILE after the system and user configuration files" },
	{ NULL, NULL, KT_FLAG, OFF(show_version), "version", 'v', 0, 0, 0, NULL, NULL, "Print the version and exit" },
	{ NULL, NULL, KT_FLAG, OFF(signal_list), "signal-list", 0, 0, 0, 0, NULL, NULL,
	  "Print the signals --ignore-signal accepts and exit" },
	{ NULL, NULL, KT_FLAG, OFF(print_unique_id), "unique-id", 0, 0, 0, 0, NULL, NULL,
	  "Print this host's unique id and exit" },
	{ NULL, NULL, KT_FLAG, OFF(quiesce_exit), "quiesce-exit", 'x', 0, 0, 0, NULL, NULL,
	  "Ask the daemon to exit once its locks are released" },
	{ NULL, NULL, KT_FLAG, OFF(immediate_exit), "immediate-exit", 'X', 0, 0, 0, NULL, NULL,
	  "Ask the daemon to exit now" },
	{ NULL, NULL, KT_STATUS, OFF(status), "status", 0, 0, 0, 0, NULL, "[=json]",
	  "Show the daemon's resources, holders and waiters (with -r: one resource) and exit" },
	{ NULL, NULL, KT_FLAG, OFF(foreground), "foreground", 0, 0, 0, 0, NULL, NULL,
	  "Run a daemon in this process (for service managers)" },
	{ NULL, NULL, KT_TEXT, OFF(debug_feature), "debug-feature", 0, 0, 0, 0, NULL, "NAME",
	  "Run a network self-test (ipv6.multicast.server, ipv6.multicast.client...)" },
};

const size_t config_n_keys = G_N_ELEMENTS(config_keys);


/* ------------------------------------------------------------------------ */
/* defaults                                                                  */

void config_init(flom_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->resource_name = g_strdup(FLOM_DEFAULT_RESOURCE_NAME);
	cfg->resource_timeout = FLOM_DEFAULT_TIMEOUT_MS;
	cfg->resource_quantity = FLOM_DEFAULT_QUANTITY;
	cfg->lock_mode = FLOM_LOCK_MODE_EX;
	cfg->resource_create = TRUE;
	cfg->daemon_lifespan = FLOM_DEFAULT_LIFESPAN_MS;
	cfg->unicast_port = FLOM_DEFAULT_PORT;
	cfg->multicast_port = FLOM_DEFAULT_PORT;
	cfg->max_connections = FLOM_DEFAULT_MAX_CONNECTIONS;
	cfg->request_timeout = FLOM_DEFAULT_REQUEST_TIMEOUT_MS;
	cfg->max_peer_connections = FLOM_DEFAULT_MAX_PEER_CONNECTIONS;
	cfg->max_resource_idle = FLOM_DEFAULT_MAX_RESOURCE_IDLE_MS;
	cfg->max_resources = FLOM_RESOURCES_MAX;
	cfg->on_lock_lost = FLOM_ON_LOCK_LOST_TERMINATE;
	cfg->grace_period = FLOM_GRACE_PERIOD_DEFAULT;
	cfg->etcd_prefix = g_strdup(FLOM_ETCD_DEFAULT_PREFIX);
	cfg->etcd_lease_ttl = FLOM_ETCD_DEFAULT_LEASE_TTL;
	cfg->discovery_attempts = FLOM_DEFAULT_DISCOVERY_ATTEMPTS;
	cfg->discovery_timeout = FLOM_DEFAULT_DISCOVERY_TIMEOUT_MS;
	cfg->discovery_ttl = FLOM_DEFAULT_DISCOVERY_TTL;
	cfg->tcp_keepalive_time = FLOM_DEFAULT_KEEPALIVE_TIME;
	cfg->tcp_keepalive_intvl = FLOM_DEFAULT_KEEPALIVE_INTVL;
	cfg->tcp_keepalive_probes = FLOM_DEFAULT_KEEPALIVE_PROBES;
	cfg->answer_timeout = FLOM_ANSWER_TIMEOUT_DEFAULT;
}

const config_key *config_key_find(const char *group, const char *key)
{
	for (size_t i = 0; i < config_n_keys; i++) {
		const config_key *k = &config_keys[i];

		if (k->group && strcmp(k->group, group) == 0 && strcmp(k->key, key) == 0)
			return k;
	}
	return NULL;
}

gboolean config_key_is_string(key_type type)
{
	switch (type) {
	case KT_STRING: case KT_PATH: case KT_SOCKET: case KT_RESOURCE:
	case KT_DIR: case KT_REALPATH: case KT_IFACE: case KT_TEXT:
		return TRUE;
	default:
		return FALSE;
	}
}

void *config_key_field(const config_key *k, const flom_config *cfg)
{
	return (char *)cfg + k->offset;
}

void config_clear(flom_config *cfg)
{
	for (size_t i = 0; i < config_n_keys; i++) {
		if (config_key_is_string(config_keys[i].type))
			g_clear_pointer((char **)config_key_field(&config_keys[i], cfg), g_free);
	}
	g_clear_pointer(&cfg->command, g_strfreev);
	g_clear_pointer(&cfg->unique_id, g_free);
}

