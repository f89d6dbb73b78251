/* SPDX-License-Identifier: MIT */
/*
 * sized.c - the timed loops of uprb-bench: both rings' writer and reader
 * threads and one-CPU runs, instantiated per record size with the size a
 * compile-time constant, as ck's typed rings need: the copies in and out
 * become fixed-size moves for both rings (the kernel's perf_output_put()
 * copies are sizeof()s too). bench.h says what is measured.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "clock.h"
#include "cpus.h"
#include "stats.h"
#include "stop.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"

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
		stress_relax(r->share_cpu);
}

static void writer_start(struct run *r, double *limit)
{
	if (!stress_pin_self(r->wcpu))
		r->pin_failed = true;
	wait_go(r);
	*limit = r->seconds > 0 ? stress_now() + r->seconds : 0;
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
			stress_relax(r->share_cpu);
		}
		if (tries == RETRY_LIMIT) {
			drops++;
			continue;
		}
		uprb_output_copy(&h, rec, size);
		uprb_output_end(&h);
		if (i % CLOCK_EVERY == CLOCK_EVERY - 1 &&
		    ((limit > 0 && stress_now() > limit) || stress_stopping())) {
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
		stress_relax(r->share_cpu);
}

/* What one reader_idle() of @pauses takes here, in us (median of 7). */
double bench_reader_idle_us(unsigned int pauses, bool share)
{
	struct run r = { .reader_idle = pauses, .share_cpu = share };
	double us[7];

	for (int k = 0; k < 7; k++) {
		double t0 = stress_now();

		for (int i = 0; i < 100; i++)
			reader_idle(&r);
		us[k] = (stress_now() - t0) * 1e6 / 100;
	}
	return stress_median(us, 7);
}

static bool reader_start(struct run *r)
{
	if (!stress_pin_self(r->rcpu))
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
int bench_ring_new(struct uprb_ring **rb, size_t ring_bytes)
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


/* Records per batch: a quarter of the ring at most, 64 at most. */
unsigned int bench_single_batch(size_t ring_bytes, unsigned int size)
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
	*ns = stress_ts_diff(&t0, &t1) * 1e9 / (double)(n ? n : 1);
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
			stress_relax(r->share_cpu);			\
		}							\
		if (tries == RETRY_LIMIT) {				\
			drops++;					\
			continue;					\
		}							\
		if (i % CLOCK_EVERY == CLOCK_EVERY - 1 &&		\
		    ((limit > 0 && stress_now() > limit) ||		\
		     stress_stopping())) {				\
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
	*ns = stress_ts_diff(&t0, &t1) * 1e9 / (double)(n_ ? n_ : 1);	\
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


#define SIZED(n) { n, core_writer_##n, core_reader_##n, ck_writer_##n,	\
		   ck_reader_##n, core_single_##n, ck_single_##n }
static const struct sized_fns sized_table[] = {
	SIZED(16), SIZED(32), SIZED(64), SIZED(128), SIZED(256), SIZED(512),
	SIZED(1024), SIZED(2048), SIZED(4096),
};

const struct sized_fns *bench_sized(unsigned int size)
{
	for (size_t i = 0; i < sizeof(sized_table) / sizeof(sized_table[0]); i++)
		if (sized_table[i].size == size)
			return &sized_table[i];
	return NULL;
}
