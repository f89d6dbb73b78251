/* SPDX-License-Identifier: MIT */
/*
 * bench.h - uprb-bench: the native core against Concurrency Kit's SPSC
 * ring and a memcpy bound, in one run, as ratios. Its parts:
 *
 *   opts.c    the command line (one table: parser, --help, replay line)
 *   sized.c   both rings' writer and reader threads and one-CPU runs,
 *             instantiated per record size with the size a constant
 *   run.c     one two-thread ring run, its checks; calibration
 *   bounds.c  the memcpy bound and the cache-line round trip
 *   signal.c  the signal-delivered write
 *   report.c  the tables and the JSON file
 *   main.c    rounds in a seeded order, medians, the result
 *
 * For each record size, each round runs three contenders, in an order
 * drawn from --seed:
 *   core    a fresh non-overwrite ring of --ring-bytes (4096-byte pages);
 *           a writer thread on CPU 0 does uprb_output_begin_forward + one
 *           uprb_output_copy of a prebuilt record + uprb_output_end, a
 *           reader thread on CPU 1 opens one window (read_init), then
 *           read_event (which looks at data_head again when the window is
 *           used up) and consume, and copies every record out by value
 *           into a local buffer;
 *   ck      ck_ring's typed SPSC ring (CK_RING_PROTOTYPE) over the same
 *           number of buffer bytes: the writer enqueues a copy of the same
 *           prebuilt record, the reader dequeues it by value into a local;
 *   memcpy  one thread copying the same total bytes in ring-sized chunks:
 *           the bandwidth bound.
 * Both rings do the same work per record: copy in, copy out, a sampled
 * verification of the copy, the same pauses when the ring is empty
 * (--reader-idle) and, when it is full, the same bounded retry (a pause
 * between tries). The core's retries are faithful to the kernel: each
 * refused begin is a drop the ring counts, and the next record that fits
 * carries a PERF_RECORD_LOST for it, which the reader must skip. A record
 * is only given up after RETRY_LIMIT refusals in a row (a reader that
 * stopped); those are reported as drops, and conservation must hold:
 * refused begins = sum of LOST counts + drops still pending in the ring.
 *
 * The figures and how to read them: docs/benchmark.md.
 *
 * The VM is noisy (docs/benchmark.md#noise): the table reports medians
 * over rounds, and every ratio is taken within one round, then its median
 * reported. Then the same two
 * rings on one CPU (a batch written, then read back): the cost of each
 * ring's code per record without cross-core traffic. Last, the cost of a
 * write from a signal handler (our NMI): pthread_kill to self with an empty
 * handler against a handler that writes one 32-byte record.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <ck_ring.h>

#include "bench_opts.h"
#include "uprb/uprb.h"

/*
 * Distinct prebuilt records the writers cycle through: the reader can then
 * tell a record from its neighbours (seq = index mod NPRE), and eight of
 * the largest (4 KiB) still sit in L1 with the writer's other data.
 */
#define NPRE 8u
/* Refusals in a row before a record is given up: ~0.1 s of pauses. */
#define RETRY_LIMIT (1u << 22)
/* The writer looks at the clock (and for a stop) every this many records. */
#define CLOCK_EVERY 1024u
#define SIG_RECORD 32u
/*
 * A forward reader gives space back every 16 KiB rather than per record: a
 * data_tail store per record would bounce the control page's cache line
 * (data_head and data_tail share one, docs/ring.md#12-the-control-page)
 * at every write.
 */
#define BENCH_CONSUME_BYTES (16u * 1024u)

#if defined(__clang__)
#define BENCH_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define BENCH_COMPILER "gcc " __VERSION__
#else
#define BENCH_COMPILER "unknown"
#endif
#ifndef UPRB_BENCH_BUILD
#define UPRB_BENCH_BUILD "unknown"
#endif

enum contender { C_CORE, C_CK, C_MEMCPY, C_COUNT };

/* One ring run (core or ck): the two threads and main share it. */
struct run {
	/* in */
	enum contender what;
	unsigned int size;
	uint64_t records;
	double seconds;            /* > 0: the writer stops after this long */
	uint64_t verify_every;
	unsigned int reader_idle;  /* pauses per poll of an empty ring */
	uint32_t consume_bytes;    /* core reader: give back space this often */
	int wcpu, rcpu;
	bool share_cpu;
	const unsigned char *pre;  /* NPRE records of size bytes */
	struct uprb_ring *rb;
	void *ck_buf;
	/* ck's indices sit on cache lines of their own (ck pads them). */
	_Alignas(64) struct ck_ring ck;
	/* the writer's line */
	_Alignas(64) struct uprb_source src;
	uint64_t written;          /* records the writer finished with */
	uint64_t refused;          /* -ENOSPC / full, all of them */
	uint64_t retries;          /* refusals followed by another try */
	uint64_t drops;            /* records given up */
	/* handshake */
	_Alignas(64) atomic_int ready;
	atomic_int go;
	atomic_int done;           /* writer finished: its counts are final */
	struct timespec t0, t1;
	bool pin_failed;
	/* the reader's line */
	_Alignas(64) uint64_t delivered;
	uint64_t verified;
	uint64_t bad;              /* damaged or unexpected */
	/*
	 * Sampled records that were not the n-th written: a failure unless
	 * the writer gave records up (main decides, after the join).
	 */
	uint64_t misordered;
	uint64_t lost_sum, lost_records;
	int read_err;
	char first[200];
};

struct cell {
	unsigned int size;
	uint64_t records;
	double core_rec_s[BENCH_MAX_ROUNDS], ck_rec_s[BENCH_MAX_ROUNDS];
	double cpy_mb_s[BENCH_MAX_ROUNDS];
	double core_ck[BENCH_MAX_ROUNDS], core_cpy[BENCH_MAX_ROUNDS];
	char order[BENCH_MAX_ROUNDS][C_COUNT + 1];
	uint64_t core_retries, core_drops, core_lost, core_lost_records;
	uint64_t ck_retries, ck_drops;
	uint64_t verified, failures;
	/* one CPU: ns per record written and read back */
	double core_1cpu_ns[BENCH_MAX_ROUNDS], ck_1cpu_ns[BENCH_MAX_ROUNDS];
	double ck_over_core_1cpu[BENCH_MAX_ROUNDS];
	/* medians */
	double m_core, m_ck, m_cpy, m_core_ck, m_core_cpy;
	double m_core_1cpu, m_ck_1cpu, m_1cpu_ratio;
};

struct sig_result {
	double empty_ns[BENCH_MAX_ROUNDS], write_ns[BENCH_MAX_ROUNDS];
	double diff_ns[BENCH_MAX_ROUNDS];
	double m_empty, m_write, m_diff;
	uint64_t delivered, failures;
	bool ran;
};

/* One CPU, no second thread: a batch written, then read back. */
struct single_job {
	const unsigned char *pre;  /* NPRE records of the size */
	uint64_t records;          /* a multiple of batch */
	unsigned int batch;
	size_t ring_bytes;
};

/* The thread functions of both rings for one record size. */
struct sized_fns {
	unsigned int size;
	void *(*core_writer)(void *);
	void *(*core_reader)(void *);
	void *(*ck_writer)(void *);
	void *(*ck_reader)(void *);
	int (*core_single)(const struct single_job *, double *);
	int (*ck_single)(const struct single_job *, double *);
};

/* Everything a run of the program holds (main.c). */
struct bench {
	struct bench_opts o;
	struct sopt_prog prog;
	struct cell cells[BENCH_MAX_SIZES];
	struct sig_result sig;
	unsigned char *src, *dst, *pre[BENCH_MAX_SIZES];
	int wcpu, rcpu;
	bool share, pin_warned, failed;
	bool single_ran;           /* the one-CPU runs completed */
	unsigned int rounds_done;  /* complete rounds: the medians' base */
	double trip_ns[2];         /* before and after the runs; 0: n/a */
	uint64_t rng;
	char *cmdline;             /* argv joined, for the JSON */
	const char *verdict;       /* "ok", "FAIL", "interrupted" */
};

/* sized.c */
const struct sized_fns *bench_sized(unsigned int size);
int bench_ring_new(struct uprb_ring **rb, size_t ring_bytes);
double bench_reader_idle_us(unsigned int pauses, bool share);
unsigned int bench_single_batch(size_t ring_bytes, unsigned int size);

/* run.c */
void bench_run_setup(struct run *r, enum contender what, unsigned int size,
		     uint64_t records, const struct bench_opts *o,
		     const unsigned char *pre, int wcpu, int rcpu, bool share);
int bench_ring_run(struct run *r, size_t ring_bytes);
bool bench_run_failed(const struct run *r, unsigned int round);
int bench_calibrate(struct bench *b, unsigned int s);

/* bounds.c */
double bench_memcpy_run(unsigned char *dst, const unsigned char *src,
			uint64_t total, size_t chunk);
double bench_line_round_trip(int wcpu, int rcpu, const char *when);

/* signal.c */
int bench_signal(const struct bench_opts *o, unsigned int rounds,
		 uint64_t *rng, struct sig_result *res);

/* report.c */
void bench_print_tables(const struct bench *b);
int bench_write_json(FILE *f, const struct bench *b);

#endif /* BENCH_H */
