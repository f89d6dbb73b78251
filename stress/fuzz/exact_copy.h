/* SPDX-License-Identifier: MIT */
/*
 * exact_copy.h - run a target's body on a copy of the input in an
 * allocation of exactly its size, so that ASan sees a read one byte past
 * the end in every driver (the replay driver reads files into a larger
 * buffer; libFuzzer's is exact already).
 */
#ifndef FZ_EXACT_COPY_H
#define FZ_EXACT_COPY_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline int fz_on_exact_copy(const uint8_t *data, size_t size,
				   int (*run)(const uint8_t *, size_t))
{
	uint8_t *copy = malloc(size ? size : 1);
	int rc;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rc = run(copy, size);
	free(copy);
	return rc;
}

#endif /* FZ_EXACT_COPY_H */
