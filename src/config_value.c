/*
 * flom: parsing values, shared by the command line and the key files.
 */
#include "config.h"
#include "config_private.h"
#include "rsrc_name.h"

#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Names of signals 1..31 (Linux numbering, as the original hard-codes it). */
const char *const config_signal_names[32] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
};

static const struct {
	const char *abbr, *name;
} lock_mode_names[FLOM_LOCK_MODE_N] = {
	{ "NL", "NullLock" }, { "CR", "ConcurrentRead" }, { "CW", "ConcurrentWrite" },
	{ "PR", "ProtectedRead" }, { "PW", "ProtectedWrite" }, { "EX", "Exclusive" },
};
/* ------------------------------------------------------------------------ */
/* value parsers shared by the command line and the key files                */

int config_parse_bool(const char *s, gboolean *out)
{
	static const char *const yes[] = { "yes", "y", "true", "1" };
	static const char *const no[] = { "no", "n", "false", "0" };

	for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(s, yes[i]) == 0) {
			*out = TRUE;
			return 0;
		}
		if (g_ascii_strcasecmp(s, no[i]) == 0) {
			*out = FALSE;
			return 0;
		}
	}
	return -1;
}

int config_parse_lock_mode(const char *s, flom_lock_mode *out)
{
	for (int m = 0; m < FLOM_LOCK_MODE_N; m++) {
		if (g_ascii_strcasecmp(s, lock_mode_names[m].abbr) == 0 ||
		    g_ascii_strcasecmp(s, lock_mode_names[m].name) == 0) {
			*out = (flom_lock_mode)m;
			return 0;
		}
	}
	return -1;
}

const char *config_lock_mode_name(flom_lock_mode mode)
{
	if ((int)mode < 0 || mode >= FLOM_LOCK_MODE_N)
		return "?";
	return lock_mode_names[mode].abbr;
}

/* A decimal integer, nothing else: 0 or -1 (-2 when it does not fit). */
static int parse_decimal(const char *s, gint64 *out)
{
	const char *p = s;
	char *end = NULL;

	if (*p == '+' || *p == '-')
		p++;
	if (!g_ascii_isdigit(*p))
		return -1;
	errno = 0;
	*out = g_ascii_strtoll(s, &end, 10);
	if (*end != '\0')
		return -1;
	return errno == ERANGE ? -2 : 0;
}

int config_parse_signal(const char *s)
{
	gint64 n;

	if (parse_decimal(s, &n) == 0)
		return n >= 1 && n <= 31 ? (int)n : -1;
	/* SIGINT, INT, sigint: as kill(1) and trap take them. */
	for (int i = 1; i <= 31; i++) {
		if (g_ascii_strcasecmp(s, config_signal_names[i]) == 0 ||
		    g_ascii_strcasecmp(s, config_signal_names[i] + 3) == 0)
			return i;
	}
	return -1;
}

/* "1500", "1.5s", "500ms", "2m", "1h": milliseconds, as parse_decimal. */
static int parse_ms(const char *s, gint64 *out)
{
	static const struct { const char *unit; gint64 ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	const char *p = s + (*s == '-' || *s == '+');
	gint64 whole = 0, frac = 0, scale = 1;
	size_t i;
	int rc = parse_decimal(s, out);

	if (rc != -1 || !g_ascii_isdigit(*p))
		return rc;
	for (; g_ascii_isdigit(*p); p++) {
		if (whole > FLOM_DURATION_MAX_MS)
			return -2;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.')
		for (p++; g_ascii_isdigit(*p) && scale < 1000000; p++, scale *= 10)
			frac = frac * 10 + (*p - '0');
	for (i = 0; i < G_N_ELEMENTS(units) && strcmp(p, units[i].unit) != 0; i++)
		;
	/* A whole number of milliseconds, or it is not a duration. */
	if (i == G_N_ELEMENTS(units) || (frac * units[i].ms) % scale != 0)
		return -1;
	if (whole > FLOM_DURATION_MAX_MS / units[i].ms)
		return -2;
	*out = whole * units[i].ms + frac * units[i].ms / scale;
	if (*s == '-')
		*out = -*out;
	return 0;
}

/* Values in milliseconds also take a unit: their argument is named so. */
static gboolean key_is_ms(const config_key *k)
{
	return k->arg && (strcmp(k->arg, "MS") == 0 || strcmp(k->arg, "MILLISECONDS") == 0);
}

static void set_string(char **field, const char *v)
{
	g_free(*field);
	*field = *v ? g_strdup(v) : NULL;
}

static char *range_reason(const config_key *k, const char *v)
{
	if (k->max >= G_MAXINT && k->min <= G_MININT)
		return g_strdup_printf("%s must be between %d and %d (got '%s')", k->what, G_MININT, G_MAXINT, v);
	if (k->max >= G_MAXINT)
		return g_strdup_printf("%s must be >= %" G_GINT64_FORMAT " (got '%s')", k->what, k->min, v);
	return g_strdup_printf("%s must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT " (got '%s')",
			       k->what, k->min, k->max, v);
}

static char *parse_number(const config_key *k, const char *v, void *field)
{
	gint64 n;
	int rc = key_is_ms(k) ? parse_ms(v, &n) : parse_decimal(v, &n);

	if (rc == -1 && key_is_ms(k))
		return g_strdup_printf("'%s' is not an integer of milliseconds nor a duration "
				       "(1500, 1.5s, 500ms, 2m, 1h)", v);
	if (rc == -1)
		return g_strdup_printf("'%s' is not an integer", v);
	if (rc == -2 || n < k->min || n > k->max)
		return range_reason(k, v);
	if (k->type == KT_INT)
		*(int *)field = (int)n;
	else
		*(gint64 *)field = n;
	return NULL;
}

/* Why NAME cannot be locked, or NULL. */
char *config_resource_name_problem(const char *name)
{
	g_autofree char *format = NULL;
	gint64 grain;

	if (rsrc_name_classify(name) != RSRC_INVALID)
		return NULL;
	if (g_str_has_prefix(name, "_t_"))
		format = rsrc_name_timestamp_format(name);
	if (format && rsrc_name_timestamp_grain(format, &grain) < 0)
		return g_strdup_printf("'%s' is not a valid name for a resource: timestamp format '%s' "
				       "has no field of an hour or finer (%%H %%M %%S %%T #f...)", name, format);
	if (strlen(name) > FLOM_RESOURCE_NAME_MAX)
		return g_strdup_printf("a resource name has at most %d bytes (this one has %zu)",
				       FLOM_RESOURCE_NAME_MAX, strlen(name));
	if (name[0] == '/' && rsrc_name_hier_depth(name) > FLOM_HIER_DEPTH_MAX)
		return g_strdup_printf("'%s' is not a valid name for a resource: a hierarchical "
				       "name has at most %d levels", name, FLOM_HIER_DEPTH_MAX);
	return g_strdup_printf("'%s' is not a valid name for a resource", name);
}

/* _RESOURCE is the name used when none is given; -r may not name it. */
static char *parse_resource(const char *v, char **field, gboolean from_cli)
{
	char *problem;

	if (from_cli && strcmp(v, FLOM_DEFAULT_RESOURCE_NAME) == 0)
		return g_strdup_printf("'%s' is a reserved resource name and can not be set by user", v);
	problem = config_resource_name_problem(v);
	if (problem)
		return problem;
	set_string(field, v);
	return NULL;
}

static char *parse_abspath(const char *v, char **field)
{
	if (*v && !g_path_is_absolute(v))
		return g_strdup_printf("'%s' is not an absolute path (the daemon runs in /)", v);
	set_string(field, v);
	return NULL;
}

/* As the original, a relative path is accepted: it names a file of the
 * working directory at start-up, which the daemon leaves for /. */
static char *parse_path(const char *v, char **field)
{
	g_autofree char *abs = NULL;

	if (*v && !g_path_is_absolute(v))
		abs = g_canonicalize_filename(v, NULL);
	set_string(field, abs ? abs : v);
	return NULL;
}

static char *parse_socket(const char *v, char **field)
{
	struct sockaddr_un sun;

	if (strlen(v) >= sizeof(sun.sun_path))
		return g_strdup_printf("'%s' is too long for a UNIX socket (at most %zu bytes)", v,
				       sizeof(sun.sun_path) - 1);
	return parse_abspath(v, field);
}

static char *parse_dir(const char *v, char **field)
{
	if (*v && !g_file_test(v, G_FILE_TEST_IS_DIR))
		return g_strdup_printf("'%s' is not an existing directory", v);
	set_string(field, v);
	return NULL;
}

static char *parse_realpath(const char *v, char **field)
{
	char *real;

	if (!*v) {
		set_string(field, v);
		return NULL;
	}
	real = realpath(v, NULL);
	if (!real)
		return g_strdup_printf("'%s' is not a valid file: %s", v, g_strerror(errno));
	if (g_file_test(real, G_FILE_TEST_IS_DIR)) {
		free(real);
		return g_strdup_printf("'%s' is a directory, not a file", v);
	}
	set_string(field, real);
	free(real);
	return NULL;
}

static char *parse_iface(const char *v, char **field)
{
	if (*v && if_nametoindex(v) == 0)
		return g_strdup_printf("'%s' is not a network interface of this host", v);
	set_string(field, v);
	return NULL;
}

/* ';' separated signals. A key file replaces the set; repeated
 * --ignore-signal options add to it. */
static char *parse_signals(const char *v, guint32 *field, gboolean from_cli)
{
	g_auto(GStrv) items = g_strsplit(v, ";", -1);
	guint32 set = from_cli ? *field : 0;

	for (char **it = items; *it; it++) {
		char *item = g_strstrip(*it);
		int sig;

		if (!*item)
			continue;
		sig = config_parse_signal(item);
		if (sig < 0)
			return g_strdup_printf("'%s' is not a signal: use a number from 1 to 31 "
					       "or a name of --signal-list", item);
		if (sig == SIGKILL || sig == SIGSTOP)
			return g_strdup_printf("'%s': %s cannot be ignored (the kernel never lets a "
					       "process ignore SIGKILL or SIGSTOP)", item,
					       config_signal_names[sig]);
		set |= 1u << sig;
	}
	*field = set;
	return NULL;
}

static char *parse_on_lock_lost(const char *v, flom_on_lock_lost *field)
{
	if (g_ascii_strcasecmp(v, "terminate") == 0)
		*field = FLOM_ON_LOCK_LOST_TERMINATE;
	else if (g_ascii_strcasecmp(v, "warn") == 0)
		*field = FLOM_ON_LOCK_LOST_WARN;
	else
		return g_strdup_printf("'%s' is an invalid value: use terminate or warn", v);
	return NULL;
}

/* Parse V into K's field of CFG: NULL, or why V is wrong (g_free). */
char *config_key_parse(const config_key *k, const char *v, flom_config *cfg, gboolean from_cli)
{
	void *field = config_key_field(k, cfg);

	switch (k->type) {
	case KT_STRING: case KT_TEXT:
		set_string(field, v);
		return NULL;
	case KT_PATH: return parse_path(v, field);
	case KT_SOCKET: return parse_socket(v, field);
	case KT_RESOURCE: return parse_resource(v, field, from_cli);
	case KT_DIR: return parse_dir(v, field);
	case KT_REALPATH: return parse_realpath(v, field);
	case KT_IFACE: return parse_iface(v, field);
	case KT_BOOL:
		if (config_parse_bool(v, field) < 0)
			return g_strdup_printf("'%s' is an invalid value: use yes or no "
					       "(y/n, true/false, 1/0)", v);
		return NULL;
	case KT_INT: case KT_INT64: return parse_number(k, v, field);
	case KT_LOCK_MODE:
		if (config_parse_lock_mode(v, field) < 0)
			return g_strdup_printf("'%s' is an invalid value: use NL, CR, CW, PR, PW, EX or "
					       "NullLock, ConcurrentRead, ConcurrentWrite, ProtectedRead, "
					       "ProtectedWrite, Exclusive", v);
		return NULL;
	case KT_SIGNALS: return parse_signals(v, field, from_cli);
	case KT_ON_LOCK_LOST: return parse_on_lock_lost(v, field);
	case KT_FLAG:
		*(gboolean *)field = TRUE;
		return NULL;
	case KT_STATUS:
		if (*v && g_ascii_strcasecmp(v, "json") != 0 && g_ascii_strcasecmp(v, "table") != 0)
			return g_strdup_printf("'%s' is an invalid value: use --status or --status=json", v);
		*(int *)field = g_ascii_strcasecmp(v, "json") == 0 ? 2 : 1;
		return NULL;
	case KT_CONFIG_FILE:
		break;
	}
	return g_strdup("internal error: unknown key type");
}

/* Copy K's field from SRC to DST (the command line over the files). */
void config_key_copy(const config_key *k, flom_config *dst, const flom_config *src)
{
	void *to = config_key_field(k, dst);
	const void *from = config_key_field(k, src);

	switch (k->type) {
	case KT_INT: case KT_STATUS: *(int *)to = *(const int *)from; break;
	case KT_INT64: *(gint64 *)to = *(const gint64 *)from; break;
	case KT_BOOL: case KT_FLAG: *(gboolean *)to = *(const gboolean *)from; break;
	case KT_LOCK_MODE: *(flom_lock_mode *)to = *(const flom_lock_mode *)from; break;
	case KT_SIGNALS: *(guint32 *)to = *(const guint32 *)from; break;
	case KT_ON_LOCK_LOST: *(flom_on_lock_lost *)to = *(const flom_on_lock_lost *)from; break;
	case KT_CONFIG_FILE: break;
	default:
		g_free(*(char **)to);
		*(char **)to = g_strdup(*(char *const *)from);
		break;
	}
}

