/*
 * flom: libraries opened at their first use (dlopen), not at start-up.
 *
 * A plain lock needs glib alone, but OpenSSL (TLS) and libcurl with
 * json-glib (etcd) pull in some forty shared libraries whose relocation and
 * initialisers cost a plain `flom -- true` about 15 million instructions,
 * nine tenths of its start-up. The modules that use them call through a
 * table filled when the library is first needed; every name is resolved at
 * once, so a missing one is an error at that moment, never a crash later.
 *
 * A user module: its header lists the functions (LIST(X) X(name) ...) and
 * redefines each name as DYNLIB_CALL(lib, ID_PREFIX, name); it includes
 * that header after the library's own headers.
 */
#ifndef FLOM_DYNLIB_H
#define FLOM_DYNLIB_H

#include <glib.h>

typedef struct dynlib {
	const char *what;          /* who needs it, for messages: "TLS" */
	const char *sonames;       /* colon-separated, opened in this order */
	const char *const *names;  /* the functions, in slot order */
	size_t count;
	void **slots;
	gboolean ready;
} dynlib;

/* Open the libraries and resolve every name (once): 0, or -1 with err
 * saying what is missing. */
int dynlib_open(dynlib *lib, GError **err);

/* Slot i, opening the libraries first if needed; a library that cannot be
 * opened there is fatal (message, exit status FLOM_EXIT_GENERIC): entry
 * points call dynlib_open first and report the error their own way. */
void *dynlib_fn(dynlib *lib, size_t i);

#define DYNLIB_NAME(name) #name,
/* The call of a function of the table: its own name keeps its own type
 * (a macro does not expand inside itself). */
#define DYNLIB_CALL(lib, prefix, name) (*(__typeof__(name) *)dynlib_fn(&(lib), prefix##name))

#endif
