/* SPDX-License-Identifier: MIT */
/*
 * rcalls.c - fuzz_reader_corrupt's reader under test at the seam (rrun.h):
 * the run's state, the hook every ring access of the core passes (a load
 * of the reader only inside the data area the control page describes, no
 * store but data_tail, a writer access only inside a write), the reader's
 * calls bracketed so that each makes no more accesses than a walk of the
 * ring needs, the pause callback, and the failure that ends a run.
 */
#include <stdarg.h>

#include "rrun.h"

struct fzr_run fzr;

void fzr_fail(const char *invariant, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fz_story_vfail(&fzr.where, invariant, fmt, ap);
}

static bool inside(const void *p, size_t n, const void *lo, uint64_t len)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)lo;

	return a >= b && a - b <= len && n <= len - (a - b);
}

/* Every access of the core passes here: the reader's are checked first. */
static uint64_t hook(void *ctx, const struct uprb_sim_access *a)
{
	(void)ctx;
	fzr.where.site = a->site;
	switch (a->site) {
	case UPRB_SITE_C_HEAD_LOAD:
		NEED(fzr.in_reader && fzr.pc && a->addr == &fzr.pc->data_head,
		     "memory-safety", "data_head load from %p, not the control page's",
		     a->addr);
		break;
	case UPRB_SITE_READ_HEADER:
	case UPRB_SITE_READ_DATA:
		NEED(fzr.in_reader && a->op == UPRB_OP_COPY_FROM &&
		     inside(a->src, a->len, fzr.data, fzr.size),
		     "memory-safety",
		     "%zu-byte load at data area offset %lld, outside its %llu bytes",
		     a->len, (long long)((const unsigned char *)a->src - fzr.data),
		     X64(fzr.size));
		break;
	case UPRB_SITE_D_TAIL_STORE:
		NEED(fzr.in_reader && fzr.pc && a->addr == &fzr.pc->data_tail,
		     "memory-safety", "data_tail store to %p, not the control page's",
		     a->addr);
		break;
	case UPRB_SITE_PAUSE_STORE:
		break;
	default:
		NEED(fzr.in_writer, "memory-safety", "writer access outside a write");
		if (a->op == UPRB_OP_COPY_TO)
			NEED(inside(a->addr, a->len, fzr.data, fzr.size),
			     "memory-safety", "writer copy outside the data area");
		break;
	}
	if (fzr.in_reader && ++fzr.accesses > fzr.access_limit)
		fzr_fail("termination", "%llu ring accesses in one call, a walk of "
		     "the ring needs at most %llu", X64(fzr.accesses),
		     X64(fzr.access_limit));
	return uprb_sim_perform(a);
}

const struct uprb_sim_hooks fzr_hooks = { .access = hook };

int fzr_on_pause(void *arg, bool on)
{
	(void)arg;
	fzr.paused = on;
	if (fzr.rb)
		uprb_ring_pause(fzr.rb, on);
	return 0;
}

/* Bracket a reader call: its ring accesses are bounded. */
void fzr_enter(void)
{
	fzr.in_reader = true;
	fzr.accesses = 0;
	fzr.access_limit = 2 * (fzr.size / 8) + 16;
}

void fzr_leave(void)
{
	fzr.in_reader = false;
}

int fzr_call_init(void)
{
	int ret;

	fzr_enter();
	ret = uprb_read_init(&fzr.r);
	fzr_leave();
	return ret;
}

int fzr_call_event(const struct perf_event_header **ev)
{
	int ret;

	fzr_enter();
	ret = uprb_read_event(&fzr.r, ev);
	fzr_leave();
	return ret;
}

void fzr_call_done(void)
{
	fzr_enter();
	uprb_read_done(&fzr.r);
	fzr_leave();
	NEED(!fzr.paused, "resync", "writer still paused after read_done");
}

uint64_t fzr_load_head(void)
{
	return __atomic_load_n(&fzr.pc->data_head, __ATOMIC_ACQUIRE);
}
