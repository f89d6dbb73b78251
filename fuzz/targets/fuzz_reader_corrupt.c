/* SPDX-License-Identifier: MIT */
/*
 * fuzz_reader_corrupt - the core's reader over arbitrary or corrupted ring
 * contents, forward and backward, overwrite or not (input: rinput.h).
 *
 * The ring lives in one exact-size allocation of the length the input
 * decides, so ASan reports any read past it; the seam's hook adds what
 * ASan cannot see: every record byte the reader loads must lie inside the
 * data area the control page describes (not in the control page, not in
 * the slack after it), and it may store nothing but data_tail.
 *
 * The ring is either written through the core's writer (its control page
 * and data pages pointed into the allocation) and then corrupted at input
 * chosen places, or it is raw bytes under a geometry and data_head /
 * data_tail the input chooses, valid or not. Checked, each failure one
 * story line and abort():
 *   init:        uprb_reader_init() refuses what no control page could
 *                hold and accepts every real geometry;
 *   codes:       every call returns a code its documentation lists;
 *   termination: every record returned moves the reader >= 8 bytes, no call
 *                makes more ring accesses than a walk of the ring needs, a
 *                window ends within data_size / 8 + a few calls;
 *   memory-safety: loads inside the data area, the only store data_tail;
 *   sticky:      after an error the window and the next ones return the
 *                same code until uprb_read_resync();
 *   resync:      after it data_tail (the reader's position, overwrite)
 *                equals data_head, the writer is not left paused, and it
 *                returns the bytes it skipped: from the reader's position
 *                to data_head;
 *   window:      read_init's verdict is the control page's: -ERANGE
 *                exactly when data_head moved against the writing
 *                direction, -EAGAIN exactly when nothing is unread,
 *                -EOVERFLOW exactly when more than data_size bytes are
 *                unread on a non-overwrite ring; a window it opens runs
 *                from the reader's position to data_head (backward: from
 *                data_head, cut by find-range on a lapped ring), and
 *                the stats count the window, and each record that wraps
 *                the ring's end;
 *   honest-read: while the written ring is neither corrupted nor
 *                scribbled on, the reader returns exactly the records
 *                written, byte for byte, in order, and all of them;
 *   diagnosis:   a record the reader refuses is refused for the first
 *                reason a plain parse of its header finds (too short for
 *                a header, size < 8, not a multiple of 8, larger than the
 *                data area, past data_head), and one it returns has none.
 *
 * Its parts: this file runs the program (the hook, the reader's calls and
 * the acts between them) and holds what it checks against its own state;
 * the input is rinput.h, the ring memory, corruptions and plain parses of
 * the bytes rring.h, the verdicts on windows rwindow.h, the records
 * written rrecords.h; failures are story lines (story.h), the model's.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "rings.h"
#include "rinput.h"
#include "rrecords.h"
#include "rring.h"
#include "rwindow.h"
#include "story.h"
#include "uprb/port.h"
#include "uprb/uprb.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"

#define X64(v) ((unsigned long long)(v))

static struct run {
	int verbose;
	/* the mapping: exactly len bytes */
	unsigned char *map;
	size_t len;
	struct perf_event_mmap_page *pc;  /* NULL: too short for one */
	/* the data area as the reader must see it once it accepted */
	unsigned char *data;
	uint64_t size;
	struct fzr_view view;  /* the same, for the verdicts (rwindow.h) */
	bool backward, overwrite;
	struct uprb_reader r;
	bool reader_ok;
	int sticky;           /* the error the reader must repeat, or 0 */
	bool paused;          /* the reader's pause callback state */
	/* WRITTEN: the core's ring and the records it holds */
	struct uprb_ring *rb;
	struct uprb_source src;
	uint32_t seq;
	uint64_t drops;       /* since the last LOST */
	bool honest;          /* written, never corrupted or scribbled */
	uint64_t rpos;        /* honest: forward next unread, backward prev */
	/* where we are, for story lines (who: the reader) */
	struct fz_story where;
	bool in_reader, in_writer;
	uint64_t accesses, access_limit;
	/* counters for -v */
	uint64_t windows, records, errors, resyncs, writes, corruptions;
	int init_ret;
	/* not cleared between runs: filled before use */
	struct fzr_program prog;
	struct fzr_records w;  /* WRITTEN: what was written, w.n records */
	unsigned char expect[UPRB_MAX_RECORD + 8];
	unsigned char touch[UPRB_MAX_RECORD + 8]; /* where records are loaded to */
	char summary[256];
} R;

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(const char *invariant, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fz_story_vfail(&R.where, invariant, fmt, ap);
}

#define NEED(cond, inv, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			fail(inv, __VA_ARGS__);                                \
	} while (0)

static bool inside(const void *p, size_t n, const void *lo, uint64_t len)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)lo;

	return a >= b && a - b <= len && n <= len - (a - b);
}

/* Every access of the core passes here: the reader's are checked first. */
static uint64_t hook(void *ctx, const struct uprb_sim_access *a)
{
	(void)ctx;
	R.where.site = a->site;
	switch (a->site) {
	case UPRB_SITE_C_HEAD_LOAD:
		NEED(R.in_reader && R.pc && a->addr == &R.pc->data_head,
		     "memory-safety", "data_head load from %p, not the control page's",
		     a->addr);
		break;
	case UPRB_SITE_READ_HEADER:
	case UPRB_SITE_READ_DATA:
		NEED(R.in_reader && a->op == UPRB_OP_COPY_FROM &&
		     inside(a->src, a->len, R.data, R.size),
		     "memory-safety",
		     "%zu-byte load at data area offset %lld, outside its %llu bytes",
		     a->len, (long long)((const unsigned char *)a->src - R.data),
		     X64(R.size));
		break;
	case UPRB_SITE_D_TAIL_STORE:
		NEED(R.in_reader && R.pc && a->addr == &R.pc->data_tail,
		     "memory-safety", "data_tail store to %p, not the control page's",
		     a->addr);
		break;
	case UPRB_SITE_PAUSE_STORE:
		break;
	default:
		NEED(R.in_writer, "memory-safety", "writer access outside a write");
		if (a->op == UPRB_OP_COPY_TO)
			NEED(inside(a->addr, a->len, R.data, R.size),
			     "memory-safety", "writer copy outside the data area");
		break;
	}
	if (R.in_reader && ++R.accesses > R.access_limit)
		fail("termination", "%llu ring accesses in one call, a walk of "
		     "the ring needs at most %llu", X64(R.accesses),
		     X64(R.access_limit));
	return uprb_sim_perform(a);
}

static const struct uprb_sim_hooks hooks = { .access = hook };

static int on_pause(void *arg, bool on)
{
	(void)arg;
	R.paused = on;
	if (R.rb)
		uprb_ring_pause(R.rb, on);
	return 0;
}

/* Bracket a reader call: its ring accesses are bounded. */
static void enter(void)
{
	R.in_reader = true;
	R.accesses = 0;
	R.access_limit = 2 * (R.size / 8) + 16;
}

static void leave(void)
{
	R.in_reader = false;
}

static int r_init(void)
{
	int ret;

	enter();
	ret = uprb_read_init(&R.r);
	leave();
	return ret;
}

static int r_event(const struct perf_event_header **ev)
{
	int ret;

	enter();
	ret = uprb_read_event(&R.r, ev);
	leave();
	return ret;
}

static void r_done(void)
{
	enter();
	uprb_read_done(&R.r);
	leave();
	NEED(!R.paused, "resync", "writer still paused after read_done");
}

/* Every code the reader returns has its own text (uprb_read_strerror). */
static void check_text(int err)
{
	static const char unknown[] = "unknown reader error";

	NEED(strcmp(uprb_read_strerror(err), unknown) &&
	     (err || !strcmp(uprb_read_strerror(0), "ok")), "codes",
	     "code %d has no text of its own: \"%s\"", err,
	     uprb_read_strerror(err));
}

static bool is_sticky(int err)
{
	return err == -ERANGE || err == -EOVERFLOW || err == -EBADMSG ||
	       err == -EILSEQ || err == -EMSGSIZE || err == -EPROTO;
}

static uint64_t load_head(void)
{
	return __atomic_load_n(&R.pc->data_head, __ATOMIC_ACQUIRE);
}

static void resync(void)
{
	uint64_t head, tail, prev = R.r.prev, skipped, resyncs = R.r.stats.resyncs;

	enter();
	skipped = uprb_read_resync(&R.r);
	leave();
	NEED(R.r.stats.resyncs == resyncs + (R.size != 0), "resync",
	     "resync count moved from %llu to %llu", X64(resyncs),
	     X64(R.r.stats.resyncs));
	R.resyncs++;
	R.sticky = 0;
	NEED(!R.paused, "resync", "writer still paused after resync");
	/* No data pages: nothing to skip, nothing is stored. */
	if (!R.size) {
		NEED(!skipped, "resync", "%llu bytes skipped in a ring without "
		     "data pages", X64(skipped));
		return;
	}
	head = load_head();
	NEED(skipped == (R.backward ? prev - head : head - prev), "resync",
	     "%llu bytes skipped from %#llx to data_head %#llx", X64(skipped),
	     X64(prev), X64(head));
	tail = __atomic_load_n(&R.pc->data_tail, __ATOMIC_ACQUIRE);
	if (!R.overwrite)
		NEED(tail == head, "resync", "data_tail %#llx after resync, data_head %#llx",
		     X64(tail), X64(head));
	NEED(R.r.prev == head && !R.r.err, "resync",
	     "reader at %#llx (error %d) after resync, data_head %#llx",
	     X64(R.r.prev), R.r.err, X64(head));
	R.rpos = head;
}

/* A sticky error: the window, and every later one, repeats it. */
static void on_error(int err)
{
	const struct perf_event_header *ev;
	int again;

	R.errors++;
	check_text(err);
	NEED(!R.honest, "honest-read", "%s (%d) on a ring written honestly",
	     uprb_read_strerror(err), err);
	NEED(is_sticky(err), "codes", "undocumented error %d", err);
	R.sticky = err;
	again = r_event(&ev);
	NEED(again == err && !ev, "sticky", "read_event after %d returned %d",
	     err, again);
	again = r_init();
	NEED(again == err, "sticky", "read_init after %d returned %d", err, again);
}

/* The ring position @pos as an index of the data area. */
static size_t at(uint64_t pos)
{
	return (size_t)(pos & (R.size - 1));
}

/*
 * uprb_source_sample_id() as its header documents it: exactly
 * id_header_size bytes (8 per field), the trailer @want, nothing written
 * past them (an exact-size buffer: ASan sees a byte more).
 */
static void check_sample_id(const unsigned char *want)
{
	uint64_t fields = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ID |
			  PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU |
			  PERF_SAMPLE_IDENTIFIER;
	size_t len = (size_t)__builtin_popcountll(R.prog.cfg.sample_type & fields) * 8;
	unsigned char *buf = malloc(len ? len : 1);
	size_t n;

	if (!buf)
		abort();
	NEED(R.src.id_header_size == len &&
	     uprb_id_header_size(R.src.sample_type) == len, "trailer",
	     "sample_type %#llx: id_header_size %u, %zu expected",
	     X64(R.src.sample_type), R.src.id_header_size, len);
	n = uprb_source_sample_id(&R.src, buf);
	NEED(n == len && !memcmp(buf, want, len), "trailer",
	     "uprb_source_sample_id wrote %zu bytes, %zu expected%s", n, len,
	     n == len ? ", with other contents" : "");
	free(buf);
}

static size_t build(const struct fzr_rec *e)
{
	size_t n = fzr_expect_record(e, R.src.id, R.prog.cfg.sample_type,
				     R.src.sample_id_all, R.expect);

	if (e->is_lost && R.src.sample_id_all)
		check_sample_id(R.expect + UPRB_LOST_RECORD_SIZE);
	return n;
}

static void add_rec(uint64_t pos, uint16_t size, bool is_lost, uint64_t v)
{
	if (fzr_records_add(&R.w, pos, size, is_lost, v))
		fail("harness", "record table full");
}

static void do_write(const struct fzr_act *a)
{
	uint64_t old, lo, total, lsz;
	int ret;

	if (!R.rb)
		return;
	old = R.rb->head;
	R.in_writer = true;
	ret = uprb_synth_write(R.rb, &R.src, a->size, 0, 0, 0, R.seq);
	R.in_writer = false;
	R.writes++;
	if (ret == -ENOSPC) {
		R.drops += R.rb->nr_pages != 0;
		return;
	}
	NEED(ret == 0, "writer", "write of %u returned %d", a->size, ret);
	total = R.backward ? old - R.rb->head : R.rb->head - old;
	lo = R.backward ? R.rb->head : old;
	lsz = total - a->size;
	NEED(!lsz == !R.drops, "writer", "%llu drops, LOST record of %llu bytes",
	     X64(R.drops), X64(lsz));
	/* The table is sorted in the writing direction. */
	if (R.backward)
		add_rec(lo + lsz, a->size, false, R.seq);
	if (lsz)
		add_rec(lo, (uint16_t)lsz, true, R.drops);
	if (!R.backward)
		add_rec(lo + lsz, a->size, false, R.seq);
	R.seq++;
	R.drops = 0;
	/*
	 * An oversize overwrite record wraps onto its own header
	 * (docs/ring.md#14-sizes-and-the-space-rule).
	 */
	if (R.overwrite && total > R.size)
		R.honest = false;
}

static void corrupt(const struct fzr_act *a)
{
	uint64_t pos = fzr_records_pos(&R.w, a->rec), head;

	if (!R.reader_ok || !R.size)
		return;
	R.honest = false;
	R.corruptions++;
	head = load_head();
	fzr_corrupt(R.data, R.size, a, pos, R.backward ? R.r.prev - pos :
							head - pos);
}

static void scribble(const struct fzr_act *a)
{
	uint64_t head;

	if (!R.pc)
		return;
	head = fzr_scribble_head(a, load_head(), R.backward,
				 fzr_records_pos(&R.w, a->rec));
	__atomic_store_n(&R.pc->data_head, head, __ATOMIC_RELEASE);
	R.honest = false;
	R.corruptions++;
}

static void run_act(const struct fzr_act *a)
{
	if (R.verbose > 1)
		fprintf(stderr, "  %s\n", fzr_kind_names[a->kind]);
	switch (a->kind) {
	case FZR_WRITE:
		do_write(a);
		break;
	case FZR_CORRUPT:
		corrupt(a);
		break;
	case FZR_SCRIBBLE:
		scribble(a);
		break;
	case FZR_RESYNC:
		if (R.reader_ok)
			resync();
		break;
	default:
		break;
	}
}

/* Backward, lapped: where find-range must stop, from the records written. */
static uint64_t backward_cut(uint64_t head)
{
	uint64_t p = head;

	while (p - head < R.size) {
		const struct fzr_rec *e = fzr_records_find(&R.w, p);

		NEED(e, "honest-read", "no record at %#llx in a lapped ring", X64(p));
		if (p - head + e->size > R.size)
			break;
		p += e->size;
	}
	return p;
}

static void check_honest(uint64_t pos, uint64_t *want,
			 const struct perf_event_header *ev)
{
	const struct fzr_rec *e = fzr_records_find(&R.w, pos);
	size_t n;

	NEED(pos == *want, "honest-read", "record at %#llx, expected one at %#llx",
	     X64(pos), X64(*want));
	NEED(e, "honest-read", "record at %#llx: none was written there", X64(pos));
	NEED(ev->size == e->size, "honest-read",
	     "record at %#llx has size %u, %u was written", X64(pos), ev->size,
	     e->size);
	n = build(e);
	NEED(!memcmp(ev, R.expect, n), "honest-read",
	     "record at %#llx (%s, %u bytes) differs from what was written",
	     X64(pos), e->is_lost ? "LOST" : "synthetic", e->size);
	*want = pos + e->size;
}

/*
 * read_init and what its verdict must be. Return: 1 a window is open
 * (from *@head; a backward one of a ring written honestly ends at *@end),
 * 0 nothing to read, -1 it failed (the caller closes or resyncs).
 */
static int open_window(uint64_t *head, uint64_t *end)
{
	uint64_t prev = R.r.prev, windows = R.r.stats.windows;
	int ret;

	*head = R.size ? load_head() : 0;
	ret = r_init();
	if (R.sticky) {
		NEED(ret == R.sticky, "sticky", "read_init returned %d, the "
		     "window before failed with %d and was not resynced", ret,
		     R.sticky);
		return -1;
	}
	NEED(ret == 0 || ret == -EAGAIN || ret == -ENODATA || ret == -ERANGE ||
	     ret == -EOVERFLOW ||
	     /* find-range's header checks, for lapped overwrite rings */
	     (R.backward && R.overwrite && (ret == -EBADMSG || ret == -EILSEQ)),
	     "codes", "read_init returned %d", ret);
	NEED((ret == -ENODATA) == !R.size, "codes",
	     "read_init returned %d on a data area of %llu bytes", ret,
	     X64(R.size));
	fzr_check_window(&R.view, ret, prev, *head, windows);
	fzr_check_find_range(&R.view, ret, prev, *head);
	check_text(ret);
	if (ret == -EAGAIN || ret == -ENODATA) {
		NEED(!R.paused, "resync", "writer left paused by an empty window");
		return 0;
	}
	if (ret) {
		on_error(ret);
		return -1;
	}
	/* The writer is paused for a backward window (uprb_reader.h). */
	NEED(!R.backward || R.paused, "window",
	     "a backward window is open and the writer is not paused");
	*head = R.r.head;
	if (R.honest) {
		NEED(*head == R.rb->head, "honest-read", "window to %#llx, "
		     "data_head %#llx", X64(*head), X64(R.rb->head));
		if (R.backward) {
			*end = R.rpos - *head > R.size ? backward_cut(*head) :
							 R.rpos;
			NEED(R.r.end == *end, "window", "backward window from "
			     "%#llx ends at %#llx, the records written at %#llx",
			     X64(*head), X64(R.r.end), X64(*end));
		}
	}
	return 1;
}

/* consume after a record, unless the op keeps them, and what it stores. */
static void consume(const struct fzr_op *o, uint64_t want)
{
	uint64_t t = __atomic_load_n(&R.pc->data_tail, __ATOMIC_ACQUIRE);

	if (o->flags & FZR_READ_KEEP)
		return;
	enter();
	uprb_consume(&R.r);
	leave();
	/* consume gives back forward non-overwrite reads only. */
	if (R.backward)
		NEED(__atomic_load_n(&R.pc->data_tail, __ATOMIC_ACQUIRE) == t,
		     "window", "consume in a backward window moved data_tail "
		     "from %#llx", X64(t));
	else if (R.honest) {
		t = __atomic_load_n(&R.pc->data_tail, __ATOMIC_ACQUIRE);
		NEED(t == want, "honest-read",
		     "data_tail %#llx after consume, read up to %#llx", X64(t),
		     X64(want));
	}
}

/*
 * One read_event in an open window, the record it returns checked (and
 * consumed); *@want is where the next record written starts. Return: the
 * code of read_event.
 */
static int read_one(const struct fzr_op *o, uint64_t *want)
{
	const struct perf_event_header *ev;
	uint64_t pos = R.r.start, bytes = R.r.stats.bytes;
	uint64_t wrapped = R.r.stats.wrapped, records = R.r.stats.records;
	bool relook = !R.backward && R.r.start == R.r.end && !R.r.err;
	uint64_t lhead = relook ? load_head() : 0;
	int ret;

	ret = r_event(&ev);
	if (relook)
		fzr_check_relook(&R.view, ret, pos, lhead);
	if (ret != 0)
		fzr_check_diagnosis(&R.view, pos, ret);
	if (ret != 1)
		return ret;
	NEED(ev && ev->size >= 8 && !(ev->size & 7) && ev->size <= R.size &&
	     R.r.stats.bytes == bytes + ev->size &&
	     R.r.stats.records == records + 1, "termination",
	     "record of %u bytes returned, reader moved %llu",
	     ev ? ev->size : 0, X64(R.r.stats.bytes - bytes));
	NEED(R.r.stats.wrapped - wrapped == (at(pos) + ev->size > R.size),
	     "window", "record of %u bytes at ring offset %zu of %llu: "
	     "wrapped count moved by %llu", ev->size, at(pos), X64(R.size),
	     X64(R.r.stats.wrapped - wrapped));
	/* Load every byte: a pointer past the mapping is ASan's (one range check). */
	memcpy(R.touch, ev, ev->size);
	R.records++;
	if (R.honest)
		check_honest(pos, want, ev);
	consume(o, *want);
	return ret;
}

/*
 * read_done after a window read to its end or to the op's maximum (the
 * window from @head; records written up to @want, backward to @end).
 */
static void close_window(int ret, uint64_t head, uint64_t want, uint64_t end)
{
	uint64_t tail, now;
	bool whole;

	if (ret == 0 && R.honest) {
		uint64_t stop = R.backward ? end : R.rb->head;

		NEED(want == stop, "honest-read",
		     "window ended at %#llx, the records written end at %#llx",
		     X64(want), X64(stop));
	}
	if (!R.backward && R.honest)
		R.rpos = want;
	R.where.event = 0;
	tail = __atomic_load_n(&R.pc->data_tail, __ATOMIC_ACQUIRE);
	whole = R.r.start == R.r.end && !R.r.err;
	r_done();
	now = __atomic_load_n(&R.pc->data_tail, __ATOMIC_ACQUIRE);
	/*
	 * A backward non-overwrite window is given back (data_tail = its
	 * data_head) when read_done finds it read to its end, else not at all.
	 */
	if (R.backward && !R.overwrite)
		NEED(now == (whole ? head : tail), "window", "data_tail %#llx "
		     "after read_done of a backward window [%#llx, %#llx) %s, "
		     "before %#llx", X64(now), X64(head), X64(R.r.end),
		     whole ? "read whole" : "not read whole", X64(tail));
	/* read_done gives a backward window back once it is read to its end. */
	if (R.backward && R.honest && want == end)
		R.rpos = head;
}

/* One READ op: a window opened, read with its inner acts, and closed. */
static void read_window(const struct fzr_op *o)
{
	unsigned max = o->flags & FZR_READ_MAX, got = 0, calls = 0, limit;
	uint64_t head, want, end = 0;
	int ret;

	if (!R.reader_ok)
		return;
	R.windows++;
	R.where.event = 0;
	ret = open_window(&head, &end);
	if (ret == 0)
		return;
	if (ret < 0)
		goto failed;
	want = R.backward ? head : R.rpos;
	/*
	 * Each record is >= 8 bytes of a window of at most data_size bytes;
	 * inner writes may extend a forward window by what they free.
	 */
	limit = (unsigned)(R.size / 8) + 2 * o->ninner + 4;
	for (;;) {
		R.where.event = ++calls;
		for (unsigned k = 0; k < o->ninner; k++)
			if (o->inner[k].nth == calls)
				run_act(&o->inner[k]);
		if (max && got == max)
			break;
		NEED(calls <= limit, "termination",
		     "%u read_event calls in a window of a %llu-byte ring", calls,
		     X64(R.size));
		ret = read_one(o, &want);
		if (ret != 1)
			break;
		got++;
	}
	if (ret < 0) {
		NEED(is_sticky(ret), "codes", "read_event returned %d", ret);
		on_error(ret);
		goto failed;
	}
	NEED(ret == 0 || ret == 1, "codes", "read_event returned %d", ret);
	close_window(ret, head, want, end);
	return;
failed:
	R.where.event = 0;
	/* A reader that resyncs does not close the window first: resync does. */
	if (o->flags & FZR_READ_RESYNC)
		resync();
	else
		r_done();
}

static void setup_written(void)
{
	const struct fzr_config *c = &R.prog.cfg;
	struct uprb_ring_opts o = {
		.sz = sizeof(o), .page_size = c->page_size,
		.nr_pages = c->nr_pages, .overwrite = c->overwrite,
		.backward = c->backward,
	};

	R.rb = fz_ring_get(0, &o);
	/* Poison first: uprb_source_init() must set every field. */
	memset(&R.src, 0xa5, sizeof(R.src));
	uprb_source_init(&R.src, c->id, c->sample_type, c->sample_id_all);
	NEED(R.src.id == c->id && R.src.stream_id == c->id &&
	     R.src.sample_type == c->sample_type &&
	     R.src.sample_id_all == c->sample_id_all && !R.src.pid &&
	     !R.src.tid && !R.src.cpu && !R.src.clock && !R.src.wakeup_events &&
	     !R.src.lost_samples, "trailer", "uprb_source_init(%#llx, %#llx, %d) "
	     "left id %#llx stream_id %#llx sample_type %#llx", X64(c->id),
	     X64(c->sample_type), c->sample_id_all, X64(R.src.id),
	     X64(R.src.stream_id), X64(R.src.sample_type));
	R.map = fzr_map_written(R.rb, &R.len);
	R.pc = (struct perf_event_mmap_page *)R.map;
	R.honest = true;
}

static void setup_bytes(void)
{
	R.len = (size_t)R.prog.cfg.len;
	R.map = fzr_map_bytes(&R.prog.cfg);
	if (R.len >= sizeof(struct perf_event_mmap_page))
		R.pc = (struct perf_event_mmap_page *)R.map;
}

static void setup(void)
{
	const struct fzr_config *c = &R.prog.cfg;
	struct uprb_reader_opts ro = {
		.sz = sizeof(ro), .overwrite = c->overwrite,
		.backward = c->backward, .pause = on_pause,
		/* The reader's own scratch: its allocation and free are fuzzed too. */
	};
	uint64_t off = 0, size = 0;
	int ok = 0, ret;

	R.backward = c->backward;
	R.overwrite = c->overwrite;
	/* The table is past the part cleared per run: start it here. */
	R.w.n = 0;
	R.w.backward = c->backward;
	if (c->mode == FZR_WRITTEN)
		setup_written();
	else
		setup_bytes();
	if (R.pc) {
		off = R.pc->data_offset;
		size = R.pc->data_size;
		if (!off) {
			off = fzr_sys_page();
			size = R.len > off ? R.len - off : 0;
		}
		ok = fzr_geometry_ok(off, size, R.len);
	}
	R.where.phase = "init";
	/* init reads the control page directly, not through the seam. */
	ret = uprb_reader_init(&R.r, R.map, R.len, &ro);
	R.init_ret = ret;
	NEED(ret == 0 || ret == -EINVAL || ret == -EOPNOTSUPP, "codes",
	     "uprb_reader_init returned %d", ret);
	check_text(ret);
	if (c->overwrite && !c->backward && R.pc) {
		NEED(ret == -EOPNOTSUPP || (ret == -EINVAL && ok == 0), "init",
		     "forward overwrite ring: init returned %d", ret);
	} else if (ok == 1) {
		NEED(ret == 0, "init", "data_offset %#llx data_size %#llx in a "
		     "%zu-byte map refused (%d)", X64(off), X64(size), R.len, ret);
	} else if (ok == 0) {
		NEED(ret == -EINVAL, "init", "data_offset %#llx data_size %#llx "
		     "in a %zu-byte map accepted (%d)", X64(off), X64(size),
		     R.len, ret);
	}
	R.reader_ok = ret == 0;
	/* A written ring has its data area whether or not it can be read. */
	if (R.reader_ok || c->mode == FZR_WRITTEN) {
		R.data = R.map + off;
		R.size = size;
		R.view = (struct fzr_view){
			.r = &R.r, .area = { R.data, R.size },
			.backward = R.backward, .overwrite = R.overwrite,
			.where = &R.where,
		};
	}
	if (!R.reader_ok)
		R.honest = false;
	R.rpos = R.pc ? R.pc->data_tail : 0;
}

static void run(const uint8_t *data, size_t len)
{
	static const struct fzr_op drain = { .a = { .kind = FZR_READ } };

	fzr_decode(&R.prog, data, len);
	if (R.verbose > 1)
		fzr_program_print(stderr, &R.prog);
	setup();
	uprb_sim_hooks = &hooks;
	for (unsigned i = 0; i < R.prog.nops; i++) {
		const struct fzr_op *o = &R.prog.ops[i];

		R.where.step = i + 1;
		R.where.phase = fzr_kind_names[o->a.kind];
		if (R.verbose > 1)
			fprintf(stderr, "step %u: %s\n", R.where.step, R.where.phase);
		if (o->a.kind == FZR_READ)
			read_window(o);
		else
			run_act(&o->a);
	}
	/* The end: whatever is left is read, an error resynced. */
	R.where.phase = "final drain";
	if (R.reader_ok) {
		if (R.sticky)
			resync();
		read_window(&drain);
		if (R.sticky)
			resync();
	}
	uprb_sim_hooks = NULL;
}

static void teardown(void)
{
	if (R.reader_ok)
		uprb_reader_fini(&R.r);
	/* R.rb stays in the cache (rings.h), reset at its next use. */
	free(R.map);
}

const char *fz_target_summary(void)
{
	snprintf(R.summary, sizeof(R.summary),
		 "  %s ring, init %d, %u ops, %llu writes, %llu corruptions, "
		 "%llu windows, %llu records read, %llu errors, %llu resyncs, %s",
		 fzr_mode_names[R.prog.cfg.mode], R.init_ret, R.prog.nops,
		 X64(R.writes), X64(R.corruptions), X64(R.windows),
		 X64(R.records), X64(R.errors), X64(R.resyncs),
		 R.honest ? "checked against the records written" :
			    "contents not compared (corrupt or raw)");
	return R.summary;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int verbose = -1;

	if (verbose < 0) {
		const char *e = getenv("UPRB_FUZZ_VERBOSE");

		verbose = e ? atoi(e) : 0;
	}
	/* The state starts from zero; program and tables are filled as used. */
	memset(&R, 0, offsetof(struct run, prog));
	R.verbose = verbose;
	R.where.who = "reader";
	R.where.site = UPRB_SITE_COUNT;
	run(data, size);
	teardown();
	return 0;
}
