/*
 * flom: the OpenSSL functions of tls.c, opened at the first TLS context
 * (dynlib.h). Included by tls.c after OpenSSL's headers; tls_lib.c keeps
 * the table.
 */
#ifndef FLOM_TLS_LIB_H
#define FLOM_TLS_LIB_H

#include "dynlib.h"

#define TLS_LIB_FUNCTIONS(X) \
	X(ASN1_STRING_to_UTF8) \
	X(CRYPTO_free) \
	X(ERR_clear_error) \
	X(ERR_get_error) \
	X(ERR_peek_error) \
	X(ERR_peek_last_error) \
	X(ERR_reason_error_string) \
	X(OPENSSL_sk_num) \
	X(OPENSSL_sk_pop_free) \
	X(OPENSSL_sk_value) \
	X(OpenSSL_version) \
	X(SSL_CTX_check_private_key) \
	X(SSL_CTX_ctrl) \
	X(SSL_CTX_free) \
	X(SSL_CTX_get0_certificate) \
	X(SSL_CTX_load_verify_locations) \
	X(SSL_CTX_new) \
	X(SSL_CTX_set_client_CA_list) \
	X(SSL_CTX_set_num_tickets) \
	X(SSL_CTX_set_options) \
	X(SSL_CTX_set_verify) \
	X(SSL_CTX_use_PrivateKey_file) \
	X(SSL_CTX_use_certificate_chain_file) \
	X(SSL_do_handshake) \
	X(SSL_free) \
	X(SSL_get0_peer_certificate) \
	X(SSL_get_error) \
	X(SSL_get_ex_data) \
	X(SSL_get_ex_data_X509_STORE_CTX_idx) \
	X(SSL_is_init_finished) \
	X(SSL_load_client_CA_file) \
	X(SSL_new) \
	X(SSL_pending) \
	X(SSL_read) \
	X(SSL_set_accept_state) \
	X(SSL_set_connect_state) \
	X(SSL_set_ex_data) \
	X(SSL_set_fd) \
	X(SSL_shutdown) \
	X(SSL_write) \
	X(TLS_client_method) \
	X(TLS_server_method) \
	X(X509_NAME_ENTRY_get_data) \
	X(X509_NAME_free) \
	X(X509_NAME_get_entry) \
	X(X509_NAME_get_index_by_NID) \
	X(X509_NAME_oneline) \
	X(X509_STORE_CTX_get0_cert) \
	X(X509_STORE_CTX_get_error) \
	X(X509_STORE_CTX_get_ex_data) \
	X(X509_get_issuer_name) \
	X(X509_get_subject_name) \
	X(X509_verify_cert_error_string)

#define TLS_LIB_ID(name) TLS_FN_##name,
enum { TLS_LIB_FUNCTIONS(TLS_LIB_ID) TLS_LIB_COUNT };

extern dynlib tls_lib;

/* Every call of tls.c goes through the table. */
#ifndef TLS_LIB_TABLE
#define ASN1_STRING_to_UTF8 DYNLIB_CALL(tls_lib, TLS_FN_, ASN1_STRING_to_UTF8)
#define CRYPTO_free DYNLIB_CALL(tls_lib, TLS_FN_, CRYPTO_free)
#define ERR_clear_error DYNLIB_CALL(tls_lib, TLS_FN_, ERR_clear_error)
#define ERR_get_error DYNLIB_CALL(tls_lib, TLS_FN_, ERR_get_error)
#define ERR_peek_error DYNLIB_CALL(tls_lib, TLS_FN_, ERR_peek_error)
#define ERR_peek_last_error DYNLIB_CALL(tls_lib, TLS_FN_, ERR_peek_last_error)
#define ERR_reason_error_string DYNLIB_CALL(tls_lib, TLS_FN_, ERR_reason_error_string)
#define OPENSSL_sk_num DYNLIB_CALL(tls_lib, TLS_FN_, OPENSSL_sk_num)
#define OPENSSL_sk_pop_free DYNLIB_CALL(tls_lib, TLS_FN_, OPENSSL_sk_pop_free)
#define OPENSSL_sk_value DYNLIB_CALL(tls_lib, TLS_FN_, OPENSSL_sk_value)
#define OpenSSL_version DYNLIB_CALL(tls_lib, TLS_FN_, OpenSSL_version)
#define SSL_CTX_check_private_key DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_check_private_key)
#define SSL_CTX_ctrl DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_ctrl)
#define SSL_CTX_free DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_free)
#define SSL_CTX_get0_certificate DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_get0_certificate)
#define SSL_CTX_load_verify_locations DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_load_verify_locations)
#define SSL_CTX_new DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_new)
#define SSL_CTX_set_client_CA_list DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_set_client_CA_list)
#define SSL_CTX_set_num_tickets DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_set_num_tickets)
#define SSL_CTX_set_options DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_set_options)
#define SSL_CTX_set_verify DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_set_verify)
#define SSL_CTX_use_PrivateKey_file DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_use_PrivateKey_file)
#define SSL_CTX_use_certificate_chain_file DYNLIB_CALL(tls_lib, TLS_FN_, SSL_CTX_use_certificate_chain_file)
#define SSL_do_handshake DYNLIB_CALL(tls_lib, TLS_FN_, SSL_do_handshake)
#define SSL_free DYNLIB_CALL(tls_lib, TLS_FN_, SSL_free)
#define SSL_get0_peer_certificate DYNLIB_CALL(tls_lib, TLS_FN_, SSL_get0_peer_certificate)
#define SSL_get_error DYNLIB_CALL(tls_lib, TLS_FN_, SSL_get_error)
#define SSL_get_ex_data DYNLIB_CALL(tls_lib, TLS_FN_, SSL_get_ex_data)
#define SSL_get_ex_data_X509_STORE_CTX_idx DYNLIB_CALL(tls_lib, TLS_FN_, SSL_get_ex_data_X509_STORE_CTX_idx)
#define SSL_is_init_finished DYNLIB_CALL(tls_lib, TLS_FN_, SSL_is_init_finished)
#define SSL_load_client_CA_file DYNLIB_CALL(tls_lib, TLS_FN_, SSL_load_client_CA_file)
#define SSL_new DYNLIB_CALL(tls_lib, TLS_FN_, SSL_new)
#define SSL_pending DYNLIB_CALL(tls_lib, TLS_FN_, SSL_pending)
#define SSL_read DYNLIB_CALL(tls_lib, TLS_FN_, SSL_read)
#define SSL_set_accept_state DYNLIB_CALL(tls_lib, TLS_FN_, SSL_set_accept_state)
#define SSL_set_connect_state DYNLIB_CALL(tls_lib, TLS_FN_, SSL_set_connect_state)
#define SSL_set_ex_data DYNLIB_CALL(tls_lib, TLS_FN_, SSL_set_ex_data)
#define SSL_set_fd DYNLIB_CALL(tls_lib, TLS_FN_, SSL_set_fd)
#define SSL_shutdown DYNLIB_CALL(tls_lib, TLS_FN_, SSL_shutdown)
#define SSL_write DYNLIB_CALL(tls_lib, TLS_FN_, SSL_write)
#define TLS_client_method DYNLIB_CALL(tls_lib, TLS_FN_, TLS_client_method)
#define TLS_server_method DYNLIB_CALL(tls_lib, TLS_FN_, TLS_server_method)
#define X509_NAME_ENTRY_get_data DYNLIB_CALL(tls_lib, TLS_FN_, X509_NAME_ENTRY_get_data)
#define X509_NAME_free DYNLIB_CALL(tls_lib, TLS_FN_, X509_NAME_free)
#define X509_NAME_get_entry DYNLIB_CALL(tls_lib, TLS_FN_, X509_NAME_get_entry)
#define X509_NAME_get_index_by_NID DYNLIB_CALL(tls_lib, TLS_FN_, X509_NAME_get_index_by_NID)
#define X509_NAME_oneline DYNLIB_CALL(tls_lib, TLS_FN_, X509_NAME_oneline)
#define X509_STORE_CTX_get0_cert DYNLIB_CALL(tls_lib, TLS_FN_, X509_STORE_CTX_get0_cert)
#define X509_STORE_CTX_get_error DYNLIB_CALL(tls_lib, TLS_FN_, X509_STORE_CTX_get_error)
#define X509_STORE_CTX_get_ex_data DYNLIB_CALL(tls_lib, TLS_FN_, X509_STORE_CTX_get_ex_data)
#define X509_get_issuer_name DYNLIB_CALL(tls_lib, TLS_FN_, X509_get_issuer_name)
#define X509_get_subject_name DYNLIB_CALL(tls_lib, TLS_FN_, X509_get_subject_name)
#define X509_verify_cert_error_string DYNLIB_CALL(tls_lib, TLS_FN_, X509_verify_cert_error_string)
#endif

#endif
