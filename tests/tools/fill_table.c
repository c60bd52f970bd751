/*
 * fill_table: a greedy peer for tests/cli/trust_greedy.sh. It creates
 * resources PREFIX0, PREFIX1... with a long idle lifespan on a flom daemon:
 * one lock request a connection, closed once answered, so each resource stays
 * in the table, idle. It stops at the first refusal or after COUNT, keeping
 * PARALLEL requests in flight.
 *
 * Usage: fill_table SOCKET PREFIX COUNT [LIFESPAN_MS [PARALLEL]]
 * Prints "created N in MS ms" and, when the daemon refused one,
 * "refused rc R". Exit status: 0, 2 usage, 3 I/O.
 */
#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define FILL_PARALLEL_MAX 256
#define FILL_ANSWER_MAX   4096
#define FILL_WAIT_MS      10000   /* no answer from anyone this long: I/O error */

typedef struct {
	int fd;                     /* -1: free slot */
	char in[FILL_ANSWER_MAX];
	size_t len;
} slot;

typedef struct {
	const char *path;
	const char *prefix;
	long count;
	long lifespan;
	long sent;
	long created;
	gboolean refused;
	long refused_rc;
} filler;

static void die(const char *what)
{
	fprintf(stderr, "fill_table: %s: %s\n", what, g_strerror(errno));
	exit(3);
}

/* Connect and send the next lock request on s. */
static void slot_start(filler *f, slot *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	g_autofree char *name = g_strdup_printf("%s%ld", f->prefix, f->sent++);
	g_autofree char *b64 = g_base64_encode((const guchar *)name, strlen(name));
	g_autofree char *msg = g_strdup_printf(
		"<?xml version=\"1.0\" encoding=\"UTF-8\" ?><msg level=\"3\" verb=\"1\" step=\"8\">"
		"<session peerid=\"greedy\"/><resource name=\"%s\" mode=\"5\" wait=\"0\" create=\"1\" "
		"lifespan=\"%ld\"/></msg>", b64, f->lifespan);
	size_t len = strlen(msg);

	g_strlcpy(sa.sun_path, f->path, sizeof(sa.sun_path));
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die(f->path);
	if (send(s->fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len)
		die("send");
	s->len = 0;
}

/* Read what came on s; once the answer (or EOF) is there, count it. */
static void slot_read(filler *f, slot *s)
{
	ssize_t n = recv(s->fd, s->in + s->len, sizeof(s->in) - 1 - s->len, 0);
	const char *rc;

	if (n < 0 && errno == EINTR)
		return;
	if (n > 0) {
		s->len += (size_t)n;
		s->in[s->len] = '\0';
		if (!strstr(s->in, "</msg>") && s->len < sizeof(s->in) - 1)
			return;
	}
	rc = n > 0 ? strstr(s->in, "rc=\"") : NULL;
	if (rc && atol(rc + 4) == 0) {
		f->created++;
	} else if (!f->refused) {
		f->refused = TRUE;
		f->refused_rc = rc ? atol(rc + 4) : -1;
	}
	close(s->fd);
	s->fd = -1;
	if (!f->refused && f->sent < f->count)
		slot_start(f, s);
}

static void fill(filler *f, slot *slots, long parallel)
{
	struct pollfd pfd[FILL_PARALLEL_MAX];

	for (long i = 0; i < parallel; i++)
		slots[i].fd = -1;
	for (long i = 0; i < parallel && f->sent < f->count; i++)
		slot_start(f, &slots[i]);
	for (;;) {
		nfds_t n = 0;
		int r;

		for (long i = 0; i < parallel; i++)
			pfd[i] = (struct pollfd){ .fd = slots[i].fd, .events = POLLIN };
		for (long i = 0; i < parallel; i++)
			n += slots[i].fd >= 0;
		if (n == 0)
			return;
		r = poll(pfd, (nfds_t)parallel, FILL_WAIT_MS);
		if (r == 0)
			errno = ETIMEDOUT;
		if (r <= 0 && errno != EINTR)
			die("poll");
		for (long i = 0; i < parallel; i++)
			if (slots[i].fd >= 0 && pfd[i].revents)
				slot_read(f, &slots[i]);
	}
}

int main(int argc, char **argv)
{
	static slot slots[FILL_PARALLEL_MAX];
	filler f = { 0 };
	long parallel = 64;
	gint64 t0;

	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: fill_table SOCKET PREFIX COUNT [LIFESPAN_MS [PARALLEL]]\n");
		return 2;
	}
	f.path = argv[1];
	f.prefix = argv[2];
	f.count = atol(argv[3]);
	f.lifespan = argc > 4 ? atol(argv[4]) : G_MAXINT32;
	if (argc > 5)
		parallel = CLAMP(atol(argv[5]), 1, FILL_PARALLEL_MAX);
	t0 = g_get_monotonic_time();
	fill(&f, slots, parallel);
	printf("created %ld in %" G_GINT64_FORMAT " ms\n", f.created,
	       (g_get_monotonic_time() - t0) / 1000);
	if (f.refused)
		printf("refused rc %ld\n", f.refused_rc);
	return 0;
}
