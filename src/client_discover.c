/*
 * flom: the client reaches a daemon by multicast discovery: ask the group,
 * connect to a daemon that answered (skipping those that cannot be
 * reached), and in dynamic mode start one when none answered.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "client_int.h"
#include "discovery.h"
#include "net.h"
#include "spawn.h"
#include "trace.h"

/* Discover, then connect. A daemon that answered may step down before we
 * connect (dynamic mode settles on one daemon per group), or a reply may
 * name a closed port: ask again, skipping the daemons already tried. When
 * none of those that answered can be reached, it is as if none answered
 * (ETIMEDOUT: dynamic mode starts one). */
static int client_connect_discovered(const flom_config *cfg, GError **err)
{
	g_autoptr(GArray) tried = g_array_new(FALSE, FALSE, sizeof(net_addr));

	for (int attempt = 0; attempt < FLOM_CLIENT_CONNECT_RETRIES; attempt++) {
		g_autoptr(GError) unreachable = NULL;
		net_addr daemon;
		int fd;

		if (discovery_query(cfg, tried, &daemon, err) < 0)
			return -1;
		fd = net_tcp_connect_addr(&daemon, (int)cfg->answer_timeout, &unreachable);
		if (fd >= 0)
			return fd;
		TRACE(TRACE_CLIENT, "discovered daemon unreachable: %s", unreachable->message);
		g_array_append_val(tried, daemon);
		client_pause_ms(10 << attempt);
	}
	g_set_error(err, NET_ERROR, ETIMEDOUT, "no daemon that answered on %s port %d could be reached",
		    cfg->multicast_address, cfg->multicast_port);
	return -1;
}

#ifndef FLOM_DOCDIR
#define FLOM_DOCDIR "/usr/local/share/doc/flom"
#endif

/* "ipv6" or "ipv4": the family of the --debug-feature that tests a group. */
static const char *client_group_family(const flom_config *cfg)
{
	return strchr(cfg->multicast_address, ':') ? "ipv6" : "ipv4";
}

/* A client that may start a daemon asks all but the last time first: the
 * daemon it starts then settles while that last query runs (the query it
 * answers itself, unless an earlier daemon answers first). */
static const flom_config *client_first_round(const flom_config *cfg, flom_config *copy)
{
	if (cfg->discovery_attempts < 2)
		return cfg;
	*copy = *cfg;
	copy->discovery_attempts--;
	return copy;
}

int client_connect_multicast(const flom_config *cfg, gboolean may_start, GError **err)
{
	g_autoptr(GError) first = NULL;
	g_autofree char *lock_path = NULL;
	flom_config first_round;
	gboolean waited = FALSE;
	int fd = -1, lock_fd;

	fd = client_connect_discovered(may_start ? client_first_round(cfg, &first_round) : cfg,
				       &first);
	if (fd >= 0)
		return fd;
	/* Only silence means "no daemon"; a bad group or a missing route is
	 * reported as it is. */
	if (!g_error_matches(first, NET_ERROR, ETIMEDOUT)) {
		g_propagate_error(err, g_steal_pointer(&first));
		return -1;
	}
	if (!may_start) {
		/* Silence is most often the network losing datagrams: say how
		 * to test the path, and where the causes are explained. */
		g_set_error(err, NET_ERROR, ECONNREFUSED,
			    "no daemon found on %s port %d after %d attempts (and -d 0 does not start one); "
			    "test the path with --debug-feature=%s.multicast.server on the daemon's host "
			    "and %s.multicast.client here, see " FLOM_DOCDIR "/troubleshooting.md",
			    cfg->multicast_address, cfg->multicast_port, cfg->discovery_attempts,
			    client_group_family(cfg), client_group_family(cfg));
		return -1;
	}
	/* Clients of one host serialize their starts in dynamic mode too. */
	lock_path = spawn_group_lock_path(cfg->multicast_address, cfg->multicast_port);
	lock_fd = spawn_lock(lock_path, TRUE, &waited, err);
	if (lock_fd < 0)
		return -1;
	/* Another client of this host started one while we waited: ask again
	 * (a whole discovery round, so only when someone else held the lock). */
	fd = waited ? client_connect_discovered(cfg, NULL) : -1;
	if (fd < 0 && spawn_daemon(cfg, err) == 0)
		fd = client_connect_discovered(cfg, err);
	spawn_unlock(lock_fd);
	return fd;
}
