/* SPDX-License-Identifier: MIT */
/*
 * bench_smoke.c - uprb-bench-smoke: throughput of the native ring with a
 * writer and a reader on separate CPUs, beside a memcpy bound, in one run.
 *
 * One cell is (record size, reader mode). Each round runs every cell: a
 * fresh 256 KiB non-overwrite ring (64 pages of 4096 B), a writer thread on
 * CPU 0 writing synthetic records with uprb_synth_write() as fast as it can
 * (a full ring drops, exactly as the kernel's does, and the drop is
 * reported later in a PERF_RECORD_LOST), and a reader thread on CPU 1
 * draining with the libperf-shaped reader. The "check" reader runs every
 * record through uprb_check_record() (ascending sequence, every payload
 * byte); the "nocheck" reader only counts. Right beside each ring run, a
 * single-threaded memcpy moves the same number of bytes in 256 KiB chunks,
 * so the ratio of the two bandwidths is measured under the same machine
 * conditions. This VM has about one slow run in five (MEASURED.md), so the
 * table reports medians over rounds and the ratio is taken per round.
 *
 * Every run must conserve records: attempted = delivered + sum of LOST
 * counts + drops still pending in rb->lost. A check failure or a
 * conservation failure makes the exit status non-zero.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "uprb/uprb.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"

#define RING_PAGE_SIZE 4096u
#define RING_PAGES 64u
#define RING_BYTES ((size_t)RING_PAGE_SIZE * RING_PAGES)
#define MEMCPY_CHUNK RING_BYTES
#define SOURCE_ID 1u

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

struct opts {
	uint64_t records;
	unsigned int rounds;
	unsigned int sizes[2];
	unsigned int nsizes;
	bool with_check;
	bool without_check;
	double seconds;
	uint64_t seed;
	bool verbose;
};

/* One ring run. */
struct run {
	/* in */
	unsigned int size;
	bool check;
	uint64_t records;
	double seconds;
	int wcpu, rcpu;
	bool share_cpu;
	/*
	 * Shared between the threads. The writer's source and the reader's
	 * counters sit on separate cache lines: the "nocheck" reader bumps
	 * delivered per record, which must not bounce the line the writer
	 * reads its source from.
	 */
	struct uprb_ring *rb;
	_Alignas(64) struct uprb_source src;
	atomic_int ready;
	atomic_int go;
	atomic_int done;       /* writer finished; attempted is final */
	uint64_t attempted;    /* written before done (release) */
	struct timespec t0, t1;
	/* out (reader) */
	_Alignas(64) uint64_t delivered;
	uint64_t lost_sum, lost_records;
	uint64_t failures;
	int read_err;
	bool conserved;
	char first[256];
	bool pin_failed;
};

static void wait_go(struct run *r)
{
	atomic_fetch_add_explicit(&r->ready, 1, memory_order_acq_rel);
	while (!atomic_load_explicit(&r->go, memory_order_acquire))
		bench_relax(r->share_cpu);
}

static void *writer_main(void *arg)
{
	struct run *r = arg;
	double limit = 0;
	uint64_t i;

	if (!bench_pin_self(r->wcpu))
		r->pin_failed = true;
	wait_go(r);
	if (r->seconds > 0)
		limit = bench_now() + r->seconds;
	for (i = 0; i < r->records; i++) {
		/* -ENOSPC is a counted drop, as in the kernel: go on. */
		uprb_synth_write(r->rb, &r->src, r->size, 0, UPRB_LEVEL_TASK,
				 0, (uint32_t)i);
		if (limit > 0 && (i & 1023) == 1023 && bench_now() > limit) {
			i++;
			break;
		}
	}
	r->attempted = i;
	/* Orders attempted and the last data_head store before done. */
	atomic_store_explicit(&r->done, 1, memory_order_release);
	return NULL;
}

/* The "nocheck" reader: only what conservation needs. */
static void count_record(struct run *r, const struct perf_event_header *ev)
{
	uint64_t lost;

	if (ev->type == UPRB_RECORD_SYNTH) {
		r->delivered++;
	} else if (ev->type == PERF_RECORD_LOST && ev->size >= 24) {
		memcpy(&lost, (const unsigned char *)ev + 16, sizeof(lost));
		r->lost_sum += lost;
		r->lost_records++;
	} else {
		r->failures++;
		if (!r->first[0])
			snprintf(r->first, sizeof(r->first),
				 "unexpected record type %u size %u",
				 ev->type, ev->size);
	}
}

static void *reader_main(void *arg)
{
	struct uprb_reader_opts ro = { .sz = sizeof(ro) };
	struct uprb_check_opts co = {
		.sz = sizeof(co),
		.nsources = 1,
		.order = UPRB_CHECK_ORDER_ASCENDING,
	};
	static const uint64_t lost_ids[] = { SOURCE_ID };
	const struct perf_event_header *ev;
	struct uprb_reader rd;
	struct uprb_check c;
	struct run *r = arg;
	uint32_t since = 0;
	int rc;

	co.lost_ids = lost_ids;
	co.nlost_ids = 1;
	if (!bench_pin_self(r->rcpu))
		r->pin_failed = true;
	rc = uprb_reader_init(&rd, uprb_ring_base(r->rb),
			      uprb_ring_len(r->rb), &ro);
	if (!rc && r->check) {
		rc = uprb_check_init(&c, &co);
		if (rc)
			uprb_reader_fini(&rd);
	}
	if (rc) {
		r->read_err = rc;
		/* Still release the writer and main, then report. */
		wait_go(r);
		clock_gettime(CLOCK_MONOTONIC, &r->t1);
		return NULL;
	}
	wait_go(r);

	for (;;) {
		/*
		 * done before data_head: if the writer had finished before
		 * this load, the head read below covers all its records.
		 */
		bool fin = atomic_load_explicit(&r->done, memory_order_acquire);

		rc = uprb_read_init(&rd);
		if (rc == -EAGAIN) {
			if (fin)
				break;
			bench_relax(r->share_cpu);
			continue;
		}
		if (rc)
			break;
		while ((rc = uprb_read_event(&rd, &ev)) == 1) {
			if (r->check)
				uprb_check_record(&c, ev, rd.start - ev->size);
			else
				count_record(r, ev);
			since += ev->size;
			if (since >= BENCH_CONSUME_BYTES) {
				uprb_consume(&rd);
				since = 0;
			}
		}
		uprb_consume(&rd);
		since = 0;
		uprb_read_done(&rd);
		if (rc)
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &r->t1);
	if (rc && rc != -EAGAIN)
		r->read_err = rc;

	/* The writer is done: rb->lost is quiescent (pending drops). */
	if (r->check) {
		r->delivered = uprb_check_delivered(&c);
		r->lost_sum = c.lost_sum;
		r->lost_records = c.lost_records;
		r->failures = c.failures;
		if (c.failures)
			snprintf(r->first, sizeof(r->first), "%s", c.first);
		r->conserved = uprb_check_conservation(&c, r->attempted,
						       r->rb->lost) == 0;
		if (!r->conserved && !r->first[0])
			snprintf(r->first, sizeof(r->first), "%s", c.what);
		uprb_check_fini(&c);
	} else {
		r->conserved = r->attempted ==
			       r->delivered + r->lost_sum + r->rb->lost;
		if (!r->conserved && !r->first[0])
			snprintf(r->first, sizeof(r->first),
				 "conservation: attempted %" PRIu64
				 " != delivered %" PRIu64 " + lost %" PRIu64
				 " + pending %" PRIu64,
				 r->attempted, r->delivered, r->lost_sum,
				 (uint64_t)r->rb->lost);
	}
	uprb_reader_fini(&rd);
	return NULL;
}

/* Return: 0, or -errno when the ring or a thread could not be set up. */
static int ring_run(struct run *r)
{
	struct uprb_ring_opts o = {
		.sz = sizeof(o),
		.page_size = RING_PAGE_SIZE,
		.nr_pages = RING_PAGES,
	};
	pthread_t w, rd;
	int err;

	err = uprb_ring_new(&r->rb, &o);
	if (err)
		return err;
	/*
	 * Fault the data pages in now (zeros: what a fresh ring holds), so
	 * the first lap does not time the kernel's page faults.
	 */
	for (uint32_t i = 0; i < r->rb->nr_pages; i++)
		memset(r->rb->data_pages[i], 0, r->rb->page_size);
	uprb_source_init(&r->src, SOURCE_ID, 0, false);

	err = pthread_create(&rd, NULL, reader_main, r);
	if (err) {
		uprb_ring_free(r->rb);
		return -err;
	}
	err = pthread_create(&w, NULL, writer_main, r);
	if (err) {
		/* Let the reader through with an empty, finished run. */
		atomic_store(&r->done, 1);
		atomic_store(&r->go, 1);
		pthread_join(rd, NULL);
		uprb_ring_free(r->rb);
		return -err;
	}
	while (atomic_load_explicit(&r->ready, memory_order_acquire) < 2)
		bench_relax(true);
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	atomic_store_explicit(&r->go, 1, memory_order_release);
	pthread_join(w, NULL);
	pthread_join(rd, NULL);
	uprb_ring_free(r->rb);
	r->rb = NULL;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uprb-bench-smoke [options]\n"
		"  --records N    records written per run (default 2000000)\n"
		"  --rounds N     rounds; the table shows medians (default 5, max %d)\n"
		"  --size S       record size: 32, 256 or both (default both)\n"
		"  --no-check     only the reader without verification (default:\n"
		"                 both the verifying and the counting reader)\n"
		"  --seconds T    stop each writer after T seconds (default: no limit)\n"
		"  --seed N       seed of the run order (default: from the clock)\n"
		"  --verbose      print every run\n",
		BENCH_MAX_ROUNDS);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "records", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 's' },
		{ "no-check", no_argument, NULL, 'C' },
		{ "seconds", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool seeded = false;
	uint64_t v;
	char *end;
	int ch;

	*o = (struct opts){
		.records = 2000000,
		.rounds = 5,
		.sizes = { 32, 256 },
		.nsizes = 2,
		.with_check = true,
		.without_check = true,
	};
	while ((ch = getopt_long(argc, argv, "n:r:s:Ct:S:vh", longopts,
				 NULL)) != -1) {
		switch (ch) {
		case 'n':
			if (!bench_parse_u64(optarg, &o->records) || !o->records)
				goto bad;
			break;
		case 'r':
			if (!bench_parse_u64(optarg, &v) || !v || v > BENCH_MAX_ROUNDS)
				goto bad;
			o->rounds = (unsigned int)v;
			break;
		case 's':
			if (!strcmp(optarg, "both")) {
				o->sizes[0] = 32;
				o->nsizes = 2;
			} else if (!strcmp(optarg, "32") ||
				   !strcmp(optarg, "256")) {
				o->sizes[0] = (unsigned int)atoi(optarg);
				o->nsizes = 1;
			} else {
				goto bad;
			}
			break;
		case 'C':
			o->with_check = false;
			break;
		case 't':
			errno = 0;
			o->seconds = strtod(optarg, &end);
			if (errno || end == optarg || *end || o->seconds <= 0)
				goto bad;
			break;
		case 'S':
			if (!bench_parse_u64(optarg, &o->seed))
				goto bad;
			seeded = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "uprb-bench-smoke: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (!seeded)
		o->seed = bench_clock_seed();
	return 0;
bad:
	fprintf(stderr, "uprb-bench-smoke: bad value '%s' for --%s\n", optarg,
		ch == 'n' ? "records" : ch == 'r' ? "rounds" :
		ch == 's' ? "size" : ch == 't' ? "seconds" : "seed");
	usage(stderr);
	return -EINVAL;
}

struct cell {
	unsigned int size;
	bool check;
	double rec_s[BENCH_MAX_ROUNDS], mb_s[BENCH_MAX_ROUNDS];
	double cpy_mb_s[BENCH_MAX_ROUNDS];
	double ratio[BENCH_MAX_ROUNDS], lost_pct[BENCH_MAX_ROUNDS];
	uint64_t failures, bad_conservation, lost_total, attempted_total;
};

int main(int argc, char **argv)
{
	struct cell cells[4];
	unsigned int ncells = 0;
	unsigned char *src, *dst;
	bool share, pin_warned = false, failed = false;
	uint64_t rng;
	struct opts o;
	int wcpu, rcpu;

	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	rng = o.seed ? o.seed : 1;

	memset(cells, 0, sizeof(cells));
	for (unsigned int s = 0; s < o.nsizes; s++) {
		if (o.with_check)
			cells[ncells++] = (struct cell){ .size = o.sizes[s],
							 .check = true };
		if (o.without_check)
			cells[ncells++] = (struct cell){ .size = o.sizes[s],
							 .check = false };
	}

	src = aligned_alloc(64, MEMCPY_CHUNK);
	dst = aligned_alloc(64, MEMCPY_CHUNK);
	if (!src || !dst) {
		fprintf(stderr, "uprb-bench-smoke: out of memory\n");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < MEMCPY_CHUNK; i++)
		src[i] = (unsigned char)(i * 131u + 7u);
	memset(dst, 0, MEMCPY_CHUNK);

	bench_pick_cpus(&wcpu, &rcpu, &share);
	printf("uprb-bench-smoke: native ring %u x %u B = %zu KiB, non-overwrite\n",
	       RING_PAGES, RING_PAGE_SIZE, RING_BYTES / 1024);
	printf("  %" PRIu64 " records per run%s, %u round%s, seed %" PRIu64
	       " (orders ring and memcpy within each pair)\n",
	       o.records, o.seconds > 0 ? " (or the --seconds limit)" : "",
	       o.rounds, o.rounds == 1 ? "" : "s", o.seed);
	printf("  writer on CPU %d, reader on CPU %d; memcpy: one thread, %zu KiB chunks\n",
	       wcpu, rcpu, (size_t)MEMCPY_CHUNK / 1024);

	for (unsigned int round = 0; round < o.rounds; round++) {
		for (unsigned int ci = 0; ci < ncells; ci++) {
			struct cell *cl = &cells[ci];
			struct run *r = aligned_alloc(64, sizeof(*r));
			bool memcpy_first = bench_xorshift64(&rng) & 1;
			double secs, cpy_secs = 0, bytes;
			uint64_t total;
			int err;

			if (!r) {
				fprintf(stderr, "uprb-bench-smoke: out of memory\n");
				return EXIT_USAGE;
			}
			memset(r, 0, sizeof(*r));
			r->size = cl->size;
			r->check = cl->check;
			r->records = o.records;
			r->seconds = o.seconds;
			r->wcpu = wcpu;
			r->rcpu = rcpu;
			r->share_cpu = share;
			/*
			 * memcpy moves what the writer is asked to write; with
			 * a time limit that is unknown before the ring run.
			 */
			total = o.records * cl->size;
			if (memcpy_first && o.seconds <= 0)
				cpy_secs = bench_memcpy_run(dst, src, total,
							    MEMCPY_CHUNK);
			err = ring_run(r);
			if (err) {
				fprintf(stderr, "uprb-bench-smoke: ring setup: %s\n",
					strerror(-err));
				return EXIT_USAGE;
			}
			total = r->attempted * cl->size;
			if (!memcpy_first || o.seconds > 0)
				cpy_secs = bench_memcpy_run(dst, src, total,
							    MEMCPY_CHUNK);

			if (r->pin_failed && !pin_warned) {
				printf("note: pinning a thread failed; it runs where the scheduler puts it\n");
				pin_warned = true;
			}
			secs = bench_ts_diff(&r->t0, &r->t1);
			if (secs <= 0)
				secs = 1e-9;
			if (cpy_secs <= 0)
				cpy_secs = 1e-9;
			bytes = (double)r->delivered * cl->size;
			cl->rec_s[round] = (double)r->delivered / secs;
			cl->mb_s[round] = bytes / secs / 1e6;
			cl->cpy_mb_s[round] = (double)total / cpy_secs / 1e6;
			cl->ratio[round] = cl->mb_s[round] / cl->cpy_mb_s[round];
			cl->lost_pct[round] = r->attempted ?
				100.0 * (double)(r->attempted - r->delivered) /
				(double)r->attempted : 0;
			cl->attempted_total += r->attempted;
			cl->lost_total += r->attempted - r->delivered;
			cl->failures += r->failures + (r->read_err ? 1 : 0);
			cl->bad_conservation += !r->conserved;

			if (r->read_err) {
				printf("FAIL  size %u %s round %u: reader error %d (%s)\n",
				       cl->size, cl->check ? "check" : "nocheck",
				       round + 1, r->read_err,
				       uprb_read_strerror(r->read_err));
				failed = true;
			}
			if (r->failures || !r->conserved) {
				printf("FAIL  size %u %s round %u: %" PRIu64
				       " check failures, conservation %s: %s\n",
				       cl->size, cl->check ? "check" : "nocheck",
				       round + 1, r->failures,
				       r->conserved ? "ok" : "BROKEN", r->first);
				failed = true;
			}
			if (o.verbose)
				printf("  round %u size %3u %-7s %10.0f rec/s %9.1f MB/s  lost %" PRIu64
				       "/%" PRIu64 " (LOST records %" PRIu64
				       ")  memcpy %9.1f MB/s%s\n",
				       round + 1, cl->size,
				       cl->check ? "check" : "nocheck",
				       cl->rec_s[round], cl->mb_s[round],
				       r->attempted - r->delivered, r->attempted,
				       r->lost_records, cl->cpy_mb_s[round],
				       memcpy_first ? " (first)" : "");
			free(r);
		}
	}

	printf("\nmedians of %u round%s (records/s and MB/s count delivered records; lost = dropped by a full ring, all accounted for)\n",
	       o.rounds, o.rounds == 1 ? "" : "s");
	printf("  size  reader      records/s      MB/s   lost %%   memcpy MB/s   ring/memcpy\n");
	for (unsigned int ci = 0; ci < ncells; ci++) {
		struct cell *cl = &cells[ci];

		printf("  %4u  %-7s  %13.0f  %8.1f  %6.2f  %12.1f  %12.4f\n",
		       cl->size, cl->check ? "check" : "nocheck",
		       bench_median(cl->rec_s, o.rounds),
		       bench_median(cl->mb_s, o.rounds),
		       bench_median(cl->lost_pct, o.rounds),
		       bench_median(cl->cpy_mb_s, o.rounds),
		       bench_median(cl->ratio, o.rounds));
	}
	printf("\nconservation (attempted = delivered + LOST + pending):");
	for (unsigned int ci = 0; ci < ncells; ci++)
		printf(" %u/%s %s", cells[ci].size,
		       cells[ci].check ? "check" : "nocheck",
		       cells[ci].bad_conservation ? "BROKEN" : "ok");
	printf("\ncheck failures:");
	for (unsigned int ci = 0; ci < ncells; ci++)
		printf(" %u/%s %" PRIu64, cells[ci].size,
		       cells[ci].check ? "check" : "nocheck", cells[ci].failures);
	printf("\nresult: %s\n", failed ? "FAIL" : "ok");

	free(src);
	free(dst);
	return failed ? EXIT_FAILED : 0;
}
