/*
 * flom: the timing rules of a lock held over TCP (see safety.h).
 *
 * Linux aborts an idle connection from its keepalive timer: the timer fires
 * idle_s after the last segment received, then every intvl_s, and sends a
 * probe each time; with TCP_USER_TIMEOUT set, the first firing at which that
 * much time has passed since the last segment, with a probe unanswered,
 * aborts (the probe count no longer matters). Unacknowledged data is
 * retransmitted instead, and the same timeout bounds it. Only segments in
 * the window count as heard: the peer's own keepalive probes do not.
 */
#include "config.h"
#include "safety.h"

#include "flom.h"

gint64 safety_user_timeout_ms(int ka_time, int ka_intvl, int ka_probes, gint64 grace_ms)
{
	gint64 keepalive = ((gint64)ka_time + (gint64)ka_intvl * ka_probes) * 1000;

	return MAX(keepalive, grace_ms + FLOM_HOLDER_MARGIN_MS + FLOM_DETECT_MIN_MS +
		   (gint64)ka_time * 1000);
}

gint64 safety_release_ms(int ka_time, int ka_intvl, int ka_probes, gint64 grace_ms)
{
	return safety_user_timeout_ms(ka_time, ka_intvl, ka_probes, grace_ms) - (gint64)ka_time * 1000;
}

gint64 safety_abort_ms(int idle_s, int intvl_s, unsigned user_timeout_ms)
{
	gint64 t = (gint64)idle_s * 1000;

	/* The first firing only sends a probe, whatever the time. */
	do
		t += (gint64)intvl_s * 1000;
	while (t < user_timeout_ms);
	return t;
}

void safety_client_plan(gint64 release_ms, gint64 grace_ms, int ka_time, int ka_intvl,
			int ka_probes, safety_plan *p)
{
	gint64 own = ((gint64)ka_time + (gint64)ka_intvl * ka_probes) * 1000;
	gint64 budget = release_ms - grace_ms - FLOM_HOLDER_MARGIN_MS;

	p->grace_ms = grace_ms;
	if (budget < FLOM_DETECT_MIN_MS) {
		/* The daemon's bound leaves less room than our grace period. */
		p->grace_ms = MAX(0, release_ms - FLOM_HOLDER_MARGIN_MS - FLOM_DETECT_MIN_MS);
		budget = FLOM_DETECT_MIN_MS;
	}
	budget = MIN(budget, MAX(own, FLOM_DETECT_MIN_MS));
	/* A few probes within the budget; aborted at most one interval after
	 * the user timeout (see safety_abort_ms). */
	p->intvl_s = (int)MAX(1, budget / 4000);
	p->user_timeout_ms = (unsigned)(budget - (gint64)p->intvl_s * 1000);
	p->idle_s = (int)MAX(1, p->user_timeout_ms / 2000);
	p->probes = FLOM_KEEPALIVE_PROBES_MAX;
	p->detect_ms = safety_abort_ms(p->idle_s, p->intvl_s, p->user_timeout_ms);
}
