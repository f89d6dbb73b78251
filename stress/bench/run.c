/* SPDX-License-Identifier: MIT */
/*
 * run.c - one two-thread run of a ring (core or ck) and what must hold
 * after it: every record delivered or given up, sampled records in order,
 * and for the core exact loss conservation. Calibration is a timed run.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cpus.h"
#include "uprb/uprb_reader.h"

/* Run @r (core or ck) with its two threads. Return: 0 or -errno. */
int bench_ring_run(struct run *r, size_t ring_bytes)
{
	const struct sized_fns *f = bench_sized(r->size);
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
			stress_relax(true);
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

void bench_run_setup(struct run *r, enum contender what, unsigned int size,
		     uint64_t records, const struct bench_opts *o,
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

/* Report a failed ring run; Return: true if it failed. */
bool bench_run_failed(const struct run *r, unsigned int round)
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
 * --records for size @s: what a core run of about --seconds-per-cell moves
 * (also the warm-up). Return: 0 or -errno; -EPROTO: the run failed.
 */
int bench_calibrate(struct bench *b, unsigned int s)
{
	struct run *r = aligned_alloc(64, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	bench_run_setup(r, C_CORE, b->o.sizes.v[s], UINT64_MAX, &b->o, b->pre[s],
			b->wcpu, b->rcpu, b->share);
	r->seconds = b->o.seconds;
	err = bench_ring_run(r, b->o.ring_bytes);
	if (!err && bench_run_failed(r, 0))
		err = -EPROTO;
	b->cells[s].records = (r->delivered + CLOCK_EVERY - 1) / CLOCK_EVERY *
			      CLOCK_EVERY;
	if (b->cells[s].records < CLOCK_EVERY)
		b->cells[s].records = CLOCK_EVERY;
	free(r);
	return err;
}
