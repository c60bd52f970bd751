/*
 * flom: decoding of wire messages: the elements of <msg> and their
 * attributes, checked against the verb and step (syntax and shape only).
 */
#include "msg.h"
#include "msg_private.h"

#include <stddef.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* decoding: elements                                                       */

static int msg_unknown_attr(const char *elem, const msg_attr *a, GError **err)
{
	return msg_fail(err, MSG_ERROR_SHAPE, "attribute '%.*s' not allowed in <%s>",
			(int)MIN(a->name_len, (size_t)MSG_SNIPPET_MAX), a->name, elem);
}

static int msg_missing_attr(const char *elem, const char *attr, GError **err)
{
	return msg_fail(err, MSG_ERROR_SHAPE, "missing attribute '%s' in <%s>", attr, elem);
}

/* The steps each verb has. */
static gboolean msg_step_known(int verb, gint64 step)
{
	switch (verb) {
	case MSG_VERB_LOCK:
		return step == MSG_STEP_REQUEST || msg_step_is_lock_answer(step) ||
		       step == MSG_STEP_COMMAND;
	case MSG_VERB_STATUS:
		return step == MSG_STEP_ANSWER;
	case MSG_VERB_UNLOCK:
		return step == MSG_STEP_REQUEST;
	case MSG_VERB_DISCOVER:
		return step == MSG_STEP_REQUEST || step == MSG_STEP_ANSWER ||
		       step == MSG_DISCOVER_STEP_DAEMON;
	case MSG_VERB_MNGMNT: /* an answer: ours to a refused request */
	case MSG_VERB_PING:
	default:
		return step == MSG_STEP_REQUEST || step == MSG_STEP_ANSWER;
	}
}

static int msg_apply_msg(flom_msg *m, msg_tag *t, GError **err)
{
	gint64 level = -1, verb = -1, step = -1;
	gboolean has_level = FALSE, has_verb = FALSE, has_step = FALSE;
	unsigned i;

	for (i = 0; i < t->n_attrs; i++) {
		const msg_attr *a = &t->attrs[i];

		if (msg_eq(a->name, a->name_len, "level")) {
			if (msg_parse_int("msg", a, &level, err) < 0)
				return -1;
			has_level = TRUE;
		} else if (msg_eq(a->name, a->name_len, "verb")) {
			if (msg_parse_int("msg", a, &verb, err) < 0)
				return -1;
			has_verb = TRUE;
		} else if (msg_eq(a->name, a->name_len, "step")) {
			if (msg_parse_int("msg", a, &step, err) < 0)
				return -1;
			has_step = TRUE;
		} else {
			return msg_unknown_attr("msg", a, err);
		}
	}
	/* The original accepts a missing level (reference §11.26); we do not. */
	if (!has_level)
		return msg_fail(err, MSG_ERROR_LEVEL, "missing protocol level");
	if (level != MSG_LEVEL)
		return msg_fail(err, MSG_ERROR_LEVEL, "unsupported protocol level %" G_GINT64_FORMAT,
				level);
	if (!has_verb)
		return msg_missing_attr("msg", "verb", err);
	if (!has_step)
		return msg_missing_attr("msg", "step", err);
	if (verb < MSG_VERB_LOCK || verb > MSG_VERB_STATUS)
		return msg_fail(err, MSG_ERROR_SHAPE, "unknown verb %" G_GINT64_FORMAT, verb);
	if (!msg_step_known((int)verb, step))
		return msg_fail(err, MSG_ERROR_SHAPE,
				"unknown step %" G_GINT64_FORMAT " for verb %" G_GINT64_FORMAT, step, verb);
	m->level = (int)level;
	m->verb = (int)verb;
	m->step = (int)step;
	return 0;
}

static int msg_apply_session(flom_msg *m, msg_tag *t, GError **err)
{
	unsigned i;

	for (i = 0; i < t->n_attrs; i++) {
		msg_attr *a = &t->attrs[i];

		if (!msg_eq(a->name, a->name_len, "peerid"))
			return msg_unknown_attr("session", a, err);
		if (msg_take_string("session", a, FLOM_PEERID_MAX, &m->peerid, err) < 0)
			return -1;
	}
	if (!m->peerid)
		return msg_missing_attr("session", "peerid", err);
	m->has_session = TRUE;
	return 0;
}

/* Names with their lengths, so that a lookup compares lengths first. */
#define MSG_NAME(lit) lit, sizeof(lit) - 1

static const struct {
	const char *name;
	size_t len;
	unsigned bit;
	size_t offset;
} msg_res_ints[] = {
	{ MSG_NAME("mode"), MSG_RES_MODE, offsetof(flom_msg, mode) },
	{ MSG_NAME("wait"), MSG_RES_WAIT, offsetof(flom_msg, wait) },
	{ MSG_NAME("quantity"), MSG_RES_QUANTITY, offsetof(flom_msg, quantity) },
	{ MSG_NAME("create"), MSG_RES_CREATE, offsetof(flom_msg, create) },
	{ MSG_NAME("lifespan"), MSG_RES_LIFESPAN, offsetof(flom_msg, lifespan) },
	{ MSG_NAME("rollback"), MSG_RES_ROLLBACK, offsetof(flom_msg, rollback) },
};

static gboolean msg_name_is(const char *s, size_t len, const char *name, size_t name_len)
{
	return len == name_len && s[0] == name[0] && memcmp(s, name, len) == 0;
}

static int msg_apply_resource(flom_msg *m, msg_tag *t, GError **err)
{
	unsigned allowed = m->verb == MSG_VERB_LOCK ? MSG_RES_LOCK_ALLOWED : MSG_RES_UNLOCK_ALLOWED;
	unsigned i, k;

	for (i = 0; i < t->n_attrs; i++) {
		msg_attr *a = &t->attrs[i];
		int ours;

		if (msg_eq(a->name, a->name_len, "name")) {
			if (msg_take_name(m, a, err) < 0)
				return -1;
			m->res_attrs |= MSG_RES_NAME;
			continue;
		}
		ours = msg_take_resource_ours(m, a, err);
		if (ours != 0) {
			if (ours < 0)
				return -1;
			continue;
		}
		for (k = 0; k < G_N_ELEMENTS(msg_res_ints); k++)
			if (msg_name_is(a->name, a->name_len, msg_res_ints[k].name,
					msg_res_ints[k].len))
				break;
		/* Unknown attributes are ignored, as by the original (§7.4). */
		if (k == G_N_ELEMENTS(msg_res_ints))
			continue;
		if (!(allowed & msg_res_ints[k].bit))
			return msg_fail(err, MSG_ERROR_SHAPE, "attribute '%s' not allowed in %s",
					msg_res_ints[k].name,
					m->verb == MSG_VERB_LOCK ? "a lock request" : "an unlock request");
		if (msg_parse_int("resource", a,
				  (gint64 *)((char *)m + msg_res_ints[k].offset), err) < 0)
			return -1;
		m->res_attrs |= msg_res_ints[k].bit;
	}
	if (!(m->res_attrs & MSG_RES_NAME))
		return msg_missing_attr("resource", "name", err);
	m->has_resource = TRUE;
	return 0;
}

static int msg_apply_answer(flom_msg *m, msg_tag *t, GError **err)
{
	gboolean has_rc = FALSE;
	unsigned i;

	for (i = 0; i < t->n_attrs; i++) {
		msg_attr *a = &t->attrs[i];

		if (msg_eq(a->name, a->name_len, "rc")) {
			if (msg_parse_int("answer", a, &m->rc, err) < 0)
				return -1;
			has_rc = TRUE;
		} else if (msg_eq(a->name, a->name_len, "element")) {
			if (msg_take_string("answer", a, FLOM_ELEMENT_MAX, &m->element, err) < 0)
				return -1;
		} else if (msg_eq(a->name, a->name_len, "token")) {
			if (msg_parse_uint("answer", a, &m->token, err) < 0)
				return -1;
			m->has_token = TRUE;
		} else if (msg_take_answer_ours(m, a, err) < 0) {
			return -1;
		}
		/* else: ignored, as by the original (§7.4) */
	}
	if (!has_rc)
		return msg_missing_attr("answer", "rc", err);
	m->has_answer = TRUE;
	return 0;
}

static int msg_apply_network(flom_msg *m, msg_tag *t, GError **err)
{
	gboolean has_port = FALSE;
	unsigned i;

	for (i = 0; i < t->n_attrs; i++) {
		msg_attr *a = &t->attrs[i];

		if (msg_eq(a->name, a->name_len, "address")) {
			if (msg_take_string("network", a, MSG_ADDRESS_MAX, &m->address, err) < 0)
				return -1;
		} else if (msg_eq(a->name, a->name_len, "port")) {
			if (msg_parse_int("network", a, &m->port, err) < 0)
				return -1;
			has_port = TRUE;
		} else {
			return msg_unknown_attr("network", a, err);
		}
	}
	if (!m->address)
		return msg_missing_attr("network", "address", err);
	if (!has_port)
		return msg_missing_attr("network", "port", err);
	m->has_network = TRUE;
	return 0;
}

/* The string attributes of <daemon>: its id (required) and group (ours,
 * later: optional). TRUE when a is one of them. */
static gboolean msg_daemon_string(flom_msg *m, msg_attr *a, int *rc, GError **err)
{
	*rc = 0;
	if (msg_eq(a->name, a->name_len, "id"))
		*rc = msg_take_string("daemon", a, FLOM_PEERID_MAX, &m->daemon_id, err);
	else if (msg_eq(a->name, a->name_len, "group"))
		*rc = msg_take_string("daemon", a, MSG_ADDRESS_MAX, &m->daemon_group, err);
	else
		return FALSE;
	return TRUE;
}

/* <daemon id="" started="" pid="" state="" holders="" port="" group=""/>:
 * port and group are optional (earlier announcements had neither). */
static int msg_apply_daemon(flom_msg *m, msg_tag *t, GError **err)
{
	static const char *const names[] = { "started", "pid", "state", "holders", "port" };
	gint64 *fields[] = { &m->daemon_started, &m->daemon_pid, &m->daemon_state,
			     &m->daemon_holders, &m->daemon_port };
	const unsigned required = 4;
	unsigned seen = 0;

	for (unsigned i = 0; i < t->n_attrs; i++) {
		msg_attr *a = &t->attrs[i];
		unsigned k;
		int rc;

		if (msg_daemon_string(m, a, &rc, err)) {
			if (rc < 0)
				return -1;
			continue;
		}
		for (k = 0; k < G_N_ELEMENTS(names); k++)
			if (msg_eq(a->name, a->name_len, names[k]))
				break;
		if (k == G_N_ELEMENTS(names))
			return msg_unknown_attr("daemon", a, err);
		if (msg_parse_int("daemon", a, fields[k], err) < 0)
			return -1;
		seen |= 1u << k;
	}
	if (!m->daemon_id)
		return msg_missing_attr("daemon", "id", err);
	for (unsigned k = 0; k < required; k++)
		if (!(seen & (1u << k)))
			return msg_missing_attr("daemon", names[k], err);
	if (m->daemon_state < MSG_DAEMON_SETTLING || m->daemon_state > MSG_DAEMON_RETIRING ||
	    m->daemon_pid <= 0 || m->daemon_holders < 0 || m->daemon_port < 0 ||
	    m->daemon_port > 65535)
		return msg_fail(err, MSG_ERROR_SHAPE, "<daemon> attribute out of range");
	m->has_daemon = TRUE;
	return 0;
}

static int msg_apply_shutdown(flom_msg *m, msg_tag *t, GError **err)
{
	gboolean has_immediate = FALSE;
	unsigned i;

	for (i = 0; i < t->n_attrs; i++) {
		const msg_attr *a = &t->attrs[i];

		if (!msg_eq(a->name, a->name_len, "immediate"))
			return msg_unknown_attr("shutdown", a, err);
		if (msg_parse_int("shutdown", a, &m->immediate, err) < 0)
			return -1;
		has_immediate = TRUE;
	}
	if (!has_immediate)
		return msg_missing_attr("shutdown", "immediate", err);
	m->has_shutdown = TRUE;
	return 0;
}

typedef enum {
	MSG_CHILD_UNKNOWN,
	MSG_CHILD_SESSION,
	MSG_CHILD_RESOURCE,
	MSG_CHILD_ANSWER,
	MSG_CHILD_NETWORK,
	MSG_CHILD_SHUTDOWN,
	MSG_CHILD_DAEMON,
	MSG_CHILD_COMMAND,
	MSG_CHILD_RECORD,
} msg_child;

static const struct {
	const char *name;
	size_t len;
} msg_children[] = {
	[MSG_CHILD_SESSION] = { MSG_NAME("session") },
	[MSG_CHILD_RESOURCE] = { MSG_NAME("resource") },
	[MSG_CHILD_ANSWER] = { MSG_NAME("answer") },
	[MSG_CHILD_NETWORK] = { MSG_NAME("network") },
	[MSG_CHILD_SHUTDOWN] = { MSG_NAME("shutdown") },
	[MSG_CHILD_DAEMON] = { MSG_NAME("daemon") },
	[MSG_CHILD_COMMAND] = { MSG_NAME("command") },
	[MSG_CHILD_RECORD] = { MSG_NAME("record") },
};

/* The element a verb/step is about (required), or MSG_CHILD_UNKNOWN. */
static msg_child msg_main_child(int verb, int step)
{
	if ((verb == MSG_VERB_LOCK || verb == MSG_VERB_UNLOCK) && step == MSG_STEP_REQUEST)
		return MSG_CHILD_RESOURCE;
	if (verb == MSG_VERB_LOCK && step == MSG_STEP_COMMAND)
		return MSG_CHILD_COMMAND;
	if (verb == MSG_VERB_STATUS)
		return MSG_CHILD_RECORD;
	if (verb == MSG_VERB_LOCK)
		return MSG_CHILD_ANSWER;
	if (verb == MSG_VERB_DISCOVER && step == MSG_STEP_ANSWER)
		return MSG_CHILD_NETWORK;
	if (verb == MSG_VERB_DISCOVER && step == MSG_DISCOVER_STEP_DAEMON)
		return MSG_CHILD_DAEMON;
	if (verb == MSG_VERB_MNGMNT)
		return step == MSG_STEP_REQUEST ? MSG_CHILD_SHUTDOWN : MSG_CHILD_ANSWER;
	return MSG_CHILD_UNKNOWN;
}

/* Whether the message already holds a child of that kind. */
static gboolean msg_has_child(const flom_msg *m, msg_child c)
{
	switch (c) {
	case MSG_CHILD_SESSION: return m->has_session;
	case MSG_CHILD_RESOURCE: return m->has_resource;
	case MSG_CHILD_ANSWER: return m->has_answer;
	case MSG_CHILD_NETWORK: return m->has_network;
	case MSG_CHILD_SHUTDOWN: return m->has_shutdown;
	case MSG_CHILD_DAEMON: return m->has_daemon;
	case MSG_CHILD_COMMAND: return m->client.command_pid > 0;
	case MSG_CHILD_RECORD: return m->record != NULL;
	case MSG_CHILD_UNKNOWN:
	default: return FALSE;
	}
}

static int msg_apply_child(flom_msg *m, msg_tag *t, GError **err)
{
	msg_child c = MSG_CHILD_UNKNOWN;
	gboolean allowed;
	unsigned k;

	for (k = 1; k < G_N_ELEMENTS(msg_children); k++)
		if (k != MSG_CHILD_RECORD &&
		    msg_name_is(t->name, t->name_len, msg_children[k].name, msg_children[k].len))
			c = (msg_child)k;
	if (m->verb == MSG_VERB_STATUS && msg_is_record(t->name, t->name_len))
		c = MSG_CHILD_RECORD;
	if (msg_eq(t->name, t->name_len, "msg"))
		return msg_fail(err, MSG_ERROR_SHAPE, "<msg> nested in <msg>");
	if (c == MSG_CHILD_UNKNOWN) {
		/* Ignored when empty, invalid otherwise (reference §7.4). */
		if (t->n_attrs > 0)
			return msg_fail(err, MSG_ERROR_SHAPE, "unknown element <%.*s> with attributes",
					(int)MIN(t->name_len, (size_t)MSG_SNIPPET_MAX), t->name);
		return 0;
	}
	if (c == MSG_CHILD_SESSION)
		allowed = (m->verb == MSG_VERB_LOCK &&
			   (m->step == MSG_STEP_REQUEST || m->step == MSG_STEP_ANSWER)) ||
			  (m->verb == MSG_VERB_MNGMNT && m->step == MSG_STEP_REQUEST);
	else
		allowed = msg_main_child(m->verb, m->step) == c;
	if (!allowed)
		return msg_fail(err, MSG_ERROR_SHAPE, "element <%s> not allowed in verb %d step %d",
				msg_children[c].name, m->verb, m->step);
	if (msg_has_child(m, c))
		return msg_fail(err, MSG_ERROR_SHAPE, "duplicate element <%s>", msg_children[c].name);
	switch (c) {
	case MSG_CHILD_SESSION: return msg_apply_session(m, t, err);
	case MSG_CHILD_RESOURCE: return msg_apply_resource(m, t, err);
	case MSG_CHILD_ANSWER: return msg_apply_answer(m, t, err);
	case MSG_CHILD_NETWORK: return msg_apply_network(m, t, err);
	case MSG_CHILD_SHUTDOWN: return msg_apply_shutdown(m, t, err);
	case MSG_CHILD_DAEMON: return msg_apply_daemon(m, t, err);
	case MSG_CHILD_COMMAND: return msg_apply_command(m, t, err);
	case MSG_CHILD_RECORD: return msg_apply_record(m, t, err);
	case MSG_CHILD_UNKNOWN:
	default: return 0;
	}
}

/* The children of <msg> up to and including "</msg>". */
static int msg_parse_children(msg_parser *ps, flom_msg *m, GError **err)
{
	for (;;) {
		msg_tag t;
		int rc;

		msg_skip_space(ps);
		if (ps->p >= ps->end)
			return msg_truncated(err);
		/* Exactly the trailer, so that framing a stream (which looks for
		 * these bytes) and decoding agree on where a message ends. */
		if (msg_at(ps, MSG_TRAILER)) {
			ps->p += MSG_TRAILER_LEN;
			return 0;
		}
		if (msg_at(ps, "</"))
			return msg_parse_end_tag(ps, "msg", 3, err) < 0
				       ? -1
				       : msg_fail(err, MSG_ERROR_SYNTAX,
						  "the message must end with exactly %s", MSG_TRAILER);
		if (*ps->p != '<')
			return msg_fail(err, MSG_ERROR_SYNTAX, "text content in <msg> (offset %td)",
					ps->p - ps->start);
		rc = msg_parse_start_tag(ps, &t, err);
		if (rc == 0 && !t.empty)
			rc = msg_parse_child_content(ps, &t, err);
		if (rc == 0)
			rc = msg_apply_child(m, &t, err);
		if (rc < 0)
			return -1;
	}
}

int msg_decode(const char *buf, size_t len, flom_msg *m, GError **err)
{
	msg_parser ps = { .p = buf, .end = buf + len, .start = buf };
	msg_tag root;
	msg_child main_child;

	msg_init(m);
	if (len == 0) {
		msg_fail(err, MSG_ERROR_SYNTAX, "empty message");
		goto fail;
	}
	if (len > FLOM_MSG_MAX) {
		msg_fail(err, MSG_ERROR_SYNTAX, "message too long (%zu bytes, at most %d)", len,
			 FLOM_MSG_MAX);
		goto fail;
	}
	if (msg_check_bytes(buf, len, err) < 0)
		goto fail;
	msg_skip_space(&ps);
	if (msg_at(&ps, "<?xml") && msg_parse_decl(&ps, err) < 0)
		goto fail;
	msg_skip_space(&ps);
	if (ps.p >= ps.end) {
		msg_truncated(err);
		goto fail;
	}
	if (msg_parse_start_tag(&ps, &root, err) < 0)
		goto fail;
	if (!msg_eq(root.name, root.name_len, "msg")) {
		msg_fail(err, MSG_ERROR_SHAPE, "root element must be <msg>, not <%.*s>",
			 (int)MIN(root.name_len, (size_t)MSG_SNIPPET_MAX), root.name);
		goto fail;
	}
	if (root.empty) {
		msg_fail(err, MSG_ERROR_SYNTAX, "<msg/> must be closed by %s", MSG_TRAILER);
		goto fail;
	}
	if (msg_apply_msg(m, &root, err) < 0)
		goto fail;
	if (msg_parse_children(&ps, m, err) < 0)
		goto fail;
	if (ps.p != ps.end) {
		msg_fail(err, MSG_ERROR_SYNTAX, "%td bytes after %s", ps.end - ps.p, MSG_TRAILER);
		goto fail;
	}
	main_child = msg_main_child(m->verb, m->step);
	if (main_child != MSG_CHILD_UNKNOWN && !msg_has_child(m, main_child)) {
		msg_fail(err, MSG_ERROR_SHAPE, "missing element <%s> in verb %d step %d",
			 msg_children[main_child].name, m->verb, m->step);
		goto fail;
	}
	msg_parser_clear(&ps);
	return 0;
fail:
	msg_parser_clear(&ps);
	msg_clear(m);
	return -1;
}
