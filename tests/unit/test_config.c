/* Unit tests of the configuration: parsers, the command line, -V (key files,
 * layering and config_check are in test_config_load.c). */
#include "config_fx.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */

static void test_defaults(void)
{
	flom_config cfg;
	g_autofree char *dump = NULL;
	static const char expected[] =
		"[Trace]/DaemonTraceFile=''\n"
		"[Trace]/CommandTraceFile=''\n"
		"[Trace]/AppendTraceFile=0\n"
		"[Trace]/Verbose=0\n"
		"[Resource]/Name='_RESOURCE'\n"
		"[Resource]/Timeout=-1\n"
		"[Resource]/Quantity=1\n"
		"[Resource]/LockMode=5\n"
		"[Resource]/Create=1\n"
		"[Resource]/IdleLifespan=0\n"
		"[Daemon]/SocketName=''\n"
		"[Daemon]/Lifespan=5000\n"
		"[Daemon]/UnicastAddress=''\n"
		"[Daemon]/UnicastPort=28015\n"
		"[Daemon]/MulticastAddress=''\n"
		"[Daemon]/MulticastPort=28015\n"
		"[Daemon]/MountPointVFS=''\n"
		"[Monitor]/IgnoredSignals=''\n"
		"[Network]/NetworkInterface=''\n"
		"[Network]/DiscoveryAttempts=2\n"
		"[Network]/DiscoveryTimeout=500\n"
		"[Network]/DiscoveryTTL=1\n"
		"[Network]/TcpKeepaliveTime=60\n"
		"[Network]/TcpKeepaliveIntvl=10\n"
		"[Network]/TcpKeepaliveProbes=6\n"
		"[TLS]/TlsCertificate=''\n"
		"[TLS]/TlsPrivateKey=''\n"
		"[TLS]/TlsCaCertificate=''\n"
		"[TLS]/TlsCheckPeerId=0\n"
		"[Daemon]/AllowRemoteManagement=0\n"
		"[Daemon]/MaxConnections=16384\n"
		"[Daemon]/RequestTimeout=5000\n"
		"[Network]/AnswerTimeout=10000\n"
		"[TLS]/TlsAllowedManagerIds=''\n"
		"[Daemon]/MaxPeerConnections=512\n"
		"[Daemon]/MaxResourceIdle=3600000\n"
		"[Daemon]/MaxResources=100000\n"
		"[Monitor]/OnLockLost='terminate'\n"
		"[Monitor]/GracePeriod=5000\n"
		"[Etcd]/Endpoints=''\n"
		"[Etcd]/Prefix='/flom/'\n"
		"[Etcd]/LeaseTtl=10\n"
		"[Etcd]/CaCertificate=''\n"
		"[Etcd]/Certificate=''\n"
		"[Etcd]/PrivateKey=''\n";

	config_init(&cfg);
	g_assert_cmpstr(cfg.resource_name, ==, "_RESOURCE");
	g_assert_null(cfg.socket_name);
	g_assert_null(cfg.command);
	g_assert_cmpint(cfg.max_connections, ==, FLOM_DEFAULT_MAX_CONNECTIONS);
	dump = dump_of(&cfg);
	g_assert_cmpstr(dump, ==, expected);
	config_clear(&cfg);
}

static void test_parse_bool(void)
{
	static const char *const yes[] = { "yes", "YES", "Yes", "y", "Y", "true", "TRUE", "1" };
	static const char *const no[] = { "no", "No", "n", "N", "false", "False", "0" };
	static const char *const bad[] = { "", "maybe", "nope", "on", "off", "2", "yes ", "ye", "t", "-1" };
	gboolean b;

	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		b = FALSE;
		g_assert_cmpint(config_parse_bool(yes[i], &b), ==, 0);
		g_assert_true(b);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(no); i++) {
		b = TRUE;
		g_assert_cmpint(config_parse_bool(no[i], &b), ==, 0);
		g_assert_false(b);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(config_parse_bool(bad[i], &b), ==, -1);
}

static void test_parse_lock_mode(void)
{
	static const struct { const char *s; flom_lock_mode m; } good[] = {
		{ "NL", FLOM_LOCK_MODE_NL }, { "nl", FLOM_LOCK_MODE_NL }, { "NullLock", FLOM_LOCK_MODE_NL },
		{ "CR", FLOM_LOCK_MODE_CR }, { "concurrentread", FLOM_LOCK_MODE_CR },
		{ "CW", FLOM_LOCK_MODE_CW }, { "ConcurrentWrite", FLOM_LOCK_MODE_CW },
		{ "PR", FLOM_LOCK_MODE_PR }, { "ProtectedRead", FLOM_LOCK_MODE_PR },
		{ "PW", FLOM_LOCK_MODE_PW }, { "PROTECTEDWRITE", FLOM_LOCK_MODE_PW },
		{ "EX", FLOM_LOCK_MODE_EX }, { "Exclusive", FLOM_LOCK_MODE_EX },
	};
	static const char *const bad[] = { "", "XX", "EXX", "xEX", "Protected", "PR ", "5" };
	flom_lock_mode m;

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		g_assert_cmpint(config_parse_lock_mode(good[i].s, &m), ==, 0);
		g_assert_cmpint(m, ==, good[i].m);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_cmpint(config_parse_lock_mode(bad[i], &m), ==, -1);
	g_assert_cmpstr(config_lock_mode_name(FLOM_LOCK_MODE_NL), ==, "NL");
	g_assert_cmpstr(config_lock_mode_name(FLOM_LOCK_MODE_PW), ==, "PW");
	g_assert_cmpstr(config_lock_mode_name(FLOM_LOCK_MODE_EX), ==, "EX");
}

static void test_parse_signal(void)
{
	g_assert_cmpint(config_parse_signal("1"), ==, 1);
	g_assert_cmpint(config_parse_signal("31"), ==, 31);
	g_assert_cmpint(config_parse_signal("SIGHUP"), ==, 1);
	g_assert_cmpint(config_parse_signal("SIGTERM"), ==, 15);
	g_assert_cmpint(config_parse_signal("SIGSTKFLT"), ==, 16);
	g_assert_cmpint(config_parse_signal("SIGSYS"), ==, 31);
	g_assert_cmpint(config_parse_signal("0"), ==, -1);
	g_assert_cmpint(config_parse_signal("32"), ==, -1);
	g_assert_cmpint(config_parse_signal("-15"), ==, -1);
	/* both spellings, any case, as kill(1) and trap take them */
	g_assert_cmpint(config_parse_signal("sigterm"), ==, 15);
	g_assert_cmpint(config_parse_signal("TERM"), ==, 15);
	g_assert_cmpint(config_parse_signal("INT"), ==, 2);
	g_assert_cmpint(config_parse_signal("Int"), ==, 2);
	g_assert_cmpint(config_parse_signal("SIG"), ==, -1);
	g_assert_cmpint(config_parse_signal("SIGSIGTERM"), ==, -1);
	g_assert_cmpint(config_parse_signal("TERMX"), ==, -1);
	g_assert_cmpint(config_parse_signal("15x"), ==, -1);
	g_assert_cmpint(config_parse_signal(""), ==, -1);
}

static void test_signal_list(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	g_auto(GStrv) lines = NULL;

	config_print_signal_list(f);
	fclose(f);
	g_assert_true(g_str_has_prefix(buf, "1) SIGHUP\t2) SIGINT\t3) SIGQUIT\t4) SIGILL\t\n5) SIGTRAP\t"));
	g_assert_true(g_str_has_suffix(buf, "\n29) SIGIO\t30) SIGPWR\t31) SIGSYS\t\n"));
	lines = g_strsplit(buf, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 9); /* 8 lines and the empty tail */
	free(buf);
}

static void test_version(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	g_auto(GStrv) lines = NULL;

	config_print_version(f);
	fclose(f);
	lines = g_strsplit(buf, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 8);
	g_assert_true(g_str_has_prefix(lines[0], "flom"));
	g_assert_nonnull(strstr(buf, "FLoM 1.7.2"));
	g_assert_nonnull(strstr(buf, "GPL-2.0-or-later"));
	g_assert_nonnull(strstr(buf, "the flom developers"));
	g_assert_nonnull(strstr(buf, "TLS supported protocol(s): TLSv1.2, TLSv1.3"));
	free(buf);
}

/* Good numeric values land in the dump. */
static void numbers_good(void)
{
	static const struct { const char *opt, *value, *line; } good[] = {
		{ "-o", "100", "[Resource]/Timeout=100" },
		{ "-o", "-100", "[Resource]/Timeout=-100" },
		{ "-o", "0", "[Resource]/Timeout=0" },
		{ "-o", "1.5s", "[Resource]/Timeout=1500" },
		{ "-o", "500ms", "[Resource]/Timeout=500" },
		{ "-o", "2m", "[Resource]/Timeout=120000" },
		{ "-o", "1h", "[Resource]/Timeout=3600000" },
		{ "-o", "0.001s", "[Resource]/Timeout=1" },
		{ "-o", "-1s", "[Resource]/Timeout=-1000" },
		{ "-d", "10s", "[Daemon]/Lifespan=10000" },
		{ "-I", "0.25s", "[Network]/DiscoveryTimeout=250" },
		{ "-q", "22", "[Resource]/Quantity=22" },
		{ "-i", "123", "[Resource]/IdleLifespan=123" },
		{ "-i", "0", "[Resource]/IdleLifespan=0" },
		{ "-d", "-1", "[Daemon]/Lifespan=-1" },
		{ "-d", "0", "[Daemon]/Lifespan=0" },
		{ "-p", "1", "[Daemon]/UnicastPort=1" },
		{ "-p", "65535", "[Daemon]/UnicastPort=65535" },
		{ "-P", "27750", "[Daemon]/MulticastPort=27750" },
		{ "-D", "3", "[Network]/DiscoveryAttempts=3" },
		{ "-D", "-1", "[Network]/DiscoveryAttempts=-1" },
		{ "-I", "12345", "[Network]/DiscoveryTimeout=12345" },
		{ "--discovery-ttl", "4", "[Network]/DiscoveryTTL=4" },
		{ "--tcp-keepalive-time", "12345", "[Network]/TcpKeepaliveTime=12345" },
		{ "--tcp-keepalive-intvl", "12345", "[Network]/TcpKeepaliveIntvl=12345" },
		{ "--tcp-keepalive-probes", "12", "[Network]/TcpKeepaliveProbes=12" },
		{ "--max-connections", "10", "[Daemon]/MaxConnections=10" },
		{ "--max-peer-connections", "7", "[Daemon]/MaxPeerConnections=7" },
		{ "--max-resource-idle", "2h", "[Daemon]/MaxResourceIdle=7200000" },
		{ "--max-resource-idle", "0", "[Daemon]/MaxResourceIdle=0" },
		{ "--max-resources", "100", "[Daemon]/MaxResources=100" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		flom_config cfg;
		GError *err = NULL;

		config_init(&cfg);
		g_assert_cmpint(load_args(&cfg, &err, good[i].opt, good[i].value, NULL), ==, 0);
		g_assert_no_error(err);
		g_assert_true(dump_has_line(&cfg, good[i].line));
		config_clear(&cfg);
	}
}

/* Bad numeric values fail naming the option and the reason. */
static void numbers_bad(void)
{
	static const struct { const char *opt, *value, *reason; } bad[] = {
		{ "-o", "abc", "'abc' is not an integer" },
		{ "-o", "1.5", "'1.5' is not an integer of milliseconds nor a duration" },
		{ "-o", "1.5ms", "'1.5ms' is not an integer of milliseconds nor a duration" },
		{ "-o", "5sec", "'5sec' is not an integer" },
		{ "-o", "s", "'s' is not an integer" },
		{ "-o", ".5s", "'.5s' is not an integer" },
		{ "-o", "3000000h", "resource timeout must be between" },
		{ "-o", "99999999999999999999s", "resource timeout must be between" },
		{ "-q", "2s", "'2s' is not an integer" },
		{ "-o", "99999999999", "resource timeout must be between" },
		{ "-q", "0", "resource quantity must be >= 1" },
		{ "-q", "-3", "resource quantity must be >= 1" },
		{ "-i", "-5", "resource idle lifespan must be >= 0" },
		{ "-d", "1.5", "'1.5' is not an integer" },
		{ "-p", "0", "unicast port must be between 1 and 65535" },
		{ "-p", "-28015", "unicast port must be between 1 and 65535" },
		{ "-p", "65536", "unicast port must be between 1 and 65535" },
		{ "-P", "-1", "multicast port must be between 1 and 65535" },
		{ "-I", "-500", "discovery timeout must be >= 0" },
		{ "--discovery-ttl", "-1", "discovery TTL must be between 1 and 255" },
		{ "--discovery-ttl", "256", "discovery TTL must be between 1 and 255" },
		{ "--tcp-keepalive-time", "-60", "TCP keepalive time must be between" },
		{ "--tcp-keepalive-intvl", "0", "TCP keepalive interval must be between" },
		{ "--tcp-keepalive-probes", "128", "TCP keepalive probes must be between" },
		{ "--max-connections", "0", "maximum number of connections must be between" },
		{ "--max-peer-connections", "0", "maximum number of connections per peer must be between" },
		{ "--max-resource-idle", "-1", "maximum resource idle lifespan must be >= 0" },
		{ "--max-resources", "100001", "maximum number of resources must be between 1 and 100000" },
		{ "-p", "", "'' is not an integer" },
		{ "-p", " 5", "is not an integer" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *msg = load_error(bad[i].opt, bad[i].value, NULL);
		g_autofree char *prefix = g_strdup_printf("option %s: ", bad[i].opt);

		g_assert_true(g_str_has_prefix(msg, prefix));
		g_assert_nonnull(strstr(msg, bad[i].reason));
	}
}

/* Every numeric option: good values land in the dump, bad ones fail naming the option. */
static void test_numbers(void)
{
	env_reset();
	numbers_good();
	numbers_bad();
}

static void test_bad_values(void)
{
	static const struct { const char *opt, *value, *reason; } bad[] = {
		{ "-e", "maybe", "'maybe' is an invalid value" },
		{ "-e", "", "'' is an invalid value" },
		{ "--append-trace-file", "nope", "'nope' is an invalid value" },
		{ "--tls-check-peer-id", "on", "'on' is an invalid value" },
		{ "-l", "XX", "'XX' is an invalid value" },
		{ "--lock-mode", "Protected", "'Protected' is an invalid value" },
		{ "--ignore-signal", "SIGFOO", "'SIGFOO' is not a signal" },
		{ "--ignore-signal", "32", "'32' is not a signal" },
		{ "--ignore-signal", "SIGKILL", "'SIGKILL': SIGKILL cannot be ignored" },
		{ "--ignore-signal", "STOP", "'STOP': SIGSTOP cannot be ignored" },
		{ "--ignore-signal", "9", "'9': SIGKILL cannot be ignored" },
		{ "--on-lock-lost", "ignore", "'ignore' is an invalid value" },
		{ "-r", "_RESOURCE", "is a reserved resource name" },
		{ "-r", "a b", "'a b' is not a valid name for a resource" },
		{ "-r", "", "'' is not a valid name for a resource" },
		{ "-r", "_t_%a[1]", "timestamp format" },
		{ "-s", "relative-socket", "is not an absolute path" },
		{ "-m", "/no/such/dir", "'/no/such/dir' is not an existing directory" },
		{ "-n", "nosuchiface0", "'nosuchiface0' is not a network interface" },
		{ "--tls-certificate", "/no/such/file.pem", "'/no/such/file.pem' is not a valid file" },
		{ "--tls-ca-certificate", "/", "is a directory" },
	};

	env_reset();
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *msg = load_error(bad[i].opt, bad[i].value, NULL);
		g_autofree char *prefix = g_strdup_printf("option %s: ", bad[i].opt);

		g_assert_true(g_str_has_prefix(msg, prefix));
		g_assert_nonnull(strstr(msg, bad[i].reason));
	}
}

static void test_long_socket_name(void)
{
	g_autofree char *name = g_strnfill(120, 'x');
	g_autofree char *path = g_strconcat("/tmp/", name, NULL);
	g_autofree char *msg = NULL;

	env_reset();
	msg = load_error("-s", path, NULL);
	g_assert_true(g_str_has_prefix(msg, "option -s: "));
	g_assert_nonnull(strstr(msg, "too long"));
}

static void test_unknown_option(void)
{
	g_autofree char *m1 = NULL, *m2 = NULL, *m3 = NULL;

	env_reset();
	m1 = load_error("-z", "FOO", "--", "ls", NULL);
	g_assert_nonnull(strstr(m1, "-z"));
	m2 = load_error("--ZZZ-ZZZ=BAR", "--", "ls", NULL);
	g_assert_nonnull(strstr(m2, "--ZZZ-ZZZ"));
	m3 = load_error("-d", NULL);
	g_assert_nonnull(strstr(m3, "-d"));
}

static void test_good_values(void)
{
	g_autofree char *pem = write_file("foo.pem", "x");
	g_autofree char *vfs = g_build_filename(tmpdir, "vfs", NULL);
	flom_config cfg;
	GError *err = NULL;
	g_autofree char *tls_line = NULL, *vfs_line = NULL;

	env_reset();
	g_mkdir_with_parents(vfs, 0700);
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "-V", "-t", "/tmp/flom_daemon.trc", "-T", "/tmp/flom_command.trc",
				  "--append-trace-file=yes", "-r", "MYRES", "-e", "n", "-l", "ProtectedRead",
				  "-s", "/tmp/foo", "--ignore-signal=SIGTERM", "--ignore-signal", "3",
				  "-m", vfs, "--tls-certificate", pem, "--tls-check-peer-id=yes",
				  "--on-lock-lost=warn", "--allow-remote-management=y", NULL), ==, 0);
	g_assert_no_error(err);
	g_assert_true(dump_has_line(&cfg, "[Trace]/DaemonTraceFile='/tmp/flom_daemon.trc'"));
	g_assert_true(dump_has_line(&cfg, "[Trace]/CommandTraceFile='/tmp/flom_command.trc'"));
	g_assert_true(dump_has_line(&cfg, "[Trace]/AppendTraceFile=1"));
	g_assert_true(dump_has_line(&cfg, "[Trace]/Verbose=1"));
	g_assert_true(dump_has_line(&cfg, "[Resource]/Name='MYRES'"));
	g_assert_true(dump_has_line(&cfg, "[Resource]/Create=0"));
	g_assert_true(dump_has_line(&cfg, "[Resource]/LockMode=3"));
	g_assert_true(dump_has_line(&cfg, "[Daemon]/SocketName='/tmp/foo'"));
	g_assert_true(dump_has_line(&cfg, "[Monitor]/IgnoredSignals='SIGQUIT;SIGTERM'"));
	g_assert_true(dump_has_line(&cfg, "[TLS]/TlsCheckPeerId=1"));
	g_assert_true(dump_has_line(&cfg, "[Monitor]/OnLockLost='warn'"));
	g_assert_true(dump_has_line(&cfg, "[Daemon]/AllowRemoteManagement=1"));
	vfs_line = g_strdup_printf("[Daemon]/MountPointVFS='%s'", vfs);
	g_assert_true(dump_has_line(&cfg, vfs_line));
	{
		g_autofree char *real = realpath(pem, NULL);
		tls_line = g_strdup_printf("[TLS]/TlsCertificate='%s'", real);
	}
	g_assert_true(dump_has_line(&cfg, tls_line));
	g_assert_cmpuint(cfg.ignored_signals, ==, (1u << 3) | (1u << 15));
	g_assert_cmpint(cfg.on_lock_lost, ==, FLOM_ON_LOCK_LOST_WARN);
	config_clear(&cfg);
}

/* Relative trace paths are accepted, as by the original, and taken from the
 * working directory at start-up (the daemon later runs in /), on the command
 * line and in files alike. */
static void test_relative_trace_paths(void)
{
	g_autofree char *cwd = g_get_current_dir();
	g_autofree char *conf = write_file("rel.conf", "[Trace]\nCommandTraceFile=sub/../c.trc\n");
	g_autofree char *here = NULL, *want_t = NULL, *want_c = NULL;
	flom_config cfg;
	GError *err = NULL;

	env_reset();
	g_assert_cmpint(chdir(tmpdir), ==, 0);
	here = g_get_current_dir();
	want_t = g_build_filename(here, "rel", "daemon.trc", NULL);
	want_c = g_build_filename(here, "c.trc", NULL);
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "-t", "rel/daemon.trc", "-c", conf, NULL), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpstr(cfg.daemon_trace_file, ==, want_t);
	g_assert_cmpstr(cfg.command_trace_file, ==, want_c);
	config_clear(&cfg);
	g_assert_cmpint(chdir(cwd), ==, 0);
}

/* "grep Lifespan" on the dump gives exactly these two lines, in this order. */
static void test_dump_lifespan(void)
{
	flom_config cfg;
	GError *err = NULL;
	g_autofree char *dump = NULL;
	g_auto(GStrv) lines = NULL;
	GString *hits = g_string_new(NULL);

	env_reset();
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "-V", "-d", "231", "--", "ls", NULL), ==, 0);
	dump = dump_of(&cfg);
	lines = g_strsplit(dump, "\n", -1);
	for (char **l = lines; *l; l++) {
		if (strstr(*l, "Lifespan"))
			g_string_append_printf(hits, "%s\n", *l);
	}
	g_assert_cmpstr(hits->str, ==, "[Resource]/IdleLifespan=0\n[Daemon]/Lifespan=231\n");
	g_string_free(hits, TRUE);
	config_clear(&cfg);
}

static void assert_command(flom_config *cfg, const char *const *expected)
{
	g_assert_nonnull(cfg->command);
	g_assert_cmpuint(g_strv_length(cfg->command), ==, g_strv_length((char **)expected));
	for (guint i = 0; expected[i]; i++)
		g_assert_cmpstr(cfg->command[i], ==, expected[i]);
}

static void test_separator(void)
{
	static const char *const nested[] = { "flom", "-r", "B", "--", "ls", "-l", "--", NULL };
	static const char *const words[] = { "ls", NULL };
	static const char *const mixed[] = { "ls", "-x", "--", NULL };
	static const char *const dash[] = { "-", "-r", NULL };
	flom_config cfg;
	GError *err = NULL;

	env_reset();
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "-r", "A", "--", "flom", "-r", "B", "--", "ls", "-l", "--", NULL), ==, 0);
	g_assert_cmpstr(cfg.resource_name, ==, "A");
	assert_command(&cfg, nested);
	config_clear(&cfg);

	/* Words before "--" are the command; options after them are still ours. */
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "ls", "-l", "PR", NULL), ==, 0);
	g_assert_cmpint(cfg.lock_mode, ==, FLOM_LOCK_MODE_PR);
	assert_command(&cfg, words);
	config_clear(&cfg);

	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "ls", "--", "-x", "--", NULL), ==, 0);
	g_assert_false(cfg.quiesce_exit);
	assert_command(&cfg, mixed);
	config_clear(&cfg);

	/* A lone "-" is a word; negative values of short options are values. */
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "-o", "-1", "-d", "-1", "-", "--", "-r", NULL), ==, 0);
	g_assert_cmpint(cfg.daemon_lifespan, ==, -1);
	assert_command(&cfg, dash);
	config_clear(&cfg);

	/* No command at all. */
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "-V", "--", NULL), ==, 0);
	g_assert_null(cfg.command);
	config_clear(&cfg);

	/* "--" as the value of an option, as GOption takes it: an invalid boolean. */
	{
		g_autofree char *msg = load_error("-V", "--tls-check-peer-id", "--", "ls", NULL);
		g_assert_cmpstr(msg, ==, "option --tls-check-peer-id: '--' is an invalid value: "
			"use yes or no (y/n, true/false, 1/0)");
	}
	/* A short option with "--" as its value, then a clustered -Vd. */
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "-a", "--", "-Vd", "7", "--", "true", NULL), ==, 0);
	g_assert_cmpstr(cfg.unicast_address, ==, "--");
	g_assert_true(cfg.verbose);
	g_assert_cmpint(cfg.daemon_lifespan, ==, 7);
	config_clear(&cfg);
}

static void test_flags(void)
{
	flom_config cfg;
	GError *err = NULL;

	env_reset();
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "-x", "--foreground", "--debug-feature=ipv6.multicast.server",
				  NULL), ==, 0);
	g_assert_true(cfg.quiesce_exit);
	g_assert_false(cfg.immediate_exit);
	g_assert_true(cfg.foreground);
	g_assert_cmpstr(cfg.debug_feature, ==, "ipv6.multicast.server");
	config_clear(&cfg);

	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "--immediate-exit", "--signal-list", "-v", "--unique-id", NULL), ==, 0);
	g_assert_true(cfg.immediate_exit && cfg.signal_list && cfg.show_version && cfg.print_unique_id);
	config_clear(&cfg);
}

static void rm_rf(const char *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (dir) {
		while ((name = g_dir_read_name(dir))) {
			g_autofree char *child = g_build_filename(path, name, NULL);
			rm_rf(child);
		}
		g_dir_close(dir);
	}
	g_remove(path);
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("test_config.XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	g_test_add_func("/config/defaults", test_defaults);
	g_test_add_func("/config/parse/bool", test_parse_bool);
	g_test_add_func("/config/parse/lock_mode", test_parse_lock_mode);
	g_test_add_func("/config/parse/signal", test_parse_signal);
	g_test_add_func("/config/print/signal_list", test_signal_list);
	g_test_add_func("/config/print/version", test_version);
	g_test_add_func("/config/cli/numbers", test_numbers);
	g_test_add_func("/config/cli/bad_values", test_bad_values);
	g_test_add_func("/config/cli/long_socket_name", test_long_socket_name);
	g_test_add_func("/config/cli/unknown_option", test_unknown_option);
	g_test_add_func("/config/cli/good_values", test_good_values);
	g_test_add_func("/config/cli/relative_trace_paths", test_relative_trace_paths);
	g_test_add_func("/config/cli/dump_lifespan", test_dump_lifespan);
	g_test_add_func("/config/cli/separator", test_separator);
	g_test_add_func("/config/cli/flags", test_flags);
	config_load_add_tests();
	rc = g_test_run();
	rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}