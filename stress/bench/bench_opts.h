/* SPDX-License-Identifier: MIT */
/*
 * bench_opts.h - uprb-bench's options (opts.c): what the command line
 * gives the program, without the rings (no Concurrency Kit here), so that
 * the option fuzz target needs nothing but this.
 */
#ifndef BENCH_OPTS_H
#define BENCH_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "opt.h"

#define BENCH_NAME "uprb-bench"
#define PAGE_SIZE_BYTES 4096u
#define DEFAULT_RING_BYTES (256u * 1024u)
#define BENCH_MAX_SIZES 9
/* Most rounds a run keeps figures for. */
#define BENCH_MAX_ROUNDS 101
/* Pauses between two polls of an empty ring (--reader-idle); ~18 ns each here. */
#define DEFAULT_READER_IDLE 256u
#define MAX_READER_IDLE 65536u

struct bench_sizes {
	unsigned int v[BENCH_MAX_SIZES];
	unsigned int n;
};

struct bench_opts {
	unsigned int rounds;
	uint64_t records;          /* per ring run; 0: calibrate */
	double seconds;            /* calibration target per ring run */
	struct bench_sizes sizes;
	uint64_t ring_bytes;
	uint64_t seed;
	uint64_t verify_every;
	unsigned int reader_idle;  /* pauses per poll of an empty ring */
	uint64_t signals;          /* per mode and round; 0: skip the test */
	bool no_ck;
	const char *json;
	bool verbose;
};

/* opts.c */
void bench_prog_init(struct sopt_prog *p, struct bench_opts *o);
int bench_parse_opts(struct sopt_prog *p, struct bench_opts *o, int argc,
		     char **argv);

#endif /* BENCH_OPTS_H */
