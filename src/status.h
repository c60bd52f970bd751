/*
 * flom: the client's side of `flom --status`: the records a daemon sent,
 * printed as a table or as one JSON document (shape: man/flom.1, STATUS).
 * No I/O but the output stream, so it is unit-tested.
 */
#ifndef FLOM_STATUS_H
#define FLOM_STATUS_H

#include <stdio.h>
#include <glib.h>
#include "msg.h"

typedef enum {
	STATUS_FORMAT_NONE = 0,   /* no --status */
	STATUS_FORMAT_TABLE,      /* --status */
	STATUS_FORMAT_JSON,       /* --status=json */
} status_format;

/*
 * Print records (flom_msg*, verb MSG_VERB_STATUS, the last one "end") on out.
 * verbose: the table also shows the counters. Returns the exit status: 0, or
 * 99 with a message on stderr when the daemon refused or the records are not
 * a status answer.
 */
int status_print(const GPtrArray *records, status_format format, gboolean verbose, FILE *out);

/* "flom: waiting for RES, held by USER@HOST pid PID since TIME" from a
 * queued answer (rc 1, or 2: the resource does not exist yet). g_free. */
char *status_wait_notice(const char *resource, const flom_msg *answer);

#endif
