/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ring_opts - the options of the core's API, possible and impossible:
 * uprb_ring_new(), uprb_ring_reset(), uprb_ring_pause(), uprb_output_begin()
 * sizes and uprb_reader_init() / read_init options, each judged against
 * what uprb.h and uprb_reader.h document. Every ring and reader is made and
 * freed in the run (nothing cached), so LeakSanitizer sees a missing free.
 *
 * Input: fuzz/sim/roinput.h (its layout; uprb-script's text form, the
 * seeds in corpora/fuzz_ring_opts/): ring options, then, when they make
 * a ring of at most 1 MiB, a reset, two pauses, up to 64 writes (each
 * record copied in) and reader options.
 *
 * Checked, each failure one story line and abort():
 *   ring-opts:  uprb_ring_new() returns -EINVAL exactly for the options its
 *               documentation refuses, -ENOMEM when an allocation fails
 *               (and frees what it had: LeakSanitizer), *out NULL then;
 *               otherwise the ring
 *               has the geometry asked for (data_offset, data_size, pages in
 *               order, length), the control page as a kernel initialises
 *               it, the watermark default and clamp, paused exactly without
 *               pages, inaccessible memory right after the data area, and
 *               passes uprb_ring_check();
 *   reset:      uprb_ring_reset() refuses other geometries and bad options
 *               and leaves the ring as it was; same geometry: as new;
 *   pause:      -EINVAL exactly without pages; paused as asked otherwise;
 *   sizes:      uprb_output_begin() refuses sizes below 8 or above 65535
 *               with -EINVAL and counts nothing; on an empty ring a record
 *               fits exactly as the space rule and the oversize policy say
 *               (non-overwrite: below data_size; overwrite DROP: up to
 *               data_size; WRAP: any), a refused one is counted once; after
 *               end, uprb_ring_check() flags an unaligned head and only it;
 *   reader:     uprb_reader_init() refuses a short opts struct and a short
 *               scratch buffer with -EINVAL and a forward overwrite reader
 *               with -EOPNOTSUPP, in that order, and accepts the rest;
 *               read_init returns -ENODATA without pages, -EAGAIN exactly
 *               while fewer than flush (at least 1) bytes are unread, and a
 *               window of exactly what was written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "driver.h"
#include "roinput.h"
#include "story.h"
#include "uprb/uprb.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"

#if defined(__SANITIZE_ADDRESS__)
#define FZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_ASAN 1
#endif
#endif
#ifdef FZ_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define X64(v) ((unsigned long long)(v))

/* A reservation written: its record (and the LOST record in front). */
struct resv {
	unsigned size;
	uint64_t lost;   /* the LOST record's count, 0: none */
};

/*
 * Allocation failures: the replay and fuzzing binaries are linked with
 * -Wl,--wrap=calloc,--wrap=malloc,--wrap=mmap (fuzz/CMakeLists.txt), so the
 * core's calls land here; the @fail_at-th call while @counting fails. The
 * real functions are weak: a build without the wraps (OSS-Fuzz's) links,
 * never calls these, and the target then says the failure was not injected.
 */
void *__real_calloc(size_t n, size_t size) __attribute__((weak));
void *__real_malloc(size_t size) __attribute__((weak));
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off) __attribute__((weak));

static struct {
	bool counting, wrapped;
	unsigned calls, fail_at;
} A;

static bool alloc_fails(void)
{
	A.wrapped = true;
	return A.counting && ++A.calls == A.fail_at;
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_malloc(size_t size)
{
	return alloc_fails() ? NULL : __real_malloc(size);
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (alloc_fails()) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return __real_mmap(addr, len, prot, flags, fd, off);
}

static struct {
	struct resv resv[ROI_MAX_WRITES];
	unsigned nresv;
	struct roi_program in;
	unsigned step;
	const char *phase;
	char summary[256];
	int new_ret, reset_ret, reader_ret;
	unsigned writes, refused, readback, fail;
	bool injected, snapped;
	unsigned char before[65536];
} R;

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(const char *invariant, const char *fmt, ...)
{
	const struct fz_story where = {
		.who = "ring options", .siteless = true, .step = R.step,
		.phase = R.phase,
	};
	va_list ap;

	va_start(ap, fmt);
	fz_story_vfail(&where, invariant, fmt, ap);
}

#define NEED(cond, inv, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			fail(inv, __VA_ARGS__);                                \
	} while (0)

/* Whether the byte at @p can be read: write(2) from it fails with EFAULT. */
static bool readable(const void *p)
{
	int fd[2];
	ssize_t n;
	char c;

	if (pipe(fd))
		fail("harness", "no pipe");
	n = write(fd[1], p, 1);
	if (n == 1 && read(fd[0], &c, 1) != 1)
		fail("harness", "pipe");
	close(fd[0]);
	close(fd[1]);
	return n == 1;
}

static uint64_t round_up(uint64_t x, uint64_t to)
{
	return (x + to - 1) / to * to;
}

/* A new (or reset) ring as uprb_ring_new(@o) documents it. */
static void check_new(const struct uprb_ring *rb, const struct uprb_ring_opts *o)
{
	uint64_t ps = o->page_size ? o->page_size : UPRB_DEFAULT_PAGE_SIZE;
	uint64_t ds = ps * o->nr_pages;
	uint64_t off = round_up(sizeof(struct perf_event_mmap_page), ps);
	const struct perf_event_mmap_page *pc = rb->user_page;
	const unsigned char *base = uprb_ring_base(rb);
	uint64_t wm = o->watermark < ds ? o->watermark : ds;

	NEED(rb->page_size == ps && rb->nr_pages == o->nr_pages &&
	     rb->data_size == ds, "ring-opts", "ring of %u x %u (%llu bytes), "
	     "asked for %u x %llu", rb->nr_pages, rb->page_size,
	     X64(rb->data_size), o->nr_pages, X64(ps));
	NEED((const unsigned char *)pc == base && pc->data_offset == off &&
	     pc->data_size == ds && uprb_ring_len(rb) == off + ds, "ring-opts",
	     "control page at %p (base %p), data_offset %#llx data_size %#llx "
	     "length %zu; expected offset %#llx", (const void *)pc,
	     (const void *)base, X64(pc->data_offset), X64(pc->data_size),
	     uprb_ring_len(rb), X64(off));
	NEED(pc->data_head == 0 && pc->data_tail == 0 && rb->head == 0 &&
	     rb->nest == 0 && rb->lost == 0 &&
	     pc->size == offsetof(struct perf_event_mmap_page, __reserved) &&
	     pc->cap_bit0_is_deprecated, "ring-opts",
	     "control page or writer state not as new: data_head %#llx "
	     "data_tail %#llx head %#llx size %u", X64(pc->data_head),
	     X64(pc->data_tail), X64(rb->head), pc->size);
	for (uint32_t i = 0; i < o->nr_pages && i < 4096; i++)
		NEED(rb->data_pages[i] == base + off + i * ps, "ring-opts",
		     "data page %u at offset %lld, expected %llu", i,
		     (long long)(rb->data_pages[i] - base), X64(off + i * ps));
	NEED(rb->watermark == (wm ? wm : ds / 2), "ring-opts",
	     "watermark %llu, asked for %llu of %llu bytes",
	     X64(rb->watermark), X64(o->watermark), X64(ds));
	NEED(rb->overwrite == o->overwrite && rb->backward == o->backward &&
	     rb->oversize == o->oversize, "ring-opts", "modes not as asked");
	NEED(!!rb->paused == !o->nr_pages, "ring-opts", "paused %u with %u pages",
	     rb->paused, o->nr_pages);
	NEED(!readable(base + off + ds), "ring-opts",
	     "the byte after the data area (%llu bytes) is readable: no guard",
	     X64(ds));
	NEED(!readable(rb->map), "ring-opts",
	     "the first page of the ring's mapping is readable: no guard");
#ifdef FZ_ASAN
	/* Under ASan the pads are poisoned: before the control page, and
	 * between its struct and the data area. */
	if (base > (const unsigned char *)rb->map + sysconf(_SC_PAGESIZE))
		NEED(__asan_address_is_poisoned(base - 1), "ring-opts",
		     "the pad before the control page is not poisoned");
	if (off > sizeof(struct perf_event_mmap_page))
		NEED(__asan_address_is_poisoned(base + sizeof(*pc)) &&
		     __asan_address_is_poisoned(base + off - 1), "ring-opts",
		     "the pad between the control page and the data area is not "
		     "poisoned");
#endif
	NEED(uprb_ring_check(rb) == 0, "ring-opts", "a new ring fails uprb_ring_check()");
}

/* Sizes: mostly near the ring's boundaries (roinput.h), any u32 too. */
static unsigned size_of(const struct uprb_ring *rb, const struct roi_write *w)
{
	return w->data ? (unsigned)(rb->data_size + (uint64_t)(int64_t)w->delta) :
	       w->size;
}

/* Byte @i of record @k: the payload written, 0 where it was skipped. */
static uint8_t payload(unsigned k, unsigned size, unsigned i)
{
	unsigned n = size - 8, a = n / 3, b = n / 3;

	if (i >= 8 + a && i < 8 + a + b)
		return 0;
	return (uint8_t)(k * 31 + i * 7 + 1);
}

/*
 * Record @k of @size bytes: the header and the first third of the payload
 * copied, the second skipped (it keeps the zeros of a new ring: nothing is
 * consumed, so nothing is written twice), the rest copied, in pieces of
 * at most 64 bytes.
 */
static void put_record(struct uprb_handle *h, unsigned k, unsigned size)
{
	struct perf_event_header hd = { PERF_RECORD_SAMPLE, 0, (uint16_t)size };
	unsigned n = size - 8, a = n / 3, b = n / 3;
	unsigned char buf[64];

	NEED(!uprb_output_copy(h, &hd, sizeof(hd)), "sizes",
	     "uprb_output_copy left bytes uncopied");
	for (unsigned i = 8; i < size;) {
		unsigned len;

		if (i == 8 + a && b) {
			NEED(!uprb_output_skip(h, b), "sizes",
			     "uprb_output_skip left bytes unskipped");
			i += b;
			continue;
		}
		len = (i < 8 + a ? 8 + a : size) - i;
		len = len < sizeof(buf) ? len : sizeof(buf);
		for (unsigned j = 0; j < len; j++)
			buf[j] = payload(k, size, i + j);
		NEED(!uprb_output_copy(h, buf, len), "sizes",
		     "uprb_output_copy left bytes uncopied");
		i += len;
	}
}

/* The record read back, against reservation @k (@lost: its LOST record). */
static void check_record(const struct perf_event_header *ev, unsigned k,
			 bool lost)
{
	const struct resv *v = &R.resv[k];
	const unsigned char *b = (const unsigned char *)ev;

	if (lost) {
		const uint64_t *u = (const uint64_t *)(ev + 1);

		NEED(ev->type == PERF_RECORD_LOST && ev->size == UPRB_LOST_RECORD_SIZE &&
		     u[0] == 0x100 && u[1] == v->lost, "sizes", "LOST record in "
		     "front of record %u: type %u size %u lost %llu, expected %llu",
		     k, ev->type, ev->size, X64(u[1]), X64(v->lost));
		return;
	}
	NEED(ev->type == PERF_RECORD_SAMPLE && ev->size == v->size, "sizes",
	     "record %u: type %u size %u, %u was written", k, ev->type,
	     ev->size, v->size);
	for (unsigned i = 8; i < v->size; i++)
		NEED(b[i] == payload(k, v->size, i), "sizes", "record %u (%u bytes) "
		     "byte %u is %#x, %#x was written (copied or skipped)", k,
		     v->size, i, b[i], payload(k, v->size, i));
}

/*
 * Reservation @k at ring position @lo (its lowest byte), in the data area
 * itself: the LOST record's header, then the record's bytes where the
 * writer put them (any alignment: the API takes any size from 8), skipped
 * ones as they were before the write (R.before). A record larger than the
 * ring writes over itself: not compared.
 */
static void check_in_ring(const struct uprb_ring *rb, unsigned k, uint64_t lo)
{
	const struct resv *v = &R.resv[k];
	const unsigned char *data = (const unsigned char *)uprb_ring_base(rb) +
				    rb->user_page->data_offset;
	uint64_t mask = rb->data_size - 1, pos = lo;
	struct perf_event_header hd = { PERF_RECORD_SAMPLE, 0, (uint16_t)v->size };
	unsigned n = v->size - 8, a = n / 3, b = n / 3;

	if (!R.snapped || v->size + (v->lost ? UPRB_LOST_RECORD_SIZE : 0) >
	    rb->data_size)
		return;
	if (v->lost) {
		struct perf_event_header lh;

		for (unsigned i = 0; i < sizeof(lh); i++)
			((unsigned char *)&lh)[i] = data[(pos + i) & mask];
		NEED(lh.type == PERF_RECORD_LOST && lh.size == UPRB_LOST_RECORD_SIZE,
		     "sizes", "reservation %u at ring offset %llu: LOST header "
		     "type %u size %u", k, X64(pos & mask), lh.type, lh.size);
		pos += UPRB_LOST_RECORD_SIZE;
	}
	for (unsigned i = 0; i < v->size; i++) {
		uint8_t want = i < 8 ? ((const uint8_t *)&hd)[i] :
			       i >= 8 + a && i < 8 + a + b ?
			       R.before[(pos + i) & mask] : payload(k, v->size, i);

		NEED(data[(pos + i) & mask] == want, "sizes", "record %u (%u bytes) "
		     "at ring offset %llu: byte %u is %#x, %#x expected", k,
		     v->size, X64(pos & mask), i, data[(pos + i) & mask], want);
	}
}

/* Read the window back: every reservation in order, newest first backward. */
static void read_back(struct uprb_reader *r, bool backward)
{
	const struct perf_event_header *ev;
	int ret;

	for (unsigned n = 0; n < R.nresv; n++) {
		unsigned k = backward ? R.nresv - 1 - n : n;

		for (int part = R.resv[k].lost ? 0 : 1; part < 2; part++) {
			bool bad = part && (R.resv[k].size & 7);

			ret = uprb_read_event(r, &ev);
			NEED(ret == (bad ? -EILSEQ : 1), "sizes", "reading back "
			     "reservation %u (%u bytes%s): read_event returned %d",
			     k, R.resv[k].size, part ? "" : ", its LOST record", ret);
			if (bad)
				return;
			check_record(ev, k, !part);
			R.readback++;
		}
	}
	ret = uprb_read_event(r, &ev);
	NEED(ret == 0, "sizes", "read_event after the last record: %d", ret);
}

static void write_one(struct uprb_ring *rb, struct uprb_source *src,
		      const struct roi_write *w, uint64_t *unread)
{
	unsigned size = size_of(rb, w);
	uint64_t lost = rb->lost, slost = src->lost_samples, head = rb->head;
	uint64_t total, used;
	struct uprb_handle h;
	int ret, want;

	R.writes++;
	/* What a skip leaves: the bytes before the write (small rings). */
	R.snapped = rb->data_size <= sizeof(R.before);
	if (R.snapped)
		memcpy(R.before, (const unsigned char *)uprb_ring_base(rb) +
		       rb->user_page->data_offset, rb->data_size);
	ret = uprb_output_begin(&h, rb, src, size);
	if (size < 8 || size > 65535) {
		NEED(ret == -EINVAL && rb->lost == lost && src->lost_samples == slost &&
		     rb->head == head, "sizes", "a %u-byte record: begin returned "
		     "%d, lost %llu -> %llu", size, ret, X64(lost), X64(rb->lost));
		return;
	}
	if (!rb->nr_pages) {
		NEED(ret == -ENOSPC && rb->lost == 0 && src->lost_samples == slost,
		     "sizes", "a ring without pages: begin returned %d, lost %llu",
		     ret, X64(rb->lost));
		return;
	}
	/*
	 * The reservation: the record and a LOST record in front of it when
	 * drops are pending. Nobody reads here (data_tail stays 0), so
	 * non-overwrite: it fits while one byte stays free; overwrite DROP: up
	 * to the data area; WRAP: any size.
	 */
	total = size + (lost ? UPRB_LOST_RECORD_SIZE : 0);
	used = rb->backward ? -head : head;
	if (!rb->overwrite)
		want = total + used < rb->data_size ? 0 : -ENOSPC;
	else if (rb->oversize == UPRB_OVERSIZE_DROP)
		want = total <= rb->data_size ? 0 : -ENOSPC;
	else
		want = 0;
	NEED(ret == want, "sizes", "a %u-byte record (%llu reserved) on the %s%s "
	     "ring of %llu bytes with %llu used: begin returned %d, expected %d",
	     size, X64(total), rb->overwrite ? "overwrite" : "non-overwrite",
	     rb->oversize == UPRB_OVERSIZE_DROP ? " drop-oversize" : "",
	     X64(rb->data_size), X64(used), ret, want);
	if (ret) {
		NEED(ret == -ENOSPC && rb->lost == lost + 1 &&
		     src->lost_samples == slost + 1, "sizes", "a refused %u-byte "
		     "record: begin returned %d, lost %llu -> %llu", size, ret,
		     X64(lost), X64(rb->lost));
		R.refused++;
		return;
	}
	NEED(rb->nest == 1 && uprb_ring_check(rb) == -EPROTO, "sizes",
	     "inside a write: nest %u, uprb_ring_check() %d", rb->nest,
	     uprb_ring_check(rb));
	R.resv[R.nresv++] = (struct resv){ .size = size, .lost = lost };
	put_record(&h, R.nresv - 1, size);
	uprb_output_end(&h);
	check_in_ring(rb, R.nresv - 1, rb->backward ? rb->head : head);
	*unread = rb->backward ? (uint64_t)-rb->head : rb->head;
	NEED(rb->user_page->data_head == rb->head && rb->nest == 0 &&
	     uprb_ring_check(rb) == ((rb->head & 7) ? -EPROTO : 0), "sizes",
	     "after a %u-byte record: data_head %#llx head %#llx nest %u, "
	     "uprb_ring_check() %d", size, X64(rb->user_page->data_head),
	     X64(rb->head), rb->nest, uprb_ring_check(rb));
}

/* uprb_ring_check() flags a data_head user space moved (and only then). */
static void check_scribbled(struct uprb_ring *rb)
{
	uint64_t head = rb->user_page->data_head;

	R.phase = "check";
	rb->user_page->data_head = head + 8;
	NEED(uprb_ring_check(rb) == -EPROTO, "sizes", "data_head moved from "
	     "%#llx to %#llx: uprb_ring_check() %d", X64(head), X64(head + 8),
	     uprb_ring_check(rb));
	rb->user_page->data_head = head;
}

static void check_reader(struct uprb_ring *rb, uint64_t unread)
{
	static unsigned char scratch[UPRB_SCRATCH_SIZE + 8];
	const struct roi_reader *in = &R.in.reader;
	struct uprb_reader_opts ro = { 0 };
	size_t sz = roi_sz_bytes(in->sz, sizeof(ro), sizeof(ro));
	bool none = sz == 0, bad;
	struct uprb_reader r;
	int ret, want;
	bool judged = true;

	R.phase = "reader";
	ro.sz = sz;
	ro.overwrite = in->overwrite;
	ro.backward = in->backward;
	ro.flush = in->flush;
	switch (in->scratch) {
	case ROI_SCRATCH_EXACT:
		ro.scratch = scratch;
		ro.scratch_size = UPRB_SCRATCH_SIZE;
		break;
	case ROI_SCRATCH_SHORT:
		ro.scratch = scratch;
		ro.scratch_size = UPRB_SCRATCH_SIZE - 1;
		break;
	case ROI_SCRATCH_LARGER:
		ro.scratch = scratch;
		ro.scratch_size = sizeof(scratch);
		break;
	default:
		break;
	}
	/* sz 0: no options at all, the defaults (forward, no flush). */
	A.counting = true;
	A.calls = 0;
	A.wrapped = false;
	ret = uprb_reader_init(&r, uprb_ring_base(rb), uprb_ring_len(rb),
			       none ? NULL : &ro);
	A.counting = false;
	R.reader_ret = ret;
	if (R.fail == 4 && A.wrapped && (none || !ro.scratch) &&
	    (none || (ro.sz >= sizeof(ro) && !(ro.overwrite && !ro.backward)))) {
		/* The scratch allocation failed: -ENOMEM, nothing to free. */
		NEED(ret == -ENOMEM, "reader", "uprb_reader_init with its scratch "
		     "allocation failing returned %d", ret);
		R.injected = true;
		return;
	}
	if (none)
		ro = (struct uprb_reader_opts){ .sz = sizeof(ro) };
	bad = ro.sz < sizeof(ro);
	want = bad ? -EINVAL : ro.overwrite && !ro.backward ? -EOPNOTSUPP :
	       ro.scratch && ro.scratch_size < UPRB_SCRATCH_SIZE ? -EINVAL : 0;
	NEED(ret == want, "reader", "uprb_reader_init (sz %zu of %zu, %s%s, "
	     "scratch %zu) returned %d, expected %d", ro.sz, sizeof(ro),
	     ro.overwrite ? "overwrite" : "non-overwrite",
	     ro.backward ? " backward" : "", ro.scratch_size, ret, want);
	if (ret)
		return;
	NEED(!!r.own_scratch == !ro.scratch && r.scratch &&
	     (!ro.scratch || ((void *)r.scratch == ro.scratch &&
			      r.scratch_size == ro.scratch_size)) &&
	     (ro.scratch || r.scratch_size == UPRB_SCRATCH_SIZE) &&
	     r.size == rb->data_size && r.flush == ro.flush, "reader",
	     "scratch %p of %zu bytes (own %d), data area %llu bytes, flush %llu",
	     (void *)r.scratch, r.scratch_size, r.own_scratch, X64(r.size),
	     X64(r.flush));
	ret = uprb_read_init(&r);
	if (!rb->nr_pages) {
		want = -ENODATA;
	} else if (ro.backward != rb->backward || (rb->overwrite && !ro.backward) ||
		   unread > rb->data_size) {
		/* A reader of the other direction, or a lapped ring: not ours. */
		want = ret;
		judged = false;
	} else {
		want = unread && unread >= ro.flush ? 0 : -EAGAIN;
	}
	NEED(ret == want, "reader", "read_init with %llu bytes unread, flush "
	     "%llu: %d, expected %d", X64(unread), X64(ro.flush), ret, want);
	if (!ret && judged) {
		NEED(r.end - r.start == unread, "reader", "window of %llu bytes, "
		     "%llu written", X64(r.end - r.start), X64(unread));
		read_back(&r, ro.backward);
	}
	if (!ret)
		uprb_read_done(&r);
	uprb_reader_fini(&r);
}

static void check_reset(struct uprb_ring *rb, const struct uprb_ring_opts *o)
{
	struct uprb_ring_opts ro = *o;
	const struct roi_opts *in = &R.in.reset;
	struct uprb_ring before = *rb;
	int want;

	R.phase = "reset";
	ro.page_size = in->page_size;
	ro.nr_pages = in->nr_pages;
	ro.overwrite = in->overwrite;
	ro.backward = in->backward;
	ro.oversize = (enum uprb_oversize)in->oversize;
	if (in->same) {
		ro.page_size = rb->page_size;
		ro.nr_pages = rb->nr_pages;
	}
	want = roi_opts_valid(&ro) &&
	       (ro.page_size ? ro.page_size : UPRB_DEFAULT_PAGE_SIZE) == rb->page_size &&
	       ro.nr_pages == rb->nr_pages ? 0 : -EINVAL;
	R.reset_ret = uprb_ring_reset(rb, &ro);
	NEED(R.reset_ret == want, "reset", "uprb_ring_reset to %u x %u (ring %u x "
	     "%u) returned %d, expected %d", ro.nr_pages, ro.page_size,
	     rb->nr_pages, rb->page_size, R.reset_ret, want);
	if (R.reset_ret)
		NEED(!memcmp(&before, rb, sizeof(before)), "reset",
		     "a refused reset changed the ring");
	else
		check_new(rb, &ro);
}

static void run(void)
{
	struct uprb_ring_opts o;
	static struct uprb_ring sentinel;
	struct uprb_ring *rb = &sentinel;
	struct uprb_source src;
	uint64_t unread = 0;
	int want, ret;

	R.phase = "new";
	roi_ring_opts(&R.in.ring, &o);
	R.fail = R.in.ring.fail;
	want = roi_opts_valid(&o) ? 0 : -EINVAL;
	A.counting = true;
	A.calls = 0;
	A.fail_at = R.fail <= 3 ? R.fail : 0;
	A.wrapped = false;
	ret = uprb_ring_new(&rb, &o);
	A.counting = false;
	A.fail_at = R.fail == 4 ? 1 : 0;
	R.new_ret = ret;
	if (want == 0 && R.fail >= 1 && R.fail <= 3 && A.wrapped) {
		/* Its options are fine, one allocation fails: -ENOMEM. */
		NEED(ret == -ENOMEM && rb == NULL, "ring-opts", "uprb_ring_new "
		     "with allocation %u failing returned %d, *out %p", R.fail,
		     ret, (void *)rb);
		R.injected = true;
		return;
	}
	if (ret == -ENOMEM && want == 0)
		return; /* a 4 GiB mapping the machine would not give */
	NEED(ret == want, "ring-opts", "uprb_ring_new(sz %zu, %u x %u, oversize "
	     "%d) returned %d, expected %d", o.sz, o.nr_pages, o.page_size,
	     (int)o.oversize, ret, want);
	if (ret) {
		NEED(rb == NULL, "ring-opts", "a refused ring left *out %p",
		     (void *)rb);
		return;
	}
	check_new(rb, &o);
	if (rb->data_size <= ROI_SMALL_RING) {
		check_reset(rb, &o);
		R.phase = "pause";
		for (int i = 0; i < 2; i++) {
			bool p = R.in.pause[i];

			ret = uprb_ring_pause(rb, p);
			NEED(ret == (rb->nr_pages ? 0 : -EINVAL) &&
			     !!rb->paused == (p || !rb->nr_pages), "pause",
			     "pause(%d) on %u pages returned %d, paused %u", p,
			     rb->nr_pages, ret, rb->paused);
		}
		uprb_ring_pause(rb, false);
		R.phase = "write";
		uprb_source_init(&src, 0x100, 0, false);
		for (R.step = 1; R.step <= R.in.nwrites; R.step++)
			write_one(rb, &src, &R.in.writes[R.step - 1], &unread);
		R.step = 0;
		check_scribbled(rb);
		check_reader(rb, unread);
	}
	uprb_ring_free(rb);
}

const char *fz_target_summary(void)
{
	snprintf(R.summary, sizeof(R.summary),
		 "  ring_new %d, reset %d, %u writes (%u refused), reader_init %d, "
		 "%u records read back%s", R.new_ret, R.reset_ret, R.writes,
		 R.refused, R.reader_ret, R.readback,
		 !R.fail || R.fail > 4 ? "" : R.injected ?
		 ", an allocation failed as asked" :
		 ", allocation failure asked for but not injected (no wraps, or not reached)");
	return R.summary;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&R, 0, sizeof(R));
	memset(&A, 0, sizeof(A));
	roi_decode(&R.in, data, size);
	R.reset_ret = R.reader_ret = 1;
	run();
	return 0;
}
