/* SPDX-License-Identifier: MIT */
/* clock.h - CLOCK_MONOTONIC in the forms the stress programs use. */
#ifndef STRESS_CLOCK_H
#define STRESS_CLOCK_H

#include <stdint.h>
#include <time.h>

uint64_t stress_mono_ns(void);
/* Seconds, as a double (timing loops, rates). */
double stress_now(void);
/* @b - @a in seconds. */
double stress_ts_diff(const struct timespec *a, const struct timespec *b);
struct timespec stress_ns_to_ts(uint64_t ns);
/* Sleep @ns; a signal does not cut it short. */
void stress_sleep_ns(uint64_t ns);

#endif /* STRESS_CLOCK_H */
