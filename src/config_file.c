/*
 * flom: configuration files (GKeyFile): the system's, the user's, -c FILE.
 */
#include "config.h"
#include "config_private.h"
#include "trace.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

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
	if (!config_key_is_string(k->type))
		g_strstrip(v);
	reason = config_key_parse(k, v, cfg, FALSE);
	if (reason) {
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "%s: [%s] %s: %s",
			    path, k->group, k->key, reason);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* keys flom does not know: a warning each, not silence (Timout=5000)       */

static gboolean known_group(const char *group)
{
	for (size_t i = 0; i < config_n_keys; i++) {
		if (config_keys[i].group && strcmp(config_keys[i].group, group) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Edit distance of A and B, counted up to 3 (enough to tell a typo). */
static int typo_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int prev[FLOM_CONFIG_KEY_MAX + 1], cur[FLOM_CONFIG_KEY_MAX + 1];

	if (la > FLOM_CONFIG_KEY_MAX || lb > FLOM_CONFIG_KEY_MAX || (la > lb ? la - lb : lb - la) > 2)
		return 3;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (g_ascii_tolower(a[i - 1]) != g_ascii_tolower(b[j - 1]));

			cur[j] = MIN(sub, MIN(prev[j], cur[j - 1]) + 1);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return MIN(prev[lb], 3);
}

/* The key KEY probably meant, in GROUP or elsewhere: " (did you mean ...?)". */
static char *key_suggestion(const char *group, const char *key)
{
	const config_key *best = NULL;
	int best_d = 3;

	for (size_t i = 0; i < config_n_keys; i++) {
		const config_key *k = &config_keys[i];
		int d;

		if (!k->group)
			continue;
		d = typo_distance(key, k->key) + (strcmp(k->group, group) != 0);
		if (d < best_d) {
			best = k;
			best_d = d;
		}
	}
	if (!best)
		return g_strdup("");
	if (strcmp(best->group, group) == 0)
		return g_strdup_printf(" (did you mean '%s'?)", best->key);
	return g_strdup_printf(" (did you mean '%s' in [%s]?)", best->key, best->group);
}

/* One warning per unknown group and per unknown key of a known group, with
 * the line of TEXT it is on; the value is not looked at. */
static void warn_unknown_keys(const char *path, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autofree char *group = NULL;

	for (int n = 0; lines[n]; n++) {
		char *l = g_strstrip(lines[n]), *eq;

		if (*l == '[' && strchr(l, ']')) {
			g_free(group);
			group = g_strndup(l + 1, strchr(l, ']') - l - 1);
			if (!known_group(group))
				fprintf(stderr, "flom: %s:%d: unknown group [%s], its keys are ignored\n",
					path, n + 1, group);
			continue;
		}
		eq = strchr(l, '=');
		if (!group || *l == '#' || !eq || !known_group(group))
			continue;
		*eq = '\0';
		g_strchomp(l);
		if (!strchr(l, '[') && !config_key_find(group, l)) {
			g_autofree char *hint = key_suggestion(group, l);

			fprintf(stderr, "flom: %s:%d: unknown key '%s' in [%s], ignored%s\n", path, n + 1,
				l, group, hint);
		}
	}
}

int config_load_file(flom_config *cfg, const char *path, GError **err)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) e = NULL;
	g_autofree char *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, &e) ||
	    !g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &e)) {
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
			    "cannot read configuration file '%s': %s", path, e->message);
		return -1;
	}
	for (size_t i = 0; i < config_n_keys; i++) {
		if (config_keys[i].group && load_key(kf, path, &config_keys[i], cfg, err) < 0)
			return -1;
	}
	warn_unknown_keys(path, text);
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


int config_load_files(const char *config_file, flom_config *cfg, GError **err)
{
	const char *sys = g_getenv("FLOM_SYSTEM_CONFIG");
	g_autofree char *user = user_config_path();

	if (load_optional_file(cfg, sys ? sys : SYSCONFDIR "/flom.conf", err) < 0)
		return -1;
	if (load_optional_file(cfg, user, err) < 0)
		return -1;
	if (config_file && config_load_file(cfg, config_file, err) < 0)
		return -1;
	return 0;
}
