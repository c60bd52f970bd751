/*
 * fake_daemon: daemons that are not flom, for the scenarios that check what
 * flom's client does with them.
 *
 * Usage: fake_daemon [--ready FILE] [--log FILE] [--lifetime MS] MODE
 *   (--unix PATH | --tcp PORT) [--udp GROUP:PORT] [--element TEXT] [--rc N]
 *       a forged daemon (tests/cli/trust_*.sh): it grants every lock request
 *       at once, with answer rc N (default 0) and the element it was told to
 *       forge (none without --element; --element= forges an empty one), and
 *       keeps the connection until the client goes. With --udp (and --tcp)
 *       it also answers discovery on the IPv4 GROUP, joined on 127.0.0.1,
 *       with its TCP port. It logs "request MSG" and "discovery from ADDR".
 *   --silent (--unix PATH | --tcp PORT)
 *       accepts connections and never reads nor answers (a hung daemon).
 *   --original --unix PATH
 *       an original FLoM 1.7.2 daemon (fake_original.c).
 *   --stale --unix PATH
 *       binds PATH and exits: a stale socket, nobody listening.
 *
 * TCP listeners are on 127.0.0.1. The UNIX socket of the forged and the
 * silent daemon is mode 0777, as a squatter's would be. FILE is created once
 * the daemon listens. --lifetime ends the process after MS (rounded up to a
 * second; default: until a signal).
 * Exit status: 0 --stale done, 1 the original was killed, 2 usage, 3 I/O.
 */
#include "fake_daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { EXIT_USAGE = 2, EXIT_IO = 3 };

#define FAKE_BACKLOG 16

typedef struct options {
	char *ready;
	char *log;
	char *unix_path;
	char *udp;
	char *element;     /* NULL: no element attribute at all */
	int tcp;
	int rc;
	int lifetime_ms;
	gboolean silent;
	gboolean original;
	gboolean stale;
} options;

static options opt;
static int log_fd = -1;

static _Noreturn void fail(int status, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("fake_daemon: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void fake_log(const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (log_fd < 0)
		return;
	va_start(ap, fmt);
	line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* One write a line, so that a reader never sees half of one. */
	if (write(log_fd, line, strlen(line)) < 0 || write(log_fd, "\n", 1) < 0)
		fail(EXIT_IO, "%s: %s", opt.log, strerror(errno));
	g_free(line);
}

int fake_read_msg(int fd, GString *buf, gsize max)
{
	static const char end[] = "</msg>";
	const gsize end_len = sizeof end - 1;
	char c;

	g_string_truncate(buf, 0);
	for (;;) {
		ssize_t n = recv(fd, &c, 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FAKE_READ_EOF;
		g_string_append_c(buf, c);
		if (buf->len >= max)
			return FAKE_READ_LONG;
		/* The bytes, not the string: a NUL may come before. */
		if (buf->len >= end_len && !memcmp(buf->str + buf->len - end_len, end, end_len))
			return FAKE_READ_MSG;
	}
}

void fake_send(int fd, const char *text)
{
	size_t len = strlen(text);

	while (len > 0) {
		ssize_t n = send(fd, text, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n;
	}
}

/* ---- listeners ---- */

static int bind_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof a.sun_path)
		fail(EXIT_USAGE, "%s: path too long", path);
	strcpy(a.sun_path, path);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0)
		fail(EXIT_IO, "%s: %s", path, strerror(errno));
	return s;
}

static int listen_unix(const char *path, gboolean anyone)
{
	int s = bind_unix(path);

	if (listen(s, FAKE_BACKLOG) < 0 || (anyone && chmod(path, 0777) < 0))
		fail(EXIT_IO, "%s: %s", path, strerror(errno));
	return s;
}

static int listen_tcp(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, FAKE_BACKLOG) < 0)
		fail(EXIT_IO, "127.0.0.1:%d: %s", port, strerror(errno));
	return s;
}

/* The discovery socket: GROUP:PORT joined on the loopback interface. */
static int listen_discovery(const char *group_port)
{
	g_autofree char *group = g_strdup(group_port);
	char *colon = strrchr(group, ':');
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	struct ip_mreq mr = { .imr_interface.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (colon)
		*colon = '\0';
	if (!colon || inet_pton(AF_INET, group, &mr.imr_multiaddr) != 1)
		fail(EXIT_USAGE, "--udp %s: expected an IPv4 GROUP:PORT", group_port);
	a.sin_port = htons((uint16_t)atoi(colon + 1));
	if (u < 0 || setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(u, (struct sockaddr *)&a, sizeof a) < 0 ||
	    setsockopt(u, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
		fail(EXIT_IO, "--udp %s: %s", group_port, strerror(errno));
	return u;
}

/* ---- the forged daemon ---- */

/* Answer a discovery query with our TCP port. */
static void serve_discovery(int u)
{
	static const char query[] = "verb=\"4\" step=\"8\"";
	char buf[FAKE_DATAGRAM_MAX], from_text[INET_ADDRSTRLEN] = "?";
	struct sockaddr_in from;
	socklen_t flen = sizeof from;
	ssize_t n = recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
	g_autofree char *reply = NULL;

	if (n <= 0 || !memmem(buf, (size_t)n, query, sizeof query - 1))
		return;
	reply = g_strdup_printf(FAKE_HEADER "<msg level=\"3\" verb=\"4\" step=\"16\">"
				"<network address=\"127.0.0.1\" port=\"%d\"/></msg>", opt.tcp);
	sendto(u, reply, strlen(reply), 0, (struct sockaddr *)&from, flen);
	inet_ntop(AF_INET, &from.sin_addr, from_text, sizeof from_text);
	fake_log("discovery from %s:%d", from_text, ntohs(from.sin_port));
}

/* Grant whatever was asked, with the forged element. */
static void serve_forged(int c)
{
	g_autoptr(GString) req = g_string_new(NULL);
	g_autofree char *element = opt.element ? g_strdup_printf(" element=\"%s\"", opt.element)
					       : g_strdup("");
	g_autofree char *answer = g_strdup_printf(
		FAKE_HEADER "<msg level=\"3\" verb=\"1\" step=\"16\"><session peerid=\"fake\"/>"
		"<answer rc=\"%d\"%s/></msg>", opt.rc, element);
	char buf[4096];

	fake_read_msg(c, req, FAKE_MSG_MAX);
	fake_log("request %s", req->str);
	fake_send(c, answer);
	/* Keep it open until the client goes (it unlocks or gives up). */
	while (recv(c, buf, sizeof buf, 0) > 0)
		;
}

/* ---- the program ---- */

static void serve_connection(int s)
{
	int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return;
	if (opt.silent)
		return; /* held open, never read, until the process ends */
	if (opt.original)
		fake_original_serve(c);
	else
		serve_forged(c);
	close(c);
}

static _Noreturn void run(int s, int u)
{
	struct pollfd p[2] = { { .fd = s, .events = POLLIN }, { .fd = u, .events = POLLIN } };

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fail(EXIT_IO, "poll: %s", strerror(errno));
		}
		if (p[1].revents & POLLIN)
			serve_discovery(u);
		if (p[0].revents & POLLIN)
			serve_connection(s);
	}
}

static void parse_args(int argc, char **argv)
{
	const GOptionEntry entries[] = {
		{ "ready", 0, 0, G_OPTION_ARG_FILENAME, &opt.ready, "created once listening", "FILE" },
		{ "log", 0, 0, G_OPTION_ARG_FILENAME, &opt.log, "what was received", "FILE" },
		{ "lifetime", 0, 0, G_OPTION_ARG_INT, &opt.lifetime_ms, "end after MS", "MS" },
		{ "unix", 0, 0, G_OPTION_ARG_FILENAME, &opt.unix_path, "listen there", "PATH" },
		{ "tcp", 0, 0, G_OPTION_ARG_INT, &opt.tcp, "listen on 127.0.0.1:PORT", "PORT" },
		{ "udp", 0, 0, G_OPTION_ARG_STRING, &opt.udp, "answer discovery", "GROUP:PORT" },
		{ "element", 0, 0, G_OPTION_ARG_STRING, &opt.element, "forge it", "TEXT" },
		{ "rc", 0, 0, G_OPTION_ARG_INT, &opt.rc, "answer rc", "N" },
		{ "silent", 0, 0, G_OPTION_ARG_NONE, &opt.silent, "never answer", NULL },
		{ "original", 0, 0, G_OPTION_ARG_NONE, &opt.original, "an original daemon", NULL },
		{ "stale", 0, 0, G_OPTION_ARG_NONE, &opt.stale, "bind and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- daemons that are not flom");
	g_autoptr(GError) error = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error))
		fail(EXIT_USAGE, "%s", error->message);
	if (argc != 1 || !opt.unix_path == !opt.tcp || opt.tcp < 0 || opt.tcp > 65535 ||
	    opt.silent + opt.original + opt.stale > 1 ||
	    ((opt.original || opt.stale) && !opt.unix_path) ||
	    (opt.udp && (!opt.tcp || opt.silent)) || opt.lifetime_ms < 0)
		fail(EXIT_USAGE, "bad arguments (see the usage in tests/tools/fake_daemon.c)");
}

int main(int argc, char **argv)
{
	int s, u = -1;

	parse_args(argc, argv);
	if (opt.stale) {
		bind_unix(opt.unix_path);
		return 0;
	}
	if (opt.lifetime_ms > 0)
		alarm((unsigned)(opt.lifetime_ms + 999) / 1000);
	s = opt.unix_path ? listen_unix(opt.unix_path, !opt.original) : listen_tcp(opt.tcp);
	if (opt.udp)
		u = listen_discovery(opt.udp);
	if (opt.log) {
		log_fd = open(opt.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (log_fd < 0)
			fail(EXIT_IO, "%s: %s", opt.log, strerror(errno));
	}
	if (opt.original)
		fake_log("READY");
	if (opt.ready && !g_file_set_contents(opt.ready, "", 0, NULL))
		fail(EXIT_IO, "%s: cannot create it", opt.ready);
	run(s, u);
}
