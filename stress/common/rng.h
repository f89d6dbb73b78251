/* SPDX-License-Identifier: MIT */
/*
 * rng.h - the stress programs' randomness: every stream is derived from
 * the run's seed (printed, and in the replay line), so a run replays.
 */
#ifndef STRESS_RNG_H
#define STRESS_RNG_H

#include <stdint.h>

/* A seed for runs without --seed: the clock and the pid. */
uint64_t stress_clock_seed(void);

/* splitmix64: seed derivation (one value in, a well-mixed one out). */
uint64_t stress_splitmix64(uint64_t x);

/* xorshift64*: one word of state, signal-safe; @s must not be 0. */
uint64_t stress_rng_next(uint64_t *s);

/* Uniform in [0, 1), from stress_rng_next(). */
double stress_rng_unit(uint64_t *s);

/* Plain xorshift64 (uprb-bench's run order); never sticks at 0. */
uint64_t stress_xorshift64(uint64_t *s);

#endif /* STRESS_RNG_H */
