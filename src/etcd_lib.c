/*
 * flom: the table of the etcd backend's library functions (etcd_lib.h).
 */
#include <json-glib/json-glib.h>

#define ETCD_LIB_TABLE
#include "etcd_lib.h"

static const char *const etcd_lib_names[] = { ETCD_LIB_FUNCTIONS(DYNLIB_NAME) };
static void *etcd_lib_slots[ETCD_LIB_COUNT];

dynlib etcd_lib = {
	.what = "the etcd backend",
	.sonames = FLOM_ETCD_SONAMES,
	.names = etcd_lib_names,
	.count = ETCD_LIB_COUNT,
	.slots = etcd_lib_slots,
};

/* g_autoptr's cleanup functions, defined inline in the library headers
 * before etcd_lib.h can redirect them, call these by name. flom links
 * neither library, so these are the only definitions at link time (and,
 * referenced by no linked library, they are not exported to the libraries
 * opened later). */
void g_object_unref(gpointer object)
{
	DYNLIB_CALL(etcd_lib, ETCD_FN_, g_object_unref)(object);
}

void json_node_unref(JsonNode *node)
{
	DYNLIB_CALL(etcd_lib, ETCD_FN_, json_node_unref)(node);
}
