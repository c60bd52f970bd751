/*
 * Unit tests of the configuration, second part: key files, layering,
 * config_check and the unique id (the fixture is in config_fx.c).
 */
#include "config_fx.h"

#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* key files                                                                 */

static void test_file_layers(void)
{
	g_autofree char *a = write_file("a.conf",
		"[Resource]\nTimeout=250\nQuantity=3\nLockMode=PR\n[Daemon]\nLifespan=100\n"
		"[Monitor]\nIgnoredSignals=SIGQUIT;SIGTERM\n");
	/* no [Resource] or [Network] group: fine here, fatal in the original */
	g_autofree char *b = write_file("b.conf",
		"# comment\n[Daemon]\nLifespan=200\nUnicastPort=27750\n[Monitor]\nIgnoredSignals=1\n"
		"[Trace]\nVerbose=TRUE\nAppendTraceFile=n\n[Unknown]\nKey=1\n[Resource]\nWait=yes\n");
	flom_config cfg;
	GError *err = NULL;

	config_init(&cfg);
	g_assert_cmpint(config_load_file(&cfg, a, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpint(config_load_file(&cfg, b, &err), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpint(cfg.resource_timeout, ==, 250);     /* from a */
	g_assert_cmpint(cfg.resource_quantity, ==, 3);      /* from a */
	g_assert_cmpint(cfg.lock_mode, ==, FLOM_LOCK_MODE_PR);
	g_assert_cmpint(cfg.daemon_lifespan, ==, 200);      /* b over a */
	g_assert_cmpint(cfg.unicast_port, ==, 27750);
	g_assert_cmpuint(cfg.ignored_signals, ==, 1u << 1); /* b replaces a's list */
	g_assert_true(cfg.verbose);
	g_assert_false(cfg.append_trace_file);
	g_assert_cmpint(cfg.multicast_port, ==, FLOM_DEFAULT_PORT); /* untouched */
	config_clear(&cfg);
}

static void test_file_errors(void)
{
	static const struct { const char *content, *reason; } bad[] = {
		{ "[Resource]\nCreate=maybe\n", "[Resource] Create: 'maybe' is an invalid value" },
		{ "[Resource]\nLockMode=XX\n", "[Resource] LockMode: 'XX' is an invalid value" },
		{ "[Resource]\nQuantity=0\n", "[Resource] Quantity: resource quantity must be >= 1" },
		{ "[Resource]\nName=a b\n", "[Resource] Name: 'a b' is not a valid name for a resource" },
		{ "[Daemon]\nUnicastPort=abc\n", "[Daemon] UnicastPort: 'abc' is not an integer" },
		{ "[Daemon]\nSocketName=rel\n", "[Daemon] SocketName: 'rel' is not an absolute path" },
		{ "[Daemon]\nMountPointVFS=/no/such/dir\n", "[Daemon] MountPointVFS:" },
		{ "[Monitor]\nIgnoredSignals=SIGTERM;SIGFOO\n", "[Monitor] IgnoredSignals: 'SIGFOO' is not a signal" },
		{ "[Monitor]\nOnLockLost=explode\n", "[Monitor] OnLockLost: 'explode' is an invalid value" },
		{ "[Network]\nDiscoveryTTL=-1\n", "[Network] DiscoveryTTL: discovery TTL must be between 1 and 255" },
		{ "[Network]\nNetworkInterface=nosuchiface0\n", "[Network] NetworkInterface:" },
		{ "[TLS]\nTlsPrivateKey=/no/such.pem\n", "[TLS] TlsPrivateKey: '/no/such.pem' is not a valid file" },
		{ "[TLS]\nTlsCheckPeerId=1x\n", "[TLS] TlsCheckPeerId: '1x' is an invalid value" },
		{ "this is not a key file\n", "cannot read configuration file" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *path = write_file("bad.conf", bad[i].content);
		flom_config cfg;
		GError *err = NULL;

		config_init(&cfg);
		g_assert_cmpint(config_load_file(&cfg, path, &err), ==, -1);
		g_assert_nonnull(err);
		g_assert_nonnull(strstr(err->message, path));
		g_assert_nonnull(strstr(err->message, bad[i].reason));
		g_assert_null(strchr(err->message, '\n'));
		g_error_free(err);
		config_clear(&cfg);
	}
}

/* _RESOURCE in a file is the default spelled out, not an error. */
static void test_file_default_name(void)
{
	g_autofree char *path = write_file("name.conf", "[Resource]\nName=_RESOURCE\n");
	flom_config cfg;
	GError *err = NULL;

	config_init(&cfg);
	g_assert_cmpint(config_load_file(&cfg, path, &err), ==, 0);
	g_assert_cmpstr(cfg.resource_name, ==, "_RESOURCE");
	config_clear(&cfg);
}

/* etc/flom.conf lists every key, commented out, with its built-in default. */
static void test_sample_file(void)
{
	const char *srcdir = g_getenv("FLOM_SRCDIR");
	g_autofree char *sample = NULL, *text = NULL, *uncommented = NULL, *path = NULL;
	g_autofree char *defaults = NULL, *loaded = NULL;
	g_autoptr(GRegex) re = NULL;
	g_auto(GStrv) lines = NULL;
	flom_config cfg;
	GError *err = NULL;

	if (!srcdir) {
		g_test_skip("FLOM_SRCDIR is not set");
		return;
	}
	sample = g_build_filename(srcdir, "etc", "flom.conf", NULL);
	g_assert_true(g_file_get_contents(sample, &text, NULL, NULL));
	config_init(&cfg);
	g_assert_cmpint(config_load_file(&cfg, sample, &err), ==, 0);
	defaults = dump_of(&cfg);
	config_clear(&cfg);

	/* Every key of the dump is in the sample... */
	lines = g_strsplit(defaults, "\n", -1);
	for (char **l = lines; *l && **l; l++) {
		g_autofree char *key = g_strndup(strstr(*l, "]/") + 2, strcspn(strstr(*l, "]/") + 2, "="));
		g_autofree char *needle = g_strdup_printf("\n#%s=", key);
		g_assert_nonnull(strstr(text, needle));
	}
	/* ...and uncommented, the sample changes nothing. */
	re = g_regex_new("^#([A-Za-z]+=)", G_REGEX_MULTILINE, 0, NULL);
	uncommented = g_regex_replace(re, text, -1, 0, "\\1", 0, NULL);
	path = write_file("sample.conf", uncommented);
	config_init(&cfg);
	g_assert_cmpint(config_load_file(&cfg, path, &err), ==, 0);
	g_assert_no_error(err);
	loaded = dump_of(&cfg);
	g_assert_cmpstr(loaded, ==, defaults);
	config_clear(&cfg);
}

/* defaults < system < user < -c < command line, key by key. */
static void test_load_layers(void)
{
	g_autofree char *sys = write_file("system.conf",
		"[Resource]\nTimeout=250\nName=sysres\n[Daemon]\nLifespan=100\nUnicastPort=1000\n"
		"[Network]\nDiscoveryAttempts=5\n");
	g_autofree char *extra = write_file("extra.conf", "[Daemon]\nUnicastPort=3000\n[Network]\nDiscoveryTTL=7\n");
	flom_config cfg;
	GError *err = NULL;

	env_reset();
	g_setenv("FLOM_SYSTEM_CONFIG", sys, TRUE);
	write_user_file("[Daemon]\nLifespan=200\nUnicastPort=2000\n");
	config_init(&cfg);
	/* -o -1, -D 2 and -P 28015 equal the built-in defaults: they still win. */
	g_assert_cmpint(load_args(&cfg, &err, "-c", extra, "-o", "-1", "-D", "2", "-P", "28015",
				  "--", "ls", NULL), ==, 0);
	g_assert_no_error(err);
	g_assert_cmpstr(cfg.resource_name, ==, "sysres");       /* system */
	g_assert_cmpint(cfg.daemon_lifespan, ==, 200);          /* user over system */
	g_assert_cmpint(cfg.unicast_port, ==, 3000);            /* -c over user */
	g_assert_cmpint(cfg.discovery_ttl, ==, 7);              /* -c */
	g_assert_cmpint(cfg.resource_timeout, ==, -1);          /* command line over system */
	g_assert_cmpint(cfg.discovery_attempts, ==, 2);         /* command line over system */
	g_assert_cmpint(cfg.multicast_port, ==, 28015);
	config_clear(&cfg);
	g_unsetenv("FLOM_SYSTEM_CONFIG");
}

static void test_load_file_errors(void)
{
	g_autofree char *missing = g_build_filename(tmpdir, "missing.conf", NULL);
	g_autofree char *sys = write_file("badsys.conf", "[Resource]\nCreate=perhaps\n");
	g_autofree char *msg = NULL, *msg2 = NULL, *msg3 = NULL;
	flom_config cfg;
	GError *err = NULL;

	env_reset();
	msg = load_error("-c", missing, "--", "ls", NULL);
	g_assert_nonnull(strstr(msg, missing));
	g_assert_nonnull(strstr(msg, "cannot read configuration file"));

	/* A missing system or user file is skipped. */
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "--", "ls", NULL), ==, 0);
	config_clear(&cfg);

	/* A broken user file is fatal, naming it and the key... */
	write_user_file("[Daemon]\nLifespan=soon\n");
	msg2 = load_error("--", "ls", NULL);
	g_assert_nonnull(strstr(msg2, ".flom: [Daemon] Lifespan: 'soon' is not an integer"));
	/* ...but -v, --signal-list and --unique-id do not read files. */
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "-v", NULL), ==, 0);
	g_assert_true(cfg.show_version);
	config_clear(&cfg);

	env_reset();
	g_setenv("FLOM_SYSTEM_CONFIG", sys, TRUE);
	msg3 = load_error("--", "ls", NULL);
	g_assert_nonnull(strstr(msg3, "badsys.conf: [Resource] Create: 'perhaps' is an invalid value"));
	g_unsetenv("FLOM_SYSTEM_CONFIG");
}

/* Files replace the signal list; --ignore-signal options replace the files'. */
static void test_signals_layers(void)
{
	flom_config cfg;
	GError *err = NULL;

	env_reset();
	write_user_file("[Monitor]\nIgnoredSignals=SIGQUIT;SIGTERM\n");
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "--ignore-signal=SIGINT", "--", "ls", NULL), ==, 0);
	g_assert_cmpuint(cfg.ignored_signals, ==, 1u << 2);
	config_clear(&cfg);

	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "--", "ls", NULL), ==, 0);
	g_assert_true(dump_has_line(&cfg, "[Monitor]/IgnoredSignals='SIGQUIT;SIGTERM'"));
	config_clear(&cfg);
}

/* ------------------------------------------------------------------------ */
/* config_check                                                              */

static char *check_error(flom_config *cfg)
{
	GError *err = NULL;
	char *msg;

	g_assert_cmpint(config_check(cfg, &err), ==, -1);
	g_assert_nonnull(err);
	g_assert_null(strchr(err->message, '\n'));
	msg = g_strdup(err->message);
	g_error_free(err);
	return msg;
}

static void test_check_discovery_attempts(void)
{
	flom_config cfg;
	g_autofree char *msg = NULL;

	config_init(&cfg);
	cfg.discovery_attempts = 0;
	msg = check_error(&cfg);
	g_assert_nonnull(strstr(msg, "discovery attempts must not be 0"));
	config_clear(&cfg);
}

/* A configuration with nothing set passes and gets the default socket. */
static void check_defaults(void)
{
	flom_config cfg;
	GError *err = NULL;
	g_autofree char *def = config_default_socket_name();

	g_assert_true(g_str_has_prefix(def, "/tmp/flom-"));
	g_assert_cmpuint(strlen(def), >, strlen("/tmp/flom-"));

	config_init(&cfg);
	g_assert_cmpint(config_check(&cfg, &err), ==, 0);
	g_assert_cmpstr(cfg.socket_name, ==, def);
	g_assert_nonnull(cfg.unique_id);
	g_assert_cmpuint(strlen(cfg.unique_id), ==, 32);
	config_clear(&cfg);
}

/* A UNIX socket excludes the network modes. */
static void check_modes(void)
{
	flom_config cfg;
	GError *err = NULL;
	g_autofree char *m1 = NULL, *m1b = NULL;

	config_init(&cfg);
	cfg.socket_name = g_strdup("/tmp/foo");
	cfg.unicast_address = g_strdup("192.0.2.1");
	m1 = check_error(&cfg);
	g_assert_nonnull(strstr(m1, "local (UNIX socket) and network"));
	config_clear(&cfg);

	config_init(&cfg);
	cfg.socket_name = g_strdup("/tmp/foo");
	cfg.multicast_address = g_strdup("239.255.0.1");
	m1b = check_error(&cfg);
	g_assert_nonnull(strstr(m1b, "multicast address '239.255.0.1'"));
	config_clear(&cfg);

	/* Network modes get no default socket. */
	config_init(&cfg);
	cfg.multicast_address = g_strdup("ff02::1");
	g_assert_cmpint(config_check(&cfg, &err), ==, 0);
	g_assert_null(cfg.socket_name);
	config_clear(&cfg);
}

/* The TLS options and what they need. */
static void check_tls(void)
{
	flom_config cfg;
	GError *err = NULL;
	g_autofree char *m2 = NULL, *m3 = NULL;

	config_init(&cfg);
	cfg.tls_check_peer_id = TRUE;
	cfg.tls_certificate = g_strdup("/a.pem");
	m2 = check_error(&cfg);
	g_assert_nonnull(strstr(m2, "tls-check-peer-id needs"));
	config_clear(&cfg);

	/* The three files: TLS on (the files are read when used). */
	config_init(&cfg);
	cfg.tls_certificate = g_strdup("/a.pem");
	cfg.tls_private_key = g_strdup("/b.pem");
	cfg.tls_ca_certificate = g_strdup("/c.pem");
	g_assert_cmpint(config_check(&cfg, &err), ==, 0);
	g_assert_true(config_tls_enabled(&cfg));
	config_clear(&cfg);

	config_init(&cfg);
	cfg.tls_allowed_manager_ids = g_strdup("0123");
	m3 = check_error(&cfg);
	g_assert_nonnull(strstr(m3, "tls-allowed-manager-ids needs"));
	config_clear(&cfg);

	/* One or two TLS files: no TLS, no error (as the original). */
	config_init(&cfg);
	cfg.tls_certificate = g_strdup("/a.pem");
	cfg.tls_private_key = g_strdup("/b.pem");
	g_assert_cmpint(config_check(&cfg, &err), ==, 0);
	config_clear(&cfg);
}

/* A bad resource name; --foreground with a command. */
static void check_resource_and_command(void)
{
	flom_config cfg;
	g_autofree char *m4 = NULL, *m5 = NULL;

	config_init(&cfg);
	g_free(cfg.resource_name);
	cfg.resource_name = g_strdup("bad name");
	m4 = check_error(&cfg);
	g_assert_cmpstr(m4, ==, "'bad name' is not a valid name for a resource");
	config_clear(&cfg);

	config_init(&cfg);
	cfg.foreground = TRUE;
	cfg.command = g_strsplit("ls", " ", -1);
	m5 = check_error(&cfg);
	g_assert_nonnull(strstr(m5, "--foreground"));
	config_clear(&cfg);
}

static void test_check(void)
{
	check_defaults();
	check_modes();
	check_tls();
	check_resource_and_command();
}

static void test_check_normalise(void)
{
	static const struct { const char *name; flom_lock_mode mode; gint64 quantity; } cases[] = {
		{ "simple", FLOM_LOCK_MODE_PR, 1 },
		{ "/hier/path", FLOM_LOCK_MODE_PR, 1 },
		{ "num[5]", FLOM_LOCK_MODE_EX, 3 },
		{ "red.green", FLOM_LOCK_MODE_EX, 1 },
		{ "_s_seq[2]", FLOM_LOCK_MODE_EX, 1 },
		{ "_t_%T[1]", FLOM_LOCK_MODE_EX, 1 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		flom_config cfg;
		GError *err = NULL;

		config_init(&cfg);
		g_free(cfg.resource_name);
		cfg.resource_name = g_strdup(cases[i].name);
		cfg.lock_mode = FLOM_LOCK_MODE_PR;
		cfg.resource_quantity = 3;
		g_assert_cmpint(config_check(&cfg, &err), ==, 0);
		g_assert_cmpint(cfg.lock_mode, ==, cases[i].mode);
		g_assert_cmpint(cfg.resource_quantity, ==, cases[i].quantity);
		config_clear(&cfg);
	}
}

static void test_check_interface(void)
{
	flom_config cfg;
	GError *err = NULL;

	if (if_nametoindex("lo") == 0) {
		g_test_skip("no loopback interface");
		return;
	}
	env_reset();
	config_init(&cfg);
	g_assert_cmpint(load_args(&cfg, &err, "-n", "lo", "-A", "ff02::1", NULL), ==, 0);
	g_assert_cmpint(config_check(&cfg, &err), ==, 0);
	g_assert_cmpuint(cfg.network_interface_index, ==, if_nametoindex("lo"));
	g_assert_true(dump_has_line(&cfg, "[Network]/NetworkInterface='lo'"));
	config_clear(&cfg);
}

/* ------------------------------------------------------------------------ */
/* unique id                                                                 */

static void test_unique_id(void)
{
	g_autofree char *bad = write_file("bad-id", "not an id\n");
	g_autofree char *upper = write_file("upper-id", "0123456789ABCDEF0123456789ABCDEF\n");
	g_autofree char *keep = g_build_filename(tmpdir, "kept-id", NULL);
	const char *const from_upper[] = { bad, upper, NULL };
	const char *const none[] = { bad, "/no/such/machine-id", NULL };
	g_autofree char *id1 = NULL, *id2 = NULL, *id3 = NULL, *sys = NULL;
	g_autofree char *kept = NULL;

	env_reset();
	id1 = config_unique_id_search(from_upper, keep);
	g_assert_cmpstr(id1, ==, "0123456789abcdef0123456789abcdef");
	g_assert_false(g_file_test(keep, G_FILE_TEST_EXISTS));

	g_assert_null(config_unique_id_search(none, NULL));
	id2 = config_unique_id_search(none, keep);
	g_assert_cmpuint(strlen(id2), ==, 32);
	g_assert_true(g_file_get_contents(keep, &kept, NULL, NULL));
	g_assert_true(g_str_has_prefix(kept, id2));
	id3 = config_unique_id_search(none, keep);
	g_assert_cmpstr(id3, ==, id2);          /* generated once, then kept */

	sys = config_unique_id();
	g_assert_cmpuint(strlen(sys), ==, 32);
	for (const char *c = sys; *c; c++)
		g_assert_true(g_ascii_isxdigit(*c) && !g_ascii_isupper(*c));
}

void config_load_add_tests(void)
{
	g_test_add_func("/config/file/layers", test_file_layers);
	g_test_add_func("/config/file/errors", test_file_errors);
	g_test_add_func("/config/file/default_name", test_file_default_name);
	g_test_add_func("/config/file/sample", test_sample_file);
	g_test_add_func("/config/load/layers", test_load_layers);
	g_test_add_func("/config/load/file_errors", test_load_file_errors);
	g_test_add_func("/config/load/signals", test_signals_layers);
	g_test_add_func("/config/check/errors", test_check);
	g_test_add_func("/config/check/discovery_attempts", test_check_discovery_attempts);
	g_test_add_func("/config/check/normalise", test_check_normalise);
	g_test_add_func("/config/check/interface", test_check_interface);
	g_test_add_func("/config/unique_id", test_unique_id);
}
