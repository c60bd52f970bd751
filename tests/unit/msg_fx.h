/* The wire codec tests' shared pieces: the original's message prefixes and
 * the decode helpers, shared by test_msg.c and test_msg_bad.c. */
#ifndef MSG_FX_H
#define MSG_FX_H

#include <stddef.h>
#include <glib.h>

#include "msg.h"

#define H "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>"
#define PEER "3d1219c7c4c5404aaa1f6d2a48adfda4"
#define LOCK8 H "<msg level=\"3\" verb=\"1\" step=\"8\">"
#define UNLOCK8 H "<msg level=\"3\" verb=\"2\" step=\"8\">"
#define ANSWER16 H "<msg level=\"3\" verb=\"1\" step=\"16\">"
#define MNGMNT8 H "<msg level=\"3\" verb=\"5\" step=\"8\">"
#define DISC16 H "<msg level=\"3\" verb=\"4\" step=\"16\">"
#define SESSION "<session peerid=\"" PEER "\"/>"
#define END "</msg>"

void decode_ok(const char *bytes, flom_msg *m);
char *decode_err(const char *bytes, size_t len);

/* test_msg_bad.c: malformed input and msg_check_request */
void msg_bad_add_tests(void);

#endif
