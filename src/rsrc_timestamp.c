/*
 * flom: timestamp resources _t_FMT[N]: up to N holders, each grant returns
 * the local time formatted with strftime(FMT), after each #f...#ffffff
 * (longest first) became '.' and the first 1..6 digits of the zero-padded
 * microseconds.
 *
 * Values are unique per resource object because a grant happens only when a
 * slot is free AND the clock is in another grain than the last value issued
 * (grain: rsrc_name_timestamp_grain). Grains are counted on the local clock,
 * so their boundaries are where the formatted text changes even in time
 * zones with half-hour offsets. "Another grain", not "a later grain": when
 * the wall clock steps back (NTP, end of summer time) the resource keeps
 * working instead of stalling until the clock catches up.
 */
#include <string.h>
#include <time.h>

#include "locktable_policy.h"

/* A format whose text today takes more than this is refused when the
 * resource is created: the margin up to FLOM_ELEMENT_MAX absorbs fields whose
 * width changes with the date (month and day names). */
#define TIMESTAMP_TRIAL_MAX (FLOM_ELEMENT_MAX / 2)

typedef struct {
	gint64 capacity;
	char *format;
	gint64 grain_us;
	gboolean issued;
	gint64 last_grain;
} timestamp_state;

static gint64 div_floor(gint64 a, gint64 b)
{
	gint64 q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The local clock in us since the epoch: UTC plus the zone's offset. */
static gint64 local_offset_us(gint64 now_us)
{
	time_t sec = (time_t)div_floor(now_us, G_TIME_SPAN_SECOND);
	struct tm tm;

	if (localtime_r(&sec, &tm) == NULL)
		return 0;
	return (gint64)tm.tm_gmtoff * G_TIME_SPAN_SECOND;
}

static gint64 timestamp_grain_of(const timestamp_state *s, gint64 now_us)
{
	return div_floor(now_us + local_offset_us(now_us), s->grain_us);
}

/* FMT with the #f runs replaced; the same length as FMT ("#f" -> ".d"). */
static char *timestamp_expand_fraction(const char *format, gint64 now_us)
{
	char micro[8];
	GString *out = g_string_sized_new(strlen(format) + 1);
	const char *p = format;

	g_snprintf(micro, sizeof(micro), "%06" G_GINT64_FORMAT,
		   now_us - div_floor(now_us, G_TIME_SPAN_SECOND) * G_TIME_SPAN_SECOND);
	while (*p != '\0') {
		int digits = 0;

		if (p[0] == '#')
			while (digits < 6 && p[1 + digits] == 'f')
				digits++;
		if (digits == 0) {
			g_string_append_c(out, *p++);
			continue;
		}
		g_string_append_c(out, '.');
		g_string_append_len(out, micro, digits);
		p += 1 + digits;
	}
	return g_string_free(out, FALSE);
}

/* The text of the timestamp at now_us into buf; its length, or 0 when it does
 * not fit (strftime gives no other way to tell). */
static size_t timestamp_format_at(const timestamp_state *s, gint64 now_us, char *buf, size_t size)
{
	g_autofree char *fmt = timestamp_expand_fraction(s->format, now_us);
	time_t sec = (time_t)div_floor(now_us, G_TIME_SPAN_SECOND);
	struct tm tm;

	if (localtime_r(&sec, &tm) == NULL)
		return 0;
	/* The format comes from the resource name by design; strftime copies
	 * unknown conversions and never reads arguments, so it is safe. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	return strftime(buf, size, fmt, &tm);
#pragma GCC diagnostic pop
}

static void timestamp_state_free(timestamp_state *s)
{
	if (s == NULL)
		return;
	g_free(s->format);
	g_free(s);
}

static int timestamp_init(lt_resource *r, const char *name, gint64 now_us)
{
	timestamp_state *s = g_new0(timestamp_state, 1);
	char trial[FLOM_ELEMENT_MAX];
	size_t len;

	s->format = rsrc_name_timestamp_format(name);
	if (s->format == NULL || rsrc_name_capacity(name, &s->capacity) != 0 ||
	    rsrc_name_timestamp_grain(s->format, &s->grain_us) != 0)
		goto fail;
	len = timestamp_format_at(s, now_us, trial, sizeof(trial));
	if (len == 0 || len > TIMESTAMP_TRIAL_MAX)
		goto fail;
	r->state = s;
	return 0;
fail:
	timestamp_state_free(s);
	return -1;
}

static void timestamp_fini(lt_resource *r)
{
	timestamp_state_free(r->state);
	r->state = NULL;
}

static gboolean timestamp_slot_free(const lt_resource *r)
{
	const timestamp_state *s = r->state;

	return (gint64)r->holders.length < s->capacity;
}

static gboolean timestamp_can_grant(const lt_resource *r, const lt_owner *o, gint64 now_us)
{
	const timestamp_state *s = r->state;

	(void)o;
	if (!timestamp_slot_free(r))
		return FALSE;
	return !s->issued || timestamp_grain_of(s, now_us) != s->last_grain;
}

static int timestamp_grant(lt_resource *r, lt_owner *o, gint64 now_us)
{
	timestamp_state *s = r->state;
	char text[FLOM_ELEMENT_MAX];

	if (timestamp_format_at(s, now_us, text, sizeof(text)) == 0)
		return -1;
	s->issued = TRUE;
	s->last_grain = timestamp_grain_of(s, now_us);
	o->element = g_strdup(text);
	return 0;
}

static void timestamp_release(lt_resource *r, lt_owner *o, gboolean rollback)
{
	(void)r;
	(void)o;
	(void)rollback;
}

/* A waiter blocked while a slot is free waits for the grain to change: wake
 * at the next local grain boundary, always later than now_us. */
static gint64 timestamp_next_timer(const lt_resource *r, gint64 now_us)
{
	const timestamp_state *s = r->state;
	gint64 offset;
	gint64 boundary;

	if (r->waiters.length == 0 || !timestamp_slot_free(r))
		return G_MAXINT64;
	offset = local_offset_us(now_us);
	boundary = (div_floor(now_us + offset, s->grain_us) + 1) * s->grain_us - offset;
	return boundary > now_us ? boundary : now_us + 1;
}

const lt_policy lt_policy_timestamp = {
	.type = RSRC_TIMESTAMP,
	.init = timestamp_init,
	.fini = timestamp_fini,
	.can_grant = timestamp_can_grant,
	.grant = timestamp_grant,
	.release = timestamp_release,
	.next_timer = timestamp_next_timer,
};
