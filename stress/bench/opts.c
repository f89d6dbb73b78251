/* SPDX-License-Identifier: MIT */
/*
 * opts.c - the command line of uprb-bench: one table from which the parser,
 * --help and the replay line are made (stress/common/opt.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bench_opts.h"
#include "mem.h"
#include "parse.h"
#include "result.h"
#include "rng.h"

/* --sizes: powers of two 16..4096, at most BENCH_MAX_SIZES of them. */
static bool parse_sizes(const char *arg, void *dst, char *why, size_t len)
{
	struct bench_sizes *s = dst, out = { .n = 0 };
	char buf[256], *items[BENCH_MAX_SIZES];
	int n = sp_split(arg, buf, sizeof(buf), items, BENCH_MAX_SIZES, why, len);

	if (n < 0)
		return false;
	for (int i = 0; i < n; i++) {
		uint64_t v;

		if (!sp_uint(items[i], false, &v, why, len))
			return false;
		if (v < 16 || v > 4096 || (v & (v - 1))) {
			snprintf(why, len, "size %" PRIu64 ": not a power of two in 16..4096", v);
			return false;
		}
		for (unsigned int j = 0; j < out.n; j++)
			if (out.v[j] == v) {
				snprintf(why, len, "size %" PRIu64 " is named twice", v);
				return false;
			}
		out.v[out.n++] = (unsigned int)v;
	}
	*s = out;
	return true;
}

static const struct sopt_rule rules[] = {
	{ SOPT_EXCLUDES, "records", "seconds-per-cell",
	  "--records fixes the records per run, --seconds-per-cell calibrates them" },
};

static struct sopt table[12];

void bench_prog_init(struct sopt_prog *p, struct bench_opts *o)
{
	const struct sopt t[] = {
		{ .name = "sizes", .kind = SOPT_TEXT, .dst = &o->sizes,
		  .meta = "LIST", .check = parse_sizes, .def = "16,32,64,256,1024",
		  .help = "record sizes, powers of two 16..4096" },
		{ .name = "rounds", .kind = SOPT_UINT, .dst = &o->rounds,
		  .meta = "N", .min = 1, .max = BENCH_MAX_ROUNDS,
		  .help = "rounds; medians are reported" },
		{ .name = "records", .kind = SOPT_U64, .dst = &o->records,
		  .meta = "N", .min = 1, .max = 1ull << 30, .def = "calibrated",
		  .help = "records per ring run" },
		{ .name = "seconds-per-cell", .kind = SOPT_SECONDS,
		  .dst = &o->seconds, .meta = "T", .rmin = 0.001, .rmax = 600,
		  .help = "calibrate --records so that a core run takes about T" },
		{ .name = "ring-bytes", .kind = SOPT_BYTES, .dst = &o->ring_bytes,
		  .meta = "B", .min = 8192, .max = 1u << 30, .flags = SOPT_POW2,
		  .help = "ring data bytes; ck_ring gets the same bytes" },
		{ .name = "seed", .kind = SOPT_U64, .dst = &o->seed, .meta = "N",
		  .max = UINT64_MAX, .def = "from the clock, printed",
		  .help = "seed of the run order" },
		{ .name = "verify-every", .kind = SOPT_U64, .dst = &o->verify_every,
		  .meta = "N", .min = 1, .max = 1ull << 32,
		  .help = "verify every N-th record read" },
		{ .name = "reader-idle", .kind = SOPT_UINT, .dst = &o->reader_idle,
		  .meta = "N", .min = 1, .max = MAX_READER_IDLE,
		  .help = "pauses between polls of an empty ring, both readers "
			  "(the default: batched reads; 1: the reader follows the "
			  "writer record by record)" },
		{ .name = "signals", .kind = SOPT_U64, .dst = &o->signals,
		  .meta = "N", .max = 10000000,
		  .help = "signals per mode and round in the nested write test, "
			  "0 to skip it" },
		{ .name = "no-ck", .kind = SOPT_FLAG, .dst = &o->no_ck,
		  .help = "leave ck_ring out (ThreadSanitizer builds: ck's barriers "
			  "are invisible to TSan)" },
		{ .name = "json", .kind = SOPT_PATH, .dst = &o->json, .meta = "FILE",
		  .flags = SOPT_NO_REPLAY, .help = "also write the results as JSON "
		  "(opened before the runs)" },
		{ .name = "verbose", .short_name = 'v', .kind = SOPT_FLAG,
		  .dst = &o->verbose, .help = "print every run" },
	};

	_Static_assert(sizeof(t) == sizeof(table), "the table's size");
	*o = (struct bench_opts){
		.rounds = 7,
		.seconds = 0.2,
		.sizes = { .v = { 16, 32, 64, 256, 1024 }, .n = 5 },
		.ring_bytes = DEFAULT_RING_BYTES,
		.verify_every = 4096,
		.reader_idle = DEFAULT_READER_IDLE,
		.signals = 20000,
	};
	memcpy(table, t, sizeof(t));
	*p = (struct sopt_prog){
		.name = BENCH_NAME,
		.synopsis = "[options]",
		.about = "  The native core against ck_ring's SPSC ring and a memcpy bound, in one run,\n"
			 "  as ratios; then both rings on one CPU, then a write from a signal handler.\n",
		.epilogue = "exit status: 0 ok; 1 a record arrived damaged, out of order or not at\n"
			    "all, or loss was not conserved; 2 bad usage, or the run could not do\n"
			    "what was asked (a ring not set up, --json not written); 128+N stopped\n"
			    "by signal N (SIGINT, SIGTERM: the completed rounds' tables and the\n"
			    "replay line first; a second signal aborts).\n",
		.opts = table,
		.nopts = sizeof(t) / sizeof(t[0]),
		.rules = rules,
		.nrules = sizeof(rules) / sizeof(rules[0]),
		.out = stdout,
		.err = stderr,
	};
}

int bench_parse_opts(struct sopt_prog *p, struct bench_opts *o, int argc,
		     char **argv)
{
	char seed[24], why[96], b[32];
	int rc = sopt_parse(p, argc, argv);

	if (rc)
		return rc;
	/* ck_ring needs two slots; the core a record and a LOST. */
	for (unsigned int i = 0; i < o->sizes.n; i++)
		if ((uint64_t)o->sizes.v[i] * 4 > o->ring_bytes)
			return sopt_fail(p, "sizes", "size %u: more than a quarter of the %" PRIu64 "-byte ring (--ring-bytes)",
					 o->sizes.v[i], o->ring_bytes);
	/* The core's ring, ck's buffer, memcpy's source and destination. */
	snprintf(why, sizeof(why), "four buffers of %s",
		 sp_fmt_bytes(o->ring_bytes, b, sizeof(b)));
	rc = stress_mem_check(p, "ring-bytes", 4 * o->ring_bytes, why);
	if (rc)
		return rc;
	if (!sopt_given(p, "seed")) {
		o->seed = stress_clock_seed();
		snprintf(seed, sizeof(seed), "%" PRIu64, o->seed);
		sopt_set_made(p, "seed", seed);
	}
	return 0;
}
