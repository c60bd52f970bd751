/* The lock table's test fixture (a table, its events and a fake clock) and
 * the requests the tests make, shared by test_locktable.c and
 * test_locktable_life.c. */
#ifndef LOCKTABLE_FX_H
#define LOCKTABLE_FX_H

#include <glib.h>

#include "flom.h"
#include "locktable.h"

#define NO_EVENT 999
/* 2023-11-14 22:13:20 UTC: a whole second, so grains start on it */
#define T0 (G_GINT64_CONSTANT(1700000000) * G_TIME_SPAN_SECOND)
#define MS G_TIME_SPAN_MILLISECOND

enum { NL = FLOM_LOCK_MODE_NL, CR = FLOM_LOCK_MODE_CR, CW = FLOM_LOCK_MODE_CW,
       PR = FLOM_LOCK_MODE_PR, PW = FLOM_LOCK_MODE_PW, EX = FLOM_LOCK_MODE_EX };

typedef struct {
	lt_table *t;
	GArray *ev;
	gint64 now;
} fx;

void fx_setup(fx *f, gconstpointer data);
void fx_teardown(fx *f, gconstpointer data);
lt_lock_request req_default(guint64 owner, const char *name);
int lock_req(fx *f, const lt_lock_request *r);
int lock_mode(fx *f, guint64 owner, const char *name, int mode, gboolean wait);
int lock(fx *f, guint64 owner, const char *name);
void unlock(fx *f, guint64 owner, gboolean rollback);
void tick(fx *f, gint64 now);
const lt_event *ev_find(fx *f, guint64 owner);
int ev_rc(fx *f, guint64 owner);
const char *ev_element(fx *f, guint64 owner);
int lock_q(fx *f, guint64 owner, const char *name, gint64 q, gboolean wait);

#define ADD(path, fn) g_test_add("/locktable/" path, fx, NULL, fx_setup, fn, fx_teardown)

/* test_locktable_life.c: timestamps, the incubator, idle lifespans, tokens,
 * bounds and status */
void locktable_life_add_tests(void);

#endif
