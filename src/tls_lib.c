/*
 * flom: the table of tls.c's OpenSSL functions (tls_lib.h).
 */
#define TLS_LIB_TABLE
#include "tls_lib.h"

static const char *const tls_lib_names[] = { TLS_LIB_FUNCTIONS(DYNLIB_NAME) };
static void *tls_lib_slots[TLS_LIB_COUNT];

dynlib tls_lib = {
	.what = "TLS",
	.sonames = FLOM_SSL_SONAMES,
	.names = tls_lib_names,
	.count = TLS_LIB_COUNT,
	.slots = tls_lib_slots,
};
