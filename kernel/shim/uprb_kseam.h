/* SPDX-License-Identifier: MIT */
/*
 * uprb_kseam.h - the kernel's shared-access primitives, routed to the sim
 * seam (core/include/uprb/port_sim.h) one call per access.
 *
 * Each primitive is a macro that passes UPRB_K_ID(name): the index, in the
 * generated table uprb_k_sites[] (uprb_ksites.h/.c in the build directory),
 * of the access written at this source line. The table gives its site
 * label, memory order and "ring_buffer.c:LINE (function)"; index 0 is an
 * access outside the fast path, performed plainly. kernel/tools/gen_sites.py
 * reads the names below from this file (every UPRB_K_ID(name) is one), finds
 * each use in the tree, and labels it by the rules in
 * kernel/tools/site_rules.txt, or stops the build.
 *
 * The identifier is UPRB_K_ID_<file>_<line>_<name>: <file> is the file the
 * macro is used in, told apart by include depth (the .c file being
 * compiled is depth 0, its #include "internal.h" depth 1); <line> is that
 * file's __LINE__ (gcc and clang give different lines for a call spread
 * over several; the table has both).
 */
#ifndef UPRB_KSEAM_H
#define UPRB_KSEAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uprb/port.h"

#define UPRB_K_PASTE_(a, b) a##b
#define UPRB_K_PASTE(a, b) UPRB_K_PASTE_(a, b)
#define UPRB_K_ID4_(f, l, name) UPRB_K_ID_##f##_##l##_##name
#define UPRB_K_ID4(f, l, name) UPRB_K_ID4_(f, l, name)
/* Depth 1 is internal.h; the build names depth 0 (-DUPRB_K_FILE_0=RB ...). */
#define UPRB_K_FILE_1 IH
#define UPRB_K_FILE UPRB_K_PASTE(UPRB_K_FILE_, __INCLUDE_LEVEL__)
#define UPRB_K_ID(name) UPRB_K_ID4(UPRB_K_FILE, __LINE__, name)

#include "uprb_ksites.h"

/* seam.c: perform access @id of the table (0: plainly). */
uint64_t uprb_k_load(const volatile void *p, unsigned width, unsigned order,
		     unsigned id);
void uprb_k_store(volatile void *p, unsigned width, uint64_t v, unsigned order,
		  unsigned id);
/* ADD, XCHG or CMPXCHG of a @width-byte location. Return: the old value. */
uint64_t uprb_k_rmw(volatile void *p, unsigned width, unsigned op, uint64_t v,
		    uint64_t expect, unsigned id);
bool uprb_k_try_cmpxchg(volatile void *p, unsigned width, void *expect,
			uint64_t v, unsigned id);
void uprb_k_fence(unsigned order, unsigned id);
void *uprb_k_memcpy(void *dst, const void *src, size_t n, unsigned id);

#define UPRB_K_U64(v) ((uint64_t)(uintptr_t)(v))
#define UPRB_K_LD(p, order, name)                                              \
	uprb_k_load((p), sizeof(*(p)), (order), UPRB_K_ID(name))
#define UPRB_K_ST(p, v, order, name)                                           \
	uprb_k_store((p), sizeof(*(p)), UPRB_K_U64(v), (order), UPRB_K_ID(name))
#define UPRB_K_RMW(p, op, v, expect, name)                                     \
	uprb_k_rmw((p), sizeof(*(p)), (op), UPRB_K_U64(v), UPRB_K_U64(expect), \
		   UPRB_K_ID(name))

/* READ_ONCE/WRITE_ONCE (and ACCESS_ONCE as a load, older trees) */
#define READ_ONCE(x)                                                           \
	((__typeof__(x))UPRB_K_LD(&(x), UPRB_ORDER_ONCE, READ_ONCE))
#define WRITE_ONCE(x, v)                                                       \
	((void)UPRB_K_ST(&(x), (v), UPRB_ORDER_ONCE, WRITE_ONCE))
#define smp_load_acquire(p)                                                    \
	((__typeof__(*(p)))UPRB_K_LD((p), UPRB_ORDER_ACQUIRE, smp_load_acquire))
#define smp_store_release(p, v)                                                \
	((void)UPRB_K_ST((p), (v), UPRB_ORDER_RELEASE, smp_store_release))

/* compiler and CPU barriers */
#define barrier() uprb_k_fence(UPRB_ORDER_COMPILER, UPRB_K_ID(barrier))
#define smp_wmb() uprb_k_fence(UPRB_ORDER_WMB, UPRB_K_ID(smp_wmb))
#define smp_rmb() uprb_k_fence(UPRB_ORDER_RMB, UPRB_K_ID(smp_rmb))
#define smp_mb() uprb_k_fence(UPRB_ORDER_MB, UPRB_K_ID(smp_mb))
#define wmb() uprb_k_fence(UPRB_ORDER_WMB, UPRB_K_ID(wmb))
#define rmb() uprb_k_fence(UPRB_ORDER_RMB, UPRB_K_ID(rmb))
#define mb() uprb_k_fence(UPRB_ORDER_MB, UPRB_K_ID(mb))

/* local_t: CPU-local, interrupt-safe (asm/local.h) */
typedef struct {
	long counter;
} local_t;
#define LOCAL_INIT(i) { (i) }
#define local_read(l) ((long)UPRB_K_LD(&(l)->counter, UPRB_ORDER_ONCE, local_read))
#define local_set(l, i) ((void)UPRB_K_ST(&(l)->counter, (long)(i), UPRB_ORDER_ONCE, local_set))
#define local_inc(l) ((void)UPRB_K_RMW(&(l)->counter, UPRB_OP_ADD, 1, 0, local_inc))
#define local_dec(l) ((void)UPRB_K_RMW(&(l)->counter, UPRB_OP_ADD, -1L, 0, local_dec))
#define local_add(i, l) ((void)UPRB_K_RMW(&(l)->counter, UPRB_OP_ADD, (long)(i), 0, local_add))
#define local_sub(i, l) ((void)UPRB_K_RMW(&(l)->counter, UPRB_OP_ADD, -(long)(i), 0, local_sub))
#define local_inc_return(l)                                                    \
	((long)UPRB_K_RMW(&(l)->counter, UPRB_OP_ADD, 1, 0, local_inc_return) + 1)
#define local_add_return(i, l)                                                 \
	((long)UPRB_K_RMW(&(l)->counter, UPRB_OP_ADD, (long)(i), 0,            \
			  local_add_return) + (long)(i))
#define local_xchg(l, n) ((long)UPRB_K_RMW(&(l)->counter, UPRB_OP_XCHG, (long)(n), 0, local_xchg))
#define local_cmpxchg(l, o, n)                                                 \
	((long)UPRB_K_RMW(&(l)->counter, UPRB_OP_CMPXCHG, (long)(n), (long)(o), \
			  local_cmpxchg))
#define local_try_cmpxchg(l, po, n)                                            \
	uprb_k_try_cmpxchg(&(l)->counter, sizeof(*(po)), (po), UPRB_K_U64(n),  \
			   UPRB_K_ID(local_try_cmpxchg))

/* atomic_t, atomic64_t, atomic_long_t (linux/atomic.h) */
typedef struct {
	int counter;
} atomic_t;
typedef struct {
	int64_t counter;
} atomic64_t;
typedef struct {
	long counter;
} atomic_long_t;
#define ATOMIC_INIT(i) { (i) }
#define atomic_read(v) ((int)UPRB_K_LD(&(v)->counter, UPRB_ORDER_ONCE, atomic_read))
#define atomic_set(v, i) ((void)UPRB_K_ST(&(v)->counter, (int)(i), UPRB_ORDER_ONCE, atomic_set))
#define atomic_inc(v) ((void)UPRB_K_RMW(&(v)->counter, UPRB_OP_ADD, 1, 0, atomic_inc))
#define atomic_dec(v) ((void)UPRB_K_RMW(&(v)->counter, UPRB_OP_ADD, -1, 0, atomic_dec))
#define atomic_inc_return(v)                                                   \
	((int)UPRB_K_RMW(&(v)->counter, UPRB_OP_ADD, 1, 0, atomic_inc_return) + 1)
#define atomic_xchg(v, n) ((int)UPRB_K_RMW(&(v)->counter, UPRB_OP_XCHG, (int)(n), 0, atomic_xchg))
#define atomic64_read(v) ((int64_t)UPRB_K_LD(&(v)->counter, UPRB_ORDER_ONCE, atomic64_read))
#define atomic64_set(v, i) ((void)UPRB_K_ST(&(v)->counter, (int64_t)(i), UPRB_ORDER_ONCE, atomic64_set))
#define atomic64_inc(v) ((void)UPRB_K_RMW(&(v)->counter, UPRB_OP_ADD, 1, 0, atomic64_inc))
#define atomic64_add(i, v) ((void)UPRB_K_RMW(&(v)->counter, UPRB_OP_ADD, (int64_t)(i), 0, atomic64_add))
#define atomic_long_read(v) ((long)UPRB_K_LD(&(v)->counter, UPRB_ORDER_ONCE, atomic_long_read))
#define atomic_long_set(v, i) ((void)UPRB_K_ST(&(v)->counter, (long)(i), UPRB_ORDER_ONCE, atomic_long_set))
#define atomic_long_inc(v) ((void)UPRB_K_RMW(&(v)->counter, UPRB_OP_ADD, 1, 0, atomic_long_inc))

/* the copy into the data area (internal.h's memcpy_common) */
#define memcpy(d, s, n) uprb_k_memcpy((d), (s), (n), UPRB_K_ID(memcpy))

#endif /* UPRB_KSEAM_H */
