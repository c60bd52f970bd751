/*
 * flom: the command line (GOptionContext), driven by the table of settings.
 */
#include "config.h"
#include "config_private.h"

#include <string.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

/* ------------------------------------------------------------------------ */
/* command line                                                              */

typedef struct cli_state {
	flom_config cli;            /* values given on the command line */
	gboolean *given;            /* config_n_keys flags: option given */
	char *config_file;
	GPtrArray *words;           /* non-option words before "--" */
} cli_state;

static const config_key *key_by_option(const char *name)
{
	for (size_t i = 0; i < config_n_keys; i++) {
		const config_key *k = &config_keys[i];

		if (name[1] == '-' ? (k->long_name && strcmp(name + 2, k->long_name) == 0)
				   : (k->short_name && name[1] == k->short_name && name[2] == '\0'))
			return k;
	}
	return NULL;
}

/* Whether the option consumes the next word (an optional argument, as in
 * --status=json, is only ever attached). */
static gboolean key_takes_arg(const config_key *k)
{
	return k->type != KT_FLAG && k->type != KT_STATUS && !(k->flags & KF_CLI_FLAG);
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
		*(gboolean *)config_key_field(k, &st->cli) = TRUE;
	else
		reason = config_key_parse(k, value ? value : "", &st->cli, TRUE);
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
	GOptionEntry *entries = g_new0(GOptionEntry, config_n_keys + 2);
	size_t n = 0;

	for (size_t j = 0; j < 2 * config_n_keys; j++) {
		const config_key *k = &config_keys[j % config_n_keys];
		GOptionEntry *e = &entries[n];

		if (!k->long_name || (j < config_n_keys) != (k->group == NULL))
			continue;
		e->long_name = k->long_name;
		e->short_name = k->short_name;
		e->flags = key_takes_arg(k) ? G_OPTION_FLAG_FILENAME : G_OPTION_FLAG_NO_ARG;
		if (k->type == KT_STATUS)
			e->flags = G_OPTION_FLAG_OPTIONAL_ARG;
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
	g_free(st->given);
	if (st->words)
		g_ptr_array_free(st->words, TRUE);
}

/* Command line values over CFG; every given option wins, whatever its value. */
static void cli_apply(const cli_state *st, flom_config *cfg)
{
	for (size_t i = 0; i < config_n_keys; i++) {
		if (st->given[i])
			config_key_copy(&config_keys[i], cfg, &st->cli);
	}
	g_strfreev(cfg->command);
	cfg->command = NULL;
	if (st->words->len > 0) {
		cfg->command = g_new0(char *, st->words->len + 1);
		for (guint i = 0; i < st->words->len; i++)
			cfg->command[i] = g_strdup(g_ptr_array_index(st->words, i));
	}
}


int config_load(flom_config *cfg, int argc, char **argv, GError **err)
{
	cli_state st = { .words = g_ptr_array_new_with_free_func(g_free),
			 .given = g_new0(gboolean, config_n_keys) };
	int rc = -1;

	if (cli_parse(&st, argc, argv, err) < 0)
		goto out;
	/* -v, --signal-list and --unique-id work even with a broken file. */
	if (!st.cli.show_version && !st.cli.signal_list && !st.cli.print_unique_id &&
	    config_load_files(st.config_file, cfg, err) < 0)
		goto out;
	cli_apply(&st, cfg);
	rc = 0;
out:
	cli_state_clear(&st);
	return rc;
}

