/* SPDX-License-Identifier: MIT */
/*
 * rerrors.c - fuzz_reader_corrupt's judge of the reader's errors (rrun.h):
 * every code has a text of its own and is one the documentation lists; an
 * error is sticky (the window and the next ones repeat it) until
 * uprb_read_resync(), which must leave the reader at data_head, data_tail
 * there (non-overwrite), the writer not paused, and return the bytes it
 * skipped.
 */
#include <errno.h>
#include <string.h>

#include "rrun.h"

/* Every code the reader returns has its own text (uprb_read_strerror). */
void fzr_check_text(int err)
{
	static const char unknown[] = "unknown reader error";

	NEED(strcmp(uprb_read_strerror(err), unknown) &&
	     (err || !strcmp(uprb_read_strerror(0), "ok")), "codes",
	     "code %d has no text of its own: \"%s\"", err,
	     uprb_read_strerror(err));
}

bool fzr_is_sticky(int err)
{
	return err == -ERANGE || err == -EOVERFLOW || err == -EBADMSG ||
	       err == -EILSEQ || err == -EMSGSIZE || err == -EPROTO;
}

void fzr_resync(void)
{
	uint64_t head, tail, prev = fzr.r.prev, skipped, resyncs = fzr.r.stats.resyncs;

	fzr_enter();
	skipped = uprb_read_resync(&fzr.r);
	fzr_leave();
	NEED(fzr.r.stats.resyncs == resyncs + (fzr.size != 0), "resync",
	     "resync count moved from %llu to %llu", X64(resyncs),
	     X64(fzr.r.stats.resyncs));
	fzr.resyncs++;
	fzr.sticky = 0;
	NEED(!fzr.paused, "resync", "writer still paused after resync");
	/* No data pages: nothing to skip, nothing is stored. */
	if (!fzr.size) {
		NEED(!skipped, "resync", "%llu bytes skipped in a ring without "
		     "data pages", X64(skipped));
		return;
	}
	head = fzr_load_head();
	NEED(skipped == (fzr.backward ? prev - head : head - prev), "resync",
	     "%llu bytes skipped from %#llx to data_head %#llx", X64(skipped),
	     X64(prev), X64(head));
	tail = __atomic_load_n(&fzr.pc->data_tail, __ATOMIC_ACQUIRE);
	if (!fzr.overwrite)
		NEED(tail == head, "resync", "data_tail %#llx after resync, data_head %#llx",
		     X64(tail), X64(head));
	NEED(fzr.r.prev == head && !fzr.r.err, "resync",
	     "reader at %#llx (error %d) after resync, data_head %#llx",
	     X64(fzr.r.prev), fzr.r.err, X64(head));
	fzr.rpos = head;
}

/* A sticky error: the window, and every later one, repeats it. */
void fzr_on_error(int err)
{
	const struct perf_event_header *ev;
	int again;

	fzr.errors++;
	fzr_check_text(err);
	NEED(!fzr.honest, "honest-read", "%s (%d) on a ring written honestly",
	     uprb_read_strerror(err), err);
	NEED(fzr_is_sticky(err), "codes", "undocumented error %d", err);
	fzr.sticky = err;
	again = fzr_call_event(&ev);
	NEED(again == err && !ev, "sticky", "read_event after %d returned %d",
	     err, again);
	again = fzr_call_init();
	NEED(again == err, "sticky", "read_init after %d returned %d", err, again);
}
