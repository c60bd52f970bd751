/*
 * flom: the effective configuration.
 *
 * One table (config_keys) names every setting once: its key file group and
 * key, its type and field, its command line option and help. The key file
 * reader, the GOptionContext entries, the copy of command line values over
 * the files and the -V dump all walk that table, so a setting cannot exist in
 * one place and be forgotten in another.
 */
#include "config.h"
#include "rsrc_name.h"
#include "trace.h"

#include <errno.h>
#include <net/if.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "1.7.2"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

/* Linux refuses larger values for TCP_KEEPIDLE/TCP_KEEPINTVL and TCP_KEEPCNT
 * (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL, MAX_TCP_KEEPCNT): reject them here
 * rather than let the daemon's setsockopt() fail later. */
#define KEEPALIVE_SECONDS_MAX 32767
#define KEEPALIVE_PROBES_MAX 127
/* Hop limit of a multicast datagram. */
#define MULTICAST_TTL_MAX 255
/* Daemon/MaxConnections cannot usefully exceed the kernel's default per
 * process descriptor ceiling (fs.nr_open). */
#define MAX_CONNECTIONS_LIMIT 1048576
#define UNIQUE_ID_LEN 32

typedef enum {
	KT_STRING,      /* optional text; empty means unset */
	KT_ABSPATH,     /* optional absolute path (the daemon runs in /) */
	KT_SOCKET,      /* optional absolute path that fits in sun_path */
	KT_RESOURCE,    /* resource name, never unset */
	KT_DIR,         /* optional existing directory */
	KT_REALPATH,    /* optional existing file, kept as its real path */
	KT_IFACE,       /* optional network interface of this host */
	KT_BOOL,
	KT_INT,         /* int between min and max */
	KT_INT64,       /* gint64 between min and max */
	KT_LOCK_MODE,
	KT_SIGNALS,     /* guint32 bit set of signals 1..31 */
	KT_ON_LOCK_LOST,
	KT_FLAG,        /* command line only: no argument, sets TRUE */
	KT_TEXT,        /* command line only text (--debug-feature) */
	KT_CONFIG_FILE, /* -c: read at once, not kept in flom_config */
} key_type;

/* The option of a key file boolean takes no argument and only sets it (-V). */
#define KF_CLI_FLAG 1u

typedef struct config_key {
	const char *group;      /* NULL: command line only */
	const char *key;
	key_type type;
	size_t offset;          /* of the field in flom_config */
	const char *long_name;  /* NULL: key file only */
	char short_name;
	unsigned flags;
	gint64 min, max;        /* KT_INT, KT_INT64 */
	const char *what;       /* noun for range messages */
	const char *arg;        /* argument name in --help */
	const char *help;
} config_key;

#define OFF(field) offsetof(flom_config, field)
#define ANY_INT G_MININT, G_MAXINT

/*
 * The first 29 keys are in the order of the original's -V dump; our own keys
 * follow them so the original's lines stay a byte-identical prefix.
 */
static const config_key config_keys[] = {
	{ "Trace", "DaemonTraceFile", KT_ABSPATH, OFF(daemon_trace_file), "daemon-trace-file", 't', 0, 0, 0,
	  NULL, "FILE", "Trace file of a daemon started by this command (absolute path)" },
	{ "Trace", "CommandTraceFile", KT_ABSPATH, OFF(command_trace_file), "command-trace-file", 'T', 0, 0, 0,
	  NULL, "FILE", "Trace file of this command (absolute path; default stderr)" },
	{ "Trace", "AppendTraceFile", KT_BOOL, OFF(append_trace_file), "append-trace-file", 0, 0, 0, 0,
	  NULL, "yes|no", "Append to trace files instead of truncating them" },
	{ "Trace", "Verbose", KT_BOOL, OFF(verbose), "verbose", 'V', KF_CLI_FLAG, 0, 0,
	  NULL, NULL, "Print the configuration and what happens on stdout" },
	{ "Resource", "Name", KT_RESOURCE, OFF(resource_name), "resource-name", 'r', 0, 0, 0,
	  NULL, "NAME", "Resource to lock (default _RESOURCE)" },
	{ "Resource", "Timeout", KT_INT64, OFF(resource_timeout), "resource-timeout", 'o', 0, ANY_INT,
	  "resource timeout", "MS", "Wait at most MS milliseconds for the lock; 0: do not wait; <0: wait forever" },
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
	{ "Network", "DiscoveryTTL", KT_INT, OFF(discovery_ttl), "discovery-ttl", 0, 0, 1, MULTICAST_TTL_MAX,
	  "discovery TTL", "N", "Hop limit of discovery datagrams (default 1)" },
	{ "Network", "TcpKeepaliveTime", KT_INT, OFF(tcp_keepalive_time), "tcp-keepalive-time", 0, 0,
	  1, KEEPALIVE_SECONDS_MAX, "TCP keepalive time", "SEC", "Idle seconds before TCP keepalive probes (default 60)" },
	{ "Network", "TcpKeepaliveIntvl", KT_INT, OFF(tcp_keepalive_intvl), "tcp-keepalive-intvl", 0, 0,
	  1, KEEPALIVE_SECONDS_MAX, "TCP keepalive interval", "SEC", "Seconds between TCP keepalive probes (default 10)" },
	{ "Network", "TcpKeepaliveProbes", KT_INT, OFF(tcp_keepalive_probes), "tcp-keepalive-probes", 0, 0,
	  1, KEEPALIVE_PROBES_MAX, "TCP keepalive probes", "N", "Unanswered probes before a connection is dropped (default 6)" },
	{ "TLS", "TlsCertificate", KT_REALPATH, OFF(tls_certificate), "tls-certificate", 0, 0, 0, 0,
	  NULL, "FILE", "Accepted for compatibility: TLS is not supported" },
	{ "TLS", "TlsPrivateKey", KT_REALPATH, OFF(tls_private_key), "tls-private-key", 0, 0, 0, 0,
	  NULL, "FILE", "Accepted for compatibility: TLS is not supported" },
	{ "TLS", "TlsCaCertificate", KT_REALPATH, OFF(tls_ca_certificate), "tls-ca-certificate", 0, 0, 0, 0,
	  NULL, "FILE", "Accepted for compatibility: TLS is not supported" },
	{ "TLS", "TlsCheckPeerId", KT_BOOL, OFF(tls_check_peer_id), "tls-check-peer-id", 0, 0, 0, 0,
	  NULL, "yes|no", "Accepted for compatibility: TLS is not supported" },
	/* ours */
	{ "Daemon", "AllowRemoteManagement", KT_BOOL, OFF(allow_remote_management), "allow-remote-management", 0, 0,
	  0, 0, NULL, "yes|no", "Daemon: accept -x/-X from other hosts (default no)" },
	{ "Daemon", "MaxConnections", KT_INT, OFF(max_connections), "max-connections", 0, 0, 1, MAX_CONNECTIONS_LIMIT,
	  "maximum number of connections", "N", "Daemon: connections served at once (default 4096)" },
	{ "Monitor", "OnLockLost", KT_ON_LOCK_LOST, OFF(on_lock_lost), "on-lock-lost", 0, 0, 0, 0,
	  NULL, "terminate|warn", "When the lock is lost: terminate the command (default) or only warn" },
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
	{ NULL, NULL, KT_FLAG, OFF(foreground), "foreground", 0, 0, 0, 0, NULL, NULL,
	  "Run a daemon in this process (for service managers)" },
	{ NULL, NULL, KT_TEXT, OFF(debug_feature), "debug-feature", 0, 0, 0, 0, NULL, "NAME",
	  "Run a network self-test (ipv6.multicast.server, ipv6.multicast.client...)" },
};

#define N_KEYS G_N_ELEMENTS(config_keys)

/* Names of signals 1..31 (Linux numbering, as the original hard-codes it). */
static const char *const signal_names[32] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
};

static const struct {
	const char *abbr, *name;
} lock_mode_names[FLOM_LOCK_MODE_N] = {
	{ "NL", "NullLock" }, { "CR", "ConcurrentRead" }, { "CW", "ConcurrentWrite" },
	{ "PR", "ProtectedRead" }, { "PW", "ProtectedWrite" }, { "EX", "Exclusive" },
};

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
	cfg->on_lock_lost = FLOM_ON_LOCK_LOST_TERMINATE;
	cfg->discovery_attempts = FLOM_DEFAULT_DISCOVERY_ATTEMPTS;
	cfg->discovery_timeout = FLOM_DEFAULT_DISCOVERY_TIMEOUT_MS;
	cfg->discovery_ttl = FLOM_DEFAULT_DISCOVERY_TTL;
	cfg->tcp_keepalive_time = FLOM_DEFAULT_KEEPALIVE_TIME;
	cfg->tcp_keepalive_intvl = FLOM_DEFAULT_KEEPALIVE_INTVL;
	cfg->tcp_keepalive_probes = FLOM_DEFAULT_KEEPALIVE_PROBES;
}

static gboolean key_is_string(key_type type)
{
	switch (type) {
	case KT_STRING: case KT_ABSPATH: case KT_SOCKET: case KT_RESOURCE:
	case KT_DIR: case KT_REALPATH: case KT_IFACE: case KT_TEXT:
		return TRUE;
	default:
		return FALSE;
	}
}

static void *key_field(const config_key *k, const flom_config *cfg)
{
	return (char *)cfg + k->offset;
}

void config_clear(flom_config *cfg)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (key_is_string(config_keys[i].type))
			g_clear_pointer((char **)key_field(&config_keys[i], cfg), g_free);
	}
	g_clear_pointer(&cfg->command, g_strfreev);
	g_clear_pointer(&cfg->unique_id, g_free);
}

/* ------------------------------------------------------------------------ */
/* value parsers shared by the command line and the key files                */

int config_parse_bool(const char *s, gboolean *out)
{
	static const char *const yes[] = { "yes", "y", "true", "1" };
	static const char *const no[] = { "no", "n", "false", "0" };

	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(s, yes[i]) == 0) {
			*out = TRUE;
			return 0;
		}
		if (g_ascii_strcasecmp(s, no[i]) == 0) {
			*out = FALSE;
			return 0;
		}
	}
	return -1;
}

int config_parse_lock_mode(const char *s, flom_lock_mode *out)
{
	for (int m = 0; m < FLOM_LOCK_MODE_N; m++) {
		if (g_ascii_strcasecmp(s, lock_mode_names[m].abbr) == 0 ||
		    g_ascii_strcasecmp(s, lock_mode_names[m].name) == 0) {
			*out = (flom_lock_mode)m;
			return 0;
		}
	}
	return -1;
}

const char *config_lock_mode_name(flom_lock_mode mode)
{
	if ((int)mode < 0 || mode >= FLOM_LOCK_MODE_N)
		return "?";
	return lock_mode_names[mode].abbr;
}

/* A decimal integer, nothing else: 0 or -1 (-2 when it does not fit). */
static int parse_decimal(const char *s, gint64 *out)
{
	const char *p = s;
	char *end = NULL;

	if (*p == '+' || *p == '-')
		p++;
	if (!g_ascii_isdigit(*p))
		return -1;
	errno = 0;
	*out = g_ascii_strtoll(s, &end, 10);
	if (*end != '\0')
		return -1;
	return errno == ERANGE ? -2 : 0;
}

int config_parse_signal(const char *s)
{
	gint64 n;

	if (parse_decimal(s, &n) == 0)
		return n >= 1 && n <= 31 ? (int)n : -1;
	for (int i = 1; i <= 31; i++) {
		if (strcmp(s, signal_names[i]) == 0)
			return i;
	}
	return -1;
}

static void set_string(char **field, const char *v)
{
	g_free(*field);
	*field = *v ? g_strdup(v) : NULL;
}

static char *range_reason(const config_key *k, const char *v)
{
	if (k->max >= G_MAXINT && k->min <= G_MININT)
		return g_strdup_printf("%s must be between %d and %d (got '%s')", k->what, G_MININT, G_MAXINT, v);
	if (k->max >= G_MAXINT)
		return g_strdup_printf("%s must be >= %" G_GINT64_FORMAT " (got '%s')", k->what, k->min, v);
	return g_strdup_printf("%s must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT " (got '%s')",
			       k->what, k->min, k->max, v);
}

static char *parse_number(const config_key *k, const char *v, void *field)
{
	gint64 n;
	int rc = parse_decimal(v, &n);

	if (rc == -1)
		return g_strdup_printf("'%s' is not an integer", v);
	if (rc == -2 || n < k->min || n > k->max)
		return range_reason(k, v);
	if (k->type == KT_INT)
		*(int *)field = (int)n;
	else
		*(gint64 *)field = n;
	return NULL;
}

/* Why NAME cannot be locked, or NULL. */
static char *resource_name_problem(const char *name)
{
	g_autofree char *format = NULL;
	gint64 grain;

	if (rsrc_name_classify(name) != RSRC_INVALID)
		return NULL;
	if (g_str_has_prefix(name, "_t_"))
		format = rsrc_name_timestamp_format(name);
	if (format && rsrc_name_timestamp_grain(format, &grain) < 0)
		return g_strdup_printf("'%s' is not a valid name for a resource: timestamp format '%s' "
				       "has no field of an hour or finer (%%H %%M %%S %%T #f...)", name, format);
	return g_strdup_printf("'%s' is not a valid name for a resource", name);
}

/* _RESOURCE is the name used when none is given; -r may not name it. */
static char *parse_resource(const char *v, char **field, gboolean from_cli)
{
	char *problem;

	if (from_cli && strcmp(v, FLOM_DEFAULT_RESOURCE_NAME) == 0)
		return g_strdup_printf("'%s' is a reserved resource name and can not be set by user", v);
	problem = resource_name_problem(v);
	if (problem)
		return problem;
	set_string(field, v);
	return NULL;
}

static char *parse_abspath(const char *v, char **field)
{
	if (*v && !g_path_is_absolute(v))
		return g_strdup_printf("'%s' is not an absolute path (the daemon runs in /)", v);
	set_string(field, v);
	return NULL;
}

static char *parse_socket(const char *v, char **field)
{
	struct sockaddr_un sun;

	if (strlen(v) >= sizeof(sun.sun_path))
		return g_strdup_printf("'%s' is too long for a UNIX socket (at most %zu bytes)", v,
				       sizeof(sun.sun_path) - 1);
	return parse_abspath(v, field);
}

static char *parse_dir(const char *v, char **field)
{
	if (*v && !g_file_test(v, G_FILE_TEST_IS_DIR))
		return g_strdup_printf("'%s' is not an existing directory", v);
	set_string(field, v);
	return NULL;
}

static char *parse_realpath(const char *v, char **field)
{
	char *real;

	if (!*v) {
		set_string(field, v);
		return NULL;
	}
	real = realpath(v, NULL);
	if (!real)
		return g_strdup_printf("'%s' is not a valid file: %s", v, g_strerror(errno));
	if (g_file_test(real, G_FILE_TEST_IS_DIR)) {
		free(real);
		return g_strdup_printf("'%s' is a directory, not a file", v);
	}
	set_string(field, real);
	free(real);
	return NULL;
}

static char *parse_iface(const char *v, char **field)
{
	if (*v && if_nametoindex(v) == 0)
		return g_strdup_printf("'%s' is not a network interface of this host", v);
	set_string(field, v);
	return NULL;
}

/* ';' separated signals. A key file replaces the set; repeated
 * --ignore-signal options add to it. */
static char *parse_signals(const char *v, guint32 *field, gboolean from_cli)
{
	g_auto(GStrv) items = g_strsplit(v, ";", -1);
	guint32 set = from_cli ? *field : 0;

	for (char **it = items; *it; it++) {
		char *item = g_strstrip(*it);
		int sig;

		if (!*item)
			continue;
		sig = config_parse_signal(item);
		if (sig < 0)
			return g_strdup_printf("'%s' is not a signal: use a number from 1 to 31 "
					       "or a name of --signal-list", item);
		set |= 1u << sig;
	}
	*field = set;
	return NULL;
}

static char *parse_on_lock_lost(const char *v, flom_on_lock_lost *field)
{
	if (g_ascii_strcasecmp(v, "terminate") == 0)
		*field = FLOM_ON_LOCK_LOST_TERMINATE;
	else if (g_ascii_strcasecmp(v, "warn") == 0)
		*field = FLOM_ON_LOCK_LOST_WARN;
	else
		return g_strdup_printf("'%s' is an invalid value: use terminate or warn", v);
	return NULL;
}

/* Parse V into K's field of CFG: NULL, or why V is wrong (g_free). */
static char *key_parse(const config_key *k, const char *v, flom_config *cfg, gboolean from_cli)
{
	void *field = key_field(k, cfg);

	switch (k->type) {
	case KT_STRING: case KT_TEXT:
		set_string(field, v);
		return NULL;
	case KT_ABSPATH: return parse_abspath(v, field);
	case KT_SOCKET: return parse_socket(v, field);
	case KT_RESOURCE: return parse_resource(v, field, from_cli);
	case KT_DIR: return parse_dir(v, field);
	case KT_REALPATH: return parse_realpath(v, field);
	case KT_IFACE: return parse_iface(v, field);
	case KT_BOOL:
		if (config_parse_bool(v, field) < 0)
			return g_strdup_printf("'%s' is an invalid value: use yes or no "
					       "(y/n, true/false, 1/0)", v);
		return NULL;
	case KT_INT: case KT_INT64: return parse_number(k, v, field);
	case KT_LOCK_MODE:
		if (config_parse_lock_mode(v, field) < 0)
			return g_strdup_printf("'%s' is an invalid value: use NL, CR, CW, PR, PW, EX or "
					       "NullLock, ConcurrentRead, ConcurrentWrite, ProtectedRead, "
					       "ProtectedWrite, Exclusive", v);
		return NULL;
	case KT_SIGNALS: return parse_signals(v, field, from_cli);
	case KT_ON_LOCK_LOST: return parse_on_lock_lost(v, field);
	case KT_FLAG:
		*(gboolean *)field = TRUE;
		return NULL;
	case KT_CONFIG_FILE:
		break;
	}
	return g_strdup("internal error: unknown key type");
}

/* Copy K's field from SRC to DST (the command line over the files). */
static void key_copy(const config_key *k, flom_config *dst, const flom_config *src)
{
	void *to = key_field(k, dst);
	const void *from = key_field(k, src);

	switch (k->type) {
	case KT_INT: *(int *)to = *(const int *)from; break;
	case KT_INT64: *(gint64 *)to = *(const gint64 *)from; break;
	case KT_BOOL: case KT_FLAG: *(gboolean *)to = *(const gboolean *)from; break;
	case KT_LOCK_MODE: *(flom_lock_mode *)to = *(const flom_lock_mode *)from; break;
	case KT_SIGNALS: *(guint32 *)to = *(const guint32 *)from; break;
	case KT_ON_LOCK_LOST: *(flom_on_lock_lost *)to = *(const flom_on_lock_lost *)from; break;
	case KT_CONFIG_FILE: break;
	default:
		g_free(*(char **)to);
		*(char **)to = g_strdup(*(char *const *)from);
		break;
	}
}

/* ------------------------------------------------------------------------ */
/* key files                                                                 */

static int load_key(GKeyFile *kf, const char *path, const config_key *k, flom_config *cfg, GError **err)
{
	g_autoptr(GError) e = NULL;
	g_autofree char *v = NULL;
	g_autofree char *reason = NULL;

	if (!g_key_file_has_key(kf, k->group, k->key, NULL))
		return 0;
	v = g_key_file_get_string(kf, k->group, k->key, &e);
	if (!v) {
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "%s: [%s] %s: %s",
			    path, k->group, k->key, e->message);
		return -1;
	}
	if (!key_is_string(k->type))
		g_strstrip(v);
	reason = key_parse(k, v, cfg, FALSE);
	if (reason) {
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "%s: [%s] %s: %s",
			    path, k->group, k->key, reason);
		return -1;
	}
	return 0;
}

int config_load_file(flom_config *cfg, const char *path, GError **err)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) e = NULL;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &e)) {
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
			    "cannot read configuration file '%s': %s", path, e->message);
		return -1;
	}
	for (size_t i = 0; i < N_KEYS; i++) {
		if (config_keys[i].group && load_key(kf, path, &config_keys[i], cfg, err) < 0)
			return -1;
	}
	TRACE(TRACE_CONFIG, "loaded '%s'", path);
	return 0;
}

/* System and user files are optional: only a file that is not there is skipped. */
static int load_optional_file(flom_config *cfg, const char *path, GError **err)
{
	if (!path || !g_file_test(path, G_FILE_TEST_EXISTS))
		return 0;
	return config_load_file(cfg, path, err);
}

static char *user_config_path(void)
{
	const char *home = g_getenv("HOME");
	struct passwd *pw;

	/* Not g_get_home_dir(): it caches HOME at its first call. */
	if (!home || !*home) {
		pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	return home ? g_build_filename(home, ".flom", NULL) : NULL;
}

/* ------------------------------------------------------------------------ */
/* command line                                                              */

typedef struct cli_state {
	flom_config cli;            /* values given on the command line */
	gboolean given[N_KEYS];
	char *config_file;
	GPtrArray *words;           /* non-option words before "--" */
} cli_state;

static const config_key *key_by_option(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const config_key *k = &config_keys[i];

		if (name[1] == '-' ? (k->long_name && strcmp(name + 2, k->long_name) == 0)
				   : (k->short_name && name[1] == k->short_name && name[2] == '\0'))
			return k;
	}
	return NULL;
}

static gboolean key_takes_arg(const config_key *k)
{
	return k->type != KT_FLAG && !(k->flags & KF_CLI_FLAG);
}

static gboolean cli_option_cb(const char *name, const char *value, gpointer data, GError **err)
{
	cli_state *st = data;
	const config_key *k = key_by_option(name);
	g_autofree char *reason = NULL;

	if (!k) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, "unknown option %s", name);
		return FALSE;
	}
	if (k->type == KT_CONFIG_FILE) {
		g_free(st->config_file);
		st->config_file = g_strdup(value);
		return TRUE;
	}
	if (k->flags & KF_CLI_FLAG)
		*(gboolean *)key_field(k, &st->cli) = TRUE;
	else
		reason = key_parse(k, value ? value : "", &st->cli, TRUE);
	if (reason) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "option %s: %s", name, reason);
		return FALSE;
	}
	st->given[k - config_keys] = TRUE;
	return TRUE;
}

static gboolean cli_word_cb(const char *name, const char *value, gpointer data, GError **err)
{
	cli_state *st = data;

	g_ptr_array_add(st->words, g_strdup(value));
	return TRUE;
}

/* --help lists the command line only options first, then the keys. */
static GOptionEntry *cli_entries(void)
{
	GOptionEntry *entries = g_new0(GOptionEntry, N_KEYS + 2);
	size_t n = 0;

	for (size_t j = 0; j < 2 * N_KEYS; j++) {
		const config_key *k = &config_keys[j % N_KEYS];
		GOptionEntry *e = &entries[n];

		if (!k->long_name || (j < N_KEYS) != (k->group == NULL))
			continue;
		e->long_name = k->long_name;
		e->short_name = k->short_name;
		e->flags = key_takes_arg(k) ? G_OPTION_FLAG_FILENAME : G_OPTION_FLAG_NO_ARG;
		e->arg = G_OPTION_ARG_CALLBACK;
		e->arg_data = (gpointer)cli_option_cb;
		e->description = k->help;
		e->arg_description = k->arg;
		n++;
	}
	entries[n].long_name = G_OPTION_REMAINING;
	entries[n].flags = G_OPTION_FLAG_FILENAME;
	entries[n].arg = G_OPTION_ARG_CALLBACK;
	entries[n].arg_data = (gpointer)cli_word_cb;
	return entries;
}

/*
 * The index of the "--" that ends the options, or argc. A "--" that is the
 * argument of an option (--tls-check-peer-id -- ls) is a value, as GOption
 * would take it, so the table decides which words are consumed as values.
 */
static int cli_separator(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		const config_key *k;

		if (strcmp(w, "--") == 0)
			return i;
		if (w[0] != '-' || w[1] == '\0')
			continue;
		if (w[1] == '-') {
			k = strchr(w, '=') ? NULL : key_by_option(w);
			if (k && key_takes_arg(k))
				i++;
			continue;
		}
		for (const char *c = w + 1; *c; c++) {
			char opt[3] = { '-', *c, '\0' };

			k = key_by_option(opt);
			if (k && key_takes_arg(k)) {
				i++;
				break;
			}
		}
	}
	return argc;
}

static int cli_parse(cli_state *st, int argc, char **argv, GError **err)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("[-- command to execute]");
	GOptionGroup *group = g_option_group_new("flom", "flom options", "Show flom options", st, NULL);
	g_autofree GOptionEntry *entries = cli_entries();
	int sep = cli_separator(argc, argv);
	g_auto(GStrv) opts = g_new0(char *, sep + 1);

	for (int i = 0; i < sep; i++)
		opts[i] = g_strdup(argv[i]);
	g_option_group_add_entries(group, entries);
	g_option_context_set_main_group(ctx, group);
	g_option_context_set_summary(ctx, "Run a command while holding a lock served by a flom daemon.");
	g_option_context_set_description(ctx, "Configuration: " SYSCONFDIR "/flom.conf, then ~/.flom, "
					 "then -c FILE, then the command line. See flom(1).");
	if (!g_option_context_parse_strv(ctx, &opts, err))
		return -1;
	for (int i = sep + 1; i < argc; i++)
		g_ptr_array_add(st->words, g_strdup(argv[i]));
	return 0;
}

static void cli_state_clear(cli_state *st)
{
	config_clear(&st->cli);
	g_free(st->config_file);
	if (st->words)
		g_ptr_array_free(st->words, TRUE);
}

/* Command line values over CFG; every given option wins, whatever its value. */
static void cli_apply(const cli_state *st, flom_config *cfg)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (st->given[i])
			key_copy(&config_keys[i], cfg, &st->cli);
	}
	g_strfreev(cfg->command);
	cfg->command = NULL;
	if (st->words->len > 0) {
		cfg->command = g_new0(char *, st->words->len + 1);
		for (guint i = 0; i < st->words->len; i++)
			cfg->command[i] = g_strdup(g_ptr_array_index(st->words, i));
	}
}

static int load_files(const cli_state *st, flom_config *cfg, GError **err)
{
	const char *sys = g_getenv("FLOM_SYSTEM_CONFIG");
	g_autofree char *user = user_config_path();

	if (load_optional_file(cfg, sys ? sys : SYSCONFDIR "/flom.conf", err) < 0)
		return -1;
	if (load_optional_file(cfg, user, err) < 0)
		return -1;
	if (st->config_file && config_load_file(cfg, st->config_file, err) < 0)
		return -1;
	return 0;
}

int config_load(flom_config *cfg, int argc, char **argv, GError **err)
{
	cli_state st = { .words = g_ptr_array_new_with_free_func(g_free) };
	int rc = -1;

	if (cli_parse(&st, argc, argv, err) < 0)
		goto out;
	/* -v, --signal-list and --unique-id work even with a broken file. */
	if (!st.cli.show_version && !st.cli.signal_list && !st.cli.print_unique_id &&
	    load_files(&st, cfg, err) < 0)
		goto out;
	cli_apply(&st, cfg);
	rc = 0;
out:
	cli_state_clear(&st);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* consistency                                                               */

static int check_transport(const flom_config *cfg, GError **err)
{
	if (cfg->socket_name && (cfg->unicast_address || cfg->multicast_address)) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "local (UNIX socket) and network (TCP-UDP/IP) communication can not be "
			    "configured at the same time: socket name '%s' with %s address '%s'",
			    cfg->socket_name, cfg->unicast_address ? "unicast" : "multicast",
			    cfg->unicast_address ? cfg->unicast_address : cfg->multicast_address);
		return -1;
	}
	return 0;
}

static int check_tls(const flom_config *cfg, GError **err)
{
	gboolean all = cfg->tls_certificate && cfg->tls_private_key && cfg->tls_ca_certificate;

	if (cfg->tls_check_peer_id && !all) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "tls-check-peer-id needs tls-certificate, tls-private-key and tls-ca-certificate");
		return -1;
	}
	if (all) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "TLS is not supported by this build");
		return -1;
	}
	return 0;
}

static int check_resource(flom_config *cfg, GError **err)
{
	g_autofree char *problem = NULL;
	rsrc_type type;

	if (!cfg->resource_name)
		cfg->resource_name = g_strdup(FLOM_DEFAULT_RESOURCE_NAME);
	problem = resource_name_problem(cfg->resource_name);
	if (problem) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s", problem);
		return -1;
	}
	type = rsrc_name_classify(cfg->resource_name);
	if (cfg->lock_mode != FLOM_LOCK_MODE_EX && type != RSRC_SIMPLE && type != RSRC_HIER) {
		if (cfg->verbose)
			fprintf(stderr, "flom: warning: lock mode %s ignored, resource '%s' is %s: EX is used\n",
				config_lock_mode_name(cfg->lock_mode), cfg->resource_name, rsrc_type_name(type));
		cfg->lock_mode = FLOM_LOCK_MODE_EX;
	}
	if (cfg->resource_quantity != 1 && type != RSRC_NUMERIC) {
		if (cfg->verbose)
			fprintf(stderr, "flom: warning: quantity %" G_GINT64_FORMAT " ignored, resource '%s' "
				"is %s: 1 is used\n", cfg->resource_quantity, cfg->resource_name, rsrc_type_name(type));
		cfg->resource_quantity = 1;
	}
	return 0;
}

static int check_interface(flom_config *cfg, GError **err)
{
	cfg->network_interface_index = 0;
	if (!cfg->network_interface)
		return 0;
	cfg->network_interface_index = if_nametoindex(cfg->network_interface);
	if (cfg->network_interface_index == 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "network interface '%s' does not exist", cfg->network_interface);
		return -1;
	}
	return 0;
}

int config_check(flom_config *cfg, GError **err)
{
	if (check_transport(cfg, err) < 0 || check_tls(cfg, err) < 0 ||
	    check_resource(cfg, err) < 0 || check_interface(cfg, err) < 0)
		return -1;
	if (cfg->discovery_attempts == 0) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "discovery attempts must not be 0 (a negative count means for ever)");
		return -1;
	}
	if (cfg->foreground && cfg->command) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "--foreground runs a daemon and takes no command");
		return -1;
	}
	if (!cfg->socket_name && !cfg->unicast_address && !cfg->multicast_address)
		cfg->socket_name = config_default_socket_name();
	if (!cfg->unique_id)
		cfg->unique_id = config_unique_id();
	return 0;
}

/* ------------------------------------------------------------------------ */
/* printing                                                                  */

static void dump_signals(guint32 set, FILE *out)
{
	const char *sep = "";

	fputc('\'', out);
	for (int i = 1; i <= 31; i++) {
		if (set & (1u << i)) {
			fprintf(out, "%s%s", sep, signal_names[i]);
			sep = ";";
		}
	}
	fputc('\'', out);
}

static void key_dump(const config_key *k, const flom_config *cfg, FILE *out)
{
	const void *f = key_field(k, cfg);

	fprintf(out, "[%s]/%s=", k->group, k->key);
	switch (k->type) {
	case KT_INT: fprintf(out, "%d", *(const int *)f); break;
	case KT_INT64: fprintf(out, "%" G_GINT64_FORMAT, *(const gint64 *)f); break;
	case KT_BOOL: fprintf(out, "%d", *(const gboolean *)f ? 1 : 0); break;
	case KT_LOCK_MODE: fprintf(out, "%d", (int)*(const flom_lock_mode *)f); break;
	case KT_SIGNALS: dump_signals(*(const guint32 *)f, out); break;
	case KT_ON_LOCK_LOST:
		fprintf(out, "'%s'", *(const flom_on_lock_lost *)f == FLOM_ON_LOCK_LOST_WARN ? "warn" : "terminate");
		break;
	default: {
		const char *s = *(char *const *)f;

		fprintf(out, "'%s'", s ? s : "");
		break;
	}
	}
	fputc('\n', out);
}

void config_dump(const flom_config *cfg, FILE *out)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (config_keys[i].group)
			key_dump(&config_keys[i], cfg, out);
	}
	fflush(out);
}

void config_print_signal_list(FILE *out)
{
	for (int i = 1; i <= 31; i++) {
		fprintf(out, "%d) %s\t", i, signal_names[i]);
		if (i % 4 == 0)
			fputc('\n', out);
	}
	fputc('\n', out);
}

void config_print_version(FILE *out)
{
	fputs("flom: a lock manager for commands and scripts\n", out);
	fputs("Copyright (c) the flom developers\n", out);
	fputs("License: GPL-2.0-or-later; this is free software and comes with NO WARRANTY\n", out);
	fputs("Package name: flom; package version: " PACKAGE_VERSION "; compatible with FLoM 1.7.2\n", out);
	fputs("TLS supported protocol(s): none (this build has no TLS)\n", out);
	fputs("Same options, configuration files, exit statuses and wire protocol as FLoM 1.7.2\n", out);
	fputs("Documentation: man flom\n", out);
}

/* ------------------------------------------------------------------------ */
/* identity                                                                  */

char *config_default_socket_name(void)
{
	struct passwd *pw = getpwuid(getuid());

	return g_strdup_printf("/tmp/flom-%s", pw && pw->pw_name && *pw->pw_name ? pw->pw_name : "nobody");
}

/* The id in PATH when it holds 32 hex digits (lower-cased), else NULL. */
static char *unique_id_read(const char *path)
{
	g_autofree char *text = NULL;
	char *id;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	id = g_strstrip(text);
	if (strlen(id) != UNIQUE_ID_LEN)
		return NULL;
	for (const char *c = id; *c; c++) {
		if (!g_ascii_isxdigit(*c))
			return NULL;
	}
	return g_ascii_strdown(id, -1);
}

static char *unique_id_random(void)
{
	char *id = g_malloc(UNIQUE_ID_LEN + 1);

	for (int i = 0; i < UNIQUE_ID_LEN; i++)
		id[i] = "0123456789abcdef"[g_random_int_range(0, 16)];
	id[UNIQUE_ID_LEN] = '\0';
	return id;
}

/*
 * Keep a new random id in KEEP. link() publishes the complete file at once
 * and fails if another flom won the race, whose id is then the one used.
 */
static char *unique_id_create(const char *keep)
{
	g_autofree char *tmp = g_strdup_printf("%s.%d.tmp", keep, (int)getpid());
	g_autofree char *id = unique_id_random();
	g_autofree char *text = g_strdup_printf("%s\n", id);
	char *kept;

	if (g_file_set_contents(tmp, text, -1, NULL)) {
		if (link(tmp, keep) < 0 && errno != EEXIST)
			TRACE(TRACE_CONFIG, "cannot keep the unique id in '%s': %s", keep, g_strerror(errno));
		unlink(tmp);
	}
	kept = unique_id_read(keep);
	return kept ? kept : g_steal_pointer(&id);
}

char *config_unique_id_search(const char *const *candidates, const char *keep)
{
	char *id;

	for (; candidates && *candidates; candidates++) {
		id = unique_id_read(*candidates);
		if (id)
			return id;
	}
	if (keep) {
		id = unique_id_read(keep);
		if (id)
			return id;
	}
	return keep ? unique_id_create(keep) : NULL;
}

char *config_unique_id(void)
{
	static const char *const system_ids[] = { "/etc/machine-id", "/var/lib/dbus/machine-id", NULL };
	const char *home = g_getenv("HOME");
	g_autofree char *keep = home && *home ? g_build_filename(home, ".flom-machine-id", NULL) : NULL;
	char *id = config_unique_id_search(system_ids, keep);

	/* No id anywhere and no home to keep one in: an id for this run only. */
	return id ? id : unique_id_random();
}
