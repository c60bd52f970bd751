/* flom: trace lines for people debugging, enabled per module by FLOM_TRACE_MASK. */
#ifndef FLOM_TRACE_H
#define FLOM_TRACE_H

#include <stddef.h>
#include <glib.h>
#include "flom.h"

/* Read FLOM_TRACE_MASK (strtoul, base 0); traces go to stderr. The daemon
 * bit implies its connection and lock-table bits. */
void trace_init_from_env(void);
/* Redirect traces to an absolute path (truncated unless append); -1 with err. */
int trace_open_file(const char *path, gboolean append, GError **err);
/* trace_open_file, and when FLOM_TRACE_MASK is not set, trace the modules
 * of dflt into it (-t and -T alone must not give an empty file). */
int trace_open_file_default(const char *path, gboolean append, unsigned dflt, GError **err);
/* Stop tracing to any file: the daemon uses it when it has no trace file. */
void trace_close(void);
unsigned trace_mask(void);
void trace_set_mask(unsigned mask);

/* A copy of LEN bytes of S (len < 0: up to its NUL) safe to print in a log
 * line or a message: every byte outside printable ASCII becomes \xNN, so a
 * peer's bytes cannot forge lines or terminal controls. Escaping twice
 * changes nothing (the backslash stays). */
char *trace_escape(const char *s, gssize len);
/* syslog() of the escaped text: for lines that carry strings from peers. */
void trace_syslog(int priority, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

void trace_printf(const char *func, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* "<func>: <prefix>xx xx xx " as the seeds print datagrams. */
void trace_hex(const char *func, const char *prefix, const void *buf, size_t len);

#define TRACE_ON(mod) ((trace_mask() & (mod)) != 0)
#define TRACE(mod, ...) \
	do { if (TRACE_ON(mod)) trace_printf(G_STRFUNC, __VA_ARGS__); } while (0)
#define TRACE_HEX(mod, prefix, buf, len) \
	do { if (TRACE_ON(mod)) trace_hex(G_STRFUNC, (prefix), (buf), (len)); } while (0)

#endif
