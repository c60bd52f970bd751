/* flom: trace lines "YYYY-MM-DD HH:MM:SS.uuuuuu [pid/0xthread] func: text". */
#include "config.h"
#include "trace.h"
#include "safefile.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static unsigned trace_bits;
static FILE *trace_stream; /* NULL means stderr */

/* A user who asks for a role's traces wants the whole story of that role:
 * the daemon bit also shows its connections and its lock table. */
static unsigned trace_expand(unsigned mask)
{
	if (mask & TRACE_DAEMON)
		mask |= TRACE_CONN | TRACE_LOCKTABLE;
	return mask;
}

void trace_init_from_env(void)
{
	const char *s = getenv("FLOM_TRACE_MASK");

	trace_bits = s ? trace_expand((unsigned)strtoul(s, NULL, 0)) : 0;
}

int trace_open_file_default(const char *path, gboolean append, unsigned dflt, GError **err)
{
	if (trace_open_file(path, append, err) < 0)
		return -1;
	/* A trace file alone means "trace this role into it"; an explicit
	 * FLOM_TRACE_MASK (even 0) keeps its meaning. */
	if (getenv("FLOM_TRACE_MASK") == NULL)
		trace_bits = trace_expand(dflt);
	return 0;
}

unsigned trace_mask(void)
{
	return trace_bits;
}

void trace_set_mask(unsigned mask)
{
	trace_bits = trace_expand(mask);
}

int trace_open_file(const char *path, gboolean append, GError **err)
{
	FILE *f;
	int fd;

	if (!g_path_is_absolute(path)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "trace file '%s' is not an absolute path (the daemon runs in /)", path);
		return -1;
	}
	fd = safefile_open_write(path, append, err);
	f = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (!f) {
		if (fd >= 0) {
			g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "cannot open trace file '%s': %s", path, g_strerror(errno));
			close(fd);
		}
		return -1;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	trace_close();
	trace_stream = f;
	return 0;
}

void trace_close(void)
{
	if (trace_stream)
		fclose(trace_stream);
	trace_stream = NULL;
}

static FILE *trace_out(void)
{
	return trace_stream ? trace_stream : stderr;
}

static void trace_prefix(FILE *out, const char *func)
{
	struct timeval tv;
	struct tm tm;
	char when[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "%s.%06ld [%d/%p] %s", when, (long)tv.tv_usec, (int)getpid(),
		(void *)pthread_self(), func);
}

char *trace_escape(const char *s, gssize len)
{
	GString *out;

	if (!s)
		return g_strdup("(null)");
	if (len < 0)
		len = (gssize)strlen(s);
	out = g_string_sized_new(len + 1);
	for (gssize i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f)
			g_string_append_printf(out, "\\x%02x", c);
		else
			g_string_append_c(out, (char)c);
	}
	return g_string_free(out, FALSE);
}

static char *trace_vescape(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

static char *trace_vescape(const char *fmt, va_list ap)
{
	g_autofree char *raw = g_strdup_vprintf(fmt, ap);

	return trace_escape(raw, -1);
}

void trace_syslog(int priority, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	text = trace_vescape(fmt, ap);
	va_end(ap);
	syslog(priority, "%s", text);
	errno = saved;
}

/* The whole line is escaped: traces print messages as they came. */
void trace_printf(const char *func, const char *fmt, ...)
{
	FILE *out = trace_out();
	g_autofree char *text = NULL;
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	text = trace_vescape(fmt, ap);
	va_end(ap);
	flockfile(out);
	trace_prefix(out, func);
	fputs(": ", out);
	fputs(text, out);
	fputc('\n', out);
	funlockfile(out);
	fflush(out);
	errno = saved;
}

void trace_hex(const char *func, const char *prefix, const void *buf, size_t len)
{
	FILE *out = trace_out();
	const unsigned char *p = buf;
	int saved = errno;

	flockfile(out);
	trace_prefix(out, func);
	fprintf(out, ": %s", prefix);
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x ", p[i]);
	fputc('\n', out);
	funlockfile(out);
	fflush(out);
	errno = saved;
}
