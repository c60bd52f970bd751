/* flom: --debug-feature=tls.server / tls.client, the TLS self-test. */
#ifndef FLOM_DEBUG_TLS_H
#define FLOM_DEBUG_TLS_H

#include "config.h"

/* 1 for "tls.server", 0 for "tls.client" (any case), -1 for another name. */
int debug_tls_feature(const char *name);

/* Run the feature (server: TRUE); the exit status, 0 or 1. */
int debug_tls_run(const flom_config *cfg, gboolean server);

#endif
