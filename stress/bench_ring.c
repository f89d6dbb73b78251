/* SPDX-License-Identifier: MIT */
/*
 * bench_ring.c - uprb-bench: the native core against Concurrency Kit's SPSC
 * ring and a memcpy bound, in one run, as ratios
 * (docs/benchmark.md).
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
 * between tries). The core's retries are faithful to the
 * kernel: each refused begin is a drop the ring counts, and the next record
 * that fits carries a PERF_RECORD_LOST for it, which the reader must skip.
 * A record is only given up after RETRY_LIMIT refusals in a row (a reader
 * that stopped); those are reported as drops, and conservation must hold:
 * refused begins = sum of LOST counts + drops still pending in the ring.
 *
 * The VM is noisy (docs/benchmark.md#noise): the table
 * reports medians over rounds, and every ratio is taken within one round,
 * then its median reported.
 *
 * Then the same two rings on one CPU (a batch written, then read back):
 * the cost of each ring's code per record without cross-core traffic.
 *
 * Last, the cost of a write from a signal handler (our NMI): pthread_kill
 * to self with an empty handler against a handler that writes one 32-byte
 * record; the difference of the two is the signal-delivered write.
 *
 * Exit status: 0; 1 when a record arrived damaged, out of order or not at
 * all, or loss was not conserved; 2 on bad usage or a setup failure.
 */
#include <ck_ring.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "uprb/uprb.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"

#define PAGE_SIZE_BYTES 4096u
#define DEFAULT_RING_BYTES (256u * 1024u)
#define MAX_SIZES 9
/*
 * Distinct prebuilt records the writers cycle through: the reader can then
 * tell a record from its neighbours (seq = index mod NPRE), and eight of
 * the largest (4 KiB) still sit in L1 with the writer's other data.
 */
#define NPRE 8u
/* Refusals in a row before a record is given up: ~0.1 s of pauses. */
#define RETRY_LIMIT (1u << 22)
/* Pauses between two polls of an empty ring (--reader-idle); ~18 ns each here. */
#define DEFAULT_READER_IDLE 256u
#define MAX_READER_IDLE 65536u
/* The writer looks at the clock every this many records (calibration). */
#define CLOCK_EVERY 1024u
#define SIG_BATCHES_MIN 1u
#define SIG_RECORD 32u
/* Round trips of one cache-line hand-off measurement (~10 ms here). */
#define ROUND_TRIPS 20000u

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

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };
enum contender { C_CORE, C_CK, C_MEMCPY, C_COUNT };
static const char contender_letter[C_COUNT] = { 'c', 'k', 'm' };

struct opts {
	unsigned int rounds;
	uint64_t records;          /* per ring run; 0: calibrate */
	double seconds;            /* calibration target per ring run */
	unsigned int sizes[MAX_SIZES];
	unsigned int nsizes;
	size_t ring_bytes;
	uint64_t seed;
	uint64_t verify_every;
	unsigned int reader_idle;  /* pauses per poll of an empty ring */
	uint64_t signals;          /* per mode and round; 0: skip the test */
	bool no_ck;
	const char *json;
	bool verbose;
};

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

static void fail_note(struct run *r, const char *why, uint64_t at)
{
	r->bad++;
	if (!r->first[0])
		snprintf(r->first, sizeof(r->first), "record %" PRIu64 ": %s",
			 at, why);
}

/*
 * Sampled check of a record the reader copied out: its checksum and every
 * payload word (uprb_synth_verify), and that it is the n-th record written
 * (prebuilt seq = n mod NPRE) while nothing was given up.
 */
static void verify_copy(struct run *r, const void *rec, uint64_t n)
{
	struct uprb_synth_info info;
	const char *why = NULL;

	r->verified++;
	if (uprb_synth_verify(rec, &info, &why)) {
		fail_note(r, why ? why : "synth_verify failed", n);
		return;
	}
	if (info.size != r->size)
		fail_note(r, "wrong size", n);
	else if (info.seq != (uint32_t)(n % NPRE))
		r->misordered++;
}

/* The local copy escapes: neither copy nor verification can be elided. */
static inline void escape(const void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

static void wait_go(struct run *r)
{
	atomic_fetch_add_explicit(&r->ready, 1, memory_order_acq_rel);
	while (!atomic_load_explicit(&r->go, memory_order_acquire))
		bench_relax(r->share_cpu);
}

static void writer_start(struct run *r, double *limit)
{
	if (!bench_pin_self(r->wcpu))
		r->pin_failed = true;
	wait_go(r);
	*limit = r->seconds > 0 ? bench_now() + r->seconds : 0;
}

static void writer_finish(struct run *r, uint64_t written, uint64_t retries,
			  uint64_t drops)
{
	r->written = written;
	r->retries = retries;
	r->drops = drops;
	r->refused = retries + drops;
	/* Orders the counts and the last publication before done. */
	atomic_store_explicit(&r->done, 1, memory_order_release);
}

/*
 * The core's two threads are written once and instantiated per record size
 * (CORE_SIZE below) with the size a compile-time constant, as ck's typed
 * rings are: the copies in and out become fixed-size moves for both rings
 * (the kernel's perf_output_put() copies are sizeof()s too).
 */
static inline __attribute__((always_inline)) void *
core_writer_sized(void *arg, const unsigned int size)
{
	struct run *r = arg;
	struct uprb_ring *rb = r->rb;
	struct uprb_source *src = &r->src;
	uint64_t i, retries = 0, drops = 0;
	struct uprb_handle h;
	double limit;

	writer_start(r, &limit);
	for (i = 0; i < r->records; i++) {
		const unsigned char *rec = r->pre + (i % NPRE) * size;
		unsigned int tries = 0;

		while (uprb_output_begin_forward(&h, rb, src, size)) {
			/* Counted in rb->lost; reported by the next record. */
			if (++tries == RETRY_LIMIT)
				break;
			retries++;
			bench_relax(r->share_cpu);
		}
		if (tries == RETRY_LIMIT) {
			drops++;
			continue;
		}
		uprb_output_copy(&h, rec, size);
		uprb_output_end(&h);
		if (limit > 0 && i % CLOCK_EVERY == CLOCK_EVERY - 1 &&
		    bench_now() > limit) {
			i++;
			break;
		}
	}
	writer_finish(r, i, retries, drops);
	return NULL;
}

/*
 * Both readers, when the ring is empty. Hundreds of pauses (the default,
 * ~5 us here) let records pile up between polls, so the reader drains
 * batches, as a perf-style reader woken at a watermark does: the rings'
 * throughput. One pause keeps the reader on the writer's heels, a record
 * or two per poll: the hand-off between cores, whose cost on this VM swings
 * with where the host puts the two vCPUs (a cache-line round trip varies
 * from ~400 to ~900 ns between runs).
 */
static inline void reader_idle(struct run *r)
{
	for (unsigned int k = 0; k < r->reader_idle; k++)
		bench_relax(r->share_cpu);
}

/* What one reader_idle() of @pauses takes here, in us (median of 7). */
static double reader_idle_us(unsigned int pauses, bool share)
{
	struct run r = { .reader_idle = pauses, .share_cpu = share };
	double us[7];

	for (int k = 0; k < 7; k++) {
		double t0 = bench_now();

		for (int i = 0; i < 100; i++)
			reader_idle(&r);
		us[k] = (bench_now() - t0) * 1e6 / 100;
	}
	return bench_median(us, 7);
}

static bool reader_start(struct run *r)
{
	if (!bench_pin_self(r->rcpu))
		r->pin_failed = true;
	wait_go(r);
	return true;
}

static inline __attribute__((always_inline)) void *
core_reader_sized(void *arg, const unsigned int size)
{
	struct uprb_reader_opts ro = { .sz = sizeof(ro) };
	_Alignas(64) unsigned char local[UPRB_MAX_RECORD];
	const struct perf_event_header *ev;
	struct run *r = arg;
	uint64_t n = 0, check_in = 0, lost;
	struct uprb_reader rd;
	uint32_t since = 0;
	int rc;

	rc = uprb_reader_init(&rd, uprb_ring_base(r->rb), uprb_ring_len(r->rb),
			      &ro);
	reader_start(r);
	if (rc) {
		r->read_err = rc;
		clock_gettime(CLOCK_MONOTONIC, &r->t1);
		return NULL;
	}
	/*
	 * One window for the whole run: read_event looks at data_head again
	 * whenever the window is used up, so a poll of an empty ring is one
	 * load of the control line (read_done + read_init would add a second
	 * one per poll). Forward read_done is a no-op, hence not called.
	 * Space goes back in consume_bytes steps, not per record: a data_tail
	 * store takes the control line away from the writer, whose every
	 * reservation loads data_tail from it.
	 */
	for (bool open = false;;) {
		/*
		 * done before data_head: if the writer had finished before
		 * the head load below, the window covers all its records.
		 */
		bool fin = atomic_load_explicit(&r->done, memory_order_acquire);

		if (!open) {
			rc = uprb_read_init(&rd);
			if (rc == -EAGAIN) {
				if (fin)
					break;
				reader_idle(r);
				continue;
			}
			if (rc)
				break;
			open = true;
		}
		rc = uprb_read_event(&rd, &ev);
		if (rc == 0) {
			if (fin)
				break;
			reader_idle(r);
			continue;
		}
		if (rc < 0)
			break;
		if (ev->type == UPRB_RECORD_SYNTH && ev->size == size) {
			memcpy(local, ev, size);
			escape(local);
			if (!check_in--) {
				verify_copy(r, local, n);
				check_in = r->verify_every - 1;
			}
			n++;
		} else if (ev->type == PERF_RECORD_LOST &&
			   ev->size == UPRB_LOST_RECORD_SIZE) {
			memcpy(&lost, (const unsigned char *)ev + 16, sizeof(lost));
			r->lost_sum += lost;
			r->lost_records++;
		} else {
			fail_note(r, "unexpected record (type or size)", n);
		}
		since += ev->size;
		if (since >= r->consume_bytes) {
			uprb_consume(&rd);
			since = 0;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &r->t1);
	if (rc && rc != -EAGAIN)
		r->read_err = rc;
	r->delivered = n;
	uprb_reader_fini(&rd);
	return NULL;
}

/*
 * A non-overwrite core ring of @ring_bytes in 4096-byte pages, its pages
 * faulted in now: no page faults in the timed laps. Return: 0 or -errno.
 */
static int bench_ring_new(struct uprb_ring **rb, size_t ring_bytes)
{
	struct uprb_ring_opts o = {
		.sz = sizeof(o),
		.page_size = PAGE_SIZE_BYTES,
		.nr_pages = (uint32_t)(ring_bytes / PAGE_SIZE_BYTES),
	};
	int err = uprb_ring_new(rb, &o);

	if (err)
		return err;
	for (uint32_t i = 0; i < (*rb)->nr_pages; i++)
		memset((*rb)->data_pages[i], 0, (*rb)->page_size);
	return 0;
}

/*
 * One CPU, no second thread: write a batch of records, read the batch back
 * (copied out by value), and so on. What each ring's code costs per record
 * without cache-line transfers between cores; the difference to the
 * two-thread figures is what the transfers cost.
 */
struct single_job {
	const unsigned char *pre;  /* NPRE records of the size */
	uint64_t records;          /* a multiple of batch */
	unsigned int batch;
	size_t ring_bytes;
};

/* Records per batch: a quarter of the ring at most, 64 at most. */
static unsigned int single_batch(size_t ring_bytes, unsigned int size)
{
	size_t b = ring_bytes / size / 4;

	return b < 1 ? 1 : b > 64 ? 64 : (unsigned int)b;
}

static inline __attribute__((always_inline)) int
core_single_sized(const struct single_job *j, const unsigned int size,
		  double *ns)
{
	struct uprb_reader_opts ro = { .sz = sizeof(ro) };
	_Alignas(64) unsigned char local[UPRB_MAX_RECORD];
	const struct perf_event_header *ev;
	struct timespec t0, t1;
	struct uprb_source src;
	struct uprb_reader rd;
	struct uprb_ring *rb;
	uint64_t i, n = 0;
	int err, rc = 0;

	err = bench_ring_new(&rb, j->ring_bytes);
	if (err)
		return err;
	uprb_source_init(&src, 1, 0, false);
	err = uprb_reader_init(&rd, uprb_ring_base(rb), uprb_ring_len(rb), &ro);
	if (err) {
		uprb_ring_free(rb);
		return err;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < j->records && !err; i += j->batch) {
		struct uprb_handle h;

		for (unsigned int k = 0; k < j->batch; k++) {
			if (uprb_output_begin_forward(&h, rb, &src, size)) {
				err = -ENOSPC;
				break;
			}
			uprb_output_copy(&h, j->pre + ((i + k) % NPRE) * size,
					 size);
			uprb_output_end(&h);
		}
		if (err || (err = uprb_read_init(&rd)))
			break;
		while ((rc = uprb_read_event(&rd, &ev)) == 1) {
			if (ev->type != UPRB_RECORD_SYNTH || ev->size != size) {
				rc = -EPROTO;
				break;
			}
			memcpy(local, ev, size);
			escape(local);
			n++;
		}
		err = rc;
		uprb_consume(&rd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!err && n != j->records)
		err = -EPROTO;
	*ns = bench_ts_diff(&t0, &t1) * 1e9 / (double)(n ? n : 1);
	uprb_reader_fini(&rd);
	uprb_ring_free(rb);
	return err;
}

#define CORE_SIZE(n)							\
static void *core_writer_##n(void *arg)					\
{									\
	return core_writer_sized(arg, n);				\
}									\
									\
static void *core_reader_##n(void *arg)					\
{									\
	return core_reader_sized(arg, n);				\
}									\
									\
static int core_single_##n(const struct single_job *j, double *ns)	\
{									\
	return core_single_sized(j, n, ns);				\
}

CORE_SIZE(16)
CORE_SIZE(32)
CORE_SIZE(64)
CORE_SIZE(128)
CORE_SIZE(256)
CORE_SIZE(512)
CORE_SIZE(1024)
CORE_SIZE(2048)
CORE_SIZE(4096)

/*
 * ck_ring's typed rings copy a struct of fixed size, so each record size
 * gets its own type and its own pair of thread functions; a call through a
 * size-generic pointer per record would tax ck and not the core.
 */
#define CK_SIZE(n)							\
struct rec##n {								\
	_Alignas(8) unsigned char b[n];					\
};									\
CK_RING_PROTOTYPE(rec##n, rec##n)					\
									\
static void *ck_writer_##n(void *arg)					\
{									\
	struct run *r = arg;						\
	struct rec##n *buf = r->ck_buf;					\
	uint64_t i, retries = 0, drops = 0;				\
	double limit;							\
									\
	writer_start(r, &limit);					\
	for (i = 0; i < r->records; i++) {				\
		struct rec##n *rec =					\
			(struct rec##n *)(r->pre + (i % NPRE) * n);	\
		unsigned int tries = 0;					\
									\
		while (!ck_ring_enqueue_spsc_rec##n(&r->ck, buf, rec)) {\
			if (++tries == RETRY_LIMIT)			\
				break;					\
			retries++;					\
			bench_relax(r->share_cpu);			\
		}							\
		if (tries == RETRY_LIMIT) {				\
			drops++;					\
			continue;					\
		}							\
		if (limit > 0 && i % CLOCK_EVERY == CLOCK_EVERY - 1 &&	\
		    bench_now() > limit) {				\
			i++;						\
			break;						\
		}							\
	}								\
	writer_finish(r, i, retries, drops);				\
	return NULL;							\
}									\
									\
static void *ck_reader_##n(void *arg)					\
{									\
	struct run *r = arg;						\
	struct rec##n *buf = r->ck_buf;					\
	struct rec##n local;						\
	uint64_t n_ = 0, check_in = 0;					\
									\
	reader_start(r);						\
	for (;;) {							\
		bool fin = atomic_load_explicit(&r->done,		\
						memory_order_acquire);	\
									\
		if (!ck_ring_dequeue_spsc_rec##n(&r->ck, buf, &local)) {\
			if (fin)					\
				break;					\
			reader_idle(r);					\
			continue;					\
		}							\
		escape(&local);						\
		if (!check_in--) {					\
			verify_copy(r, &local, n_);			\
			check_in = r->verify_every - 1;			\
		}							\
		n_++;							\
	}								\
	clock_gettime(CLOCK_MONOTONIC, &r->t1);				\
	r->delivered = n_;						\
	return NULL;							\
}									\
									\
static int ck_single_##n(const struct single_job *j, double *ns)	\
{									\
	struct rec##n *buf = aligned_alloc(PAGE_SIZE_BYTES, j->ring_bytes);\
	struct timespec t0, t1;						\
	struct ck_ring ring;						\
	struct rec##n local;						\
	uint64_t i, n_ = 0;						\
	int err = 0;							\
									\
	if (!buf)							\
		return -ENOMEM;						\
	memset(buf, 0, j->ring_bytes);					\
	ck_ring_init(&ring, (unsigned int)(j->ring_bytes / n));		\
	clock_gettime(CLOCK_MONOTONIC, &t0);				\
	for (i = 0; i < j->records && !err; i += j->batch) {		\
		for (unsigned int k = 0; k < j->batch; k++) {		\
			struct rec##n *rec = (struct rec##n *)		\
				(j->pre + ((i + k) % NPRE) * n);	\
									\
			if (!ck_ring_enqueue_spsc_rec##n(&ring, buf, rec)) {\
				err = -ENOSPC;				\
				break;					\
			}						\
		}							\
		while (!err &&						\
		       ck_ring_dequeue_spsc_rec##n(&ring, buf, &local)) {\
			if (((struct perf_event_header *)&local)->size != n) {\
				err = -EPROTO;				\
				break;					\
			}						\
			escape(&local);					\
			n_++;						\
		}							\
	}								\
	clock_gettime(CLOCK_MONOTONIC, &t1);				\
	if (!err && n_ != j->records)					\
		err = -EPROTO;						\
	*ns = bench_ts_diff(&t0, &t1) * 1e9 / (double)(n_ ? n_ : 1);	\
	free(buf);							\
	return err;							\
}

CK_SIZE(16)
CK_SIZE(32)
CK_SIZE(64)
CK_SIZE(128)
CK_SIZE(256)
CK_SIZE(512)
CK_SIZE(1024)
CK_SIZE(2048)
CK_SIZE(4096)

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

#define SIZED(n) { n, core_writer_##n, core_reader_##n, ck_writer_##n,	\
		   ck_reader_##n, core_single_##n, ck_single_##n }
static const struct sized_fns sized_table[] = {
	SIZED(16), SIZED(32), SIZED(64), SIZED(128), SIZED(256), SIZED(512),
	SIZED(1024), SIZED(2048), SIZED(4096),
};

static const struct sized_fns *sized_lookup(unsigned int size)
{
	for (size_t i = 0; i < sizeof(sized_table) / sizeof(sized_table[0]); i++)
		if (sized_table[i].size == size)
			return &sized_table[i];
	return NULL;
}

/* Run @r (core or ck) with its two threads. Return: 0 or -errno. */
static int ring_run(struct run *r, size_t ring_bytes)
{
	const struct sized_fns *f = sized_lookup(r->size);
	void *(*wfn)(void *), *(*rfn)(void *);
	pthread_t w, rd;
	int err;

	if (!f)
		return -EINVAL;
	if (r->what == C_CORE) {
		err = bench_ring_new(&r->rb, ring_bytes);
		if (err)
			return err;
		uprb_source_init(&r->src, 1, 0, false);
		wfn = f->core_writer;
		rfn = f->core_reader;
	} else {
		r->ck_buf = aligned_alloc(PAGE_SIZE_BYTES, ring_bytes);
		if (!r->ck_buf)
			return -ENOMEM;
		memset(r->ck_buf, 0, ring_bytes);
		ck_ring_init(&r->ck, (unsigned int)(ring_bytes / r->size));
		wfn = f->ck_writer;
		rfn = f->ck_reader;
	}

	err = pthread_create(&rd, NULL, rfn, r);
	if (!err) {
		err = pthread_create(&w, NULL, wfn, r);
		if (err) {
			/* Let the reader through with an empty, finished run. */
			atomic_store(&r->done, 1);
			atomic_store(&r->go, 1);
			pthread_join(rd, NULL);
		}
	}
	if (!err) {
		while (atomic_load_explicit(&r->ready, memory_order_acquire) < 2)
			bench_relax(true);
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		atomic_store_explicit(&r->go, 1, memory_order_release);
		pthread_join(w, NULL);
		pthread_join(rd, NULL);
	}
	if (r->what == C_CORE) {
		/* The writer is done: rb->lost holds drops not yet reported. */
		if (!err && r->refused != r->lost_sum + r->rb->lost) {
			r->bad++;
			snprintf(r->first, sizeof(r->first),
				 "conservation: refused %" PRIu64 " != LOST %"
				 PRIu64 " + pending %" PRIu64, r->refused,
				 r->lost_sum, (uint64_t)r->rb->lost);
		}
		uprb_ring_free(r->rb);
		r->rb = NULL;
	} else {
		free(r->ck_buf);
		r->ck_buf = NULL;
	}
	if (!err && r->misordered && !r->drops) {
		r->bad++;
		if (!r->first[0])
			snprintf(r->first, sizeof(r->first),
				 "%" PRIu64 " sampled records out of order",
				 r->misordered);
	}
	if (!err && r->delivered != r->written - r->drops) {
		r->bad++;
		if (!r->first[0])
			snprintf(r->first, sizeof(r->first),
				 "delivered %" PRIu64 " of %" PRIu64
				 " (%" PRIu64 " given up)", r->delivered,
				 r->written, r->drops);
	}
	return -err;
}

static void run_setup(struct run *r, enum contender what, unsigned int size,
		      uint64_t records, const struct opts *o,
		      const unsigned char *pre, int wcpu, int rcpu, bool share)
{
	memset(r, 0, sizeof(*r));
	r->what = what;
	r->size = size;
	r->records = records;
	r->verify_every = o->verify_every;
	r->reader_idle = o->reader_idle;
	/* Never hold back more than a quarter: the writer must find room. */
	r->consume_bytes = BENCH_CONSUME_BYTES;
	if (r->consume_bytes > o->ring_bytes / 4)
		r->consume_bytes = (uint32_t)(o->ring_bytes / 4);
	r->wcpu = wcpu;
	r->rcpu = rcpu;
	r->share_cpu = share;
	r->pre = pre;
}

/* --- the signal-delivered write --- */

static struct uprb_ring *sig_rb;
static struct uprb_source sig_src;
static const unsigned char *sig_rec;
static volatile sig_atomic_t sig_write;

static void sig_handler(int sig)
{
	struct uprb_handle h;

	(void)sig;
	if (!sig_write)
		return;
	/* A refusal is counted in rb->lost and fails the test below. */
	if (uprb_output_begin(&h, sig_rb, &sig_src, SIG_RECORD))
		return;
	uprb_output_copy(&h, sig_rec, SIG_RECORD);
	uprb_output_end(&h);
}

/* Read and verify every record the handler wrote; give the space back. */
static uint64_t sig_drain(struct uprb_reader *rd, uint64_t *failures)
{
	const struct perf_event_header *ev;
	struct uprb_synth_info info;
	uint64_t n = 0;
	int rc;

	if (uprb_read_init(rd))
		return 0;
	while ((rc = uprb_read_event(rd, &ev)) == 1) {
		if (uprb_synth_verify(ev, &info, NULL) || info.size != SIG_RECORD)
			(*failures)++;
		n++;
	}
	if (rc)
		(*failures)++;
	uprb_consume(rd);
	uprb_read_done(rd);
	return n;
}

/*
 * ns per pthread_kill to self, @count signals in batches that fit the ring
 * (drained, untimed, between batches).
 */
static double sig_time(struct uprb_reader *rd, uint64_t count, bool write,
		       uint64_t batch, struct sig_result *res)
{
	pthread_t self = pthread_self();
	double secs = 0;

	sig_write = write;
	for (uint64_t done = 0; done < count;) {
		uint64_t n = count - done < batch ? count - done : batch;
		double t0 = bench_now();

		for (uint64_t i = 0; i < n; i++)
			pthread_kill(self, SIGUSR1);
		secs += bench_now() - t0;
		done += n;
		res->delivered += sig_drain(rd, &res->failures);
	}
	sig_write = 0;
	return secs * 1e9 / (double)count;
}

static int sig_bench(const struct opts *o, uint64_t *rng,
		     struct sig_result *res)
{
	static _Alignas(64) unsigned char rec[SIG_RECORD];
	struct uprb_reader_opts rdo = { .sz = sizeof(rdo) };
	struct sigaction sa, old;
	struct uprb_reader rd;
	uint64_t batch, want = 0;
	int err;

	err = bench_ring_new(&sig_rb, o->ring_bytes);
	if (err)
		return err;
	uprb_source_init(&sig_src, 2, 0, false);
	uprb_synth_build(rec, SIG_RECORD, 0, UPRB_LEVEL_TASK, 0, 0);
	sig_rec = rec;
	err = uprb_reader_init(&rd, uprb_ring_base(sig_rb),
			       uprb_ring_len(sig_rb), &rdo);
	if (err) {
		uprb_ring_free(sig_rb);
		return err;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, &old);

	/* Half the ring per batch: never full, so no write is refused. */
	batch = o->ring_bytes / SIG_RECORD / 2;
	if (batch < SIG_BATCHES_MIN)
		batch = SIG_BATCHES_MIN;
	for (unsigned int round = 0; round < o->rounds; round++) {
		bool write_first = bench_xorshift64(rng) & 1;

		if (write_first) {
			res->write_ns[round] = sig_time(&rd, o->signals, true,
							batch, res);
			res->empty_ns[round] = sig_time(&rd, o->signals, false,
							batch, res);
		} else {
			res->empty_ns[round] = sig_time(&rd, o->signals, false,
							batch, res);
			res->write_ns[round] = sig_time(&rd, o->signals, true,
							batch, res);
		}
		res->diff_ns[round] = res->write_ns[round] - res->empty_ns[round];
		want += o->signals;
	}
	sigaction(SIGUSR1, &old, NULL);
	if (res->delivered != want || sig_rb->lost)
		res->failures++;
	res->m_empty = bench_median(res->empty_ns, o->rounds);
	res->m_write = bench_median(res->write_ns, o->rounds);
	res->m_diff = bench_median(res->diff_ns, o->rounds);
	res->ran = true;
	uprb_reader_fini(&rd);
	uprb_ring_free(sig_rb);
	sig_rb = NULL;
	return 0;
}

/* --- options, output --- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uprb-bench [options]\n"
		"  --sizes LIST         record sizes, powers of two 16..4096\n"
		"                       (default 16,32,64,256,1024)\n"
		"  --rounds N           rounds; medians are reported (default 7, max %d)\n"
		"  --records N          records per ring run (default: calibrated)\n"
		"  --seconds-per-cell T calibrate --records so that a core run takes\n"
		"                       about T seconds (default 0.2)\n"
		"  --ring-bytes N       ring data bytes, power of two >= 8192\n"
		"                       (default %u); ck_ring gets the same bytes\n"
		"  --seed N             seed of the run order (default: the clock)\n"
		"  --verify-every N     verify every N-th record read (default 4096)\n"
		"  --reader-idle N      pauses between polls of an empty ring, both\n"
		"                       readers (default %u: batched reads; 1: the\n"
		"                       reader follows the writer record by record)\n"
		"  --signals N          signals per mode and round in the nested\n"
		"                       write test (default 20000; 0: skip it)\n"
		"  --no-ck              leave ck_ring out (ThreadSanitizer builds:\n"
		"                       ck's barriers are invisible to TSan)\n"
		"  --json FILE          also write the results as JSON\n"
		"  --verbose            print every run\n",
		BENCH_MAX_ROUNDS, DEFAULT_RING_BYTES, DEFAULT_READER_IDLE);
}

static bool parse_sizes(const char *s, struct opts *o)
{
	char *copy = strdup(s), *save = NULL, *tok;
	bool ok = copy != NULL;

	o->nsizes = 0;
	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; ok && tok;
	     tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;

		if (!bench_parse_u64(tok, &v) || !sized_lookup((unsigned int)v) ||
		    v > 4096 || o->nsizes == MAX_SIZES)
			ok = false;
		else
			o->sizes[o->nsizes++] = (unsigned int)v;
	}
	free(copy);
	return ok && o->nsizes;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "sizes", required_argument, NULL, 'z' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "records", required_argument, NULL, 'n' },
		{ "seconds-per-cell", required_argument, NULL, 't' },
		{ "ring-bytes", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 'S' },
		{ "verify-every", required_argument, NULL, 'V' },
		{ "reader-idle", required_argument, NULL, 'I' },
		{ "signals", required_argument, NULL, 'g' },
		{ "no-ck", no_argument, NULL, 'K' },
		{ "json", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool seeded = false;
	const char *name = "?";
	uint64_t v;
	char *end;
	int ch;

	*o = (struct opts){
		.rounds = 7,
		.seconds = 0.2,
		.sizes = { 16, 32, 64, 256, 1024 },
		.nsizes = 5,
		.ring_bytes = DEFAULT_RING_BYTES,
		.verify_every = 4096,
		.reader_idle = DEFAULT_READER_IDLE,
		.signals = 20000,
	};
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		for (const struct option *lo = longopts; lo->name; lo++)
			if (lo->val == ch)
				name = lo->name;
		switch (ch) {
		case 'z':
			if (!parse_sizes(optarg, o))
				goto bad;
			break;
		case 'r':
			if (!bench_parse_u64(optarg, &v) || !v ||
			    v > BENCH_MAX_ROUNDS)
				goto bad;
			o->rounds = (unsigned int)v;
			break;
		case 'n':
			if (!bench_parse_u64(optarg, &o->records) || !o->records)
				goto bad;
			break;
		case 't':
			errno = 0;
			o->seconds = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->seconds > 0) ||
			    o->seconds > 3600)
				goto bad;
			break;
		case 'b':
			if (!bench_parse_u64(optarg, &v) || v < 8192 ||
			    v > (1u << 30) || (v & (v - 1)))
				goto bad;
			o->ring_bytes = (size_t)v;
			break;
		case 'S':
			if (!bench_parse_u64(optarg, &o->seed))
				goto bad;
			seeded = true;
			break;
		case 'V':
			if (!bench_parse_u64(optarg, &o->verify_every) ||
			    !o->verify_every)
				goto bad;
			break;
		case 'I':
			if (!bench_parse_u64(optarg, &v) || !v ||
			    v > MAX_READER_IDLE)
				goto bad;
			o->reader_idle = (unsigned int)v;
			break;
		case 'g':
			if (!bench_parse_u64(optarg, &o->signals))
				goto bad;
			break;
		case 'K':
			o->no_ck = true;
			break;
		case 'j':
			o->json = optarg;
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
		fprintf(stderr, "uprb-bench: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < o->nsizes; i++) {
		/* ck_ring needs two slots; the core a record and a LOST. */
		if (o->sizes[i] * 4 > o->ring_bytes) {
			fprintf(stderr, "uprb-bench: size %u too large for a %zu-byte ring\n",
				o->sizes[i], o->ring_bytes);
			return -EINVAL;
		}
	}
	if (!seeded)
		o->seed = bench_clock_seed();
	return 0;
bad:
	fprintf(stderr, "uprb-bench: bad value '%s' for --%s\n", optarg, name);
	usage(stderr);
	return -EINVAL;
}

static void json_array(FILE *f, const char *key, const double *v,
		       unsigned int n, bool last)
{
	fprintf(f, "\"%s\": [", key);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s%.6g", i ? ", " : "", v[i]);
	fprintf(f, "]%s", last ? "" : ", ");
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static int write_json(const char *path, const struct opts *o,
		      const char *cmdline, const struct cell *cells,
		      const struct sig_result *sig, int wcpu, int rcpu,
		      bool share, const double trip_ns[2], bool failed)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "{\n  \"benchmark\": \"uprb-bench\",\n  \"compiler\": ");
	json_string(f, BENCH_COMPILER);
	fprintf(f, ",\n  \"build\": ");
	json_string(f, UPRB_BENCH_BUILD);
	fprintf(f, ",\n  \"command\": ");
	json_string(f, cmdline);
	fprintf(f, ",\n  \"seed\": %" PRIu64 ",\n  \"rounds\": %u,\n"
		"  \"ring_bytes\": %zu,\n  \"verify_every\": %" PRIu64 ",\n"
		"  \"reader_idle\": %u,\n"
		"  \"writer_cpu\": %d,\n  \"reader_cpu\": %d,\n"
		"  \"shared_cpu\": %s,\n"
		"  \"line_round_trip_ns\": [%.6g, %.6g],\n"
		"  \"ck\": %s,\n  \"result\": \"%s\",\n"
		"  \"sizes\": [\n",
		o->seed, o->rounds, o->ring_bytes, o->verify_every,
		o->reader_idle, wcpu, rcpu,
		share ? "true" : "false", trip_ns[0], trip_ns[1],
		o->no_ck ? "false" : "true", failed ? "FAIL" : "ok");
	for (unsigned int s = 0; s < o->nsizes; s++) {
		const struct cell *c = &cells[s];

		fprintf(f, "    {\"size\": %u, \"records\": %" PRIu64 ", "
			"\"core_records_per_s\": %.6g, \"ck_records_per_s\": %.6g, "
			"\"core_mb_per_s\": %.6g, \"ck_mb_per_s\": %.6g, "
			"\"memcpy_mb_per_s\": %.6g, \"core_over_ck\": %.6g, "
			"\"core_over_memcpy\": %.6g, "
			"\"one_cpu_core_ns\": %.6g, \"one_cpu_ck_ns\": %.6g, "
			"\"one_cpu_core_over_ck\": %.6g, ",
			c->size, c->records, c->m_core, c->m_ck,
			c->m_core * c->size / 1e6, c->m_ck * c->size / 1e6,
			c->m_cpy, c->m_core_ck, c->m_core_cpy, c->m_core_1cpu,
			c->m_ck_1cpu, c->m_1cpu_ratio);
		fprintf(f, "\"core_retries\": %" PRIu64 ", \"core_lost\": %"
			PRIu64 ", \"core_lost_records\": %" PRIu64
			", \"core_drops\": %" PRIu64 ", \"ck_retries\": %" PRIu64
			", \"ck_drops\": %" PRIu64 ", \"verified\": %" PRIu64
			", \"failures\": %" PRIu64 ", \"order\": [",
			c->core_retries, c->core_lost, c->core_lost_records,
			c->core_drops, c->ck_retries, c->ck_drops, c->verified,
			c->failures);
		for (unsigned int r = 0; r < o->rounds; r++)
			fprintf(f, "%s\"%s\"", r ? ", " : "", c->order[r]);
		fprintf(f, "],\n     \"per_round\": {");
		json_array(f, "core_records_per_s", c->core_rec_s, o->rounds,
			   false);
		json_array(f, "ck_records_per_s", c->ck_rec_s, o->rounds, false);
		json_array(f, "memcpy_mb_per_s", c->cpy_mb_s, o->rounds, false);
		json_array(f, "core_over_ck", c->core_ck, o->rounds, false);
		json_array(f, "core_over_memcpy", c->core_cpy, o->rounds, false);
		json_array(f, "one_cpu_core_ns", c->core_1cpu_ns, o->rounds,
			   false);
		json_array(f, "one_cpu_ck_ns", c->ck_1cpu_ns, o->rounds, true);
		fprintf(f, "}}%s\n", s + 1 < o->nsizes ? "," : "");
	}
	fprintf(f, "  ]");
	if (sig->ran) {
		fprintf(f, ",\n  \"signal\": {\"signals_per_round\": %" PRIu64
			", \"record_bytes\": %u, \"empty_ns\": %.6g, "
			"\"write_ns\": %.6g, \"nested_write_ns\": %.6g, "
			"\"failures\": %" PRIu64 ", ",
			o->signals, SIG_RECORD, sig->m_empty, sig->m_write,
			sig->m_diff, sig->failures);
		json_array(f, "empty_ns_per_round", sig->empty_ns, o->rounds,
			   false);
		json_array(f, "write_ns_per_round", sig->write_ns, o->rounds,
			   true);
		fprintf(f, "}");
	}
	fprintf(f, "\n}\n");
	return fclose(f) ? -errno : 0;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Fisher-Yates over the three contenders, from the run's seed. */
static void shuffle(enum contender *v, uint64_t *rng)
{
	for (int i = C_COUNT - 1; i > 0; i--) {
		int j = (int)(bench_xorshift64(rng) % (uint64_t)(i + 1));
		enum contender t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

/* Report a failed ring run; Return: true if it failed. */
static bool run_failed(const struct run *r, unsigned int round)
{
	const char *name = r->what == C_CORE ? "core" : "ck";

	if (r->read_err)
		printf("FAIL  size %u %s round %u: reader error %d (%s)\n",
		       r->size, name, round + 1, r->read_err,
		       uprb_read_strerror(r->read_err));
	if (r->bad)
		printf("FAIL  size %u %s round %u: %" PRIu64 " bad: %s\n",
		       r->size, name, round + 1, r->bad, r->first);
	return r->read_err || r->bad;
}

/*
 * The one-CPU cost of both rings at every size, @o->rounds times, the two
 * in an order drawn from @rng. Records per run: --records, or 32 MiB worth
 * (4096 to 1 Mi). Return: false after a failure (printed).
 */
static bool single_cpu_runs(const struct opts *o, struct cell *cells,
			    unsigned char *const *pre, uint64_t *rng)
{
	bool ok = true;

	for (unsigned int round = 0; round < o->rounds; round++) {
		for (unsigned int s = 0; s < o->nsizes; s++) {
			const struct sized_fns *f = sized_lookup(o->sizes[s]);
			struct cell *c = &cells[s];
			struct single_job j = {
				.pre = pre[s],
				.batch = single_batch(o->ring_bytes, c->size),
				.ring_bytes = o->ring_bytes,
			};
			bool ck_first = bench_xorshift64(rng) & 1;
			uint64_t want = o->records ? o->records :
					(32u << 20) / c->size;

			if (want < 4096)
				want = 4096;
			if (want > (1u << 20))
				want = 1u << 20;
			j.records = (want + j.batch - 1) / j.batch * j.batch;
			for (int k = 0; k < 2; k++) {
				bool ck = (k == 0) == ck_first;
				int err;

				if (ck && o->no_ck)
					continue;
				err = ck ? f->ck_single(&j, &c->ck_1cpu_ns[round])
					 : f->core_single(&j,
							  &c->core_1cpu_ns[round]);
				if (err) {
					printf("FAIL  size %u %s one-CPU round %u: %s\n",
					       c->size, ck ? "ck" : "core",
					       round + 1, strerror(-err));
					c->failures++;
					ok = false;
				}
			}
			c->ck_over_core_1cpu[round] = c->core_1cpu_ns[round] > 0 ?
				c->ck_1cpu_ns[round] / c->core_1cpu_ns[round] : 0;
		}
	}
	for (unsigned int s = 0; s < o->nsizes; s++) {
		struct cell *c = &cells[s];

		c->m_core_1cpu = bench_median(c->core_1cpu_ns, o->rounds);
		c->m_ck_1cpu = bench_median(c->ck_1cpu_ns, o->rounds);
		c->m_1cpu_ratio = bench_median(c->ck_over_core_1cpu, o->rounds);
	}
	return ok;
}

/* Records a core run of about @seconds moves (also the warm-up). */
static int calibrate(unsigned int size, const struct opts *o,
		     const unsigned char *pre, int wcpu, int rcpu, bool share,
		     uint64_t *records)
{
	struct run *r = aligned_alloc(64, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	run_setup(r, C_CORE, size, UINT64_MAX, o, pre, wcpu, rcpu, share);
	r->seconds = o->seconds;
	err = ring_run(r, o->ring_bytes);
	if (!err && run_failed(r, 0))
		err = -EPROTO;
	*records = (r->delivered + CLOCK_EVERY - 1) / CLOCK_EVERY * CLOCK_EVERY;
	if (*records < CLOCK_EVERY)
		*records = CLOCK_EVERY;
	free(r);
	return err;
}

/*
 * Measure and print the cache-line round trip between the two CPUs: the
 * floor of a record-by-record hand-off, and on a VM the figure that moves
 * when the host moves the vCPUs. Return: ns, or 0 when it failed.
 */
static double line_round_trip(int wcpu, int rcpu, const char *when)
{
	double ns = bench_line_round_trip_ns(rcpu, ROUND_TRIPS);

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

int main(int argc, char **argv)
{
	struct cell cells[MAX_SIZES];
	struct sig_result sig;
	unsigned char *src, *dst, *pre[MAX_SIZES];
	bool share, pin_warned = false, failed = false;
	double trip_ns[2] = { 0, 0 };  /* before and after the runs; 0: n/a */
	char *cmdline;
	uint64_t rng;
	struct opts o;
	int wcpu, rcpu, err;

	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	rng = o.seed ? o.seed : 1;
	cmdline = join_args(argc, argv);
	src = aligned_alloc(64, o.ring_bytes);
	dst = aligned_alloc(64, o.ring_bytes);
	if (!cmdline || !src || !dst) {
		fprintf(stderr, "uprb-bench: out of memory\n");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < o.ring_bytes; i++)
		src[i] = (unsigned char)(i * 131u + 7u);
	memset(dst, 0, o.ring_bytes);
	memset(cells, 0, sizeof(cells));
	memset(&sig, 0, sizeof(sig));
	for (unsigned int s = 0; s < o.nsizes; s++) {
		unsigned int size = o.sizes[s];

		cells[s].size = size;
		pre[s] = aligned_alloc(64, (size_t)size * NPRE);
		if (!pre[s]) {
			fprintf(stderr, "uprb-bench: out of memory\n");
			return EXIT_USAGE;
		}
		for (unsigned int k = 0; k < NPRE; k++)
			uprb_synth_build(pre[s] + (size_t)k * size, size, 0,
					 UPRB_LEVEL_TASK, 0, k);
	}

	bench_pick_cpus(&wcpu, &rcpu, &share);
	/* memcpy and the signal test run on the writer's CPU. */
	if (!bench_pin_self(wcpu))
		printf("note: cannot pin the main thread to CPU %d\n", wcpu);
	printf("uprb-bench: core vs ck_ring vs memcpy, %s (%s)\n",
	       BENCH_COMPILER, UPRB_BENCH_BUILD);
	printf("  command: %s\n", cmdline);
	printf("  seed %" PRIu64 ", %u round%s, ring %zu KiB (core: %zu pages of %u B, non-overwrite; ck_ring: same bytes in typed slots)\n",
	       o.seed, o.rounds, o.rounds == 1 ? "" : "s", o.ring_bytes / 1024,
	       o.ring_bytes / PAGE_SIZE_BYTES, PAGE_SIZE_BYTES);
	printf("  writer on CPU %d, reader on CPU %d%s; memcpy: one thread on CPU %d, %zu KiB chunks\n",
	       wcpu, rcpu, share ? " (SHARED CPU)" : "", wcpu,
	       o.ring_bytes / 1024);
	printf("  every %" PRIu64 "%s record read is verified (checksum, payload, order); readers pause %u time%s (%.2f us, measured) per poll of an empty ring\n",
	       o.verify_every, o.verify_every == 1 ? "st" : "th",
	       o.reader_idle, o.reader_idle == 1 ? "" : "s",
	       reader_idle_us(o.reader_idle, share));
	if (!share)
		trip_ns[0] = line_round_trip(wcpu, rcpu, "before the runs");

	for (unsigned int s = 0; s < o.nsizes; s++) {
		if (o.records) {
			cells[s].records = o.records;
			continue;
		}
		err = calibrate(o.sizes[s], &o, pre[s], wcpu, rcpu, share,
				&cells[s].records);
		if (err) {
			fprintf(stderr, "uprb-bench: calibration at %u B: %s\n",
				o.sizes[s], strerror(-err));
			return err == -EPROTO ? EXIT_FAILED : EXIT_USAGE;
		}
	}
	printf("  records per run:");
	for (unsigned int s = 0; s < o.nsizes; s++)
		printf(" %u B: %" PRIu64, o.sizes[s], cells[s].records);
	printf("%s\n", o.records ? "" : " (calibrated to ~--seconds-per-cell of core)");

	for (unsigned int round = 0; round < o.rounds; round++) {
		if (o.verbose || round == 0)
			printf("  order (c core, k ck_ring, m memcpy) round %u:",
			       round + 1);
		for (unsigned int s = 0; s < o.nsizes; s++) {
			enum contender order[C_COUNT] = { C_CORE, C_CK, C_MEMCPY };
			struct cell *c = &cells[s];
			double core_mb = 0;

			shuffle(order, &rng);
			for (int k = 0; k < C_COUNT; k++)
				c->order[round][k] = contender_letter[order[k]];
			c->order[round][C_COUNT] = 0;
			for (int k = 0; k < C_COUNT; k++) {
				struct run *r;
				double secs, rate;

				if (order[k] == C_MEMCPY) {
					uint64_t total = c->records * c->size;

					secs = bench_memcpy_run(dst, src, total,
								o.ring_bytes);
					c->cpy_mb_s[round] = (double)total /
						(secs > 0 ? secs : 1e-9) / 1e6;
					continue;
				}
				if (order[k] == C_CK && o.no_ck)
					continue;
				r = aligned_alloc(64, sizeof(*r));
				if (!r) {
					fprintf(stderr, "uprb-bench: out of memory\n");
					return EXIT_USAGE;
				}
				run_setup(r, order[k], c->size, c->records, &o,
					  pre[s], wcpu, rcpu, share);
				err = ring_run(r, o.ring_bytes);
				if (err) {
					fprintf(stderr, "uprb-bench: ring setup: %s\n",
						strerror(-err));
					return EXIT_USAGE;
				}
				if (r->pin_failed && !pin_warned) {
					printf("note: pinning a thread failed; it runs where the scheduler puts it\n");
					pin_warned = true;
				}
				secs = bench_ts_diff(&r->t0, &r->t1);
				rate = (double)r->delivered /
				       (secs > 0 ? secs : 1e-9);
				if (order[k] == C_CORE) {
					c->core_rec_s[round] = rate;
					c->core_retries += r->retries;
					c->core_drops += r->drops;
					c->core_lost += r->lost_sum;
					c->core_lost_records += r->lost_records;
				} else {
					c->ck_rec_s[round] = rate;
					c->ck_retries += r->retries;
					c->ck_drops += r->drops;
				}
				c->verified += r->verified;
				if (run_failed(r, round)) {
					c->failures += r->bad + !!r->read_err;
					failed = true;
				}
				if (o.verbose)
					printf("\n    size %4u %-4s %12.0f rec/s retries %" PRIu64
					       " drops %" PRIu64 " LOST %" PRIu64,
					       c->size,
					       order[k] == C_CORE ? "core" : "ck",
					       rate, r->retries, r->drops,
					       r->lost_sum);
				free(r);
			}
			core_mb = c->core_rec_s[round] * c->size / 1e6;
			c->core_ck[round] = c->ck_rec_s[round] > 0 ?
				c->core_rec_s[round] / c->ck_rec_s[round] : 0;
			c->core_cpy[round] = core_mb / c->cpy_mb_s[round];
			if (o.verbose || round == 0)
				printf(" %u:%s", c->size, c->order[round]);
		}
		if (o.verbose || round == 0)
			printf("%s\n", round == 0 && !o.verbose && o.rounds > 1 ?
				       " (all rounds: --json or --verbose)" : "");
	}
	for (unsigned int s = 0; s < o.nsizes; s++) {
		struct cell *c = &cells[s];

		c->m_core = bench_median(c->core_rec_s, o.rounds);
		c->m_ck = bench_median(c->ck_rec_s, o.rounds);
		c->m_cpy = bench_median(c->cpy_mb_s, o.rounds);
		c->m_core_ck = bench_median(c->core_ck, o.rounds);
		c->m_core_cpy = bench_median(c->core_cpy, o.rounds);
	}

	if (!single_cpu_runs(&o, cells, pre, &rng))
		failed = true;

	if (o.signals) {
		err = sig_bench(&o, &rng, &sig);
		if (err) {
			fprintf(stderr, "uprb-bench: signal test: %s\n",
				strerror(-err));
			return EXIT_USAGE;
		}
		if (sig.failures) {
			printf("FAIL  signal test: %" PRIu64 " of %" PRIu64
			       " records bad or missing\n", sig.failures,
			       (uint64_t)o.rounds * o.signals);
			failed = true;
		}
	}

	if (!share)
		trip_ns[1] = line_round_trip(wcpu, rcpu, "after the runs");
	printf("\nmedians of %u rounds; ratios are medians of per-round ratios (same run, same compiler)\n",
	       o.rounds);
	printf("  size   core rec/s     ck_ring rec/s  memcpy MB/s   core MB/s   core/ck  core/memcpy\n");
	for (unsigned int s = 0; s < o.nsizes; s++) {
		const struct cell *c = &cells[s];

		printf("  %4u  %13.0f  %13.0f  %11.0f  %10.0f  %8.2f  %10.1f%%\n",
		       c->size, c->m_core, c->m_ck, c->m_cpy,
		       c->m_core * c->size / 1e6, c->m_core_ck,
		       100.0 * c->m_core_cpy);
	}
	printf("\n  size  core retries   core LOST (records)  core drops  ck retries  ck drops  verified  failures\n");
	for (unsigned int s = 0; s < o.nsizes; s++) {
		const struct cell *c = &cells[s];

		printf("  %4u  %12" PRIu64 "  %10" PRIu64 " (%6" PRIu64 ")  %10" PRIu64
		       "  %10" PRIu64 "  %8" PRIu64 "  %8" PRIu64 "  %8" PRIu64 "\n",
		       c->size, c->core_retries, c->core_lost,
		       c->core_lost_records, c->core_drops, c->ck_retries,
		       c->ck_drops, c->verified, c->failures);
	}
	printf("  (retries: refused writes tried again; each refusal of the core is a kernel-style\n"
	       "   drop reported by a PERF_RECORD_LOST, so LOST = retries + drops; drops: given up)\n");
	printf("\none CPU, no cross-core traffic (a batch written, then read back), medians of %u rounds:\n",
	       o.rounds);
	printf("  size   core ns/rec   ck_ring ns/rec   core/ck (speed)\n");
	for (unsigned int s = 0; s < o.nsizes; s++) {
		const struct cell *c = &cells[s];

		printf("  %4u  %12.1f  %15.1f  %16.2f\n", c->size,
		       c->m_core_1cpu, c->m_ck_1cpu, c->m_1cpu_ratio);
	}
	if (sig.ran)
		printf("\nsignal-delivered write (pthread_kill to self, %" PRIu64
		       " per mode and round, medians): empty handler %.0f ns, handler writing %u B %.0f ns, nested write %.0f ns\n",
		       o.signals, sig.m_empty, SIG_RECORD, sig.m_write,
		       sig.m_diff);
	if (o.json) {
		err = write_json(o.json, &o, cmdline, cells, &sig, wcpu, rcpu,
				 share, trip_ns, failed);
		if (err) {
			fprintf(stderr, "uprb-bench: %s: %s\n", o.json,
				strerror(-err));
			failed = true;
		} else {
			printf("json: %s\n", o.json);
		}
	}
	printf("result: %s\n", failed ? "FAIL" : "ok");

	for (unsigned int s = 0; s < o.nsizes; s++)
		free(pre[s]);
	free(src);
	free(dst);
	free(cmdline);
	return failed ? EXIT_FAILED : 0;
}
