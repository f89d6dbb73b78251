/* SPDX-License-Identifier: MIT */
/* rng.c - see rng.h. */
#include <time.h>
#include <unistd.h>

#include "rng.h"

uint64_t stress_clock_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^
	       (uint64_t)getpid() << 32;
}

uint64_t stress_splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t stress_rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

double stress_rng_unit(uint64_t *s)
{
	return (double)(stress_rng_next(s) >> 11) * 0x1p-53;
}

uint64_t stress_xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x ? x : 0x9e3779b97f4a7c15ull;
}
