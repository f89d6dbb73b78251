/* SPDX-License-Identifier: MIT */
/*
 * rloop.c - the reader of one per-CPU kernel ring, on its own thread.
 *
 * Forward (non-overwrite): sleep in poll(2) until the watermark wakes us
 * (or 100 ms pass), then drain with the core's reader: read_init, then
 * read_event / check / consume per record (libperf's bracket), read_done.
 * Backward (overwrite): the same wake-ups start a pause-read-resume window:
 * read_init pauses the ring (PERF_EVENT_IOC_PAUSE_OUTPUT), the records come
 * newest first, read_done resumes. A window whose span exceeds the ring
 * lapped: older records were overwritten, legitimately (counted).
 *
 * Validation (unless --no-validate, the bare reader of --bench): every
 * record through uprb_check_record() with the run's layout (sizes, LOST
 * layout and id, SAMPLE layout for the sample_type, sample_id trailers),
 * and per sample: its identifier is one of the ring's events, its CPU is
 * the ring's CPU, time order (forward).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kstress.h"

atomic_bool ks_stop;

void ks_ring_fail(struct ks_ring *r, const char *fmt, ...)
{
	va_list ap;

	if (r->in_window) {
		if (!r->win_failures++) {
			va_start(ap, fmt);
			vsnprintf(r->win_first, sizeof(r->win_first), fmt, ap);
			va_end(ap);
		}
		if (r->win_failures == 1 || r->cur_end < r->win_min_end)
			r->win_min_end = r->cur_end;
		return;
	}
	if (!r->failures++) {
		va_start(ap, fmt);
		vsnprintf(r->first, sizeof(r->first), fmt, ap);
		va_end(ap);
	}
	atomic_store_explicit(&r->pub_failures, r->failures,
			      memory_order_relaxed);
}

int ks_read_counts(struct ks_event *e)
{
	uint64_t v[3];

	if (read(e->fd, v, sizeof(v)) != (ssize_t)sizeof(v))
		return -errno ? -errno : -EIO;
	if (v[1] != e->id)
		return -EPROTO;
	e->value = v[0];
	e->lost_kernel = v[2];
	e->have_read = true;
	return 0;
}

static struct ks_event *event_of(struct ks_ring *r, uint64_t id)
{
	for (unsigned int i = 0; i < r->nev; i++)
		if (r->ev[i].id == id)
			return &r->ev[i];
	return NULL;
}

static void capture(struct ks_ring *r, const struct perf_event_header *ev)
{
	if (r->cap_len + ev->size > r->cap_size) {
		r->cap_dropped++;
		return;
	}
	memcpy(r->cap + r->cap_len, ev, ev->size);
	r->cap_len += ev->size;
}

static void handle(struct ks_ring *r, const struct perf_event_header *ev,
		   uint64_t pos)
{
	struct uprb_sample s;
	struct ks_event *e;
	const char *why = NULL;
	uint64_t v[2];

	r->records++;
	r->bytes += ev->size;
	r->cur_end = pos + ev->size;
	if (r->cap)
		capture(r, ev);
	if (!r->validate) {
		if (ev->type == PERF_RECORD_SAMPLE)
			r->samples++;
		else if (ev->type == PERF_RECORD_LOST && ev->size >= 24) {
			memcpy(v, (const unsigned char *)ev + 8, sizeof(v));
			r->lost_records++;
			r->lost_sum += v[1];
		}
		return;
	}
	/*
	 * A SAMPLE is parsed once, here, with what uprb_check_record() would
	 * check (size, then the layout); everything else goes through it.
	 */
	if (ev->type != PERF_RECORD_SAMPLE) {
		if (uprb_check_record(&r->c, ev, pos))
			ks_ring_fail(r, "cpu %d: %s", r->cpu, r->c.what);
	} else if (ev->size < 8 || ev->size > UPRB_MAX_RECORD || (ev->size & 7)) {
		ks_ring_fail(r, "cpu %d pos %" PRIu64 ": SAMPLE size %u (not 8..%u, a multiple of 8)",
			     r->cpu, pos, ev->size, UPRB_MAX_RECORD);
		r->samples++;
		return;
	}

	switch (ev->type) {
	case PERF_RECORD_SAMPLE:
		r->samples++;
		if (uprb_parse_sample(ev, &r->layout, &s, &why)) {
			ks_ring_fail(r, "cpu %d pos %" PRIu64 ": SAMPLE size %u: %s%s",
				     r->cpu, pos, ev->size, why ? why : "malformed",
				     why && strstr(why, "left over") ?
				     " (longer than its sample_type: another event matching the same software event on this CPU, with regs/stack/callchain/raw, lent it its dyn_size; README Findings)" : "");
			return;
		}
		e = event_of(r, s.identifier);
		if (!e) {
			/*
			 * A well-formed sample in our ring carrying an id of
			 * none of our events: the software-event path's
			 * shared perf_sample_data (findings/identical-sw-ids/REPORT.md).
			 */
			r->foreign_ids++;
		} else {
			e->samples++;
			e->bytes += ev->size;
		}
		if ((r->layout.sample_type & PERF_SAMPLE_ID) && s.id != s.identifier)
			ks_ring_fail(r, "cpu %d pos %" PRIu64 ": SAMPLE id %" PRIu64
				     " != identifier %" PRIu64, r->cpu, pos,
				     s.id, s.identifier);
		if ((r->layout.sample_type & PERF_SAMPLE_CPU) &&
		    s.cpu != (uint32_t)r->cpu) {
			r->cpu_mismatch++;
			ks_ring_fail(r, "cpu %d pos %" PRIu64 ": SAMPLE from cpu %" PRIu32
				     " in the ring of cpu %d", r->cpu, pos, s.cpu,
				     r->cpu);
		}
		if ((r->layout.sample_type & PERF_SAMPLE_TIME) && !r->backward) {
			if (s.time < r->last_time) {
				uint64_t d = r->last_time - s.time;

				r->time_inversions++;
				if (d > r->max_inversion_ns)
					r->max_inversion_ns = d;
			} else {
				r->last_time = s.time;
			}
		}
		break;
	case PERF_RECORD_LOST:
		r->lost_records++;
		if (ev->size >= 24) {
			memcpy(v, (const unsigned char *)ev + 8, sizeof(v));
			r->lost_sum += v[1];
		}
		break;
	case PERF_RECORD_THROTTLE:
		/* time, id, stream_id */
		if (ev->size >= 32) {
			memcpy(v, (const unsigned char *)ev + 16, 8);
			e = event_of(r, v[0]);
			if (e)
				e->throttles++;
		}
		r->other++;
		break;
	default:
		r->other++;
		break;
	}
}

static void publish(struct ks_ring *r)
{
	atomic_store_explicit(&r->pub_samples, r->samples, memory_order_relaxed);
	atomic_store_explicit(&r->pub_bytes, r->bytes, memory_order_relaxed);
	atomic_store_explicit(&r->pub_lost, r->lost_sum, memory_order_relaxed);
	atomic_store_explicit(&r->pub_wakeups, r->wakeups, memory_order_relaxed);
}

/*
 * End of a backward window (still paused): a writer that was inside
 * perf_output_begin..end on the ring's CPU when the pause was set finishes
 * its record afterwards (the ioctl does not wait for it) and publishes it
 * below the head we read, which is the same memory as the top (oldest end)
 * of a full window. Failures all inside that span are its doing.
 */
static void window_end(struct ks_ring *r, uint64_t head)
{
	uint64_t now, moved, limit, t0;

	r->in_window = false;
	if (!r->win_failures)
		return;
	/*
	 * Give a writer still in flight up to 50 ms to publish its record
	 * (a vCPU can be descheduled by the host in the middle of one).
	 */
	t0 = stress_mono_ns();
	do {
		now = __atomic_load_n(&r->k.rd.pc->data_head, __ATOMIC_ACQUIRE);
		if (now != head)
			break;
		sched_yield();
	} while (stress_mono_ns() - t0 < 50000000);
	moved = head - now;
	limit = head + r->k.rd.size - moved;
	if (moved && moved <= r->k.rd.size && r->win_min_end > limit) {
		r->inflight_overwritten += r->win_failures;
		r->inflight_windows++;
	} else {
		char buf[400];

		snprintf(buf, sizeof(buf), "%s (backward window at head %" PRIu64
			 ", %" PRIu64 " B published after the pause)", r->win_first,
			 head, moved);
		r->failures += r->win_failures - 1;
		ks_ring_fail(r, "%s", buf);
	}
	r->win_failures = 0;
}

static void read_error(struct ks_ring *r, int rc)
{
	r->read_errors++;
	/*
	 * Where the reader met the bad header: read_event's at start; one
	 * met by read_init's find-range walk of a lapped window lies
	 * somewhere up to the top of the ring.
	 */
	r->cur_end = r->k.rd.start + 8;
	if (r->backward && r->k.rd.start == r->k.rd.head)
		r->cur_end = r->k.rd.head + r->k.rd.size;
	ks_ring_fail(r, "cpu %d: reader: %s (window %" PRIu64 "..%" PRIu64
		     ", head %" PRIu64 ")", r->cpu, uprb_read_strerror(rc),
		     r->k.rd.start, r->k.rd.end, r->k.rd.head);
	/* Judge the window while still paused, then skip to data_head. */
	if (r->in_window)
		window_end(r, r->k.rd.head);
	uprb_read_resync(&r->k.rd);
	r->resyncs++;
}

/* Forward: everything up to data_head. Backward: one window. */
void ks_ring_drain(struct ks_ring *r)
{
	const struct perf_event_header *ev;
	struct uprb_reader *rd = &r->k.rd;
	int rc;

	for (;;) {
		uint64_t prev = rd->prev, head;

		r->in_window = r->backward && r->validate;
		rc = uprb_read_init(rd);
		head = rd->head;
		if (rc == -EAGAIN) {
			r->in_window = false;
			break;
		}
		if (rc) {
			read_error(r, rc);
			break;
		}
		r->windows++;
		/* Backward: data_head counts down, prev is the last head. */
		if (r->backward && prev - rd->head > rd->size)
			r->lapped++;
		while ((rc = uprb_read_event(rd, &ev)) == 1) {
			handle(r, ev, rd->start - ev->size);
			if (!r->backward)
				uprb_consume(rd);
		}
		if (rc) {
			read_error(r, rc);
			break;
		}
		if (r->in_window)
			window_end(r, head);
		uprb_read_done(rd);
		if (r->backward)
			break;
	}
	publish(r);
}

void *ks_reader_main(void *arg)
{
	struct ks_ring *r = arg;
	struct pollfd pfd = { .fd = r->ev[0].fd, .events = POLLIN };

	while (!atomic_load_explicit(&ks_stop, memory_order_relaxed)) {
		int n = poll(&pfd, 1, 100);

		r->polls++;
		if (n > 0 && (pfd.revents & POLLIN))
			r->wakeups++;
		ks_ring_drain(r);
		/* A slow reader, but one that stops when told. */
		for (uint64_t t = 0; t < r->sleep_ns &&
		     !atomic_load_explicit(&ks_stop, memory_order_relaxed);
		     t += 10000000)
			stress_sleep_ns(r->sleep_ns - t < 10000000 ?
					r->sleep_ns - t : 10000000);
		/* A dead event (the command's task exited) keeps saying HUP. */
		if (n > 0 && (pfd.revents & (POLLHUP | POLLERR)))
			stress_sleep_ns(10000000);
	}
	{
		struct timespec ts;

		if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
			r->cpu_ns = (uint64_t)ts.tv_sec * 1000000000ull +
				    (uint64_t)ts.tv_nsec;
	}
	return NULL;
}
