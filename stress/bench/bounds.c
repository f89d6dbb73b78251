/* SPDX-License-Identifier: MIT */
/*
 * bounds.c - what the rings are measured against: a memcpy of the same
 * bytes (the bandwidth bound), and the cache-line round trip between the
 * two CPUs (the floor of a record-by-record hand-off; on a VM, the figure
 * that moves when the host moves the vCPUs).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "clock.h"
#include "cpus.h"

/* Round trips of one cache-line hand-off measurement (~10 ms here). */
#define ROUND_TRIPS 20000u

double bench_memcpy_run(unsigned char *dst, const unsigned char *src,
			uint64_t total, size_t chunk)
{
	double t0 = stress_now();

	for (uint64_t done = 0; done < total;) {
		size_t n = total - done < chunk ? (size_t)(total - done) : chunk;

		memcpy(dst, src, n);
		/* dst escapes: the copy cannot be elided or merged. */
		__asm__ __volatile__("" : : "r"(dst) : "memory");
		done += n;
	}
	return stress_now() - t0;
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

	b->pinned = stress_pin_self(b->cpu);
	/* Answers each ping (acquire) with the same count (release). */
	for (uint64_t i = 1; i <= b->trips; i++) {
		while (atomic_load_explicit(&b->ping, memory_order_acquire) != i)
			;
		atomic_store_explicit(&b->pong, i, memory_order_release);
	}
	return NULL;
}

/*
 * A thread pinned to @peer and the caller (already pinned where it runs)
 * bounce a counter on two cache lines @trips times. Return: ns per round
 * trip, -EINVAL when the thread could not be pinned to @peer, or -errno.
 */
static double line_round_trip_ns(int peer, uint64_t trips)
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
	return stress_ts_diff(&t0, &t1) * 1e9 / (double)(trips ? trips : 1);
}

/*
 * Measure and print the cache-line round trip between the two CPUs.
 * Return: ns, or 0 when it failed (said why).
 */
double bench_line_round_trip(int wcpu, int rcpu, const char *when)
{
	double ns = line_round_trip_ns(rcpu, ROUND_TRIPS);

	if (ns < 0) {
		printf("  note: cache-line round trip CPU %d <-> CPU %d (%s): not measured: %s\n",
		       wcpu, rcpu, when, ns == -EINVAL ?
		       "cannot pin a thread there" : strerror((int)-ns));
		return 0;
	}
	printf("  cache-line round trip CPU %d <-> CPU %d (%s): %.0f ns\n",
	       wcpu, rcpu, when, ns);
	return ns;
}
