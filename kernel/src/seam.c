/* SPDX-License-Identifier: MIT */
/*
 * seam.c - the shim's access primitives (uprb_kseam.h) as sim seam
 * accesses: the table entry the macro named gives the site label, the
 * order and the source location; entry 0 is an access off the fast path,
 * performed plainly. Out of line on purpose: the tree's file is compiled
 * with -fsanitize=thread, and building a struct uprb_sim_access there
 * would put a runtime call before every field store.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksites.h"
#include "kstubs.h"
#include "uprb/port.h"

static const struct uprb_k_site *site_of(unsigned id)
{
	if (id >= UPRB_K_NSITES)
		uprb_k_die("seam: access id %u outside the site table (%u entries): "
			   "uprb_ksites.h and uprb_ksites.c disagree", id,
			   (unsigned)UPRB_K_NSITES);
	return &uprb_k_sites[id];
}

static unsigned order_of(const struct uprb_k_site *s, unsigned own)
{
	return s->order == UPRB_K_ORDER_OWN ? own : s->order;
}

static void check_width(const struct uprb_k_site *s, unsigned width)
{
	if (width != 4 && width != 8)
		uprb_k_die("seam: %s (%s) is a %u-byte access; the seam has 4 and 8",
			   s->loc, uprb_site_name((enum uprb_site)s->site), width);
}

static uint64_t plain_load(const volatile void *p, unsigned width)
{
	switch (width) {
	case 1: return *(const volatile uint8_t *)p;
	case 2: return *(const volatile uint16_t *)p;
	case 4: return *(const volatile uint32_t *)p;
	default: return *(const volatile uint64_t *)p;
	}
}

static void plain_store(volatile void *p, unsigned width, uint64_t v)
{
	switch (width) {
	case 1: *(volatile uint8_t *)p = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)p = (uint16_t)v; break;
	case 4: *(volatile uint32_t *)p = (uint32_t)v; break;
	default: *(volatile uint64_t *)p = v; break;
	}
}

static uint64_t dispatch(const struct uprb_k_site *s, enum uprb_op op,
			 unsigned order, unsigned width, volatile void *p,
			 uint64_t v, uint64_t expect)
{
	struct uprb_sim_access a = {
		.site = (enum uprb_site)s->site,
		.op = op,
		.order = (enum uprb_order)order,
		.width = width,
		.addr = (void *)p,
		.val = v,
		.expect = expect,
		.loc = s->loc,
	};

	return uprb_sim_dispatch(&a);
}

uint64_t uprb_k_load(const volatile void *p, unsigned width, unsigned order,
		     unsigned id)
{
	const struct uprb_k_site *s = site_of(id);

	uprb_k_tsan_flush();
	if (s->site == UPRB_K_PLAIN)
		return plain_load(p, width);
	check_width(s, width);
	return dispatch(s, UPRB_OP_LOAD, order_of(s, order), width,
			(volatile void *)p, 0, 0);
}

void uprb_k_store(volatile void *p, unsigned width, uint64_t v, unsigned order,
		  unsigned id)
{
	const struct uprb_k_site *s = site_of(id);

	uprb_k_tsan_flush();
	if (s->site == UPRB_K_PLAIN) {
		plain_store(p, width, v);
		return;
	}
	check_width(s, width);
	if (width == 4)
		v = (uint32_t)v;
	dispatch(s, UPRB_OP_STORE, order_of(s, order), width, p, v, 0);
}

/* The seam's read-modify-writes are 8 bytes; a 4-byte one is done here. */
static uint64_t rmw4(volatile void *p, enum uprb_op op, uint64_t v,
		     uint64_t expect)
{
	uint32_t old = *(volatile uint32_t *)p;

	if (op == UPRB_OP_ADD)
		*(volatile uint32_t *)p = old + (uint32_t)v;
	else if (op == UPRB_OP_XCHG || (uint32_t)expect == old)
		*(volatile uint32_t *)p = (uint32_t)v;
	return old;
}

uint64_t uprb_k_rmw(volatile void *p, unsigned width, unsigned op, uint64_t v,
		    uint64_t expect, unsigned id)
{
	const struct uprb_k_site *s = site_of(id);

	uprb_k_tsan_flush();
	if (s->site == UPRB_K_PLAIN) {
		if (width == 4)
			return rmw4(p, (enum uprb_op)op, v, expect);
		struct uprb_sim_access a = { .op = (enum uprb_op)op, .width = 8,
					     .addr = (void *)p, .val = v,
					     .expect = expect };
		return uprb_sim_perform(&a);
	}
	if (width != 8)
		uprb_k_die("seam: %s (%s) is a %u-byte read-modify-write; the seam "
			   "has 8", s->loc, uprb_site_name((enum uprb_site)s->site),
			   width);
	return dispatch(s, (enum uprb_op)op, order_of(s, UPRB_ORDER_ONCE), 8, p,
			v, expect);
}

bool uprb_k_try_cmpxchg(volatile void *p, unsigned width, void *expect,
			uint64_t v, unsigned id)
{
	uint64_t want, old;

	if (width != 8)
		uprb_k_die("seam: try_cmpxchg of %u bytes (the seam has 8)", width);
	memcpy(&want, expect, 8);
	old = uprb_k_rmw(p, 8, UPRB_OP_CMPXCHG, v, want, id);
	if (old == want)
		return true;
	memcpy(expect, &old, 8);
	return false;
}

void uprb_k_fence(unsigned order, unsigned id)
{
	const struct uprb_k_site *s = site_of(id);

	uprb_k_tsan_flush();
	__asm__ __volatile__("" ::: "memory");
	if (s->site == UPRB_K_PLAIN)
		return;
	dispatch(s, UPRB_OP_FENCE, order_of(s, order), 0, NULL, 0, 0);
}

void *uprb_k_memcpy(void *dst, const void *src, size_t n, unsigned id)
{
	const struct uprb_k_site *s = site_of(id);

	uprb_k_tsan_flush();
	if (s->site == UPRB_K_PLAIN)
		return memcpy(dst, src, n);
	struct uprb_sim_access a = {
		.site = (enum uprb_site)s->site,
		.op = UPRB_OP_COPY_TO,
		.order = (enum uprb_order)order_of(s, UPRB_ORDER_ONCE),
		.addr = dst,
		.src = src,
		.len = n,
		.loc = s->loc,
	};
	uprb_sim_dispatch(&a);
	return dst;
}

uint64_t uprb_k_site_rmw(void *p, unsigned width, enum uprb_op op, uint64_t v,
			 enum uprb_site site, const char *loc)
{
	struct uprb_sim_access a = {
		.site = site,
		.op = op,
		.order = UPRB_ORDER_ONCE,
		.width = width,
		.addr = p,
		.val = v,
		.loc = loc,
	};

	uprb_k_tsan_flush();
	if (width != 8)
		uprb_k_die("seam: %s: a %u-byte read-modify-write", loc, width);
	return uprb_sim_dispatch(&a);
}

void uprb_k_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("kernel backend: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
