/*
 * flom: read the configuration once, then play exactly one role: print
 * something, run a debug feature, manage a daemon, be a daemon, or run a
 * command under a lock.
 */
#include "config.h"
#include "client.h"
#include "daemon.h"
#include "debug_features.h"
#include "proctitle.h"
#include "spawn.h"
#include "trace.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Print the error on stderr; the status every configuration error has. */
static int main_fail(GError *err)
{
	fprintf(stderr, "flom: %s\n", err->message);
	g_error_free(err);
	return FLOM_EXIT_GENERIC;
}

/* Options that only print: -1 when none was given. */
static int main_print_only(const flom_config *cfg)
{
	g_autofree char *id = NULL;

	if (cfg->show_version || cfg->signal_list) {
		if (cfg->show_version)
			config_print_version(stdout);
		if (cfg->signal_list)
			config_print_signal_list(stdout);
		return FLOM_EXIT_OK;
	}
	if (cfg->print_unique_id) {
		id = config_unique_id();
		printf("%s\n", id);
		return FLOM_EXIT_OK;
	}
	return -1;
}

/* Everything before a role starts: -1 to go on, else the exit status. */
static int main_prepare(flom_config *cfg, int argc, char **argv)
{
	GError *err = NULL;
	int rc;

	/* Before the files are read, so that loading them can be traced. */
	trace_init_from_env();
	if (config_load(cfg, argc, argv, &err) < 0)
		return main_fail(err);
	rc = main_print_only(cfg);
	if (rc >= 0)
		return rc;
	if (cfg->command_trace_file &&
	    trace_open_file_default(cfg->command_trace_file, cfg->append_trace_file,
				    TRACE_CLIENT, &err) < 0)
		return main_fail(err);
	/* Before the check, as the original: the dump shows what was configured,
	 * not the defaults and normalisations the check adds. --status -V
	 * prints the status alone (JSON stays one document). */
	if (cfg->verbose && !cfg->status)
		config_dump(cfg, stdout);
	if (config_check(cfg, &err) < 0)
		return main_fail(err);
	return -1;
}

static int main_run_role(const flom_config *cfg)
{
	if (cfg->debug_feature)
		return debug_features_run(cfg);
	if (cfg->quiesce_exit || cfg->immediate_exit) {
		if (cfg->verbose)
			printf("Starting FLoM daemon %s shutdown...\n", cfg->immediate_exit ? "immediate" : "quiesce");
		fflush(stdout);
		return client_manage(cfg);
	}
	if (cfg->status)
		return client_status(cfg);
	if (cfg->foreground)
		return daemon_run_foreground(cfg);
	if (!cfg->command) {
		fprintf(stderr, "No command to execute!\n");
		return FLOM_EXIT_CANT_EXECUTE;
	}
	fflush(stdout);
	/* The server a client starts when it finds none. */
	spawn_set_server(daemon_serve);
	return client_run(cfg);
}

/* Whether the user's character set can matter: an argument that is not
 * ASCII (glib converts option values from it) or a help request (glib's
 * usage line is not ASCII). Loading the locale costs a plain lock a tenth
 * of its start-up (the locale files, the alias file, gconv's cache). */
static gboolean main_needs_locale(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i];

		if (g_str_has_prefix(a, "--help") ||
		    (a[0] == '-' && a[1] != '-' && strpbrk(a, "h?")))
			return TRUE;
		for (; *a; a++)
			if ((unsigned char)*a >= 0x80)
				return TRUE;
	}
	return FALSE;
}

int main(int argc, char **argv)
{
	flom_config cfg;
	int rc;

	/* A peer that goes away must be an EPIPE error, not our death. */
	signal(SIGPIPE, SIG_IGN);
	/* Only the character set, so --help prints in the user's encoding;
	 * times and numbers stay in the C locale. */
	if (main_needs_locale(argc, argv))
		setlocale(LC_CTYPE, "");
	proctitle_init(argc, argv);
	config_init(&cfg);
	rc = main_prepare(&cfg, argc, argv);
	if (rc < 0)
		rc = main_run_role(&cfg);
	config_clear(&cfg);
	return rc;
}
