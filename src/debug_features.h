/* flom: --debug-feature=NAME self-tests of the network (multicast debugger). */
#ifndef FLOM_DEBUG_FEATURES_H
#define FLOM_DEBUG_FEATURES_H

#include "config.h"

/* Run cfg->debug_feature. Returns the exit status: 0 success, 1 failure or
 * unknown name (the known names are listed on stderr). */
int debug_features_run(const flom_config *cfg);

#endif
