/*
 * flom: the daemon's process title (see proctitle.h).
 *
 * The daemon is a fork of the client that started it, so without this ps
 * shows that client's command line and the daemon looks like a stuck client.
 * Linux shows the bytes of the original argument area; when a title is longer
 * than the arguments, the area of the environment strings that follows them
 * is used too (the kernel reads on past the arguments when their last byte is
 * no longer NUL), after the environment was copied elsewhere.
 */
#include "proctitle.h"

#include <string.h>
#include <unistd.h>

extern char **environ;

static char *proctitle_start;
static size_t proctitle_argv_len;

void proctitle_init(int argc, char **argv)
{
	char *end;

	if (argc < 1 || argv[0] == NULL)
		return;
	end = argv[0] + strlen(argv[0]) + 1;
	for (int i = 1; i < argc && argv[i] == end; i++)
		end = argv[i] + strlen(argv[i]) + 1;
	proctitle_start = argv[0];
	proctitle_argv_len = (size_t)(end - argv[0]);
}

/* The environment strings right after the arguments join the area; the
 * process keeps copies of them. Returns the usable length. */
static size_t proctitle_take_environ(void)
{
	char *end = proctitle_start + proctitle_argv_len;
	guint n = environ ? g_strv_length(environ) : 0;
	char **copy = g_new0(char *, n + 1);

	for (guint i = 0; i < n; i++) {
		if (environ[i] == end)
			end = environ[i] + strlen(environ[i]) + 1;
		copy[i] = g_strdup(environ[i]);
	}
	environ = copy;  /* kept for the life of the process */
	return (size_t)(end - proctitle_start);
}

static void proctitle_set(const char *title)
{
	size_t len;

	if (proctitle_start == NULL)
		return;
	len = proctitle_take_environ();
	memset(proctitle_start, 0, len);
	memcpy(proctitle_start, title, MIN(strlen(title), len - 1));
}

void proctitle_set_daemon(const flom_config *cfg, unsigned port)
{
	g_autoptr(GString) t = g_string_new("flom daemon: ");

	if (cfg->unicast_address)
		g_string_append_printf(t, strchr(cfg->unicast_address, ':') ? "[%s]:%u" : "%s:%u",
				       cfg->unicast_address, port);
	else if (cfg->multicast_address)
		g_string_append_printf(t, "port %u", port);
	else
		g_string_append(t, cfg->socket_name);
	if (cfg->multicast_address)
		g_string_append_printf(t, strchr(cfg->multicast_address, ':')
				       ? " discovery [%s]:%d" : " discovery %s:%d",
				       cfg->multicast_address, cfg->multicast_port);
	proctitle_set(t->str);
}
