/*
 * Unit tests of the socket layer (net.c) and of discovery parsing and the
 * responder (discovery.c), on this host's loopback only.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "discovery.h"
#include "flom.h"
#include "net.h"

#define H "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>"

static net_addr resolve_one(const char *host, int port, unsigned ifindex)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GArray) a = net_resolve(host, port, SOCK_STREAM, FALSE, ifindex, &err);
	net_addr out;

	g_assert_no_error(err);
	g_assert_nonnull(a);
	g_assert_cmpuint(a->len, >=, 1);
	out = g_array_index(a, net_addr, 0);
	return out;
}

static void check_text(const char *host, unsigned ifindex, const char *full, const char *ip)
{
	net_addr a = resolve_one(host, 28015, ifindex);
	g_autofree char *s = net_addr_to_string(&a);
	g_autofree char *i = net_addr_ip_string(&a);

	g_assert_cmpstr(s, ==, full);
	g_assert_cmpstr(i, ==, ip);
	g_assert_cmpint(net_addr_port(&a), ==, 28015);
}

static void test_addr_text(void)
{
	check_text("1.2.3.4", 0, "1.2.3.4:28015", "1.2.3.4");
	check_text("::FFFF:192.0.2.1", 0, "[::ffff:192.0.2.1]:28015", "::ffff:192.0.2.1");
	check_text("2001:db8::5", 0, "[2001:db8::5]:28015", "2001:db8::5");
	/* An interface makes link-local addresses usable and IPv4 mapped. */
	check_text("fe80::1", 1, "[fe80::1%lo]:28015", "fe80::1%lo");
	check_text("fe80::1%lo", 0, "[fe80::1%lo]:28015", "fe80::1%lo");
	check_text("1.2.3.4", 1, "[::ffff:1.2.3.4]:28015", "::ffff:1.2.3.4");
	/* A global address keeps no scope even with -n. */
	check_text("2001:db8::5", 1, "[2001:db8::5]:28015", "2001:db8::5");
}

static void test_addr_predicates(void)
{
	net_addr a = resolve_one("127.0.0.5", 1, 0);
	net_addr b = resolve_one("::1", 1, 0);
	net_addr c = resolve_one("::ffff:127.0.0.1", 1, 0);
	net_addr d = resolve_one("192.0.2.1", 1, 0);
	net_addr e = resolve_one("192.0.2.1", 1, 0);

	g_assert_true(net_addr_is_loopback(&a));
	g_assert_true(net_addr_is_loopback(&b));
	g_assert_true(net_addr_is_loopback(&c));
	g_assert_false(net_addr_is_loopback(&d));
	g_assert_true(net_addr_equal(&d, &e));
	net_addr_set_port(&e, 2);
	g_assert_false(net_addr_equal(&d, &e));
	g_assert_cmpint(net_addr_port(&e), ==, 2);
	g_assert_false(net_addr_equal(&a, &b));
	g_assert_cmpuint(net_ifindex("lo"), ==, 1);
	g_assert_cmpuint(net_ifindex("no-such-if0"), ==, 0);
	g_assert_cmpuint(net_ifindex(NULL), ==, 0);
}

static void test_resolve_errors(void)
{
	g_autoptr(GError) err = NULL;
	GArray *a = net_resolve("1.2.3.4", 70000, SOCK_STREAM, FALSE, 0, &err);

	g_assert_null(a);
	g_assert_error(err, NET_ERROR, EINVAL);
	g_clear_error(&err);
	a = net_resolve("no such host name", 1, SOCK_STREAM, FALSE, 0, &err);
	g_assert_null(a);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "no such host name"));
}

static void test_mcast_group(void)
{
	g_autoptr(GError) err = NULL;
	net_addr g;

	g_assert_cmpint(net_mcast_group("ff02::1", 28015, 0, &g, &err), ==, 0);
	g_assert_true(net_addr_is_multicast(&g));
	g_assert_false(net_addr_is_node_local(&g));
	g_assert_cmpint(net_addr_port(&g), ==, 28015);
	g_assert_cmpint(net_mcast_group("ff01::1", 5, 1, &g, &err), ==, 0);
	g_assert_true(net_addr_is_node_local(&g));
	{
		g_autofree char *s = net_addr_ip_string(&g);

		g_assert_cmpstr(s, ==, "ff01::1%lo"); /* -n gives scoped groups their scope */
	}
	g_assert_cmpint(net_mcast_group("224.0.0.1", 28015, 1, &g, &err), ==, 0);
	g_assert_cmpint(g.ss.ss_family, ==, AF_INET); /* -n does not force IPv6 */
	g_assert_cmpint(net_mcast_group("239.255.1.2", 1, 0, &g, &err), ==, 0);
	g_assert_no_error(err);

	g_assert_cmpint(net_mcast_group("192.0.2.1", 28015, 0, &g, &err), ==, -1);
	g_assert_nonnull(strstr(err->message, "'192.0.2.1' is not a multicast group"));
	g_clear_error(&err);
	g_assert_cmpint(net_mcast_group("fe80::1", 28015, 0, &g, &err), ==, -1);
	g_clear_error(&err);
	g_assert_cmpint(net_mcast_group("", 28015, 0, &g, &err), ==, -1);
	g_clear_error(&err);
	g_assert_cmpint(net_mcast_group(NULL, 28015, 0, &g, &err), ==, -1);
	g_clear_error(&err);
	g_assert_cmpint(net_mcast_group("ff02::1", 0, 0, &g, &err), ==, -1);
	g_clear_error(&err);
	g_assert_cmpint(net_mcast_group("ff02::1", 65536, 0, &g, &err), ==, -1);
}

static gboolean fd_cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

static gboolean fd_nonblock(int fd)
{
	return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
}

static int getopt_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	g_assert_cmpint(getsockopt(fd, level, name, &v, &len), ==, 0);
	return v;
}

static void test_tcp_roundtrip(void)
{
	g_autoptr(GError) err = NULL;
	net_addr bound;
	int l, c, s;

	l = net_tcp_listen("127.0.0.1", 0, AF_UNSPEC, 0, &bound, &err);
	g_assert_no_error(err);
	g_assert_cmpint(l, >=, 0);
	g_assert_true(fd_cloexec(l));
	g_assert_true(fd_nonblock(l));
	g_assert_cmpint(net_addr_port(&bound), >, 0);

	c = net_tcp_connect("127.0.0.1", net_addr_port(&bound), 0, 2000, &err);
	g_assert_no_error(err);
	g_assert_cmpint(c, >=, 0);
	g_assert_true(fd_cloexec(c));
	g_assert_false(fd_nonblock(c)); /* clients read blocking */
	g_assert_cmpint(getopt_int(c, IPPROTO_TCP, TCP_NODELAY), ==, 1);

	s = accept(l, NULL, NULL);
	g_assert_cmpint(s, >=, 0);
	g_assert_cmpint(net_tcp_keepalive(s, 7, 3, 4), ==, 0);
	g_assert_cmpint(getopt_int(s, SOL_SOCKET, SO_KEEPALIVE), ==, 1);
	g_assert_cmpint(getopt_int(s, IPPROTO_TCP, TCP_KEEPIDLE), ==, 7);
	g_assert_cmpint(getopt_int(s, IPPROTO_TCP, TCP_KEEPINTVL), ==, 3);
	g_assert_cmpint(getopt_int(s, IPPROTO_TCP, TCP_KEEPCNT), ==, 4);
	close(s);
	close(c);
	close(l);

	/* Nobody listens there any more. */
	c = net_tcp_connect("127.0.0.1", net_addr_port(&bound), 0, 2000, &err);
	g_assert_cmpint(c, ==, -1);
	g_assert_error(err, NET_ERROR, ECONNREFUSED);
	g_assert_cmpint(errno, ==, ECONNREFUSED);
}

static void test_tcp_ipv6_keepalive(void)
{
	g_autoptr(GError) err = NULL;
	net_addr bound;
	int l, c, s;

	l = net_tcp_listen("::1", 0, AF_INET6, 0, &bound, &err);
	if (l < 0) {
		g_test_skip("no IPv6 loopback here");
		return;
	}
	c = net_tcp_connect_addr(&bound, 2000, &err);
	g_assert_no_error(err);
	s = accept(l, NULL, NULL);
	g_assert_cmpint(s, >=, 0);
	g_assert_cmpint(net_tcp_keepalive(s, 60, 10, 6), ==, 0);
	g_assert_cmpint(getopt_int(s, SOL_SOCKET, SO_KEEPALIVE), ==, 1);
	g_assert_cmpint(getopt_int(s, IPPROTO_TCP, TCP_KEEPIDLE), ==, 60);
	close(s);
	close(c);
	close(l);
}

static void test_tcp_listen_errors(void)
{
	g_autoptr(GError) err = NULL;
	int l;

	/* TEST-NET-1: certainly not an address of this host. */
	l = net_tcp_listen("192.0.2.1", 0, AF_UNSPEC, 0, NULL, &err);
	g_assert_cmpint(l, ==, -1);
	g_assert_error(err, NET_ERROR, EADDRNOTAVAIL);
	g_assert_nonnull(strstr(err->message, "192.0.2.1 is not an address of this host"));
	g_clear_error(&err);
	/* Link-local without an interface cannot be bound. */
	l = net_tcp_listen("fe80::1", 0, AF_UNSPEC, 0, NULL, &err);
	g_assert_cmpint(l, ==, -1);
	g_assert_nonnull(strstr(err->message, "-n IFACE"));
	g_clear_error(&err);
	/* The wildcard of a family. */
	l = net_tcp_listen(NULL, 0, AF_INET, 0, NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpint(l, >=, 0);
	close(l);
}

static void test_unix(void)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *dir = g_dir_make_tmp("flom-test-net-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "sock", NULL);
	g_autofree char *file = g_build_filename(dir, "file", NULL);
	g_autofree char *longp = g_strnfill(200, 'x');
	struct stat st;
	int l, c, l2;

	g_assert_nonnull(dir);
	c = net_unix_connect(path, &err);
	g_assert_cmpint(c, ==, -1);
	g_assert_cmpint(errno, ==, ENOENT);
	g_assert_error(err, NET_ERROR, ENOENT);
	g_clear_error(&err);

	l = net_unix_listen(path, 0600, &err);
	g_assert_no_error(err);
	g_assert_true(fd_cloexec(l));
	g_assert_true(fd_nonblock(l));
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);

	/* A live daemon's socket is never taken over. */
	l2 = net_unix_listen(path, 0600, &err);
	g_assert_cmpint(l2, ==, -1);
	g_assert_error(err, NET_ERROR, EADDRINUSE);
	g_clear_error(&err);

	c = net_unix_connect(path, &err);
	g_assert_no_error(err);
	g_assert_true(fd_cloexec(c));
	close(c);
	close(l);

	/* The file of a dead daemon is stale: replaced, with the new mode. */
	l = net_unix_listen(path, 0666, &err);
	g_assert_no_error(err);
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0666);
	close(l);
	unlink(path);

	/* Not a socket: left alone. */
	g_assert_true(g_file_set_contents(file, "x", 1, NULL));
	l = net_unix_listen(file, 0600, &err);
	g_assert_cmpint(l, ==, -1);
	g_assert_nonnull(strstr(err->message, "is not a socket"));
	g_clear_error(&err);
	unlink(file);

	c = net_unix_connect(longp, &err);
	g_assert_cmpint(c, ==, -1);
	g_assert_error(err, NET_ERROR, ENAMETOOLONG);
	rmdir(dir);
}

/* ---- discovery parsing ---- */

static void test_discovery_request(void)
{
	static const char *bad[] = {
		"garbage",
		H "<msg level=\"2\" verb=\"4\" step=\"8\"></msg>",
		H "<msg level=\"3\" verb=\"4\" step=\"16\"></msg>",
		H "<msg level=\"3\" verb=\"1\" step=\"8\"></msg>",
		H "<msg level=\"3\" verb=\"4\" step=\"8\"><network address=\"x\" port=\"1\"/></msg>",
		H "<msg level=\"3\" verb=\"4\" step=\"8\"></msg",
		"",
	};
	const char *good = H "<msg level=\"3\" verb=\"4\" step=\"8\"></msg>";
	g_autofree char *huge = g_strnfill(FLOM_DATAGRAM_MAX + 1, ' ');

	g_assert_true(discovery_is_request(good, strlen(good)));
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_false(discovery_is_request(bad[i], strlen(bad[i])));
	g_assert_false(discovery_is_request(huge, strlen(huge)));
	g_assert_false(discovery_is_request(NULL, 0));
}

static void test_discovery_reply(void)
{
	static const struct {
		const char *text;
		int rc;
		const char *address;
		int port;
	} cases[] = {
		{ H "<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"\" port=\"33625\"/></msg>", 0, "", 33625 },
		{ H "<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"192.0.2.1\" port=\"28015\"/></msg>", 0, "192.0.2.1", 28015 },
		{ H "<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"fe80::1\" port=\"65535\"/></msg>", 0, "fe80::1", 65535 },
		/* no address: the original crashed here */
		{ H "<msg level=\"3\" verb=\"4\" step=\"16\"><network port=\"28015\"/></msg>", -1, NULL, 0 },
		{ H "<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"\" port=\"0\"/></msg>", -1, NULL, 0 },
		{ H "<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"\" port=\"65536\"/></msg>", -1, NULL, 0 },
		{ H "<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"\"/></msg>", -1, NULL, 0 },
		{ H "<msg level=\"3\" verb=\"4\" step=\"16\"></msg>", -1, NULL, 0 },
		{ H "<msg level=\"3\" verb=\"4\" step=\"8\"></msg>", -1, NULL, 0 },
		{ H "<msg level=\"2\" verb=\"4\" step=\"16\"><network address=\"\" port=\"1\"/></msg>", -1, NULL, 0 },
		{ "WELCOME", -1, NULL, 0 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *address = NULL;
		int port = -1;
		int rc = discovery_parse_reply(cases[i].text, strlen(cases[i].text), &address, &port);

		g_assert_cmpint(rc, ==, cases[i].rc);
		if (rc == 0) {
			g_assert_cmpstr(address, ==, cases[i].address);
			g_assert_cmpint(port, ==, cases[i].port);
		} else {
			g_assert_null(address);
		}
	}
}

/* ---- the responder, reached by unicast on loopback ---- */

static int free_udp_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port;

	g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sa, &len), ==, 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void send_to(int fd, int port, const char *text)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(sendto(fd, text, strlen(text), 0, (struct sockaddr *)&sa, sizeof(sa)), ==,
			(ssize_t)strlen(text));
}

/* Let the responder handle what arrived, then read what it answered. */
static char *exchange(discovery_responder *r, int client)
{
	const GArray *fds = discovery_responder_fds(r);
	int fd = g_array_index(fds, int, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[FLOM_DATAGRAM_MAX + 1];
	ssize_t n;

	g_assert_cmpint(poll(&p, 1, 2000), ==, 1);
	discovery_responder_handle(r, fd);
	p.fd = client;
	if (poll(&p, 1, 200) != 1)
		return NULL;
	n = recv(client, buf, sizeof(buf) - 1, 0);
	g_assert_cmpint(n, >, 0);
	buf[n] = '\0';
	return g_strdup(buf);
}

static void test_responder(void)
{
	g_autoptr(GError) err = NULL;
	flom_config cfg;
	discovery_responder *r;
	int port = free_udp_port(), client;
	const char *req = H "<msg level=\"3\" verb=\"4\" step=\"8\"></msg>";
	char *got;

	config_init(&cfg);
	cfg.multicast_address = g_strdup("239.255.77.1");
	cfg.multicast_port = port;
	r = discovery_responder_new(&cfg, "", 4321, &err);
	if (!r) {
		g_test_skip(err->message);
		config_clear(&cfg);
		return;
	}
	g_assert_cmpuint(discovery_responder_fds(r)->len, >=, 1);
	g_assert_true(fd_cloexec(g_array_index(discovery_responder_fds(r), int, 0)));
	g_assert_true(fd_nonblock(g_array_index(discovery_responder_fds(r), int, 0)));
	client = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	send_to(client, port, req);
	got = exchange(r, client);
	g_assert_cmpstr(got, ==, H "<msg level=\"3\" verb=\"4\" step=\"16\"><network address=\"\" port=\"4321\"/></msg>");
	g_free(got);

	/* Malformed: dropped, counted, unanswered, and the socket still works. */
	send_to(client, port, "garbage");
	g_assert_null(exchange(r, client));
	send_to(client, port, H "<msg level=\"2\" verb=\"4\" step=\"8\"></msg>");
	g_assert_null(exchange(r, client));
	g_assert_cmpuint(discovery_responder_dropped(r), ==, 2);
	send_to(client, port, req);
	got = exchange(r, client);
	g_assert_nonnull(got);
	g_free(got);
	/* Nothing waiting: handle() returns at once. */
	discovery_responder_handle(r, g_array_index(discovery_responder_fds(r), int, 0));

	close(client);
	discovery_responder_free(r);
	config_clear(&cfg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/net/addr/text", test_addr_text);
	g_test_add_func("/net/addr/predicates", test_addr_predicates);
	g_test_add_func("/net/resolve/errors", test_resolve_errors);
	g_test_add_func("/net/mcast/group", test_mcast_group);
	g_test_add_func("/net/tcp/roundtrip", test_tcp_roundtrip);
	g_test_add_func("/net/tcp/ipv6_keepalive", test_tcp_ipv6_keepalive);
	g_test_add_func("/net/tcp/listen_errors", test_tcp_listen_errors);
	g_test_add_func("/net/unix", test_unix);
	g_test_add_func("/discovery/request", test_discovery_request);
	g_test_add_func("/discovery/reply", test_discovery_reply);
	g_test_add_func("/discovery/responder", test_responder);
	return g_test_run();
}
