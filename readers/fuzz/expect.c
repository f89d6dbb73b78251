/* SPDX-License-Identifier: MIT */
/* expect.c - matching a reader's behaviour against expect.h's lines. */
#include <fnmatch.h>
#include <string.h>

#include "expect.h"

static bool ring_matches(const char *ring, bool honest, unsigned classes)
{
	const char *p = ring;

	if (!strcmp(ring, "any"))
		return true;
	if (!strcmp(ring, "honest"))
		return honest;
	if (!strcmp(ring, "hostile"))
		return !honest;
	if (honest)
		return false;
	/* A comma-separated list of classes: one of them was done. */
	while (*p) {
		size_t n = strcspn(p, ",");

		for (unsigned c = 0; c < RDC_COUNT; c++)
			if ((classes & (1u << c)) && strlen(rd_class_names[c]) == n &&
			    !strncmp(p, rd_class_names[c], n))
				return true;
		p += n + (p[n] == ',');
	}
	return false;
}

const struct rd_expect *rd_expect_match(const struct rd_adapter *a, bool honest,
					unsigned classes, enum rd_behaviour b)
{
	for (unsigned i = 0; i < rd_nexpects; i++) {
		const struct rd_expect *e = &rd_expects[i];

		if (!strcmp(e->reader, a->name) &&
		    !fnmatch(e->versions, a->version, 0) &&
		    !strcmp(e->behaviour, rd_behaviour_names[b]) &&
		    ring_matches(e->ring, honest, classes))
			return e;
	}
	return NULL;
}
