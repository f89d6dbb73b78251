/* SPDX-License-Identifier: MIT */
/*
 * port_native.h - the seam as inline atomics (included by port.h only).
 *
 * Memory orders follow docs/ring.md#25-barriers-a-to-d: the cross-CPU
 * protocol (A-D) uses acquire/release accesses, which the compiler and
 * ThreadSanitizer both understand; barrier() is a signal fence, which orders
 * against a signal handler on the same thread (our NMI) and nothing else.
 *
 * CPU-local read-modify-writes (rb->head, rb->lost, rb->wakeup, rb->events)
 * need to be atomic only against interrupts on the same CPU. On x86-64 a
 * single unlocked instruction is, so we use cmpxchg/xadd/add without the
 * LOCK prefix, as the kernel's local_t does; a locked cmpxchg drains the
 * store buffer and costs several times more on small records
 * (docs/benchmark.md#what-the-choices-bought). Elsewhere,
 * and under ThreadSanitizer (which cannot see inline asm), the __atomic
 * builtins with relaxed order stand in.
 */
#ifndef UPRB_PORT_NATIVE_H
#define UPRB_PORT_NATIVE_H

#include <string.h>

#if defined(__SANITIZE_THREAD__)
#define UPRB_PORT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UPRB_PORT_TSAN 1
#endif
#endif
#ifndef UPRB_PORT_TSAN
#define UPRB_PORT_TSAN 0
#endif

#if defined(__x86_64__) && !UPRB_PORT_TSAN && !defined(UPRB_PORT_GENERIC_LOCAL)
#define UPRB_PORT_X86_LOCAL 1
#else
#define UPRB_PORT_X86_LOCAL 0
#endif

#define UPRB_UNUSED_SITE(s) ((void)(s))

static inline uint64_t uprb_read_once64(enum uprb_site s, const __u64 *p)
{
	UPRB_UNUSED_SITE(s);
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t uprb_read_once32(enum uprb_site s, const uint32_t *p)
{
	UPRB_UNUSED_SITE(s);
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void uprb_write_once64(enum uprb_site s, __u64 *p, uint64_t v)
{
	UPRB_UNUSED_SITE(s);
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void uprb_write_once32(enum uprb_site s, uint32_t *p, uint32_t v)
{
	UPRB_UNUSED_SITE(s);
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline uint64_t uprb_load_acquire64(enum uprb_site s, const __u64 *p)
{
	UPRB_UNUSED_SITE(s);
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint32_t uprb_load_acquire32(enum uprb_site s, const uint32_t *p)
{
	UPRB_UNUSED_SITE(s);
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void uprb_store_release32(enum uprb_site s, uint32_t *p,
					uint32_t v)
{
	UPRB_UNUSED_SITE(s);
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline void uprb_store_release64(enum uprb_site s, __u64 *p,
					uint64_t v)
{
	UPRB_UNUSED_SITE(s);
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Compare-and-exchange against the same CPU; on failure *expect = current. */
static inline bool uprb_local_cmpxchg64(enum uprb_site s, __u64 *p,
					__u64 *expect, uint64_t desired)
{
	UPRB_UNUSED_SITE(s);
#if UPRB_PORT_X86_LOCAL
	uint64_t old = *expect;
	uint64_t prev;
	__asm__ __volatile__("cmpxchgq %2, %1"
			     : "=a"(prev), "+m"(*p)
			     : "r"(desired), "0"(old)
			     : "memory", "cc");
	*expect = prev;
	return prev == old;
#else
	return __atomic_compare_exchange_n(p, expect, desired, false,
					   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
#endif
}

/* Exchange; on x86 xchg with memory is always locked, as in the kernel. */
static inline uint64_t uprb_local_xchg64(enum uprb_site s, __u64 *p,
					 uint64_t v)
{
	UPRB_UNUSED_SITE(s);
	return __atomic_exchange_n(p, v, __ATOMIC_RELAXED);
}

/* Add against the same CPU. Return: the old value. */
static inline uint64_t uprb_local_add64(enum uprb_site s, __u64 *p,
					uint64_t v)
{
	UPRB_UNUSED_SITE(s);
#if UPRB_PORT_X86_LOCAL
	__asm__ __volatile__("xaddq %0, %1" : "+r"(v), "+m"(*p) : : "memory", "cc");
	return v;
#else
	return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
#endif
}

/* barrier(): orders against a nested writer (signal handler) on this thread. */
static inline void uprb_barrier(enum uprb_site s)
{
	UPRB_UNUSED_SITE(s);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void uprb_smp_wmb(enum uprb_site s)
{
	UPRB_UNUSED_SITE(s);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void uprb_smp_rmb(enum uprb_site s)
{
	UPRB_UNUSED_SITE(s);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static inline void uprb_smp_mb(enum uprb_site s)
{
	UPRB_UNUSED_SITE(s);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void uprb_copy_to_ring(enum uprb_site s, void *dst,
				     const void *src, size_t n)
{
	UPRB_UNUSED_SITE(s);
	memcpy(dst, src, n);
}

static inline void uprb_copy_from_ring(enum uprb_site s, void *dst,
				       const void *src, size_t n)
{
	UPRB_UNUSED_SITE(s);
	memcpy(dst, src, n);
}

#endif /* UPRB_PORT_NATIVE_H */
