/* SPDX-License-Identifier: MIT */
/*
 * kstubs.h - what the kernel backend sets up around each call into the
 * tree (stubs.c, tsan_rt.c, seam.c), in terms that need no kernel header.
 *
 *   context   the running write: its source's pid, tid, cpu and clock
 *             (`current`, raw_smp_processor_id(), event->clock()), and the
 *             ring's page size (PAGE_SHIFT). Writes nest (the world runs a
 *             complete write inside a seam access of another), so contexts
 *             are pushed and popped, never overwritten.
 *   pages     the pages rb_alloc() gets: the world ring's control page,
 *             then its data pages, in order.
 *   watch     rb->FIELD addresses whose plain C accesses become seam
 *             accesses (tsan_rt.c), and the ring memory no plain access of
 *             the tree may touch.
 */
#ifndef UPRB_KSTUBS_H
#define UPRB_KSTUBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uprb/port.h"

struct uprb_k_ctx {
	int32_t pid, tid;
	uint32_t cpu;
	uint64_t (*clock)(void *arg);
	void *clock_arg;
	int page_shift;
	/* saved by push, restored by pop */
	struct uprb_k_ctx *prev;
	int prev_page_shift;
};

void uprb_k_ctx_push(struct uprb_k_ctx *c);
void uprb_k_ctx_pop(struct uprb_k_ctx *c);

/* The clock of the running write's source (event->clock of the tree). */
uint64_t uprb_k_event_clock(void);

struct uprb_k_pages;
/* Pages at @addr[0..n): handed out by the allocator while in use. */
struct uprb_k_pages *uprb_k_pages_new(void *const *addr, unsigned n);
void uprb_k_pages_free(struct uprb_k_pages *p);
/* Make @p the allocator's (NULL: none). Return: the previous one. */
struct uprb_k_pages *uprb_k_pages_use(struct uprb_k_pages *p);
/* Pages handed out and not freed. */
unsigned uprb_k_pages_taken(const struct uprb_k_pages *p);

/* tsan_rt.c: route plain accesses of @width bytes at @addr (ids: table). */
void uprb_k_tsan_watch(void *addr, unsigned width, unsigned read_id,
		       unsigned write_id);
void uprb_k_tsan_unwatch(void *addr);
/* No plain access of the tree may touch [lo, lo + len): it is shared. */
void uprb_k_tsan_guard(const void *lo, size_t len);
void uprb_k_tsan_unguard(const void *lo);
/* A plain store seen but not yet handed to the seam: hand it over now. */
void uprb_k_tsan_flush_slow(void);
extern _Thread_local void *uprb_k_tsan_pending;
static inline void uprb_k_tsan_flush(void)
{
	if (__builtin_expect(uprb_k_tsan_pending != NULL, 0))
		uprb_k_tsan_flush_slow();
}

/* seam.c: an access of ours (not the tree's) at a named site. */
uint64_t uprb_k_site_rmw(void *p, unsigned width, enum uprb_op op, uint64_t v,
			 enum uprb_site site, const char *loc);

/* Stop with a message (a broken shim or harness, not a ring bug). */
__attribute__((noreturn, format(printf, 1, 2)))
void uprb_k_die(const char *fmt, ...);

#endif
