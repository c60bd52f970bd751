/* The configuration tests' fixture (a temporary directory, an empty
 * environment) and the helpers that load and dump a configuration, shared by
 * test_config.c and test_config_load.c. */
#ifndef CONFIG_FX_H
#define CONFIG_FX_H

#include "../../src/config.h" /* not the build directory's autoconf config.h */

#include <glib.h>

/* the test program's temporary directory, removed by main() */
extern char *tmpdir;

char *write_file(const char *name, const char *content);
void env_reset(void);
void write_user_file(const char *content);
int load_args(flom_config *cfg, GError **err, const char *first, ...);
char *load_error(const char *first, ...);
char *dump_of(const flom_config *cfg);
gboolean dump_has_line(const flom_config *cfg, const char *line);

/* test_config_load.c: key files, layering, config_check, the unique id */
void config_load_add_tests(void);

#endif
