/* flom: what the client's parts share (client.c, client_admin.c). */
#ifndef FLOM_CLIENT_INT_H
#define FLOM_CLIENT_INT_H

#include <glib.h>
#include "config.h"
#include "msg.h"
#include "tls.h"

typedef struct client_conn {
	int fd;
	tls_ctx *tls_ctx;      /* this side's credentials, when TLS is on */
	tls_conn *tls;         /* the session over fd, when TLS is on */
	char in[FLOM_MSG_MAX];
	size_t in_len;
} client_conn;

#define CLIENT_NO_TLS "the daemon speaks TLS and this flom does not: configure " \
	"--tls-certificate, --tls-private-key and --tls-ca-certificate"

gint64 client_now_ms(void);
void client_pause_ms(int ms);
/* client_discover.c: a daemon of the group cfg names, found by discovery
 * (started when may_start and none answered): the connected descriptor, or
 * -1 with err. */
int client_connect_multicast(const flom_config *cfg, gboolean may_start, GError **err);
/* Reach the daemon cfg names (starting one when may_start): 0, or -1 with err. */
int client_open(client_conn *cc, const flom_config *cfg, gboolean may_start,
		gboolean manage, GError **err);
void client_conn_free(client_conn *cc);
int client_send(client_conn *cc, const flom_msg *m, GError **err);
/* 1: one message in *m; 0: the daemon closed; -1: err (deadline, bad bytes). */
int client_recv(client_conn *cc, flom_msg *m, gint64 deadline_ms, GError **err);
/* The daemon behind fd, for messages (a socket path or an address). */
char *client_daemon_name(const flom_config *cfg, int fd);

#endif
