/* SPDX-License-Identifier: MIT */
/*
 * consumer.c - the consumer thread of a ring: the core's reader, every
 * record through the checker, and for backward rings the pause callback
 * that makes a window safe to read.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "core_stress.h"
#include "rng.h"
#include "uprb/uprb_reader.h"

/* --wakeup: longest sleep on the eventfd, so that the end is noticed. */
#define WAKE_TIMEOUT_MS 10
/* Backward --poll: mean run time between two pause-read windows. */
#define CYCLE_NS 2000000ull
/* Consumer: publish progress figures every so many records. */
#define PUBLISH_EVERY 4096u
/* Empty polls before a busy consumer yields (2 CPUs, 2N busy threads). */
#define SPINS_BEFORE_YIELD 64

/* Record a failure on @r (consumer or main, never a writer). */
void cs_ring_fail(struct ring_ctx *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->failures++) {
		va_start(ap, fmt);
		vsnprintf(r->first, sizeof(r->first), fmt, ap);
		va_end(ap);
	}
	atomic_store_explicit(&g_failed, true, memory_order_relaxed);
}

static bool writers_done(struct ring_ctx *r)
{
	return atomic_load_explicit(&r->producer_done, memory_order_acquire) &&
	       (!r->have_intruder ||
		atomic_load_explicit(&r->intruder_done, memory_order_acquire));
}

/*
 * The reader's pause callback (backward reading). The pause itself is one
 * store, as PERF_EVENT_IOC_PAUSE_OUTPUT is; a writer already past its
 * paused check still finishes its record. On an overwrite ring that record
 * lands on the oldest data of the window about to be read, so there we
 * also wait until the producer passes a task-level write boundary, where
 * none of its writers is in flight: every record then read must be valid.
 */
static int reader_pause(void *arg, bool pause)
{
	struct ring_ctx *r = arg;
	int err = uprb_ring_pause(r->rb, pause);
	uint64_t req;
	int spins = 0;

	if (!pause)
		return err;
	r->pauses++;
	if (!r->o->overwrite)
		return err;
	/* Orders the paused store before the request (the producer acquires). */
	req = atomic_fetch_add_explicit(&r->pause_req, 1,
					memory_order_release) + 1;
	while (atomic_load_explicit(&r->pause_ack, memory_order_acquire) < req &&
	       !atomic_load_explicit(&r->producer_done, memory_order_acquire)) {
		if (++spins > SPINS_BEFORE_YIELD)
			sched_yield();
		else
			cs_cpu_relax();
	}
	return err;
}

static void publish(struct ring_ctx *r)
{
	uint64_t delivered = 0;

	for (int l = 0; l < NLEVELS; l++) {
		uint64_t n = 0;

		for (int s = 0; s < NSOURCES; s++)
			n += r->c.streams[s * UPRB_LEVEL_COUNT + l].delivered;
		atomic_store_explicit(&r->pub_level[l], n, memory_order_relaxed);
		delivered += n;
	}
	atomic_store_explicit(&r->pub_records, delivered, memory_order_relaxed);
	atomic_store_explicit(&r->pub_lost, r->c.lost_sum, memory_order_relaxed);
	atomic_store_explicit(&r->pub_failures, r->failures,
			      memory_order_relaxed);
}

/*
 * The checker, plus what only this harness knows: a synthetic record says
 * which ring (cpu) and which source wrote it, and source = level here
 * (the intruder writes at task level).
 */
static void check_one(struct ring_ctx *r, const struct perf_event_header *ev,
		      uint64_t pos)
{
	struct uprb_synth s;
	unsigned int level, cpu;

	if (uprb_check_record(&r->c, ev, pos)) {
		cs_ring_fail(r, "ring %u: %s", r->idx, r->c.what);
		return;
	}
	if (ev->type != UPRB_RECORD_SYNTH)
		return;
	memcpy(&s, ev, sizeof(s));
	level = s.header.misc & 0xff;
	cpu = s.header.misc >> 8;
	if (cpu != r->idx ||
	    (s.source != level &&
	     !(s.source == INTRUDER_SOURCE && level == UPRB_LEVEL_TASK)))
		cs_ring_fail(r, "ring %u: pos %" PRIu64 ": record of cpu %u "
			     "source %u level %u (seq %" PRIu32 ") in the wrong "
			     "place", r->idx, pos, cpu, s.source, level, s.seq);
}

/* Nothing to read: wait in the way the options say. */
static void consumer_idle(struct ring_ctx *r, int *spins)
{
	if (r->o->wakeup) {
		struct pollfd pfd = { .fd = r->efd, .events = POLLIN };
		uint64_t v;
		int n = poll(&pfd, 1, WAKE_TIMEOUT_MS);

		if (n > 0 && read(r->efd, &v, sizeof(v)) == sizeof(v))
			r->woken++;
		else if (n == 0)
			r->timeouts++;
		return;
	}
	if (r->o->backward) {
		/* Each window pauses the writer: let it run in between. */
		stress_sleep_ns(CYCLE_NS / 2 +
				(uint64_t)(stress_rng_unit(&r->rng) * CYCLE_NS));
		return;
	}
	if (++*spins > SPINS_BEFORE_YIELD) {
		*spins = 0;
		sched_yield();
	} else {
		cs_cpu_relax();
	}
}

/* One window: every record to the checker, space back as we go. */
static void drain_window(struct ring_ctx *r, struct uprb_reader *rd,
			 uint64_t consume_every, uint32_t *unpublished,
			 int *rc)
{
	const struct perf_event_header *ev;
	uint64_t since = 0;

	r->windows++;
	while ((*rc = uprb_read_event(rd, &ev)) == 1) {
		check_one(r, ev, rd->start - ev->size);
		since += ev->size;
		if (since >= consume_every) {
			uprb_consume(rd);
			since = 0;
		}
		if (++*unpublished >= PUBLISH_EVERY) {
			publish(r);
			*unpublished = 0;
		}
	}
	uprb_consume(rd);
	uprb_read_done(rd);
}

void *cs_consumer_main(void *arg)
{
	struct ring_ctx *r = arg;
	struct uprb_reader_opts ro = {
		.sz = sizeof(ro),
		.overwrite = r->o->overwrite,
		.backward = r->o->backward,
		.pause = reader_pause,
		.pause_arg = r,
	};
	/* Give space back in quarters of the ring, at most 16 KiB apart. */
	uint64_t consume_every = r->rb->data_size / 4 < 16384 ?
				 r->rb->data_size / 4 : 16384;
	struct uprb_reader rd;
	uint32_t unpublished = 0;
	int spins = 0, rc;

	rc = uprb_reader_init(&rd, uprb_ring_base(r->rb), uprb_ring_len(r->rb),
			      &ro);
	if (rc) {
		cs_ring_fail(r, "ring %u: reader init: %s", r->idx,
			     uprb_read_strerror(rc));
		return NULL;
	}
	cs_wait_go();
	for (;;) {
		/*
		 * done before data_head: if the writers had finished before
		 * this load, the head read below covers all their records.
		 */
		bool fin = writers_done(r);

		rc = uprb_read_init(&rd);
		if (rc == -EAGAIN) {
			if (fin)
				break;
			consumer_idle(r, &spins);
			continue;
		}
		spins = 0;
		if (!rc)
			drain_window(r, &rd, consume_every, &unpublished, &rc);
		if (rc) {
			/* Sticky: report, skip to data_head, go on. */
			r->read_errors++;
			cs_ring_fail(r, "ring %u: reader: %s (%d) at %" PRIu64
				     ", data_head %" PRIu64, r->idx,
				     uprb_read_strerror(rc), rc, rd.start,
				     (uint64_t)rd.head);
			uprb_read_resync(&rd);
			r->resyncs++;
		}
		publish(r);
		unpublished = 0;
		if (r->o->backward && !r->o->wakeup && !fin)
			consumer_idle(r, &spins);
	}
	publish(r);
	uprb_reader_fini(&rd);
	return NULL;
}
