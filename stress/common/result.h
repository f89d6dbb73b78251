/* SPDX-License-Identifier: MIT */
/*
 * result.h - how a stress program ends: its last line and its exit status,
 * the same for every program (stress/README.md, "Exit statuses").
 */
#ifndef STRESS_RESULT_H
#define STRESS_RESULT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum {
	STRESS_EXIT_OK = 0,       /* did what was asked; every check passed */
	STRESS_EXIT_FAILED = 1,   /* a check failed (the finding is printed) */
	STRESS_EXIT_USAGE = 2,    /* bad usage or input, or the run could not
				   * do what was asked (an output not written,
				   * the command did not start, nothing ran) */
	STRESS_EXIT_SKIP = 77,    /* cannot run on this machine (why printed) */
	STRESS_EXIT_SIGNAL = 128, /* + N: stopped by signal N, nothing failed */
};

/* What a run amounts to, for stress_result(). */
struct stress_end {
	uint64_t failures;        /* checks that failed */
	const char *first;        /* the first of them */
	const char *unfinished;   /* why the run did not do what was asked */
	int signal;               /* the signal that stopped it early, or 0 */
	double secs, planned;     /* how long it ran, and was to run (0: n/a) */
	uint64_t seed;
	bool seeded;              /* print the seed */
};

/*
 * Print "result: ok|FAIL|INCOMPLETE|interrupted (...)" and return the exit
 * status: failures first (1), then an unfinished run (2), then a signal
 * (128 + N), else 0.
 */
int stress_result(FILE *f, const struct stress_end *e);

/* "SIGINT", "SIGTERM", or "signal N". */
const char *stress_signal_name(int sig);

#endif /* STRESS_RESULT_H */
