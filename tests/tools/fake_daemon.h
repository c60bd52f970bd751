/*
 * fake_daemon: what its two parts share (fake_daemon.c: the program, the
 * forged daemon, the silent listener; fake_original.c: an original FLoM
 * 1.7.2 daemon's answers and deaths).
 */
#ifndef FAKE_DAEMON_H
#define FAKE_DAEMON_H

#include <glib.h>

/* The XML declaration every message starts with. */
#define FAKE_HEADER "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>"

/* Bounds of this tool: the longest message the forged daemon reads (the
 * original's buffer is its own bound, FAKE_ORIGINAL_BUFFER). */
#define FAKE_MSG_MAX          65536
#define FAKE_ORIGINAL_BUFFER  512
#define FAKE_DATAGRAM_MAX     2048

enum {
	FAKE_READ_EOF = 0,     /* the peer closed before "</msg>" */
	FAKE_READ_MSG = 1,     /* buf holds one message, up to its "</msg>" */
	FAKE_READ_LONG = -1,   /* max bytes and no "</msg>" yet */
};

/* Append one line to the log given with --log (nothing without one). */
void fake_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* One message from fd, read byte by byte up to its "</msg>", into buf. */
int fake_read_msg(int fd, GString *buf, gsize max);
/* Send all of text; a peer that left is not an error here. */
void fake_send(int fd, const char *text);
/* Serve one connection as the original daemon does; it may end the
 * process, as the original's main loop ends. */
void fake_original_serve(int fd);

#endif
