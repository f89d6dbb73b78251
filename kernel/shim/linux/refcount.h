/* SPDX-License-Identifier: MIT */
/* linux/refcount.h - the ring's and the AUX area's reference counts. */
#ifndef UPRB_K_LINUX_REFCOUNT_H
#define UPRB_K_LINUX_REFCOUNT_H

#include <stdbool.h>

typedef struct {
	int refs;
} refcount_t;

static inline void refcount_set(refcount_t *r, int n) { r->refs = n; }
static inline int refcount_read(const refcount_t *r) { return r->refs; }
static inline void refcount_inc(refcount_t *r) { r->refs++; }
static inline bool refcount_inc_not_zero(refcount_t *r)
{
	return r->refs ? (r->refs++, true) : false;
}
static inline bool refcount_dec_and_test(refcount_t *r) { return --r->refs == 0; }

#endif
