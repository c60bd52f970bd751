/* The configuration tests' shared fixture (see config_fx.h). */
#include "config_fx.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

char *tmpdir;

/* A file under the test's directory with CONTENT; returns its path. */
char *write_file(const char *name, const char *content)
{
	char *path = g_build_filename(tmpdir, name, NULL);

	g_assert_true(g_file_set_contents(path, content, -1, NULL));
	return path;
}

/* No system file, an empty home: only what a test writes is loaded. */
void env_reset(void)
{
	g_autofree char *sys = g_build_filename(tmpdir, "no-such-system.conf", NULL);
	g_autofree char *home = g_build_filename(tmpdir, "home", NULL);
	g_autofree char *user = g_build_filename(home, ".flom", NULL);

	g_mkdir_with_parents(home, 0700);
	g_unlink(user);
	g_setenv("FLOM_SYSTEM_CONFIG", sys, TRUE);
	g_setenv("HOME", home, TRUE);
}

void write_user_file(const char *content)
{
	g_autofree char *path = g_build_filename(tmpdir, "home", ".flom", NULL);

	g_assert_true(g_file_set_contents(path, content, -1, NULL));
}

/* "flom", then the NULL-terminated arguments first..., then NULL. */
static GPtrArray *args_collect(const char *first, va_list ap)
{
	GPtrArray *args = g_ptr_array_new();

	g_ptr_array_add(args, "flom");
	for (const char *a = first; a; a = va_arg(ap, const char *))
		g_ptr_array_add(args, (gpointer)a);
	g_ptr_array_add(args, NULL);
	return args;
}

/* config_load on a NULL-terminated argument list (argv[0] is added). */
int load_args(flom_config *cfg, GError **err, const char *first, ...)
{
	g_autoptr(GPtrArray) args = NULL;
	va_list ap;

	va_start(ap, first);
	args = args_collect(first, ap);
	va_end(ap);
	return config_load(cfg, (int)args->len - 1, (char **)args->pdata, err);
}

/* The error message of a config_load that must fail. */
char *load_error(const char *first, ...)
{
	g_autoptr(GPtrArray) args = NULL;
	flom_config cfg;
	GError *err = NULL;
	va_list ap;
	char *msg;

	va_start(ap, first);
	args = args_collect(first, ap);
	va_end(ap);
	config_init(&cfg);
	g_assert_cmpint(config_load(&cfg, (int)args->len - 1, (char **)args->pdata, &err), ==, -1);
	g_assert_nonnull(err);
	g_assert_null(strchr(err->message, '\n'));
	msg = g_strdup(err->message);
	g_error_free(err);
	config_clear(&cfg);
	return msg;
}

char *dump_of(const flom_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	config_dump(cfg, f);
	fclose(f);
	return buf;
}

gboolean dump_has_line(const flom_config *cfg, const char *line)
{
	g_autofree char *dump = dump_of(cfg);
	g_auto(GStrv) lines = g_strsplit(dump, "\n", -1);

	return g_strv_contains((const char *const *)lines, line);
}
