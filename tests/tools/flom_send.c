/*
 * flom_send: a raw, misbehaving peer for the robustness scenarios.
 *
 * It speaks bytes, not the protocol: it connects to a daemon's UNIX socket or
 * TCP port, sends whatever it is given (in one write, byte by byte with a
 * delay, or only a prefix), reads what comes back for a bounded time, prints
 * it, and tells through its exit status whether the peer closed the
 * connection. It can also hold many idle connections (bounds tests) and send
 * UDP datagrams (discovery tests). Only libc, so it builds and runs even when
 * the library under test does not.
 *
 * Usage: flom_send [OPTIONS] TARGET
 *   TARGET    a UNIX socket path (anything containing '/'), HOST:PORT, or
 *             [IPV6]:PORT
 *   -m TEXT   append TEXT to the payload; \n \r \t \\ \0 \xHH are decoded
 *   -f FILE   append the bytes of FILE to the payload ("-" = stdin)
 *   -r N      repeat the payload N times (UDP: send N datagrams)
 *   -c N      send only the first N bytes of the payload
 *   -d MS     slow drip: one byte every MS milliseconds (UDP with -r: one
 *             datagram every MS milliseconds, -v telling "sent N" each time)
 *   -S        shut down the writing side after sending (the peer sees EOF)
 *   -t MS     stream: how long to wait, after sending, for the peer to close
 *             (default 2000); idle mode: hold that long instead of until a
 *             signal; UDP: how long to wait for replies
 *   -q        do not print what the peer sent
 *   -v        diagnostics on stderr (bytes sent, when the peer closed)
 *   -n N      idle mode: open N connections (sending the payload once on
 *             each), print "ready N", hold them until SIGTERM/SIGINT; print
 *             "closed K" whenever the peer closed some of them
 *   -u        UDP: send the payload as one datagram (multicast TTL 1)
 *   -i IFACE  UDP multicast: outgoing interface (with -a: where to join)
 *   -a        UDP answerer: bind TARGET's port, join its group, print each
 *             datagram received and answer it with the payload, until -r N
 *             were answered (default 1) or -t MS passed; prints "answered N"
 *
 * Exit status (stream): 0 the peer closed the connection (EOF, reset, or a
 * send refused because of it); 1 it was still open when the time was up.
 * UDP: 0 at least one reply arrived (-a: answered), 1 none. Idle mode: 0. Errors: 2 usage,
 * 3 cannot connect, 4 other I/O error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "flom_send.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("flom_send: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static long parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die(EXIT_USAGE, "%s: '%s' is not a number in %ld..%ld", what, s, min, max);
	return v;
}

static void payload_append(options *o, const void *buf, size_t n)
{
	if (n > SEND_PAYLOAD_MAX - o->len)
		die(EXIT_USAGE, "payload larger than %d bytes", SEND_PAYLOAD_MAX);
	o->payload = realloc(o->payload, o->len + n + 1);
	if (!o->payload)
		die(EXIT_IO, "out of memory");
	memcpy(o->payload + o->len, buf, n);
	o->len += n;
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* -m TEXT: C-like escapes so that a test can write any byte inline. */
static void payload_append_text(options *o, const char *s)
{
	while (*s) {
		unsigned char c = (unsigned char)*s++;

		if (c == '\\' && *s) {
			char e = *s++;
			int hi, lo;

			switch (e) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '0': c = '\0'; break;
			case '\\': c = '\\'; break;
			case 'x':
				hi = hex_digit(s[0]);
				lo = hi < 0 ? -1 : hex_digit(s[1]);
				if (hi < 0 || lo < 0)
					die(EXIT_USAGE, "bad \\x escape in -m");
				c = (unsigned char)(hi * 16 + lo);
				s += 2;
				break;
			default:
				die(EXIT_USAGE, "unknown escape \\%c in -m", e);
			}
		}
		payload_append(o, &c, 1);
	}
}

static void payload_append_file(options *o, const char *path)
{
	unsigned char buf[65536];
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t n;

	if (!f)
		die(EXIT_USAGE, "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		payload_append(o, buf, n);
	if (ferror(f))
		die(EXIT_USAGE, "%s: read error", path);
	if (f != stdin)
		fclose(f);
}

static void payload_repeat(options *o)
{
	size_t one = o->len;

	if (o->repeat <= 1 || o->udp || one == 0)
		return;
	if ((size_t)o->repeat > SEND_PAYLOAD_MAX / one)
		die(EXIT_USAGE, "payload larger than %d bytes", SEND_PAYLOAD_MAX);
	/* One allocation, then copies of the first instance. */
	o->payload = realloc(o->payload, one * (size_t)o->repeat + 1);
	if (!o->payload)
		die(EXIT_IO, "out of memory");
	for (long i = 1; i < o->repeat; i++)
		memcpy(o->payload + one * (size_t)i, o->payload, one);
	o->len = one * (size_t)o->repeat;
}

static void usage(void)
{
	fputs("usage: flom_send [-m TEXT] [-f FILE] [-r N] [-c N] [-d MS] [-S] [-t MS] [-q] [-v]\n"
	      "                 [-n N] [-u [-i IFACE]] [-a [-i IFACE]] TARGET\n"
	      "TARGET: UNIX socket path, HOST:PORT or [IPV6]:PORT\n", stderr);
	exit(EXIT_USAGE);
}

static void parse_args(options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof *o);
	o->cut = -1;
	o->timeout_ms = 2000;
	o->repeat = 1;
	while ((c = getopt(argc, argv, "m:f:r:c:d:St:qvn:uai:h")) != -1) {
		switch (c) {
		case 'm': payload_append_text(o, optarg); break;
		case 'f': payload_append_file(o, optarg); break;
		case 'r': o->repeat = parse_long(optarg, 1, SEND_PAYLOAD_MAX, "-r"); break;
		case 'c': o->cut = parse_long(optarg, 0, SEND_PAYLOAD_MAX, "-c"); break;
		case 'd': o->drip_ms = parse_long(optarg, 0, 60000, "-d"); break;
		case 'S': o->shut_wr = 1; break;
		case 't':
			o->timeout_ms = parse_long(optarg, 0, 3600000, "-t");
			o->timeout_given = 1;
			break;
		case 'q': o->quiet = 1; break;
		case 'v': o->verbose = 1; break;
		case 'n': o->idle = parse_long(optarg, 1, SEND_IDLE_MAX, "-n"); break;
		case 'u': o->udp = 1; break;
		case 'a': o->answer = o->udp = 1; break;
		case 'i': o->iface = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	o->target = argv[optind];
	if (o->udp && o->idle)
		die(EXIT_USAGE, "-u and -n exclude each other");
	payload_repeat(o);
	if (o->cut >= 0 && (size_t)o->cut < o->len)
		o->len = (size_t)o->cut;
}

/* ---- addresses ---- */

static int target_is_unix(const char *t)
{
	return strchr(t, '/') != NULL;
}

struct addrinfo *resolve(const char *target, int socktype)
{
	struct addrinfo hints, *res = NULL;
	char host[256];
	const char *port, *colon;
	size_t hlen;
	int rc;

	if (target[0] == '[') {
		const char *close = strchr(target, ']');

		if (!close || close[1] != ':')
			die(EXIT_USAGE, "%s: expected [IPV6]:PORT", target);
		hlen = (size_t)(close - target - 1);
		if (hlen >= sizeof host)
			die(EXIT_USAGE, "%s: host too long", target);
		memcpy(host, target + 1, hlen);
		port = close + 2;
	} else {
		colon = strrchr(target, ':');
		if (!colon)
			die(EXIT_USAGE, "%s: expected a path, HOST:PORT or [IPV6]:PORT", target);
		hlen = (size_t)(colon - target);
		if (hlen >= sizeof host)
			die(EXIT_USAGE, "%s: host too long", target);
		memcpy(host, target, hlen);
		port = colon + 1;
	}
	host[hlen] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc)
		die(EXIT_USAGE, "%s: %s", target, gai_strerror(rc));
	return res;
}

/* Wait until a non-blocking connect finished; 0 or -1 with errno. */
static int connect_wait(int fd, long deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t len = sizeof err;

	for (;;) {
		long left = deadline - now_ms();
		int n;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n > 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static int connect_unix(const char *path, long deadline)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) >= sizeof sun.sun_path)
		die(EXIT_USAGE, "%s: path too long", path);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
			return fd;
		/* A UNIX listener with a full backlog says EAGAIN: the daemon
		 * has not accepted yet, which is not a refusal. */
		if (errno != EAGAIN || now_ms() >= deadline) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		close(fd);
		poll(NULL, 0, 5);
	}
}

static int connect_inet(const char *target, long deadline)
{
	struct addrinfo *res = resolve(target, SOCK_STREAM), *ai;
	int fd = -1, e = ECONNREFUSED;

	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && connect_wait(fd, deadline) == 0))
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	errno = e;
	return fd;
}

/* A connected, blocking stream socket to the target, or exit 3. */
static int connect_target(const options *o)
{
	long deadline = now_ms() + SEND_CONNECT_MS;
	int fd = target_is_unix(o->target) ? connect_unix(o->target, deadline)
					   : connect_inet(o->target, deadline);
	int flags;

	if (fd < 0)
		die(EXIT_CONNECT, "cannot connect to %s: %s", o->target, strerror(errno));
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

/* ---- one stream conversation ---- */

typedef struct conv {
	int fd;
	int closed;          /* the peer closed (EOF, reset, broken pipe) */
	size_t sent;
	size_t received;
	const options *o;
} conv;

static int peer_gone(int err)
{
	return err == EPIPE || err == ECONNRESET || err == ENOTCONN;
}

/* Read what is there (fd readable): print it, note EOF. */
static void conv_read_once(conv *c)
{
	char buf[65536];
	ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);

	if (n > 0) {
		c->received += (size_t)n;
		if (!c->o->quiet) {
			fwrite(buf, 1, (size_t)n, stdout);
			fflush(stdout);
		}
	} else if (n == 0) {
		c->closed = 1;
	} else if (errno != EAGAIN && errno != EINTR) {
		if (!peer_gone(errno))
			die(EXIT_IO, "recv: %s", strerror(errno));
		c->closed = 1;
	}
}

/* Wait up to ms for input; read it. */
static void conv_poll(conv *c, long ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	long deadline = now_ms() + ms;

	while (!c->closed) {
		long left = deadline - now_ms();
		int n;

		if (left < 0)
			left = 0;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno != EINTR)
			die(EXIT_IO, "poll: %s", strerror(errno));
		if (n > 0)
			conv_read_once(c);
		else if (left == 0)
			break;
	}
}

static void conv_send_all(conv *c, const unsigned char *buf, size_t len)
{
	while (len > 0 && !c->closed) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				/* SO_SNDTIMEO expired: the peer stopped
				 * reading but kept the connection. */
				if (c->o->verbose)
					fprintf(stderr, "flom_send: send stalled after %zu bytes\n",
						c->sent);
				return;
			}
			if (!peer_gone(errno))
				die(EXIT_IO, "send: %s", strerror(errno));
			c->closed = 1;
			return;
		}
		c->sent += (size_t)n;
		buf += n;
		len -= (size_t)n;
	}
}

static int run_stream(const options *o)
{
	conv c = { .fd = connect_target(o), .o = o };
	struct timeval tv = { .tv_sec = o->timeout_ms / 1000,
			      .tv_usec = (o->timeout_ms % 1000) * 1000 };
	long t0;

	/* A peer that stops reading must not freeze the test. */
	setsockopt(c.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (o->drip_ms > 0) {
		for (size_t i = 0; i < o->len && !c.closed; i++) {
			conv_send_all(&c, o->payload + i, 1);
			conv_poll(&c, o->drip_ms);
		}
	} else if (o->len > 0) {
		/* One write: several messages or a huge one in a single
		 * send(), as a careless client would do. */
		conv_send_all(&c, o->payload, o->len);
	}
	if (o->verbose)
		fprintf(stderr, "flom_send: sent %zu of %zu bytes\n", c.sent, o->len);
	if (o->shut_wr && !c.closed && shutdown(c.fd, SHUT_WR) < 0 && !peer_gone(errno))
		die(EXIT_IO, "shutdown: %s", strerror(errno));
	t0 = now_ms();
	conv_poll(&c, o->timeout_ms);
	if (o->verbose)
		fprintf(stderr, "flom_send: received %zu bytes; peer %s after %ld ms\n",
			c.received, c.closed ? "closed" : "still open", now_ms() - t0);
	close(c.fd);
	return c.closed ? EXIT_CLOSED : EXIT_OPEN;
}

/* ---- idle mode ---- */

/* Enough descriptors for n connections: soft limit up to the hard one, and
 * the hard one too when privileged. */
static void raise_nofile(long n)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)n + SEND_FD_MARGIN;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die(EXIT_IO, "getrlimit: %s", strerror(errno));
	if (rl.rlim_cur >= need)
		return;
	if (rl.rlim_max < need)
		rl.rlim_max = need;
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die(EXIT_IO, "cannot raise RLIMIT_NOFILE to %lu: %s", (unsigned long)need,
		    strerror(errno));
}

static void install_stop_handlers(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* Blocked except inside ppoll(): no signal lost between checks. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGHUP);
}

/* Open the idle connections (each sent the payload once); the ones the
 * peer closed at once are counted in *closed. */
static struct pollfd *idle_open(const options *o, long *closed)
{
	struct pollfd *fds = calloc((size_t)o->idle, sizeof *fds);

	if (!fds)
		die(EXIT_IO, "out of memory");
	for (long i = 0; i < o->idle && !stop_requested; i++) {
		conv c = { .fd = connect_target(o), .o = o };

		if (o->len > 0)
			conv_send_all(&c, o->payload, o->len);
		fds[i].fd = c.closed ? -1 : c.fd;
		fds[i].events = POLLIN;
		if (c.closed) {
			close(c.fd);
			(*closed)++;
		}
	}
	return fds;
}

/* Answers are drained; only the end of a connection counts. Returns how
 * many were closed by the peer. */
static long idle_drain(struct pollfd *fds, long n)
{
	long closed = 0;

	for (long i = 0; i < n; i++) {
		char buf[4096];
		ssize_t r;

		if (fds[i].fd < 0 || !fds[i].revents)
			continue;
		r = recv(fds[i].fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && peer_gone(errno))) {
			close(fds[i].fd);
			fds[i].fd = -1;
			closed++;
		}
	}
	return closed;
}

static int run_idle(const options *o)
{
	struct pollfd *fds;
	sigset_t waitmask;
	long closed = 0, deadline;

	raise_nofile(o->idle);
	install_stop_handlers(&waitmask);
	fds = idle_open(o, &closed);
	printf("ready %ld\n", o->idle);
	if (closed)
		printf("closed %ld\n", closed);
	fflush(stdout);
	deadline = o->timeout_given ? now_ms() + o->timeout_ms : -1;
	while (!stop_requested) {
		struct timespec ts, *tsp = NULL;
		long before = closed;
		int n;

		if (deadline >= 0) {
			long left = deadline - now_ms();

			if (left <= 0)
				break;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000L;
			tsp = &ts;
		}
		n = ppoll(fds, (nfds_t)o->idle, tsp, &waitmask);
		if (n < 0 && errno != EINTR)
			die(EXIT_IO, "ppoll: %s", strerror(errno));
		if (n > 0)
			closed += idle_drain(fds, o->idle);
		if (closed != before) {
			printf("closed %ld\n", closed);
			fflush(stdout);
		}
	}
	for (long i = 0; i < o->idle; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	free(fds);
	return EXIT_CLOSED;
}

int main(int argc, char **argv)
{
	options o;

	int rc;

	parse_args(&o, argc, argv);
	signal(SIGPIPE, SIG_IGN);
	if (o.answer)
		rc = run_answer(&o);
	else if (o.udp)
		rc = run_udp(&o);
	else if (o.idle)
		rc = run_idle(&o);
	else
		rc = run_stream(&o);
	free(o.payload);
	return rc;
}
