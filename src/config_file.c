/*
 * flom: configuration files (GKeyFile): the system's, the user's, -c FILE.
 */
#include "config.h"
#include "config_private.h"
#include "trace.h"

#include <pwd.h>
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

int config_load_file(flom_config *cfg, const char *path, GError **err)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) e = NULL;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &e)) {
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
			    "cannot read configuration file '%s': %s", path, e->message);
		return -1;
	}
	for (size_t i = 0; i < config_n_keys; i++) {
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
