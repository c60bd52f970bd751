/*
 * flom: printing a daemon's status answer (see status.h).
 *
 * The records arrive as text fields (msg_field); this file reads them once
 * into resources with their owners and prints either a table (lslocks-like,
 * one line per holder or waiter) or JSON. JSON is written by hand: the shape
 * is fixed and small, and a hand-written printer needs no library in the
 * client for it; every string goes through json_string(), which escapes and
 * replaces bytes that are not UTF-8.
 */
#include "status.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "rsrc_name.h"

typedef struct st_rsrc {
	const flom_msg *rec;
	GPtrArray *owners;       /* const flom_msg* "owner" records */
} st_rsrc;

typedef struct st_answer {
	GPtrArray *rsrcs;        /* st_rsrc* */
	const flom_msg *end;
	gint64 now;
} st_answer;

/* ------------------------------------------------------------ fields */

static gint64 st_int(const flom_msg *m, const char *name, gint64 dflt)
{
	const char *v = msg_field(m, name);
	char *end = NULL;
	gint64 n;

	if (v == NULL || *v == '\0')
		return dflt;
	n = g_ascii_strtoll(v, &end, 10);
	return *end == '\0' ? n : dflt;
}

/* A base64 name field, decoded (invalid base64 gives ""). g_free. */
static char *st_name(const flom_msg *m, const char *name)
{
	const char *v = msg_field(m, name);
	gsize len = 0;
	guchar *raw = g_base64_decode(v ? v : "", &len);
	char *s = g_strndup((const char *)raw, len);

	g_free(raw);
	return s;
}

/* A text field or NULL when absent or empty. */
static const char *st_str(const flom_msg *m, const char *name)
{
	const char *v = msg_field(m, name);

	return v && *v ? v : NULL;
}

static void st_rsrc_free(gpointer data)
{
	st_rsrc *r = data;

	g_ptr_array_free(r->owners, TRUE);
	g_free(r);
}

/* Group the records; -1 when they are not a complete status answer. */
static int st_parse(const GPtrArray *records, st_answer *a)
{
	st_rsrc *cur = NULL;

	a->rsrcs = g_ptr_array_new_with_free_func(st_rsrc_free);
	a->end = NULL;
	for (guint i = 0; i < records->len && a->end == NULL; i++) {
		const flom_msg *m = g_ptr_array_index(records, i);

		if (m->verb != MSG_VERB_STATUS || m->record == NULL)
			return -1;
		if (strcmp(m->record, "rsrc") == 0) {
			cur = g_new0(st_rsrc, 1);
			cur->rec = m;
			cur->owners = g_ptr_array_new();
			g_ptr_array_add(a->rsrcs, cur);
		} else if (strcmp(m->record, "owner") == 0 && cur != NULL) {
			g_ptr_array_add(cur->owners, (gpointer)m);
		} else if (strcmp(m->record, "end") == 0) {
			a->end = m;
		} else {
			return -1;
		}
	}
	if (a->end == NULL)
		return -1;
	a->now = st_int(a->end, "now", g_get_real_time());
	return 0;
}

/* ------------------------------------------------------------ text */

/* Safe for a terminal: valid UTF-8, control characters shown as '?'. */
static char *st_printable(const char *s)
{
	char *v = g_utf8_make_valid(s ? s : "", -1);

	for (char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return v;
}

static char *st_duration(gint64 us)
{
	gint64 s;

	if (us < 0)
		return g_strdup("-");
	if (us < 60 * G_USEC_PER_SEC)
		return g_strdup_printf("%.1fs", (double)us / G_USEC_PER_SEC);
	s = us / G_USEC_PER_SEC;
	if (s < 3600)
		return g_strdup_printf("%" G_GINT64_FORMAT "m%02" G_GINT64_FORMAT "s", s / 60, s % 60);
	return g_strdup_printf("%" G_GINT64_FORMAT "h%02" G_GINT64_FORMAT "m", s / 3600, s / 60 % 60);
}

/* Local time: HH:MM:SS today, with the date otherwise. */
static char *st_local_time(gint64 us, gint64 now_us)
{
	time_t t = (time_t)(us / G_USEC_PER_SEC), now = (time_t)(now_us / G_USEC_PER_SEC);
	struct tm tm, tm_now;
	char buf[64];

	if (us <= 0 || !localtime_r(&t, &tm) || !localtime_r(&now, &tm_now))
		return g_strdup("-");
	strftime(buf, sizeof(buf),
		 tm.tm_yday == tm_now.tm_yday && tm.tm_year == tm_now.tm_year
		 ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
	return g_strdup(buf);
}

static char *st_user(const char *user, gint64 uid)
{
	if (user)
		return st_printable(user);
	return uid >= 0 ? g_strdup_printf("uid=%" G_GINT64_FORMAT, uid) : g_strdup("?");
}

static gboolean st_has_mode(const char *type)
{
	return g_strcmp0(type, "simple") == 0 || g_strcmp0(type, "hierarchical") == 0;
}

static char *st_pid(gint64 pid)
{
	return pid > 0 ? g_strdup_printf("%" G_GINT64_FORMAT, pid) : g_strdup("-");
}

/* ------------------------------------------------------------ table */

#define ST_COLUMNS 13
static const char *const st_header[ST_COLUMNS] = {
	"RESOURCE", "TYPE", "STATE", "MODE", "USER", "HOST", "PID", "CMD-PID", "SINCE",
	"WAITED", "HELD", "ELEMENT/QTY", "TOKEN",
};

static char *st_detail(const flom_msg *o, const char *type)
{
	if (st_str(o, "element"))
		return st_printable(st_str(o, "element"));
	if (g_strcmp0(type, "numeric") == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT, st_int(o, "quantity", 1));
	return g_strdup("-");
}

/* One line of the table for owner o of a resource of type. */
static GStrv st_owner_row(const flom_msg *o, const char *type, gint64 now)
{
	gboolean holding = g_strcmp0(st_str(o, "state"), "holding") == 0;
	gint64 requested = st_int(o, "requested", 0), since = st_int(o, "since", 0);
	g_autofree char *name = st_name(o, "name");
	char **row = g_new0(char *, ST_COLUMNS + 1);

	row[0] = st_printable(name);
	row[1] = g_strdup(type);
	row[2] = st_printable(st_str(o, "state"));
	row[3] = g_strdup(st_has_mode(type) ? config_lock_mode_name((flom_lock_mode)st_int(o, "mode", 5)) : "-");
	row[4] = st_user(st_str(o, "user"), st_int(o, "uid", -1));
	row[5] = st_printable(st_str(o, "host") ? st_str(o, "host") : st_str(o, "peer"));
	row[6] = st_pid(st_int(o, "pid", 0));
	row[7] = st_pid(st_int(o, "command-pid", 0));
	row[8] = st_local_time(holding ? since : requested, now);
	/* 0: not known (etcd's keys of other clients) */
	row[9] = requested > 0 ? st_duration((holding ? since : now) - requested) : g_strdup("-");
	row[10] = holding && since > 0 ? st_duration(now - since) : g_strdup("-");
	row[11] = st_detail(o, type);
	row[12] = holding ? g_strdup(st_str(o, "token") ? st_str(o, "token") : "-") : g_strdup("-");
	return row;
}

/* A resource nobody holds or waits for (kept for its idle lifespan). */
static GStrv st_idle_row(const st_rsrc *r)
{
	g_autofree char *name = st_name(r->rec, "name");
	char **row = g_new0(char *, ST_COLUMNS + 1);

	row[0] = st_printable(name);
	row[1] = st_printable(st_str(r->rec, "type"));
	row[2] = g_strdup("idle");
	for (int i = 3; i < ST_COLUMNS; i++)
		row[i] = g_strdup("-");
	return row;
}

/* Rows (NULL-terminated string vectors) in aligned columns; the last column
 * is not padded. */
static void st_print_columns(GPtrArray *rows, guint ncols, FILE *out)
{
	g_autofree glong *width = g_new0(glong, ncols);

	for (guint i = 0; i < rows->len; i++) {
		char **row = g_ptr_array_index(rows, i);

		for (guint c = 0; c < ncols; c++)
			width[c] = MAX(width[c], g_utf8_strlen(row[c], -1));
	}
	for (guint i = 0; i < rows->len; i++) {
		char **row = g_ptr_array_index(rows, i);

		for (guint c = 0; c < ncols; c++) {
			if (c + 1 == ncols)
				fprintf(out, "%s\n", row[c]);
			else
				fprintf(out, "%s%*s", row[c], (int)(width[c] - g_utf8_strlen(row[c], -1) + 2), "");
		}
	}
}

static void st_print_counters(const st_answer *a, FILE *out)
{
	static const char *const header[] = { "RESOURCE", "GRANTS", "WAIT-TOTAL", "WAIT-MAX",
					      "HOLD-TOTAL", "HOLD-MAX", NULL };
	static const char *const fields[] = { "wait-total", "wait-max", "hold-total", "hold-max" };
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);

	g_ptr_array_add(rows, g_strdupv((char **)header));
	for (guint i = 0; i < a->rsrcs->len; i++) {
		const st_rsrc *r = g_ptr_array_index(a->rsrcs, i);
		g_autofree char *name = st_name(r->rec, "name");
		char **row = g_new0(char *, 7);

		row[0] = st_printable(name);
		row[1] = g_strdup_printf("%" G_GINT64_FORMAT, st_int(r->rec, "grants", 0));
		for (int k = 0; k < 4; k++)
			row[2 + k] = st_duration(st_int(r->rec, fields[k], 0));
		g_ptr_array_add(rows, row);
	}
	fputc('\n', out);
	st_print_columns(rows, 6, out);
}

static void st_print_table(const st_answer *a, gboolean verbose, FILE *out)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);

	g_ptr_array_add(rows, g_strdupv((char **)st_header));
	for (guint i = 0; i < a->rsrcs->len; i++) {
		const st_rsrc *r = g_ptr_array_index(a->rsrcs, i);

		if (r->owners->len == 0)
			g_ptr_array_add(rows, st_idle_row(r));
		for (guint k = 0; k < r->owners->len; k++)
			g_ptr_array_add(rows, st_owner_row(g_ptr_array_index(r->owners, k),
							   st_str(r->rec, "type"), a->now));
	}
	st_print_columns(rows, ST_COLUMNS, out);
	if (verbose)
		st_print_counters(a, out);
}

/* ------------------------------------------------------------ JSON */

static void json_string(GString *j, const char *s)
{
	g_autofree char *v = s ? g_utf8_make_valid(s, -1) : NULL;

	if (v == NULL) {
		g_string_append(j, "null");
		return;
	}
	g_string_append_c(j, '"');
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\')
			g_string_append_printf(j, "\\%c", c);
		else if (c < 0x20)
			g_string_append_printf(j, "\\u%04x", c);
		else
			g_string_append_c(j, (char)c);
	}
	g_string_append_c(j, '"');
}

static void json_key(GString *j, const char *key, gboolean first)
{
	g_string_append(j, first ? "" : ", ");
	json_string(j, key);
	g_string_append(j, ": ");
}

/* A number, or null when it is not known (< min). */
static void json_int(GString *j, const char *key, gint64 v, gint64 min)
{
	json_key(j, key, FALSE);
	if (v < min)
		g_string_append(j, "null");
	else
		g_string_append_printf(j, "%" G_GINT64_FORMAT, v);
}

/* UTC, ISO 8601 with milliseconds; null for 0. */
static void json_time(GString *j, const char *key, gint64 us)
{
	g_autoptr(GDateTime) t = us > 0 ? g_date_time_new_from_unix_utc(us / G_USEC_PER_SEC) : NULL;
	g_autofree char *s = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%S") : NULL;
	g_autofree char *full = s ? g_strdup_printf("%s.%03dZ", s, (int)(us % G_USEC_PER_SEC / 1000)) : NULL;

	json_key(j, key, FALSE);
	json_string(j, full);
}

static void json_owner(GString *j, const flom_msg *o, const char *type, gint64 now)
{
	gboolean holding = g_strcmp0(st_str(o, "state"), "holding") == 0;
	gint64 requested = st_int(o, "requested", 0), since = st_int(o, "since", 0);
	g_autofree char *name = st_name(o, "name");

	g_string_append(j, "{");
	json_key(j, "name", TRUE);
	json_string(j, name);
	json_key(j, "state", FALSE);
	json_string(j, st_str(o, "state"));
	json_key(j, "mode", FALSE);
	json_string(j, st_has_mode(type) ? config_lock_mode_name((flom_lock_mode)st_int(o, "mode", 5)) : NULL);
	json_int(j, "quantity", g_strcmp0(type, "numeric") == 0 ? st_int(o, "quantity", 1) : -1, 1);
	json_key(j, "element", FALSE);
	json_string(j, st_str(o, "element"));
	json_int(j, "token", holding ? st_int(o, "token", 0) : -1, 1);
	json_key(j, "user", FALSE);
	json_string(j, st_str(o, "user"));
	json_int(j, "uid", st_int(o, "uid", -1), 0);
	json_key(j, "host", FALSE);
	json_string(j, st_str(o, "host"));
	json_key(j, "peer", FALSE);
	json_string(j, st_str(o, "peer"));
	json_int(j, "pid", st_int(o, "pid", 0), 1);
	json_int(j, "command_pid", st_int(o, "command-pid", 0), 1);
	json_time(j, "requested", requested);
	json_time(j, "since", holding ? since : 0);
	json_int(j, "waited_ms", requested > 0 ? ((holding ? since : now) - requested) / 1000 : -1, 0);
	json_int(j, "held_ms", holding && since > 0 ? (now - since) / 1000 : -1, 0);
	g_string_append(j, "}");
}

static void json_owners(GString *j, const char *key, const st_rsrc *r, gboolean holders, gint64 now)
{
	const char *type = st_str(r->rec, "type");
	gboolean first = TRUE;

	g_string_append(j, ",\n    ");
	json_key(j, key, TRUE);
	g_string_append(j, "[");
	for (guint k = 0; k < r->owners->len; k++) {
		const flom_msg *o = g_ptr_array_index(r->owners, k);

		if ((g_strcmp0(st_str(o, "state"), "holding") == 0) != holders)
			continue;
		g_string_append(j, first ? "\n      " : ",\n      ");
		json_owner(j, o, type, now);
		first = FALSE;
	}
	g_string_append(j, first ? "]" : "\n    ]");
}

static void json_rsrc(GString *j, const st_rsrc *r, gint64 now)
{
	static const char *const counters[] = { "wait-total", "wait-max", "hold-total", "hold-max" };
	static const char *const keys[] = { "wait_total_ms", "wait_max_ms", "hold_total_ms", "hold_max_ms" };
	g_autofree char *name = st_name(r->rec, "name");

	g_string_append(j, "{\n    ");
	json_key(j, "name", TRUE);
	json_string(j, name);
	json_key(j, "type", FALSE);
	json_string(j, st_str(r->rec, "type"));
	json_key(j, "exists", FALSE);
	g_string_append(j, st_int(r->rec, "exists", 1) ? "true" : "false");
	g_string_append(j, ",\n    \"counters\": {");
	g_string_append_printf(j, "\"grants\": %" G_GINT64_FORMAT, st_int(r->rec, "grants", 0));
	for (int k = 0; k < 4; k++)
		json_int(j, keys[k], st_int(r->rec, counters[k], 0) / 1000, 0);
	g_string_append(j, "}");
	json_owners(j, "holders", r, TRUE, now);
	json_owners(j, "waiters", r, FALSE, now);
	g_string_append(j, "\n  }");
}

static void st_print_json(const st_answer *a, FILE *out)
{
	g_autoptr(GString) j = g_string_new("[");

	for (guint i = 0; i < a->rsrcs->len; i++) {
		g_string_append(j, i == 0 ? "\n  " : ",\n  ");
		json_rsrc(j, g_ptr_array_index(a->rsrcs, i), a->now);
	}
	g_string_append(j, a->rsrcs->len ? "\n]\n" : "]\n");
	fputs(j->str, out);
}

/* ------------------------------------------------------------ entry points */

int status_print(const GPtrArray *records, status_format format, gboolean verbose, FILE *out)
{
	st_answer a;
	int rc = 0;

	if (st_parse(records, &a) < 0) {
		fprintf(stderr, "flom: the daemon's status answer is incomplete or malformed\n");
		rc = FLOM_EXIT_GENERIC;
	} else if (st_int(a.end, "rc", 0) == FLOM_RC_REFUSED) {
		fprintf(stderr, "flom: the daemon refused to report its status to this host or user\n");
		rc = FLOM_EXIT_GENERIC;
	} else if (st_int(a.end, "rc", 0) != FLOM_RC_OK) {
		fprintf(stderr, "flom: the daemon refused to report its status (rc=%" G_GINT64_FORMAT ")\n",
			st_int(a.end, "rc", 0));
		rc = FLOM_EXIT_GENERIC;
	} else {
		if (format == STATUS_FORMAT_JSON)
			st_print_json(&a, out);
		else
			st_print_table(&a, verbose, out);
		if (st_int(a.end, "truncated", 0))
			fprintf(stderr, "flom: the status was truncated by the daemon (too many resources)\n");
	}
	g_ptr_array_free(a.rsrcs, TRUE);
	return rc;
}

char *status_wait_notice(const char *resource, const flom_msg *answer)
{
	g_autofree char *res = st_printable(resource);
	g_autofree char *user = NULL, *host = NULL, *since = NULL;

	if (answer->rc == FLOM_RC_WAIT_RESOURCE)
		return g_strdup_printf("flom: waiting for %s, which does not exist yet", res);
	if (!answer->has_holder)
		return g_strdup_printf("flom: waiting for %s", res);
	user = st_user(answer->holder.user, answer->holder.uid);
	host = st_printable(answer->holder.host ? answer->holder.host : "?");
	since = st_local_time(answer->holder_since, g_get_real_time());
	return g_strdup_printf("flom: waiting for %s, held by %s@%s pid %" G_GINT64_FORMAT " since %s",
			       res, user, host, answer->holder.pid, since);
}
