/* flom_send's parts: the stream and idle modes (flom_send.c) and the UDP
 * modes (flom_send_udp.c). */
#ifndef FLOM_SEND_H
#define FLOM_SEND_H

#include <stddef.h>
#include <netdb.h>

enum {
	EXIT_CLOSED = 0,
	EXIT_OPEN = 1,
	EXIT_USAGE = 2,
	EXIT_CONNECT = 3,
	EXIT_IO = 4,
};

/* Bounds of this tool (it is a test program, but it bounds what it keeps). */
#define SEND_PAYLOAD_MAX   (64 * 1024 * 1024)
#define SEND_IDLE_MAX      100000
#define SEND_CONNECT_MS    5000
#define SEND_DATAGRAM_MAX  65507
#define SEND_FD_MARGIN     32

typedef struct options {
	const char *target;
	unsigned char *payload;
	size_t len;
	long repeat;
	long cut;              /* -1: whole payload */
	long drip_ms;
	int shut_wr;
	long timeout_ms;
	int timeout_given;
	int quiet;
	int verbose;
	long idle;             /* 0: not idle mode */
	int udp;
	int answer;            /* -a */
	const char *iface;
} options;

void die(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
long now_ms(void);
struct addrinfo *resolve(const char *target, int socktype);
int run_udp(const options *o);
int run_answer(const options *o);

#endif
