/*
 * flom: the effective configuration: consistency checks, the -V dump,
 * version and signal list, this host's identity.
 *
 * The configuration's rooms: config_table.c (the one table of settings and
 * the defaults), config_value.c (value parsers), config_file.c (key files),
 * config_cli.c (the command line and config_load), and this file.
 */
#include "config.h"
#include "config_private.h"
#include "rsrc_name.h"
#include "tls.h"
#include "trace.h"

#include <errno.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "1.7.2"
#endif

/* ------------------------------------------------------------------------ */
/* consistency                                                               */

static int check_transport(const flom_config *cfg, GError **err)
{
	if (cfg->etcd_endpoints && (cfg->socket_name || cfg->unicast_address || cfg->multicast_address)) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "with etcd endpoints (%s) the locks live in etcd: a daemon's socket name or "
			    "address can not be configured at the same time", cfg->etcd_endpoints);
		return -1;
	}
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

gboolean config_tls_enabled(const flom_config *cfg)
{
	return cfg->tls_certificate && cfg->tls_private_key && cfg->tls_ca_certificate;
}

static int check_tls(const flom_config *cfg, GError **err)
{
	const char *needs = cfg->tls_check_peer_id ? "tls-check-peer-id"
			    : cfg->tls_allowed_manager_ids ? "tls-allowed-manager-ids" : NULL;

	if (needs && !config_tls_enabled(cfg)) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "%s needs tls-certificate, tls-private-key and tls-ca-certificate", needs);
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
	problem = config_resource_name_problem(cfg->resource_name);
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

/* Words for a role that runs no command are a mistake, not to be dropped
 * silently (flom -x extra words). */
static int check_no_command(const flom_config *cfg, GError **err)
{
	const char *role = cfg->foreground ? "--foreground runs a daemon" :
			   cfg->quiesce_exit ? "-x asks the daemon to exit" :
			   cfg->immediate_exit ? "-X asks the daemon to exit" :
			   cfg->debug_feature ? "--debug-feature runs a self-test" : NULL;
	g_autofree char *words = NULL;

	if (!role || !cfg->command)
		return 0;
	words = g_strjoinv(" ", cfg->command);
	g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
		    "%s and takes no command (got '%s')", role, words);
	return -1;
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
	if (cfg->status && cfg->command) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "--status takes no command");
		return -1;
	}
	if (check_no_command(cfg, err) < 0)
		return -1;
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
			fprintf(out, "%s%s", sep, config_signal_names[i]);
			sep = ";";
		}
	}
	fputc('\'', out);
}

static void key_dump(const config_key *k, const flom_config *cfg, FILE *out)
{
	const void *f = config_key_field(k, cfg);

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
	for (size_t i = 0; i < config_n_keys; i++) {
		if (config_keys[i].group)
			key_dump(&config_keys[i], cfg, out);
	}
	fflush(out);
}

void config_print_signal_list(FILE *out)
{
	for (int i = 1; i <= 31; i++) {
		fprintf(out, "%d) %s\t", i, config_signal_names[i]);
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
	fprintf(out, "TLS supported protocol(s): %s\n", tls_protocols());
	fputs("Same options, configuration files, exit statuses and wire protocol as FLoM 1.7.2\n", out);
	fputs("Documentation: man flom\n", out);
}

/* ------------------------------------------------------------------------ */
/* identity                                                                  */

const char *config_user_name(void)
{
	/* Looked up once: a lookup reads nsswitch.conf and the password file
	 * (or asks nscd), and a client needs the name twice. */
	static char *name;
	static gboolean looked_up;

	if (!looked_up) {
		struct passwd *pw = getpwuid(getuid());

		name = pw && pw->pw_name && *pw->pw_name ? g_strdup(pw->pw_name) : NULL;
		looked_up = TRUE;
	}
	return name;
}

char *config_default_socket_name(void)
{
	const char *user = config_user_name();

	return g_strconcat("/tmp/flom-", user ? user : "nobody", NULL);
}

/* The id in PATH when it holds 32 hex digits (lower-cased), else NULL. */
static char *unique_id_read(const char *path)
{
	g_autofree char *text = NULL;
	char *id;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	id = g_strstrip(text);
	if (strlen(id) != FLOM_UNIQUE_ID_LEN)
		return NULL;
	for (const char *c = id; *c; c++) {
		if (!g_ascii_isxdigit(*c))
			return NULL;
	}
	return g_ascii_strdown(id, -1);
}

static char *unique_id_random(void)
{
	char *id = g_malloc(FLOM_UNIQUE_ID_LEN + 1);

	for (int i = 0; i < FLOM_UNIQUE_ID_LEN; i++)
		id[i] = "0123456789abcdef"[g_random_int_range(0, 16)];
	id[FLOM_UNIQUE_ID_LEN] = '\0';
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
