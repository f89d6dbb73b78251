/* SPDX-License-Identifier: MIT */
/* rings.c - rings kept between runs, per owner and geometry (rings.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rings.h"

/* Geometries per owner: every one the decoders make (7 sizes x 5 counts). */
#define PER_OWNER 40u

static struct {
	struct uprb_ring *rb[PER_OWNER];
	unsigned n, evict;
} owners[FZ_RING_OWNERS];

static void fatal(const char *what, const struct uprb_ring_opts *o)
{
	fprintf(stderr, "fuzz rings: cannot %s a ring of %u x %u\n", what,
		o->nr_pages, o->page_size);
	abort();
}

struct uprb_ring *fz_ring_get(unsigned owner, const struct uprb_ring_opts *o)
{
	uint32_t page_size = o->page_size ? o->page_size : UPRB_DEFAULT_PAGE_SIZE;
	struct uprb_ring **slot;

	if (owner >= FZ_RING_OWNERS)
		abort();
	for (unsigned i = 0; i < owners[owner].n; i++) {
		struct uprb_ring *rb = owners[owner].rb[i];

		if (rb->page_size == page_size && rb->nr_pages == o->nr_pages) {
			if (uprb_ring_reset(rb, o))
				fatal("reset", o);
			return rb;
		}
	}
	if (owners[owner].n < PER_OWNER) {
		slot = &owners[owner].rb[owners[owner].n++];
	} else {
		/* Full: this owner's other rings are not in use now. */
		slot = &owners[owner].rb[owners[owner].evict++ % PER_OWNER];
		uprb_ring_free(*slot);
	}
	if (uprb_ring_new(slot, o))
		fatal("make", o);
	return *slot;
}

int fz_rings_free_all(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char vec;
	int err = 0;

	for (unsigned o = 0; o < FZ_RING_OWNERS; o++) {
		for (unsigned i = 0; i < owners[o].n; i++) {
			struct uprb_ring *rb = owners[o].rb[i];
			void *map = rb->map;
			size_t len = rb->map_len;

			uprb_ring_free(rb);
			/* mincore() fails with ENOMEM on a range with no mapping. */
			if (mincore(map, 1, &vec) == 0 || errno != ENOMEM ||
			    mincore((unsigned char *)map + len - page, 1, &vec) == 0 ||
			    errno != ENOMEM) {
				fprintf(stderr, "fuzz rings: leak: a ring's %zu-byte "
					"mapping at %p is still mapped after "
					"uprb_ring_free()\n", len, map);
				err = -1;
			}
			owners[o].rb[i] = NULL;
		}
		owners[o].n = owners[o].evict = 0;
	}
	return err;
}
