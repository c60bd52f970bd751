/*
 * flom: wire messages (FLoM protocol level 3).
 *
 * One struct for every message, an encoder that writes the original's bytes
 * exactly, and a bounded decoder for untrusted input. No I/O here, so the
 * codec can be unit-tested and fuzzed.
 *
 * A message on a stream ends with "</msg>"; a datagram holds one message.
 */
#ifndef FLOM_MSG_H
#define FLOM_MSG_H

#include <stddef.h>
#include <sys/types.h>
#include <glib.h>
#include "flom.h"

#define MSG_LEVEL 3
#define MSG_TRAILER "</msg>"

/* Steps of an exchange: a request, its first answer, the answers that may
 * follow it (a grant after a wait), the last one. */
enum {
	MSG_STEP_REQUEST = 8,
	MSG_STEP_ANSWER = 16,
	MSG_STEP_LATER_ANSWER = 24,
	MSG_STEP_LAST_ANSWER = 32,
};

typedef enum {
	MSG_VERB_NONE = 0,
	MSG_VERB_LOCK = 1,
	MSG_VERB_UNLOCK = 2,
	MSG_VERB_PING = 3,
	MSG_VERB_DISCOVER = 4,
	MSG_VERB_MNGMNT = 5,
	MSG_VERB_STATUS = 6,   /* ours: the records of a status answer */
} msg_verb;

/* Ours. A client tells its command's pid after the grant (lock verb), only
 * to a daemon whose answer carried ext >= MSG_EXT_LEVEL. */
#define MSG_STEP_COMMAND 40
#define MSG_EXT_LEVEL 1
/*
 * A status request is a lock request for this name, which is no valid
 * resource name: an original daemon answers it rc -14 (invalid name) and
 * closes, as for any bad name, and no lock is taken anywhere; ours answers
 * with status records (verb MSG_VERB_STATUS, step 16) instead.
 */
#define MSG_STATUS_PROBE_NAME "flom status"

/* Which optional attributes of <resource> were present (decode) or are to be
 * written (encode is driven by the resource type of the name instead). */
enum {
	MSG_RES_NAME = 1 << 0,
	MSG_RES_MODE = 1 << 1,
	MSG_RES_WAIT = 1 << 2,
	MSG_RES_QUANTITY = 1 << 3,
	MSG_RES_CREATE = 1 << 4,
	MSG_RES_LIFESPAN = 1 << 5,
	MSG_RES_ROLLBACK = 1 << 6,
};

typedef struct flom_msg {
	int level;             /* -1 when the attribute is absent */
	int verb;
	int step;

	gboolean has_session;
	char *peerid;          /* <session peerid=""/> */

	gboolean has_resource;
	unsigned res_attrs;    /* MSG_RES_* present */
	char *name;            /* decoded (raw) resource name */
	gint64 mode, wait, quantity, create, lifespan, rollback;

	gboolean has_answer;
	gint64 rc;
	char *element;         /* NULL when absent */
	gboolean has_token;
	guint64 token;         /* fencing token (ours; ignored by original clients) */
	gboolean has_release;
	gint64 release_ms;     /* ours, in a grant over TCP: the daemon releases a
				* silent holder no sooner than this (safety.h) */

	gboolean has_network;
	char *address;         /* "" means: the reply's source address */
	gint64 port;

	gboolean has_shutdown;
	gint64 immediate;

	/* Ours, in attributes original daemons and clients ignore (§7.4).
	 * Lock request <resource pid uid user host status filter>: who asks,
	 * and whether it asks for status (filter: one resource, raw name).
	 * <command pid> (MSG_STEP_COMMAND) fills client.command_pid. */
	flom_client_info client;
	gint64 status;
	char *filter;
	/* Answer: the daemon's extension level, and for a queued request the
	 * holder it waits for <answer holder-pid holder-uid holder-user
	 * holder-host holder-since>. */
	gint64 ext;
	gboolean has_holder;
	flom_client_info holder;
	gint64 holder_since;   /* us since the epoch */
	/* Status record (verb MSG_VERB_STATUS, step 16): the element (one of
	 * MSG_STATUS_RECORDS) and its attributes, name/value pairs in order. */
	char *record;
	GPtrArray *fields;

	/* Ours: a dynamic-mode daemon announcing itself to the others of its
	 * group (verb 4, step 24; clients never receive it). Over TCP the same
	 * message asks a daemon who it is, and it answers with its own. */
	gboolean has_daemon;
	char *daemon_id;       /* unique id of its host */
	gint64 daemon_started; /* start time, us since the epoch */
	gint64 daemon_pid;
	gint64 daemon_state;   /* MSG_DAEMON_* */
	gint64 daemon_holders; /* locks it holds for clients now */
	gint64 daemon_port;    /* its TCP port, where it can be asked; 0 absent */
	char *daemon_group;    /* its group "ADDRESS port N" (TCP answer only), or NULL */
} flom_msg;

enum {
	MSG_DAEMON_SETTLING = 0, /* just started: grants nothing yet */
	MSG_DAEMON_SERVING = 1,
	MSG_DAEMON_RETIRING = 2, /* out of the election: stepped down, or retiring (holders finish) */
};
#define MSG_DISCOVER_STEP_DAEMON MSG_STEP_LATER_ANSWER

void msg_init(flom_msg *m);
void msg_clear(flom_msg *m);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(flom_msg, msg_clear)

/* Constructors for every message the program sends. */
void msg_make_lock(flom_msg *m, const char *peerid, const char *name,
		   flom_lock_mode mode, gboolean wait, gint64 quantity,
		   gboolean create, gint64 lifespan);
void msg_make_answer(flom_msg *m, int step, const char *peerid, int rc,
		     const char *element, gboolean has_token, guint64 token);
void msg_make_unlock(flom_msg *m, const char *name, gboolean rollback);
/* Ours: a dynamic daemon's announcement to the others of its group. */
void msg_make_daemon(flom_msg *m, const char *id, gint64 started, gint64 pid,
		     int state, gint64 holders);
/* Ours: the daemon refuses a management request (verb 5, step 16). */
void msg_make_manage_answer(flom_msg *m, int rc);
void msg_make_discover(flom_msg *m);
void msg_make_discover_reply(flom_msg *m, const char *address, unsigned port);
void msg_make_shutdown(flom_msg *m, const char *peerid, gboolean immediate);
/* Ours: a status request, for one resource (filter) or all (NULL). */
void msg_make_status_request(flom_msg *m, const char *peerid, const char *filter);
/* Ours: the command's pid, after a grant. */
void msg_make_command(flom_msg *m, gint64 pid);
/* Ours: an empty status record; add its fields with msg_add_field. */
void msg_make_record(flom_msg *m, const char *record);
void msg_add_field(flom_msg *m, const char *name, const char *value);
void msg_add_field_int(flom_msg *m, const char *name, gint64 value);
/* A field of a decoded record, or NULL. */
const char *msg_field(const flom_msg *m, const char *name);

/* Elements a status record may be. */
#define MSG_STATUS_RECORDS { "rsrc", "owner", "end" }

/* Append the bytes of m to out, byte-identical to the original's templates.
 * Attribute values are escaped; the resource name is base64. */
void msg_encode(const flom_msg *m, GString *out);

/*
 * Length of the first complete message at the start of buf (up to and
 * including "</msg>"), 0 when more bytes are needed, -1 when no "</msg>"
 * appears within FLOM_MSG_MAX bytes.
 */
gssize msg_frame(const char *buf, size_t len);

/*
 * Parse exactly one message (buf holds it whole; for streams, the bytes
 * msg_frame() delimited). Entities in attribute values are decoded, the
 * resource name is base64-decoded. Rejects (returns -1 with err) anything
 * malformed: bad XML, bad base64, numbers that do not parse, level other than
 * 3, attributes or elements not allowed for the verb and step, nesting.
 * Checks only syntax and shape: range checks are msg_check_request().
 */
int msg_decode(const char *buf, size_t len, flom_msg *m, GError **err);

/*
 * Semantic checks a daemon applies to a message received from a client:
 * verb/step is one a client sends, required attributes present, values in
 * range (mode 0..5, wait/create/rollback 0..1, quantity 1..FLOM_NUMERIC_MAX,
 * lifespan >= 0, name length). -1 with err otherwise.
 */
int msg_check_request(const flom_msg *m, GError **err);

/* GError domain of the codec. */
#define MSG_ERROR (msg_error_quark())
GQuark msg_error_quark(void);

/* Codes of MSG_ERROR. */
typedef enum {
	MSG_ERROR_SYNTAX = 1, /* not well-formed XML, bad entity, base64 or number, too long */
	MSG_ERROR_LEVEL,      /* protocol level missing or other than MSG_LEVEL */
	MSG_ERROR_SHAPE,      /* unknown verb/step, element or attribute not allowed or missing */
	MSG_ERROR_REQUEST,    /* msg_check_request(): not a client request, value out of range */
} msg_error_code;

/*
 * Notes on the functions above:
 * - msg_make_*() and msg_decode() start from msg_init(m): m must not hold
 *   strings (msg_clear() it first when reusing). msg_decode() leaves m
 *   cleared on failure.
 * - Attributes absent from a decoded message keep the values of msg_init():
 *   mode EX, wait 1, quantity 1, create 1, lifespan 0, rollback 0, rc 0,
 *   immediate 0, port 0; strings NULL.
 * - msg_decode() requires the element a verb/step is about (<resource> in
 *   lock/8 and unlock/8, <answer> in lock/16..32, <network> in discover/16,
 *   <shutdown> in management/8) and its key attribute (name, rc,
 *   address+port, immediate; peerid in <session>, which stays optional).
 */

/* The MSG_RES_* attributes msg_encode() writes in a LOCK request for name:
 * they depend on the resource type of the name (reference §7.3). */
unsigned msg_lock_attrs(const char *name);

#endif
