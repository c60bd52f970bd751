/*
 * flom: what the files of the configuration share and nobody else sees:
 * the table of settings (config_table.c), the value parsers
 * (config_value.c), the key file loader (config_file.c).
 */
#ifndef FLOM_CONFIG_PRIVATE_H
#define FLOM_CONFIG_PRIVATE_H

#include <stddef.h>
#include <glib.h>
#include "config.h"

typedef enum {
	KT_STRING,      /* optional text; empty means unset */
	KT_PATH,        /* optional path; a relative one is taken from the working
			 * directory at start-up (the daemon runs in /) */
	KT_SOCKET,      /* optional absolute path that fits in sun_path */
	KT_RESOURCE,    /* resource name, never unset */
	KT_DIR,         /* optional existing directory */
	KT_REALPATH,    /* optional existing file, kept as its real path */
	KT_IFACE,       /* optional network interface of this host */
	KT_BOOL,
	KT_INT,         /* int between min and max */
	KT_INT64,       /* gint64 between min and max */
	KT_LOCK_MODE,
	KT_SIGNALS,     /* guint32 bit set of signals 1..31 */
	KT_ON_LOCK_LOST,
	KT_FLAG,        /* command line only: no argument, sets TRUE */
	KT_TEXT,        /* command line only text (--debug-feature) */
	KT_CONFIG_FILE, /* -c: read at once, not kept in flom_config */
	KT_STATUS,      /* --status[=json]: optional argument, an int */
} key_type;

/* The option of a key file boolean takes no argument and only sets it (-V). */
#define KF_CLI_FLAG 1u

typedef struct config_key {
	const char *group;      /* NULL: command line only */
	const char *key;
	key_type type;
	size_t offset;          /* of the field in flom_config */
	const char *long_name;  /* NULL: key file only */
	char short_name;
	unsigned flags;
	gint64 min, max;        /* KT_INT, KT_INT64 */
	const char *what;       /* noun for range messages */
	const char *arg;        /* argument name in --help */
	const char *help;
} config_key;

/* ---- config_table.c ---- */
extern const config_key config_keys[];
extern const size_t config_n_keys;
gboolean config_key_is_string(key_type type);
/* The key KEY of key file group GROUP, or NULL. */
const config_key *config_key_find(const char *group, const char *key);
/* Address of K's field in CFG. */
void *config_key_field(const config_key *k, const flom_config *cfg);

/* ---- config_value.c ---- */
/* Names of signals 1..31 (Linux numbering, as the original hard-codes it). */
extern const char *const config_signal_names[32];
/* Parse V into K's field of CFG: NULL, or why V is wrong (g_free). */
char *config_key_parse(const config_key *k, const char *v, flom_config *cfg, gboolean from_cli);
/* Copy K's field from SRC to DST (the command line over the files). */
void config_key_copy(const config_key *k, flom_config *dst, const flom_config *src);
/* Why NAME cannot be locked, or NULL (g_free). */
char *config_resource_name_problem(const char *name);

/* ---- config_file.c ---- */
/* The system file, the user's file, then config_file (-c) when not NULL. */
int config_load_files(const char *config_file, flom_config *cfg, GError **err);

#endif
