/* SPDX-License-Identifier: MIT */
/*
 * reader.c - reads a perf mmap ring (ours or the kernel's): forward
 * non-overwrite, and backward (overwrite or not) with pause and find-range.
 *
 * Barriers: C (data_head load-acquire, matches the writer's B) and D
 * (data_tail store-release, matches the writer's A); see output.c.
 * Every value read from the ring is untrusted: sizes and positions are
 * checked before use and all data accesses are masked into the data area.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uprb/port.h"
#include "uprb/uprb_reader.h"

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

int uprb_reader_init(struct uprb_reader *r, void *base, size_t len,
		     const struct uprb_reader_opts *o)
{
	static const struct uprb_reader_opts defaults = { .sz = sizeof(defaults) };
	struct perf_event_mmap_page *pc = base;
	uint64_t off, size;

	memset(r, 0, sizeof(*r));
	if (!o)
		o = &defaults;
	if (!base || len < sizeof(*pc) || o->sz < sizeof(*o))
		return -EINVAL;
	if (o->overwrite && !o->backward)
		return -EOPNOTSUPP;

	off = __atomic_load_n(&pc->data_offset, __ATOMIC_RELAXED);
	size = __atomic_load_n(&pc->data_size, __ATOMIC_RELAXED);
	if (!off) {
		/* Kernels before 4.1 leave both 0: one page, then the rest. */
		off = (uint64_t)sysconf(_SC_PAGESIZE);
		size = len > off ? len - off : 0;
	}
	/* The data area may not overlap the control page it is read through. */
	if (off < sizeof(*pc) || off > len || (off & 7) || size > len - off)
		return -EINVAL;
	if (size && (!is_pow2(size) || size < 64))
		return -EINVAL;

	r->pc = pc;
	r->data = (unsigned char *)base + off;
	r->size = size;
	r->mask = size ? size - 1 : 0;
	r->overwrite = o->overwrite;
	r->backward = o->backward;
	r->flush = o->flush;
	r->pause = o->pause;
	r->pause_arg = o->pause_arg;
	if (o->scratch) {
		if (o->scratch_size < UPRB_SCRATCH_SIZE)
			return -EINVAL;
		r->scratch = o->scratch;
		r->scratch_size = o->scratch_size;
	} else {
		r->scratch = malloc(UPRB_SCRATCH_SIZE);
		if (!r->scratch)
			return -ENOMEM;
		r->scratch_size = UPRB_SCRATCH_SIZE;
		r->own_scratch = true;
	}
	/*
	 * Start at data_tail: what the previous reader gave back (0 on a new
	 * ring, and always 0 on an overwrite ring, whose tail nobody writes).
	 */
	r->prev = __atomic_load_n(&pc->data_tail, __ATOMIC_RELAXED);
	r->start = r->end = r->prev;
	return 0;
}

void uprb_reader_fini(struct uprb_reader *r)
{
	if (r->paused && r->pause)
		r->pause(r->pause_arg, false);
	if (r->own_scratch)
		free(r->scratch);
	memset(r, 0, sizeof(*r));
}

/* Copy @n bytes from ring position @pos, in two pieces across the end. */
static void ring_copy(const struct uprb_reader *r, enum uprb_site site,
		      void *dst, uint64_t pos, size_t n)
{
	size_t at = (size_t)(pos & r->mask);
	size_t first = n < r->size - at ? n : (size_t)(r->size - at);

	uprb_copy_from_ring(site, dst, r->data + at, first);
	if (first < n)
		uprb_copy_from_ring(site, (unsigned char *)dst + first, r->data,
				    n - first);
}

static struct perf_event_header ring_header(const struct uprb_reader *r,
					    uint64_t pos)
{
	size_t at = (size_t)(pos & r->mask);
	struct perf_event_header h;

	/*
	 * The usual case, a header that does not straddle the ring end, as
	 * one copy of constant size: the compiler makes it a single 8-byte
	 * load instead of ring_copy()'s variable-length copy (a memcpy call
	 * per record with clang). Only a hostile, unaligned data_tail can
	 * make a header straddle the end; that goes the general way.
	 */
	if (at <= r->size - sizeof(h)) {
		uprb_copy_from_ring(UPRB_SITE_READ_HEADER, &h, r->data + at,
				    sizeof(h));
		return h;
	}
	ring_copy(r, UPRB_SITE_READ_HEADER, &h, pos, sizeof(h));
	return h;
}

static int fail(struct uprb_reader *r, int err)
{
	r->err = err;
	return err;
}

static void set_paused(struct uprb_reader *r, bool on)
{
	if (r->pause && r->paused != on)
		r->pause(r->pause_arg, on);
	r->paused = on;
}

/*
 * A lapped overwrite ring: walk from the newest record by sizes until a
 * never-written (zero) header or a ring's worth of bytes; a last record
 * reaching past that overlaps the newest data and is dropped.
 */
static int find_range(struct uprb_reader *r)
{
	uint64_t p = r->start;

	while (p - r->start < r->size) {
		struct perf_event_header h = ring_header(r, p);

		if (h.size == 0)
			break;
		if (h.size < sizeof(h))
			return -EBADMSG;
		if (h.size & 7)
			return -EILSEQ;
		if (p - r->start + h.size > r->size)
			break;
		p += h.size;
	}
	r->end = p;
	return 0;
}

int uprb_read_init(struct uprb_reader *r)
{
	uint64_t head, diff;

	if (r->err)
		return r->err;
	if (!r->size)
		return -ENODATA;
	if (r->backward)
		set_paused(r, true);

	/* C, matches B: head before any record byte. */
	head = uprb_load_acquire64(UPRB_SITE_C_HEAD_LOAD, &r->pc->data_head);
	r->head = head;
	if (r->backward) {
		r->start = head;
		r->end = r->prev;
	} else {
		r->start = r->prev;
		r->end = head;
	}
	diff = r->end - r->start;
	if ((int64_t)diff < 0)
		return fail(r, -ERANGE);
	if (diff == 0 || diff < r->flush) {
		if (r->backward)
			set_paused(r, false);
		return -EAGAIN;
	}
	if (diff > r->size) {
		int err;

		if (!r->overwrite)
			return fail(r, -EOVERFLOW);
		err = find_range(r);
		if (err)
			return fail(r, err);
	}
	r->stats.windows++;
	return 0;
}

/*
 * Every case: errors, an exhausted window (data_head is looked at again), a
 * header or record across the ring end, the sim build. Each refusal is for
 * the first reason a plain parse of the header finds.
 */
static __attribute__((noinline)) int
read_event_checked(struct uprb_reader *r, const struct perf_event_header **ev)
{
	struct perf_event_header h;
	uint64_t diff, at;
	unsigned char *rec;

	*ev = NULL;
	if (r->err)
		return r->err;
	if (!r->backward && r->start == r->end) {
		/*
		 * C, matches B: records finished since read_init are ours too.
		 * Only looked for once the window is used up: data_head sits
		 * on the line the writer keeps dirtying.
		 */
		uint64_t head = uprb_load_acquire64(UPRB_SITE_C_HEAD_LOAD,
						    &r->pc->data_head);

		if ((int64_t)(head - r->end) < 0)
			return fail(r, -ERANGE);
		if (head - r->start > r->size)
			return fail(r, -EOVERFLOW);
		r->end = head;
	}
	diff = r->end - r->start;
	if (diff == 0)
		return 0;
	if (diff < sizeof(h))
		return fail(r, -EPROTO);

	h = ring_header(r, r->start);
	if (h.size < sizeof(h))
		return fail(r, -EBADMSG);
	if (h.size & 7)
		return fail(r, -EILSEQ);
	if (h.size > r->size)
		return fail(r, -EMSGSIZE);
	if (h.size > diff)
		return fail(r, -EPROTO);

	at = r->start & r->mask;
	if (UPRB_PORT_SIM || at + h.size > r->size) {
		ring_copy(r, UPRB_SITE_READ_DATA, r->scratch, r->start, h.size);
		rec = r->scratch;
		if (at + h.size > r->size)
			r->stats.wrapped++;
	} else {
		rec = r->data + at;
	}
	r->start += h.size;
	if (!r->backward)
		r->prev = r->start;
	r->stats.records++;
	r->stats.bytes += h.size;
	*ev = (const struct perf_event_header *)rec;
	return 1;
}

/*
 * The usual forward record, inlined into callers under LTO: a whole record
 * inside the current window and before the ring end (hence no larger than
 * the data area), returned in place. It accepts only what
 * read_event_checked() accepts and hands everything else to it, which reads
 * the header again. The sim build always goes the checked way: one header
 * access per record, as before, and the fuzz targets see every check.
 */
inline __attribute__((always_inline)) int
uprb_read_event(struct uprb_reader *r, const struct perf_event_header **ev)
{
	uint64_t diff = r->end - r->start;
	size_t at = (size_t)(r->start & r->mask);
	struct perf_event_header h;

	if (UPRB_PORT_SIM || r->err || r->backward || diff < sizeof(h) ||
	    at > r->size - sizeof(h))
		return read_event_checked(r, ev);
	uprb_copy_from_ring(UPRB_SITE_READ_HEADER, &h, r->data + at, sizeof(h));
	if (h.size < sizeof(h) || (h.size & 7) || h.size > diff ||
	    at + h.size > r->size)
		return read_event_checked(r, ev);
	r->start += h.size;
	r->prev = r->start;
	r->stats.records++;
	r->stats.bytes += h.size;
	*ev = (const struct perf_event_header *)(r->data + at);
	return 1;
}

void uprb_consume(struct uprb_reader *r)
{
	/* D, matches A: our loads of the given-back bytes come first. */
	if (!r->backward && !r->overwrite)
		uprb_store_release64(UPRB_SITE_D_TAIL_STORE, &r->pc->data_tail,
				     r->prev);
}

inline __attribute__((always_inline)) void
uprb_read_done(struct uprb_reader *r)
{
	if (!r->backward)
		return;
	if (!r->err && r->start == r->end) {
		r->prev = r->head;
		if (!r->overwrite)
			/* D, matches A: the whole window is read. */
			uprb_store_release64(UPRB_SITE_D_TAIL_STORE,
					     &r->pc->data_tail, r->prev);
	}
	set_paused(r, false);
}

uint64_t uprb_read_resync(struct uprb_reader *r)
{
	uint64_t head, skipped;

	if (!r->size)
		return 0;
	head = uprb_load_acquire64(UPRB_SITE_C_HEAD_LOAD, &r->pc->data_head);
	skipped = r->backward ? r->prev - head : head - r->prev;
	r->prev = r->start = r->end = r->head = head;
	r->err = 0;
	r->stats.resyncs++;
	if (!r->overwrite)
		/* D, matches A: nothing of the skipped bytes is read any more. */
		uprb_store_release64(UPRB_SITE_D_TAIL_STORE, &r->pc->data_tail,
				     head);
	if (r->backward)
		set_paused(r, false);
	return skipped;
}

const char *uprb_read_strerror(int err)
{
	switch (err) {
	case 0: return "ok";
	case -EAGAIN: return "nothing new to read";
	case -ENODATA: return "ring has no data pages";
	case -ERANGE: return "data_head moved against the writing direction";
	case -EOVERFLOW: return "unread span larger than the ring (overrun)";
	case -EBADMSG: return "record header with size < 8";
	case -EILSEQ: return "record size not a multiple of 8";
	case -EMSGSIZE: return "record larger than the data area";
	case -EPROTO: return "record runs past data_head (incomplete)";
	case -EINVAL: return "control page describes no valid ring";
	case -EOPNOTSUPP: return "forward overwrite rings cannot be read reliably";
	case -ENOMEM: return "out of memory";
	default: return "unknown reader error";
	}
}
