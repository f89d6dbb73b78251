/* SPDX-License-Identifier: MIT */
/*
 * bench_util.h - helpers of uprb-bench: clocks, CPU pinning, spinning, the
 * memcpy bound, the seeded order and medians. Nothing here touches a ring.
 */
#ifndef UPRB_BENCH_UTIL_H
#define UPRB_BENCH_UTIL_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Most rounds a benchmark keeps figures for (median() copies on the stack). */
#define BENCH_MAX_ROUNDS 101

/*
 * A forward reader gives space back every 16 KiB rather than per record: a
 * data_tail store per record would bounce the control page's cache line
 * (data_head and data_tail share one, docs/ring.md#12-the-control-page)
 * at every write.
 */
#define BENCH_CONSUME_BYTES (16u * 1024u)

/* CLOCK_MONOTONIC in seconds. */
double bench_now(void);
/* @b - @a in seconds. */
double bench_ts_diff(const struct timespec *a, const struct timespec *b);

/*
 * One step of a spin-wait. On a shared CPU a spinning thread would starve
 * the other one, so it yields there; otherwise it is a pause instruction.
 */
static inline void bench_relax(bool share_cpu)
{
	if (share_cpu) {
		sched_yield();
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* Pin the calling thread to @cpu. Return: true on success. */
bool bench_pin_self(int cpu);

/*
 * Pick the writer's and the reader's CPU: 0 and 1 when this process may
 * run on both, else the first two it may use, else one shared CPU. Every
 * fallback is said on stdout.
 */
void bench_pick_cpus(int *wcpu, int *rcpu, bool *share);

/* xorshift64 step; never returns 0 and never sticks at 0. */
uint64_t bench_xorshift64(uint64_t *s);
/* A seed from the clock and the pid, for runs without --seed. */
uint64_t bench_clock_seed(void);

/* Median of @n (1..BENCH_MAX_ROUNDS) values; @v is not reordered. */
double bench_median(const double *v, unsigned int n);

/* Parse a non-negative integer (decimal, 0x..., 0...). Return: true if valid. */
bool bench_parse_u64(const char *s, uint64_t *v);

/*
 * The bandwidth bound: memcpy @total bytes from @src to @dst, @chunk bytes
 * (the size of both buffers) at a time, on the calling thread.
 * Return: seconds taken.
 */
double bench_memcpy_run(unsigned char *dst, const unsigned char *src,
			uint64_t total, size_t chunk);

/*
 * The hand-off cost between two CPUs: a thread pinned to @peer and the
 * caller (already pinned where it runs) bounce a counter on two cache
 * lines @trips times. Return: ns per round trip, -EINVAL when the thread
 * could not be pinned to @peer, or another -errno.
 */
double bench_line_round_trip_ns(int peer, uint64_t trips);

#endif /* UPRB_BENCH_UTIL_H */
