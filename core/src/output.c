/* SPDX-License-Identifier: MIT */
/*
 * output.c - the writer: a port of the kernel's perf output path
 * (__perf_output_begin, perf_output_put_handle, __output_copy, ...).
 *
 * The protocol between the writers of one CPU and the reader (user space),
 * with its barriers lettered as in the kernel:
 *
 *   writer                               reader
 *   ------                               ------
 *   tail = data_tail;           (A)      head = data_head;          (C)
 *   if (space(head, tail) >= size)       read records in [tail, head)
 *           write the record             data_tail = new tail;      (D)
 *   data_head = head;           (B)
 *
 *   A matches D: the writer's stores into space the reader gave back must
 *      come after the reader's loads of what was there. The kernel relies on
 *      the control dependency from the tail load to the stores; C11 has no
 *      such thing, so the tail load is a load-acquire (site A_tail_load).
 *   B matches C: every byte of every finished record is visible before the
 *      data_head that covers it (store-release, site B_head_store).
 *   C and D live in reader.c (load-acquire of data_head, store-release of
 *      data_tail).
 *   P (not in the kernel, whose pause is an ioctl): the pause flag is a
 *      store-release in uprb_ring_pause() and a load-acquire here, so a
 *      backward reader's loads of a paused window come before the writer's
 *      stores once it resumes: on an overwrite ring nothing else orders them.
 *
 * Between nested writers of one CPU (task < softirq < hardirq < NMI, strictly
 * LIFO) ordering is program order, so put_handle needs only compiler
 * barriers, each there for one race that an interrupt could otherwise win
 * (docs/ring.md#24-end-publishing-the-head): see the comments in
 * output_put_handle().
 *
 * Every shared access goes through the seam (port.h) with its site label;
 * the sim build can therefore run a nested writer at any of them.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "uprb/port.h"
#include "uprb/uprb.h"

#define unlikely(x) __builtin_expect(!!(x), 0)

/* Free bytes for a writer at @head given the reader at @tail (CIRC_SPACE). */
static inline uint64_t circ_space(uint64_t head, uint64_t tail, uint64_t size)
{
	return (tail - (head + 1)) & (size - 1);
}

/* Inlined into uprb_output_end(): the publication is on every record's path. */
static inline __attribute__((always_inline)) void
output_put_handle(struct uprb_handle *h)
{
	struct uprb_ring *rb = h->rb;
	uint64_t head;
	uint32_t nest;

	nest = uprb_read_once32(UPRB_SITE_NEST_PUT_LOAD, &rb->nest);
	if (nest > 1) {
		/* Inner writer: the outermost one publishes for us. */
		uprb_write_once32(UPRB_SITE_NEST_PUT_DEC, &rb->nest, nest - 1);
		return;
	}
again:
	/*
	 * Read head only now that nest is non-zero: an interrupt between an
	 * earlier read and our nest increment would have published a newer
	 * head, which our older value would then move backwards.
	 */
	uprb_barrier(UPRB_SITE_PUT_BARRIER_1);
	head = uprb_read_once64(UPRB_SITE_PUT_HEAD_LOAD, &rb->head);

	/* B, matches C: data (ours and finished nested writers') before head. */
	uprb_store_release64(UPRB_SITE_B_HEAD_STORE, &rb->user_page->data_head,
			     head);

	/*
	 * Publish before clearing nest: an interrupt after the clear publishes
	 * a newer head, which our store must not then overwrite.
	 */
	uprb_barrier(UPRB_SITE_PUT_BARRIER_2);
	uprb_write_once32(UPRB_SITE_NEST_CLEAR, &rb->nest, 0);

	/*
	 * Clear nest before re-checking head: an interrupt between the
	 * re-check and the clear would see nest == 2, not publish, and leave
	 * its record unpublished until the next write.
	 */
	uprb_barrier(UPRB_SITE_PUT_BARRIER_3);
	if (uprb_read_once64(UPRB_SITE_PUT_HEAD_RECHECK, &rb->head) != head) {
		/* An interrupt reserved and finished after our head load. */
		uprb_write_once32(UPRB_SITE_NEST_AGAIN, &rb->nest, 1);
		goto again;
	}

	if (h->wakeup != uprb_read_once64(UPRB_SITE_WAKEUP_CHECK, &rb->wakeup) &&
	    rb->wakeup_fn)
		rb->wakeup_fn(rb, rb->wakeup_arg);
}

/*
 * The PERF_RECORD_LOST in front of a record, in the reservation just made
 * (perf_output_begin's lost_event). Out of line: drops are the exception
 * and its stack buffers stay off the hot path.
 */
static __attribute__((noinline, cold)) void
output_lost(struct uprb_handle *h, const struct uprb_source *src)
{
	struct {
		struct perf_event_header header;
		uint64_t id;
		uint64_t lost;
	} lost_event;
	unsigned char trailer[UPRB_MAX_ID_HEADER];
	size_t n = 0;

	if (src->sample_id_all)
		n = uprb_source_sample_id(src, trailer);
	lost_event.header.type = PERF_RECORD_LOST;
	lost_event.header.misc = 0;
	lost_event.header.size = (uint16_t)(sizeof(lost_event) + n);
	lost_event.id = src->id;
	/* May be 0: a nested writer can report the drops first. */
	lost_event.lost =
		uprb_local_xchg64(UPRB_SITE_LOST_XCHG, &h->rb->lost, 0);
	uprb_output_copy(h, &lost_event, sizeof(lost_event));
	uprb_output_copy(h, trailer, (unsigned int)n);
}

/* A write to a paused ring: counted before nest is touched. */
static __attribute__((noinline, cold)) int
output_paused(struct uprb_ring *rb, struct uprb_source *src)
{
	/* A ring without pages counts nothing. */
	if (rb->nr_pages) {
		uprb_local_add64(UPRB_SITE_LOST_ADD_PAUSED, &rb->lost, 1);
		uprb_local_add64(UPRB_SITE_SOURCE_LOST_ADD, &src->lost_samples,
				 1);
	}
	return -ENOSPC;
}

/*
 * A refused reservation (no room, or an oversized record on a drop-oversize
 * overwrite ring): count the drop, then unwind nest as an end would (a
 * nested writer's head may need publishing). Out of line: it keeps the
 * reservation small enough for LTO to inline into callers.
 */
static __attribute__((noinline, cold)) int
output_refused(struct uprb_handle *h, struct uprb_ring *rb,
	       struct uprb_source *src)
{
	uprb_local_add64(UPRB_SITE_LOST_ADD_FAIL, &rb->lost, 1);
	uprb_local_add64(UPRB_SITE_SOURCE_LOST_ADD, &src->lost_samples, 1);
	output_put_handle(h);
	return -ENOSPC;
}

/*
 * Inlined into each entry point: the forward and backward ones get a copy
 * with the direction folded away, which LTO can then inline into callers.
 */
static inline __attribute__((always_inline)) int
output_begin(struct uprb_handle *h, struct uprb_ring *rb,
	     struct uprb_source *src, unsigned int size, bool backward)
{
	__u64 offset, head;
	uint64_t have_lost;
	uint32_t nest;

	if (size < sizeof(struct perf_event_header) || size > UINT16_MAX)
		return -EINVAL;

	/*
	 * P, matches the release in uprb_ring_pause(): a reader's loads of a
	 * window it read while we were paused come before our stores after
	 * the resume. (Overwrite rings have no tail, hence no A/D, for this.)
	 */
	if (unlikely(uprb_load_acquire32(UPRB_SITE_PAUSED_LOAD, &rb->paused)))
		return output_paused(rb, src);

	h->rb = rb;
	h->src = src;

	/* Room for a LOST record in front of ours, in the same reservation. */
	have_lost = uprb_read_once64(UPRB_SITE_LOST_PEEK, &rb->lost);
	if (unlikely(have_lost)) {
		size += UPRB_LOST_RECORD_SIZE;
		if (src->sample_id_all)
			size += src->id_header_size;
	}

	/* get_handle: from here on we are a writer the outermost must wait for. */
	nest = uprb_read_once32(UPRB_SITE_NEST_GET_LOAD, &rb->nest);
	uprb_write_once32(UPRB_SITE_NEST_GET_STORE, &rb->nest, nest + 1);
	h->wakeup = uprb_read_once64(UPRB_SITE_WAKEUP_SNAPSHOT, &rb->wakeup);

	offset = uprb_read_once64(UPRB_SITE_HEAD_LOAD, &rb->head);
	do {
		head = offset;
		if (!rb->overwrite) {
			/* A, matches D: tail load before our data stores. */
			uint64_t tail = uprb_load_acquire64(
				UPRB_SITE_A_TAIL_LOAD, &rb->user_page->data_tail);
			uint64_t space = backward ?
				circ_space(tail, head, rb->data_size) :
				circ_space(head, tail, rb->data_size);

			if (unlikely(space < size))
				return output_refused(h, rb, src);
		} else if (unlikely(rb->oversize == UPRB_OVERSIZE_DROP &&
				    size > rb->data_size)) {
			return output_refused(h, rb, src);
		}
		head = backward ? head - size : head + size;
		/* Only a nested writer, already finished, can make this fail. */
	} while (!uprb_local_cmpxchg64(UPRB_SITE_HEAD_CAS, &rb->head, &offset,
				       head));

	if (backward) {
		/* Data goes at the new, lower position; head counts bytes. */
		offset = head;
		head = -head;
	}

	/* One watermark step per reservation, however many were crossed. */
	if (head - uprb_read_once64(UPRB_SITE_WAKEUP_LOAD, &rb->wakeup) >
	    rb->watermark)
		uprb_local_add64(UPRB_SITE_WAKEUP_STEP, &rb->wakeup,
				 rb->watermark);

	h->page = (uint32_t)(offset >> rb->page_shift) & (rb->nr_pages - 1);
	offset &= rb->page_size - 1;
	h->addr = rb->data_pages[h->page] + offset;
	h->size = rb->page_size - offset;

	if (unlikely(have_lost))
		output_lost(h, src);
	return 0;
}

inline __attribute__((always_inline)) int
uprb_output_begin_forward(struct uprb_handle *h, struct uprb_ring *rb,
			      struct uprb_source *src, unsigned int size)
{
	return output_begin(h, rb, src, size, false);
}

int uprb_output_begin_backward(struct uprb_handle *h, struct uprb_ring *rb,
			       struct uprb_source *src, unsigned int size)
{
	return output_begin(h, rb, src, size, true);
}

int uprb_output_begin(struct uprb_handle *h, struct uprb_ring *rb,
		      struct uprb_source *src, unsigned int size)
{
	return output_begin(h, rb, src, size, rb->backward);
}

/* Move the handle to the start of the next chunk once this one is full. */
static inline void output_advance(struct uprb_handle *h, size_t n)
{
	struct uprb_ring *rb = h->rb;

	h->addr += n;
	h->size -= n;
	if (!h->size) {
		h->page = (h->page + 1) & (rb->nr_pages - 1);
		h->addr = rb->data_pages[h->page];
		h->size = rb->page_size;
	}
}

/* A copy that fills the current chunk, or crosses into the next ones. */
static __attribute__((noinline)) unsigned int
output_copy_chunks(struct uprb_handle *h, const unsigned char *p,
		   unsigned int len)
{
	while (len) {
		size_t n = len < h->size ? len : h->size;

		uprb_copy_to_ring(UPRB_SITE_COPY, h->addr, p, n);
		p += n;
		len -= (unsigned int)n;
		output_advance(h, n);
	}
	return 0;
}

/*
 * Most copies fall inside the current chunk and leave room after them: one
 * copy of a length the caller often knows at compile time, the same seam
 * access as the chunk loop's first. Inlined into callers under LTO.
 */
inline __attribute__((always_inline)) unsigned int
uprb_output_copy(struct uprb_handle *h, const void *buf, unsigned int len)
{
	if (len && len < h->size) {
		uprb_copy_to_ring(UPRB_SITE_COPY, h->addr, buf, len);
		h->addr += len;
		h->size -= len;
		return 0;
	}
	return output_copy_chunks(h, buf, len);
}

unsigned int uprb_output_skip(struct uprb_handle *h, unsigned int len)
{
	while (len) {
		size_t n = len < h->size ? len : h->size;

		len -= (unsigned int)n;
		output_advance(h, n);
	}
	return 0;
}

void uprb_output_sample_done(struct uprb_handle *h)
{
	struct uprb_ring *rb = h->rb;
	int every = (int)h->src->wakeup_events;
	int events;

	if (!every)
		return;
	/*
	 * Signed, as the kernel's int: samples nested between another's add
	 * and sub can drive the count below zero; the next samples then climb
	 * back before the next wake-up, where an unsigned compare would wake
	 * up at every sample from then on.
	 */
	events = (int)(uprb_local_add64(UPRB_SITE_EVENTS_ADD, &rb->events, 1) + 1);
	if (events >= every) {
		uprb_local_add64(UPRB_SITE_EVENTS_SUB, &rb->events,
				 (uint64_t)-(int64_t)every);
		/* Perturb the stamp so that the outermost end wakes up. */
		uprb_local_add64(UPRB_SITE_WAKEUP_BUMP, &rb->wakeup, 1);
	}
}

inline __attribute__((always_inline)) void
uprb_output_end(struct uprb_handle *h)
{
	output_put_handle(h);
}
