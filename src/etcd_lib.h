/*
 * flom: the libcurl, json-glib and GObject functions of the etcd backend,
 * opened at its first use (dynlib.h). Included by the etcd modules after
 * curl's and json-glib's headers; etcd_lib.c keeps the table.
 */
#ifndef FLOM_ETCD_LIB_H
#define FLOM_ETCD_LIB_H

#include "dynlib.h"

#define ETCD_LIB_FUNCTIONS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_reset) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_global_init) \
	X(curl_multi_add_handle) \
	X(curl_multi_cleanup) \
	X(curl_multi_info_read) \
	X(curl_multi_init) \
	X(curl_multi_perform) \
	X(curl_multi_remove_handle) \
	X(curl_multi_wait) \
	X(curl_share_cleanup) \
	X(curl_share_init) \
	X(curl_share_setopt) \
	X(curl_slist_append) \
	X(g_object_unref) \
	X(json_array_get_length) \
	X(json_array_get_object_element) \
	X(json_builder_add_int_value) \
	X(json_builder_add_string_value) \
	X(json_builder_begin_object) \
	X(json_builder_end_object) \
	X(json_builder_get_root) \
	X(json_builder_new) \
	X(json_builder_set_member_name) \
	X(json_node_get_array) \
	X(json_node_get_int) \
	X(json_node_get_node_type) \
	X(json_node_get_object) \
	X(json_node_get_string) \
	X(json_node_get_value_type) \
	X(json_node_unref) \
	X(json_object_get_boolean_member_with_default) \
	X(json_object_get_int_member_with_default) \
	X(json_object_get_member) \
	X(json_object_get_object_member) \
	X(json_object_get_string_member_with_default) \
	X(json_object_has_member) \
	X(json_object_ref) \
	X(json_object_unref) \
	X(json_parser_get_root) \
	X(json_parser_load_from_data) \
	X(json_parser_new) \
	X(json_to_string)

#define ETCD_LIB_ID(name) ETCD_FN_##name,
enum { ETCD_LIB_FUNCTIONS(ETCD_LIB_ID) ETCD_LIB_COUNT };

extern dynlib etcd_lib;

/* Every call of the etcd modules goes through the table; curl's type-checking
 * wrappers of its variadic functions make way for it. */
#ifndef ETCD_LIB_TABLE
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_share_setopt
#define curl_easy_cleanup DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_easy_cleanup)
#define curl_easy_getinfo DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_easy_getinfo)
#define curl_easy_init DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_easy_init)
#define curl_easy_perform DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_easy_perform)
#define curl_easy_reset DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_easy_reset)
#define curl_easy_setopt DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_easy_setopt)
#define curl_easy_strerror DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_easy_strerror)
#define curl_global_init DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_global_init)
#define curl_multi_add_handle DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_multi_add_handle)
#define curl_multi_cleanup DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_multi_cleanup)
#define curl_multi_info_read DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_multi_info_read)
#define curl_multi_init DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_multi_init)
#define curl_multi_perform DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_multi_perform)
#define curl_multi_remove_handle DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_multi_remove_handle)
#define curl_multi_wait DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_multi_wait)
#define curl_share_cleanup DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_share_cleanup)
#define curl_share_init DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_share_init)
#define curl_share_setopt DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_share_setopt)
#define curl_slist_append DYNLIB_CALL(etcd_lib, ETCD_FN_, curl_slist_append)
#define g_object_unref DYNLIB_CALL(etcd_lib, ETCD_FN_, g_object_unref)
#define json_array_get_length DYNLIB_CALL(etcd_lib, ETCD_FN_, json_array_get_length)
#define json_array_get_object_element DYNLIB_CALL(etcd_lib, ETCD_FN_, json_array_get_object_element)
#define json_builder_add_int_value DYNLIB_CALL(etcd_lib, ETCD_FN_, json_builder_add_int_value)
#define json_builder_add_string_value DYNLIB_CALL(etcd_lib, ETCD_FN_, json_builder_add_string_value)
#define json_builder_begin_object DYNLIB_CALL(etcd_lib, ETCD_FN_, json_builder_begin_object)
#define json_builder_end_object DYNLIB_CALL(etcd_lib, ETCD_FN_, json_builder_end_object)
#define json_builder_get_root DYNLIB_CALL(etcd_lib, ETCD_FN_, json_builder_get_root)
#define json_builder_new DYNLIB_CALL(etcd_lib, ETCD_FN_, json_builder_new)
#define json_builder_set_member_name DYNLIB_CALL(etcd_lib, ETCD_FN_, json_builder_set_member_name)
#define json_node_get_array DYNLIB_CALL(etcd_lib, ETCD_FN_, json_node_get_array)
#define json_node_get_int DYNLIB_CALL(etcd_lib, ETCD_FN_, json_node_get_int)
#define json_node_get_node_type DYNLIB_CALL(etcd_lib, ETCD_FN_, json_node_get_node_type)
#define json_node_get_object DYNLIB_CALL(etcd_lib, ETCD_FN_, json_node_get_object)
#define json_node_get_string DYNLIB_CALL(etcd_lib, ETCD_FN_, json_node_get_string)
#define json_node_get_value_type DYNLIB_CALL(etcd_lib, ETCD_FN_, json_node_get_value_type)
#define json_node_unref DYNLIB_CALL(etcd_lib, ETCD_FN_, json_node_unref)
#define json_object_get_boolean_member_with_default DYNLIB_CALL(etcd_lib, ETCD_FN_, json_object_get_boolean_member_with_default)
#define json_object_get_int_member_with_default DYNLIB_CALL(etcd_lib, ETCD_FN_, json_object_get_int_member_with_default)
#define json_object_get_member DYNLIB_CALL(etcd_lib, ETCD_FN_, json_object_get_member)
#define json_object_get_object_member DYNLIB_CALL(etcd_lib, ETCD_FN_, json_object_get_object_member)
#define json_object_get_string_member_with_default DYNLIB_CALL(etcd_lib, ETCD_FN_, json_object_get_string_member_with_default)
#define json_object_has_member DYNLIB_CALL(etcd_lib, ETCD_FN_, json_object_has_member)
#define json_object_ref DYNLIB_CALL(etcd_lib, ETCD_FN_, json_object_ref)
#define json_object_unref DYNLIB_CALL(etcd_lib, ETCD_FN_, json_object_unref)
#define json_parser_get_root DYNLIB_CALL(etcd_lib, ETCD_FN_, json_parser_get_root)
#define json_parser_load_from_data DYNLIB_CALL(etcd_lib, ETCD_FN_, json_parser_load_from_data)
#define json_parser_new DYNLIB_CALL(etcd_lib, ETCD_FN_, json_parser_new)
#define json_to_string DYNLIB_CALL(etcd_lib, ETCD_FN_, json_to_string)
#endif

#endif
