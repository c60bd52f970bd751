/*
 * flom: semantic checks a daemon applies to the requests it receives.
 */
#include "msg.h"
#include "msg_private.h"

#include <stddef.h>
#include <string.h>


/* ------------------------------------------------------------------------ */
/* semantic checks of client requests                                       */

static int msg_check_range(const char *attr, gint64 v, gint64 lo, gint64 hi, GError **err)
{
	if (v < lo || v > hi)
		return msg_fail(err, MSG_ERROR_REQUEST, "attribute '%s' out of range: %" G_GINT64_FORMAT,
				attr, v);
	return 0;
}

static int msg_check_name(const flom_msg *m, const char *what, GError **err)
{
	if (!m->has_resource || !m->name || !(m->res_attrs & MSG_RES_NAME))
		return msg_fail(err, MSG_ERROR_REQUEST, "%s without a resource name", what);
	if (strlen(m->name) > FLOM_RESOURCE_NAME_MAX)
		return msg_fail(err, MSG_ERROR_REQUEST, "resource name too long");
	return 0;
}

static int msg_check_session(const flom_msg *m, GError **err)
{
	if (m->has_session && m->peerid && strlen(m->peerid) > FLOM_PEERID_MAX)
		return msg_fail(err, MSG_ERROR_REQUEST, "peer id too long");
	return 0;
}

static int msg_check_lock(const flom_msg *m, GError **err)
{
	unsigned a = m->res_attrs;

	if (m->step == MSG_STEP_COMMAND)
		return 0; /* msg_decode checked the pid */
	if (m->step != MSG_STEP_REQUEST)
		return msg_fail(err, MSG_ERROR_REQUEST,
				"lock answer (step %d) is a daemon message, not a request", m->step);
	if (msg_check_name(m, "lock request", err) < 0 || msg_check_session(m, err) < 0)
		return -1;
	if (a & MSG_RES_ROLLBACK)
		return msg_fail(err, MSG_ERROR_REQUEST, "attribute 'rollback' not allowed in a lock request");
	if ((a & MSG_RES_MODE) &&
	    msg_check_range("mode", m->mode, FLOM_LOCK_MODE_NL, FLOM_LOCK_MODE_EX, err) < 0)
		return -1;
	if ((a & MSG_RES_WAIT) && msg_check_range("wait", m->wait, 0, 1, err) < 0)
		return -1;
	if ((a & MSG_RES_CREATE) && msg_check_range("create", m->create, 0, 1, err) < 0)
		return -1;
	if ((a & MSG_RES_QUANTITY) &&
	    msg_check_range("quantity", m->quantity, 1, FLOM_NUMERIC_MAX, err) < 0)
		return -1;
	/* The original keeps lifespans in an int of milliseconds; the bound
	 * also keeps deadline arithmetic in the daemon far from overflow. */
	if ((a & MSG_RES_LIFESPAN) && msg_check_range("lifespan", m->lifespan, 0, G_MAXINT, err) < 0)
		return -1;
	if (msg_check_range("status", m->status, 0, 1, err) < 0 ||
	    msg_check_range("pid", m->client.pid, 0, G_MAXINT32, err) < 0 ||
	    msg_check_range("uid", m->client.uid, -1, G_MAXUINT32, err) < 0)
		return -1;
	return 0;
}

static int msg_check_unlock(const flom_msg *m, GError **err)
{
	if (msg_check_name(m, "unlock request", err) < 0)
		return -1;
	if (m->res_attrs & ~(unsigned)MSG_RES_UNLOCK_ALLOWED)
		return msg_fail(err, MSG_ERROR_REQUEST,
				"lock attributes not allowed in an unlock request");
	if ((m->res_attrs & MSG_RES_ROLLBACK) && msg_check_range("rollback", m->rollback, 0, 1, err) < 0)
		return -1;
	return 0;
}

static int msg_check_mngmnt(const flom_msg *m, GError **err)
{
	if (!m->has_shutdown)
		return msg_fail(err, MSG_ERROR_REQUEST, "management message without <shutdown>");
	if (msg_check_session(m, err) < 0)
		return -1;
	return msg_check_range("immediate", m->immediate, 0, 1, err);
}

int msg_check_request(const flom_msg *m, GError **err)
{
	if (m->level != MSG_LEVEL)
		return msg_fail(err, MSG_ERROR_REQUEST, "unsupported protocol level %d", m->level);
	switch (m->verb) {
	case MSG_VERB_LOCK:
		return msg_check_lock(m, err);
	case MSG_VERB_UNLOCK:
		if (m->step != MSG_STEP_REQUEST)
			break;
		return msg_check_unlock(m, err);
	case MSG_VERB_MNGMNT:
		if (m->step != MSG_STEP_REQUEST)
			return msg_fail(err, MSG_ERROR_REQUEST,
					"management answer (step %d) is a daemon message, not a request",
					m->step);
		return msg_check_mngmnt(m, err);
	case MSG_VERB_PING:
		return msg_fail(err, MSG_ERROR_REQUEST, "ping messages are not accepted (step %d)",
				m->step);
	case MSG_VERB_DISCOVER:
		return msg_fail(err, MSG_ERROR_REQUEST,
				"discovery messages are accepted only as UDP datagrams (step %d)",
				m->step);
	case MSG_VERB_STATUS:
		return msg_fail(err, MSG_ERROR_REQUEST, "status records are a daemon message");
	default:
		return msg_fail(err, MSG_ERROR_REQUEST, "unknown verb %d", m->verb);
	}
	return msg_fail(err, MSG_ERROR_REQUEST, "unknown step %d for verb %d", m->step, m->verb);
}
