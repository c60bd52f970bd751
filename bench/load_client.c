/* load_client: wire-level load for `make bench`, in C so that the client is
 * never the bottleneck (a Python client is, at these rates).
 *
 *   load_client cycle SOCKET SECONDS PROCS
 *       PROCS processes, each repeating connect, LOCK (exclusive, resource
 *       "R"), wait for the grant, UNLOCK, wait for the close. Prints
 *       "CYCLES_PER_SECOND FIFO_VIOLATIONS".
 *   load_client hold SOCKET N
 *       One process holds N distinct resources over N connections. Prints
 *       "held N in MS ms" once every grant arrived, then waits for SIGTERM.
 *
 * SOCKET is a UNIX socket path, or HOST:PORT for TCP (IPv4).
 *
 * FIFO check (cycle): a grant is out of order when the granted client sent
 * its request after another client had already been told "queued" and that
 * client is still waiting. Each process notes, in shared memory, the tick at
 * which it learnt it was queued; a shared counter orders the ticks. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROCS_MAX 256
#define ANSWER_MAX 4096
#define HEADER "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>"

struct shared {
	atomic_long tick;
	atomic_long queued_at[PROCS_MAX]; /* 0: not waiting in a queue */
	atomic_long cycles[PROCS_MAX];
	atomic_long violations;
};

static const char *target;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_target(void)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	struct sockaddr_in si = { .sin_family = AF_INET };
	const char *colon = strrchr(target, ':');
	int fd;

	if (strchr(target, '/') || !colon) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		snprintf(su.sun_path, sizeof su.sun_path, "%s", target);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&su, sizeof su) == 0)
			return fd;
	} else {
		char host[64];
		snprintf(host, sizeof host, "%.*s", (int)(colon - target), target);
		si.sin_port = htons((unsigned short)atoi(colon + 1));
		inet_pton(AF_INET, host, &si.sin_addr);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&si, sizeof si) == 0)
			return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Base64 of short ASCII names, enough for "R" and "h12345". */
static void b64(const char *in, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), i;
	const unsigned char *s = (const unsigned char *)in;

	for (i = 0; i + 2 < n; i += 3, s += 3) {
		*out++ = tab[s[0] >> 2];
		*out++ = tab[((s[0] & 3) << 4) | (s[1] >> 4)];
		*out++ = tab[((s[1] & 15) << 2) | (s[2] >> 6)];
		*out++ = tab[s[2] & 63];
	}
	if (n - i == 1) {
		*out++ = tab[s[0] >> 2];
		*out++ = tab[(s[0] & 3) << 4];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		*out++ = tab[s[0] >> 2];
		*out++ = tab[((s[0] & 3) << 4) | (s[1] >> 4)];
		*out++ = tab[(s[1] & 15) << 2];
		*out++ = '=';
	}
	*out = '\0';
}

static int send_lock(int fd, const char *name)
{
	char b[64], msg[512];
	int n;

	b64(name, b);
	n = snprintf(msg, sizeof msg, HEADER "<msg level=\"3\" verb=\"1\" step=\"8\">"
		     "<session peerid=\"\"/><resource name=\"%s\" mode=\"5\" wait=\"1\" "
		     "create=\"1\" lifespan=\"0\"/></msg>", b);
	return write(fd, msg, (size_t)n) == n ? 0 : -1;
}

static int send_unlock(int fd, const char *name)
{
	char b[64], msg[512];
	int n;

	b64(name, b);
	n = snprintf(msg, sizeof msg, HEADER "<msg level=\"3\" verb=\"2\" step=\"8\">"
		     "<resource name=\"%s\" rollback=\"0\" /></msg>", b);
	return write(fd, msg, (size_t)n) == n ? 0 : -1;
}

/* The rc of the next answer, reading in chunks; -1 on a close or an error. */
struct reader {
	size_t len;
	char buf[ANSWER_MAX + 1];
};

static int next_rc(int fd, struct reader *r)
{
	char *end, *rc;
	ssize_t n;

	while ((end = strstr(r->buf, "</msg>")) == NULL) {
		if (r->len >= ANSWER_MAX)
			return -1;
		n = read(fd, r->buf + r->len, ANSWER_MAX - r->len);
		if (n <= 0)
			return -1;
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
	}
	rc = strstr(r->buf, "rc=\"");
	n = (rc && rc < end) ? atoi(rc + 4) : -1;
	end += 6;
	r->len -= (size_t)(end - r->buf);
	memmove(r->buf, end, r->len + 1);
	return (int)n;
}

static void fifo_check(struct shared *sh, int me, int procs, long sent_at)
{
	for (int i = 0; i < procs; i++) {
		long q = atomic_load(&sh->queued_at[i]);
		if (i != me && q != 0 && q < sent_at)
			atomic_fetch_add(&sh->violations, 1);
	}
}

/* One lock/unlock cycle; 0 when it completed. */
static int cycle(struct shared *sh, int me, int procs)
{
	struct reader r = { 0 };
	long sent_at;
	int fd = connect_target(), rc;
	char drain[256];

	if (fd < 0)
		return -1;
	sent_at = atomic_fetch_add(&sh->tick, 1) + 1;
	if (send_lock(fd, "R") < 0)
		goto fail;
	while ((rc = next_rc(fd, &r)) == 1)
		atomic_store(&sh->queued_at[me], atomic_fetch_add(&sh->tick, 1) + 1);
	if (rc != 0)
		goto fail;
	fifo_check(sh, me, procs, sent_at);
	atomic_store(&sh->queued_at[me], 0);
	if (send_unlock(fd, "R") < 0)
		goto fail;
	shutdown(fd, SHUT_WR);
	while (read(fd, drain, sizeof drain) > 0)
		;
	close(fd);
	return 0;
fail:
	atomic_store(&sh->queued_at[me], 0);
	close(fd);
	return -1;
}

static int run_cycles(double seconds, int procs)
{
	struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double t0 = now_s(), elapsed;
	long total = 0;
	int i, failed = 0, status;

	if (sh == MAP_FAILED || procs < 1 || procs > PROCS_MAX)
		return 2;
	for (i = 0; i < procs; i++) {
		if (fork() == 0) {
			while (now_s() - t0 < seconds) {
				if (cycle(sh, i, procs) < 0)
					_exit(1);
				atomic_fetch_add(&sh->cycles[i], 1);
			}
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	elapsed = now_s() - t0;
	for (i = 0; i < procs; i++)
		total += atomic_load(&sh->cycles[i]);
	printf("%.0f %ld\n", (double)total / elapsed, atomic_load(&sh->violations));
	if (failed)
		fprintf(stderr, "load_client: a cycle failed (connect, refusal or close)\n");
	return failed;
}

static int run_hold(int n)
{
	struct pollfd *p = calloc((size_t)n, sizeof *p);
	struct reader *r = calloc((size_t)n, sizeof *r);
	double t0 = now_s();
	char name[32];
	int i, held = 0, rc;

	if (!p || !r)
		return 2;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "h%d", i);
		p[i].fd = connect_target();
		p[i].events = POLLIN;
		if (p[i].fd < 0 || send_lock(p[i].fd, name) < 0) {
			fprintf(stderr, "load_client: lock %d: %s\n", i, strerror(errno));
			return 1;
		}
	}
	while (held < n) {
		if (poll(p, (nfds_t)n, 10000) <= 0) {
			fprintf(stderr, "load_client: %d of %d granted after 10 s\n", held, n);
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			rc = next_rc(p[i].fd, &r[i]);
			if (rc != 0) {
				fprintf(stderr, "load_client: lock %d: rc %d\n", i, rc);
				return 1;
			}
			p[i].fd = -p[i].fd - 1; /* granted: poll ignores it now */
			held++;
		}
	}
	printf("held %d in %.0f ms\n", n, (now_s() - t0) * 1000);
	fflush(stdout);
	for (;;)
		pause(); /* SIGTERM ends it; the kernel closes every connection */
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 5 && strcmp(argv[1], "cycle") == 0) {
		target = argv[2];
		return run_cycles(atof(argv[3]), atoi(argv[4]));
	}
	if (argc == 4 && strcmp(argv[1], "hold") == 0) {
		target = argv[2];
		return run_hold(atoi(argv[3]));
	}
	fprintf(stderr, "usage: load_client cycle SOCKET SECONDS PROCS | hold SOCKET N\n");
	return 2;
}
