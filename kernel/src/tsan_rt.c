/* SPDX-License-Identifier: MIT */
/*
 * tsan_rt.c - a tiny runtime for the calls -fsanitize=thread puts before
 * every memory access of the tree's ring_buffer.c (and of glue_pause.c).
 * No ThreadSanitizer runtime is linked: these entry points are ours.
 *
 * Why: two of the writer's shared accesses are plain C, with no macro to
 * hook: the volatile nest++ of perf_output_get_handle() and the rb->paused
 * load of __perf_output_begin() (rb_toggle_paused() stores it plainly too).
 * Compiled with -fsanitize=thread (and tsan-distinguish-volatile), each is
 * preceded by a call naming its address, which lets us make it a seam
 * access with its site and source line (gen_sites.py's "plain" rules):
 *
 *   a load   is handed to the seam at once (a preemption point), then the
 *            compiled load reads the same memory;
 *   a store  cannot be: the call comes before it and does not carry the
 *            value. It is noted; at the next call of this runtime (the next
 *            access), of the seam, or when the backend gets control back,
 *            the compiled store has happened: the old value is put back and
 *            the new one handed to the seam, which performs it (possibly
 *            after running a nested writer, or into a store buffer).
 *
 * Every other access is performed by the compiled code as it is. What the
 * file loses by not being ASan-instrumented, this runtime checks where it
 * is cheap: no plain access may touch the world's ring memory (only seam
 * accesses may), and under ASan each access is checked against ASan's
 * shadow (__asan_region_is_poisoned), so heap overflows and uses after
 * free of the tree's code are still reported as ASan reports. What it
 * cannot give back: redzones around the file's own stack variables and
 * globals (ASan puts them there only when instrumenting the file).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ksites.h"
#include "kstubs.h"

#if defined(__SANITIZE_ADDRESS__)
#define UPRB_K_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UPRB_K_ASAN 1
#endif
#endif
#ifdef UPRB_K_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* Symbolizer of the sanitizer runtimes, when one is linked. */
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out, size_t n)
	__attribute__((weak));

#define MAX_WATCH 64
#define MAX_GUARD 16

struct watch {
	uintptr_t addr;
	unsigned width, read_id, write_id;
};

static _Thread_local struct watch watches[MAX_WATCH];
static _Thread_local unsigned nwatch;
static _Thread_local uintptr_t watch_lo = UINTPTR_MAX, watch_hi;
static _Thread_local struct {
	uintptr_t lo, hi;
} guards[MAX_GUARD];
static _Thread_local unsigned nguard;

/* The noted store: uprb_k_tsan_pending is its address, or NULL. */
_Thread_local void *uprb_k_tsan_pending;
static _Thread_local unsigned pend_width, pend_id;
static _Thread_local uint64_t pend_old;

static void where(void *pc, char *buf, size_t n)
{
	if (__sanitizer_symbolize_pc)
		__sanitizer_symbolize_pc(pc, "%L (%f)", buf, n);
	else
		snprintf(buf, n, "pc %p (addr2line -f -e <binary> %p)", pc, pc);
}

static void bounds(void)
{
	watch_lo = UINTPTR_MAX;
	watch_hi = 0;
	for (unsigned i = 0; i < nwatch; i++) {
		if (watches[i].addr < watch_lo)
			watch_lo = watches[i].addr;
		if (watches[i].addr + watches[i].width > watch_hi)
			watch_hi = watches[i].addr + watches[i].width;
	}
}

void uprb_k_tsan_watch(void *addr, unsigned width, unsigned read_id,
		       unsigned write_id)
{
	if (nwatch == MAX_WATCH)
		uprb_k_die("tsan_rt: more than %d watched fields (rings open at once)",
			   MAX_WATCH);
	watches[nwatch++] = (struct watch){ (uintptr_t)addr, width, read_id,
					    write_id };
	bounds();
}

void uprb_k_tsan_unwatch(void *addr)
{
	uprb_k_tsan_flush();
	for (unsigned i = 0; i < nwatch; i++) {
		if (watches[i].addr == (uintptr_t)addr) {
			watches[i] = watches[--nwatch];
			break;
		}
	}
	bounds();
}

void uprb_k_tsan_guard(const void *lo, size_t len)
{
	if (nguard == MAX_GUARD)
		uprb_k_die("tsan_rt: more than %d guarded rings", MAX_GUARD);
	guards[nguard].lo = (uintptr_t)lo;
	guards[nguard].hi = (uintptr_t)lo + len;
	nguard++;
}

void uprb_k_tsan_unguard(const void *lo)
{
	for (unsigned i = 0; i < nguard; i++) {
		if (guards[i].lo == (uintptr_t)lo) {
			guards[i] = guards[--nguard];
			return;
		}
	}
}

static uint64_t load_n(uintptr_t a, unsigned n)
{
	uint64_t v = 0;

	memcpy(&v, (const void *)a, n);
	return v;
}

static uint64_t dispatch(unsigned id, enum uprb_op op, uintptr_t addr,
			 unsigned width, uint64_t v)
{
	const struct uprb_k_site *s = &uprb_k_sites[id];
	struct uprb_sim_access a = {
		.site = (enum uprb_site)s->site,
		.op = op,
		.order = s->order == UPRB_K_ORDER_OWN ? UPRB_ORDER_ONCE :
						      (enum uprb_order)s->order,
		.width = width,
		.addr = (void *)addr,
		.val = v,
		.loc = s->loc,
	};

	return uprb_sim_dispatch(&a);
}

void uprb_k_tsan_flush_slow(void)
{
	uintptr_t a = (uintptr_t)uprb_k_tsan_pending;
	uint64_t v;

	uprb_k_tsan_pending = NULL;
	v = load_n(a, pend_width);
	memcpy((void *)a, &pend_old, pend_width);
	dispatch(pend_id, UPRB_OP_STORE, a, pend_width, v);
}

__attribute__((noinline, noreturn)) static void
unlabelled(const struct watch *w, bool write, void *pc)
{
	char buf[256];

	where(pc, buf, sizeof(buf));
	uprb_k_die("plain %s of a watched ring field (%#lx) with no 'plain %s' "
		   "rule in kernel/tools/site_rules.txt, at %s",
		   write ? "store" : "load", (unsigned long)w->addr,
		   write ? "write" : "read", buf);
}

__attribute__((noinline)) static void
watched(uintptr_t a, unsigned n, bool write, void *pc)
{
	for (unsigned i = 0; i < nwatch; i++) {
		const struct watch *w = &watches[i];

		if (a + n <= w->addr || a >= w->addr + w->width)
			continue;
		if (a != w->addr || n != w->width) {
			char buf[256];

			where(pc, buf, sizeof(buf));
			uprb_k_die("a %u-byte plain access at %#lx overlaps a watched "
				   "%u-byte ring field at %#lx, at %s", n,
				   (unsigned long)a, w->width,
				   (unsigned long)w->addr, buf);
		}
		if (!write) {
			if (!w->read_id)
				unlabelled(w, false, pc);
			dispatch(w->read_id, UPRB_OP_LOAD, a, n, 0);
		} else {
			if (!w->write_id)
				unlabelled(w, true, pc);
			uprb_k_tsan_pending = (void *)a;
			pend_width = n;
			pend_id = w->write_id;
			pend_old = load_n(a, n);
		}
		return;
	}
}

#ifdef UPRB_K_ASAN
/*
 * ASan's own inline test, for the common case: an access inside one 8-byte
 * granule whose shadow byte is 0 is addressable. Everything else goes to
 * __asan_region_is_poisoned(), which costs ten times more per call (it
 * was a quarter of a kernel-backend run's time). Not instrumented itself:
 * ASan would check the shadow byte's own shadow, which is in its gap.
 */
__attribute__((no_sanitize_address)) static inline bool
asan_granule_clean(uintptr_t a, unsigned n)
{
#if defined(__x86_64__) && defined(__linux__)
	/* x86-64 Linux: shadow = (addr >> 3) + 0x7fff8000 (ASan's mapping). */
	return (a & 7) + n <= 8 &&
	       *(const volatile signed char *)((a >> 3) + 0x7fff8000ul) == 0;
#else
	(void)a;
	(void)n;
	return false;
#endif
}
#endif

__attribute__((noinline, noreturn)) static void
unguarded(uintptr_t a, unsigned n, bool write, void *pc)
{
	char buf[256];

	where(pc, buf, sizeof(buf));
	uprb_k_die("plain %u-byte %s at %#lx inside the ring's shared memory: "
		   "a shared access not made through the seam (no shim macro, no "
		   "plain rule), at %s", n, write ? "store" : "load",
		   (unsigned long)a, buf);
}

static inline __attribute__((always_inline)) void
access(void *addr, unsigned n, bool write, void *pc)
{
	uintptr_t a = (uintptr_t)addr;

	uprb_k_tsan_flush();
	if (a < watch_hi && a + n > watch_lo) {
		watched(a, n, write, pc);
		return;
	}
	for (unsigned i = 0; i < nguard; i++)
		if (a < guards[i].hi && a + n > guards[i].lo)
			unguarded(a, n, write, pc);
#ifdef UPRB_K_ASAN
	if (!asan_granule_clean(a, n) && __asan_region_is_poisoned(addr, n))
		__asan_report_error(pc, __builtin_frame_address(0),
				    __builtin_frame_address(0), addr, write, n);
#endif
}

#define PC() __builtin_return_address(0)
#define HOOKS(n)                                                               \
	void __tsan_read##n(void *a) { access(a, n, false, PC()); }            \
	void __tsan_write##n(void *a) { access(a, n, true, PC()); }            \
	void __tsan_unaligned_read##n(void *a) { access(a, n, false, PC()); }  \
	void __tsan_unaligned_write##n(void *a) { access(a, n, true, PC()); }  \
	void __tsan_volatile_read##n(void *a) { access(a, n, false, PC()); }   \
	void __tsan_volatile_write##n(void *a) { access(a, n, true, PC()); }   \
	void __tsan_unaligned_volatile_read##n(void *a)                        \
	{                                                                      \
		access(a, n, false, PC());                                     \
	}                                                                      \
	void __tsan_unaligned_volatile_write##n(void *a)                       \
	{                                                                      \
		access(a, n, true, PC());                                      \
	}

/* Declared here for -Wmissing-prototypes; the compilers call them. */
#define PROTOS(n)                                                              \
	void __tsan_read##n(void *a);                                          \
	void __tsan_write##n(void *a);                                         \
	void __tsan_unaligned_read##n(void *a);                                \
	void __tsan_unaligned_write##n(void *a);                               \
	void __tsan_volatile_read##n(void *a);                                 \
	void __tsan_volatile_write##n(void *a);                                \
	void __tsan_unaligned_volatile_read##n(void *a);                       \
	void __tsan_unaligned_volatile_write##n(void *a);
PROTOS(1) PROTOS(2) PROTOS(4) PROTOS(8) PROTOS(16)
HOOKS(1) HOOKS(2) HOOKS(4) HOOKS(8) HOOKS(16)

/*
 * Atomic builtins of the instrumented files: not the tree's accesses (the
 * shim routes those to the seam) but the compilers' own, e.g. clang's
 * coverage counters, which are atomic under -fsanitize=thread. Performed
 * as asked; one that lands in ring memory is a shared access the seam
 * did not see.
 */
#define ATOMICS(bits, type)                                                    \
	type __tsan_atomic##bits##_load(const volatile void *a, int mo);       \
	void __tsan_atomic##bits##_store(volatile void *a, type v, int mo);    \
	type __tsan_atomic##bits##_exchange(volatile void *a, type v, int mo); \
	type __tsan_atomic##bits##_fetch_add(volatile void *a, type v, int mo);\
	type __tsan_atomic##bits##_fetch_sub(volatile void *a, type v, int mo);\
	type __tsan_atomic##bits##_compare_exchange_val(volatile void *a,     \
		type c, type v, int mo, int fmo);                              \
	type __tsan_atomic##bits##_load(const volatile void *a, int mo)        \
	{                                                                      \
		(void)mo;                                                      \
		access((void *)a, sizeof(type), false, PC());                  \
		return __atomic_load_n((const volatile type *)a,               \
				       __ATOMIC_SEQ_CST);                      \
	}                                                                      \
	void __tsan_atomic##bits##_store(volatile void *a, type v, int mo)     \
	{                                                                      \
		(void)mo;                                                      \
		access((void *)a, sizeof(type), true, PC());                   \
		__atomic_store_n((volatile type *)a, v, __ATOMIC_SEQ_CST);     \
	}                                                                      \
	type __tsan_atomic##bits##_exchange(volatile void *a, type v, int mo)  \
	{                                                                      \
		(void)mo;                                                      \
		access((void *)a, sizeof(type), true, PC());                   \
		return __atomic_exchange_n((volatile type *)a, v,              \
					   __ATOMIC_SEQ_CST);                  \
	}                                                                      \
	type __tsan_atomic##bits##_fetch_add(volatile void *a, type v, int mo) \
	{                                                                      \
		(void)mo;                                                      \
		access((void *)a, sizeof(type), true, PC());                   \
		return __atomic_fetch_add((volatile type *)a, v,               \
					  __ATOMIC_SEQ_CST);                   \
	}                                                                      \
	type __tsan_atomic##bits##_fetch_sub(volatile void *a, type v, int mo) \
	{                                                                      \
		(void)mo;                                                      \
		access((void *)a, sizeof(type), true, PC());                   \
		return __atomic_fetch_sub((volatile type *)a, v,               \
					  __ATOMIC_SEQ_CST);                   \
	}                                                                      \
	type __tsan_atomic##bits##_compare_exchange_val(volatile void *a,     \
		type c, type v, int mo, int fmo)                               \
	{                                                                      \
		(void)mo, (void)fmo;                                           \
		access((void *)a, sizeof(type), true, PC());                   \
		__atomic_compare_exchange_n((volatile type *)a, &c, v, false,  \
					    __ATOMIC_SEQ_CST,                  \
					    __ATOMIC_SEQ_CST);                 \
		return c;                                                      \
	}
ATOMICS(8, uint8_t)
ATOMICS(16, uint16_t)
ATOMICS(32, uint32_t)
ATOMICS(64, uint64_t)

/* Types as gcc's builtins declare them (clang calls func_exit with none). */
void __tsan_read_range(void *a, long n);
void __tsan_write_range(void *a, long n);
void __tsan_init(void);
void __tsan_func_entry(void *pc);
void __tsan_func_exit(void *unused);

void __tsan_read_range(void *a, long n)
{
	access(a, (unsigned)n, false, PC());
}

void __tsan_write_range(void *a, long n)
{
	access(a, (unsigned)n, true, PC());
}

void __tsan_init(void)
{
}

void __tsan_func_entry(void *pc)
{
	(void)pc;
}

void __tsan_func_exit(void *unused)
{
	(void)unused;
	uprb_k_tsan_flush();
}
