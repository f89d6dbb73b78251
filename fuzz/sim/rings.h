/* SPDX-License-Identifier: MIT */
/*
 * rings.h - rings kept between runs. A new ring is a mapping with guard
 * pages (mmap, two mprotects, page faults, munmap at the end), which cost
 * a short fuzz run more than the run itself; the targets take their rings
 * from here instead, one per owner and geometry, each handed out exactly
 * as uprb_ring_new() makes it (uprb_ring_reset()): a run cannot see what
 * an earlier one left.
 */
#ifndef FZ_RINGS_H
#define FZ_RINGS_H

#include "uprb/uprb.h"

/* Owners: rings used at the same time (the world's CPUs). */
#define FZ_RING_OWNERS 4u

/*
 * A ring for @owner (< FZ_RING_OWNERS) as uprb_ring_new(@o) makes it. It
 * stays the cache's: never free it; it is reset at the next call of the
 * same owner and geometry, so use it only until then. Valid opts only:
 * a refused geometry aborts (the targets' decoders make valid ones).
 */
struct uprb_ring *fz_ring_get(unsigned owner, const struct uprb_ring_opts *o);

/*
 * Free every ring kept (uprb_ring_free()) and forget them, so that a leak
 * detector sees what a missing free leaves behind: the replay driver calls
 * this at exit, with LeakSanitizer on. Each ring's mapping must be gone
 * afterwards (mincore() says so); if one is not, print what stayed mapped
 * and return -1. Return: 0, or -1.
 */
int fz_rings_free_all(void);

#endif /* FZ_RINGS_H */
