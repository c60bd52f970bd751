/*
 * flom: libraries opened at their first use (see dynlib.h).
 */
#include "dynlib.h"
#include "flom.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/* The first of the handles that defines name, or NULL. */
static void *dynlib_lookup(void *const *handles, guint n, const char *name)
{
	guint i;

	for (i = 0; i < n; i++) {
		void *f = dlsym(handles[i], name);

		if (f)
			return f;
	}
	return NULL;
}

int dynlib_open(dynlib *lib, GError **err)
{
	g_auto(GStrv) sonames = NULL;
	g_autofree void **handles = NULL;
	guint i, n;

	if (lib->ready)
		return 0;
	sonames = g_strsplit(lib->sonames, ":", -1);
	n = g_strv_length(sonames);
	handles = g_new0(void *, n);
	for (i = 0; i < n; i++) {
		/* Never closed: the library serves until the process ends. */
		handles[i] = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
		if (!handles[i]) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s needs %s: %s",
				    lib->what, sonames[i], dlerror());
			return -1;
		}
	}
	for (i = 0; i < lib->count; i++) {
		lib->slots[i] = dynlib_lookup(handles, n, lib->names[i]);
		if (!lib->slots[i]) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s needs %s from %s",
				    lib->what, lib->names[i], lib->sonames);
			return -1;
		}
	}
	lib->ready = TRUE;
	return 0;
}

void *dynlib_fn(dynlib *lib, size_t i)
{
	GError *err = NULL;

	if (G_UNLIKELY(!lib->ready) && dynlib_open(lib, &err) < 0) {
		fprintf(stderr, "flom: %s\n", err->message);
		exit(FLOM_EXIT_GENERIC);
	}
	return lib->slots[i];
}
