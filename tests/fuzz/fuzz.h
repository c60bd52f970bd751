/*
 * flom fuzz targets: the libFuzzer entry point every target defines, and a
 * check that aborts (so that libFuzzer, and the corpus replay run by
 * `make check`, report a property violation like a crash).
 */
#ifndef FLOM_FUZZ_H
#define FLOM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#endif
