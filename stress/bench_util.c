/* SPDX-License-Identifier: MIT */
/*
 * bench_util.c - helpers shared by the benchmarks; see bench_util.h.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) * 1e-9;
}

bool bench_pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

void bench_pick_cpus(int *wcpu, int *rcpu, bool *share)
{
	cpu_set_t set;
	int first = -1, n = 0;

	*wcpu = 0;
	*rcpu = 1;
	*share = false;
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		printf("note: cannot read the CPU affinity; pinning to CPUs 0 and 1 anyway\n");
		return;
	}
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (CPU_ISSET(i, &set)) {
			if (first < 0)
				first = i;
			n++;
		}
	}
	if (CPU_ISSET(0, &set) && CPU_ISSET(1, &set))
		return;
	if (n >= 2) {
		/* Two CPUs, just not 0 and 1: the first two we may use. */
		int second = -1;

		for (int i = first + 1; i < CPU_SETSIZE && second < 0; i++)
			if (CPU_ISSET(i, &set))
				second = i;
		*wcpu = first;
		*rcpu = second;
		printf("note: CPUs 0/1 not both available; writer on CPU %d, reader on CPU %d\n",
		       first, second);
		return;
	}
	*wcpu = *rcpu = first < 0 ? 0 : first;
	*share = true;
	printf("note: only one CPU available: writer and reader share CPU %d; the figures measure time-sharing, not cross-CPU transfer\n",
	       *wcpu);
}

uint64_t bench_xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x ? x : 0x9e3779b97f4a7c15ull;
}

uint64_t bench_clock_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^
	       (uint64_t)getpid() << 32;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(const double *v, unsigned int n)
{
	double tmp[BENCH_MAX_ROUNDS];

	if (!n)
		return 0;
	if (n > BENCH_MAX_ROUNDS)
		n = BENCH_MAX_ROUNDS;
	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

bool bench_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && end != s && !*end && s[0] != '-';
}

double bench_memcpy_run(unsigned char *dst, const unsigned char *src,
			uint64_t total, size_t chunk)
{
	double t0 = bench_now();

	for (uint64_t done = 0; done < total;) {
		size_t n = total - done < chunk ? (size_t)(total - done) : chunk;

		memcpy(dst, src, n);
		/* dst escapes: the copy cannot be elided or merged. */
		__asm__ __volatile__("" : : "r"(dst) : "memory");
		done += n;
	}
	return bench_now() - t0;
}

struct bounce {
	_Alignas(64) atomic_uint_fast64_t ping;  /* the caller's line */
	_Alignas(64) atomic_uint_fast64_t pong;  /* the peer's line */
	_Alignas(64) uint64_t trips;
	int cpu;
	bool pinned;
};

static void *bounce_peer(void *arg)
{
	struct bounce *b = arg;

	b->pinned = bench_pin_self(b->cpu);
	/* Answers each ping (acquire) with the same count (release). */
	for (uint64_t i = 1; i <= b->trips; i++) {
		while (atomic_load_explicit(&b->ping, memory_order_acquire) != i)
			;
		atomic_store_explicit(&b->pong, i, memory_order_release);
	}
	return NULL;
}

double bench_line_round_trip_ns(int peer, uint64_t trips)
{
	struct bounce *b = aligned_alloc(64, sizeof(*b));
	struct timespec t0, t1;
	pthread_t t;
	int err;

	if (!b)
		return -ENOMEM;
	memset(b, 0, sizeof(*b));
	b->trips = trips;
	b->cpu = peer;
	err = pthread_create(&t, NULL, bounce_peer, b);
	if (err) {
		free(b);
		return -err;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t i = 1; i <= trips; i++) {
		atomic_store_explicit(&b->ping, i, memory_order_release);
		while (atomic_load_explicit(&b->pong, memory_order_acquire) != i)
			;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(t, NULL);
	err = b->pinned ? 0 : -EINVAL;
	free(b);
	if (err)
		return err;
	return bench_ts_diff(&t0, &t1) * 1e9 / (double)(trips ? trips : 1);
}
