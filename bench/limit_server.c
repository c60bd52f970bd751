/* limit_server: the physical limit of flom's lock exchange on this machine.
 *
 *   limit_server [--queue] SOCKET-PATH
 *
 * Listens on a UNIX socket and, for every connection, in one poll loop:
 * reads until "</msg>" (the lock request), writes a canned grant, reads
 * until "</msg>" again (the unlock) and closes. It keeps no table, checks
 * nothing and never queues anyone: whatever flom's daemon does on top of
 * this is the cost of being a lock manager. `make bench` reports the daemon's
 * cycles per second as a fraction of this server's, measured in the same run
 * with the same load client. Runs until killed.
 *
 * --queue: the same exchange on one lock, as a lock manager must do it when
 * all clients want the same resource (P3): a request while the lock is held
 * is answered "queued" (rc 1) and granted, in FIFO order, when the holder
 * unlocks or goes. Still no table and no checks: the limit of one resource's
 * exchange, grants handed from one client to the next. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define BUF_MAX 4096

static const char GRANT[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>"
	"<msg level=\"3\" verb=\"1\" step=\"16\"><session peerid=\"limit\"/>"
	"<answer rc=\"0\"/></msg>";
static const char QUEUED[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>"
	"<msg level=\"3\" verb=\"1\" step=\"16\"><session peerid=\"limit\"/>"
	"<answer rc=\"1\"/></msg>";

struct conn {
	int fd;
	unsigned long serial; /* who it is, whatever its index or descriptor */
	int seen;       /* messages read so far: 1 after the lock, 2 after the unlock */
	size_t len;
	char buf[BUF_MAX];
};

static struct conn conns[MAX_CONNS];
static struct pollfd pfds[MAX_CONNS + 1];
static int nconns;
static int queue_mode;              /* --queue */
static unsigned long next_serial = 1;
static unsigned long holder;        /* serial of the holder, 0: free */
static unsigned long waiting[MAX_CONNS]; /* serials, FIFO ring */
static unsigned qhead, qtail;

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof sa.sun_path)
		return -1;
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1024) < 0)
		return -1;
	return fd;
}

static struct conn *conn_by_serial(unsigned long serial)
{
	for (int i = 0; i < nconns; i++)
		if (conns[i].serial == serial)
			return &conns[i];
	return NULL;
}

/* The lock is free: the first waiter still connected gets it. */
static void queue_grant_next(void)
{
	struct conn *c = NULL;

	holder = 0;
	while (!c && qhead != qtail)
		c = conn_by_serial(waiting[qhead++ % MAX_CONNS]);
	if (c) {
		holder = c->serial;
		(void)!write(c->fd, GRANT, sizeof GRANT - 1);
	}
}

/* The answer to a lock request: a grant, or "queued" behind the holder. */
static const char *queue_request(struct conn *c)
{
	if (!queue_mode || holder == 0) {
		holder = c->serial;
		return GRANT;
	}
	waiting[qtail++ % MAX_CONNS] = c->serial;
	return QUEUED;
}

/* The next waiter's grant goes out before the close, as in the daemon. */
static void conn_drop(int i)
{
	unsigned long serial = conns[i].serial;
	int fd = conns[i].fd;

	conns[i] = conns[--nconns];
	if (queue_mode && serial == holder)
		queue_grant_next();
	close(fd);
}

/* Read what is there; count each complete message. Returns -1 to close. */
static int conn_read(struct conn *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len - 1);
	char *end;

	if (n <= 0)
		return (n < 0 && errno == EAGAIN) ? 0 : -1;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((end = strstr(c->buf, "</msg>")) != NULL) {
		size_t used = (size_t)(end + 6 - c->buf);
		memmove(c->buf, c->buf + used, c->len - used + 1);
		c->len -= used;
		if (++c->seen == 1) {
			const char *answer = queue_request(c);

			if (write(c->fd, answer, strlen(answer)) < 0)
				return -1;
		}
		if (c->seen == 2)
			return -1; /* unlocked: close, as the daemon does */
	}
	return c->len < sizeof c->buf - 1 ? 0 : -1;
}

static void accept_all(int lfd)
{
	int fd;

	while (nconns < MAX_CONNS &&
	       (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		conns[nconns++] = (struct conn){ .fd = fd, .serial = next_serial++ };
}

int main(int argc, char **argv)
{
	int lfd, i, n;

	queue_mode = argc == 3 && strcmp(argv[1], "--queue") == 0;
	if (argc != 2 + queue_mode) {
		fprintf(stderr, "usage: limit_server [--queue] SOCKET-PATH\n");
		return 2;
	}
	lfd = listen_unix(argv[argc - 1]);
	if (lfd < 0) {
		perror("limit_server: listen");
		return 1;
	}
	for (;;) {
		pfds[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (i = 0; i < nconns; i++)
			pfds[i + 1] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
		n = nconns;
		if (poll(pfds, (nfds_t)n + 1, -1) < 0 && errno != EINTR)
			return 1;
		/* Backwards, so conn_drop's swap with the last one is safe. */
		for (i = n - 1; i >= 0; i--)
			if (pfds[i + 1].revents && conn_read(&conns[i]) < 0)
				conn_drop(i);
		if (pfds[0].revents & POLLIN)
			accept_all(lfd);
	}
}
