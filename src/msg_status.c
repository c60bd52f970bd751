/*
 * flom: our extensions of the wire protocol, which original daemons and
 * clients never see or ignore (reference §7.4: unknown attributes of
 * <resource> and <answer> are ignored):
 *  - who asks, in a lock request: <resource ... pid uid user host>;
 *  - a status request: a lock request for MSG_STATUS_PROBE_NAME with
 *    status="1" (and filter, a base64 name);
 *  - the daemon's extension level and the holder a queued request waits for,
 *    in an answer: <answer ... ext holder-pid holder-uid holder-user
 *    holder-host holder-since>;
 *  - the command's pid after a grant, only to a daemon with ext >= 1:
 *    verb 1, step MSG_STEP_COMMAND, <command pid/>;
 *  - status records, only to our client: verb MSG_VERB_STATUS, step 16, one
 *    element of MSG_STATUS_RECORDS whose attributes are kept as text.
 */
#include "msg.h"
#include "msg_private.h"

#include <string.h>

/* ------------------------------------------------------------ construction */

void msg_make_status_request(flom_msg *m, const char *peerid, const char *filter)
{
	msg_make_lock(m, peerid, MSG_STATUS_PROBE_NAME, FLOM_LOCK_MODE_EX, FALSE, 1, FALSE, 0);
	m->status = 1;
	m->filter = g_strdup(filter);
}

void msg_make_command(flom_msg *m, gint64 pid)
{
	msg_init(m);
	m->level = MSG_LEVEL;
	m->verb = MSG_VERB_LOCK;
	m->step = MSG_STEP_COMMAND;
	m->client.command_pid = pid;
}

void msg_make_record(flom_msg *m, const char *record)
{
	msg_init(m);
	m->level = MSG_LEVEL;
	m->verb = MSG_VERB_STATUS;
	m->step = MSG_STEP_ANSWER;
	m->record = g_strdup(record);
	m->fields = g_ptr_array_new_with_free_func(g_free);
}

void msg_add_field(flom_msg *m, const char *name, const char *value)
{
	g_ptr_array_add(m->fields, g_strdup(name));
	g_ptr_array_add(m->fields, g_strdup(value ? value : ""));
}

void msg_add_field_int(flom_msg *m, const char *name, gint64 value)
{
	g_ptr_array_add(m->fields, g_strdup(name));
	g_ptr_array_add(m->fields, g_strdup_printf("%" G_GINT64_FORMAT, value));
}

const char *msg_field(const flom_msg *m, const char *name)
{
	for (guint i = 0; m->fields && i + 1 < m->fields->len; i += 2)
		if (strcmp(g_ptr_array_index(m->fields, i), name) == 0)
			return g_ptr_array_index(m->fields, i + 1);
	return NULL;
}

/* ------------------------------------------------------------ decoding */

static int msg_taken(int rc)
{
	return rc < 0 ? -1 : 1;
}

int msg_take_resource_ours(flom_msg *m, msg_attr *a, GError **err)
{
	if (m->verb != MSG_VERB_LOCK)
		return 0;   /* elsewhere ignored, as the original ignores them */
	if (msg_eq(a->name, a->name_len, "pid"))
		return msg_taken(msg_parse_int("resource", a, &m->client.pid, err));
	if (msg_eq(a->name, a->name_len, "uid"))
		return msg_taken(msg_parse_int("resource", a, &m->client.uid, err));
	if (msg_eq(a->name, a->name_len, "user"))
		return msg_taken(msg_take_string("resource", a, FLOM_USER_MAX, &m->client.user, err));
	if (msg_eq(a->name, a->name_len, "host"))
		return msg_taken(msg_take_string("resource", a, FLOM_HOST_MAX, &m->client.host, err));
	if (msg_eq(a->name, a->name_len, "status"))
		return msg_taken(msg_parse_int("resource", a, &m->status, err));
	if (msg_eq(a->name, a->name_len, "filter"))
		return msg_taken(msg_take_b64_name(a, &m->filter, err));
	return 0;
}

int msg_take_answer_ours(flom_msg *m, msg_attr *a, GError **err)
{
	const char *n = a->name + 7;
	size_t len = a->name_len - 7;

	if (msg_eq(a->name, a->name_len, "ext"))
		return msg_taken(msg_parse_int("answer", a, &m->ext, err));
	if (msg_eq(a->name, a->name_len, "release")) {
		if (msg_parse_int("answer", a, &m->release_ms, err) < 0)
			return -1;
		m->has_release = m->release_ms > 0;
		return 1;
	}
	if (a->name_len <= 7 || memcmp(a->name, "holder-", 7) != 0)
		return 0;
	m->has_holder = TRUE;
	if (msg_eq(n, len, "pid"))
		return msg_taken(msg_parse_int("answer", a, &m->holder.pid, err));
	if (msg_eq(n, len, "uid"))
		return msg_taken(msg_parse_int("answer", a, &m->holder.uid, err));
	if (msg_eq(n, len, "user"))
		return msg_taken(msg_take_string("answer", a, FLOM_USER_MAX, &m->holder.user, err));
	if (msg_eq(n, len, "host"))
		return msg_taken(msg_take_string("answer", a, FLOM_HOST_MAX, &m->holder.host, err));
	if (msg_eq(n, len, "since"))
		return msg_taken(msg_parse_int("answer", a, &m->holder_since, err));
	return 0;
}

int msg_apply_command(flom_msg *m, msg_tag *t, GError **err)
{
	for (unsigned i = 0; i < t->n_attrs; i++) {
		const msg_attr *a = &t->attrs[i];

		if (!msg_eq(a->name, a->name_len, "pid"))
			return msg_fail(err, MSG_ERROR_SHAPE, "attribute '%.*s' not allowed in <command>",
					(int)MIN(a->name_len, (size_t)MSG_SNIPPET_MAX), a->name);
		if (msg_parse_int("command", a, &m->client.command_pid, err) < 0)
			return -1;
	}
	if (m->client.command_pid <= 0)
		return msg_fail(err, MSG_ERROR_SHAPE, "<command> without a valid pid");
	return 0;
}

int msg_apply_record(flom_msg *m, msg_tag *t, GError **err)
{
	m->record = g_strndup(t->name, t->name_len);
	m->fields = g_ptr_array_new_with_free_func(g_free);
	for (unsigned i = 0; i < t->n_attrs; i++) {
		g_ptr_array_add(m->fields, g_strndup(t->attrs[i].name, t->attrs[i].name_len));
		g_ptr_array_add(m->fields, g_strndup(t->attrs[i].value, t->attrs[i].value_len));
	}
	(void)err;
	return 0;
}

gboolean msg_is_record(const char *name, size_t len)
{
	static const char *const records[] = MSG_STATUS_RECORDS;

	for (size_t k = 0; k < G_N_ELEMENTS(records); k++)
		if (msg_eq(name, len, records[k]))
			return TRUE;
	return FALSE;
}
