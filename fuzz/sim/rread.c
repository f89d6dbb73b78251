/* SPDX-License-Identifier: MIT */
/*
 * rread.c - one READ op of fuzz_reader_corrupt (rrun.h), judged at every
 * call: read_init's verdict against the control page (rwindow.h), each
 * record read_event returns (it moves the reader, counts a wrap, has no
 * flaw a plain parse finds, is the one written while the ring is honest),
 * consume's store, the op's inner acts between calls, and read_done's
 * giving back of the window; an error goes to the sticky and resync
 * checks (rerrors.c).
 */
#include <errno.h>
#include <string.h>

#include "rrun.h"

/* The ring position @pos as an index of the data area. */
static size_t at(uint64_t pos)
{
	return (size_t)(pos & (fzr.size - 1));
}

/*
 * read_init and what its verdict must be. Return: 1 a window is open
 * (from *@head; a backward one of a ring written honestly ends at *@end),
 * 0 nothing to read, -1 it failed (the caller closes or resyncs).
 */
static int open_window(uint64_t *head, uint64_t *end)
{
	uint64_t prev = fzr.r.prev, windows = fzr.r.stats.windows;
	int ret;

	*head = fzr.size ? fzr_load_head() : 0;
	ret = fzr_call_init();
	if (fzr.sticky) {
		NEED(ret == fzr.sticky, "sticky", "read_init returned %d, the "
		     "window before failed with %d and was not resynced", ret,
		     fzr.sticky);
		return -1;
	}
	NEED(ret == 0 || ret == -EAGAIN || ret == -ENODATA || ret == -ERANGE ||
	     ret == -EOVERFLOW ||
	     /* find-range's header checks, for lapped overwrite rings */
	     (fzr.backward && fzr.overwrite && (ret == -EBADMSG || ret == -EILSEQ)),
	     "codes", "read_init returned %d", ret);
	NEED((ret == -ENODATA) == !fzr.size, "codes",
	     "read_init returned %d on a data area of %llu bytes", ret,
	     X64(fzr.size));
	fzr_check_window(&fzr.view, ret, prev, *head, windows);
	fzr_check_find_range(&fzr.view, ret, prev, *head);
	fzr_check_text(ret);
	if (ret == -EAGAIN || ret == -ENODATA) {
		NEED(!fzr.paused, "resync", "writer left paused by an empty window");
		return 0;
	}
	if (ret) {
		fzr_on_error(ret);
		return -1;
	}
	/* The writer is paused for a backward window (uprb_reader.h). */
	NEED(!fzr.backward || fzr.paused, "window",
	     "a backward window is open and the writer is not paused");
	*head = fzr.r.head;
	if (fzr.honest) {
		NEED(*head == fzr.rb->head, "honest-read", "window to %#llx, "
		     "data_head %#llx", X64(*head), X64(fzr.rb->head));
		if (fzr.backward) {
			*end = fzr.rpos - *head > fzr.size ? fzr_backward_cut(*head) :
							 fzr.rpos;
			NEED(fzr.r.end == *end, "window", "backward window from "
			     "%#llx ends at %#llx, the records written at %#llx",
			     X64(*head), X64(fzr.r.end), X64(*end));
		}
	}
	return 1;
}

/* consume after a record, unless the op keeps them, and what it stores. */
static void consume(const struct fzr_op *o, uint64_t want)
{
	uint64_t t = __atomic_load_n(&fzr.pc->data_tail, __ATOMIC_ACQUIRE);

	if (o->flags & FZR_READ_KEEP)
		return;
	fzr_enter();
	uprb_consume(&fzr.r);
	fzr_leave();
	/* consume gives back forward non-overwrite reads only. */
	if (fzr.backward)
		NEED(__atomic_load_n(&fzr.pc->data_tail, __ATOMIC_ACQUIRE) == t,
		     "window", "consume in a backward window moved data_tail "
		     "from %#llx", X64(t));
	else if (fzr.honest) {
		t = __atomic_load_n(&fzr.pc->data_tail, __ATOMIC_ACQUIRE);
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
	uint64_t pos = fzr.r.start, bytes = fzr.r.stats.bytes;
	uint64_t wrapped = fzr.r.stats.wrapped, records = fzr.r.stats.records;
	bool relook = !fzr.backward && fzr.r.start == fzr.r.end && !fzr.r.err;
	uint64_t lhead = relook ? fzr_load_head() : 0;
	int ret;

	ret = fzr_call_event(&ev);
	if (relook)
		fzr_check_relook(&fzr.view, ret, pos, lhead);
	if (ret != 0)
		fzr_check_diagnosis(&fzr.view, pos, ret);
	if (ret != 1)
		return ret;
	NEED(ev && ev->size >= 8 && !(ev->size & 7) && ev->size <= fzr.size &&
	     fzr.r.stats.bytes == bytes + ev->size &&
	     fzr.r.stats.records == records + 1, "termination",
	     "record of %u bytes returned, reader moved %llu",
	     ev ? ev->size : 0, X64(fzr.r.stats.bytes - bytes));
	NEED(fzr.r.stats.wrapped - wrapped == (at(pos) + ev->size > fzr.size),
	     "window", "record of %u bytes at ring offset %zu of %llu: "
	     "wrapped count moved by %llu", ev->size, at(pos), X64(fzr.size),
	     X64(fzr.r.stats.wrapped - wrapped));
	/* Load every byte: a pointer past the mapping is ASan's (one range check). */
	memcpy(fzr.touch, ev, ev->size);
	fzr.records++;
	if (fzr.honest)
		fzr_check_honest(pos, want, ev);
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

	if (ret == 0 && fzr.honest) {
		uint64_t stop = fzr.backward ? end : fzr.rb->head;

		NEED(want == stop, "honest-read",
		     "window ended at %#llx, the records written end at %#llx",
		     X64(want), X64(stop));
	}
	if (!fzr.backward && fzr.honest)
		fzr.rpos = want;
	fzr.where.event = 0;
	tail = __atomic_load_n(&fzr.pc->data_tail, __ATOMIC_ACQUIRE);
	whole = fzr.r.start == fzr.r.end && !fzr.r.err;
	fzr_call_done();
	now = __atomic_load_n(&fzr.pc->data_tail, __ATOMIC_ACQUIRE);
	/*
	 * A backward non-overwrite window is given back (data_tail = its
	 * data_head) when read_done finds it read to its end, else not at all.
	 */
	if (fzr.backward && !fzr.overwrite)
		NEED(now == (whole ? head : tail), "window", "data_tail %#llx "
		     "after read_done of a backward window [%#llx, %#llx) %s, "
		     "before %#llx", X64(now), X64(head), X64(fzr.r.end),
		     whole ? "read whole" : "not read whole", X64(tail));
	/* read_done gives a backward window back once it is read to its end. */
	if (fzr.backward && fzr.honest && want == end)
		fzr.rpos = head;
}

/* One READ op: a window opened, read with its inner acts, and closed. */
void fzr_read_window(const struct fzr_op *o)
{
	unsigned max = o->flags & FZR_READ_MAX, got = 0, calls = 0, limit;
	uint64_t head, want, end = 0;
	int ret;

	if (!fzr.reader_ok)
		return;
	fzr.windows++;
	fzr.where.event = 0;
	ret = open_window(&head, &end);
	if (ret == 0)
		return;
	if (ret < 0)
		goto failed;
	want = fzr.backward ? head : fzr.rpos;
	/*
	 * Each record is >= 8 bytes of a window of at most data_size bytes;
	 * inner writes may extend a forward window by what they free.
	 */
	limit = (unsigned)(fzr.size / 8) + 2 * o->ninner + 4;
	for (;;) {
		fzr.where.event = ++calls;
		for (unsigned k = 0; k < o->ninner; k++)
			if (o->inner[k].nth == calls)
				fzr_run_act(&o->inner[k]);
		if (max && got == max)
			break;
		NEED(calls <= limit, "termination",
		     "%u read_event calls in a window of a %llu-byte ring", calls,
		     X64(fzr.size));
		ret = read_one(o, &want);
		if (ret != 1)
			break;
		got++;
	}
	if (ret < 0) {
		NEED(fzr_is_sticky(ret), "codes", "read_event returned %d", ret);
		fzr_on_error(ret);
		goto failed;
	}
	NEED(ret == 0 || ret == 1, "codes", "read_event returned %d", ret);
	close_window(ret, head, want, end);
	return;
failed:
	fzr.where.event = 0;
	/* A reader that resyncs does not close the window first: resync does. */
	if (o->flags & FZR_READ_RESYNC)
		fzr_resync();
	else
		fzr_call_done();
}
